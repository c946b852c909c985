//! The deadline watch: per agency, the open cases already overdue and those falling due within
//! the next days, from the due dates stored on cases (the monthly report builds on the same).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use jiff::{Timestamp, ToSpan};
use kuaiwei_domain::CaseState;
use kuaiwei_store::{QueueFilter, QueueItem};
use serde::{Deserialize, Serialize};

use crate::{AppError, AppState};

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct WatchQuery {
    /// How far ahead "due soon" looks, in days (1-90, default 7).
    days: Option<u32>,
    /// Only this agency.
    agency: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Watch {
    #[schema(value_type = String, format = DateTime)]
    pub as_of: Timestamp,
    pub days: u32,
    /// One entry per agency with something overdue or due soon; unrouted cases under `null`.
    pub agencies: Vec<AgencyWatch>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AgencyWatch {
    pub agency: Option<String>,
    pub overdue: Vec<WatchLine>,
    pub due_soon: Vec<WatchLine>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct WatchLine {
    pub case_number: String,
    pub state: CaseState,
    #[schema(value_type = String, format = DateTime)]
    pub due: Timestamp,
    pub supervised: bool,
}

/// Cases overdue and falling due soon, per agency, earliest first.
#[utoipa::path(
    get,
    path = "/api/v1/watch",
    tag = "cases",
    params(WatchQuery),
    responses((status = 200, body = Watch), (status = 422, body = crate::error::ErrorBody))
)]
pub async fn watch(
    State(state): State<AppState>,
    query: Result<Query<WatchQuery>, QueryRejection>,
) -> Result<Json<Watch>, AppError> {
    let Query(q) = query.map_err(|e| {
        AppError::field(
            "query",
            "bad_query",
            format!("查询参数有误：{}", e.body_text()),
            e.body_text(),
        )
    })?;
    let days = q.days.unwrap_or(7);
    if !(1..=90).contains(&days) {
        return Err(AppError::field(
            "days",
            "out_of_range",
            "天数应为1至90",
            "days is 1 to 90",
        ));
    }
    let now = state.clock.now();
    let horizon = now + (i64::from(days) * 24).hours();
    let filter = QueueFilter {
        agency: q.agency,
        due_before: Some(horizon),
        ..Default::default()
    };
    // Every case due before the horizon, a page at a time (queues pages are at most 200).
    let mut items: Vec<QueueItem> = Vec::new();
    loop {
        let page = state.store.queue(&filter, 200, items.len() as u32).await?;
        let done = page.len() < 200;
        items.extend(page);
        if done || items.len() >= 10_000 {
            break;
        }
    }
    let mut agencies: Vec<AgencyWatch> = Vec::new();
    for i in items.into_iter().filter(|i| !i.state.is_terminal()) {
        let Some(due) = i.next_due_at else { continue };
        let line = WatchLine {
            case_number: i.case_number.to_string(),
            state: i.state,
            due,
            supervised: i.supervised,
        };
        let entry = match agencies.iter().position(|a| a.agency == i.agency) {
            Some(k) => &mut agencies[k],
            None => {
                agencies.push(AgencyWatch {
                    agency: i.agency.clone(),
                    overdue: Vec::new(),
                    due_soon: Vec::new(),
                });
                agencies.last_mut().expect("just pushed")
            }
        };
        if due < now {
            entry.overdue.push(line);
        } else {
            entry.due_soon.push(line);
        }
    }
    agencies.sort_by(|a, b| a.agency.cmp(&b.agency));
    Ok(Json(Watch {
        as_of: now,
        days,
        agencies,
    }))
}
