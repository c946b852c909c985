//! `GET /api/v1/search`: free text over complaints and cases, with filters and facet counts,
//! scoped by the caller's agency.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use jiff::Timestamp;
use kuaiwei_access::Action;
use kuaiwei_search::{Filter, Request, Sort};
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::{AppError, AppState};

#[derive(Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// Free text: every term must appear (any 1+ characters; Chinese needs no spaces), each
    /// inside one field of the complaint and not across a sentence mark (。，！ …) unless the
    /// term holds one. Brand variants count as one (耐克 finds NIKE). Empty: every case the
    /// filters allow.
    #[param(example = "耐克 16.1K7")]
    pub q: Option<String>,
    /// fair, ecommerce, border, walk_in, hotline, other
    pub channel: Option<String>,
    /// trademark, invention_patent, utility_model, design_patent, copyright …
    pub right_type: Option<String>,
    /// An agency key, or `unrouted`; officers and agency supervisors search their own agency
    /// only (naming another is 403).
    pub agency: Option<String>,
    /// A case state (received, routed, opened, closed …).
    pub state: Option<String>,
    /// The fair as filed with its session, e.g. `第138届广交会 第一期`.
    pub fair: Option<String>,
    /// Received on or after this day (YYYY-MM-DD, Asia/Shanghai) or instant (RFC 3339).
    pub from: Option<String>,
    /// Received before this day or instant.
    pub before: Option<String>,
    /// `true`: only open cases past a due date now.
    pub overdue: Option<bool>,
    /// `relevance` (default: BM25 over two-character terms that are not in more than a tenth
    /// of the cases; equal scores newest first) or `received` (newest first).
    pub sort: Option<String>,
    /// Hits per page, 1-100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// Hits to skip, 0-10,000 (narrow the search to see further).
    #[param(minimum = 0, maximum = 10000)]
    pub offset: Option<u32>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SearchBody {
    /// Every case matching, over all pages.
    pub total: usize,
    pub hits: Vec<SearchHit>,
    /// Per dimension (channel, right_type, agency, state, fair), per value: matching cases.
    #[schema(value_type = Object)]
    pub facets: BTreeMap<String, BTreeMap<String, u64>>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    pub case_number: String,
    pub score: f32,
    /// The best passage, personal information masked, matches in `<b>…</b>` (HTML-escaped).
    pub snippet: String,
}

fn field(path: &str, zh: &str, en: &str) -> AppError {
    AppError::field(path, "invalid_value", zh, en)
}

/// A day (midnight in Asia/Shanghai) or an instant.
fn instant(path: &str, v: &str) -> Result<Timestamp, AppError> {
    if let Ok(t) = v.parse::<Timestamp>() {
        return Ok(t);
    }
    v.parse::<jiff::civil::Date>()
        .ok()
        .and_then(|d| d.in_tz("Asia/Shanghai").ok())
        .map(|z| z.timestamp())
        .ok_or_else(|| {
            field(
                path,
                "日期格式应为 YYYY-MM-DD 或 RFC 3339",
                "a day is YYYY-MM-DD, an instant RFC 3339",
            )
        })
}

/// Search complaints and cases in Chinese or any script: every term is found wherever it appears
/// in the complaint (description, parties, booth, shop, rights, numbers), with filters and facet
/// counts.
#[utoipa::path(
    get,
    path = "/api/v1/search",
    tag = "cases",
    params(SearchQuery),
    responses(
        (status = 200, body = SearchBody),
        (status = 401, description = "not logged in", body = crate::error::ErrorBody),
        (status = 403, description = "another agency, or a role that does not search (administrator)", body = crate::error::ErrorBody),
        (status = 422, description = "a filter that is not understood", body = crate::error::ErrorBody),
        (status = 503, description = "the index is not available", body = crate::error::ErrorBody),
    )
)]
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Result<Json<SearchBody>, AppError> {
    let q = crate::routes::reports::query(query)?;
    Ok(Json(run(&state, &caller, q).await?))
}

/// A search as `caller` may make it (their agency is a filter of every search they make); the
/// API and the search page both go through here.
pub async fn run(
    state: &AppState,
    caller: &Caller,
    q: SearchQuery,
) -> Result<SearchBody, AppError> {
    // the caller's agency is a filter of every search they make
    let agency = match (&caller.principal.agency, q.agency) {
        (Some(mine), None) => Some(mine.clone()),
        (_, named) => named,
    };
    if let Some(a) = agency.as_deref().filter(|a| *a != "unrouted") {
        crate::cases::known_agency(a, "agency")?;
    }
    let scope = agency.as_deref().filter(|a| *a != "unrouted");
    caller.require(state, Action::Search, scope).await?;
    if agency.as_deref() == Some("unrouted") && caller.principal.agency.is_some() {
        caller.require(state, Action::Search, None).await?;
    }
    let mut filters = Vec::new();
    match agency.as_deref() {
        Some("unrouted") => filters.push(Filter::Unrouted),
        Some(a) => filters.push(Filter::Agency(a.to_string())),
        None => {}
    }
    if let Some(v) = q.channel {
        filters.push(Filter::Channel(v));
    }
    if let Some(v) = q.right_type {
        filters.push(Filter::RightType(v));
    }
    if let Some(v) = q.state {
        let s = kuaiwei_domain::CaseState::parse(&v).ok_or_else(|| {
            AppError::field(
                "state",
                "unknown_value",
                "未知的案件状态",
                "unknown case state",
            )
        })?;
        filters.push(Filter::State(s.key().to_string()));
    }
    if let Some(v) = q.fair {
        filters.push(Filter::Fair(v));
    }
    if let Some(v) = q.from {
        filters.push(Filter::ReceivedFrom(instant("from", &v)?));
    }
    if let Some(v) = q.before {
        filters.push(Filter::ReceivedBefore(instant("before", &v)?));
    }
    if q.overdue == Some(true) {
        filters.push(Filter::OverdueAt(state.clock.now()));
    }
    let sort = match q.sort.as_deref() {
        None | Some("relevance") => Sort::Relevance,
        Some("received") => Sort::Received,
        Some(_) => {
            return Err(field(
                "sort",
                "排序方式应为 relevance 或 received",
                "sort is relevance or received",
            ));
        }
    };
    let text = q.q.unwrap_or_default();
    if text.chars().count() > 200 {
        return Err(field("q", "检索词最多200字", "at most 200 characters"));
    }
    let request = Request {
        text,
        filters,
        sort,
        limit: crate::routes::bounded("limit", q.limit, 20, 1..=100)? as usize,
        offset: crate::routes::bounded("offset", q.offset, 0, 0..=10_000)? as usize,
    };
    let index = state
        .search
        .clone()
        .ok_or_else(|| AppError::Unavailable("the search index is not open".into()))?;
    let results = tokio::task::spawn_blocking(move || index.search(&request))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(SearchBody {
        total: results.total,
        hits: results
            .hits
            .into_iter()
            .map(|h| SearchHit {
                case_number: h.case_number,
                score: h.score,
                snippet: h.snippet,
            })
            .collect(),
        facets: results.facets,
    })
}
