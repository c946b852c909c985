//! Routing a case: the rules' decision (agency, procedures, the rule and why), or the
//! caseworker's override of it, which must give a reason. Both are recorded in the event.

use jiff::Timestamp;
use kuaiwei_routing::{Agency, RoutingInput};
use kuaiwei_store::CaseRecord;
use serde_json::{Value, json};

use crate::{AppError, AppState};

pub struct Decided {
    pub agency: String,
    pub procedures: Vec<String>,
    /// What the rules said and whether the caseworker overrode it, for the audit event.
    pub rule: Value,
}

/// An agency key, or a 422 naming the known ones.
pub fn agency(key: &str, path: &str) -> Result<Agency, AppError> {
    Ok(kuaiwei_cases::step::agency(key, path)?)
}

pub async fn decide(
    state: &AppState,
    viewer: &kuaiwei_access::Principal,
    case: &CaseRecord,
    asked_agency: Option<&str>,
    asked_procedures: Option<&[String]>,
    reason: Option<&str>,
    now: Timestamp,
) -> Result<Decided, AppError> {
    let record = state
        .store
        .complaint_of_case(case.case_number.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    let today = kuaiwei_deadlines::local_date(now);
    let repeat = super::triage::respondent_of(state, viewer, case.respondent_id, now)
        .await?
        .is_some_and(|r| r.repeat_infringer);
    let input = RoutingInput::from_complaint(&record.complaint, repeat, None, today);
    let suggestion = state.rules.route(&input);
    let said = match &suggestion {
        Ok(r) => json!({
            "rule_id": r.rule_id, "agency": r.agency.key(), "procedures": r.procedures,
            "reason_zh": r.reason_zh, "reason_en": r.reason_en, "legal_basis": r.legal_basis,
        }),
        Err(no) => json!({
            "rule_id": no.rule_id, "manual_triage": true, "procedures": no.procedures,
            "reason_zh": no.reason_zh, "reason_en": no.reason_en, "legal_basis": no.legal_basis,
        }),
    };
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
    Ok(Decided {
        agency: to.key().to_string(),
        procedures,
        rule: json!({"suggested": said, "override": overridden, "repeat_infringer": repeat}),
    })
}
