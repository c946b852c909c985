//! `/work/cases/{n}`: the case page for staff, and its steps as forms. It answers at a
//! glance what the case is, what is missing, who else is involved, what the next step is and by
//! when; it shows only the steps the reader may take, each asking only what it needs.
//!
//! Reading and every step go through the same case service as the API ([`crate::cases::view`]
//! and [`crate::cases::act`]): the same access rules (another agency's case is "not found"),
//! the same checks, the same audit events. A refusal is shown in the step's form in the page's
//! language with what was typed kept; a step taken on a case someone else changed since the
//! page was drawn is refused and the fresh case shown.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::Timestamp;
use kuaiwei_deadlines::ClockStatus;
use kuaiwei_domain::{Action, CaseState, Outcome};
use kuaiwei_routing::{Agency, MaterialKind};
use kuaiwei_store::ClockStanding;
use serde_json::Value;

use super::work::{Nav, Staff, agency_name, see_other, state_name, step_label};
use super::{Ctx, Lang, error_page, query_pairs, render};
use crate::cases::{self, ActionBody, CaseView, Personal};
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "work_case.html")]
struct CasePage {
    p: Ctx,
    nav: Nav,
    number: String,
    version: i64,
    state: &'static str,
    agency: String,
    officer: String,
    received: String,
    closed: Option<String>,
    outcome: Option<&'static str>,
    parent: Option<String>,
    supervised: bool,
    /// `masked` or `full`; whether this reader may ask for the full view.
    full: bool,
    may_read_full: bool,
    complaint: Vec<Fact>,
    evidence: Vec<EvidenceLine>,
    clocks: Vec<ClockLine>,
    triage: Option<TriagePanel>,
    timeline: Vec<EventLine>,
    messages: Vec<MessageLine>,
    steps: Vec<StepForm>,
    /// After a step: what was done. After a refusal that is not about one form: why.
    flash: Option<String>,
    alert: Option<String>,
    options: Options,
}

/// One line of the complaint as filed.
struct Fact {
    label: String,
    value: String,
}

struct EvidenceLine {
    name: String,
    material: String,
    size: String,
    detail: String,
    original: String,
    thumb: Option<String>,
    screen: Option<String>,
    exif: Option<String>,
}

struct ClockLine {
    name: String,
    basis: String,
    status: &'static str,
    status_class: &'static str,
    started: String,
    due: String,
    provisional: bool,
    explanation: Vec<String>,
    problem: Option<String>,
}

struct EventLine {
    at: String,
    what: String,
    actor: String,
    reason: String,
}

/// A message the case sent, as the staff see it (recipient masked).
struct MessageLine {
    at: String,
    what: String,
    channel: &'static str,
    to: String,
    state: &'static str,
    failed: bool,
    attempts: u32,
    detail: String,
}

/// Related cases listed on the page; the rest are counted and reached through the respondent
/// page or the API.
const RELATED_SHOWN: usize = 50;

struct TriagePanel {
    missing: Vec<MissingLine>,
    related: Vec<RelatedLine>,
    /// Related cases not listed (beyond [`RELATED_SHOWN`]).
    related_more: usize,
    related_counts: String,
    respondent: Option<RespondentLine>,
    groups: Vec<String>,
    similar: Vec<SimilarLine>,
    routing_agency: Option<String>,
    routing_procedures: String,
    routing_reason: String,
    routing_basis: String,
    routing_police: bool,
    /// The other authorities the complaint needs (linked cases on routing): agency, clocks, why.
    routing_also: Vec<(String, String, String, bool)>,
    /// Rights left to a caseworker, with why.
    routing_unrouted: Vec<String>,
    /// Amounts a supervisor must weigh for a transfer (§8.7).
    routing_reviews: Vec<String>,
    /// The facts the rules looked at.
    routing_facts: Vec<String>,
}

struct MissingLine {
    name: String,
    basis: String,
    required: bool,
}

