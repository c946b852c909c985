//! The case service: checks a step against the life-cycle, derives the clocks it starts, pauses,
//! extends or stops, and writes state, clocks and audit event together. Handlers call [`act`]
//! and [`view`] with the logged-in [`Caller`]: the actor is the session's account, never a
//! field of the request; a step needs the permission `kuaiwei_access::step_permission` names,
//! for the case's agency; another agency's case answers 404, as a missing one does.

pub mod clocks;
mod recompute;
mod routing;
pub mod triage;
mod view;

use jiff::Timestamp;
use kuaiwei_deadlines::{Amount, ExclusionKind, Extension, ExtensionGrant};
use kuaiwei_domain::{Action, CaseState, Outcome, transition};
use kuaiwei_store::{CaseRecord, CaseUpdate, LinkedCase, NewEvent, StoreError, StoredClock};
use serde::Deserialize;

pub use clocks::due_is_provisional;
pub use recompute::{
    Recomputed, follow_calendar, recompute_after_calendar_change, recompute_cases_due_since,
    recompute_open_cases, start_recompute_since,
};
pub use triage::TriageConfig;
pub use view::{CaseView, Personal};

use kuaiwei_access::Action as Permission;

use crate::auth::Caller;
use crate::{AppError, AppState};

/// One step on a case, as sent to `POST /api/v1/cases/{case_number}/actions`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum ActionBody {
    /// 补正: ask the complainant for missing materials. Without `missing`, the request lists
    /// what the completeness check finds missing.
    RequestSupplement {
        reason: String,
        missing: Option<Vec<String>>,
    },
    /// The complainant's supplement arrived.
    Supplement {
        reason: Option<String>,
    },
    Accept {
        reason: Option<String>,
    },
    Refuse {
        reason: String,
    },
    /// Send the case to an agency with the procedures whose clocks it must keep. Without
    /// `agency`, the routing rules decide (and say which rule and why); naming another agency or
    /// other procedures than the rules would is an override and needs a reason. Re-routing
    /// states whether the clocks restart or continue.
    Route {
        reason: Option<String>,
        #[schema(example = "ip_office")]
        agency: Option<String>,
        #[schema(example = json!(["P1", "P3"]))]
        procedures: Option<Vec<String>>,
        /// For a re-route: `restart` or `continue`.
        clock: Option<String>,
    },
    /// 立案
    Open {
        reason: Option<String>,
    },
    /// 中止; `kind` is an excluded-period kind (default `suspension`).
    Suspend {
        reason: String,
        kind: Option<String>,
    },
    Resume {
        reason: Option<String>,
    },
    /// Ask a supervisor to extend, e.g. `1m` or `30d`.
    RequestExtension {
        reason: String,
        amount: String,
    },
    ApproveExtension {
        reason: Option<String>,
    },
    DenyExtension {
        reason: String,
    },
    /// Transfer to another agency (e.g. `police`); the receiving side gets a linked case.
    Transfer {
        reason: String,
        to_agency: String,
        /// Clocks of the receiving side (default for police: T3, 3 days to decide to open).
        procedures: Option<Vec<String>>,
    },
    Close {
        reason: Option<String>,
        outcome: Outcome,
    },
    /// 挂牌督办: mark a major case for supervision (any open state; the state is unchanged).
    Supervise {
        reason: String,
    },
    /// Lift the supervision mark.
    Unsupervise {
        reason: String,
    },
}

impl ActionBody {
    fn action(&self) -> Action {
        match self {
            ActionBody::RequestSupplement { .. } => Action::RequestSupplement,
            ActionBody::Supplement { .. } => Action::Supplement,
            ActionBody::Accept { .. } => Action::Accept,
            ActionBody::Refuse { .. } => Action::Refuse,
            ActionBody::Route { .. } => Action::Route,
            ActionBody::Open { .. } => Action::Open,
            ActionBody::Suspend { .. } => Action::Suspend,
            ActionBody::Resume { .. } => Action::Resume,
            ActionBody::RequestExtension { .. } => Action::RequestExtension,
            ActionBody::ApproveExtension { .. } => Action::ApproveExtension,
            ActionBody::DenyExtension { .. } => Action::DenyExtension,
            ActionBody::Transfer { .. } => Action::Transfer,
            ActionBody::Close { .. } => Action::Close,
            ActionBody::Supervise { .. } => Action::Supervise,
            ActionBody::Unsupervise { .. } => Action::Unsupervise,
        }
    }

