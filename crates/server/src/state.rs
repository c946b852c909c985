//! What every handler shares, and the limits on what a client may send.

use std::sync::Arc;
use std::time::Duration;

use kuaiwei_deadlines::{Calendar, Procedures};
use kuaiwei_evidence::EvidenceStore;
use kuaiwei_routing::RuleSet;
use kuaiwei_store::Store;

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
}

/// The calendar every step and view computes with. A server started with a `source` (the data
/// directory's calendar files) looks at it every [`SharedCalendar::POLL`] and takes a changed
/// schedule without a restart, then recomputes the due dates it moves
/// ([`crate::cases::recompute_after_calendar_change`]).
#[derive(Clone)]
pub struct SharedCalendar {
    current: Arc<std::sync::RwLock<Arc<Calendar>>>,
    source: Option<CalendarSource>,
    /// Where published years are installed (`DATA_DIR/calendar`), for a server that reads them.
    dir: Option<std::path::PathBuf>,
}

/// Reads the calendar afresh (the data directory's year files over the bundled ones).
pub type CalendarSource = Arc<dyn Fn() -> Result<Calendar, String> + Send + Sync>;

impl SharedCalendar {
    /// How often a server with a source looks for a changed schedule.
    pub const POLL: Duration = Duration::from_secs(30);

    /// A calendar that never changes while the server runs (tests, one-shot commands).
    pub fn fixed(calendar: Calendar) -> SharedCalendar {
        SharedCalendar {
            current: Arc::new(std::sync::RwLock::new(Arc::new(calendar))),
            source: None,
            dir: None,
        }
    }

    /// `calendar` now, and whatever `source` gives when it changes; years are installed into
    /// `dir`, which `source` reads.
    pub fn reloading(
        calendar: Calendar,
        source: CalendarSource,
        dir: std::path::PathBuf,
    ) -> SharedCalendar {
        SharedCalendar {
            source: Some(source),
            dir: Some(dir),
            ..SharedCalendar::fixed(calendar)
        }
    }

    /// The directory years are installed into, if this calendar reads one.
    pub fn dir(&self) -> Option<&std::path::Path> {
        self.dir.as_deref()
    }

    /// The calendar as it stands.
    pub fn current(&self) -> Arc<Calendar> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn source(&self) -> Option<&CalendarSource> {
        self.source.as_ref()
    }

    /// Takes `calendar` from now on.
    pub fn replace(&self, calendar: Calendar) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(calendar);
    }
}

/// The server's idea of now. Tests and replays set it; everything that stamps or judges time
/// (receipt, steps, clock status, reports) asks it rather than the system clock.
#[derive(Clone, Default)]
pub struct Clock(Option<Arc<std::sync::Mutex<jiff::Timestamp>>>);

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock(None)
    }

    /// A clock that stays at `at` until set.
    pub fn fixed(at: jiff::Timestamp) -> Clock {
        Clock(Some(Arc::new(std::sync::Mutex::new(at))))
    }

    pub fn now(&self) -> jiff::Timestamp {
        match &self.0 {
            None => jiff::Timestamp::now(),
            Some(t) => *t.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// Moves a fixed clock to `at`; the system clock cannot be set and ignores it.
    pub fn set(&self, at: jiff::Timestamp) {
        if let Some(t) = &self.0 {
            *t.lock().unwrap_or_else(|e| e.into_inner()) = at;
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
