//! CSV downloads: UTF-8 with a byte-order mark (Excel on zh-CN Windows otherwise reads GBK), and
//! every cell that a spreadsheet would take for a formula (= + - @, tab, CR) neutralised with a
//! leading apostrophe.

use crate::{Dimension, Figures, Line, OnTimeReport, ReportError};

const BOM: &[u8] = "\u{feff}".as_bytes();

/// A cell as text a spreadsheet will not evaluate.
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

fn rate(r: Option<f64>) -> String {
    r.map(|r| format!("{:.2}", r * 100.0)).unwrap_or_default()
}

fn opt(x: Option<f64>) -> String {
    x.map(|x| format!("{x:.1}")).unwrap_or_default()
}

pub(crate) const FIGURE_COLUMNS: [&str; 21] = [
    "dimension",
    "key",
    "label",
    "counted",
    "on_time",
    "late",
    "overdue_open",
    "pending",
    "undetermined",
    "on_time_rate_pct",
    "overdue_at_end",
    "due_7",
    "due_30",
    "opened",
    "closed",
    "closure_rate_pct",
    "median_days",
    "p90_days",
    "extended",
    "extensions",
    "provisional",
];

pub(crate) fn figure_cells(dimension: &str, key: &str, label: &str, f: &Figures) -> Vec<String> {
    vec![
        dimension.to_string(),
        key.to_string(),
        label.to_string(),
        f.counted.to_string(),
        f.on_time.to_string(),
        f.late.to_string(),
        f.overdue_open.to_string(),
        f.pending.to_string(),
        f.undetermined.to_string(),
        rate(f.on_time_rate),
        f.overdue_at_end.to_string(),
        f.due_7.to_string(),
        f.due_30.to_string(),
        f.opened.to_string(),
        f.closed.to_string(),
        rate(f.closure_rate),
        opt(f.median_days),
        opt(f.p90_days),
        f.extended.to_string(),
        f.extensions.to_string(),
        f.provisional.to_string(),
    ]
}

/// Every row of figures: the headline, each month of a roll-up, then each breakdown's groups.
pub(crate) fn figure_rows(r: &OnTimeReport) -> Vec<Vec<String>> {
    let mut rows = vec![figure_cells("total", "all", "合计 total", &r.headline)];
    for m in &r.months {
        let key = m.period.to_string();
        rows.push(figure_cells("month", &key, &key, &m.figures));
    }
    for d in Dimension::ALL {
        if let Some(b) = r.breakdown(d) {
            for g in &b.groups {
                let label = format!("{} {}", g.label_zh, g.label_en);
                rows.push(figure_cells(d.key(), &g.key, &label, &g.figures));
            }
        }
    }
    rows
}

pub(crate) const LINE_COLUMNS: [&str; 18] = [
    "case_number",
    "procedure",
    "closes_case",
    "agency",
    "channel",
    "right_type",
    "fair",
    "officer",
    "started_at",
    "due_at",
    "closed_at",
    "category",
    "overdue_at_end",
    "due_within_days",
    "started_in_period",
    "closed_in_period",
    "net_days",
    "extensions",
];

pub(crate) fn line_cells(l: &Line) -> Vec<String> {
    let t = |t: Option<jiff::Timestamp>| t.map(|t| t.to_string()).unwrap_or_default();
    let s = |s: &Option<String>| s.clone().unwrap_or_default();
    let category = l
        .category
        .and_then(|c| serde_json::to_value(c).ok())
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    vec![
        l.case_number.clone(),
        l.procedure.clone(),
        l.closes_case.to_string(),
        s(&l.agency),
        l.channel.clone(),
        s(&l.right_type),
        s(&l.fair),
        s(&l.officer),
        t(l.started_at),
        t(l.due_at),
        t(l.closed_at),
        category,
        l.overdue_at_end.to_string(),
        l.due_within_days.map(|d| d.to_string()).unwrap_or_default(),
        l.started_in_period.to_string(),
        l.closed_in_period.to_string(),
        opt(l.net_days),
        l.extensions.to_string(),
    ]
}

fn write(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Result<Vec<u8>, ReportError> {
    let mut w = csv::Writer::from_writer(BOM.to_vec());
    let err = |e: csv::Error| ReportError::Csv(e.to_string());
    w.write_record(header).map_err(err)?;
    for row in rows {
        w.write_record(row.iter().map(|c| neutralise(c)))
            .map_err(err)?;
    }
    w.into_inner().map_err(|e| ReportError::Csv(e.to_string()))
}

/// The figures, one row per group.
pub fn figures_csv(r: &OnTimeReport) -> Result<Vec<u8>, ReportError> {
    write(&FIGURE_COLUMNS, figure_rows(r).into_iter())
}

/// The classified clocks behind the figures, one row each.
pub fn lines_csv<'a>(lines: impl Iterator<Item = &'a Line>) -> Result<Vec<u8>, ReportError> {
    write(&LINE_COLUMNS, lines.map(line_cells))
}
