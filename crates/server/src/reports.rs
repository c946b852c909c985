//! The on-time report as the server serves it: computed from the store's clocks, or read back
//! from its frozen snapshot with the corrections made since; and freezing a finished period.

use kuaiwei_reports::{
    Correction, Facts, FreezeInfo, Inputs, OnTimeReport, Period, compute, corrections, freeze_body,
    hash_body, window,
};
use std::collections::HashMap;
use std::sync::Arc;

use kuaiwei_store::{FrozenReport, ReportClock, StoreError};
use tokio::sync::OwnedRwLockReadGuard;

use crate::state::{HeldFacts, ReportFacts};
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

/// The JSON answer of a report (the API's `ReportBody`): the report's own fields, then `frozen`
/// and `corrections`. Serialized straight from the report, never through a JSON tree (a month's
/// case lines at a million cases are tens of megabytes of text, and a tree of them ten times
/// that).
#[derive(serde::Serialize)]
pub struct Answer<'a> {
    #[serde(flatten)]
    report: std::borrow::Cow<'a, OnTimeReport>,
    frozen: &'a Option<FreezeInfo>,
    corrections: &'a [Correction],
    /// For a report frozen under an earlier definition: the current definition and the
    /// headline it gives today, shown beside the frozen text (never replacing it).
    #[serde(skip_serializing_if = "Option::is_none")]
    recomputed: Option<Recomputed<'a>>,
}

/// The current reading of a period frozen under an earlier definition.
#[derive(serde::Serialize)]
pub struct Recomputed<'a> {
    definition: kuaiwei_reports::Definition,
    headline: &'a kuaiwei_reports::Figures,
}

impl<'a> Answer<'a> {
    /// The answer, with every case line or without any.
    pub fn of(s: &'a Served, with_lines: bool) -> Answer<'a> {
        Answer {
            report: if with_lines {
                std::borrow::Cow::Borrowed(&*s.report)
            } else {
                std::borrow::Cow::Owned(s.report.without_lines())
            },
            frozen: &s.frozen,
            corrections: &s.corrections,
            recomputed: s
                .live
                .as_deref()
                .filter(|_| !s.report.definition.is_current())
                .map(|l| Recomputed {
                    definition: kuaiwei_reports::Definition::current(),
                    headline: &l.headline,
                }),
        }
    }
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
    let procedures = state.procedures.clone();
    let provisional_from = provisional_from(&state.calendar.current());
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
    let copy = match &state.report_facts {
        Some(held) => current_facts(state, held).await.unwrap_or_else(|e| {
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
            let clocks = state.store.report_clocks(&window(period)).await?;
            let read = started.elapsed();
            let procedures = state.procedures.clone();
            tokio::task::spawn_blocking(move || {
                let n = clocks.len();
                let facts = Facts::from_clocks(clocks, &procedures);
                (compute_over(&facts), n, read)
            })
            .await
        }
    }
    .map_err(|e| AppError::Internal(format!("report computation failed: {e}")))?;
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
        && report.lines.len() <= crate::state::ReportCache::MAX_LINES
    {
        state.report_cache.put(period, seq, report.clone());
    }
    Ok(report)
}

/// The server's copy of the clocks brought up to the newest change, or `None` when it cannot be
/// had at once: not loaded yet, being loaded, or so far behind (or behind a change log that
/// went back, as after a restore) that loading it again costs less than catching up. A load is
/// then set going, and the caller reads its period's window from the store meanwhile (the same
/// figures, slower at a large centre). Catching up reads again each case the change log names
/// since; it runs in a task of its own, so a request given up half-way loses nothing.
async fn current_facts(
    state: &AppState,
    held: &ReportFacts,
) -> Result<Option<OwnedRwLockReadGuard<Option<HeldFacts>>>, AppError> {
    if !held.is_ready() || held.is_loading() {
        start_load(state, held);
        return Ok(None);
    }
    let head = state.store.change_head().await?;
    let r = held.held.clone().read_owned().await;
    match &*r {
        Some(h) if h.seq == head => return Ok(Some(r)),
        Some(h) if !too_far_behind(h, head) => {}
        _ => {
            drop(r);
            start_load(state, held);
            return Ok(None);
        }
    }
    drop(r);
    tokio::spawn(catch_up(state.clone(), held.clone()))
        .await
        .map_err(|e| AppError::Internal(format!("report facts could not be updated: {e}")))?
}

/// Whether loading everything again costs less than catching up from `h` to `head`, or the
/// change log went back (a restore: the copy is of another history).
fn too_far_behind(h: &HeldFacts, head: i64) -> bool {
    let behind = head - h.seq;
    behind < 0 || (behind > RELOAD_AFTER && behind as usize > h.facts.cases() / 4)
}

/// Applies the changes logged since the copy's position: the named cases' clocks are read again.
async fn catch_up(
    state: AppState,
    held: ReportFacts,
) -> Result<Option<OwnedRwLockReadGuard<Option<HeldFacts>>>, AppError> {
    let mut w = held.held.clone().write_owned().await;
    let head = state.store.change_head().await?;
    if w.as_ref().is_none_or(|h| too_far_behind(h, head)) {
        drop(w);
        start_load(&state, &held);
        return Ok(None);
    }
    loop {
        let seq = w.as_ref().expect("checked above").seq;
        let changes = state.store.changes_since(seq, CATCH_UP_PAGE).await?;
        let Some(last) = changes.last().map(|c| c.seq) else {
            break;
        };
        let mut numbers: Vec<String> = changes.into_iter().map(|c| c.key).collect();
        numbers.sort_unstable();
        numbers.dedup();
        let clocks = state.store.report_clocks_of(&numbers).await?;
        let procedures = state.procedures.clone();
        // replacing may compact the whole copy: off the async workers, lock and all
        w = off_the_workers(move || {
            let mut by_case: HashMap<String, Vec<ReportClock>> = HashMap::new();
            for c in clocks {
                by_case.entry(c.case_number.clone()).or_default().push(c);
            }
            let h = w.as_mut().expect("checked above");
            for n in &numbers {
                let clocks = by_case.remove(n).unwrap_or_default();
                h.facts.replace(n, clocks, &procedures);
            }
            h.seq = last;
            w
        })
        .await?;
    }
    Ok(Some(w.downgrade()))
}

/// Sets a whole load of the copy going, unless one is under way or the last one failed less
/// than [`RETRY_AFTER`] ago. The old copy, if any, stays readable meanwhile.
fn start_load(state: &AppState, held: &ReportFacts) {
    if !held.claim_load(RETRY_AFTER) {
        return;
    }
    let (state, held) = (state.clone(), held.clone());
    tokio::spawn(async move {
        let done = load(&state, &held).await;
        if let Err(e) = &done {
            tracing::warn!(error = %e, "loading the report facts failed; reports read their windows and a later report retries");
        }
        held.end_load(done.is_ok());
    });
}

/// Loads every clock into a new copy, then puts it in place of the old one.
async fn load(state: &AppState, held: &ReportFacts) -> Result<(), AppError> {
    let started = std::time::Instant::now();
    let head = state.store.change_head().await?;
    let mut facts = Facts::default();
    let procedures = state.procedures.clone();
    state
        .store
        .all_report_clocks(&mut |page| facts.add(page, &procedures))
        .await?;
    let facts = off_the_workers(move || {
        let mut facts = facts;
        facts.seal();
        facts
    })
    .await?;
    tracing::info!(
        clocks = facts.len(),
        cases = facts.cases(),
        mb = facts.heap_bytes() / 1_000_000,
        ms = started.elapsed().as_millis() as u64,
        "report facts loaded"
    );
    *held.held.write().await = Some(HeldFacts { seq: head, facts });
    Ok(())
}

/// Runs CPU-heavy work on the blocking pool.
async fn off_the_workers<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::Internal(format!("report facts could not be updated: {e}")))
}