struct RelatedLine {
    number: String,
    state: &'static str,
    received: String,
    why: String,
}

struct RespondentLine {
    id: i64,
    name: String,
    cases: usize,
    repeat: bool,
    rule: String,
    upheld: Vec<String>,
    upheld_elsewhere: usize,
}

struct SimilarLine {
    number: String,
    distance: u32,
}

/// The choices the forms offer.
struct Options {
    agencies: Vec<(&'static str, &'static str)>,
    outcomes: Vec<(String, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    procedures: Vec<(String, String)>,
    materials: Vec<(&'static str, &'static str)>,
    /// The materials the completeness check finds missing (pre-ticked in a supplement request).
    missing: Vec<&'static str>,
    /// The routing rules' agency, named in the route form's default choice.
    suggested: String,
    /// Whether the case already has an agency (then routing again asks about the clocks).
    routed: bool,
    /// Which checked facts apply to this complaint (the others would be refused): customs facts
    /// at the border, a patent matter with a patent, a GI's form with a GI.
    border: bool,
    patent: bool,
    gi: bool,
}

impl Options {
    fn is_missing(&self, key: &str) -> bool {
        self.missing.contains(&key)
    }
}

/// One step the reader may take, as a form.
pub struct StepForm {
    action: &'static str,
    label: &'static str,
    hint: &'static str,
    reason_required: bool,
    /// The fields beyond the reason this step asks for.
    fields: Vec<&'static str>,
    /// Kept after a refusal: what was typed, the message, the messages per field.
    values: Vec<(String, String)>,
    error: Option<String>,
    field_errors: Vec<(String, String)>,
}

impl StepForm {
    fn has(&self, field: &str) -> bool {
        self.fields.contains(&field)
    }

    fn val(&self, name: &str) -> &str {
        super::entry(&self.values, name).unwrap_or("")
    }

    fn picked(&self, name: &str, value: &str) -> bool {
        self.values.iter().any(|(k, v)| k == name && v == value)
    }

    fn err(&self, name: &str) -> Option<&str> {
        super::entry(&self.field_errors, name)
    }

    fn open(&self) -> bool {
        self.error.is_some()
    }
}

/// The fields each step asks for besides its reason, and whether the reason is required
/// (the same rules as the API's [`ActionBody`]).
fn form_of(action: Action) -> (bool, Vec<&'static str>) {
    use Action as A;
    match action {
        A::RequestSupplement => (true, vec!["missing"]),
        A::Refuse
        | A::DenyExtension
        | A::Supervise
        | A::Unsupervise
        | A::ProposeTransfer
        | A::DenyTransfer => (true, vec![]),
        A::Route => (false, vec!["agency", "procedures", "clock", "facts"]),
        A::Suspend => (true, vec!["kind"]),
        A::RequestExtension => (true, vec!["amount"]),
        A::Transfer => (true, vec!["to_agency", "procedures"]),
        A::Close => (false, vec!["outcome"]),
        A::Supplement
        | A::Accept
        | A::Open
        | A::Resume
        | A::ApproveExtension
        | A::ApproveTransfer
        | A::AcceptTransfer => (false, vec![]),
    }
}

fn outcome_key(o: Outcome) -> String {
    serde_json::to_value(o)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "other".into())
}

const OUTCOMES: [Outcome; 9] = [
    Outcome::InfringementConfirmed,
    Outcome::ExhibitsWithdrawn,
    Outcome::ListingsTakenDown,
    Outcome::Mediated,
    Outcome::Withdrawn,
    Outcome::NotInfringing,
    Outcome::Refused,
    Outcome::Transferred,
    Outcome::Other,
];

