//! Case detail, steps, agency queues and respondents, for logged-in staff: the actor of a step
//! is the session's account, and every read is limited to what the caller's role and agency
//! reach (another agency's case answers 404, like a missing one).

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use jiff::Timestamp;
use kuaiwei_domain::CaseState;
use kuaiwei_store::QueueFilter;
use serde::{Deserialize, Serialize};

use kuaiwei_access::Action;

use crate::auth::Caller;
use crate::cases::triage::{self, RespondentSummary};
use crate::cases::{self, ActionBody, CaseView};
use crate::{AppError, AppState};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DetailQuery {
    /// `true`: the complainant's personal information as filed, for the officer handling the
    /// case (anyone else: 403); each such reading is on the case's timeline.
    full: Option<bool>,
}

/// A case with its complaint (personal information masked), its clocks (and how each due date
/// was computed) and its audited timeline.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{case_number}",
    tag = "cases",
    params(("case_number" = String, Path, example = "KW-2026-000123"), DetailQuery),
    responses(
        (status = 200, body = CaseView),
        (status = 401, description = "not logged in", body = crate::error::ErrorBody),
        (status = 403, description = "a role that reads no case (administrator), or personal information in full for anyone but the officer handling the case", body = crate::error::ErrorBody),
        (status = 404, description = "no such case, or another agency's", body = crate::error::ErrorBody),
        (status = 422, description = "an unreadable query string (`full` is `true` or `false`)", body = crate::error::ErrorBody),
    )
)]
pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
    query: Result<Query<DetailQuery>, QueryRejection>,
) -> Result<Json<CaseView>, AppError> {
    let q = crate::routes::reports::query(query)?;
    let personal = match q.full {
        Some(true) => cases::Personal::Full,
        _ => cases::Personal::Masked,
    };
    Ok(Json(cases::view(&state, &caller, &number, personal).await?))
}

/// Take one step on a case: accept, route, open (立案), suspend, extend, transfer, close …
/// The actor is the logged-in account; caseworkers triage (accept, refuse, supplement, route),
/// the officers of the case's agency work it (open, suspend, resume, request an extension,
/// close), supervisors approve extensions and transfers and mark cases for supervision.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{case_number}/actions",
    tag = "cases",
    params(("case_number" = String, Path, example = "KW-2026-000123")),
    request_body = ActionBody,
    responses(
        (status = 200, description = "the case after the step", body = CaseView),
        (status = 400, description = "malformed body, or a field the step does not take (such as `actor` or `state`)", body = crate::error::ErrorBody),
        (status = 401, description = "not logged in", body = crate::error::ErrorBody),
        (status = 403, description = "the caller's role may not take this step", body = crate::error::ErrorBody),
        (status = 404, description = "no such case, or another agency's", body = crate::error::ErrorBody),
        (status = 409, description = "not allowed from the case's state (the allowed steps are listed), or the case changed meanwhile", body = crate::error::ErrorBody),
        (status = 422, description = "a missing reason, unknown procedure, or an extension the law does not allow", body = crate::error::ErrorBody),
    )
)]
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
    body: Bytes,
) -> Result<Json<CaseView>, AppError> {
    let body: ActionBody = crate::json::parse(&body)?;
    Ok(Json(cases::act(&state, &caller, &number, body).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    /// ip_office, market_regulation, copyright, customs, police. Officers and agency
    /// supervisors see their own agency's queue (naming another is refused).
    agency: Option<String>,
    state: Option<String>,
    /// Only cases due before this instant (e.g. the end of this week).
    due_before: Option<String>,
    /// `true`: only cases under supervision (挂牌督办); `false`: only the others.
    supervised: Option<bool>,
    /// Only the cases this officer opened (立案).
    officer: Option<String>,
    /// Only cases on which this procedure's clock runs: `T1`, transfer reports waiting for the
    /// head's decision; `T2`, approved transfers still to be sent.
    clock: Option<String>,
    /// Cases per page, 1-200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// Cases to skip.
    #[param(minimum = 0, maximum = 1000000)]
    offset: Option<u32>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct QueueLine {
    pub case_number: String,
    pub state: CaseState,
    pub state_zh: &'static str,
    pub agency: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub received_at: Timestamp,
    /// The earliest due instant among the running clocks.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_due_at: Option<Timestamp>,
    /// 挂牌督办
    pub supervised: bool,
    /// Who opened (立案) the case.
    pub officer: Option<String>,
    /// `next_due_at` falls in a year whose holiday notice is not yet published: provisional
    /// (legal-deadlines.md §8.6), recomputed when it is loaded.
    pub due_provisional: bool,
}

/// A queue by due date, earliest first; cases without a running clock come last.
#[utoipa::path(
    get,
    path = "/api/v1/queues",
    tag = "cases",
    params(QueueQuery),
    responses(
        (status = 200, body = Vec<QueueLine>),
        (status = 401, description = "not logged in", body = crate::error::ErrorBody),
        (status = 403, description = "another agency's queue, or a role that reads no case", body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody),
    )
)]
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<QueueQuery>, QueryRejection>,
) -> Result<Json<Vec<QueueLine>>, AppError> {
    let q = crate::routes::reports::query(query)?;
    let agency = match (&caller.principal.agency, q.agency) {
        (Some(mine), None) => Some(mine.clone()),
        (_, named) => named,
    };
    caller
        .require(&state, Action::ReadCase, agency.as_deref())
        .await?;
    let filter = QueueFilter {
        agency,
        officer: q.officer,
        state: q
            .state
            .map(|s| {
                CaseState::parse(&s).ok_or_else(|| {
                    AppError::field(
                        "state",
                        "unknown_value",
                        "未知的案件状态",
                        "unknown case state",
                    )
                })
            })
            .transpose()?,
        due_before: q
            .due_before
            .map(|t| {
                t.parse::<Timestamp>().map_err(|_| {
                    AppError::field(
                        "due_before",
                        "datetime_format",
                        "时间格式应为 RFC 3339",
                        "an instant is written in RFC 3339",
                    )
                })
            })
            .transpose()?,
        supervised: q.supervised,
        running_clock: q
            .clock
            .map(|id| match state.procedures.get(id.trim()) {
                Some(_) => Ok(id.trim().to_string()),
                None => Err(AppError::field(
                    "clock",
                    "unknown_procedure",
                    "未知的程序编号",
                    "unknown procedure id",
                )),
            })
            .transpose()?,
    };
    let items = state
        .store
        .queue(
            &filter,
            crate::routes::bounded("limit", q.limit, 50, 1..=200)?,
            crate::routes::bounded("offset", q.offset, 0, 0..=1_000_000)?,
        )
        .await?;
    let calendar = state.calendar.current();
    Ok(Json(
        items
            .into_iter()
            .map(|i| QueueLine {
                case_number: i.case_number.to_string(),
                state: i.state,
                state_zh: i.state.zh(),
                agency: i.agency,
                received_at: i.received_at,
                next_due_at: i.next_due_at,
                due_provisional: i
                    .next_due_at
                    .is_some_and(|d| crate::cases::due_is_provisional(&calendar, d)),
                supervised: i.supervised,
                officer: i.officer,
            })
            .collect(),
    ))
}

