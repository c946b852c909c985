//! Why a report or the watch could not be served, typed so that each front end maps it once
//! (the API to a status code and field, the command line to a message).

use kuaiwei_store::StoreError;

use crate::{Period, ReportError};

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The period is malformed or has not begun.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// A freeze asked for before the period ended.
    #[error("the period {0} has not ended; it can be frozen once it has")]
    NotOver(Period),
    /// A freeze of a period frozen before.
    #[error("the period {0} is frozen already")]
    AlreadyFrozen(Period),
    /// The watch's horizon is outside 1 to 90 days.
    #[error("days is 1 to 90")]
    DaysOutOfRange(u32),
    /// The watch asked for by an agency key that names none.
    #[error(
        "unknown agency {0:?} (known: ip_office, market_regulation, copyright, customs, police)"
    )]
    UnknownAgency(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A frozen report's stored text cannot be read back.
    #[error("frozen report {period} unreadable: {detail}")]
    FrozenUnreadable { period: Period, detail: String },
    /// Work on the blocking pool failed (a panic in it): `what` says which.
    #[error("{what}: {detail}")]
    Task { what: &'static str, detail: String },
}

impl ServeError {
    /// The message in Chinese, for a person.
    pub fn zh(&self) -> String {
        match self {
            ServeError::Report(e) => e.zh_en().0,
            ServeError::NotOver(p) => format!("报告期 {p} 尚未结束，结束后方可封存"),
            ServeError::AlreadyFrozen(p) => format!("报告期 {p} 已封存，不可重复封存"),
            ServeError::DaysOutOfRange(_) => "天数应为1至90".to_string(),
            ServeError::UnknownAgency(k) => format!(
                "未知的执法部门 {k:?}（可用：ip_office、market_regulation、copyright、customs、police）"
            ),
            // internal: the English detail is for the log, not for a person
            e => e.to_string(),
        }
    }

    /// The message in English, for a person.
    pub fn en(&self) -> String {
        match self {
            ServeError::Report(e) => e.zh_en().1,
            e => e.to_string(),
        }
    }
}