    /// Refusing, suspending, asking for a supplement or an extension, denying one and
    /// transferring must say why.
    fn reason_required(&self) -> bool {
        matches!(
            self,
            ActionBody::Refuse { .. }
                | ActionBody::Suspend { .. }
                | ActionBody::RequestSupplement { .. }
                | ActionBody::RequestExtension { .. }
                | ActionBody::DenyExtension { .. }
                | ActionBody::Transfer { .. }
                | ActionBody::Supervise { .. }
                | ActionBody::Unsupervise { .. }
        )
    }

    fn reason(&self) -> Option<&str> {
        use ActionBody::*;
        match self {
            RequestSupplement { reason, .. }
            | Refuse { reason }
            | Suspend { reason, .. }
            | RequestExtension { reason, .. }
            | DenyExtension { reason }
            | Transfer { reason, .. }
            | Supervise { reason }
            | Unsupervise { reason } => Some(reason),
            Supplement { reason }
            | Accept { reason }
            | Route { reason, .. }
            | Open { reason }
            | Resume { reason }
            | ApproveExtension { reason }
            | Close { reason, .. } => reason.as_deref(),
        }
    }
}

fn required_text(path: &str, v: &str) -> Result<(), AppError> {
    if v.trim().is_empty() || v.chars().count() > 2000 {
        return Err(AppError::field(
            path,
            "required",
            "此项为必填项（最多2000字）",
            "required, at most 2000 characters",
        ));
    }
    Ok(())
}

/// The steps allowed on `case`: the life-cycle's, with only the supervision mark that applies.
pub fn allowed(case: &CaseRecord) -> Vec<Action> {
    Action::allowed_from(case.state)
        .into_iter()
        .filter(|a| match a {
            Action::Supervise => !case.supervised,
            Action::Unsupervise => case.supervised,
            _ => true,
        })
        .collect()
}

/// The case `number` if `caller` may read it. Another agency's case is `NotFound`, exactly like
/// a missing one (its existence is not disclosed, the refusal is audited); a role that reads no
/// case at all is refused with 403.
pub async fn readable(
    state: &AppState,
    caller: &Caller,
    number: &str,
) -> Result<CaseRecord, AppError> {
    if !kuaiwei_access::holds(caller.principal.role, Permission::ReadCase) {
        caller.require(state, Permission::ReadCase, None).await?;
    }
    let case = state.store.case(number).await?.ok_or(AppError::NotFound)?;
    caller
        .require_or_hide(state, Permission::ReadCase, case.agency.as_deref(), number)
        .await?;
    Ok(case)
}

/// The case as `caller` sees it. Personal information in full is for the officer handling it
/// (403 for anyone else, audited); each full reading is a `personal_data_viewed` event on the
/// case's own timeline.
pub async fn view(
    state: &AppState,
    caller: &Caller,
    number: &str,
    personal: Personal,
) -> Result<CaseView, AppError> {
    let case = readable(state, caller, number).await?;
    if personal == Personal::Full {
        let p = &caller.principal;
        if !kuaiwei_access::can_read_personal_data(
            p,
            case.agency.as_deref(),
            case.officer.as_deref(),
        ) {
            return Err(caller
                .refuse(
                    state,
                    Permission::ReadPersonalData,
                    case.agency.as_deref(),
                    number,
                )
                .await);
        }
        state
            .store
            .record_event(kuaiwei_store::RecordedEvent {
                subject: number.to_string(),
                event: NewEvent {
                    actor: caller.actor(),
                    kind: "personal_data_viewed".into(),
                    payload: serde_json::json!({}),
                    reason: None,
                },
                at: state.clock.now(),
            })
            .await?;
    }
    view::view_of(state, &caller.principal, case, personal).await
}

/// Applies one step as `caller` and returns the case as it now stands.
pub async fn act(
    state: &AppState,
    caller: &Caller,
    number: &str,
    body: ActionBody,
) -> Result<CaseView, AppError> {
    match body.reason() {
        // Steps whose reason is a required field must give one; an optional one is bounded.
        Some(r) if body.reason_required() => required_text("reason", r)?,
        Some(r) if r.chars().count() > 2000 => required_text("reason", "")?,
        _ => {}
    }
    let case = readable(state, caller, number).await?;
    caller
        .require(
            state,
            kuaiwei_access::step_permission(body.action(), case.agency.is_some()),
            case.agency.as_deref(),
        )
        .await?;
    let outcome = match &body {
        ActionBody::Close { outcome, .. } => Some(*outcome),
        _ => None,
    };
    let next = transition(case.state, body.action(), outcome).map_err(|mut e| {
        e.allowed = allowed(&case);
        AppError::IllegalAction(e)
    })?;
    let now = state.clock.now();
    let update = plan(state, caller, &case, next, &body, now).await?;
    match state.store.update_case(update).await {
        Ok(_) => {}
        Err(StoreError::VersionConflict) => return Err(AppError::Conflict),
        Err(e) => return Err(e.into()),
    }
    // the step's result, even when it moved the case out of the caller's reach (a re-route)
    let case = state.store.case(number).await?.ok_or(AppError::NotFound)?;
    view::view_of(state, &caller.principal, case, Personal::Masked).await
}

