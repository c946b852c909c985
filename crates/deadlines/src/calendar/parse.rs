//! One year's holiday schedule as written in `data/calendar/YEAR.toml`, and its validation.

use std::collections::HashMap;

use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::error::{CalendarError, Issue};
use crate::text::{located, parse_date_item, syntax};

/// One year of a State Council holiday notice (国务院办公厅关于…部分节假日安排的通知).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearData {
    pub year: i16,
    /// The notice the schedule comes from.
    pub notice: String,
    pub holidays: Vec<Holiday>,
}

/// One holiday: its rest days (weekend days included) and its adjusted working days (调休上班).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub name_zh: String,
    pub name_en: String,
    pub rest: Vec<Date>,
    pub work: Vec<Date>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    year: Spanned<i64>,
    notice: Spanned<String>,
    #[serde(default)]
    holiday: Vec<RawHoliday>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    name_zh: Spanned<String>,
    name_en: Spanned<String>,
    #[serde(default)]
    rest: Vec<Spanned<String>>,
    #[serde(default)]
    work: Vec<Spanned<String>>,
}

/// Parses and validates one year file. Refused, each with its line and text: TOML errors, a
/// malformed date, a date outside the file's year, a date listed twice or as both rest and work,
/// and a `work` date that is not a Saturday or Sunday (a weekday is a working day anyway, so
/// listing it can only be a typo).
pub(crate) fn parse_year(text: &str) -> Result<YearData, CalendarError> {
    let raw: RawYear = toml::from_str(text).map_err(|e| syntax(text, &e))?;
    let err = |span: std::ops::Range<usize>, shown: &str, issue| -> CalendarError {
        located(text, span, shown, issue).into()
    };
    let year = i16::try_from(*raw.year.get_ref())
        .ok()
        .filter(|y| (1950..=2200).contains(y))
        .ok_or_else(|| {
            err(
                raw.year.span(),
                &raw.year.get_ref().to_string(),
                Issue::YearOutOfRange,
            )
        })?;
    if raw.notice.get_ref().trim().is_empty() {
        return Err(err(raw.notice.span(), "", Issue::Empty));
    }

    // every listed entry, in file order, so the later of two conflicting entries is the one named
    let mut entries: Vec<(&Spanned<String>, usize, bool)> = Vec::new();
    for (i, h) in raw.holiday.iter().enumerate() {
        for name in [&h.name_zh, &h.name_en] {
            if name.get_ref().trim().is_empty() {
                return Err(err(name.span(), "", Issue::Empty));
            }
        }
        entries.extend(h.rest.iter().map(|s| (s, i, true)));
        entries.extend(h.work.iter().map(|s| (s, i, false)));
    }
    entries.sort_by_key(|(s, _, _)| s.span().start);

    let mut holidays: Vec<Holiday> = raw
        .holiday
        .iter()
        .map(|h| Holiday {
            name_zh: h.name_zh.get_ref().trim().to_owned(),
            name_en: h.name_en.get_ref().trim().to_owned(),
            rest: Vec::new(),
            work: Vec::new(),
        })
        .collect();
    let mut seen: HashMap<Date, bool> = HashMap::new();
    for (item, idx, rest) in entries {
        let shown = item.get_ref().as_str();
        let bad = |issue| err(item.span(), shown, issue);
        let dates = parse_date_item(shown).ok_or_else(|| bad(Issue::MalformedDate))?;
        for d in dates {
            if d.year() != year {
                return Err(bad(Issue::OutsideYear { year }));
            }
            if !rest && !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) {
                return Err(bad(Issue::WorkNotWeekend));
            }
            match seen.insert(d, rest) {
                Some(prev) if prev == rest => return Err(bad(Issue::DuplicateDate)),
                Some(_) => return Err(bad(Issue::RestAndWork)),
                None => {}
            }
            let h = &mut holidays[idx];
            if rest { h.rest.push(d) } else { h.work.push(d) }
        }
    }
    for h in &mut holidays {
        h.rest.sort();
        h.work.sort();
    }
    Ok(YearData {
        year,
        notice: raw.notice.into_inner().trim().to_owned(),
        holidays,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DataError;

    const HEAD: &str = "year = 2026\nnotice = \"test\"\n";

    fn error_of(body: &str) -> DataError {
        match parse_year(&format!("{HEAD}{body}")) {
            Err(CalendarError::Invalid(e)) => e,
            other => panic!("expected a data error, got {other:?}"),
        }
    }

    fn holiday(rest: &str, work: &str) -> String {
        format!(
            "[[holiday]]\nname_zh = \"节\"\nname_en = \"Day\"\nrest = [{rest}]\nwork = [{work}]\n"
        )
    }

    #[test]
    fn a_date_listed_twice_is_refused_at_its_second_line() {
        let body = format!(
            "{}{}",
            holiday("\"2026-10-01\"", ""),
            holiday("\"2026-10-01\"", "")
        );
        let e = error_of(&body);
        assert_eq!(
            (e.line, e.text.as_str(), e.issue),
            (11, "2026-10-01", Issue::DuplicateDate)
        );
    }

    #[test]
    fn a_date_both_rest_and_work_is_refused_with_its_line() {
        let e = error_of(&holiday("\"2026-10-10\"", "\n  \"2026-10-10\""));
        assert_eq!((e.line, e.issue.clone()), (8, Issue::RestAndWork));
        assert!(e.to_string().contains("line 8 `2026-10-10`"), "{e}");
        assert!(e.to_string().contains("第 8 行"), "{e}");
    }

    #[test]
    fn a_date_outside_the_files_year_is_refused() {
        let e = error_of(&holiday("\"2027-01-01\"", ""));
        assert_eq!((e.line, e.issue), (6, Issue::OutsideYear { year: 2026 }));
    }

    #[test]
    fn a_weekday_listed_as_adjusted_working_day_is_refused() {
        let e = error_of(&holiday("", "\"2026-10-09\""));
        assert_eq!(
            (e.line, e.text.as_str(), e.issue),
            (7, "2026-10-09", Issue::WorkNotWeekend)
        );
    }

    #[test]
    fn a_malformed_date_or_range_is_refused() {
        for bad in [
            "\"2026-02-30\"",
            "\"2026-10-7\"",
            "\"2026-10-07..=2026-10-01\"",
        ] {
            let e = error_of(&holiday(bad, ""));
            assert_eq!((e.line, e.issue), (6, Issue::MalformedDate), "{bad}");
        }
    }

    #[test]
    fn toml_errors_and_unknown_fields_carry_their_line() {
        let e = error_of("[[holiday]]\nname_zh = \"节\"\nname_en = \"Day\"\nwrok = []\n");
        assert_eq!(e.line, 6);
        assert!(matches!(e.issue, Issue::Syntax(_)));
        let e = error_of("[[holiday]\n");
        assert_eq!(e.line, 3);
    }

    #[test]
    fn a_good_file_lists_rest_days_and_working_weekends_per_holiday() {
        let y = parse_year(&format!(
            "{HEAD}{}",
            holiday("\"2026-10-01..=2026-10-03\"", "\"2026-10-10\"")
        ))
        .expect("valid");
        assert_eq!(y.year, 2026);
        assert_eq!(y.holidays[0].rest.len(), 3);
        assert_eq!(y.holidays[0].work.len(), 1);
    }
}
