//! The server's side of the reports (crates/reports serves them): the service over this state's
//! store, cache and copy of the clocks, asked at the server's time and calendar, and its errors
//! as HTTP answers.

use kuaiwei_reports::{Period, Reports, ServeError, Served, Watch};

use crate::{AppError, AppState};

impl AppState {
    /// The reports over this state's store and procedures, with its cache of finished periods
    /// and its copy of the clocks (if it keeps one).
    pub fn reports(&self) -> Reports {
        Reports::new(
            self.store.clone(),
            self.procedures.clone(),
            kuaiwei_routing::Agency::labels,
        )
        .with_cache(self.report_cache.clone())
        .with_copy(self.report_facts.clone())
    }
}

impl From<kuaiwei_reports::ReportError> for AppError {
    fn from(e: kuaiwei_reports::ReportError) -> Self {
        let (zh, en) = e.zh_en();
        match e {
            kuaiwei_reports::ReportError::Period(_) => {
                AppError::field("period", "bad_period", zh, en)
            }
            kuaiwei_reports::ReportError::NotStarted(_) => {
                AppError::field("period", "period_not_started", zh, en)
            }
            _ => AppError::Internal(en),
        }
    }
}

impl From<ServeError> for AppError {
    fn from(e: ServeError) -> Self {
        let (zh, en) = (e.zh(), e.en());
        match e {
            ServeError::Report(e) => e.into(),
            ServeError::Store(e) => e.into(),
            ServeError::NotOver(_) => AppError::StateConflict {
                code: "period_not_over",
                zh,
                en,
            },
            ServeError::AlreadyFrozen(_) => AppError::StateConflict {
                code: "already_frozen",
                zh,
                en,
            },
            ServeError::DaysOutOfRange(_) => AppError::field("days", "out_of_range", zh, en),
            ServeError::UnknownAgency(_) => AppError::field("agency", "unknown_value", zh, en),
            ServeError::FrozenUnreadable { .. } | ServeError::Task { .. } => AppError::Internal(en),
        }
    }
}

pub fn parse_period(text: &str) -> Result<Period, AppError> {
    Ok(Period::parse(text)?)
}

/// The frozen report of the period if there is one (with corrections), else the live one, as of
/// the server's clock.
pub async fn on_time(state: &AppState, period: Period, fresh: bool) -> Result<Served, AppError> {
    let calendar = state.calendar.current();
    Ok(state
        .reports()
        .on_time(period, fresh, state.clock.now(), &calendar)
        .await?)
}

/// Freezes a finished period, by `by`, as of the server's clock.
pub async fn freeze(state: &AppState, period: Period, by: &str) -> Result<Served, AppError> {
    let calendar = state.calendar.current();
    Ok(state
        .reports()
        .freeze(period, by, state.clock.now(), &calendar)
        .await?)
}

/// The deadline watch as of the server's clock.
pub async fn watch(
    state: &AppState,
    days: u32,
    agency: Option<String>,
    officer: Option<String>,
) -> Result<Watch, AppError> {
    let calendar = state.calendar.current();
    Ok(state
        .reports()
        .watch(days, agency, officer, state.clock.now(), &calendar)
        .await?)
}
