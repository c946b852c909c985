//! The case service: every front end (API, pages, command line, jobs) takes a step through it.
//! It loads what the step's pure [`plan`](crate::plan) needs (the materials still missing, the
//! routing decision with the repeat-infringer finding, the acceptance time and the pending
//! extension from the case's typed record), asks the plan and writes the result in one
//! transaction. Who may take the step is the caller's business (the server checks the
//! session's permissions first); the service takes the actor as given.

use std::sync::Arc;

use jiff::Timestamp;
use kuaiwei_deadlines::Procedures;
use kuaiwei_domain::input::{AmountsInput, FactsInput};
use kuaiwei_domain::{Action, transition};
use kuaiwei_routing::completeness::{MaterialKind, Missing, missing_materials};
use kuaiwei_routing::{Routing, RoutingInput, RuleSet};
use kuaiwei_store::{CaseRecord, CaseUpdate, ComplaintRecord, EvidenceRef, NewEvent, Store};

use crate::rules::RepeatRule;
use crate::step::{Reason, Step};
use crate::time::{Clock, SharedCalendar};
use crate::{CaseError, Context, RouteDecision, route, tell};

/// The case core with what it reads and writes through.
#[derive(Clone)]
pub struct CaseService {
    pub store: Arc<dyn Store>,
    pub procedures: Arc<Procedures>,
    pub rules: Arc<RuleSet>,
    pub calendar: SharedCalendar,
    pub clock: Clock,
    /// When a respondent is a repeat infringer (`[triage]` in the config, else the bundled
    /// `data/case_rules.toml`).
    pub repeat: RepeatRule,
    /// The channels staff are told on (`[notify]`); none: no step writes a message to staff.
    pub staff_channels: kuaiwei_notify::StaffChannels,
}

/// Who takes a step.
#[derive(Debug, Clone)]
pub struct Actor {
    /// `role:name`, as the audit event records it.
    pub actor: String,
    /// The account name, credited as the officer when the step opens the case (立案).
    pub username: String,
}

/// A caseworker's facts and amounts for the routing rules, given with the route step in place
/// of the complaint's (validated as at filing, recorded in the event).
#[derive(Debug, Clone, Default)]
pub struct GivenFacts {
    pub facts: Option<FactsInput>,
    pub amounts: Option<AmountsInput>,
}

impl GivenFacts {
    pub fn any(&self) -> bool {
        self.facts.is_some() || self.amounts.is_some()
    }
}

/// The material kinds held for a complaint: its evidence tags.
pub fn materials_held(record: &ComplaintRecord) -> Vec<MaterialKind> {
    let mut kinds: Vec<MaterialKind> = record
        .evidence
        .iter()
        .filter_map(|e| MaterialKind::from_key(&e.material))
        .collect();
    kinds.sort();
    kinds.dedup();
    kinds
}

