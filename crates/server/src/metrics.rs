//! Prometheus metrics (docs/operations.md: Metrics): one recorder per process, rendered by
//! `GET /metrics` in the text format. Off unless the config names a scrape token; then a
//! scraper sends `Authorization: Bearer <token>`, or an administrator reads it in a session.
//! The client address is never trusted for this: behind a local reverse proxy every request
//! comes from the loopback address.
//!
//! Labels are few and bounded: a route is its pattern (`/api/v1/cases/{case_number}`), never
//! the path a client sent, and no label ever holds a case number, a name or a query.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, State};
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use kuaiwei_access::Action;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sha2::{Digest, Sha256};

use crate::{AppError, AppState};

/// The clock gauges are computed at most this often (a scrape in between reads the last ones).
const CLOCKS_EVERY: Duration = Duration::from_secs(60);
/// "Due soon" for the clock gauges: the deadline watch's default horizon, in days.
const DUE_SOON_DAYS: u32 = 7;

/// Latencies, from a fast JSON answer to a large upload's inspection.
const SECONDS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
/// Requests in one group commit (`commit_batch`, 64 by default).
const BATCH: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

/// Whether `/metrics` is served, and to whom; the clock gauges' last computation.
#[derive(Clone, Default)]
pub struct Metrics {
    /// SHA-256 of the scrape token; `None`: `/metrics` answers 404.
    token: Option<[u8; 32]>,
    clocks: Arc<tokio::sync::Mutex<Option<Instant>>>,
}

impl Metrics {
    /// `/metrics` served to requests carrying `token` (checked by the config: at least 16
    /// characters), and to administrators. Installs the process's recorder if none is.
    pub fn with_token(token: &str) -> Metrics {
        handle();
        Metrics {
            token: Some(Sha256::digest(token.as_bytes()).into()),
            clocks: Default::default(),
        }
    }

    pub fn is_on(&self) -> bool {
        self.token.is_some()
    }
}

/// The process's recorder, installed at the first call: every server of a process (tests start
/// many) shares it. `None` if another recorder was installed first.
fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE.get_or_init(install).as_ref()
}

fn install() -> Option<PrometheusHandle> {
    // with buckets, histograms are Prometheus histograms (aggregatable), not summaries
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS)
        .and_then(|b| {
            b.set_buckets_for_metric(
                Matcher::Full("kuaiwei_store_commit_batch_size".into()),
                BATCH,
            )
        })
        .map(|b| b.build_recorder());
    let recorder = match recorder {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "metrics recorder not built; /metrics stays empty");
            return None;
        }
    };
    let handle = recorder.handle();
    if let Err(e) = metrics::set_global_recorder(recorder) {
        tracing::error!(error = %e, "another metrics recorder is installed; /metrics stays empty");
        return None;
    }
    describe();
    // without its HTTP listener the exporter runs no upkeep of its own: histogram samples
    // would pile up between scrapes
    let upkeep = handle.clone();
    let spawned = std::thread::Builder::new()
        .name("metrics-upkeep".into())
        .spawn(move || {
            loop {
                std::thread::sleep(Duration::from_secs(5));
                upkeep.run_upkeep();
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "metrics upkeep thread not started");
    }
    Some(handle)
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "kuaiwei_http_requests_total",
        "HTTP requests answered, by method, route pattern and status"
    );
    describe_histogram!(
        "kuaiwei_http_request_duration_seconds",
        Unit::Seconds,
        "time to answer an HTTP request, by method and route pattern"
    );
    describe_counter!(
        "kuaiwei_intake_acknowledged_total",
        "complaints committed and acknowledged with a receipt, by channel (retries not counted)"
    );
    describe_histogram!(
        "kuaiwei_store_commit_batch_size",
        "requests committed together in one group-commit transaction"
    );
    describe_gauge!(
        "kuaiwei_search_index_lag",
        "change-log entries not yet in the search index"
    );
    describe_gauge!(
        "kuaiwei_respondent_pass_lag",
        "change-log entries the respondent pass has not done yet (filed complaints without their respondent and match keys among them)"
    );
    describe_counter!(
        "kuaiwei_report_cache_hits_total",
        "on-time reports of finished periods served from the cache"
    );
    describe_counter!(
        "kuaiwei_report_cache_misses_total",
        "on-time reports of finished periods not in the cache (or outdated)"
    );
    describe_gauge!(
        "kuaiwei_clocks",
        "open cases whose next deadline is overdue or due within 7 days, by agency (none: not routed); computed at most once a minute"
    );
    describe_counter!(
        "kuaiwei_evidence_files_total",
        "evidence files received, by outcome: accepted, refused (size, type, content), aborted (the request broke off), failed (our fault)"
    );
    describe_histogram!(
        "kuaiwei_evidence_processing_duration_seconds",
        Unit::Seconds,
        "time to seal and inspect an evidence file once received"
    );
}

