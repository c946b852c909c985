//! The pure heart of kuaiwei's deadlines: statutory due dates, right to the day, across Chinese
//! public holidays and adjusted working weekends (调休上班). [`Calendar`] is the working-day
//! calendar loaded from State Council holiday notices kept as data files (2024-2026 bundled);
//! [`Procedures`] are the statutory time limits (F1 24 h, P3 3 months + 1, M2 90 days + 30, customs
//! 3/20/30/50 working days ...) kept as a data file an administrator may override; and
//! [`compute_clock`] derives a case's due instant, status and a bilingual step-by-step explanation
//! from its start, excluded periods and approved extensions. No clock, no file system, no network:
//! "now" and the calendar are passed in, and a date in a year whose schedule is not loaded is
//! refused ([`CalendarError::YearNotLoaded`]), never guessed.

#![forbid(unsafe_code)]

mod calendar;
mod clock;
mod error;
mod explain;
mod procedure;
mod ranges;
mod text;
mod tz;
mod unit;

pub use calendar::{Calendar, Day, Holiday, YearData};
pub use clock::{
    ClockInput, ClockInputs, ClockState, ClockStatus, Exclusion, Extension, ExtensionGrant,
    compute_clock,
};
pub use error::{Bilingual, CalendarError, ClockError, DataError, Issue, ProcedureError};
pub use explain::Step;
pub use procedure::{
    ExclusionKind, ExtensionRule, LegalBasis, Procedure, Procedures, RuleGrant, Trigger,
    Verification,
};
pub use tz::{day_end, local_date, shanghai};
pub use unit::{Amount, AmountParseError, Unit};
