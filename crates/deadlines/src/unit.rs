//! Units of statutory periods (legal-deadlines.md §3) and amounts such as "3 months".

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How a period is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Exact clock hours from the event, across nights, weekends and holidays; never rolled
    /// (民法典 Art. 201: hour periods run from the event).
    Hours,
    /// Calendar days from the day after the event, the last day rolled forward to a working day
    /// (民法典 Arts. 201, 203; 民诉法 Art. 85).
    CalendarDays,
    /// The corresponding day N months on, or the month's last day, then rolled forward
    /// (民法典 Arts. 202, 203).
    Months,
    /// The N-th working day after the event (行政处罚法 Art. 85 and the rules that adopt it).
    WorkingDays,
}

impl Unit {
    pub fn key(self) -> &'static str {
        match self {
            Unit::Hours => "hours",
            Unit::CalendarDays => "calendar_days",
            Unit::Months => "months",
            Unit::WorkingDays => "working_days",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Unit::Hours => "小时",
            Unit::CalendarDays => "日",
            Unit::Months => "个月",
            Unit::WorkingDays => "个工作日",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Unit::Hours => "hours",
            Unit::CalendarDays => "calendar days",
            Unit::Months => "months",
            Unit::WorkingDays => "working days",
        }
    }

    /// True for units counted on local dates (everything but hours).
    pub fn is_day_based(self) -> bool {
        !matches!(self, Unit::Hours)
    }
}

/// A period: an amount and its unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Amount {
    pub amount: u32,
    pub unit: Unit,
}

impl Amount {
    pub fn new(amount: u32, unit: Unit) -> Self {
        Amount { amount, unit }
    }

    /// "3个月", "15个工作日".
    pub fn zh(&self) -> String {
        format!("{}{}", self.amount, self.unit.zh())
    }

    /// "3 months", "1 month", "15 working days".
    pub fn en(&self) -> String {
        let unit = self.unit.en();
        if self.amount == 1 {
            format!("1 {}", unit.strip_suffix('s').unwrap_or(unit))
        } else {
            format!("{} {unit}", self.amount)
        }
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let suffix = match self.unit {
            Unit::Hours => "h",
            Unit::CalendarDays => "d",
            Unit::Months => "m",
            Unit::WorkingDays => "wd",
        };
        write!(f, "{}{suffix}", self.amount)
    }
}

/// The amount could not be read; expected e.g. `24h`, `30d`, `1m`, `15wd`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} / {}", crate::Bilingual::zh(self), crate::Bilingual::en(self))]
pub struct AmountParseError(pub String);

impl crate::Bilingual for AmountParseError {
    fn zh(&self) -> String {
        format!("无法识别的期间 `{}`，应为 24h、30d、1m 或 15wd 等", self.0)
    }
    fn en(&self) -> String {
        format!(
            "unrecognised period `{}`, expected e.g. 24h, 30d, 1m or 15wd",
            self.0
        )
    }
}

impl FromStr for Amount {
    type Err = AmountParseError;

    /// `24h` hours, `30d` or `30cd` calendar days, `1m` months, `15wd` working days.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || AmountParseError(s.to_owned());
        let t = s.trim();
        let split = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let (digits, suffix) = t.split_at(split);
        let amount: u32 = digits.parse().map_err(|_| bad())?;
        let unit = match suffix.to_ascii_lowercase().as_str() {
            "h" => Unit::Hours,
            "d" | "cd" => Unit::CalendarDays,
            "m" => Unit::Months,
            "wd" => Unit::WorkingDays,
            _ => return Err(bad()),
        };
        Ok(Amount { amount, unit })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_amounts_parse_to_their_unit() {
        let cases = [
            ("24h", Amount::new(24, Unit::Hours)),
            ("30d", Amount::new(30, Unit::CalendarDays)),
            ("30cd", Amount::new(30, Unit::CalendarDays)),
            ("1m", Amount::new(1, Unit::Months)),
            ("15wd", Amount::new(15, Unit::WorkingDays)),
        ];
        for (text, want) in cases {
            assert_eq!(text.parse::<Amount>(), Ok(want), "{text}");
            assert_eq!(want.to_string().parse::<Amount>(), Ok(want));
        }
    }

    #[test]
    fn unknown_suffixes_and_missing_numbers_are_refused() {
        for bad in ["", "m", "3", "3y", "3 weeks", "-1d", "1.5m"] {
            assert!(bad.parse::<Amount>().is_err(), "{bad}");
        }
    }

    #[test]
    fn amounts_read_in_both_languages() {
        let a = Amount::new(3, Unit::Months);
        assert_eq!(a.zh(), "3个月");
        assert_eq!(a.en(), "3 months");
        assert_eq!(Amount::new(1, Unit::WorkingDays).en(), "1 working day");
    }
}