/// `GET /work/cases/{n}` (`?full=1` for the handling officer: personal data as filed, recorded
/// on the case's timeline).
pub async fn page(
    State(state): State<AppState>,
    Path(number): Path<String>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let staff = match Staff::of(&state, &parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let query = query_pairs(parts.uri.query());
    let full = query.iter().any(|(k, v)| k == "full" && v == "1");
    let flash = query
        .iter()
        .find(|(k, _)| k == "done")
        .and_then(|(_, v)| step_label(staff.lang(), v))
        .map(|s| staff.lang().tf("work.done", &[("step", s)]));
    let personal = if full {
        Personal::Full
    } else {
        Personal::Masked
    };
    match cases::view(&state, &staff.caller, number.trim(), personal).await {
        Ok(v) => {
            let mut page = case_page(&state, staff, v, None);
            page.flash = flash;
            render(StatusCode::OK, &page, true)
        }
        Err(e) => error_page(staff.p, e, "/work"),
    }
}

/// `POST /work/cases/{n}/step`: one step from its form (urlencoded: `action`, `version`,
/// `reason` and the step's own fields), then back to the case page.
pub async fn step(
    State(state): State<AppState>,
    Path(number): Path<String>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let staff = match Staff::of(&state, &parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let fields = match super::track::read_fields(Request::from_parts(parts, body)).await {
        Ok(f) => f,
        Err(e) => return error_page(staff.p, e, "/work"),
    };
    let number = number.trim().to_string();
    let value = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let lang = staff.lang();
    let Some(action) = value("action").and_then(|a| Action::ALL.into_iter().find(|x| x.key() == a))
    else {
        return error_page(
            staff.p,
            AppError::bad_request("bad_form", "表单缺少步骤", "the form names no step"),
            "/work",
        );
    };
    // a change by someone else since this page was drawn: show the case as it now stands
    let seen: Option<i64> = value("version").and_then(|v| v.parse().ok());
    let current = match cases::readable(&state, &staff.caller, &number).await {
        Ok(c) => c,
        Err(e) => return error_page(staff.p, e, "/work"),
    };
    if seen.is_some_and(|v| v != current.version) {
        return fresh(
            &state,
            staff,
            &number,
            lang.t("work.changed_meanwhile").into(),
        )
        .await;
    }
    let outcome = match body_of(action, &fields, &value) {
        Ok(body) => cases::act(&state, &staff.caller, &number, body).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(after) => {
            // the step may have moved the case out of this reader's reach (routed elsewhere)
            let still = cases::readable(&state, &staff.caller, &number)
                .await
                .is_ok();
            let _ = after;
            if still {
                see_other(&format!("/work/cases/{number}?done={}", action.key()))
            } else {
                see_other(&format!("/work?done={}", action.key()))
            }
        }
        Err(AppError::Conflict) => {
            fresh(
                &state,
                staff,
                &number,
                lang.t("work.changed_meanwhile").into(),
            )
            .await
        }
        Err(e) => refused(&state, staff, &number, action, fields, e).await,
    }
}

/// The case as it now stands, with a message at the top.
async fn fresh(state: &AppState, staff: Staff, number: &str, message: String) -> Response {
    match cases::view(state, &staff.caller, number, Personal::Masked).await {
        Ok(v) => {
            let mut page = case_page(state, staff, v, None);
            page.alert = Some(message);
            render(StatusCode::CONFLICT, &page, true)
        }
        Err(e) => error_page(staff.p, e, "/work"),
    }
}

/// The case page again with the refusal in the step's form and what was typed kept.
async fn refused(
    state: &AppState,
    staff: Staff,
    number: &str,
    action: Action,
    fields: Vec<(String, String)>,
    e: AppError,
) -> Response {
    let lang = staff.lang();
    let (status, zh, en, field_errors) = e.into_page();
    let pick = |zh: String, en: String| match lang {
        Lang::Zh => zh,
        Lang::En => en,
    };
    let message = if status.is_server_error() {
        lang.t("error.internal").to_string()
    } else {
        pick(zh, en)
    };
    let field_errors = field_errors
        .into_iter()
        .map(|f| {
            (
                f.path.split(['.', '[']).next().unwrap_or("").to_string(),
                pick(f.message_zh, f.message_en),
            )
        })
        .collect();
    match cases::view(state, &staff.caller, number, Personal::Masked).await {
        Ok(v) => {
            let failed = (action, fields, message, field_errors);
            let page = case_page(state, staff, v, Some(failed));
            render(status, &page, true)
        }
        Err(e) => error_page(staff.p, e, "/work"),
    }
}

/// The routing facts a caseworker filled in on the route form (`None` when none was).
fn facts_of_form(
    value: &dyn Fn(&str) -> Option<String>,
    many: &dyn Fn(&str) -> Option<Vec<String>>,
) -> Option<kuaiwei_domain::input::FactsInput> {
    use kuaiwei_domain::input::{FactsInput, PriorPenaltyInput};
    let yes_no = |name: &str| match value(name).as_deref() {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    };
    let penalty_kind = value("prior_penalty_kind");
    let penalty_on = value("prior_penalty_on");
    let f = FactsInput {
        patent_matters: many("patent_matters"),
        prior_penalty: (penalty_kind.is_some() || penalty_on.is_some()).then_some(
            PriorPenaltyInput {
                kind: penalty_kind,
                decided_on: penalty_on,
            },
        ),
        supply: value("supply"),
        customs_recorded: yes_no("customs_recorded"),
        customs_holds_goods: yes_no("customs_holds_goods"),
        gi_form: value("gi_form"),
        conduct_on: value("conduct_on"),
    };
    let any = f.patent_matters.is_some()
        || f.prior_penalty.is_some()
        || f.supply.is_some()
        || f.customs_recorded.is_some()
        || f.customs_holds_goods.is_some()
        || f.gi_form.is_some()
        || f.conduct_on.is_some();
    any.then_some(f)
}

/// The amounts a caseworker filled in on the route form, in yuan (counts for copies and
/// labels); a value that is not a number is named.
fn amounts_of_form(
    value: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<kuaiwei_domain::input::AmountsInput>, AppError> {
    let field = |name: &str, e: kuaiwei_domain::FieldError| {
        AppError::field(
            &format!("amounts.{name}"),
            e.code,
            &e.message_zh,
            &e.message_en,
        )
    };
    let yuan = |name: &str| -> Result<Option<f64>, AppError> {
        match value(name) {
            None => Ok(None),
            Some(v) => super::form::parse_yuan(&v)
                .map(Some)
                .ok_or_else(|| field(name, super::form::not_a_number(name.to_string(), "amount"))),
        }
    };
    let count = |name: &str| -> Result<Option<i64>, AppError> {
        match value(name) {
            None => Ok(None),
            Some(v) => super::form::parse_count(&v)
                .map(Some)
                .ok_or_else(|| field(name, super::form::not_a_number(name.to_string(), "count"))),
        }
    };
    let a = kuaiwei_domain::input::AmountsInput {
        illegal_business_volume: yuan("illegal_business_volume")?,
        illegal_gains: yuan("illegal_gains")?,
        loss: yuan("loss")?,
        sales: yuan("sales")?,
        unsold_value: yuan("unsold_value")?,
        copies: count("copies")?,
        labels: count("labels")?,
    };
    let any = a.illegal_business_volume.is_some()
        || a.illegal_gains.is_some()
        || a.loss.is_some()
        || a.sales.is_some()
        || a.unsold_value.is_some()
        || a.copies.is_some()
        || a.labels.is_some();
    Ok(any.then_some(a))
}

/// The API's step from a form's fields (only those the step takes, so that a stray field
/// cannot change another step's meaning).
fn body_of(
    action: Action,
    fields: &[(String, String)],
    value: &dyn Fn(&str) -> Option<String>,
) -> Result<ActionBody, AppError> {
    use ActionBody as B;
    let reason = value("reason");
    let need = |r: Option<String>| r.unwrap_or_default();
    let many = |name: &str| -> Option<Vec<String>> {
        let v: Vec<String> = fields
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect();
        (!v.is_empty()).then_some(v)
    };
    Ok(match action {
        Action::RequestSupplement => B::RequestSupplement {
            reason: need(reason),
            missing: many("missing"),
        },
        Action::Supplement => B::Supplement { reason },
        Action::Accept => B::Accept { reason },
        Action::Refuse => B::Refuse {
            reason: need(reason),
        },
        Action::Route => B::Route {
            reason,
            agency: value("agency"),
            procedures: many("procedures"),
            clock: value("clock"),
            facts: facts_of_form(value, &many).map(Box::new),
            amounts: amounts_of_form(value)?.map(Box::new),
        },
        Action::Open => B::Open { reason },
        Action::Suspend => B::Suspend {
            reason: need(reason),
            kind: value("kind"),
        },
        Action::Resume => B::Resume { reason },
        Action::RequestExtension => B::RequestExtension {
            reason: need(reason),
            amount: format!(
                "{}{}",
                value("amount").unwrap_or_default(),
                value("amount_unit").unwrap_or_default()
            ),
        },
        Action::ApproveExtension => B::ApproveExtension { reason },
        Action::DenyExtension => B::DenyExtension {
            reason: need(reason),
        },
        Action::Transfer => B::Transfer {
            reason: need(reason),
            to_agency: value("to_agency").unwrap_or_default(),
            procedures: many("procedures"),
        },
        Action::Close => B::Close {
            reason,
            outcome: match value("outcome").map(|o| serde_json::from_value(Value::String(o))) {
                Some(Ok(o)) => o,
                _ => {
                    return Err(AppError::field(
                        "outcome",
                        "required",
                        "请选择结案结果",
                        "choose the outcome",
                    ));
                }
            },
        },
        Action::Supervise => B::Supervise {
            reason: need(reason),
        },
        Action::Unsupervise => B::Unsupervise {
            reason: need(reason),
        },
        Action::ProposeTransfer => B::ProposeTransfer {
            reason: need(reason),
        },
        Action::ApproveTransfer => B::ApproveTransfer { reason },
        Action::AcceptTransfer => B::AcceptTransfer { reason },
        Action::DenyTransfer => B::DenyTransfer {
            reason: need(reason),
        },
    })
}

type Failed = (Action, Vec<(String, String)>, String, Vec<(String, String)>);

fn case_page(state: &AppState, staff: Staff, v: CaseView, failed: Option<Failed>) -> CasePage {
    let lang = staff.lang();
    let now = state.clock.now();
    let p = &staff.caller.principal;
    let may_read_full =
        kuaiwei_access::can_read_personal_data(p, v.agency.as_deref(), v.officer.as_deref());
    let (complaint, evidence, full) = match &v.complaint {
        Some(c) => (
            facts(lang, &c.filed),
            c.evidence.iter().map(|e| evidence_line(lang, e)).collect(),
            c.personal_data == "full",
        ),
        None => (Vec::new(), Vec::new(), false),
    };
    let clocks = v.clocks.iter().map(|c| clock_line(lang, c, now)).collect();
    let timeline = v
        .timeline
        .iter()
        .rev()
        .map(|e| EventLine {
            at: lang.time(e.at),
            what: step_label(lang, &e.kind)
                .or_else(|| lang.get(&format!("event.{}", e.kind)))
                .map_or_else(|| e.kind.clone(), str::to_string),
            actor: e.actor.clone(),
            reason: e.reason.clone().unwrap_or_default(),
        })
        .collect();
    let messages = v
        .messages
        .iter()
        .rev()
        .map(|m| MessageLine {
            at: lang.time(m.created_at),
            what: step_label(lang, &m.kind)
                .or_else(|| lang.get(&format!("event.{}", m.kind)))
                .map_or_else(|| m.kind.clone(), str::to_string),
            channel: match m.channel.as_str() {
                "email" => "E-mail",
                "sms" => "SMS",
                _ => "Webhook",
            },
            to: m.to.clone(),
            state: lang.t(&format!("work.message_state_{}", m.state)),
            failed: m.state == "failed",
            attempts: m.attempts,
            detail: m.last_detail.clone().unwrap_or_default(),
        })
        .collect();
    let missing_now: Vec<&'static str> = v
        .triage
        .as_ref()
        .map(|t| {
            t.missing_materials
                .iter()
                .map(|m| m.material.key())
                .collect()
        })
        .unwrap_or_default();
    let suggested = v
        .triage
        .as_ref()
        .and_then(|t| t.routing.agency.clone())
        .map(|a| agency_name(lang, Some(&a)))
        .unwrap_or_else(|| lang.t("work.route.manual").into());
    let triage = v.triage.as_ref().map(|t| triage_panel(lang, t, now));
    let mut steps: Vec<StepForm> = v
        .permitted_actions
        .iter()
        .filter_map(|k| Action::ALL.into_iter().find(|a| a.key() == *k))
        .map(|a| {
            let (reason_required, fields) = form_of(a);
            StepForm {
                action: a.key(),
                label: lang.t(&format!("step.{}", a.key())),
                hint: lang.t(&format!("step_hint.{}", a.key())),
                reason_required,
                fields,
                values: Vec::new(),
                error: None,
                field_errors: Vec::new(),
            }
        })
        .collect();
    let mut alert = None;
    if let Some((action, values, message, field_errors)) = failed {
        match steps.iter_mut().find(|s| s.action == action.key()) {
            Some(s) => {
                s.values = values;
                s.error = Some(message);
                s.field_errors = field_errors;
            }
            None => alert = Some(message),
        }
    }
    let filed = v
        .complaint
        .as_ref()
        .map(|c| c.filed.clone())
        .unwrap_or_default();
    let right_kinds: Vec<&str> = filed["rights"]
        .as_array()
        .map(|r| r.iter().filter_map(|r| r["kind"].as_str()).collect())
        .unwrap_or_default();
    let options = Options {
        agencies: Agency::ALL
            .iter()
            .map(|a| {
                (
                    a.key(),
                    match lang {
                        Lang::Zh => a.zh(),
                        Lang::En => a.en(),
                    },
                )
            })
            .collect(),
        outcomes: OUTCOMES
            .iter()
            .map(|o| {
                let k = outcome_key(*o);
                let label = lang.t(&format!("case_outcome.{k}"));
                (k, label)
            })
            .collect(),
        kinds: kuaiwei_deadlines::ExclusionKind::ALL
            .iter()
            .map(|k| (k.key(), lang.t(&format!("exclusion.{}", k.key()))))
            .collect(),
        procedures: state
            .procedures
            .iter()
            .map(|p| {
                let name = match lang {
                    Lang::Zh => &p.name_zh,
                    Lang::En => &p.name_en,
                };
                (p.id.clone(), format!("{} {name}", p.id))
            })
            .collect(),
        materials: MaterialKind::ALL
            .iter()
            .map(|m| (m.key(), lang.t(&format!("material.{}", m.key()))))
            .collect(),
        missing: missing_now,
        suggested,
        routed: v.agency.is_some(),
        border: filed["channel"]["kind"] == "border",
        patent: right_kinds
            .iter()
            .any(|k| k.ends_with("patent") || *k == "utility_model"),
        gi: right_kinds.contains(&"geographical_indication"),
    };
    CasePage {
        number: v.case_number.clone(),
        version: v.version,
        state: state_name(lang, v.state),
        agency: agency_name(lang, v.agency.as_deref()),
        officer: v.officer.clone().unwrap_or_default(),
        received: lang.time(v.received_at),
        closed: v.closed_at.map(|t| lang.time(t)),
        outcome: v
            .outcome
            .map(|o| lang.t(&format!("case_outcome.{}", outcome_key(o)))),
        parent: v.parent.clone(),
        supervised: v.supervised,
        full,
        may_read_full: may_read_full && !full && v.state != CaseState::Closed,
        complaint,
        evidence,
        clocks,
        triage,
        timeline,
        messages,
        steps,
        flash: None,
        alert,
        options,
        p: staff.p,
        nav: staff.nav,
    }
}

/// The complaint's fields as filed, each under its label from the filing form.
fn facts(lang: Lang, filed: &Value) -> Vec<Fact> {
    let mut out = Vec::new();
    flatten(lang, "", filed, &mut out);
    out
}

fn flatten(lang: Lang, path: &str, v: &Value, out: &mut Vec<Fact>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                flatten(lang, &p, x, out);
            }
        }
        Value::Array(items) if items.iter().all(|i| !i.is_object()) => {
            let text: Vec<String> = items.iter().map(|i| scalar(lang, path, i)).collect();
            if !text.is_empty() {
                out.push(Fact {
                    label: label(lang, path),
                    value: text.join("、"),
                });
            }
        }
        Value::Array(items) => {
            for x in items {
                flatten(lang, path, x, out);
            }
        }
        Value::Null => {}
        other => out.push(Fact {
            label: label(lang, path),
            value: scalar(lang, path, other),
        }),
    }
}

