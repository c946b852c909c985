//! The case core, whatever the front end (API, pages, command line, jobs): a step is parsed at
//! the edge into a typed [`Step`]; [`plan`] decides, without any I/O, what the step does to the
//! case (its next state, agency, outcome, clocks started, paused, extended or stopped, and the
//! audit event) from the case and what was loaded for it beforehand ([`Context`]); the
//! [`CaseService`] loads that context, asks the plan and writes the returned
//! [`kuaiwei_store::CaseUpdate`] in one transaction, for every front end (API, pages, command
//! line), with the messages the step writes to the complainant and to staff ([`tell`]). The
//! statutory rules the steps apply (legal-deadlines.md §8) live here: as data in
//! `data/case_rules.toml` ([`rules`]), beside the clocks in [`clocks`].

#![forbid(unsafe_code)]

pub mod clocks;
mod error;
mod plan;
mod recompute;
pub mod route;
pub mod rules;
mod service;
pub mod step;
pub mod tell;
pub mod time;

#[cfg(test)]
mod tests;

pub use error::CaseError;
pub use plan::{AlsoRoute, Context, RouteDecision, allowed, plan};
pub use recompute::{Recomputed, SYSTEM, first_changed_year, start_recompute_since};
pub use rules::{CaseRules, RepeatRule};
pub use service::{Actor, CaseService, GivenFacts, materials_held, notice_of, supplement_awaited};
pub use step::{ClockPolicy, Reason, Step};
pub use time::{CalendarSource, Clock, SharedCalendar};
