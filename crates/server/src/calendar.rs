//! Installing a year's published holiday schedule (国务院办公厅关于放假安排的通知) for the
//! administrator's page and `kuaiwei calendar load`: the file is checked (a bad one names the
//! line at fault and installs nothing), compared with what is in use, and written atomically as
//! `DATA_DIR/calendar/YEAR.toml`, which a running server takes (crate::cases::follow_calendar).

use std::path::{Path, PathBuf};

use jiff::civil::Date;
use kuaiwei_deadlines::{Calendar, Day, YearData};

use crate::AppError;

/// A year file's text, checked: a 422 on `file` naming the line and what is wrong.
pub fn parse(text: &str) -> Result<YearData, AppError> {
    Calendar::parse_year(text).map_err(|e| {
        use kuaiwei_deadlines::Bilingual;
        AppError::field("file", "invalid_calendar", e.zh(), e.en())
    })
}

/// Writes `text` (already checked: `data` is its parse) as `dir/YEAR.toml`, through a
/// temporary file and a rename: a reader sees the old file or the new one, never half.
pub fn install(dir: &Path, text: &str, data: &YearData) -> Result<PathBuf, AppError> {
    let io = |what: &str, p: &Path, e: std::io::Error| {
        AppError::Internal(format!("{what} {}: {e}", p.display()))
    };
    std::fs::create_dir_all(dir).map_err(|e| io("cannot create", dir, e))?;
    let target = dir.join(format!("{}.toml", data.year));
    let tmp = dir.join(format!(".{}.toml.tmp", data.year));
    std::fs::write(&tmp, text).map_err(|e| io("cannot write", &tmp, e))?;
    if let Err(e) = std::fs::rename(&tmp, &target) {
        let _ = std::fs::remove_file(&tmp);
        return Err(io("cannot install", &target, e));
    }
    Ok(target)
}

/// One day whose kind a new schedule changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub date: Date,
    /// Whether the day was a working day before (in the schedule in use or the provisional
    /// one) and is after.
    pub was_working: bool,
    pub is_working: bool,
    /// The holiday it belongs to now (or belonged to), in both languages.
    pub holiday: Option<(String, String)>,
}

/// The days of `data`'s year that count differently under it than under `current`.
pub fn changes(current: &Calendar, data: &YearData) -> Vec<Change> {
    let new = current.clone().with_year(data.clone());
    let Ok(mut d) = Date::new(data.year, 1, 1) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    while d.year() == data.year {
        let before = current.day(d);
        let after = new.day(d);
        if let (Ok(b), Ok(a)) = (&before, &after)
            && b.is_working() != a.is_working()
        {
            let name = |day: &Day<'_>| match day {
                Day::HolidayRest(h) | Day::AdjustedWorkday(h) => {
                    Some((h.name_zh.clone(), h.name_en.clone()))
                }
                _ => None,
            };
            out.push(Change {
                date: d,
                was_working: b.is_working(),
                is_working: a.is_working(),
                holiday: name(a).or_else(|| name(b)),
            });
        }
        match d.tomorrow() {
            Ok(next) => d = next,
            Err(_) => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const Y2027: &str = r#"
year = 2027
notice = "国办发明电〔2026〕X号（测试）"

[[holiday]]
name_zh = "元旦"
name_en = "New Year's Day"
rest = ["2027-01-01", "2027-01-02", "2027-01-03"]
work = []
"#;

    #[test]
    fn a_published_year_changes_only_the_days_it_moves() {
        let current = Calendar::bundled();
        let data = parse(Y2027).unwrap();
        let moved = changes(&current, &data);
        // provisionally 2027 has every statutory holiday; this test file has only 元旦, so the
        // other statutory rest days become working days, and 1-3 January stay rest days
        assert!(moved.iter().all(|c| c.date.year() == 2027));
        assert!(
            !moved
                .iter()
                .any(|c| c.date == Date::new(2027, 1, 1).unwrap())
        );
        assert!(
            moved
                .iter()
                .any(|c| !c.was_working && c.is_working && c.holiday.is_some()),
            "{moved:?}"
        );
    }

    #[test]
    fn a_bad_file_names_its_line() {
        let bad = Y2027.replace("2027-01-02", "2027-13-02");
        let e = parse(&bad).unwrap_err().message();
        assert!(e.contains("line") || e.contains("行"), "{e}");
    }

    #[test]
    fn installing_replaces_the_file_whole() {
        let dir = std::env::temp_dir().join(format!("kuaiwei-cal-{}", std::process::id()));
        let data = parse(Y2027).unwrap();
        let path = install(&dir, Y2027, &data).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), Y2027);
        assert!(path.ends_with("2027.toml"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
