//! The deadline watch (期限预警): per agency and officer, the open cases already overdue and
//! those falling due within the next days, as JSON (`/api/v1/watch`); the page `/watch` is in
//! crate::pages::report. The daily digest for mail or a webhook is
//! `kuaiwei watch --format text`.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use kuaiwei_reports::Watch;
use serde::Deserialize;

use kuaiwei_access::Action;

use crate::auth::Caller;
use crate::routes::reports::query;
use crate::{AppError, AppState};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WatchQuery {
    /// How far ahead "due soon" looks, in days (1-90, default 7).
    #[param(minimum = 1, maximum = 90)]
    days: Option<u32>,
    /// Only this agency.
    agency: Option<String>,
    /// Only the cases this officer opened.
    officer: Option<String>,
    /// Page only: `en` for English.
    #[param(ignore)]
    #[allow(dead_code)]
    lang: Option<String>,
}

impl WatchQuery {
    /// The filters as a query string, for the page's links (never the language, which each
    /// page's switch sets).
    pub(crate) fn kept(&self) -> String {
        let mut keep = Vec::new();
        if let Some(d) = self.days {
            keep.push(format!("days={d}"));
        }
        for (k, v) in [("agency", &self.agency), ("officer", &self.officer)] {
            if let Some(v) = v {
                keep.push(format!("{k}={}", kuaiwei_reports::query_value(v)));
            }
        }
        keep.join("&")
    }
}

/// The watch the caller may see: an officer or agency supervisor only their agency's (naming
/// another is refused), the centre's roles any agency or all.
pub(crate) async fn digest(
    state: &AppState,
    caller: &Caller,
    q: WatchQuery,
) -> Result<Watch, AppError> {
    let agency = match (&caller.principal.agency, q.agency) {
        (Some(mine), None) => Some(mine.clone()),
        (_, named) => named,
    };
    caller
        .require(state, Action::ReadReports, agency.as_deref())
        .await?;
    crate::reports::watch(state, q.days.unwrap_or(7), agency, q.officer).await
}

/// Cases overdue and falling due soon, per agency (with counts per officer), earliest first.
/// Officers and agency supervisors see their own agency's.
#[utoipa::path(
    get,
    path = "/api/v1/watch",
    tag = "cases",
    params(WatchQuery),
    responses(
        (status = 200, body = Watch),
        (status = 401, description = "not logged in", body = crate::error::ErrorBody),
        (status = 403, description = "another agency's watch, or a role without it", body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody),
    )
)]
pub async fn watch(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<WatchQuery>, QueryRejection>,
) -> Result<Json<Watch>, AppError> {
    Ok(Json(digest(&state, &caller, query(q)?).await?))
}
