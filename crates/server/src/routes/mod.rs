//! The router and the OpenAPI document that describes it.

mod accounts;
pub(crate) mod cases;
pub(crate) mod complaints;
mod deadlines;
mod evidence;
mod health;
pub(crate) mod reports;
pub(crate) mod respondents;
pub(crate) mod search;
mod session;
pub(crate) mod watch;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::HeaderName;
use axum::response::Json;
use axum::routing::{get, post, put};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;

use crate::AppState;
use crate::request_id::RandomRequestId;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "kuaiwei (快维) API",
        description = "Complaint intake, cases, reports and deadline calculation for a rapid IP rights-protection centre. Errors share one shape: {\"error\": {\"status\", \"code\", \"message_zh\", \"message_en\", \"fields\"}}."
    ),
    paths(
        complaints::submit,
        complaints::status,
        complaints::supplement,
        cases::detail,
        cases::act,
        cases::queue,
        cases::respondent,
        evidence::case_original,
        evidence::case_preview,
        evidence::complainant_original,
        evidence::complainant_preview,
        respondents::act,
        respondents::proposals,
        search::search,
        watch::watch,
        session::login,
        session::whoami,
        session::logout,
        accounts::set_contact,
        reports::on_time,
        reports::cases,
        reports::freeze,
        deadlines::calendar_day,
        deadlines::compute,
        deadlines::procedures,
        health::healthz,
        health::readyz,
        openapi_json,
    ),
    components(schemas(complaints::WebhookPayload)),
    tags(
        (name = "complaints", description = "filing a complaint and following it"),
        (name = "cases", description = "case detail, life-cycle steps, agency queues and respondents, for logged-in staff: the actor is the session's account, each step needs its role's permission, another agency's case answers 404"),
        (name = "reports", description = "the monthly on-time closure report (按期结案率), its cases and frozen months; pages at /reports/on-time"),
        (name = "session", description = "logging in and out (staff accounts, server-side sessions in a __Host-sid cookie)"),
        (name = "accounts", description = "staff accounts, for administrators: where each is told of what concerns it (e-mail, mobile, language of notices)"),
        (name = "deadlines", description = "the statutory calendar and the deadline calculator"),
        (name = "operations", description = "health and API description"),
    )
)]
pub struct ApiDoc;

/// A number from the query string within the range its parameter declares, else a 422 naming
/// it (never silently clamped: a client asking for 500 rows must not believe it got them all).
pub(crate) fn bounded(
    field: &'static str,
    value: Option<u32>,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, crate::AppError> {
    let v = value.unwrap_or(default);
    if range.contains(&v) {
        return Ok(v);
    }
    let (lo, hi) = (range.start(), range.end());
    Err(crate::AppError::field(
        field,
        "out_of_range",
        format!("{field} 应在 {lo} 到 {hi} 之间，收到 {v}"),
        format!("{field} must be from {lo} to {hi}, not {v}"),
    ))
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations", responses((status = 200, description = "the OpenAPI document")))]
async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let upload_limit = state.limits.request_bytes;
    let uploads = state.intake_limits.uploads.clone();
    let slot = |slots: std::sync::Arc<tokio::sync::Semaphore>| {
        axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                crate::http::upload_slot(slots.clone(), req, next)
            },
        )
    };
    Router::new()
        .route(
            "/api/v1/complaints",
            post(complaints::submit)
                .layer(DefaultBodyLimit::max(upload_limit))
                .layer(slot(uploads.clone())),
        )
        .route("/api/v1/complaints/{case_number}", get(complaints::status))
        .route(
            "/api/v1/complaints/{case_number}/supplement",
            post(complaints::supplement)
                .layer(DefaultBodyLimit::max(upload_limit))
                .layer(slot(uploads.clone())),
        )
        .route("/api/v1/cases/{case_number}", get(cases::detail))
        .route("/api/v1/cases/{case_number}/actions", post(cases::act))
        .route(
            "/api/v1/cases/{case_number}/evidence/{sha256}",
            get(evidence::case_original),
        )
        .route(
            "/api/v1/cases/{case_number}/evidence/{sha256}/preview",
            get(evidence::case_preview),
        )
        .route(
            "/api/v1/complaints/{case_number}/evidence/{sha256}",
            get(evidence::complainant_original),
        )
        .route(
            "/api/v1/complaints/{case_number}/evidence/{sha256}/preview",
            get(evidence::complainant_preview),
        )
        .route("/api/v1/queues", get(cases::queue))
        .route("/api/v1/respondents/{id}", get(cases::respondent))
        .route("/api/v1/respondents/{id}/actions", post(respondents::act))
        .route("/api/v1/respondent-proposals", get(respondents::proposals))
        .route("/api/v1/search", get(search::search))
        .route(
            "/api/v1/session",
            post(session::login)
                .get(session::whoami)
                .delete(session::logout),
        )
        .route(
            "/api/v1/accounts/{username}/contact",
            put(accounts::set_contact),
        )
        .route("/api/v1/watch", get(watch::watch))
        .route("/api/v1/reports/on-time", get(reports::on_time))
        .route("/api/v1/reports/on-time/cases", get(reports::cases))
        .route("/api/v1/reports/on-time/freeze", post(reports::freeze))
        .route("/api/v1/calendar/{date}", get(deadlines::calendar_day))
        .route("/api/v1/deadlines/compute", post(deadlines::compute))
        .route("/api/v1/procedures", get(deadlines::procedures))
        .route("/api/v1/openapi.json", get(openapi_json))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        // Prometheus text, not JSON: left out of the OpenAPI document (docs/operations.md)
        .route("/metrics", get(crate::metrics::scrape))
        .merge(crate::pages::router(upload_limit, uploads))
        .fallback(crate::pages::fallback)
        .with_state(state)
        .layer(axum::middleware::from_fn(crate::auth::csrf_guard))
        .layer(axum::middleware::from_fn(crate::http::refuse_nul))
        .layer(CatchPanicLayer::custom(|_| {
            axum::response::IntoResponse::into_response(crate::AppError::Internal(
                "handler panicked".into(),
            ))
        }))
        .layer(TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn(crate::request_id::access_log))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, RandomRequestId))
}
