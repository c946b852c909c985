//! `/work/respondents/{id}`: a respondent (被投诉人) with its history, the repeat-infringer
//! finding, how it was joined and what waits for a decision; for a caseworker, the corrections
//! as forms (join with another entity, split cases off, undo a join, decide a proposal), each
//! through the same service as the API and each needing a reason. `/work/respondents` lists
//! the proposals waiting for a caseworker.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use kuaiwei_access::Action;

use super::work::{Nav, Staff, agency_name, see_other, state_name};
use super::{Ctx, Lang, error_page, query_pairs, render};
use crate::routes::cases::respondent_view;
use crate::routes::respondents::{RespondentAction, correct, open_proposals};
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "work_respondent.html")]
struct RespondentPage {
    p: Ctx,
    nav: Nav,
    id: i64,
    name: String,
    aliases: String,
    first_seen: String,
    repeat: bool,
    rule: String,
    merged_into: Option<i64>,
    cases: Vec<CaseLine>,
    joins: Vec<JoinLine>,
    proposals: Vec<ProposalLine>,
    may_correct: bool,
    error: Option<String>,
    flash: Option<String>,
}

struct CaseLine {
    number: String,
    state: &'static str,
    agency: String,
    outcome: String,
    received: String,
}

struct JoinLine {
    id: i64,
    text: String,
    undone: bool,
}

struct ProposalLine {
    id: i64,
    kind: String,
    other: i64,
    case_number: Option<String>,
    detail: String,
}

#[derive(Template)]
#[template(path = "work_proposals.html")]
struct ProposalsPage {
    p: Ctx,
    nav: Nav,
    proposals: Vec<ProposalRow>,
}

struct ProposalRow {
    kind: String,
    a: i64,
    b: i64,
    case_number: Option<String>,
    detail: String,
    created: String,
}

/// `GET /work/respondents/{id}`
pub async fn page(State(state): State<AppState>, Path(id): Path<String>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let staff = match Staff::of(&state, &parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let flash = query_pairs(parts.uri.query())
        .into_iter()
        .find(|(k, _)| k == "done")
        .map(|_| staff.lang().t("respondent.done").to_string());
    show(&state, staff, &id, None, flash, StatusCode::OK).await
}

async fn show(
    state: &AppState,
    staff: Staff,
    id: &str,
    error: Option<String>,
    flash: Option<String>,
    status: StatusCode,
) -> Response {
    let lang = staff.lang();
    let now = state.clock.now();
    let v = match respondent_view(state, &staff.caller, id).await {
        Ok(v) => v,
        Err(e) => return error_page(staff.p, e, "/work"),
    };
    let pick = |zh: &str, en: &str| match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    };
    let page = RespondentPage {
        id: v.summary.id,
        name: v.summary.display_name.clone(),
        aliases: v.aliases.join("；"),
        first_seen: lang.short_time(v.first_seen_at, now),
        repeat: v.summary.repeat_infringer,
        rule: pick(&v.summary.rule_zh, &v.summary.rule_en),
        merged_into: v.merged_into,
        cases: v
            .history
            .iter()
            .map(|c| CaseLine {
                number: c.case_number.clone(),
                state: state_name(lang, c.state),
                agency: agency_name(lang, c.agency.as_deref()),
                outcome: c
                    .outcome
                    .and_then(|o| serde_json::to_value(o).ok())
                    .and_then(|o| o.as_str().map(str::to_string))
                    .map(|k| lang.t(&format!("case_outcome.{k}")).to_string())
                    .unwrap_or_default(),
                received: lang.short_time(c.received_at, now),
            })
            .collect(),
        joins: v
            .joins
            .iter()
            .map(|j| JoinLine {
                id: j.id,
                text: lang.tf(
                    "respondent.join_line",
                    &[
                        ("absorbed", &j.absorbed.to_string()),
                        ("survivor", &j.survivor.to_string()),
                        ("actor", &j.actor),
                        ("at", &lang.short_time(j.at, now)),
                        ("why", &j.reason.clone().unwrap_or_else(|| j.via.join("、"))),
                    ],
                ),
                undone: j.undone_at.is_some(),
            })
            .collect(),
        proposals: v
            .proposals
            .iter()
            .map(|p| ProposalLine {
                id: p.id,
                kind: lang
                    .get(&format!("respondent.kind.{}", p.kind))
                    .map_or_else(|| p.kind.clone(), str::to_string),
                other: if p.a == v.summary.id { p.b } else { p.a },
                case_number: p.case_number.clone(),
                detail: p.detail.clone(),
            })
            .collect(),
        may_correct: kuaiwei_access::holds(staff.caller.principal.role, Action::CorrectRespondents),
        error,
        flash,
        p: staff.p,
        nav: staff.nav,
    };
    render(status, &page, true)
}

