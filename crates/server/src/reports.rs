//! The on-time report as the server serves it: computed from the store's clocks, or read back
//! from its frozen snapshot with the corrections made since; and freezing a finished period.

use kuaiwei_reports::{
    Correction, FreezeInfo, Inputs, OnTimeReport, Period, compute, corrections, freeze_body,
    hash_body, window,
};
use kuaiwei_store::{FrozenReport, StoreError};

use crate::{AppError, AppState};

/// A report with its freeze, if any.
pub struct Served {
    pub report: OnTimeReport,
    pub frozen: Option<FreezeInfo>,
    /// For a frozen period: the clocks whose standing has changed since.
    pub corrections: Vec<Correction>,
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

pub fn parse_period(text: &str) -> Result<Period, AppError> {
    Ok(Period::parse(text)?)
}

fn agency_label(key: &str) -> Option<(String, String)> {
    kuaiwei_routing::Agency::from_key(key).map(|a| (a.zh().to_string(), a.en().to_string()))
}

/// The report computed now from the stored clocks.
pub async fn live(state: &AppState, period: Period) -> Result<OnTimeReport, AppError> {
    let started = std::time::Instant::now();
    let clocks = state.store.report_clocks(&window(period)).await?;
    let read = started.elapsed();
    let report = compute(&Inputs {
        period,
        now: state.clock.now(),
        clocks: &clocks,
        procedures: &state.procedures,
        agency_label: &agency_label,
    })?;
    tracing::info!(
        %period,
        clocks = clocks.len(),
        read_ms = read.as_millis() as u64,
        compute_ms = (started.elapsed() - read).as_millis() as u64,
        "on-time report computed"
    );
    Ok(report)
}

/// The frozen report of the period if there is one (with corrections), else the live one.
pub async fn on_time(state: &AppState, period: Period) -> Result<Served, AppError> {
    let now = live(state, period).await?;
    match state.store.frozen_report(&period.to_string()).await? {
        None => Ok(Served {
            report: now,
            frozen: None,
            corrections: Vec::new(),
        }),
        Some(f) => {
            let intact = hash_body(&f.body) == f.hash;
            let report: OnTimeReport = serde_json::from_str(&f.body).map_err(|e| {
                AppError::Internal(format!("frozen report {period} unreadable: {e}"))
            })?;
            if !intact {
                tracing::error!(%period, "frozen report does not match its hash");
            }
            Ok(Served {
                corrections: corrections(&report.lines, &now.lines),
                report,
                frozen: Some(FreezeInfo {
                    frozen_at: f.frozen_at,
                    frozen_by: f.frozen_by,
                    hash: f.hash,
                    intact,
                }),
            })
        }
    }
}

/// Freezes a finished period: its report, with every line, kept for good.
pub async fn freeze(state: &AppState, period: Period, by: &str) -> Result<Served, AppError> {
    let report = live(state, period).await?;
    if !report.complete {
        return Err(AppError::StateConflict {
            code: "period_not_over",
            zh: format!("报告期 {period} 尚未结束，结束后方可封存"),
            en: format!("the period {period} has not ended; it can be frozen once it has"),
        });
    }
    let body = freeze_body(&report);
    let frozen = FrozenReport {
        period: period.to_string(),
        frozen_at: state.clock.now(),
        frozen_by: by.to_string(),
        hash: hash_body(&body),
        body,
    };
    match state.store.freeze_report(&frozen).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::StateConflict {
                code: "already_frozen",
                zh: format!("报告期 {period} 已封存，不可重复封存"),
                en: format!("the period {period} is frozen already"),
            });
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Served {
        report,
        frozen: Some(FreezeInfo {
            frozen_at: frozen.frozen_at,
            frozen_by: frozen.frozen_by,
            hash: frozen.hash,
            intact: true,
        }),
        corrections: Vec::new(),
    })
}