/// Changes read per step of catching up.
const CATCH_UP_PAGE: u32 = 5_000;
/// More changes than this behind (and more than a quarter of the cases): load everything again.
const RELOAD_AFTER: i64 = 50_000;
/// A failed load is not tried again sooner than this.
const RETRY_AFTER: std::time::Duration = std::time::Duration::from_secs(30);

/// The start (Asia/Shanghai) of the first year after the published ones, which is counted on a
/// provisional schedule; `None` when there is none.
fn provisional_from(calendar: &kuaiwei_deadlines::Calendar) -> Option<jiff::Timestamp> {
    let next = calendar.loaded_years().last().copied()? + 1;
    if !calendar.is_provisional(next) {
        return None;
    }
    jiff::civil::date(next, 1, 1)
        .to_zoned(kuaiwei_deadlines::shanghai())
        .ok()
        .map(|z| z.timestamp())
}

/// Loads the server's copy of the clocks when the server starts (a million cases take
/// seconds); reports read their windows until it is done.
pub async fn warm_facts(state: AppState) {
    if let Some(held) = &state.report_facts {
        start_load(&state, held);
    }
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
    let calendar = state.calendar.current();
    Ok(kuaiwei_reports::watch(
        items,
        now,
        days,
        &agency_label,
        &|due| crate::cases::due_is_provisional(&calendar, due),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(seq: i64, cases: usize) -> HeldFacts {
        let procedures = kuaiwei_deadlines::Procedures::bundled();
        let mut facts = Facts::default();
        for i in 0..cases {
            facts.replace(&format!("KW-2026-{i:06}"), Vec::new(), &procedures);
        }
        HeldFacts { seq, facts }
    }

    #[test]
    fn the_copy_is_loaded_again_when_far_behind_or_when_the_log_went_back() {
        // caught up, or a little behind: catch up
        assert!(!too_far_behind(&held(100, 10), 100));
        assert!(!too_far_behind(&held(100, 10), 5_000));
        // far behind, and by more than a quarter of the cases: load again
        assert!(too_far_behind(&held(100, 10), 100 + RELOAD_AFTER + 1));
        // far behind but a small share of a large centre's cases: catch up
        assert!(!too_far_behind(&held(0, 1_000_000), RELOAD_AFTER + 1));
        // the log went back (a restore): the copy is of another history
        assert!(too_far_behind(&held(100, 10), 99));
    }

    #[test]
    fn one_load_runs_at_a_time_and_a_failed_one_waits_before_it_is_tried_again() {
        let f = ReportFacts::default();
        let retry = std::time::Duration::from_secs(3600);
        assert!(!f.is_ready() && !f.is_loading());
        assert!(f.claim_load(retry));
        assert!(f.is_loading());
        assert!(!f.claim_load(retry), "one at a time");
        f.end_load(false);
        assert!(!f.is_loading() && !f.is_ready());
        assert!(!f.claim_load(retry), "not again so soon after a failure");
        assert!(f.claim_load(std::time::Duration::ZERO), "later, yes");
        f.end_load(true);
        assert!(f.is_ready() && !f.is_loading());
        assert!(f.claim_load(retry), "a success clears the failure");
    }
}