/// The complainant's supplement (补正) to a case that asked for one: the files are added to the
/// complaint, the case goes back to `received`, and the event names what arrived.
pub async fn complainant_supplement(
    state: &AppState,
    number: &str,
    token_hash: &[u8; 32],
    supplement: crate::intake::Supplement,
) -> Result<(), AppError> {
    state
        .store
        .complaint_for_complainant(number, token_hash)
        .await?
        .ok_or(AppError::NotFound)?;
    let case = state.store.case(number).await?.ok_or(AppError::NotFound)?;
    let next =
        transition(case.state, Action::Supplement, None).map_err(|_| AppError::StateConflict {
            code: "no_supplement_requested",
            zh: "本案当前未要求补正材料，无需提交".into(),
            en: "this case is not waiting for a supplement".into(),
        })?;
    let note = supplement.note.clone();
    let added = crate::intake::persist_supplement(supplement).await?;
    let payload = serde_json::json!({
        "from": case.state.key(),
        "to": next.key(),
        "evidence": added.iter().map(|e| &e.sha256).collect::<Vec<_>>(),
        "materials": added.iter().map(|e| &e.material).collect::<Vec<_>>(),
        "note": note,
    });
    let update = CaseUpdate {
        case_number: case.case_number.clone(),
        expected_version: case.version,
        state: next,
        agency: case.agency.clone(),
        outcome: case.outcome,
        clocks: case.clocks.clone(),
        supervised: case.supervised,
        officer: None,
        added_evidence: added,
        event: NewEvent {
            actor: kuaiwei_store::plan::RECEIVED_ACTOR.into(),
            kind: Action::Supplement.key().into(),
            payload,
            reason: None,
        },
        at: state.clock.now(),
        linked: None,
    };
    match state.store.update_case(update).await {
        Ok(_) => Ok(()),
        Err(StoreError::VersionConflict) => Err(AppError::Conflict),
        Err(e) => Err(e.into()),
    }
}

