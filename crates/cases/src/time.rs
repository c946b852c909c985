//! Time as the case core sees it: the server's idea of now ([`Clock`], set by tests and
//! replays) and the working-day calendar in use ([`SharedCalendar`], replaced without a restart
//! when an administrator loads a year).

use std::sync::Arc;
use std::time::Duration;

use kuaiwei_deadlines::Calendar;

/// The calendar every step and view computes with. A server started with a `source` (the data
/// directory's calendar files) looks at it every [`SharedCalendar::POLL`] and takes a changed
/// schedule without a restart, then recomputes the due dates it moves
/// ([`crate::CaseService::recompute_after_calendar_change`]).
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
