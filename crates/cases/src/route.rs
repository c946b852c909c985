//! The route step's decision, pure: the rules' answer for the complaint ([`Routing`]), or the
//! caseworker's override of the case's own authority, which must give a reason. What the rules
//! said, whether it was overridden and the facts used all go into the event; each other
//! authority of a first route gets a linked case.

use kuaiwei_routing::{Agency, Routing};
use serde_json::json;

use crate::CaseError;
use crate::plan::{AlsoRoute, RouteDecision};

/// What the route step asks for besides the rules: an agency and procedures (an override), its
/// reason, and whether the caseworker gave facts or amounts of their own.
#[derive(Debug, Clone, Default)]
pub struct Asked<'a> {
    pub agency: Option<Agency>,
    pub procedures: Option<&'a [String]>,
    pub reason: Option<&'a str>,
    pub facts_given: bool,
}

/// The decision for a case routed for the first time (`already_routed` false) or again, from
/// the rules' answer and what the caseworker asked.
pub fn decide(
    routing: &Routing,
    asked: &Asked<'_>,
    already_routed: bool,
    repeat_infringer: bool,
) -> Result<RouteDecision, CaseError> {
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
    let (to, procedures) = match (asked.agency, asked.procedures, &suggestion) {
        (None, None, Ok(r)) => (r.agency, r.procedures.clone()),
        (None, None, Err(no)) => {
            return Err(CaseError::field(
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
            return Err(CaseError::field(
                "agency",
                "required",
                "指定程序时须同时指定主管部门",
                "name the agency with the procedures",
            ));
        }
        (Some(a), ids, _) => {
            let ids = match (ids, &suggestion) {
                (Some(ids), _) => ids.to_vec(),
                (None, Ok(r)) if r.agency == a => r.procedures.clone(),
                (None, _) => {
                    return Err(CaseError::field(
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
        return Err(CaseError::field(
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
    if overridden && asked.reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(CaseError::field(
            "reason",
            "override_reason_required",
            "与路由规则的结论不同，须说明理由",
            "this differs from what the routing rules decide: give a reason",
        ));
    }
    // the other authorities open linked cases on the first route as the rules decide it; a
    // caseworker who overrides decides for the whole complaint, and a re-route moves this case
    let also = if overridden || already_routed {
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
    Ok(RouteDecision {
        agency: to.key().to_string(),
        procedures,
        rule: json!({
            "suggested": said,
            "override": overridden,
            "repeat_infringer": repeat_infringer,
            "facts_given": asked.facts_given,
        }),
        also,
    })
}
