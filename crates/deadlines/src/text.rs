//! Reading data files: byte offsets to line numbers, strict dates, TOML errors with their line.

use std::ops::Range;

use jiff::civil::Date;

use crate::error::{DataError, Issue};

/// The 1-based line of a byte offset in `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// A [`DataError`] located at the start of `span`.
pub(crate) fn located(text: &str, span: Range<usize>, shown: &str, issue: Issue) -> DataError {
    DataError {
        line: line_of(text, span.start),
        text: shown.to_owned(),
        issue,
    }
}

/// A TOML syntax or shape error (unknown field, wrong type, missing key) with its line and the
/// source text it points at.
pub(crate) fn syntax(text: &str, err: &toml::de::Error) -> DataError {
    let span = err.span().unwrap_or(0..0);
    let shown = text
        .get(span.clone())
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| {
            text.lines()
                .nth(line_of(text, span.start) - 1)
                .unwrap_or("")
        });
    let shown: String = shown.trim().chars().take(80).collect();
    let message = err.message().trim().replace('\n', " ");
    located(text, span, &shown, Issue::Syntax(message))
}

/// A strict `YYYY-MM-DD` date; anything else (times, other separators, 2026-02-30) is `None`.
pub(crate) fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: Range<usize>| -> Option<i16> {
        let part = s.get(r)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    Date::new(y, i8::try_from(m).ok()?, i8::try_from(d).ok()?).ok()
}

/// One entry of a `rest` / `work` list: a date, or an inclusive range `A..=B` with A <= B.
pub(crate) fn parse_date_item(s: &str) -> Option<Vec<Date>> {
    let Some((a, b)) = s.split_once("..=") else {
        return parse_date(s.trim()).map(|d| vec![d]);
    };
    let (from, to) = (parse_date(a.trim())?, parse_date(b.trim())?);
    if from > to || from.until(to).ok()?.get_days() > 366 {
        return None;
    }
    let mut out = vec![from];
    let mut d = from;
    while d < to {
        d = d.tomorrow().ok()?;
        out.push(d);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn line_numbers_count_newlines_before_the_offset() {
        let text = "a\nbb\nccc";
        assert_eq!(line_of(text, 0), 1);
        assert_eq!(line_of(text, 2), 2);
        assert_eq!(line_of(text, 5), 3);
        assert_eq!(line_of(text, 999), 3);
    }

    #[test]
    fn only_strict_iso_dates_are_accepted() {
        assert_eq!(parse_date("2026-10-01"), Some(date(2026, 10, 1)));
        for bad in [
            "2026-02-30",
            "2026/10/01",
            "2026-1-01",
            "26-10-01",
            "2026-10-01T00",
            "+026-10-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn an_inclusive_range_expands_to_every_date() {
        let days = parse_date_item("2026-09-30..=2026-10-02").expect("valid");
        assert_eq!(
            days,
            vec![date(2026, 9, 30), date(2026, 10, 1), date(2026, 10, 2)]
        );
        assert_eq!(parse_date_item("2026-10-02..=2026-10-01"), None);
    }
}