fn label(lang: Lang, path: &str) -> String {
    lang.get(&format!("field.{path}"))
        .map_or_else(|| path.to_string(), str::to_string)
}

/// A value in words where the filing form has words for it (channel, right type, measure).
fn scalar(lang: Lang, path: &str, v: &Value) -> String {
    if path.ends_with("_fen")
        && let Some(fen) = v.as_i64()
    {
        return format!("¥{}.{:02}", fen / 100, (fen % 100).abs());
    }
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let option = match path {
        "channel.kind" => "option.channel",
        "rights.kind" => "option.right",
        "requested_measures" => "option.measure",
        "complainant.kind" => "option.complainant_kind",
        "channel.direction" => "option.direction",
        _ => return text,
    };
    lang.get(&format!("{option}.{text}"))
        .map_or(text, str::to_string)
}

fn evidence_line(lang: Lang, e: &crate::cases::EvidenceView) -> EvidenceLine {
    let mut detail = Vec::new();
    if let (Some(w), Some(h)) = (e.width, e.height) {
        detail.push(format!("{w}×{h}"));
    }
    if let Some(n) = e.pages {
        detail.push(lang.tf("work.pages", &[("n", &n.to_string())]));
    }
    let mut exif = Vec::new();
    if let Some(t) = &e.captured_at {
        exif.push(lang.tf("work.exif.taken", &[("at", t)]));
    }
    if let Some(d) = &e.device {
        exif.push(d.clone());
    }
    if let (Some(lat), Some(lon)) = (e.latitude, e.longitude) {
        exif.push(format!("GPS {lat:.5}, {lon:.5}"));
    }
    EvidenceLine {
        name: e
            .filename
            .clone()
            .unwrap_or_else(|| e.sha256[..12].to_string()),
        material: MaterialKind::from_key(&e.material)
            .map(|m| lang.t(&format!("material.{}", m.key())).to_string())
            .unwrap_or_else(|| e.material.clone()),
        size: lang.size(e.size),
        detail: detail.join(" · "),
        original: e.original_url.clone(),
        thumb: e.preview_url.as_ref().map(|u| format!("{u}?size=thumb")),
        screen: e.preview_url.as_ref().map(|u| format!("{u}?size=screen")),
        exif: (!exif.is_empty()).then(|| exif.join(" · ")),
    }
}