/// What the complainant is told of a step, if anything: a supplement request (what and why),
/// the route (to whom), the opening, a refusal (why) and the closing (how).
pub fn notice_of(step: &Step, update: &CaseUpdate) -> Option<kuaiwei_notify::Notice> {
    use kuaiwei_notify::Notice;
    match step {
        Step::RequestSupplement { reason, .. } => Some(Notice::SupplementRequested {
            missing: update.event.payload["missing"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|m| m.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            reason: reason.as_str().to_string(),
        }),
        Step::Route { .. } => update
            .agency
            .clone()
            .map(|agency| Notice::Routed { agency }),
        Step::Open { .. } => Some(Notice::Opened),
        Step::Refuse { reason } => Some(Notice::Refused {
            reason: reason.as_str().to_string(),
        }),
        Step::Close { outcome, .. } => Some(Notice::Closed { outcome: *outcome }),
        _ => None,
    }
}

/// The state a complainant's supplement moves `case` to, or the refusal when the case is not
/// waiting for one (checked before any file is kept).
pub fn supplement_awaited(case: &CaseRecord) -> Result<kuaiwei_domain::CaseState, CaseError> {
    transition(case.state, Action::Supplement, None).map_err(|_| {
        CaseError::conflict(
            "no_supplement_requested",
            "本案当前未要求补正材料，无需提交",
            "this case is not waiting for a supplement",
        )
    })
}

impl CaseService {
    /// Takes `step` on `case` (as the caller read it) by `by`; the case's version guards
    /// against a step taken meanwhile (`Store(VersionConflict)`).
    pub async fn take(
        &self,
        case: &CaseRecord,
        step: &Step,
        given: &GivenFacts,
        by: &Actor,
    ) -> Result<(), CaseError> {
        let next = transition(case.state, step.action(), step.outcome()).map_err(|mut e| {
            e.allowed = crate::allowed(case, &self.procedures);
            CaseError::Illegal(e)
        })?;
        let now = self.clock.now();
        let mut update = self.plan(case, next, step, given, by, now).await?;
        // whoever the filing's receipt went to is told of the step, in its language, by the
        // outbox in the step's own transaction
        if let Some(notice) = notice_of(step, &update) {
            let sent = self.store.case_messages(case.case_number.as_str()).await?;
            update.messages = kuaiwei_notify::follow_up(&sent, &notice);
        }
        // and the staff it concerns: the supervisors a request waits for, the officer who asked
        update
            .messages
            .extend(self.tell_staff(case, step, by).await?);
        self.store.update_case(update).await?;
        Ok(())
    }

    /// The messages to staff of `step` on `case` by `by` ([`crate::tell`]).
    async fn tell_staff(
        &self,
        case: &CaseRecord,
        step: &Step,
        by: &Actor,
    ) -> Result<Vec<kuaiwei_store::NewMessage>, CaseError> {
        if !self.staff_channels.any() || !tell::tells_staff(step) {
            return Ok(Vec::new());
        }
        let accounts = self.store.accounts().await?;
        let actor = accounts.iter().find(|a| a.username == by.username);
        let name = kuaiwei_notify::staff::who(actor, &by.username);
        let Some((notice, audience)) = tell::staff_notice(step, case, &name) else {
            return Ok(Vec::new());
        };
        Ok(tell::staff_messages(
            self.staff_channels,
            &notice,
            &audience,
            case.agency.as_deref(),
            &by.username,
            &accounts,
        ))
    }

    /// Loads what the step's plan needs, then asks the pure plan.
    async fn plan(
        &self,
        case: &CaseRecord,
        next: kuaiwei_domain::CaseState,
        step: &Step,
        given: &GivenFacts,
        by: &Actor,
        now: Timestamp,
    ) -> Result<CaseUpdate, CaseError> {
        let number = case.case_number.as_str();
        let missing = match step {
            Step::Accept { .. } | Step::RequestSupplement { missing: None, .. } => self
                .missing_materials(number)
                .await?
                .into_iter()
                .map(|m| m.material.key().to_string())
                .collect(),
            _ => Vec::new(),
        };
        let route = match step {
            Step::Route {
                reason,
                agency,
                procedures,
                ..
            } => Some(
                self.route_decision(
                    case,
                    &route::Asked {
                        agency: *agency,
                        procedures: procedures.as_deref(),
                        reason: reason.as_ref().map(Reason::as_str),
                        facts_given: given.any(),
                    },
                    given,
                    now,
                )
                .await?,
            ),
            _ => None,
        };
        let calendar = self.calendar.current();
        let cx = Context {
            case,
            next,
            now,
            actor: by.actor.clone(),
            username: by.username.clone(),
            calendar: &calendar,
            procedures: &self.procedures,
            missing,
            materials_received_at: case.materials_received_at,
            requested_extension: case.pending_extension,
            route,
        };
        crate::plan(&cx, step)
    }

    /// The materials the complaint of case `number` still lacks, with their legal basis.
    pub async fn missing_materials(&self, number: &str) -> Result<Vec<Missing>, CaseError> {
        let record = self
            .store
            .complaint_of_case(number)
            .await?
            .ok_or(CaseError::NotFound)?;
        Ok(missing_materials(
            &record.complaint,
            &materials_held(&record),
        ))
    }

    /// Whether the respondent `id` is a repeat infringer as of `now` (over all its cases: the
    /// finding is the law's, whoever reads it).
    pub async fn repeat_infringer(
        &self,
        id: Option<i64>,
        now: Timestamp,
    ) -> Result<bool, CaseError> {
        let Some(id) = id else {
            return Ok(false);
        };
        Ok(self.store.respondent(id).await?.is_some_and(|r| {
            self.repeat
                .is_repeat(self.repeat.upheld(&r.cases, now).count())
        }))
    }

    /// The rules' answer for the case's complaint, with the caseworker's facts when given, and
    /// whether the respondent is a repeat infringer.
    pub async fn routing_for(
        &self,
        case: &CaseRecord,
        given: &GivenFacts,
        now: Timestamp,
    ) -> Result<(Routing, bool), CaseError> {
        let record = self
            .store
            .complaint_of_case(case.case_number.as_str())
            .await?
            .ok_or(CaseError::NotFound)?;
        let today = kuaiwei_deadlines::local_date(now);
        let repeat = self.repeat_infringer(case.respondent_id, now).await?;
        let filed_on = kuaiwei_deadlines::local_date(record.received_at);
        let mut input =
            RoutingInput::from_complaint(&record.complaint, repeat, None, filed_on, today);
        if given.any() {
            let (facts, amounts) = kuaiwei_domain::validate_facts(
                &record.complaint,
                given.facts.clone(),
                given.amounts.clone(),
                today,
            )
            .map_err(CaseError::Invalid)?;
            input = input.with_facts(&record.complaint.rights, &facts, &amounts);
        }
        Ok((self.rules.route_all(&input), repeat))
    }

    async fn route_decision(
        &self,
        case: &CaseRecord,
        asked: &route::Asked<'_>,
        given: &GivenFacts,
        now: Timestamp,
    ) -> Result<RouteDecision, CaseError> {
        let (routing, repeat) = self.routing_for(case, given, now).await?;
        route::decide(&routing, asked, case.agency.is_some(), repeat)
    }

    /// The complainant's supplement (补正) to a case that asked for one: `added` (already kept
    /// by the evidence store) joins the complaint, the case goes back to `received`, and the
    /// event names what arrived. The materials the acceptance relies on are those of now.
    pub async fn complainant_supplement(
        &self,
        case: &CaseRecord,
        added: Vec<EvidenceRef>,
        note: Option<String>,
    ) -> Result<(), CaseError> {
        let next = supplement_awaited(case)?;
        let now = self.clock.now();
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
            // what arrived is the materials the acceptance will rely on (F1, §8.4)
            materials_received_at: Some(now),
            pending_extension: kuaiwei_store::PendingExtension::Keep,
            transfer_proposed_by: None,
            event: NewEvent {
                actor: kuaiwei_store::plan::RECEIVED_ACTOR.into(),
                kind: Action::Supplement.key().into(),
                payload,
                reason: None,
            },
            at: now,
            linked: Vec::new(),
            messages: Vec::new(),
        };
        self.store.update_case(update).await?;
        Ok(())
    }
}
