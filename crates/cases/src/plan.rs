//! The pure decision of a step: from the case, what was loaded for it and `now`, the update to
//! write (state, agency, outcome, clocks, supervision, the officer credited, the audit event and
//! a linked case). No I/O: the caller loads the [`Context`] and writes the result.

use jiff::Timestamp;
use kuaiwei_deadlines::{Amount, Calendar, Extension, ExtensionGrant, Procedures};
use kuaiwei_domain::{CaseState, Outcome};
use kuaiwei_routing::MaterialKind;
use kuaiwei_store::{CaseRecord, CaseUpdate, LinkedCase, NewEvent, PendingExtension, StoredClock};
use serde_json::json;

use crate::CaseError;
use crate::clocks;
use crate::rules::{self, CaseRules};
use crate::step::{ClockPolicy, Step};

/// What the routing rules decided (or the caseworker's override of them), loaded for a route.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteDecision {
    pub agency: String,
    pub procedures: Vec<String>,
    /// What the rules said and whether the caseworker overrode it, for the audit event.
    pub rule: serde_json::Value,
    /// The other authorities the complaint's rights need: each gets a linked case.
    pub also: Vec<AlsoRoute>,
}

/// Another authority of a multi-authority route, with its clocks and what its linked case's
/// first event records (the rule, the rights, why).
#[derive(Debug, Clone, PartialEq)]
pub struct AlsoRoute {
    pub agency: String,
    pub procedures: Vec<String>,
    pub record: serde_json::Value,
}

/// Everything a step's plan depends on besides the step itself.
pub struct Context<'a> {
    pub case: &'a CaseRecord,
    /// The state the life-cycle moves the case to (`kuaiwei_domain::transition`).
    pub next: CaseState,
    pub now: Timestamp,
    /// Who takes the step, `role:name` (the audit event's actor, an extension's approver).
    pub actor: String,
    /// The account name credited as the case's officer when the step opens it (立案).
    pub username: String,
    pub calendar: &'a Calendar,
    pub procedures: &'a Procedures,
    /// The materials the completeness check still finds missing (accept, request_supplement).
    pub missing: Vec<String>,
    /// When the materials the acceptance relies on were received: the filing or the last
    /// supplement (the start of the fair hand-over F1, §8.4).
    pub materials_received_at: Timestamp,
    /// The amount of the pending extension request (approve_extension).
    pub requested_extension: Option<Amount>,
    /// The routing decision (route).
    pub route: Option<RouteDecision>,
}

/// The steps allowed on `case`: the life-cycle's, with only the supervision mark that applies,
/// a transfer proposed once and approved while its report's clock runs, and a transfer accepted
/// only on a linked case whose T3 still waits.
pub fn allowed(case: &CaseRecord, procedures: &Procedures) -> Vec<kuaiwei_domain::Action> {
    use kuaiwei_domain::Action;
    let r = rules::bundled();
    let has = |id: &str| case.clocks.iter().find(|c| c.procedure_id == id);
    Action::allowed_from(case.state)
        .into_iter()
        .filter(|a| match a {
            Action::Supervise => !case.supervised,
            Action::Unsupervise => case.supervised,
            // one report per case (a case keeps one clock of each procedure): after a refusal,
            // new facts go to the head as a `transfer` of their own
            Action::ProposeTransfer => has(&r.transfer_report.proposal).is_none(),
            Action::ApproveTransfer | Action::DenyTransfer => case
                .clocks
                .iter()
                .any(|c| c.procedure_id == r.transfer_report.proposal && clocks::is_running(c)),
            Action::AcceptTransfer => {
                case.parent.is_some()
                    && case
                        .clocks
                        .iter()
                        .any(|c| c.started_at.is_none() && waits_for(r, procedures, c, *a))
            }
            _ => true,
        })
        .collect()
}

/// Whether `c` has not started because it waits for `step` (`data/case_rules.toml`).
fn waits_for(
    r: &CaseRules,
    procedures: &Procedures,
    c: &StoredClock,
    step: kuaiwei_domain::Action,
) -> bool {
    procedures
        .get(&c.procedure_id)
        .is_some_and(|p| r.started_by(p, step))
}