/// Works out the new clocks, agency, outcome and event of a step.
async fn plan(
    state: &AppState,
    caller: &Caller,
    case: &CaseRecord,
    next: CaseState,
    body: &ActionBody,
    now: Timestamp,
) -> Result<CaseUpdate, AppError> {
    let procedures = &state.procedures;
    let mut clocks: Vec<StoredClock> = case.clocks.clone();
    let mut agency = case.agency.clone();
    let mut outcome = case.outcome;
    let mut linked = None;
    let mut supervised = case.supervised;
    let mut payload = serde_json::json!({"from": case.state.key(), "to": next.key()});
    match body {
        ActionBody::Accept { reason } => {
            // 展会办法 Art. 11: F1 runs from the receipt of complete materials (§8.4); accepting
            // while some are still missing is the caseworker's call, and needs its reason
            let missing = triage::missing_keys(state, case.case_number.as_str()).await?;
            if !missing.is_empty() && reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                return Err(AppError::field(
                    "reason",
                    "required",
                    format!("材料尚不齐全（缺：{}），受理须说明理由", missing.join("、")),
                    format!(
                        "materials are still missing ({}): accepting needs a reason",
                        missing.join(", ")
                    ),
                ));
            }
            if !missing.is_empty() {
                payload["missing"] = serde_json::json!(missing);
            }
        }
        ActionBody::RequestSupplement { missing, .. } => {
            let missing = match missing {
                Some(m) => m.clone(),
                None => triage::missing_keys(state, case.case_number.as_str()).await?,
            };
            check_missing(&missing)?;
            payload["missing"] = serde_json::json!(missing);
        }
        ActionBody::Supervise { .. } | ActionBody::Unsupervise { .. } => {
            let on = matches!(body, ActionBody::Supervise { .. });
            if on == case.supervised {
                return Err(AppError::field(
                    "action",
                    "already_set",
                    if on {
                        "该案件已挂牌督办"
                    } else {
                        "该案件未挂牌督办"
                    },
                    if on {
                        "the case is already under supervision"
                    } else {
                        "the case is not under supervision"
                    },
                ));
            }
            supervised = on;
        }
        ActionBody::Route {
            agency: asked,
            procedures: asked_ids,
            clock,
            reason,
            ..
        } => {
            let decided = routing::decide(
                state,
                &caller.principal,
                case,
                asked.as_deref(),
                asked_ids.as_deref(),
                reason.as_deref(),
                now,
            )
            .await?;
            let (to, ids) = (&decided.agency, &decided.procedures);
            let rerouted = case.state == CaseState::Routed;
            let keep = match (rerouted, clock.as_deref()) {
                (false, _) | (true, Some("restart")) => false,
                (true, Some("continue")) => true,
                (true, _) => {
                    return Err(AppError::field(
                        "clock",
                        "required",
                        "重新分派时须说明时限重新计算（restart）还是继续计算（continue）",
                        "a re-route must say whether the clocks restart or continue",
                    ));
                }
            };
            let materials_at = materials_received_at(state, case).await?;
            let mut new = Vec::with_capacity(ids.len());
            for id in ids {
                let p = clocks::procedure(procedures, id)?;
                let kept = keep
                    .then(|| clocks.iter().find(|c| c.procedure_id == p.id))
                    .flatten();
                new.push(match kept {
                    Some(c) => c.clone(),
                    None if p.id == clocks::HANDOVER => {
                        let mut c = clocks::new_clock(&p.id, Some(materials_at));
                        c.closed_at = Some(now);
                        c
                    }
                    None if p.trigger.key == "opened" => clocks::new_clock(&p.id, None),
                    None => clocks::new_clock(&p.id, Some(now)),
                });
            }
            clocks = new;
            agency = Some(to.clone());
            payload["agency"] = serde_json::json!(to);
            payload["procedures"] = serde_json::json!(ids);
            payload["rule"] = decided.rule.clone();
            if rerouted {
                payload["clock"] = serde_json::json!(if keep { "continue" } else { "restart" });
            }
        }
        ActionBody::Open { .. } => {
            for c in clocks.iter_mut() {
                let opens = procedures
                    .get(&c.procedure_id)
                    .is_some_and(|p| p.trigger.key == "opened");
                if opens && c.started_at.is_none() {
                    c.started_at = Some(now);
                } else if clocks::is_running(c) {
                    c.closed_at = Some(now);
                }
            }
        }
        ActionBody::Suspend { kind, reason, .. } => {
            let key = kind.as_deref().unwrap_or("suspension");
            let kind = ExclusionKind::from_key(key).ok_or_else(|| {
                AppError::field(
                    "kind",
                    "unknown_value",
                    "未知的不计入期间类型",
                    "unknown kind of excluded period",
                )
            })?;
            let n = clocks::pause(procedures, &mut clocks, kind, now, reason);
            payload["kind"] = serde_json::json!(key);
            payload["clocks_paused"] = serde_json::json!(n);
        }
        ActionBody::Resume { .. } => clocks::resume(&mut clocks, now),
        ActionBody::RequestExtension { amount, .. } => {
            refuse_expired(procedures, &clocks, now)?;
            let a: Amount = amount
                .parse()
                .map_err(|e: kuaiwei_deadlines::AmountParseError| {
                    let t = e.to_string();
                    let (zh, en) = t.split_once(" / ").unwrap_or((&t, &t));
                    AppError::field("amount", "period_format", zh, en)
                })?;
            payload["amount"] = serde_json::json!(a.to_string());
        }
        ActionBody::ApproveExtension { .. } => {
            refuse_expired(procedures, &clocks, now)?;
            let amount = requested_extension(state, case).await?;
            let ext = Extension {
                approved_at: now,
                approver: caller.actor(),
                grant: ExtensionGrant::Amount(amount),
            };
            let n = clocks::extend(procedures, &mut clocks, &ext);
            payload["amount"] = serde_json::json!(amount.to_string());
            payload["clocks_extended"] = serde_json::json!(n);
        }
        ActionBody::Transfer {
            to_agency,
            procedures: ids,
            ..
        } => {
            routing::agency(to_agency, "to_agency")?;
            clocks::stop_all(&mut clocks, now);
            outcome = Some(Outcome::Transferred);
            let ids = ids.clone().unwrap_or_else(|| {
                if to_agency == "police" {
                    vec!["T3".to_string()]
                } else {
                    Vec::new()
                }
            });
            let mut theirs = Vec::new();
            for id in &ids {
                let p = clocks::procedure(procedures, id)?;
                theirs.push(clocks::new_clock(&p.id, Some(now)));
            }
            clocks::refresh(&state.calendar.current(), procedures, &mut theirs, now)?;
            linked = Some(LinkedCase {
                agency: to_agency.clone(),
                clocks: theirs,
            });
            payload["to_agency"] = serde_json::json!(to_agency);
        }
        ActionBody::Close { outcome: o, .. } => {
            clocks::stop_all(&mut clocks, now);
            outcome = Some(*o);
            payload["outcome"] = serde_json::json!(o);
        }
        ActionBody::Refuse { .. } => clocks::stop_all(&mut clocks, now),
        ActionBody::Supplement { .. } | ActionBody::DenyExtension { .. } => {}
    }
    clocks::refresh(&state.calendar.current(), procedures, &mut clocks, now)?;
    Ok(CaseUpdate {
        case_number: case.case_number.clone(),
        expected_version: case.version,
        state: next,
        agency,
        outcome,
        clocks,
        supervised,
        // 立案 credits the case to the officer who opened it.
        officer: (body.action() == Action::Open).then(|| caller.principal.username.clone()),
        added_evidence: Vec::new(),
        event: NewEvent {
            actor: caller.actor(),
            kind: body.action().key().to_string(),
            payload,
            reason: body.reason().map(|r| r.trim().to_string()),
        },
        at: now,
        linked,
    })
}

