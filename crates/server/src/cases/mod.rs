//! The case service: checks a step against the life-cycle, derives the clocks it starts, pauses,
//! extends or stops, and writes state, clocks and audit event together. Handlers call [`act`]
//! and [`view`]; who may act is decided by the access-control layer (not yet built): for now
//! the actor is named in the request.

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

pub use recompute::{Recomputed, recompute_open_cases};
pub use triage::TriageConfig;
pub use view::{CaseView, view};

use crate::{AppError, AppState};

/// One step on a case, as sent to `POST /api/v1/cases/{case_number}/actions`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum ActionBody {
    /// 补正: ask the complainant for missing materials. Without `missing`, the request lists
    /// what the completeness check finds missing.
    RequestSupplement {
        actor: String,
        reason: String,
        missing: Option<Vec<String>>,
    },
    /// The complainant's supplement arrived.
    Supplement {
        actor: String,
        reason: Option<String>,
    },
    Accept {
        actor: String,
        reason: Option<String>,
    },
    Refuse {
        actor: String,
        reason: String,
    },
    /// Send the case to an agency with the procedures whose clocks it must keep. Without
    /// `agency`, the routing rules decide (and say which rule and why); naming another agency or
    /// other procedures than the rules would is an override and needs a reason. Re-routing
    /// states whether the clocks restart or continue.
    Route {
        actor: String,
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
        actor: String,
        reason: Option<String>,
    },
    /// 中止; `kind` is an excluded-period kind (default `suspension`).
    Suspend {
        actor: String,
        reason: String,
        kind: Option<String>,
    },
    Resume {
        actor: String,
        reason: Option<String>,
    },
    /// Ask a supervisor to extend, e.g. `1m` or `30d`.
    RequestExtension {
        actor: String,
        reason: String,
        amount: String,
    },
    ApproveExtension {
        actor: String,
        reason: Option<String>,
    },
    DenyExtension {
        actor: String,
        reason: String,
    },
    /// Transfer to another agency (e.g. `police`); the receiving side gets a linked case.
    Transfer {
        actor: String,
        reason: String,
        to_agency: String,
        /// Clocks of the receiving side (default for police: T3, 3 days to decide to open).
        procedures: Option<Vec<String>>,
    },
    Close {
        actor: String,
        reason: Option<String>,
        outcome: Outcome,
    },
    /// 挂牌督办: mark a major case for supervision (any open state; the state is unchanged).
    Supervise {
        actor: String,
        reason: String,
    },
    /// Lift the supervision mark.
    Unsupervise {
        actor: String,
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

    fn actor_and_reason(&self) -> (&str, Option<&str>) {
        use ActionBody::*;
        match self {
            RequestSupplement { actor, reason, .. }
            | Refuse { actor, reason }
            | Suspend { actor, reason, .. }
            | RequestExtension { actor, reason, .. }
            | DenyExtension { actor, reason }
            | Transfer { actor, reason, .. }
            | Supervise { actor, reason }
            | Unsupervise { actor, reason } => (actor, Some(reason)),
            Supplement { actor, reason }
            | Accept { actor, reason }
            | Route { actor, reason, .. }
            | Open { actor, reason }
            | Resume { actor, reason }
            | ApproveExtension { actor, reason }
            | Close { actor, reason, .. } => (actor, reason.as_deref()),
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

/// Applies one step and returns the case as it now stands.
pub async fn act(state: &AppState, number: &str, body: ActionBody) -> Result<CaseView, AppError> {
    let (actor, reason) = body.actor_and_reason();
    required_text("actor", actor)?;
    match reason {
        // Steps whose reason is a required field must give one; an optional one is bounded.
        Some(r) if body.reason_required() => required_text("reason", r)?,
        Some(r) if r.chars().count() > 2000 => required_text("reason", "")?,
        _ => {}
    }
    let case = state.store.case(number).await?.ok_or(AppError::NotFound)?;
    let outcome = match &body {
        ActionBody::Close { outcome, .. } => Some(*outcome),
        _ => None,
    };
    let next = transition(case.state, body.action(), outcome).map_err(|mut e| {
        e.allowed = allowed(&case);
        AppError::IllegalAction(e)
    })?;
    let now = state.clock.now();
    let update = plan(state, &case, next, &body, now).await?;
    match state.store.update_case(update).await {
        Ok(_) => {}
        Err(StoreError::VersionConflict) => return Err(AppError::Conflict),
        Err(e) => return Err(e.into()),
    }
    view(state, number).await
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
            let accepted_at = accepted_at(state, case).await?;
            let mut new = Vec::with_capacity(ids.len());
            for id in ids {
                let p = clocks::procedure(procedures, id)?;
                let kept = keep
                    .then(|| clocks.iter().find(|c| c.procedure_id == p.id))
                    .flatten();
                new.push(match kept {
                    Some(c) => c.clone(),
                    None if p.id == clocks::HANDOVER => {
                        let mut c =
                            clocks::new_clock(&p.id, Some(accepted_at.unwrap_or(case.received_at)));
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
            let a: Amount = amount
                .parse()
                .map_err(|e: kuaiwei_deadlines::AmountParseError| {
                    let t = e.to_string();
                    let (zh, en) = t.split_once(" / ").unwrap_or((&t, &t));
                    AppError::field("amount", "period_format", zh, en)
                })?;
            payload["amount"] = serde_json::json!(a.to_string());
        }
        ActionBody::ApproveExtension { actor, .. } => {
            let amount = requested_extension(state, case).await?;
            let ext = Extension {
                approved_at: now,
                approver: actor.clone(),
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
            clocks::refresh(&state.calendar, procedures, &mut theirs, now)?;
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
        ActionBody::Supplement { .. }
        | ActionBody::Accept { .. }
        | ActionBody::DenyExtension { .. } => {}
    }
    clocks::refresh(&state.calendar, procedures, &mut clocks, now)?;
    let (actor, reason) = body.actor_and_reason();
    Ok(CaseUpdate {
        case_number: case.case_number.clone(),
        expected_version: case.version,
        state: next,
        agency,
        outcome,
        clocks,
        supervised,
        // 立案 credits the case to the officer who opened it.
        officer: (body.action() == Action::Open).then(|| actor.trim().to_string()),
        added_evidence: Vec::new(),
        event: NewEvent {
            actor: actor.trim().to_string(),
            kind: body.action().key().to_string(),
            payload,
            reason: reason.map(|r| r.trim().to_string()),
        },
        at: now,
        linked,
    })
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

/// When the case was last accepted (complete materials): the fair hand-over clock starts there.
async fn accepted_at(state: &AppState, case: &CaseRecord) -> Result<Option<Timestamp>, AppError> {
    let events = state.store.case_events(case.case_number.as_str()).await?;
    Ok(events
        .iter()
        .rev()
        .find(|e| e.kind == "accept")
        .map(|e| e.at))
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
