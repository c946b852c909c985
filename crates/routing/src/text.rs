//! Reading the rules file (line numbers, strict dates, TOML errors with their line) and writing
//! money. The three reading helpers mirror `kuaiwei-deadlines`' `text` module.

use std::ops::Range;

use jiff::civil::Date;

use crate::error::{Issue, RulesError};

/// The 1-based line of a byte offset in `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// A [`RulesError`] located at the start of `span`.
pub(crate) fn located(text: &str, span: Range<usize>, shown: &str, issue: Issue) -> RulesError {
    RulesError {
        line: line_of(text, span.start),
        text: shown.chars().take(80).collect(),
        issue,
    }
}

/// A TOML syntax or shape error (unknown key, wrong type, missing key) with its line.
pub(crate) fn syntax(text: &str, err: &toml::de::Error) -> RulesError {
    let span = err.span().unwrap_or(0..0);
    let shown = text
        .get(span.clone())
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| {
            text.lines()
                .nth(line_of(text, span.start) - 1)
                .unwrap_or("")
        });
    let message = err.message().trim().replace('\n', " ");
    located(text, span, shown.trim(), Issue::Syntax(message))
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

/// An amount in fen as yuan with cents: `¥52,000.00`.
pub(crate) fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}¥{}.{:02}", grouped(abs / 100), abs % 100)
}

/// A threshold in fen as yuan, cents shown only when there are any: `¥50,000`.
pub(crate) fn yuan_round(fen: i64) -> String {
    if fen % 100 == 0 {
        let sign = if fen < 0 { "-" } else { "" };
        format!("{sign}¥{}", grouped(fen.unsigned_abs() / 100))
    } else {
        yuan(fen)
    }
}

pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn money_is_written_in_yuan_with_thousands_separators() {
        assert_eq!(yuan(5_200_000), "¥52,000.00");
        assert_eq!(yuan(5), "¥0.05");
        assert_eq!(yuan(-123_456_789), "-¥1,234,567.89");
        assert_eq!(yuan_round(5_000_000), "¥50,000");
        assert_eq!(yuan_round(100_000_050), "¥1,000,000.50");
        assert_eq!(yuan_round(0), "¥0");
    }

    #[test]
    fn only_strict_iso_dates_are_accepted() {
        assert_eq!(parse_date("2025-04-26"), Some(date(2025, 4, 26)));
        for bad in ["2025-02-30", "2025/04/26", "2025-4-26", "2025-04-26T00"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn line_numbers_count_newlines_before_the_offset() {
        assert_eq!(line_of("a\nbb\nccc", 0), 1);
        assert_eq!(line_of("a\nbb\nccc", 5), 3);
        assert_eq!(line_of("a\nbb\nccc", 999), 3);
    }
}
