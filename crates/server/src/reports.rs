//! The on-time report as the server serves it: computed from the store's clocks, or read back
//! from its frozen snapshot with the corrections made since; and freezing a finished period.

use kuaiwei_reports::{
    Correction, FreezeInfo, Inputs, OnTimeReport, Period, compute, corrections, freeze_body,
    hash_body, window,
};
use std::sync::Arc;

use kuaiwei_store::{FrozenReport, StoreError};

use crate::{AppError, AppState};

/// A report with its freeze, if any.
pub struct Served {
    pub report: std::sync::Arc<OnTimeReport>,
    pub frozen: Option<FreezeInfo>,
    /// For a frozen period: the clocks whose standing has changed since.
    pub corrections: Vec<Correction>,
    /// For a frozen period: the report as the clocks give it now (the corrections' source).
    pub live: Option<Arc<OnTimeReport>>,
}

impl Served {
    /// The report as one agency's staff see it: its own lines, figures added up again, and the
    /// corrections of its own cases; `None` leaves it whole.
    pub fn scoped(self, agency: Option<&str>) -> Served {
        let Some(agency) = agency else {
            return self;
        };
        let report = self.report.scoped_to(agency);
        let live = self.live.map(|l| Arc::new(l.scoped_to(agency)));
        let corrections = match &live {
            Some(l) => corrections(&report.lines, &l.lines),
            None => Vec::new(),
        };
        Served {
            report: Arc::new(report),
            frozen: self.frozen,
            corrections,
            live,
        }
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

pub fn parse_period(text: &str) -> Result<Period, AppError> {
    Ok(Period::parse(text)?)
}

fn agency_label(key: &str) -> Option<(String, String)> {
    kuaiwei_routing::Agency::from_key(key).map(|a| (a.zh().to_string(), a.en().to_string()))
}

/// The report as the stored clocks give it now. A finished period comes from the cache when no
/// case has changed since it was computed, unless `fresh` asks for it to be computed again.
pub async fn live(
    state: &AppState,
    period: Period,
    fresh: bool,
) -> Result<Arc<OnTimeReport>, AppError> {
    let now = state.clock.now();
    let chain_seq = if now >= period.bounds().1 {
        Some(state.store.audit_head().await?.map_or(0, |(seq, _)| seq))
    } else {
        None
    };
    if let (Some(seq), false) = (chain_seq, fresh)
        && let Some(report) = state.report_cache.get(period, seq)
    {
        return Ok(report);
    }
    let started = std::time::Instant::now();
    let clocks = state.store.report_clocks(&window(period)).await?;
    let read = started.elapsed();
    let procedures = state.procedures.clone();
    // Classifying a few hundred thousand clocks takes a while: off the async workers.
    let n = clocks.len();
    let report = tokio::task::spawn_blocking(move || {
        compute(Inputs {
            period,
            now,
            clocks,
            procedures: &procedures,
            agency_label: &agency_label,
        })
    })
    .await
    .map_err(|e| AppError::Internal(format!("report computation failed: {e}")))?;
    let report = Arc::new(report?);
    tracing::info!(
        %period,
        clocks = n,
        read_ms = read.as_millis() as u64,
        compute_ms = (started.elapsed() - read).as_millis() as u64,
        "on-time report computed"
    );
    if let Some(seq) = chain_seq
        && report.lines.len() <= crate::state::ReportCache::MAX_LINES
    {
        state.report_cache.put(period, seq, report.clone());
    }
    Ok(report)
}

/// The frozen report of the period if there is one (with corrections), else the live one.
pub async fn on_time(state: &AppState, period: Period, fresh: bool) -> Result<Served, AppError> {
    let now = live(state, period, fresh).await?;
    match state.store.frozen_report(&period.to_string()).await? {
        None => Ok(Served {
            report: now,
            frozen: None,
            corrections: Vec::new(),
            live: None,
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
                live: Some(now),
                report: Arc::new(report),
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
    let report = live(state, period, true).await?;
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
        live: None,
    })
}

/// The deadline watch as of now: open cases overdue or due within `days` (1-90), per agency and
/// officer, optionally only one agency's or one officer's.
pub async fn watch(
    state: &AppState,
    days: u32,
    agency: Option<String>,
    officer: Option<String>,
) -> Result<kuaiwei_reports::Watch, AppError> {
    if !(1..=90).contains(&days) {
        return Err(AppError::field(
            "days",
            "out_of_range",
            "天数应为1至90",
            "days is 1 to 90",
        ));
    }
    if let Some(k) = agency
        .as_deref()
        .filter(|k| kuaiwei_routing::Agency::from_key(k).is_none())
    {
        return Err(AppError::field(
            "agency",
            "unknown_value",
            format!(
                "未知的执法部门 {k:?}（可用：ip_office、market_regulation、copyright、customs、police）"
            ),
            format!(
                "unknown agency {k:?} (known: ip_office, market_regulation, copyright, customs, police)"
            ),
        ));
    }
    let now = state.clock.now();
    let filter = kuaiwei_store::QueueFilter {
        agency,
        officer,
        due_before: Some(now + jiff::SignedDuration::from_hours(i64::from(days) * 24)),
        ..Default::default()
    };
    // Every case due before the horizon, a queue page (at most 200) at a time.
    let mut items = Vec::new();
    loop {
        let page = state.store.queue(&filter, 200, items.len() as u32).await?;
        let done = page.len() < 200;
        items.extend(page);
        if done || items.len() >= 20_000 {
            break;
        }
    }
    Ok(kuaiwei_reports::watch(items, now, days, &agency_label))
}
