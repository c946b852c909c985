//! The case clock: a pure function from a procedure, the case's start, excluded periods,
//! approved extensions, closing and "now" to the due instant, the status and the explanation.
//!
//! Counting rules (legal-deadlines.md §3), all in Asia/Shanghai local dates:
//! - hours: exact, across nights, weekends and holidays, never rolled (民法典 Art. 201);
//! - calendar days and months: counted from the day after the start; the last day, if not a
//!   working day, rolls forward to the next one (民诉法 Art. 85(3); 民法典 Arts. 202, 203);
//! - working days: the N-th working day after the start day (行政处罚法 Art. 85);
//! - a day-based period ends at 24:00 of its last day, the next local midnight (民法典 Art. 203(2)).
//!
//! Excluded periods (中止, 鉴定, 听证 ...) stop the clock, in its own unit:
//! - an hours clock is pushed by the exact paused time that falls after the start and before
//!   the (moving) due instant;
//! - a day-based clock works on local dates: a period from instant A to instant B excludes the
//!   local dates `date(A) ..< date(B)`, so the day it starts is excluded and the day it ends
//!   counts again, and a period that starts and ends on the same date excludes nothing. A
//!   calendar-day or month clock is pushed one day per excluded date after the start day and on
//!   or before the (moving) end, and the roll forward also passes over excluded dates; a
//!   working-day clock does not count excluded working days;
//! - an open period (no end) runs to `now` (the due date is then provisional and the status
//!   `Paused`); every period is cut at `closed_at`;
//! - overlapping periods are merged first, so no time is counted twice; a period that starts
//!   after the clock has run out changes nothing.
//!
//! Extensions lengthen the period itself (P3: 3 + 1 months is the corresponding day 4 months on),
//! in the procedure's own unit, in the order of the procedure's extension rules.

mod compute;
mod narrate;
mod resolve;

#[cfg(test)]
mod period_tests;
#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::explain::Step;
use crate::procedure::ExclusionKind;
use crate::unit::{Amount, Unit};

pub use compute::compute_clock;

/// A period that stops the clock, with the rule's kind and the recorded reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    pub kind: ExclusionKind,
    pub from: Timestamp,
    /// `None` while the period is still running.
    pub to: Option<Timestamp>,
    pub reason: String,
}

/// What an approved extension grants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtensionGrant {
    /// The procedure's extension rule `index` (0-based); `amount` defaults to the rule's full
    /// amount and is required for a collective rule.
    Rule {
        index: usize,
        amount: Option<Amount>,
    },
    /// This amount, under the first extension rule not yet used up.
    Amount(Amount),
}

/// An approved extension.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub approved_at: Timestamp,
    pub approver: String,
    pub grant: ExtensionGrant,
}

/// What a case keeps of a clock besides its start and end: its excluded periods and approved
/// extensions, enough to recompute it (and to measure its duration net of excluded time).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockInputs {
    pub exclusions: Vec<Exclusion>,
    pub extensions: Vec<Extension>,
}

/// Everything the clock depends on besides the procedure and the calendar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockInput {
    pub start: Timestamp,
    pub exclusions: Vec<Exclusion>,
    pub extensions: Vec<Extension>,
    pub closed_at: Option<Timestamp>,
    pub now: Timestamp,
    /// A running clock with no more than this time left is `DueSoon`.
    pub due_soon: SignedDuration,
}

impl ClockInput {
    /// The default due-soon threshold: 3 days.
    pub const DEFAULT_DUE_SOON: SignedDuration = SignedDuration::from_hours(72);

    /// A clock started at `start`, seen at `now`, with nothing excluded or extended.
    pub fn new(start: Timestamp, now: Timestamp) -> Self {
        ClockInput {
            start,
            exclusions: Vec::new(),
            extensions: Vec::new(),
            closed_at: None,
            now,
            due_soon: Self::DEFAULT_DUE_SOON,
        }
    }
}

/// Where the clock stands at `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockStatus {
    Running,
    /// An excluded period covers `now`; the due date is provisional.
    Paused,
    DueSoon,
    Overdue,
    ClosedOnTime,
    ClosedLate,
}

impl ClockStatus {
    /// The machine key, as stored and served (`running`, `closed_late` …).
    pub fn key(self) -> &'static str {
        match self {
            ClockStatus::Running => "running",
            ClockStatus::Paused => "paused",
            ClockStatus::DueSoon => "due_soon",
            ClockStatus::Overdue => "overdue",
            ClockStatus::ClosedOnTime => "closed_on_time",
            ClockStatus::ClosedLate => "closed_late",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            ClockStatus::Running => "计时中",
            ClockStatus::Paused => "暂停计时",
            ClockStatus::DueSoon => "即将到期",
            ClockStatus::Overdue => "已超期",
            ClockStatus::ClosedOnTime => "按期结案",
            ClockStatus::ClosedLate => "超期结案",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            ClockStatus::Running => "running",
            ClockStatus::Paused => "paused",
            ClockStatus::DueSoon => "due soon",
            ClockStatus::Overdue => "overdue",
            ClockStatus::ClosedOnTime => "closed on time",
            ClockStatus::ClosedLate => "closed late",
        }
    }
}

/// The computed clock, derived only from its inputs and the calendar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockState {
    pub procedure_id: String,
    pub unit: Unit,
    /// Due instant from the limit alone (no exclusions, no extensions).
    pub nominal_due: Timestamp,
    pub nominal_due_date: Date,
    /// Effective due instant: 24:00 Asia/Shanghai of `due_date` for day-based units, exact for hours.
    pub due: Timestamp,
    /// Local date of the effective due.
    pub due_date: Date,
    /// The effective last day before any roll forward: an internal target with a safety margin
    /// (legal-deadlines.md §3); equals `due_date` for hours and working days.
    pub unrolled_due_date: Date,
    /// `due` minus `closed_at` (if closed) or `now`; negative when overdue or closed late.
    pub time_left: SignedDuration,
    pub status: ClockStatus,
    /// Days not counted (calendar days, or working days for a working-day clock).
    pub excluded_days: i64,
    /// Paused time not counted by an hours clock.
    pub excluded_time: SignedDuration,
    /// The extensions applied, in order.
    pub extended_by: Vec<Amount>,
    /// First and last calendar year the computation depends on.
    pub years: (i16, i16),
    /// The years among them counted on a provisional schedule (notice not yet published,
    /// legal-deadlines.md §8.6): the due date is provisional and is recomputed when the notice
    /// is loaded. Empty for an hours clock, which no holiday moves.
    #[serde(default)]
    pub provisional: Vec<i16>,
    pub explanation: Vec<Step>,
}

impl ClockState {
    /// Whether the due date depends on a year whose holiday notice is not yet loaded.
    pub fn is_provisional(&self) -> bool {
        !self.provisional.is_empty()
    }

    /// Whether loading or replacing the schedule of `year` can change this clock; a store
    /// recomputes such clocks (and those that failed with [`crate::ClockError::missing_year`]).
    pub fn depends_on_year(&self, year: i16) -> bool {
        (self.years.0..=self.years.1).contains(&year)
    }
}
