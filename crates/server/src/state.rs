//! What every handler shares, and the limits on what a client may send.

use std::sync::Arc;
use std::time::Duration;

use kuaiwei_deadlines::Procedures;
use kuaiwei_evidence::EvidenceStore;
use kuaiwei_routing::RuleSet;
use kuaiwei_store::Store;

pub use kuaiwei_cases::time::{CalendarSource, Clock, SharedCalendar};

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
    /// computed from; `None` (the command line): each report reads its window from the store.
    pub report_facts: Option<ReportFacts>,
    /// Session lifetimes, login throttling, the hashing semaphore.
    pub auth: crate::auth::Auth,
    /// Rate limits on public intake, per address and per complainant.
    pub intake_limits: crate::rate::IntakeLimits,
    /// The full-text index, followed from the change log while the server runs; `None`: search
    /// answers 503.
    pub search: Option<Arc<kuaiwei_search::SearchIndex>>,
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
        }
    }
}

/// The last few reports of finished periods, each with the position of the audit chain it was
/// computed at. A finished period's figures change only when a case's clocks change, and every
/// change to a case appends to the chain; so a report computed at the chain's current end is
/// still exact. The case lists behind each figure, the downloads and the page then cost nothing.
#[derive(Clone, Default)]
pub struct ReportCache(Arc<std::sync::Mutex<Vec<CachedReport>>>);

struct CachedReport {
    period: kuaiwei_reports::Period,
    chain_seq: i64,
    report: Arc<kuaiwei_reports::OnTimeReport>,
}

impl ReportCache {
    /// Forgets every kept report (the calendar changed: provisional marks may differ).
    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Periods kept (each a month's lines can weigh tens of megabytes at a million cases).
    const KEEP: usize = 4;
    /// Reports with more case lines than this (a year at a large centre) are not kept.
    pub const MAX_LINES: usize = 250_000;

    pub fn get(
        &self,
        period: kuaiwei_reports::Period,
        chain_seq: i64,
    ) -> Option<Arc<kuaiwei_reports::OnTimeReport>> {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let Some(i) = kept.iter().position(|c| c.period == period) else {
            metrics::counter!("kuaiwei_report_cache_misses_total").increment(1);
            return None;
        };
        if kept[i].chain_seq != chain_seq {
            metrics::counter!("kuaiwei_report_cache_misses_total").increment(1);
            kept.remove(i);
            return None;
        }
        metrics::counter!("kuaiwei_report_cache_hits_total").increment(1);
        // most recently used last
        let hit = kept.remove(i);
        let report = hit.report.clone();
        kept.push(hit);
        Some(report)
    }

    pub fn put(
        &self,
        period: kuaiwei_reports::Period,
        chain_seq: i64,
        report: Arc<kuaiwei_reports::OnTimeReport>,
    ) {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        kept.retain(|c| c.period != period);
        if kept.len() >= Self::KEEP {
            kept.remove(0);
        }
        kept.push(CachedReport {
            period,
            chain_seq,
            report,
        });
    }
}

/// Every clock in compact form ([`kuaiwei_reports::Facts`]) with the change-log position it
/// is current to. Loaded at start ([`crate::reports::warm_facts`]; until then reports read
/// their window from the store), brought up to date from the change log before each report.
#[derive(Clone, Default)]
pub struct ReportFacts {
    pub(crate) held: Arc<tokio::sync::RwLock<Option<HeldFacts>>>,
    /// Set once a load has put a copy in place.
    ready: Arc<std::sync::atomic::AtomicBool>,
    /// Whether a load is under way, and when the last one failed.
    loading: Arc<std::sync::Mutex<Loading>>,
}

#[derive(Default)]
struct Loading {
    running: bool,
    failed_at: Option<std::time::Instant>,
}

impl ReportFacts {
    /// Whether a copy has been loaded (reports read their window from the store until then).
    pub fn is_ready(&self) -> bool {
        self.ready.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Whether a whole load is under way (reports read their window meanwhile).
    pub fn is_loading(&self) -> bool {
        self.loading
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .running
    }

    /// Claims the one load that may run: false if one is under way, or the last one failed
    /// less than `retry_after` ago.
    pub(crate) fn claim_load(&self, retry_after: Duration) -> bool {
        let mut l = self.loading.lock().unwrap_or_else(|e| e.into_inner());
        if l.running || l.failed_at.is_some_and(|t| t.elapsed() < retry_after) {
            return false;
        }
        l.running = true;
        true
    }

    /// Ends the claimed load: a copy is in place, or the load failed.
    pub(crate) fn end_load(&self, loaded: bool) {
        let mut l = self.loading.lock().unwrap_or_else(|e| e.into_inner());
        l.running = false;
        if loaded {
            l.failed_at = None;
            self.ready.store(true, std::sync::atomic::Ordering::Release);
        } else {
            l.failed_at = Some(std::time::Instant::now());
        }
    }
}

pub(crate) struct HeldFacts {
    pub seq: i64,
    pub facts: kuaiwei_reports::Facts,
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
