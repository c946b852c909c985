//! Reports as a front end serves them (the API, its pages, the command line): computed from the
//! store's clocks, or from a copy of every clock kept current from the change log; read back
//! from a frozen snapshot with the corrections made since; freezing a finished period; and the
//! deadline watch.
//!
//! The caller gives the time and the calendar of each request, so that a server's settable
//! clock and reloaded calendar and a command's system clock are treated alike.

mod answer;
mod cache;
mod copy;
mod error;

pub use answer::{Answer, Recomputed, Served};
pub use cache::ReportCache;
pub use copy::ReportFacts;
pub use error::ServeError;

use std::sync::Arc;
use std::time::Instant;

use jiff::Timestamp;
use kuaiwei_deadlines::{Calendar, Procedures};
use kuaiwei_store::{FrozenReport, QueueFilter, Store, StoreError};

use crate::{
    Facts, FreezeInfo, Inputs, OnTimeReport, Period, Watch, compute, corrections, freeze_body,
    hash_body, window,
};

/// The zh-CN and en names of an agency key, `None` for a key naming none (the routing crate's
/// `Agency::labels`; kept a parameter so that reports do not depend on routing).
pub type AgencyLabel = fn(&str) -> Option<(String, String)>;

/// The reports of one store. Cheap to clone: every part is shared.
#[derive(Clone)]
pub struct Reports {
    store: Arc<dyn Store>,
    procedures: Arc<Procedures>,
    agency_label: AgencyLabel,
    cache: ReportCache,
    /// `None`: each report reads its period's window from the store (a one-off command).
    copy: Option<ReportFacts>,
}

impl Reports {
    /// Reports read from `store`, each reading its period's window, with a cache of their own.
    pub fn new(
        store: Arc<dyn Store>,
        procedures: Arc<Procedures>,
        agency_label: AgencyLabel,
    ) -> Reports {
        Reports {
            store,
            procedures,
            agency_label,
            cache: ReportCache::default(),
            copy: None,
        }
    }

    /// The same, keeping finished periods in `cache` (shared with whoever clears it).
    pub fn with_cache(self, cache: ReportCache) -> Reports {
        Reports { cache, ..self }
    }

    /// The same, computing from `copy` once it is loaded ([`Reports::warm`]); `None` reads
    /// each period's window.
    pub fn with_copy(self, copy: Option<ReportFacts>) -> Reports {
        Reports { copy, ..self }
    }

    /// Sets loading the copy of the clocks going (a million cases take seconds), if there is
    /// one; reports read their windows until it is done.
    pub fn warm(&self) {
        if let Some(held) = &self.copy {
            self.start_load(held);
        }
    }

    /// The report as the stored clocks give it at `now`. A finished period comes from the
    /// cache when no case has changed since it was computed, unless `fresh` asks for it to be
    /// computed again.
    pub async fn live(
        &self,
        period: Period,
        fresh: bool,
        now: Timestamp,
        calendar: &Calendar,
    ) -> Result<Arc<OnTimeReport>, ServeError> {
        let chain_seq = if now >= period.bounds().1 {
            Some(self.store.audit_head().await?.map_or(0, |(seq, _)| seq))
        } else {
            None
        };
        if let (Some(seq), false) = (chain_seq, fresh)
            && let Some(report) = self.cache.get(period, seq)
        {
            return Ok(report);
        }
        let started = Instant::now();
        let procedures = self.procedures.clone();
        let agency_label = self.agency_label;
        let provisional_from = provisional_from(calendar);
        let compute_over = move |facts: &Facts| {
            compute(Inputs {
                period,
                now,
                facts,
                procedures: &procedures,
                agency_label: &agency_label,
                provisional_from,
            })
        };
        let copy = match &self.copy {
            Some(held) => self.current_facts(held).await.unwrap_or_else(|e| {
                tracing::warn!(error = %e, "the copy of the clocks could not be brought up to date; reading the window");
                None
            }),
            None => None,
        };
        let source = if copy.is_some() { "copy" } else { "window" };
        // Classifying a few hundred thousand clocks takes a while: off the async workers.
        let (report, n, read) = match copy {
            Some(held) => {
                let read = started.elapsed();
                tokio::task::spawn_blocking(move || {
                    let facts = &held.as_ref().expect("loaded above").facts;
                    (compute_over(facts), facts.len(), read)
                })
                .await
            }
            None => {
                let clocks = self.store.report_clocks(&window(period)).await?;
                let read = started.elapsed();
                let procedures = self.procedures.clone();
                tokio::task::spawn_blocking(move || {
                    let n = clocks.len();
                    let facts = Facts::from_clocks(clocks, &procedures);
                    (compute_over(&facts), n, read)
                })
                .await
            }
        }
        .map_err(|e| ServeError::Task {
            what: "report computation failed",
            detail: e.to_string(),
        })?;
        let report = Arc::new(report?);
        tracing::info!(
            %period,
            clocks = n,
            read_ms = read.as_millis() as u64,
            compute_ms = (started.elapsed() - read).as_millis() as u64,
            source,
            "on-time report computed"
        );
        if let Some(seq) = chain_seq
            && report.lines.len() <= ReportCache::MAX_LINES
        {
            self.cache.put(period, seq, report.clone());
        }
        Ok(report)
    }

