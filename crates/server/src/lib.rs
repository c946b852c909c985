//! The kuaiwei HTTP API (axum): complaint intake with evidence uploads, the complainant's
//! status view, the officers' deadline calculator, health checks and the OpenAPI document, and
//! the complainants' pages (`pages`: filing, receipt, tracking; docs/pages.md).
//!
//! Handlers are short: they extract, call one service or store operation, and render. Every
//! error becomes a response in one place ([`AppError`]), with one JSON shape.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod calendar;
mod cases;
mod error;
mod evidence;
pub mod http;
mod intake;
mod json;
pub mod metrics;
mod pages;
pub use pages::report::{report_file, watch_file};
mod rate;
pub mod reports;
mod request_id;
mod respondents;
mod routes;
pub mod search;
mod state;
mod token;

pub use cases::TriageConfig;
pub use error::AppError;
pub use http::HttpSettings;
pub use metrics::Metrics;
pub use rate::{IntakeLimits, IntakeSettings, RateLimit};
pub use routes::{ApiDoc, router};
pub use state::{AppState, CalendarSource, Clock, Limits, ReportFacts, SharedCalendar};

use tokio::net::TcpListener;

/// Serves `state` on `listener` until `shutdown` resolves, then lets in-flight requests finish,
/// with the default [`HttpSettings`].
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, state, HttpSettings::default(), shutdown).await
}

/// [`serve`] with the connection and body timeouts given (the upload cap is the state's,
/// `IntakeLimits::uploads`).
pub async fn serve_with(
    listener: TcpListener,
    state: AppState,
    http: HttpSettings,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // before the first request: a sweep must not race a filing it did not see
    evidence::sweep_at_start(&state).await;
    let purge = tokio::spawn(state::purge_idempotency_periodically(state.clone()));
    let recompute = tokio::spawn(recompute_at_start(state.clone()));
    let indexer = state
        .search
        .clone()
        .map(|index| tokio::spawn(kuaiwei_search::follow(state.store.clone(), index)));
    // the copy of the clocks loads in a task of its own; reports read their windows meanwhile
    state.reports().warm();
    let calendar = tokio::spawn(cases::follow_calendar(state.clone()));
    let typos = tokio::spawn(respondents::follow(state.clone()));
    let evidence = tokio::spawn(evidence::load_hashes(state.clone()));
    let messages = state.notify.clone().map(|channels| {
        tokio::spawn(kuaiwei_notify::worker::follow(
            state.store.clone(),
            (*channels).clone(),
        ))
    });
    let reports = state.reports();
    let app = router(state);
    let result = http::serve_connections(listener, app, http, shutdown).await;
    // the next start reads it instead of loading every clock from the store
    reports.save_copy_now().await;
    purge.abort();
    recompute.abort();
    calendar.abort();
    typos.abort();
    evidence.abort();
    if let Some(i) = indexer {
        i.abort();
    }
    if let Some(m) = messages {
        m.abort();
    }
    result
}

/// The calendar may have gained a year since the last start: bring stored due dates up to date,
/// those of open cases and of closed ones due in the newest published year or later (or never
/// dated), so that reports count them against the right dates.
async fn recompute_at_start(state: AppState) {
    let since = kuaiwei_cases::start_recompute_since(&state.calendar.current());
    match state.cases().recompute_after_calendar_change(since).await {
        Ok(r) if r.updated > 0 || r.still_not_computable > 0 => tracing::info!(
            checked = r.checked,
            updated = r.updated,
            still_not_computable = r.still_not_computable,
            "due dates of open cases recomputed against the calendar"
        ),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "recomputing due dates failed"),
    }
}
