//! The explanation of a due date: one step a line, in zh-CN and en.

use jiff::civil::{Date, Weekday};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::tz::shanghai;

/// One step of a derivation, e.g. `加3个月 -> 2026-12-28` / `+3 months -> 2026-12-28`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub zh: String,
    pub en: String,
}

impl Step {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Step {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The text in `lang` ("en" gives English, anything else zh-CN).
    pub fn text(&self, lang: &str) -> &str {
        if lang.eq_ignore_ascii_case("en") {
            &self.en
        } else {
            &self.zh
        }
    }
}

/// Why a date is not a working day, as found when a period lands on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Landing {
    Holiday { zh: String, en: String },
    Weekend(Weekday),
    Excluded,
}

impl Landing {
    pub(crate) fn zh(&self) -> String {
        match self {
            Landing::Holiday { zh, .. } => format!("{zh}（法定休假日）"),
            Landing::Weekend(w) => format!("{}（休息日）", weekday_zh(*w)),
            Landing::Excluded => "不计入期间".into(),
        }
    }

    pub(crate) fn en(&self) -> String {
        match self {
            Landing::Holiday { en, .. } => format!("{en}, a public holiday"),
            Landing::Weekend(w) => format!("a {w:?}, a rest day"),
            Landing::Excluded => "an excluded period".into(),
        }
    }
}

pub(crate) fn weekday_zh(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "周一",
        Weekday::Tuesday => "周二",
        Weekday::Wednesday => "周三",
        Weekday::Thursday => "周四",
        Weekday::Friday => "周五",
        Weekday::Saturday => "周六",
        Weekday::Sunday => "周日",
    }
}

/// A local date with its weekday: `2026-10-10（周六）` / `2026-10-10 (Sat)`.
pub(crate) fn date_zh(d: Date) -> String {
    format!("{d}（{}）", weekday_zh(d.weekday()))
}

pub(crate) fn date_en(d: Date) -> String {
    format!("{d} ({})", d.strftime("%a"))
}

/// An instant in Asia/Shanghai local time: `2026-10-10 09:30 +08:00`.
pub(crate) fn instant(t: Timestamp) -> String {
    t.to_zoned(shanghai())
        .strftime("%Y-%m-%d %H:%M %:z")
        .to_string()
}

/// A signed duration as days, hours and minutes: `3天4小时5分` / `3d 4h 5m`.
pub(crate) fn duration_zh(d: SignedDuration) -> String {
    let (sign, days, hours, mins) = split(d);
    format!("{sign}{days}天{hours}小时{mins}分")
}

pub(crate) fn duration_en(d: SignedDuration) -> String {
    let (sign, days, hours, mins) = split(d);
    format!("{sign}{days}d {hours}h {mins}m")
}

fn split(d: SignedDuration) -> (&'static str, i64, i64, i64) {
    let sign = if d.is_negative() { "-" } else { "" };
    let mins = d.as_secs().unsigned_abs() / 60;
    let mins = i64::try_from(mins).unwrap_or(i64::MAX);
    (sign, mins / 1440, (mins % 1440) / 60, mins % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn dates_show_their_weekday_in_both_languages() {
        assert_eq!(date_zh(date(2026, 10, 10)), "2026-10-10（周六）");
        assert_eq!(date_en(date(2026, 10, 10)), "2026-10-10 (Sat)");
    }

    #[test]
    fn durations_split_into_days_hours_and_minutes_with_a_sign() {
        let d = SignedDuration::from_mins(-(3 * 1440 + 4 * 60 + 5));
        assert_eq!(duration_zh(d), "-3天4小时5分");
        assert_eq!(duration_en(d), "-3d 4h 5m");
    }

    #[test]
    fn a_step_picks_english_only_when_asked() {
        let s = Step::new("中", "en");
        assert_eq!(s.text("en"), "en");
        assert_eq!(s.text("zh"), "中");
    }
}
