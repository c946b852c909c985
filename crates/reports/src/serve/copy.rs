//! The in-memory copy of every clock a long-running process (the server) computes reports
//! from: loaded whole in the background, brought up to date from the store's change log before
//! each report (docs/reports.md, "Speed").

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use kuaiwei_store::ReportClock;
use tokio::sync::{OwnedRwLockReadGuard, RwLock};

use super::{Reports, ServeError};
use crate::Facts;

/// Every clock in compact form ([`Facts`]) with the change-log position it is current to.
/// Loaded by [`Reports::warm`] (until then reports read their window from the store), brought
/// up to date from the change log before each report.
#[derive(Clone, Default)]
pub struct ReportFacts {
    held: Arc<RwLock<Option<HeldFacts>>>,
    /// Set once a load has put a copy in place.
    ready: Arc<AtomicBool>,
    /// Whether a load is under way, and when the last one failed.
    loading: Arc<std::sync::Mutex<Loading>>,
}

#[derive(Default)]
struct Loading {
    running: bool,
    failed_at: Option<Instant>,
}

/// The copy and the change-log position it is current to.
pub(super) struct HeldFacts {
    pub(super) seq: i64,
    pub(super) facts: Facts,
}

/// A read lock on the copy, brought up to date.
pub(super) type CurrentFacts = OwnedRwLockReadGuard<Option<HeldFacts>>;

impl ReportFacts {
    /// Whether a copy has been loaded (reports read their window from the store until then).
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Whether a whole load is under way (reports read their window meanwhile).
    pub fn is_loading(&self) -> bool {
        self.loading
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .running
    }

    /// Claims the one load that may run: false if one is under way, or the last one failed
    /// less than `retry_after` ago.
    fn claim_load(&self, retry_after: Duration) -> bool {
        let mut l = self.loading.lock().unwrap_or_else(|e| e.into_inner());
        if l.running || l.failed_at.is_some_and(|t| t.elapsed() < retry_after) {
            return false;
        }
        l.running = true;
        true
    }

    /// Ends the claimed load: a copy is in place, or the load failed.
    fn end_load(&self, loaded: bool) {
        let mut l = self.loading.lock().unwrap_or_else(|e| e.into_inner());
        l.running = false;
        if loaded {
            l.failed_at = None;
            self.ready.store(true, Ordering::Release);
        } else {
            l.failed_at = Some(Instant::now());
        }
    }
}

/// Changes read per step of catching up.
const CATCH_UP_PAGE: u32 = 5_000;
/// More changes than this behind (and more than a quarter of the cases): load everything again.
const RELOAD_AFTER: i64 = 50_000;
/// A failed load is not tried again sooner than this.
const RETRY_AFTER: Duration = Duration::from_secs(30);

/// Whether loading everything again costs less than catching up from `h` to `head`, or the
/// change log went back (a restore: the copy is of another history).
fn too_far_behind(h: &HeldFacts, head: i64) -> bool {
    let behind = head - h.seq;
    behind < 0 || (behind > RELOAD_AFTER && behind as usize > h.facts.cases() / 4)
}

impl Reports {
    /// The copy of the clocks brought up to the newest change, or `None` when it cannot be had
    /// at once: not loaded yet, being loaded, or so far behind (or behind a change log that
    /// went back, as after a restore) that loading it again costs less than catching up. A
    /// load is then set going, and the caller reads its period's window from the store
    /// meanwhile (the same figures, slower at a large centre). Catching up reads again each
    /// case the change log names since; it runs in a task of its own, so a request given up
    /// half-way loses nothing.
    pub(super) async fn current_facts(
        &self,
        held: &ReportFacts,
    ) -> Result<Option<CurrentFacts>, ServeError> {
        if !held.is_ready() || held.is_loading() {
            self.start_load(held);
            return Ok(None);
        }
        let head = self.store.change_head().await?;
        let r = held.held.clone().read_owned().await;
        match &*r {
            Some(h) if h.seq == head => return Ok(Some(r)),
            Some(h) if !too_far_behind(h, head) => {}
            _ => {
                drop(r);
                self.start_load(held);
                return Ok(None);
            }
        }
        drop(r);
        tokio::spawn(self.clone().catch_up(held.clone()))
            .await
            .map_err(|e| ServeError::Task {
                what: "report facts could not be updated",
                detail: e.to_string(),
            })?
    }

    /// Applies the changes logged since the copy's position: the named cases' clocks are read
    /// again.
    async fn catch_up(self, held: ReportFacts) -> Result<Option<CurrentFacts>, ServeError> {
        let mut w = held.held.clone().write_owned().await;
        let head = self.store.change_head().await?;
        if w.as_ref().is_none_or(|h| too_far_behind(h, head)) {
            drop(w);
            self.start_load(&held);
            return Ok(None);
        }
        loop {
            let seq = w.as_ref().expect("checked above").seq;
            let changes = self.store.changes_since(seq, CATCH_UP_PAGE).await?;
            let Some(last) = changes.last().map(|c| c.seq) else {
                break;
            };
            let mut numbers: Vec<String> = changes.into_iter().map(|c| c.key).collect();
            numbers.sort_unstable();
            numbers.dedup();
            let clocks = self.store.report_clocks_of(&numbers).await?;
            let procedures = self.procedures.clone();
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

    /// Sets a whole load of the copy going, unless one is under way or the last one failed
    /// less than [`RETRY_AFTER`] ago. The old copy, if any, stays readable meanwhile.
    pub(super) fn start_load(&self, held: &ReportFacts) {
        if !held.claim_load(RETRY_AFTER) {
            return;
        }
        let (reports, held) = (self.clone(), held.clone());
        tokio::spawn(async move {
            let done = reports.load(&held).await;
            if let Err(e) = &done {
                tracing::warn!(error = %e, "loading the report facts failed; reports read their windows and a later report retries");
            }
            held.end_load(done.is_ok());
        });
    }

    /// Loads every clock into a new copy, then puts it in place of the old one.
    async fn load(&self, held: &ReportFacts) -> Result<(), ServeError> {
        let started = Instant::now();
        let head = self.store.change_head().await?;
        let mut facts = Facts::default();
        let procedures = self.procedures.clone();
        self.store
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
}

/// Runs CPU-heavy work on the blocking pool.
async fn off_the_workers<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ServeError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ServeError::Task {
            what: "report facts could not be updated",
            detail: e.to_string(),
        })
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
        let retry = Duration::from_secs(3600);
        assert!(!f.is_ready() && !f.is_loading());
        assert!(f.claim_load(retry));
        assert!(f.is_loading());
        assert!(!f.claim_load(retry), "one at a time");
        f.end_load(false);
        assert!(!f.is_loading() && !f.is_ready());
        assert!(!f.claim_load(retry), "not again so soon after a failure");
        assert!(f.claim_load(Duration::ZERO), "later, yes");
        f.end_load(true);
        assert!(f.is_ready() && !f.is_loading());
        assert!(f.claim_load(retry), "a success clears the failure");
    }
}