/// The update a step makes, or why it is refused.
pub fn plan(cx: &Context<'_>, step: &Step) -> Result<CaseUpdate, CaseError> {
    let case = cx.case;
    let procedures = cx.procedures;
    let r = rules::bundled();
    let now = cx.now;
    let mut clocks: Vec<StoredClock> = case.clocks.clone();
    let mut agency = case.agency.clone();
    let mut outcome = case.outcome;
    let mut linked = Vec::new();
    let mut supervised = case.supervised;
    let mut payload = json!({"from": case.state.key(), "to": cx.next.key()});
    match step {
        Step::Accept { reason } => {
            // 展会办法 Art. 11: F1 runs from the receipt of complete materials (§8.4); accepting
            // while some are still missing is the caseworker's call, and needs its reason
            if !cx.missing.is_empty() && reason.is_none() {
                return Err(CaseError::field(
                    "reason",
                    "required",
                    format!(
                        "材料尚不齐全（缺：{}），受理须说明理由",
                        material_names(&cx.missing, MaterialKind::zh).join("、")
                    ),
                    format!(
                        "materials are still missing ({}): accepting needs a reason",
                        material_names(&cx.missing, MaterialKind::en).join(", ")
                    ),
                ));
            }
            if !cx.missing.is_empty() {
                payload["missing"] = json!(cx.missing);
            }
        }
        Step::RequestSupplement { missing, .. } => {
            let missing = missing.clone().unwrap_or_else(|| cx.missing.clone());
            check_missing(&missing)?;
            payload["missing"] = json!(missing);
        }
        Step::Supervise { .. } | Step::Unsupervise { .. } => {
            let on = matches!(step, Step::Supervise { .. });
            if on == case.supervised {
                return Err(CaseError::field(
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
        Step::Route { clock, .. } => {
            let decided = cx.route.as_ref().ok_or_else(|| {
                CaseError::field(
                    "agency",
                    "no_route",
                    "路由规则未能确定主管部门，请指定",
                    "the routing rules decided no agency; name one",
                )
            })?;
            let rerouted = case.state == CaseState::Routed;
            let keep = match (rerouted, clock) {
                (false, _) | (true, Some(ClockPolicy::Restart)) => false,
                (true, Some(ClockPolicy::Continue)) => true,
                (true, None) => {
                    return Err(CaseError::field(
                        "clock",
                        "required",
                        "重新分派时须说明时限重新计算（restart）还是继续计算（continue）",
                        "a re-route must say whether the clocks restart or continue",
                    ));
                }
            };
            let mut new = Vec::with_capacity(decided.procedures.len());
            for id in &decided.procedures {
                let p = clocks::procedure(procedures, id)?;
                let kept = keep
                    .then(|| clocks.iter().find(|c| c.procedure_id == p.id))
                    .flatten();
                new.push(match kept {
                    Some(c) => c.clone(),
                    None if p.id == r.handover.procedure => {
                        let mut c = clocks::new_clock(&p.id, Some(cx.materials_received_at));
                        c.closed_at = Some(now);
                        c
                    }
                    None if r.waits_for(p).is_some() => clocks::new_clock(&p.id, None),
                    None => clocks::new_clock(&p.id, Some(now)),
                });
            }
            clocks = new;
            agency = Some(decided.agency.clone());
            if rerouted && !decided.also.is_empty() {
                return Err(CaseError::field(
                    "agency",
                    "reroute_several",
                    "重新分派只改本案的主管部门；其他部门的关联案件已在首次分派时建立",
                    "a re-route changes this case's agency only; the other authorities' linked cases were opened by the first route",
                ));
            }
            for other in &decided.also {
                let mut theirs = Vec::with_capacity(other.procedures.len());
                for id in &other.procedures {
                    let p = clocks::procedure(procedures, id)?;
                    let start = r.waits_for(p).is_none().then_some(now);
                    theirs.push(clocks::new_clock(&p.id, start));
                }
                clocks::refresh(cx.calendar, procedures, &mut theirs, now)?;
                linked.push(LinkedCase {
                    agency: other.agency.clone(),
                    clocks: theirs,
                    event_kind: "routed_in".into(),
                    event_payload: other.record.clone(),
                });
            }
            if !decided.also.is_empty() {
                payload["also"] = json!(
                    decided
                        .also
                        .iter()
                        .map(|a| json!({"agency": a.agency, "procedures": a.procedures}))
                        .collect::<Vec<_>>()
                );
            }
            payload["agency"] = json!(decided.agency);
            payload["procedures"] = json!(decided.procedures);
            payload["rule"] = decided.rule.clone();
            if rerouted {
                payload["clock"] = json!(if keep { "continue" } else { "restart" });
            }
        }
        Step::Open { .. } => {
            for c in clocks.iter_mut() {
                let opens = waits_for(r, procedures, c, kuaiwei_domain::Action::Open);
                if opens && c.started_at.is_none() {
                    c.started_at = Some(now);
                } else if clocks::is_running(c) {
                    c.closed_at = Some(now);
                }
            }
        }
        Step::Suspend { kind, reason } => {
            let n = clocks::pause(procedures, &mut clocks, *kind, now, reason.as_str());
            payload["kind"] = json!(kind.key());
            payload["clocks_paused"] = json!(n);
        }
        Step::Resume { .. } => clocks::resume(&mut clocks, now),
        Step::RequestExtension { amount, .. } => {
            refuse_expired(procedures, &clocks, now)?;
            // asked in a unit the procedure's extensions do not use: refused now, not at approval
            if let Some((_, p)) =
                clocks::extendable(procedures, &clocks).find(|(_, p)| p.limit.unit != amount.unit)
            {
                return Err(CaseError::field(
                    "amount",
                    "extension_unit",
                    format!("{} 的期限以{}计，延长须用同一单位", p.id, p.limit.unit.zh()),
                    format!(
                        "{} counts in {}; an extension must use the same unit",
                        p.id,
                        p.limit.unit.en()
                    ),
                ));
            }
            payload["amount"] = json!(amount.to_string());
        }
        Step::ApproveExtension { .. } => {
            refuse_expired(procedures, &clocks, now)?;
            let amount = cx.requested_extension.ok_or_else(|| {
                CaseError::conflict(
                    "no_extension_requested",
                    "没有待批准的延长申请",
                    "there is no extension request to approve",
                )
            })?;
            let ext = Extension {
                approved_at: now,
                approver: cx.actor.clone(),
                grant: ExtensionGrant::Amount(amount),
            };
            let n = clocks::extend(procedures, &mut clocks, &ext);
            payload["amount"] = json!(amount.to_string());
            payload["clocks_extended"] = json!(n);
        }
        Step::Transfer {
            to,
            procedures: ids,
            ..
        } => {
            clocks::stop_all(&mut clocks, now);
            outcome = Some(Outcome::Transferred);
            // 移送规定 Art. 8: the police decide within 3 days whether to open (T3)
            let ids = ids.clone().unwrap_or_else(|| r.transfer_default(*to));
            let mut theirs = Vec::new();
            for id in &ids {
                let p = clocks::procedure(procedures, id)?;
                // T3 runs from the police's acceptance of the transfer (移送规定 Art. 8; §8.5),
                // not from the sending: it waits for the accept_transfer step on their case
                let accept = kuaiwei_domain::Action::AcceptTransfer;
                let start = (!r.started_by(p, accept)).then_some(now);
                theirs.push(clocks::new_clock(&p.id, start));
            }
            clocks::refresh(cx.calendar, procedures, &mut theirs, now)?;
            linked.push(LinkedCase::transfer(to.key(), theirs));
            payload["to_agency"] = json!(to.key());
        }
        Step::Close { outcome: o, .. } => {
            clocks::stop_all(&mut clocks, now);
            outcome = Some(*o);
            payload["outcome"] = json!(o);
        }
        Step::Refuse { .. } => clocks::stop_all(&mut clocks, now),
        Step::ProposeTransfer { .. } => {
            // 移送规定 Art. 5: the head decides within 3 days of receiving the team's report (T1)
            let proposal = &r.transfer_report.proposal;
            if clocks.iter().any(|c| &c.procedure_id == proposal) {
                return Err(CaseError::conflict(
                    "transfer_already_proposed",
                    "移送报告已呈报",
                    "a transfer has been proposed already",
                ));
            }
            let p = clocks::procedure(procedures, proposal)?;
            clocks.push(clocks::new_clock(&p.id, Some(now)));
        }
        Step::ApproveTransfer { .. } => {
            // the head's approval stops T1 and starts T2: transfer within 24 hours
            let Some(t1) = clocks
                .iter_mut()
                .find(|c| c.procedure_id == r.transfer_report.proposal && clocks::is_running(c))
            else {
                return Err(CaseError::conflict(
                    "no_transfer_proposed",
                    "尚未呈报移送报告，无可批准的移送",
                    "no transfer has been proposed to approve",
                ));
            };
            t1.closed_at = Some(now);
            let p = clocks::procedure(procedures, &r.transfer_report.approved)?;
            clocks.retain(|c| c.procedure_id != p.id);
            clocks.push(clocks::new_clock(&p.id, Some(now)));
        }
        Step::DenyTransfer { .. } => {
            // 移送规定 Art. 5: the head decides within T1 either way; a refusal stops it, its
            // reason is the event's (required), and the case goes on as an administrative one
            // (a later transfer, on new facts, is the head's `transfer` step)
            let Some(t1) = clocks
                .iter_mut()
                .find(|c| c.procedure_id == r.transfer_report.proposal && clocks::is_running(c))
            else {
                return Err(CaseError::conflict(
                    "no_transfer_proposed",
                    "尚未呈报移送报告，无可决定的移送",
                    "no transfer has been proposed to decide on",
                ));
            };
            t1.closed_at = Some(now);
        }
        Step::AcceptTransfer { .. } => {
            let waiting: Vec<&mut StoredClock> = clocks
                .iter_mut()
                .filter(|c| {
                    c.started_at.is_none()
                        && waits_for(r, procedures, c, kuaiwei_domain::Action::AcceptTransfer)
                })
                .collect();
            if case.parent.is_none() || waiting.is_empty() {
                return Err(CaseError::conflict(
                    "not_a_pending_transfer",
                    "本案不是等待接受的移送案件",
                    "this case is not a transfer waiting to be accepted",
                ));
            }
            for c in waiting {
                c.started_at = Some(now);
            }
        }
        Step::Supplement { .. } | Step::DenyExtension { .. } => {}
    }
    clocks::refresh(cx.calendar, procedures, &mut clocks, now)?;
    Ok(CaseUpdate {
        case_number: case.case_number.clone(),
        expected_version: case.version,
        state: cx.next,
        agency,
        outcome,
        clocks,
        supervised,
        // 立案 credits the case to the officer who opened it.
        officer: matches!(step, Step::Open { .. }).then(|| cx.username.clone()),
        added_evidence: Vec::new(),
        // a supplement (补正) is the materials the acceptance will rely on (§8.4)
        materials_received_at: matches!(step, Step::Supplement { .. }).then_some(now),
        pending_extension: match step {
            // who asked is told of the supervisor's decision
            Step::RequestExtension { amount, .. } => PendingExtension::Set {
                amount: *amount,
                by: cx.username.clone(),
            },
            Step::ApproveExtension { .. } | Step::DenyExtension { .. } => PendingExtension::Clear,
            _ => PendingExtension::Keep,
        },
        // who proposed is told of the head's approval
        transfer_proposed_by: matches!(step, Step::ProposeTransfer { .. })
            .then(|| cx.username.clone()),
        event: NewEvent {
            actor: cx.actor.clone(),
            kind: step.action().key().to_string(),
            payload,
            reason: step.reason().map(str::to_string),
        },
        at: now,
        linked,
        messages: Vec::new(),
    })
}

/// An extension asked for or approved after the period ran out is refused (legal-deadlines.md
/// §8.2): the case is late and stays late in the on-time report.
fn refuse_expired(
    procedures: &Procedures,
    clocks: &[StoredClock],
    now: Timestamp,
) -> Result<(), CaseError> {
    let Some((c, _)) =
        clocks::extendable(procedures, clocks).find(|(c, _)| c.due_at.is_some_and(|due| due < now))
    else {
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
    Err(CaseError::conflict(
        "period_expired",
        format!(
            "{} 时限已于 {due} 届满，期限届满后不得延长；本案按超期计",
            c.procedure_id
        ),
        format!(
            "the {} period ran out at {due}; an expired period cannot be extended, and the case counts as late",
            c.procedure_id
        ),
    ))
}

/// A supplement request names 1-30 missing items of at most 200 characters each.
/// The materials' names in one language (an unknown key as it is).
fn material_names(keys: &[String], name: fn(MaterialKind) -> &'static str) -> Vec<&str> {
    keys.iter()
        .map(|k| MaterialKind::from_key(k).map_or(k.as_str(), name))
        .collect()
}

fn check_missing(missing: &[String]) -> Result<(), CaseError> {
    if missing.is_empty() {
        return Err(CaseError::field(
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
        return Err(CaseError::field(
            "missing",
            "invalid_list",
            "所缺材料最多30项，每项1至200字",
            "list 1-30 missing items of 1-200 characters each",
        ));
    }
    Ok(())
}
