//! The working-day calendar: Monday to Friday work, Saturday and Sunday rest (国务院关于职工工作时间
//! 的规定 Art. 7), overridden date by date by the State Council holiday notices: weekday holidays
//! are rest days and adjusted weekends (调休上班) are working days (legal-deadlines.md §3, ◐).
//!
//! A year whose notice is not loaded (not yet published) gets a **provisional** schedule from
//! 2025 on, when the revised 《全国年节及纪念日放假办法》 took force: weekends and the statutory
//! holidays only, no 调休 (legal-deadlines.md §8.6). Every due date that depends on such a year
//! is marked provisional ([`Calendar::is_provisional`]) and is recomputed when the notice is
//! loaded. Years before 2025 that are not loaded are refused, never guessed.

mod arith;
mod lunar;
mod parse;
mod provisional;

#[cfg(test)]
mod holiday_tests;

use std::collections::{BTreeMap, HashMap};

use jiff::civil::{Date, Weekday};

use crate::error::CalendarError;

pub(crate) use arith::{Walk, plus_days, plus_months, push_past};
pub use parse::{Holiday, YearData};

/// The first year the revised 《全国年节及纪念日放假办法》 (2024-11-10) governs, and so the first a
/// provisional schedule is computed for.
const FIRST_PROVISIONAL: i16 = 2025;

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

/// Working days for the loaded years; a later year not loaded is provisional, an earlier one is
/// refused, never guessed.
#[derive(Clone, Debug, Default)]
pub struct Calendar {
    years: BTreeMap<i16, YearData>,
    marks: HashMap<Date, Mark>,
}

/// The provisional schedules, computed once per process (they depend on nothing but the law and
/// astronomy).
struct Provisional {
    years: BTreeMap<i16, YearData>,
    marks: HashMap<Date, Mark>,
}

fn provisional() -> &'static Provisional {
    static P: std::sync::OnceLock<Provisional> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        let mut years = BTreeMap::new();
        let mut marks = HashMap::new();
        let mut year = FIRST_PROVISIONAL;
        while let Some(data) = provisional::provisional_year(year) {
            for (i, h) in data.holidays.iter().enumerate() {
                for d in &h.rest {
                    marks.insert(
                        *d,
                        Mark {
                            holiday: i,
                            rest: true,
                        },
                    );
                }
            }
            years.insert(year, data);
            year += 1;
        }
        Provisional { years, marks }
    })
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

    /// Whether `year` is counted on a provisional schedule: not loaded, and governed by the
    /// revised holiday law (2025 on) within the years the lunar dates are computed for.
    pub fn is_provisional(&self, year: i16) -> bool {
        !self.years.contains_key(&year)
            && year >= FIRST_PROVISIONAL
            && provisional().years.contains_key(&year)
    }

    /// Whether a stored due instant falls in a year counted on a provisional schedule: a
    /// day-based due at 24:00 belongs to the day before.
    pub fn is_provisional_due(&self, due: jiff::Timestamp) -> bool {
        let day = crate::tz::local_date(due - jiff::SignedDuration::from_micros(1));
        self.is_provisional(day.year())
    }

    /// The provisional schedule `year` is counted on, if it is provisional.
    pub fn provisional_year(&self, year: i16) -> Option<&YearData> {
        if self.years.contains_key(&year) {
            return None;
        }
        provisional().years.get(&year)
    }

    /// The years from `from` to `to` (inclusive) counted on a provisional schedule.
    pub fn provisional_years(&self, from: i16, to: i16) -> Vec<i16> {
        (from..=to).filter(|y| self.is_provisional(*y)).collect()
    }

    /// What `date` is; `Err(YearNotLoaded)` if its year's schedule is not loaded and no
    /// provisional one applies (a year before 2025, or past the computed range).
    pub fn day(&self, date: Date) -> Result<Day<'_>, CalendarError> {
        let year = date.year();
        let (data, marks) = match self.years.get(&year) {
            Some(data) => (data, &self.marks),
            None => {
                let p = provisional();
                let data = p
                    .years
                    .get(&year)
                    .filter(|_| year >= FIRST_PROVISIONAL)
                    .ok_or(CalendarError::YearNotLoaded { year })?;
                (data, &p.marks)
            }
        };
        let holiday = |m: &Mark| data.holidays.get(m.holiday);
        Ok(match marks.get(&date) {
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
    fn a_due_at_the_end_of_the_last_published_day_is_not_provisional() {
        let cal = Calendar::bundled();
        // 2027-01-01T00:00 Shanghai: the end (24:00) of 2026-12-31, a published year
        let end_of_2026: jiff::Timestamp = "2026-12-31T16:00:00Z".parse().unwrap();
        assert!(!cal.is_provisional_due(end_of_2026));
        assert!(cal.is_provisional_due(end_of_2026 + jiff::SignedDuration::from_micros(1)));
        assert!(!cal.is_provisional_due("2026-06-01T00:00:00Z".parse().unwrap()));
    }

    #[test]
    fn a_later_year_not_loaded_is_provisional_and_an_earlier_one_is_refused() {
        let cal = Calendar::bundled();
        // 2027: statutory holidays and weekends only (§8.6)
        assert!(cal.is_provisional(2027) && !cal.is_provisional(2026));
        assert_eq!(cal.is_working_day(date(2027, 1, 4)), Ok(true));
        assert_eq!(cal.is_working_day(date(2027, 1, 1)), Ok(false));
        assert_eq!(
            cal.holiday_name(date(2027, 1, 1)),
            Some(("元旦", "New Year's Day"))
        );
        // 除夕 2027 is 02-05 (正月初一 02-06): 春节 02-05..=02-08, nothing else
        let spring: Vec<bool> = (4..=9)
            .map(|d| cal.is_working_day(date(2027, 2, d)).unwrap())
            .collect();
        assert_eq!(spring, [true, false, false, false, false, true]);
        // no 调休: a Saturday is a rest day whatever the holidays around it
        assert_eq!(cal.is_working_day(date(2027, 10, 9)), Ok(false));
        assert!(cal.provisional_year(2027).is_some() && cal.provisional_year(2026).is_none());
        assert_eq!(cal.provisional_years(2025, 2028), vec![2027, 2028]);
        // loading the notice ends it
        let y2027 = "year = 2027\nnotice = \"test\"\n";
        let loaded = cal.with_year(Calendar::parse_year(y2027).expect("valid"));
        assert!(!loaded.is_provisional(2027));
        assert_eq!(loaded.is_working_day(date(2027, 1, 1)), Ok(true));
        // before the revised law (in force 2025) nothing is guessed
        assert_eq!(
            Calendar::empty().is_working_day(date(2024, 1, 5)),
            Err(CalendarError::YearNotLoaded { year: 2024 })
        );
        assert!(!Calendar::empty().is_provisional(2024));
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
