//! What the report's pages (rendered by the server's templates) take from here: the language,
//! the measures of a figures table, escaping and query values, and the SVG chart of each
//! agency's on-time rate against the 100 % line.

use std::fmt::Write;

use crate::{Dimension, Measure, OnTimeReport};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn parse(s: Option<&str>) -> Lang {
        match s.map(str::trim) {
            Some(l) if l.eq_ignore_ascii_case("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    pub(crate) fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a query value.
pub fn q(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

fn pct(r: Option<f64>) -> String {
    r.map(|r| format!("{:.2}%", r * 100.0))
        .unwrap_or_else(|| "—".into())
}

pub const TABLE_MEASURES: [Measure; 11] = [
    Measure::Counted,
    Measure::OnTime,
    Measure::Late,
    Measure::OverdueOpen,
    Measure::Pending,
    Measure::Undetermined,
    Measure::OverdueAtEnd,
    Measure::Due7,
    Measure::Due30,
    Measure::Opened,
    Measure::Closed,
];

/// One horizontal bar per agency, the 100 % target as a vertical line.
pub fn chart(r: &OnTimeReport, lang: Lang) -> String {
    let Some(b) = r.breakdown(Dimension::Agency) else {
        return String::new();
    };
    let groups: Vec<_> = b
        .groups
        .iter()
        .filter(|g| g.figures.on_time_rate.is_some())
        .collect();
    if groups.is_empty() {
        return format!(
            "<p class=\"note\">{}</p>",
            lang.pick("本期无应计案件。", "No case counts in this period.")
        );
    }
    let (left, width, bar, gap) = (180.0, 420.0, 22.0, 10.0);
    let height = 30.0 + groups.len() as f64 * (bar + gap);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{w}\" height=\"{height}\" \
viewBox=\"0 0 {w} {height}\"><title>{}</title>",
        esc(lang.pick("各承办机关按期结案率", "On-time rate by agency")),
        w = left + width + 80.0
    );
    for (i, g) in groups.iter().enumerate() {
        let rate = g.figures.on_time_rate.unwrap_or(0.0);
        let y = 20.0 + i as f64 * (bar + gap);
        let fill = if rate >= r.target {
            "#2e7d32"
        } else {
            "#ef6c00"
        };
        let label = lang.pick(&g.label_zh, &g.label_en);
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"13\">{}</text>\
<rect x=\"{left}\" y=\"{y}\" width=\"{:.1}\" height=\"{bar}\" fill=\"{fill}\"/>\
<text x=\"{:.1}\" y=\"{}\" font-size=\"12\">{}</text>",
            left - 6.0,
            y + bar * 0.7,
            esc(label),
            rate * width,
            left + rate * width + 4.0,
            y + bar * 0.7,
            pct(Some(rate)),
        );
    }
    let _ = write!(
        s,
        "<line x1=\"{x}\" y1=\"10\" x2=\"{x}\" y2=\"{height}\" stroke=\"#b00020\" stroke-dasharray=\"4 3\"/>\
<text x=\"{x}\" y=\"10\" font-size=\"11\" text-anchor=\"middle\">100%</text></svg>",
        x = left + width * r.target
    );
    s
}
