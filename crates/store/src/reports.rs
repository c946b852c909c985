//! What the on-time report reads from the store: the clocks of a date window with what the
//! figures are broken down by, and the frozen months.

use jiff::Timestamp;

/// The instants a report over `[from, to)` needs. `horizon` bounds the at-risk look-ahead: a
/// clock still running at the report's reference instant and due before `horizon` is at risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportWindow {
    pub from: Timestamp,
    pub to: Timestamp,
    pub horizon: Timestamp,
}

/// One statutory clock of a case, with the case's agency, channel, right type, fair and officer.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportClock {
    pub case_number: String,
    pub procedure_id: String,
    pub started_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub due_at: Option<Timestamp>,
    /// The clock's inputs as stored (exclusions, extensions), JSON.
    pub inputs: String,
    pub agency: Option<String>,
    pub channel: String,
    pub right_type: Option<String>,
    pub fair: Option<String>,
    /// Who opened (立案) the case.
    pub officer: Option<String>,
}

/// A report frozen when its period was closed: the exact text served ever after, and its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrozenReport {
    /// `2026-10`, `2026-Q4` or `2026`.
    pub period: String,
    pub frozen_at: Timestamp,
    pub frozen_by: String,
    /// The report as JSON text.
    pub body: String,
    /// SHA-256 of `body`, hex.
    pub hash: String,
}

/// A generated case for benchmarks, written straight into the tables the report reads, with
/// its complaint and the change-log row that intake writes for it (so that the search indexer
/// and `kuaiwei reindex` find it), but without evidence or audit events. Never used by the
/// product.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticCase {
    pub case_number: String,
    pub received_at: Timestamp,
    /// `fair`, `ecommerce` …
    pub channel: String,
    pub right_type: Option<String>,
    pub fair: Option<String>,
    /// Case state key (`opened`, `closed` …).
    pub state: String,
    pub agency: Option<String>,
    pub outcome: Option<String>,
    pub officer: Option<String>,
    pub next_due_at: Option<Timestamp>,
    pub clocks: Vec<crate::StoredClock>,
    /// The complaint as stored (`Complaint` as JSON): the indexer builds the case's search
    /// document from it.
    pub body: String,
    /// Whether the server's start-up backfill is to resolve the respondent from the body (the
    /// few cases whose page a benchmark opens); else the case is written as resolved to no
    /// respondent (0), so that a start over a million cases does not parse a million bodies.
    pub respondent_pending: bool,
}
