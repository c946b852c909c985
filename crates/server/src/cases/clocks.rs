//! How the steps of a case start, pause, extend and stop its statutory clocks, and how a stored
//! clock is recomputed from its inputs with the pure `compute_clock`.
//!
//! - Routing attaches the procedures of the route. A clock whose trigger is `opened` (P3, M2 …)
//!   waits for 立案; the fair hand-over clock F1 (展会知识产权保护办法 Art. 11: 24 h from complete
//!   materials) runs from acceptance and stops at the hand-over, i.e. the routing itself; every
//!   other clock starts when the agency receives the case, at routing.
//! - Opening (立案) stops the clocks that led to the decision (P1, M1 …) and starts the waiting ones.
//! - Suspending adds an excluded period to every running clock whose procedure lists that kind;
//!   resuming ends it. An approved extension is added to the running clocks that allow one.
//! - Closing, refusing and transferring stop every running clock.

use jiff::Timestamp;
use kuaiwei_deadlines::{
    Calendar, ClockError, ClockInput, Exclusion, Extension, Procedure, Procedures, compute_clock,
};
use kuaiwei_store::StoredClock;

use crate::AppError;

/// The fair hand-over clock: runs from acceptance to routing.
pub const HANDOVER: &str = "F1";

pub use kuaiwei_deadlines::ClockInputs;

pub fn inputs(c: &StoredClock) -> ClockInputs {
    serde_json::from_value(c.inputs.clone()).unwrap_or_default()
}

pub fn procedure<'a>(procedures: &'a Procedures, id: &str) -> Result<&'a Procedure, AppError> {
    procedures.get(id).ok_or_else(|| {
        AppError::field(
            "procedures",
            "unknown_procedure",
            format!("未知的程序编号 {id}"),
            format!("unknown procedure {id}"),
        )
    })
}

/// A new clock, started at `start` or waiting for its trigger.
pub fn new_clock(id: &str, start: Option<Timestamp>) -> StoredClock {
    StoredClock {
        procedure_id: id.to_string(),
        started_at: start,
        closed_at: None,
        due_at: None,
        status: "pending".into(),
        inputs: serde_json::to_value(ClockInputs::default()).unwrap_or_default(),
    }
}

pub fn is_running(c: &StoredClock) -> bool {
    c.started_at.is_some() && c.closed_at.is_none()
}

/// The computed state of a stored clock as seen at `now`; `None` for a clock not yet started.
pub fn compute(
    calendar: &Calendar,
    procedures: &Procedures,
    c: &StoredClock,
    now: Timestamp,
) -> Option<Result<kuaiwei_deadlines::ClockState, ClockError>> {
    let start = c.started_at?;
    let p = procedures.get(&c.procedure_id)?;
    let i = inputs(c);
    let mut input = ClockInput::new(start, now.max(start));
    input.exclusions = i.exclusions;
    input.extensions = i.extensions;
    input.closed_at = c.closed_at;
    Some(compute_clock(calendar, p, &input))
}

/// Fills `due_at` and `status` from the inputs. A year whose schedule is not loaded leaves the
/// due date empty with the status `not_computable` (never guessed); any other refusal (more
/// extensions than the law allows …) is an error for the caller.
pub fn refresh(
    calendar: &Calendar,
    procedures: &Procedures,
    clocks: &mut [StoredClock],
    now: Timestamp,
) -> Result<(), AppError> {
    for c in clocks.iter_mut() {
        match compute(calendar, procedures, c, now) {
            None => {
                c.due_at = None;
                c.status = "pending".into();
            }
            Some(Ok(state)) => {
                c.due_at = Some(state.due);
                c.status = state.status.key().into();
            }
            Some(Err(e)) if e.missing_year().is_some() => {
                c.due_at = None;
                c.status = "not_computable".into();
            }
            Some(Err(e)) => {
                let text = e.to_string();
                let (zh, en) = text.split_once(" / ").unwrap_or((&text, &text));
                return Err(AppError::field("clock", "deadline_rule", zh, en));
            }
        }
    }
    Ok(())
}

/// Whether a stored due instant falls in a year whose holiday schedule is provisional (not yet
/// published): a day-based due at 24:00 belongs to the day before.
pub fn due_is_provisional(calendar: &Calendar, due: Timestamp) -> bool {
    let day = kuaiwei_deadlines::local_date(due - jiff::SignedDuration::from_micros(1));
    calendar.is_provisional(day.year())
}

/// Stops every running clock at `at`.
pub fn stop_all(clocks: &mut [StoredClock], at: Timestamp) {
    for c in clocks.iter_mut().filter(|c| is_running(c)) {
        c.closed_at = Some(at);
    }
}

fn set_inputs(c: &mut StoredClock, i: &ClockInputs) {
    c.inputs = serde_json::to_value(i).unwrap_or_default();
}

/// Adds an open excluded period of `kind` to the running clocks whose procedure allows it.
pub fn pause(
    procedures: &Procedures,
    clocks: &mut [StoredClock],
    kind: kuaiwei_deadlines::ExclusionKind,
    at: Timestamp,
    reason: &str,
) -> usize {
    let mut paused = 0;
    for c in clocks.iter_mut().filter(|c| is_running(c)) {
        if procedures
            .get(&c.procedure_id)
            .is_some_and(|p| p.allows(kind))
        {
            let mut i = inputs(c);
            i.exclusions.push(Exclusion {
                kind,
                from: at,
                to: None,
                reason: reason.to_string(),
            });
            set_inputs(c, &i);
            paused += 1;
        }
    }
    paused
}

/// Ends every open excluded period at `at`.
pub fn resume(clocks: &mut [StoredClock], at: Timestamp) {
    for c in clocks.iter_mut() {
        let mut i = inputs(c);
        let mut changed = false;
        for x in i.exclusions.iter_mut().filter(|x| x.to.is_none()) {
            x.to = Some(at.max(x.from));
            changed = true;
        }
        if changed {
            set_inputs(c, &i);
        }
    }
}

/// Adds an approved extension to the running clocks whose procedure allows one.
/// The running clocks an extension would lengthen whose period has already run out at `now`:
/// an expired period cannot be extended (legal-deadlines.md §8.2); the case stays late.
pub fn expired_extendable<'a>(
    procedures: &Procedures,
    clocks: &'a [StoredClock],
    now: Timestamp,
) -> Vec<&'a StoredClock> {
    clocks
        .iter()
        .filter(|c| is_running(c))
        .filter(|c| {
            procedures
                .get(&c.procedure_id)
                .is_some_and(|p| !p.extensions.is_empty())
        })
        .filter(|c| c.due_at.is_some_and(|due| due < now))
        .collect()
}

pub fn extend(procedures: &Procedures, clocks: &mut [StoredClock], extension: &Extension) -> usize {
    let mut extended = 0;
    for c in clocks.iter_mut().filter(|c| is_running(c)) {
        if procedures
            .get(&c.procedure_id)
            .is_some_and(|p| !p.extensions.is_empty())
        {
            let mut i = inputs(c);
            i.extensions.push(extension.clone());
            set_inputs(c, &i);
            extended += 1;
        }
    }
    extended
}
