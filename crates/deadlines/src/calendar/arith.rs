//! Period arithmetic on local dates (legal-deadlines.md §3). Counting starts the day after the
//! trigger (民法典 Art. 201; 民诉法 Art. 85(2)); a last day that is not a working day rolls
//! forward to the next working day (民诉法 Art. 85(3); 民法典 Art. 203), weekends included as
//! 休假日 as courts do in practice (◐).

use jiff::Span;
use jiff::civil::Date;

use super::{Calendar, Day};
use crate::error::CalendarError;
use crate::explain::Landing;
use crate::ranges::DateRanges;

/// The result of counting working days, with what was skipped for the explanation.
#[derive(Clone, Debug, Default)]
pub(crate) struct Walk {
    pub end: Date,
    /// Rest days passed over while counting.
    pub skipped: Vec<(Date, Landing)>,
    /// Adjusted working weekends (调休上班) that were counted.
    pub adjusted: Vec<Date>,
    /// Working days not counted because they were excluded, per excluded span.
    pub excluded_working: Vec<u32>,
}

pub(crate) fn plus_days(date: Date, n: i64) -> Result<Date, CalendarError> {
    date.checked_add(
        Span::new()
            .try_days(n)
            .map_err(|_| CalendarError::OutOfRange)?,
    )
    .map_err(|_| CalendarError::OutOfRange)
}

/// The corresponding day `n` months on, or that month's last day if it has none
/// (民法典 Art. 202); jiff clamps the day of month exactly so.
pub(crate) fn plus_months(date: Date, n: u32) -> Result<Date, CalendarError> {
    let span = Span::new()
        .try_months(i64::from(n))
        .map_err(|_| CalendarError::OutOfRange)?;
    date.checked_add(span)
        .map_err(|_| CalendarError::OutOfRange)
}

/// Pushes the unrolled end of a calendar-day or month period past excluded dates: every excluded
/// date after `start` and on or before the (moving) end adds one day, so the result has as many
/// non-excluded days after `start` as `base` had days. Returns the days added per span.
pub(crate) fn push_past(
    start: Date,
    base: Date,
    excluded: &DateRanges,
) -> Result<(Date, Vec<i64>), CalendarError> {
    let first = start.tomorrow().map_err(|_| CalendarError::OutOfRange)?;
    let mut end = base;
    let mut added = Vec::with_capacity(excluded.spans().len());
    for span in excluded.spans() {
        let from = span.from.max(first);
        if from >= span.to || from > end {
            added.push(0);
            continue;
        }
        let days = i64::from(
            from.until(span.to)
                .map_err(|_| CalendarError::OutOfRange)?
                .get_days(),
        );
        end = plus_days(end, days)?;
        added.push(days);
    }
    Ok((end, added))
}

impl Calendar {
    /// The `n`-th working day after `date` (the day itself is not counted); `date` if `n` is 0.
    pub fn add_working_days(&self, date: Date, n: u32) -> Result<Date, CalendarError> {
        Ok(self.walk(date, n, &DateRanges::default())?.end)
    }

    /// `date` + `n` calendar days, rolled forward to a working day.
    pub fn add_days(&self, date: Date, n: u32) -> Result<Date, CalendarError> {
        self.roll_forward(plus_days(date, i64::from(n))?)
    }

    /// The corresponding day `n` months after `date` (or the month's last day), rolled forward.
    pub fn add_months(&self, date: Date, n: u32) -> Result<Date, CalendarError> {
        self.roll_forward(plus_months(date, n)?)
    }

    /// `date` if it is a working day, else the next working day.
    pub fn roll_forward(&self, date: Date) -> Result<Date, CalendarError> {
        Ok(self.roll(date, &DateRanges::default())?.0)
    }

    /// Why `date` is not a working day, or `None` if it is one.
    pub(crate) fn landing(&self, date: Date) -> Result<Option<Landing>, CalendarError> {
        Ok(match self.day(date)? {
            Day::Workday | Day::AdjustedWorkday(_) => None,
            Day::Weekend => Some(Landing::Weekend(date.weekday())),
            Day::HolidayRest(h) => Some(Landing::Holiday {
                zh: h.name_zh.clone(),
                en: h.name_en.clone(),
            }),
        })
    }

    /// The first date on or after `date` that is a working day and not excluded, with the
    /// reason `date` itself was passed over (if it was).
    pub(crate) fn roll(
        &self,
        date: Date,
        excluded: &DateRanges,
    ) -> Result<(Date, Option<Landing>), CalendarError> {
        let mut first = None;
        let mut d = date;
        loop {
            let why = if excluded.contains(d) {
                Some(Landing::Excluded)
            } else {
                self.landing(d)?
            };
            match why {
                None => return Ok((d, first)),
                Some(why) => {
                    first.get_or_insert(why);
                    d = d.tomorrow().map_err(|_| CalendarError::OutOfRange)?;
                }
            }
        }
    }

