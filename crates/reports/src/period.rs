//! The period a report covers: a month, a quarter or a year, in Asia/Shanghai.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::ReportError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Period {
    Month { year: i16, month: i8 },
    Quarter { year: i16, quarter: i8 },
    Year(i16),
}

impl Period {
    /// `2026-10`, `2026-Q4` (or `2026q4`), `2026`.
    pub fn parse(text: &str) -> Result<Period, ReportError> {
        let bad = || ReportError::Period(text.to_string());
        let t = text.trim();
        let year = |s: &str| -> Result<i16, ReportError> {
            if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let y: i16 = s.parse().map_err(|_| bad())?;
            if (2000..=2099).contains(&y) {
                Ok(y)
            } else {
                Err(bad())
            }
        };
        match t.split_once('-') {
            None => Ok(Period::Year(year(t)?)),
            Some((y, rest)) => {
                let y = year(y)?;
                if let Some(q) = rest.strip_prefix(['Q', 'q']) {
                    let quarter: i8 = q.parse().map_err(|_| bad())?;
                    if (1..=4).contains(&quarter) && q.len() == 1 {
                        return Ok(Period::Quarter { year: y, quarter });
                    }
                    return Err(bad());
                }
                if rest.len() != 2 || !rest.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad());
                }
                let month: i8 = rest.parse().map_err(|_| bad())?;
                if (1..=12).contains(&month) {
                    Ok(Period::Month { year: y, month })
                } else {
                    Err(bad())
                }
            }
        }
    }

    pub fn year(&self) -> i16 {
        match *self {
            Period::Month { year, .. } | Period::Quarter { year, .. } | Period::Year(year) => year,
        }
    }

    /// The first day of the period.
    pub fn first_day(&self) -> Date {
        let (y, m) = match *self {
            Period::Month { year, month } => (year, month),
            Period::Quarter { year, quarter } => (year, (quarter - 1) * 3 + 1),
            Period::Year(year) => (year, 1),
        };
        Date::new(y, m, 1).unwrap_or(Date::MIN)
    }

    /// The first day after the period.
    pub fn end_day(&self) -> Date {
        let months = match self {
            Period::Month { .. } => 1,
            Period::Quarter { .. } => 3,
            Period::Year(_) => 12,
        };
        self.first_day()
            .checked_add(jiff::Span::new().months(months))
            .unwrap_or(Date::MAX)
    }

    /// `[from, to)`: local midnights in Asia/Shanghai.
    pub fn bounds(&self) -> (Timestamp, Timestamp) {
        (midnight(self.first_day()), midnight(self.end_day()))
    }

    /// The months of a quarter or year, in order; a month is its own only month.
    pub fn months(&self) -> Vec<Period> {
        let first = self.first_day();
        let n = match self {
            Period::Month { .. } => 1,
            Period::Quarter { .. } => 3,
            Period::Year(_) => 12,
        };
        (0..n)
            .map(|i| Period::Month {
                year: first.year(),
                month: first.month() + i,
            })
            .collect()
    }

    /// The quarter and the year a month rolls up into.
    pub fn roll_ups(&self) -> Vec<Period> {
        match *self {
            Period::Month { year, month } => vec![
                Period::Quarter {
                    year,
                    quarter: (month - 1) / 3 + 1,
                },
                Period::Year(year),
            ],
            Period::Quarter { year, .. } => vec![Period::Year(year)],
            Period::Year(_) => Vec::new(),
        }
    }
}

fn midnight(d: Date) -> Timestamp {
    d.to_zoned(kuaiwei_deadlines::shanghai())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::MAX)
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Period::Month { year, month } => write!(f, "{year}-{month:02}"),
            Period::Quarter { year, quarter } => write!(f, "{year}-Q{quarter}"),
            Period::Year(year) => write!(f, "{year}"),
        }
    }
}

impl TryFrom<String> for Period {
    type Error = ReportError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Period::parse(&s)
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

impl std::str::FromStr for Period {
    type Err = ReportError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_and_print_back() {
        for (text, shown) in [
            ("2026-10", "2026-10"),
            ("2026-Q4", "2026-Q4"),
            ("2026-q1", "2026-Q1"),
            (" 2026 ", "2026"),
        ] {
            assert_eq!(Period::parse(text).unwrap().to_string(), shown);
        }
        for bad in [
            "2026-13", "2026-00", "2026-Q5", "26-10", "2026-1", "october", "", "2026-Q12",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn bounds_are_shanghai_midnights() {
        let (from, to) = Period::parse("2026-10").unwrap().bounds();
        assert_eq!(from.to_string(), "2026-09-30T16:00:00Z");
        assert_eq!(to.to_string(), "2026-10-31T16:00:00Z");
        let (from, to) = Period::parse("2026-Q4").unwrap().bounds();
        assert_eq!(from.to_string(), "2026-09-30T16:00:00Z");
        assert_eq!(to.to_string(), "2026-12-31T16:00:00Z");
        let (_, to) = Period::parse("2026").unwrap().bounds();
        assert_eq!(to.to_string(), "2026-12-31T16:00:00Z");
    }

    #[test]
    fn months_roll_up_into_their_quarter_and_year() {
        let m = Period::parse("2026-11").unwrap();
        assert_eq!(
            m.roll_ups()
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>(),
            ["2026-Q4", "2026"]
        );
        let q = Period::parse("2026-Q4").unwrap();
        assert_eq!(
            q.months().iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            ["2026-10", "2026-11", "2026-12"]
        );
        assert_eq!(Period::Year(2026).months().len(), 12);
    }
}