/// A respondent with every case filed against it and the repeat-infringer finding.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RespondentView {
    #[serde(flatten)]
    pub summary: RespondentSummary,
    /// The credit code, folded name, shops, seller ids and booths it is recognised by.
    pub aliases: Vec<String>,
    #[schema(value_type = String, format = DateTime)]
    pub first_seen_at: Timestamp,
    pub history: Vec<RespondentCaseView>,
    /// The entity it was joined into (its cases are there now).
    pub merged_into: Option<i64>,
    /// Joins into or out of it, oldest first: by the rules (actor `system`, with the case and
    /// the aliases that linked them) or by a caseworker (with the reason); each can be undone.
    #[schema(value_type = Vec<Object>)]
    pub joins: Vec<kuaiwei_store::RespondentJoin>,
    /// Links waiting for a caseworker that name it (conflict, ambiguous, typo).
    #[schema(value_type = Vec<Object>)]
    pub proposals: Vec<kuaiwei_store::RespondentProposal>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RespondentCaseView {
    pub case_number: String,
    pub state: CaseState,
    pub state_zh: &'static str,
    pub agency: Option<String>,
    pub outcome: Option<kuaiwei_domain::Outcome>,
    #[schema(value_type = String, format = DateTime)]
    pub received_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<Timestamp>,
    /// The case it was transferred from, for a linked case.
    pub parent: Option<String>,
}

/// A respondent (被投诉人) and its history: every case, upheld or not, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/respondents/{id}",
    tag = "cases",
    params(("id" = i64, Path, description = "the respondent id shown on a case")),
    responses(
        (status = 200, body = RespondentView),
        (status = 401, description = "not logged in", body = crate::error::ErrorBody),
        (status = 403, description = "a role that reads no case", body = crate::error::ErrorBody),
        (status = 404, description = "no such respondent, or none of its cases is the caller's to read", body = crate::error::ErrorBody),
    )
)]
pub async fn respondent(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<RespondentView>, AppError> {
    Ok(Json(respondent_view(&state, &caller, &id).await?))
}

/// The respondent `id` as `caller` may see it (the API and the respondent page).
pub async fn respondent_view(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<RespondentView, AppError> {
    let state = state.clone();
    if !kuaiwei_access::holds(caller.principal.role, Action::ReadCase) {
        caller.require(&state, Action::ReadCase, None).await?;
    }
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    crate::respondents::before_reading(&state).await?;
    let mut r = state
        .store
        .respondent(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let viewer = &caller.principal;
    let summary = triage::summarise(&state.triage, viewer, &r, state.clock.now());
    // its history shows the cases the caller may read; none: as if there were no respondent
    r.cases
        .retain(|c| triage::sees(viewer, c.agency.as_deref()));
    // an entity since joined into another has no cases left; it answers with where they went
    if r.cases.is_empty() && r.merged_into.is_none() {
        return Err(AppError::NotFound);
    }
    // joins and proposals name cases: only those the caller may read (of this entity)
    let visible: std::collections::HashSet<String> =
        r.cases.iter().map(|c| c.case_number.to_string()).collect();
    let shown = |n: Option<String>| n.filter(|n| visible.contains(n));
    for j in &mut r.joins {
        j.case_number = shown(j.case_number.take());
        j.moved.retain(|n| visible.contains(n));
    }
    for p in &mut r.proposals {
        p.case_number = shown(p.case_number.take());
    }
    Ok(RespondentView {
        summary,
        aliases: r.aliases,
        first_seen_at: r.created_at,
        history: r
            .cases
            .into_iter()
            .map(|c| RespondentCaseView {
                case_number: c.case_number.to_string(),
                state: c.state,
                state_zh: c.state.zh(),
                agency: c.agency,
                outcome: c.outcome,
                received_at: c.received_at,
                closed_at: c.closed_at,
                parent: c.parent.map(|p| p.to_string()),
            })
            .collect(),
        merged_into: r.merged_into,
        joins: r.joins,
        proposals: r.proposals,
    })
}
