//! Computing the clock (the rules are summarised in the module docs of `clock`).

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

use super::resolve::{self, Applied};
use super::{ClockInput, ClockState, ClockStatus, narrate};
use crate::calendar::{Calendar, plus_days, plus_months, push_past};
use crate::error::{CalendarError, ClockError};
use crate::explain::{Step, date_en, date_zh, instant};
use crate::procedure::Procedure;
use crate::ranges::{DateRanges, Interval, merge};
use crate::tz::{day_end, local_date};
use crate::unit::Unit;

/// The due dates of one clock, before the status is judged.
struct Due {
    nominal: Timestamp,
    nominal_date: Date,
    due: Timestamp,
    date: Date,
    unrolled: Date,
    excluded_days: i64,
    excluded_time: SignedDuration,
}

/// Computes a case clock from its inputs and the calendar alone; calling it again with the
/// same inputs gives the same state. Refused with an error: extensions the procedure does not
/// allow, excluded periods of a kind that does not stop it or that end before they start, a
/// close before the start, and any date in a year whose schedule is not loaded.
pub fn compute_clock(
    calendar: &Calendar,
    procedure: &Procedure,
    input: &ClockInput,
) -> Result<ClockState, ClockError> {
    if input.closed_at.is_some_and(|c| c < input.start) {
        return Err(ClockError::ClosedBeforeStart);
    }
    let applied = resolve::extensions(procedure, &input.extensions)?;
    let excluded = resolve::exclusions(procedure, input)?;
    let mut story = Vec::new();
    let due = if procedure.limit.unit.is_day_based() {
        days(calendar, procedure, input, &applied, excluded, &mut story)?
    } else {
        hours(procedure, input, &applied, excluded, &mut story)?
    };

    let now = input.now;
    let paused = input
        .exclusions
        .iter()
        .any(|e| e.from <= now && e.to.is_none_or(|to| now < to));
    let (status, time_left) = match input.closed_at {
        Some(c) if c <= due.due => (ClockStatus::ClosedOnTime, due.due.duration_since(c)),
        Some(c) => (ClockStatus::ClosedLate, due.due.duration_since(c)),
        None => {
            let left = due.due.duration_since(now);
            let status = if now > due.due {
                ClockStatus::Overdue
            } else if paused {
                ClockStatus::Paused
            } else if left <= input.due_soon {
                ClockStatus::DueSoon
            } else {
                ClockStatus::Running
            };
            (status, left)
        }
    };
    let last = due.date.max(due.nominal_date);
    let years = (local_date(input.start).year(), last.year());
    let provisional = if procedure.limit.unit.is_day_based() {
        calendar.provisional_years(years.0, years.1)
    } else {
        Vec::new()
    };
    if !provisional.is_empty() {
        story.push(narrate::provisional(&provisional));
    }
    story.push(narrate::status(status, time_left, input.closed_at));
    Ok(ClockState {
        procedure_id: procedure.id.clone(),
        unit: procedure.limit.unit,
        nominal_due: due.nominal,
        nominal_due_date: due.nominal_date,
        due: due.due,
        due_date: due.date,
        unrolled_due_date: due.unrolled,
        time_left,
        status,
        excluded_days: due.excluded_days,
        excluded_time: due.excluded_time,
        extended_by: applied.iter().map(|a| a.amount).collect(),
        years,
        provisional,
        explanation: story,
    })
}

fn out_of_range<E>(_: E) -> ClockError {
    ClockError::OutOfRange
}

fn total(limit: u32, applied: &[Applied], upto: usize) -> Result<u32, ClockError> {
    applied[..upto]
        .iter()
        .try_fold(limit, |t, a| t.checked_add(a.amount.amount))
        .ok_or(ClockError::OutOfRange)
}

/// Hours: exact instants, pushed by paused time; never rolled.
fn hours(
    p: &Procedure,
    input: &ClockInput,
    applied: &[Applied],
    excluded: Vec<Interval<Timestamp>>,
    story: &mut Vec<Step>,
) -> Result<Due, ClockError> {
    let plus = |n: u32| -> Result<Timestamp, ClockError> {
        input
            .start
            .checked_add(SignedDuration::from_secs(i64::from(n) * 3600))
            .map_err(out_of_range)
    };
    story.push(narrate::start_hours(p, input.start));
    let nominal = plus(p.limit.amount)?;
    story.push(narrate::limit_hours(p.limit, nominal));
    for (i, a) in applied.iter().enumerate() {
        let end = plus(total(p.limit.amount, applied, i + 1)?)?;
        let rule = &p.extensions[a.rule];
        story.push(narrate::extension(a, rule, &instant(end), &instant(end)));
    }
    let mut end = plus(total(p.limit.amount, applied, applied.len())?)?;
    let mut paused_total = SignedDuration::ZERO;
    for span in merge(excluded) {
        if span.from >= end {
            story.push(narrate::excluded_time_after_end(&span));
            continue;
        }
        // the clock stops at `from` and resumes at `to` with the same time left
        let paused = span.to.duration_since(span.from);
        end = end.checked_add(paused).map_err(out_of_range)?;
        paused_total = paused_total
            .checked_add(paused)
            .ok_or(ClockError::OutOfRange)?;
        story.push(narrate::excluded_time(&span, paused, end));
    }
    story.push(narrate::due_exact(end));
    Ok(Due {
        nominal,
        nominal_date: local_date(nominal),
        due: end,
        date: local_date(end),
        unrolled: local_date(end),
        excluded_days: 0,
        excluded_time: paused_total,
    })
}

/// The unrolled end of `n` calendar days or months after `start`.
fn plus_unit(unit: Unit, start: Date, n: u32) -> Result<Date, CalendarError> {
    match unit {
        Unit::Months => plus_months(start, n),
        _ => plus_days(start, i64::from(n)),
    }
}

