//! How the steps of a case start, pause, extend and stop its statutory clocks, and how a stored
//! clock is recomputed from its inputs with the pure `compute_clock`.
//!
//! - Routing attaches the procedures of the route. A clock whose trigger is `opened` (P3, M2 …)
//!   waits for 立案; the fair hand-over clock F1 (展会知识产权保护办法 Art. 11: 24 h from the
//!   receipt of complete materials, legal-deadlines.md §8.4) runs from the receipt of the
//!   materials the acceptance relied on and stops at the hand-over, i.e. the routing itself;
//!   every other clock starts when the agency receives the case, at routing.
//! - Opening (立案) stops the clocks that led to the decision (P1, M1 …) and starts the waiting ones.
//! - Suspending adds an excluded period to every running clock whose procedure lists that kind;
//!   resuming ends it. An approved extension is added to the running clocks that allow one.
//! - Closing, refusing and transferring stop every running clock.
//!
//! A clock's stored inputs (pauses, extensions) change its due date: they are typed in the store
//! contract, and a stored clock that cannot be read is an error of the store naming the case and
//! the clock, never read as "nothing paused or extended".

use jiff::Timestamp;
use kuaiwei_deadlines::{
    Bilingual, Calendar, ClockError, ClockInput, ClockInputs, ClockState, Exclusion, ExclusionKind,
    Extension, Procedure, Procedures, compute_clock,
};
use kuaiwei_store::{ClockStanding, StoredClock};

use crate::CaseError;

/// The procedure `id`, or a 422-style refusal naming it.
pub fn procedure<'a>(procedures: &'a Procedures, id: &str) -> Result<&'a Procedure, CaseError> {
    procedures.get(id).ok_or_else(|| {
        CaseError::field(
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
        status: ClockStanding::Pending,
        inputs: ClockInputs::default(),
    }
}

pub fn is_running(c: &StoredClock) -> bool {
    c.started_at.is_some() && c.closed_at.is_none()
}

/// The computed state of a stored clock as seen at `now`; `None` for a clock not yet started or
/// of an unknown procedure. The deadline rules may refuse it (a year before 2025 not loaded,
/// more extensions than the law allows …).
pub fn compute(
    calendar: &Calendar,
    procedures: &Procedures,
    c: &StoredClock,
    now: Timestamp,
) -> Option<Result<ClockState, ClockError>> {
    let start = c.started_at?;
    let p = procedures.get(&c.procedure_id)?;
    let mut input = ClockInput::new(start, now.max(start));
    input.exclusions = c.inputs.exclusions.clone();
    input.extensions = c.inputs.extensions.clone();
    input.closed_at = c.closed_at;
    Some(compute_clock(calendar, p, &input))
}

/// Fills `due_at` and `status` from the inputs. A year whose schedule cannot be had (before 2025
/// and not loaded) leaves the due date empty with the status `not_computable` (never guessed);
/// any other refusal (more extensions than the law allows) is an error.
pub fn refresh(
    calendar: &Calendar,
    procedures: &Procedures,
    clocks: &mut [StoredClock],
    now: Timestamp,
) -> Result<(), CaseError> {
    for c in clocks.iter_mut() {
        match compute(calendar, procedures, c, now) {
            None => {
                c.due_at = None;
                c.status = ClockStanding::Pending;
            }
            Some(Ok(state)) => {
                c.due_at = Some(state.due);
                c.status = ClockStanding::Computed(state.status);
            }
            Some(Err(e)) if e.missing_year().is_some() => {
                c.due_at = None;
                c.status = ClockStanding::NotComputable;
            }
            Some(Err(e)) => {
                return Err(CaseError::field("clock", "deadline_rule", e.zh(), e.en()));
            }
        }
    }
    Ok(())
}

/// Whether a stored due instant falls in a year whose holiday schedule is provisional (not yet
/// published): a day-based due at 24:00 belongs to the day before.
pub fn due_is_provisional(calendar: &Calendar, due: Timestamp) -> bool {
    calendar.is_provisional_due(due)
}

/// Stops every running clock at `at`.
pub fn stop_all(clocks: &mut [StoredClock], at: Timestamp) {
    for c in clocks.iter_mut().filter(|c| is_running(c)) {
        c.closed_at = Some(at);
    }
}

/// Adds an open excluded period of `kind` to the running clocks whose procedure allows it;
/// returns how many.
pub fn pause(
    procedures: &Procedures,
    clocks: &mut [StoredClock],
    kind: ExclusionKind,
    at: Timestamp,
    reason: &str,
) -> usize {
    let mut paused = 0;
    for c in clocks.iter_mut().filter(|c| is_running(c)) {
        if procedures
            .get(&c.procedure_id)
            .is_some_and(|p| p.allows(kind))
        {
            c.inputs.exclusions.push(Exclusion {
                kind,
                from: at,
                to: None,
                reason: reason.to_string(),
            });
            paused += 1;
        }
    }
    paused
}

/// Ends every open excluded period at `at`.
pub fn resume(clocks: &mut [StoredClock], at: Timestamp) {
    for c in clocks.iter_mut() {
        for x in c.inputs.exclusions.iter_mut().filter(|x| x.to.is_none()) {
            x.to = Some(at.max(x.from));
        }
    }
}

/// The running clocks an extension would lengthen.
pub fn extendable<'a>(
    procedures: &'a Procedures,
    clocks: &'a [StoredClock],
) -> impl Iterator<Item = (&'a StoredClock, &'a Procedure)> + 'a {
    clocks.iter().filter(|c| is_running(c)).filter_map(|c| {
        procedures
            .get(&c.procedure_id)
            .filter(|p| !p.extensions.is_empty())
            .map(|p| (c, p))
    })
}

/// Adds an approved extension to the running clocks whose procedure allows one; returns how many.
pub fn extend(procedures: &Procedures, clocks: &mut [StoredClock], extension: &Extension) -> usize {
    let mut extended = 0;
    for c in clocks.iter_mut().filter(|c| is_running(c)) {
        if procedures
            .get(&c.procedure_id)
            .is_some_and(|p| !p.extensions.is_empty())
        {
            c.inputs.extensions.push(extension.clone());
            extended += 1;
        }
    }
    extended
}
