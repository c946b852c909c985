//! The monthly on-time closure report (按期结案率) and its roll-ups: figures computed from the
//! stored clocks of a period, each traceable to the cases behind it; frozen snapshots that
//! read the same ever after, with later corrections listed beside them; CSV, XLSX and HTML.
//!
//! The computation is pure: it classifies [`Facts`] read from the store's clocks. [`Reports`]
//! (module `serve`) is how a front end serves them: it reads each period's window of clocks
//! ([`kuaiwei_store::Store::report_clocks`]) or keeps a copy of every clock current from the
//! change log as the server does, caches finished periods, freezes them in the store and reads
//! the deadline watch. It knows no HTTP: the caller gives the time and the calendar.

mod compute;
mod csv_out;
mod facts;
mod freeze;
mod html;
mod numbers;
mod period;
mod serve;
mod watch;
mod xlsx;

pub use compute::{
    Breakdown, Category, DEFINITION_EN, DEFINITION_VERSION, DEFINITION_ZH, Definition, Dimension,
    Figures, Group, Inputs, Line, Measure, MonthFigures, NONE, OnTimeReport, compute, net_days,
};
pub use csv_out::{figures_csv, lines_csv};
pub use facts::{Facts, MarkEntry, SavedError, SavedMark};
pub use freeze::{Correction, FreezeInfo, LineState, corrections, freeze_body, hash_body};
pub use html::{Lang, TABLE_MEASURES, chart as chart_svg, q as query_value};
pub use period::Period;
pub use serve::{
    AgencyLabel, Answer, Recomputed, ReportCache, ReportFacts, Reports, ServeError, Served,
};
pub use watch::{AgencyWatch, OfficerCount, Watch, WatchLine, watch, watch_text};
pub use xlsx::xlsx;

/// How far ahead a report looks for clocks at risk.
pub const AT_RISK_DAYS: i64 = 30;

/// The window of stored clocks a report over `period` needs.
pub fn window(period: Period) -> kuaiwei_store::ReportWindow {
    let (from, to) = period.bounds();
    kuaiwei_store::ReportWindow {
        from,
        to,
        horizon: to + jiff::SignedDuration::from_hours(24 * (AT_RISK_DAYS + 1)),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(
        "报告期应为 2026-10、2026-Q4 或 2026 的形式，收到 {0:?} / a period is 2026-10, 2026-Q4 or 2026; got {0:?}"
    )]
    Period(String),
    #[error("报告期 {0} 尚未开始 / the period {0} has not begun")]
    NotStarted(String),
    #[error("XLSX 生成失败 / XLSX output failed: {0}")]
    Xlsx(String),
    #[error("CSV 生成失败 / CSV output failed: {0}")]
    Csv(String),
}

impl ReportError {
    /// The message in Chinese and in English, each written apart (the `Display` text joins
    /// them for a log or a terminal).
    pub fn zh_en(&self) -> (String, String) {
        match self {
            ReportError::Period(t) => (
                format!("报告期应为 2026-10、2026-Q4 或 2026 的形式，收到 {t:?}"),
                format!("a period is 2026-10, 2026-Q4 or 2026; got {t:?}"),
            ),
            ReportError::NotStarted(p) => (
                format!("报告期 {p} 尚未开始"),
                format!("the period {p} has not begun"),
            ),
            ReportError::Xlsx(e) => (
                "XLSX 生成失败".to_string(),
                format!("XLSX output failed: {e}"),
            ),
            ReportError::Csv(e) => (
                "CSV 生成失败".to_string(),
                format!("CSV output failed: {e}"),
            ),
        }
    }
}

#[cfg(test)]
mod tests;
