//! The case core, whatever the front end (API, pages, command line, jobs): a step is parsed at
//! the edge into a typed [`Step`]; [`plan`] decides, without any I/O, what the step does to the
//! case (its next state, agency, outcome, clocks started, paused, extended or stopped, and the
//! audit event) from the case and what was loaded for it beforehand ([`Context`]); the caller
//! writes the returned [`kuaiwei_store::CaseUpdate`] in one transaction. The statutory rules the
//! steps apply (legal-deadlines.md §8) live here, beside the clocks in [`clocks`].

#![forbid(unsafe_code)]

pub mod clocks;
mod error;
mod plan;
pub mod step;

#[cfg(test)]
mod tests;

pub use error::CaseError;
pub use plan::{AlsoRoute, Context, RouteDecision, allowed, plan};
pub use step::{ClockPolicy, Reason, Step};