fn clock_line(lang: Lang, c: &crate::cases::ClockView, now: Timestamp) -> ClockLine {
    let status_class = match c.status {
        ClockStanding::Computed(ClockStatus::Overdue | ClockStatus::ClosedLate) => "overdue",
        ClockStanding::Computed(ClockStatus::DueSoon) => "soon",
        ClockStanding::NotComputable => "overdue",
        _ => "",
    };
    ClockLine {
        name: format!(
            "{} {}",
            c.procedure,
            match lang {
                Lang::Zh => &c.name_zh,
                Lang::En => &c.name_en,
            }
        ),
        basis: c.legal_basis.clone(),
        status: lang.t(&format!("clock_status.{}", c.status.key())),
        status_class,
        started: c
            .started_at
            .map(|t| lang.short_time(t, now))
            .unwrap_or_else(|| "—".into()),
        due: c.due.map(|t| lang.due(t)).unwrap_or_else(|| "—".into()),
        provisional: !c.provisional_years.is_empty(),
        explanation: match lang {
            Lang::Zh => c.explanation_zh.clone(),
            Lang::En => c.explanation_en.clone(),
        },
        problem: c.problem.clone(),
    }
}

fn triage_panel(lang: Lang, t: &crate::cases::triage::TriageView, now: Timestamp) -> TriagePanel {
    let pick = |zh: &str, en: &str| match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    };
    TriagePanel {
        missing: t
            .missing_materials
            .iter()
            .map(|m| MissingLine {
                name: pick(&m.zh, &m.en),
                basis: m.basis.clone(),
                required: m.required,
            })
            .collect(),
        related_more: t.related.len().saturating_sub(RELATED_SHOWN),
        related: t
            .related
            .iter()
            .take(RELATED_SHOWN)
            .map(|r| RelatedLine {
                number: r.case_number.clone(),
                state: state_name(lang, r.state),
                received: lang.short_time(r.received_at, now),
                why: r
                    .matched_on
                    .iter()
                    .zip(&r.values)
                    .map(|(k, v)| {
                        let k = lang.t(&format!("link.{k}"));
                        if v.is_empty() {
                            k.to_string()
                        } else {
                            format!("{k}：{v}")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("；"),
            })
            .collect(),
        related_counts: t
            .related_counts
            .iter()
            .map(|c| format!("{} {}", lang.t(&format!("link.{}", c.kind)), c.cases))
            .collect::<Vec<_>>()
            .join(" · "),
        respondent: t.respondent.as_ref().map(|r| RespondentLine {
            id: r.id,
            name: r.display_name.clone(),
            cases: r.cases,
            repeat: r.repeat_infringer,
            rule: pick(&r.rule_zh, &r.rule_en),
            upheld: r.upheld_cases.clone(),
            upheld_elsewhere: r.upheld_elsewhere,
        }),
        groups: t
            .group_infringement
            .iter()
            .map(|g| {
                lang.tf(
                    "work.group",
                    &[
                        ("right", &g.right),
                        ("fair", &g.fair),
                        ("n", &g.respondents.to_string()),
                    ],
                )
            })
            .collect(),
        similar: t
            .similar_photos
            .iter()
            .map(|s| SimilarLine {
                number: s.case_number.clone(),
                distance: s.distance,
            })
            .collect(),
        routing_agency: t
            .routing
            .agency
            .as_deref()
            .map(|a| agency_name(lang, Some(a))),
        routing_procedures: t.routing.procedures.join("、"),
        routing_reason: pick(&t.routing.reason_zh, &t.routing.reason_en),
        routing_basis: t.routing.legal_basis.clone(),
        routing_police: t.routing.transfer_to_police,
        routing_also: t
            .routing
            .also
            .iter()
            .map(|r| {
                (
                    agency_name(lang, r.agency.as_deref()),
                    r.procedures.join("、"),
                    pick(&r.reason_zh, &r.reason_en),
                    r.transfer_to_police,
                )
            })
            .collect(),
        routing_unrouted: t
            .routing
            .unrouted
            .iter()
            .map(|r| pick(&r.reason_zh, &r.reason_en))
            .collect(),
        routing_reviews: t
            .routing
            .reviews
            .iter()
            .map(|r| pick(&r.reason_zh, &r.reason_en))
            .collect(),
        routing_facts: t.routing.facts.iter().map(|f| pick(&f.zh, &f.en)).collect(),
    }
}