    /// The frozen report of the period if there is one (with corrections), else the live one.
    pub async fn on_time(
        &self,
        period: Period,
        fresh: bool,
        now: Timestamp,
        calendar: &Calendar,
    ) -> Result<Served, ServeError> {
        let now = self.live(period, fresh, now, calendar).await?;
        match self.store.frozen_report(&period.to_string()).await? {
            None => Ok(Served {
                report: now,
                frozen: None,
                corrections: Vec::new(),
                live: None,
            }),
            Some(f) => {
                let intact = hash_body(&f.body) == f.hash;
                let report: OnTimeReport =
                    serde_json::from_str(&f.body).map_err(|e| ServeError::FrozenUnreadable {
                        period,
                        detail: e.to_string(),
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

    /// Freezes a finished period at `now`, by `by`: its report, with every line, kept for good.
    pub async fn freeze(
        &self,
        period: Period,
        by: &str,
        now: Timestamp,
        calendar: &Calendar,
    ) -> Result<Served, ServeError> {
        let report = self.live(period, true, now, calendar).await?;
        if !report.complete {
            return Err(ServeError::NotOver(period));
        }
        let body = freeze_body(&report);
        let frozen = FrozenReport {
            period: period.to_string(),
            frozen_at: now,
            frozen_by: by.to_string(),
            hash: hash_body(&body),
            body,
        };
        match self.store.freeze_report(&frozen).await {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => return Err(ServeError::AlreadyFrozen(period)),
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

    /// The deadline watch at `now`: open cases overdue or due within `days` (1-90), per agency
    /// and officer, optionally only one agency's or one officer's.
    pub async fn watch(
        &self,
        days: u32,
        agency: Option<String>,
        officer: Option<String>,
        now: Timestamp,
        calendar: &Calendar,
    ) -> Result<Watch, ServeError> {
        if !(1..=90).contains(&days) {
            return Err(ServeError::DaysOutOfRange(days));
        }
        if let Some(k) = agency
            .as_deref()
            .filter(|k| (self.agency_label)(k).is_none())
        {
            return Err(ServeError::UnknownAgency(k.to_string()));
        }
        let filter = QueueFilter {
            agency,
            officer,
            due_before: Some(now + jiff::SignedDuration::from_hours(i64::from(days) * 24)),
            ..Default::default()
        };
        // Every case due before the horizon, a queue page (at most 200) at a time.
        let mut items = Vec::new();
        loop {
            let page = self.store.queue(&filter, 200, items.len() as u32).await?;
            let done = page.len() < 200;
            items.extend(page);
            if done || items.len() >= 20_000 {
                break;
            }
        }
        Ok(crate::watch(items, now, days, &self.agency_label, &|due| {
            calendar.is_provisional_due(due)
        }))
    }
}

/// The start (Asia/Shanghai) of the first year after the published ones, which is counted on a
/// provisional schedule; `None` when there is none.
fn provisional_from(calendar: &Calendar) -> Option<Timestamp> {
    let next = calendar.loaded_years().last().copied()? + 1;
    if !calendar.is_provisional(next) {
        return None;
    }
    jiff::civil::date(next, 1, 1)
        .to_zoned(kuaiwei_deadlines::shanghai())
        .ok()
        .map(|z| z.timestamp())
}
