//! The kuaiwei HTTP API (axum): complaint intake with evidence uploads, the complainant's
//! status view, the officers' deadline calculator, health checks and the OpenAPI document.
//!
//! Handlers are short: they extract, call one service or store operation, and render. Every
//! error becomes a response in one place ([`AppError`]), with one JSON shape.

mod cases;
mod error;
mod intake;
mod json;
mod request_id;
mod routes;
mod state;
mod token;

pub use error::AppError;
pub use routes::{ApiDoc, router};
pub use state::{AppState, Limits};

use tokio::net::TcpListener;

/// Serves `state` on `listener` until `shutdown` resolves, then lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let purge = tokio::spawn(state::purge_idempotency_periodically(state.clone()));
    let app = router(state);
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    purge.abort();
    result
}