/// `GET /metrics`: the Prometheus text format. 404 when no scrape token is configured; 401
/// without the right bearer token or a session; 403 for a session of a role without it.
pub async fn scrape(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let Some(expected) = state.metrics.token else {
        return Err(AppError::NotFound);
    };
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match bearer {
        Some(presented)
            if same(
                &Sha256::digest(presented.trim().as_bytes()).into(),
                &expected,
            ) => {}
        Some(_) => {
            tracing::warn!("metrics scrape with a wrong token refused");
            return Err(unauthorized());
        }
        None => {
            let account = match crate::auth::current(&state, &headers).await {
                Ok(a) => a,
                Err(AppError::Unauthorized { .. }) => return Err(unauthorized()),
                Err(e) => return Err(e),
            };
            let principal = crate::auth::principal(&account).ok_or_else(|| {
                AppError::Internal(format!("account {} has an unknown role", account.username))
            })?;
            let caller = crate::auth::Caller { principal, account };
            caller.require(&state, Action::ReadMetrics, None).await?;
        }
    }
    refresh_clocks(&state).await;
    let body = handle().map(|h| h.render()).unwrap_or_default();
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response())
}

fn unauthorized() -> AppError {
    AppError::Unauthorized {
        code: "metrics_token",
        zh: "读取指标须携带 Authorization: Bearer <[metrics] token>，或以系统管理员身份登录".into(),
        en: "metrics need Authorization: Bearer <[metrics] token>, or an administrator's session"
            .into(),
    }
}

/// Equality of two digests in time independent of where they differ.
fn same(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// The clock gauges, from the deadline watch's query, unless computed less than a minute ago.
async fn refresh_clocks(state: &AppState) {
    let mut last = state.metrics.clocks.lock().await;
    if last.is_some_and(|t| t.elapsed() < CLOCKS_EVERY) {
        return;
    }
    // a failure is retried a minute later, not at every scrape
    *last = Some(Instant::now());
    match crate::reports::watch(state, DUE_SOON_DAYS, None, None).await {
        Ok(w) => {
            for (agency, status, n) in clock_counts(&w) {
                metrics::gauge!("kuaiwei_clocks", "agency" => agency, "status" => status)
                    .set(n as f64);
            }
        }
        Err(e) => tracing::warn!(error = %e, "clock gauges not computed"),
    }
}

/// Overdue and due-soon counts for every agency and for cases not yet routed (`none`), zeros
/// included, so that a gauge falls back to 0 when its last case is dealt with.
fn clock_counts(w: &kuaiwei_reports::Watch) -> Vec<(&'static str, &'static str, usize)> {
    let agencies = kuaiwei_routing::Agency::ALL
        .iter()
        .map(|a| Some(a.key()))
        .chain([None]);
    let mut out = Vec::new();
    for key in agencies {
        let found = w.agencies.iter().find(|a| a.agency.as_deref() == key);
        let (overdue, due_soon) = found.map_or((0, 0), |a| (a.overdue.len(), a.due_soon.len()));
        let label = key.unwrap_or("none");
        out.push((label, "overdue", overdue));
        out.push((label, "due_soon", due_soon));
    }
    out
}

/// The request counter and latency histogram of one answered request (from the access log).
pub(crate) fn http_request(
    method: &Method,
    route: Option<&MatchedPath>,
    status: u16,
    took: Duration,
) {
    let method = match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        // any token is a method to hyper: a label per invented one would grow without bound
        _ => "other",
    };
    let route = route.map_or_else(|| "unmatched".to_string(), |r| r.as_str().to_string());
    metrics::counter!(
        "kuaiwei_http_requests_total",
        "method" => method,
        "route" => route.clone(),
        "status" => status.to_string()
    )
    .increment(1);
    metrics::histogram!(
        "kuaiwei_http_request_duration_seconds",
        "method" => method,
        "route" => route
    )
    .record(took);
}

/// One evidence file received: its outcome, and how long sealing and inspecting it took (`None`:
/// its upload did not end).
pub(crate) fn evidence_file<T>(received: &Result<T, AppError>, took: Option<Duration>) {
    let outcome = match received {
        Ok(_) => "accepted",
        Err(AppError::Internal(_)) => "failed",
        Err(
            AppError::TooLarge { .. }
            | AppError::UnsupportedMediaType { .. }
            | AppError::Validation(_),
        ) => "refused",
        Err(_) => "aborted",
    };
    metrics::counter!("kuaiwei_evidence_files_total", "outcome" => outcome).increment(1);
    if let Some(took) = took {
        metrics::histogram!("kuaiwei_evidence_processing_duration_seconds").record(took);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_the_same_only_when_every_byte_is() {
        let a = [7u8; 32];
        let mut b = a;
        assert!(same(&a, &b));
        b[31] ^= 1;
        assert!(!same(&a, &b));
        b = a;
        b[0] = 0;
        assert!(!same(&a, &b));
    }

    #[test]
    fn every_agency_and_the_unrouted_have_both_gauges_zeros_included() {
        let w = kuaiwei_reports::Watch {
            as_of: jiff::Timestamp::UNIX_EPOCH,
            days: 7,
            overdue: 0,
            due_soon: 0,
            agencies: Vec::new(),
        };
        let counts = clock_counts(&w);
        assert_eq!(counts.len(), 2 * (kuaiwei_routing::Agency::ALL.len() + 1));
        assert!(counts.iter().all(|(_, _, n)| *n == 0));
        assert!(counts.contains(&("customs", "overdue", 0)));
        assert!(counts.contains(&("none", "due_soon", 0)));
    }
}
