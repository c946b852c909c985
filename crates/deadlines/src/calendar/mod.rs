//! The working-day calendar: Monday to Friday work, Saturday and Sunday rest (国务院关于职工工作时间
//! 的规定 Art. 7), overridden date by date by the State Council holiday notices: weekday holidays
//! are rest days and adjusted weekends (调休上班) are working days (legal-deadlines.md §3, ◐).

mod arith;
mod parse;

#[cfg(test)]
mod holiday_tests;

use std::collections::{BTreeMap, HashMap};

use jiff::civil::{Date, Weekday};

use crate::error::CalendarError;

pub(crate) use arith::{Walk, plus_days, plus_months, push_past};
pub use parse::{Holiday, YearData};

/// The schedules bundled with the crate; a data directory may add or replace years.
const BUNDLED: [&str; 3] = [
    include_str!("../../data/calendar/2024.toml"),
    include_str!("../../data/calendar/2025.toml"),
    include_str!("../../data/calendar/2026.toml"),
];

/// What a date is, per the loaded schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Day<'a> {
    /// Monday to Friday, not a holiday.
    Workday,
    /// Saturday or Sunday, not a holiday and not an adjusted working day.
    Weekend,
    /// A rest day of a holiday (on a weekday or a weekend).
    HolidayRest(&'a Holiday),
    /// A weekend day made a working day (调休上班) for a holiday.
    AdjustedWorkday(&'a Holiday),
}

impl Day<'_> {
    pub fn is_working(&self) -> bool {
        matches!(self, Day::Workday | Day::AdjustedWorkday(_))
    }
}

#[derive(Clone, Copy, Debug)]
struct Mark {
    holiday: usize,
    rest: bool,
}

/// Working days for the loaded years; any other year is refused, never guessed.
#[derive(Clone, Debug, Default)]
pub struct Calendar {
    years: BTreeMap<i16, YearData>,
    marks: HashMap<Date, Mark>,
}

impl Calendar {
    /// An empty calendar: every date is refused until a year is added.
    pub fn empty() -> Self {
        Self::default()
    }

    /// 2024, 2025 and 2026 from the data files compiled into the crate.
    pub fn bundled() -> Self {
        BUNDLED.iter().fold(Self::empty(), |cal, text| {
            // the bundled files are checked by `bundled_data_files_parse` below
            cal.with_year(Self::parse_year(text).expect("bundled calendar data is valid"))
        })
    }

    /// Parses and validates one `YEAR.toml` file (see [`YearData`]).
    pub fn parse_year(text: &str) -> Result<YearData, CalendarError> {
        parse::parse_year(text)
    }

    /// Adds a year, replacing any loaded schedule of the same year.
    pub fn with_year(mut self, data: YearData) -> Self {
        self.insert_year(data);
        self
    }

    /// Adds a year in place; returns the schedule it replaced.
    pub fn insert_year(&mut self, data: YearData) -> Option<YearData> {
        let year = data.year;
        self.marks.retain(|d, _| d.year() != year);
        for (i, h) in data.holidays.iter().enumerate() {
            for (dates, rest) in [(&h.rest, true), (&h.work, false)] {
                // a hand-built YearData may hold foreign dates: only its own year's count
                for d in dates.iter().filter(|d| d.year() == year) {
                    self.marks.insert(*d, Mark { holiday: i, rest });
                }
            }
        }
        self.years.insert(year, data)
    }

    /// The loaded years, ascending.
    pub fn loaded_years(&self) -> Vec<i16> {
        self.years.keys().copied().collect()
    }

    /// The loaded schedule of `year`.
    pub fn year(&self, year: i16) -> Option<&YearData> {
        self.years.get(&year)
    }

    /// What `date` is; `Err(YearNotLoaded)` if its year's schedule is not loaded.
    pub fn day(&self, date: Date) -> Result<Day<'_>, CalendarError> {
        let year = date.year();
        let data = self
            .years
            .get(&year)
            .ok_or(CalendarError::YearNotLoaded { year })?;
        let holiday = |m: &Mark| data.holidays.get(m.holiday);
        Ok(match self.marks.get(&date) {
            Some(m) if m.rest => holiday(m).map_or(Day::Weekend, Day::HolidayRest),
            Some(m) => holiday(m).map_or(Day::Workday, Day::AdjustedWorkday),
            None if matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) => Day::Weekend,
            None => Day::Workday,
        })
    }

    /// Whether state organs work on `date` (adjusted weekends count as working days).
    pub fn is_working_day(&self, date: Date) -> Result<bool, CalendarError> {
        self.day(date).map(|d| d.is_working())
    }

    /// The holiday `date` is a rest day of, as (zh, en); `None` for other dates and unloaded years.
    pub fn holiday_name(&self, date: Date) -> Option<(&str, &str)> {
        match self.day(date) {
            Ok(Day::HolidayRest(h)) => Some((h.name_zh.as_str(), h.name_en.as_str())),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn bundled_data_files_parse() {
        for text in BUNDLED {
            Calendar::parse_year(text).expect("bundled year parses");
        }
        assert_eq!(Calendar::bundled().loaded_years(), vec![2024, 2025, 2026]);
    }

    #[test]
    fn a_date_in_an_unloaded_year_is_refused_not_guessed() {
        let cal = Calendar::bundled();
        assert_eq!(
            cal.is_working_day(date(2027, 1, 4)),
            Err(CalendarError::YearNotLoaded { year: 2027 })
        );
        assert_eq!(
            Calendar::empty().is_working_day(date(2026, 1, 5)),
            Err(CalendarError::YearNotLoaded { year: 2026 })
        );
        assert_eq!(cal.holiday_name(date(2027, 1, 1)), None);
    }

    #[test]
    fn a_loaded_year_replaces_the_bundled_one_of_the_same_number() {
        let text = "year = 2026\nnotice = \"替换\"\n[[holiday]]\nname_zh = \"测试\"\nname_en = \"Test\"\nrest = [\"2026-03-02\"]\n";
        let cal = Calendar::bundled().with_year(Calendar::parse_year(text).expect("valid"));
        assert_eq!(cal.is_working_day(date(2026, 3, 2)), Ok(false));
        // 2026-10-01 was a bundled holiday; the replacement no longer lists it
        assert_eq!(cal.is_working_day(date(2026, 10, 1)), Ok(true));
        assert_eq!(cal.year(2026).map(|y| y.notice.as_str()), Some("替换"));
    }

    #[test]
    fn holidays_are_named_and_adjusted_weekends_work() {
        let cal = Calendar::bundled();
        assert_eq!(
            cal.holiday_name(date(2026, 10, 3)),
            Some(("国庆节", "National Day"))
        );
        assert_eq!(cal.holiday_name(date(2026, 10, 10)), None);
        assert_eq!(cal.is_working_day(date(2026, 10, 10)), Ok(true));
        assert_eq!(cal.is_working_day(date(2026, 10, 17)), Ok(false));
        assert_eq!(cal.is_working_day(date(2026, 10, 9)), Ok(true));
    }
}