/// An extension asked for or approved after the period ran out is refused (legal-deadlines.md
/// §8.2): the case is late and stays late in the on-time report.
fn refuse_expired(
    procedures: &kuaiwei_deadlines::Procedures,
    clocks: &[StoredClock],
    now: Timestamp,
) -> Result<(), AppError> {
    let expired = clocks::expired_extendable(procedures, clocks, now);
    let Some(c) = expired.first() else {
        return Ok(());
    };
    let due = c
        .due_at
        .map(|d| {
            d.to_zoned(kuaiwei_deadlines::shanghai())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default();
    Err(AppError::StateConflict {
        code: "period_expired",
        zh: format!(
            "{} 时限已于 {due} 届满，期限届满后不得延长；本案按超期计",
            c.procedure_id
        ),
        en: format!(
            "the {} period ran out at {due}; an expired period cannot be extended, and the case counts as late",
            c.procedure_id
        ),
    })
}

/// Checks an agency key named in a request (`path` names the field in the error).
pub fn known_agency(key: &str, path: &str) -> Result<(), AppError> {
    routing::agency(key, path).map(|_| ())
}

/// A supplement request names 1-30 missing items of at most 200 characters each.
fn check_missing(missing: &[String]) -> Result<(), AppError> {
    if missing.is_empty() {
        return Err(AppError::field(
            "missing",
            "nothing_missing",
            "材料齐全，无需补正；如确需补正请列明所缺材料",
            "the completeness check finds nothing missing; list what is missing to ask anyway",
        ));
    }
    if missing.len() > 30
        || missing
            .iter()
            .any(|m| m.trim().is_empty() || m.chars().count() > 200)
    {
        return Err(AppError::field(
            "missing",
            "invalid_list",
            "所缺材料最多30项，每项1至200字",
            "list 1-30 missing items of 1-200 characters each",
        ));
    }
    Ok(())
}

/// When the materials the case was accepted on were received: the filing, or the last
/// supplement (补正) that arrived since. The fair hand-over F1 runs from there (展会办法 Art. 11,
/// "自收到符合本办法第八条规定的投诉材料之日起24小时内"; legal-deadlines.md §8.4), never from the
/// acceptance itself, so a slow triage cannot lengthen the statutory 24 hours.
async fn materials_received_at(state: &AppState, case: &CaseRecord) -> Result<Timestamp, AppError> {
    let events = state.store.case_events(case.case_number.as_str()).await?;
    Ok(events
        .iter()
        .filter(|e| e.kind == Action::Supplement.key())
        .map(|e| e.at)
        .max()
        .unwrap_or(case.received_at)
        .max(case.received_at))
}
/// The amount of the pending extension request.
async fn requested_extension(state: &AppState, case: &CaseRecord) -> Result<Amount, AppError> {
    let events = state.store.case_events(case.case_number.as_str()).await?;
    let amount = events
        .iter()
        .rev()
        .find(|e| e.kind == "request_extension")
        .and_then(|e| serde_json::from_str::<serde_json::Value>(&e.payload).ok())
        .and_then(|p| p["amount"].as_str().and_then(|a| a.parse::<Amount>().ok()));
    amount.ok_or_else(|| AppError::Internal("approved extension without a request".into()))
}
