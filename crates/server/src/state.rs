//! What every handler shares, and the limits on what a client may send.

use std::sync::Arc;
use std::time::Duration;

use kuaiwei_deadlines::Procedures;
use kuaiwei_evidence::EvidenceStore;
use kuaiwei_routing::RuleSet;
use kuaiwei_store::Store;

pub use kuaiwei_cases::time::{CalendarSource, Clock, SharedCalendar};
pub use kuaiwei_reports::{ReportCache, ReportFacts};

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub evidence: EvidenceStore,
    pub limits: Limits,
    /// The working-day calendar, replaced while the server runs when an administrator loads a
    /// year's schedule (see [`SharedCalendar`]).
    pub calendar: SharedCalendar,
    pub procedures: Arc<Procedures>,
    /// Routing rules: bundled, or the administrator's `DATA_DIR/routing.toml`.
    pub rules: Arc<RuleSet>,
    /// Thresholds of the repeat-infringer and group-infringement findings.
    pub triage: crate::cases::TriageConfig,
    /// What time it is: the system clock, or a clock a test sets.
    pub clock: Clock,
    /// Reports of finished periods, as last computed.
    pub report_cache: ReportCache,
    /// The server's copy of every clock, kept current from the change log, that reports are
    /// computed from (see [`AppState::reports`]); `None`: each report reads its window from the
    /// store.
    pub report_facts: Option<ReportFacts>,
    /// Session lifetimes, login throttling, the hashing semaphore.
    pub auth: crate::auth::Auth,
    /// Rate limits on public intake, per address and per complainant.
    pub intake_limits: crate::rate::IntakeLimits,
    /// The full-text index, followed from the change log while the server runs; `None`: search
    /// answers 503.
    pub search: Option<Arc<kuaiwei_search::SearchIndex>>,
    /// The channels people are told on (`[notify]`); `None`: nothing is written to the outbox.
    pub notify: Option<Arc<kuaiwei_notify::Channels>>,
    /// Whether `/metrics` is served, and to whom (off by default).
    pub metrics: crate::Metrics,
}

impl AppState {
    /// The case service over this state's store, rules, calendar and clock: every step, from
    /// the API, a page or a job, goes through it.
    pub fn cases(&self) -> kuaiwei_cases::CaseService {
        kuaiwei_cases::CaseService {
            store: self.store.clone(),
            procedures: self.procedures.clone(),
            rules: self.rules.clone(),
            calendar: self.calendar.clone(),
            clock: self.clock.clone(),
            repeat: self.triage.repeat(),
            staff_channels: self.notify.as_ref().map(|c| c.staff()).unwrap_or_default(),
        }
    }
}

/// Bounds on one request. Past any of them the answer is 413 and nothing is stored.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// A JSON complaint, or the JSON part of a multipart one.
    pub json_bytes: usize,
    /// One evidence file.
    pub file_bytes: u64,
    /// Evidence files in one complaint.
    pub files: usize,
    /// A whole multipart request.
    pub request_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            json_bytes: 1 << 20,
            file_bytes: 20 << 20,
            files: 20,
            request_bytes: 100 << 20,
        }
    }
}

/// How long a retry with the same `Idempotency-Key` returns the first receipt.
pub const IDEMPOTENCY_WINDOW: Duration = Duration::from_secs(72 * 3600);

/// Forgets idempotency records past their window, hourly.
pub(crate) async fn purge_idempotency_periodically(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let before = jiff::Timestamp::now() - IDEMPOTENCY_WINDOW;
        match state.store.purge_idempotency(before).await {
            Ok(n) if n > 0 => {
                tracing::info!(purged = n, "idempotency records past their window removed")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "purging idempotency records failed"),
        }
    }
}