/// `POST /work/respondents/{id}` (urlencoded): `action` (join, split, undo_join,
/// accept_proposal, reject_proposal), `reason`, and `with`, `cases` (several), `join` or
/// `proposal`.
pub async fn act(State(state): State<AppState>, Path(id): Path<String>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let staff = match Staff::of(&state, &parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let fields = match super::track::read_fields(Request::from_parts(parts, body)).await {
        Ok(f) => f,
        Err(e) => return error_page(staff.p, e, "/work"),
    };
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let number = |k: &str| -> Result<i64, AppError> {
        get(k).parse().map_err(|_| {
            AppError::field(
                k,
                "invalid_value",
                "请填写被投诉人编号（数字）",
                "give the respondent's number",
            )
        })
    };
    let reason = get("reason");
    let action =
        match get("action").as_str() {
            "join" => number("with").map(|with| RespondentAction::Join { with, reason }),
            "split" => Ok(RespondentAction::Split {
                cases: fields
                    .iter()
                    .filter(|(k, _)| k == "cases")
                    .map(|(_, v)| v.clone())
                    .collect(),
                reason,
            }),
            "undo_join" => number("join").map(|join| RespondentAction::UndoJoin { join, reason }),
            "accept_proposal" => number("proposal")
                .map(|proposal| RespondentAction::AcceptProposal { proposal, reason }),
            "reject_proposal" => number("proposal")
                .map(|proposal| RespondentAction::RejectProposal { proposal, reason }),
            _ => Err(AppError::bad_request(
                "bad_form",
                "未知的操作",
                "unknown action",
            )),
        };
    let Ok(entity) = id.trim().parse::<i64>() else {
        return error_page(staff.p, AppError::NotFound, "/work");
    };
    let done = match action {
        Ok(a) => correct(&state, &staff.caller, entity, a).await,
        Err(e) => Err(e),
    };
    match done {
        // the entity may have been joined into another: show where its cases are now
        Ok(d) => see_other(&format!(
            "/work/respondents/{}?done=1",
            d.respondents.first().copied().unwrap_or(entity)
        )),
        Err(e @ (AppError::Forbidden { .. } | AppError::NotFound)) => {
            error_page(staff.p, e, "/work")
        }
        Err(e) => {
            let lang = staff.lang();
            let (status, text) = super::message_line(lang, e);
            show(&state, staff, &id, Some(text), None, status).await
        }
    }
}

/// `GET /work/respondents`: the links the rules left for a caseworker to decide.
pub async fn proposals(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let staff = match Staff::of(&state, &parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Err(e) = staff
        .caller
        .require(&state, Action::CorrectRespondents, None)
        .await
    {
        return error_page(staff.p, e, "/work");
    }
    let lang = staff.lang();
    let now = state.clock.now();
    let found = match open_proposals(&state, 200).await {
        Ok(f) => f,
        Err(e) => return error_page(staff.p, e, "/work"),
    };
    let page = ProposalsPage {
        proposals: found
            .into_iter()
            .map(|p| ProposalRow {
                kind: lang
                    .get(&format!("respondent.kind.{}", p.kind))
                    .map_or_else(|| p.kind.clone(), str::to_string),
                a: p.respondents[0],
                b: p.respondents[1],
                case_number: p.case_number,
                detail: p.detail,
                created: lang.short_time(p.created_at, now),
            })
            .collect(),
        p: staff.p,
        nav: staff.nav,
    };
    render(StatusCode::OK, &page, true)
}