/// The unrolled end of a calendar-day or month period of `limit` after `start`, extended by the
/// first `upto` extensions: each extension is a new period counted from the (unrolled) last day
/// of the one it extends, legal-deadlines.md §8.1 (民法典 Arts. 201-203). For months this is not
/// `start + (limit + extensions)`: P3 from 2025-01-31 ends 04-30, and one more month ends 05-30,
/// not 05-31.
fn extended_end(
    unit: Unit,
    start: Date,
    limit: u32,
    applied: &[Applied],
    upto: usize,
) -> Result<Date, ClockError> {
    applied[..upto]
        .iter()
        .try_fold(plus_unit(unit, start, limit)?, |end, a| {
            plus_unit(unit, end, a.amount.amount)
        })
        .map_err(ClockError::from)
}

/// Excluded dates after the start day, cut where they reach `cap` working days in total: the
/// excluded time after the day that makes the cap counts again (E1, legal-deadlines.md §8.3).
/// Returns the ranges and, where the cap cut them, the last excluded date.
fn cap_excluded(
    cal: &Calendar,
    start: Date,
    ranges: DateRanges,
    cap: u32,
) -> Result<(DateRanges, Option<Date>), ClockError> {
    let mut working = 0u32;
    let mut kept = Vec::new();
    for span in ranges.spans() {
        let mut d = span.from.max(start.tomorrow().map_err(out_of_range)?);
        while d < span.to {
            if cal.is_working_day(d)? {
                working += 1;
                if working == cap {
                    let to = d.tomorrow().map_err(out_of_range)?;
                    kept.push(Interval { to, ..span.clone() });
                    return Ok((DateRanges::new(kept), Some(d)));
                }
            }
            d = d.tomorrow().map_err(out_of_range)?;
        }
        kept.push(span.clone());
    }
    Ok((ranges, None))
}

/// Calendar days, months and working days, on Asia/Shanghai local dates.
fn days(
    cal: &Calendar,
    p: &Procedure,
    input: &ClockInput,
    applied: &[Applied],
    excluded: Vec<Interval<Timestamp>>,
    story: &mut Vec<Step>,
) -> Result<Due, ClockError> {
    let unit = p.limit.unit;
    let start = local_date(input.start);
    let none = DateRanges::default();
    let ranges = DateRanges::new(
        excluded
            .into_iter()
            .map(|i| Interval {
                from: local_date(i.from),
                to: local_date(i.to),
                kinds: i.kinds,
                open: i.open,
            })
            .collect(),
    );
    let full = total(p.limit.amount, applied, applied.len())?;
    story.push(narrate::start_day(p, input.start, start));
    let ranges = match p.excluded_cap {
        Some(cap) => {
            let (capped, cut) = cap_excluded(cal, start, ranges, cap.amount)?;
            if let Some(last) = cut {
                story.push(narrate::excluded_capped(cap, last));
            }
            capped
        }
        None => ranges,
    };
    let (nominal_date, unrolled, rolled, excluded_days) = if unit == Unit::WorkingDays {
        let nominal = cal.walk(start, p.limit.amount, &none)?;
        story.push(narrate::limit_working(p.limit, &nominal));
        for (i, a) in applied.iter().enumerate() {
            let end = cal
                .walk(start, total(p.limit.amount, applied, i + 1)?, &none)?
                .end;
            story.push(narrate::extension(
                a,
                &p.extensions[a.rule],
                &date_zh(end),
                &date_en(end),
            ));
        }
        let end = cal.walk(start, full, &ranges)?.end;
        let mut not_counted = 0i64;
        for (i, span) in ranges.spans().iter().enumerate() {
            if span.from > end {
                story.push(narrate::excluded_after_end(span));
                continue;
            }
            let walk = cal.walk(start, full, &ranges.prefix(i + 1))?;
            let n = walk.excluded_working.get(i).copied().unwrap_or(0);
            not_counted += i64::from(n);
            story.push(narrate::excluded_working(span, n, walk.end));
        }
        // the N-th working day is a working day: nothing to roll
        (nominal.end, end, end, not_counted)
    } else {
        let base = plus_unit(unit, start, p.limit.amount)?;
        story.push(narrate::limit_days(start, p.limit, base));
        let nominal = cal.roll(base, &none)?.0;
        for (i, a) in applied.iter().enumerate() {
            let end = extended_end(unit, start, p.limit.amount, applied, i + 1)?;
            story.push(narrate::extension(
                a,
                &p.extensions[a.rule],
                &date_zh(end),
                &date_en(end),
            ));
        }
        let base = extended_end(unit, start, p.limit.amount, applied, applied.len())?;
        let (end, added) = push_past(start, base, &ranges)?;
        // the last day rolls past rest days and past excluded dates alike
        let (rolled, why) = cal.roll(end, &ranges)?;
        let mut running = base;
        let first = start.tomorrow().map_err(out_of_range)?;
        for (span, &n) in ranges.spans().iter().zip(&added) {
            if n > 0 {
                running = plus_days(running, n)?;
                story.push(narrate::excluded_days(span, n, running));
            } else if span.to > first && span.from > rolled {
                story.push(narrate::excluded_after_end(span));
            }
        }
        if let Some(why) = why {
            story.push(narrate::rolled(end, &why, rolled));
        }
        (nominal, end, rolled, added.iter().sum())
    };
    story.push(narrate::due_day(rolled));
    Ok(Due {
        nominal: day_end(nominal_date).ok_or(ClockError::OutOfRange)?,
        nominal_date,
        due: day_end(rolled).ok_or(ClockError::OutOfRange)?,
        date: rolled,
        unrolled,
        excluded_days,
        excluded_time: SignedDuration::ZERO,
    })
}
