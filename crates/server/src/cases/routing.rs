//! Routing a case: the rules' decision (every authority the complaint's rights need, the rule
//! and why for each, the facts used and the figures compared), or the caseworker's override of
//! the case's own authority, which must give a reason. All of it is recorded in the event; each
//! other authority gets a linked case.

use jiff::Timestamp;
use kuaiwei_cases::AlsoRoute;
use kuaiwei_domain::input::{AmountsInput, FactsInput};
use kuaiwei_routing::{Agency, Routing, RoutingInput};
use kuaiwei_store::CaseRecord;
use serde_json::{Value, json};

use crate::{AppError, AppState};

pub struct Decided {
    pub agency: String,
    pub procedures: Vec<String>,
    /// What the rules said and whether the caseworker overrode it, for the audit event.
    pub rule: Value,
    /// The other authorities, each opening a linked case.
    pub also: Vec<AlsoRoute>,
}

/// A caseworker's facts and amounts for the rules, given with the route step.
#[derive(Debug, Clone, Default)]
pub struct GivenFacts {
    pub facts: Option<FactsInput>,
    pub amounts: Option<AmountsInput>,
}

/// An agency key, or a 422 naming the known ones.
pub fn agency(key: &str, path: &str) -> Result<Agency, AppError> {
    Ok(kuaiwei_cases::step::agency(key, path)?)
}

/// The rules' answer for the case's complaint, with the caseworker's facts when given.
pub async fn rules_for(
    state: &AppState,
    viewer: &kuaiwei_access::Principal,
    case: &CaseRecord,
    given: &GivenFacts,
    now: Timestamp,
) -> Result<(Routing, bool), AppError> {
    let record = state
        .store
        .complaint_of_case(case.case_number.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    let today = kuaiwei_deadlines::local_date(now);
    let repeat = super::triage::respondent_of(state, viewer, case.respondent_id, now)
        .await?
        .is_some_and(|r| r.repeat_infringer);
    let filed_on = kuaiwei_deadlines::local_date(record.received_at);
    let mut input = RoutingInput::from_complaint(&record.complaint, repeat, None, filed_on, today);
    if given.facts.is_some() || given.amounts.is_some() {
        let (facts, amounts) = kuaiwei_domain::validate_facts(
            &record.complaint,
            given.facts.clone(),
            given.amounts.clone(),
            today,
        )?;
        input = input.with_facts(&record.complaint.rights, &facts, &amounts);
    }
    Ok((state.rules.route_all(&input), repeat))
}

/// What the route step asks for: an agency and procedures (an override), its reason, and the
/// caseworker's facts.
pub struct Asked<'a> {
    pub agency: Option<&'a str>,
    pub procedures: Option<&'a [String]>,
    pub reason: Option<&'a str>,
    pub given: &'a GivenFacts,
}

pub async fn decide(
    state: &AppState,
    viewer: &kuaiwei_access::Principal,
    case: &CaseRecord,
    asked: &Asked<'_>,
    now: Timestamp,
) -> Result<Decided, AppError> {
    let (asked_agency, asked_procedures, reason, given) =
        (asked.agency, asked.procedures, asked.reason, asked.given);
    let (routing, repeat) = rules_for(state, viewer, case, given, now).await?;
    let suggestion = routing.primary();
    let mut said = match &suggestion {
        Ok(r) => json!({
            "rule_id": r.rule_id, "agency": r.agency.key(), "procedures": r.procedures,
            "reason_zh": r.reason_zh, "reason_en": r.reason_en, "legal_basis": r.legal_basis,
            "rights": r.rights, "compared": r.compared,
        }),
        Err(no) => json!({
            "rule_id": no.rule_id, "manual_triage": true, "procedures": no.procedures,
            "reason_zh": no.reason_zh, "reason_en": no.reason_en, "legal_basis": no.legal_basis,
        }),
    };
    // the rest of the decision: the other authorities, what is left to a caseworker, the
    // amounts a supervisor must weigh, and the facts the rules looked at
    said["also"] = json!(routing.routes.get(1..).unwrap_or_default());
    said["unrouted"] = json!(routing.unrouted);
    said["reviews"] = json!(routing.reviews);
    said["facts"] = json!(routing.facts);
    let (to, procedures) = match (asked_agency, asked_procedures, &suggestion) {
        (None, None, Ok(r)) => (r.agency, r.procedures.clone()),
        (None, None, Err(no)) => {
            return Err(AppError::field(
                "agency",
                "manual_triage",
                format!(
                    "路由规则无法自动分派：{}；请指定主管部门和程序",
                    no.reason_zh
                ),
                format!(
                    "the routing rules cannot decide: {}; name the agency and procedures",
                    no.reason_en
                ),
            ));
        }
        (None, Some(_), _) => {
            return Err(AppError::field(
                "agency",
                "required",
                "指定程序时须同时指定主管部门",
                "name the agency with the procedures",
            ));
        }
        (Some(a), ids, _) => {
            let a = agency(a, "agency")?;
            let ids = match (ids, &suggestion) {
                (Some(ids), _) => ids.to_vec(),
                (None, Ok(r)) if r.agency == a => r.procedures.clone(),
                (None, _) => {
                    return Err(AppError::field(
                        "procedures",
                        "required",
                        "改派其他部门时须指定程序",
                        "name the procedures when routing to another agency than the rules",
                    ));
                }
            };
            (a, ids)
        }
    };
    if procedures.is_empty() {
        return Err(AppError::field(
            "procedures",
            "required",
            "请至少指定一个程序",
            "name at least one procedure",
        ));
    }
    let overridden = match &suggestion {
        Ok(r) => r.agency != to || r.procedures != procedures,
        Err(_) => true,
    };
    if overridden && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(AppError::field(
            "reason",
            "override_reason_required",
            "与路由规则的结论不同，须说明理由",
            "this differs from what the routing rules decide: give a reason",
        ));
    }
    // the other authorities open linked cases on the first route as the rules decide it; a
    // caseworker who overrides decides for the whole complaint, and a re-route moves this case
    let also = if overridden || case.agency.is_some() {
        Vec::new()
    } else {
        routing.routes[1..]
            .iter()
            .map(|r| AlsoRoute {
                agency: r.agency.key().to_string(),
                procedures: r.procedures.clone(),
                record: json!({
                    "rule_id": r.rule_id,
                    "rights": r.rights,
                    "reason_zh": r.reason_zh,
                    "reason_en": r.reason_en,
                    "legal_basis": r.legal_basis,
                    "transfer_to_police": r.transfer_to_police,
                    "compared": r.compared,
                }),
            })
            .collect()
    };
    Ok(Decided {
        agency: to.key().to_string(),
        procedures,
        rule: json!({
            "suggested": said,
            "override": overridden,
            "repeat_infringer": repeat,
            "facts_given": given.facts.is_some() || given.amounts.is_some(),
        }),
        also,
    })
}