    /// Counts `n` working days after `start`, not counting excluded dates.
    pub(crate) fn walk(
        &self,
        start: Date,
        n: u32,
        excluded: &DateRanges,
    ) -> Result<Walk, CalendarError> {
        let mut walk = Walk {
            end: start,
            excluded_working: vec![0; excluded.spans().len()],
            ..Walk::default()
        };
        let mut counted = 0;
        while counted < n {
            let d = walk.end.tomorrow().map_err(|_| CalendarError::OutOfRange)?;
            walk.end = d;
            let day = self.day(d)?;
            if let Some(i) = excluded.find(d) {
                if day.is_working() {
                    walk.excluded_working[i] += 1;
                }
                continue;
            }
            match day {
                Day::Workday => counted += 1,
                Day::AdjustedWorkday(_) => {
                    counted += 1;
                    walk.adjusted.push(d);
                }
                Day::Weekend | Day::HolidayRest(_) => {
                    if let Some(why) = self.landing(d)? {
                        walk.skipped.push((d, why));
                    }
                }
            }
        }
        Ok(walk)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn cal() -> Calendar {
        Calendar::bundled()
    }

    #[test]
    fn five_working_days_from_28_september_2026_end_on_the_adjusted_saturday() {
        // Sep 29, 30, (Oct 1-7 国庆节), Oct 8, 9, 10 (Sat, 调休上班)
        assert_eq!(
            cal().add_working_days(date(2026, 9, 28), 5),
            Ok(date(2026, 10, 10))
        );
    }

    #[test]
    fn calendar_days_landing_on_a_holiday_roll_to_the_next_working_day() {
        // 2026-09-28 + 3 = 2026-10-01 (国庆节) -> 2026-10-08
        assert_eq!(cal().add_days(date(2026, 9, 28), 3), Ok(date(2026, 10, 8)));
        // landing on an ordinary Sunday rolls to Monday
        assert_eq!(cal().add_days(date(2026, 3, 6), 2), Ok(date(2026, 3, 9)));
        // landing on an adjusted working Sunday does not roll
        assert_eq!(cal().add_days(date(2026, 9, 17), 3), Ok(date(2026, 9, 20)));
    }

    #[test]
    fn months_use_the_corresponding_day_or_the_last_day_of_the_month() {
        // 民法典 Art. 202: 2025-11-30 + 3 months has no 30 February -> 2026-02-28 (Sat, 调休上班)
        assert_eq!(
            cal().add_months(date(2025, 11, 30), 3),
            Ok(date(2026, 2, 28))
        );
        // 2024-01-31 + 1 month -> 2024-02-29 (Thu)
        assert_eq!(
            cal().add_months(date(2024, 1, 31), 1),
            Ok(date(2024, 2, 29))
        );
        // 2025-09-15 + 3 months -> 2025-12-15 (Mon)
        assert_eq!(
            cal().add_months(date(2025, 9, 15), 3),
            Ok(date(2025, 12, 15))
        );
    }

    #[test]
    fn rolling_past_the_last_loaded_year_counts_on_the_provisional_schedule() {
        // 2026-12-31 (Thu) + 2 = 2027-01-02 (Sat); 2027 is not published: provisional, with
        // 元旦 on Jan 1 and no 调休, so the roll lands on Mon 2027-01-04
        assert_eq!(cal().add_days(date(2026, 12, 31), 2), Ok(date(2027, 1, 4)));
        // Dec 31 (Thu), then Jan 1 (元旦), Jan 2-3 (weekend): the 2nd working day is Jan 4
        assert_eq!(
            cal().add_working_days(date(2026, 12, 30), 2),
            Ok(date(2027, 1, 4))
        );
        // before the revised law (2025) an unloaded year is refused, never guessed
        assert_eq!(
            Calendar::empty().add_days(date(2024, 3, 1), 2),
            Err(CalendarError::YearNotLoaded { year: 2024 })
        );
    }

    #[test]
    fn zero_working_days_is_the_trigger_day_itself() {
        assert_eq!(
            cal().add_working_days(date(2026, 10, 3), 0),
            Ok(date(2026, 10, 3))
        );
    }

    #[test]
    fn a_walk_reports_skipped_rest_days_and_counted_adjusted_days() {
        let w = cal()
            .walk(date(2026, 9, 28), 5, &DateRanges::default())
            .expect("loaded");
        assert_eq!(w.skipped.len(), 7);
        assert_eq!(w.adjusted, vec![date(2026, 10, 10)]);
    }
}
