//! The in-memory copy of every clock a long-running process (the server) computes reports
//! from: loaded whole in the background, brought up to date from the store's change log before
//! each report (docs/reports.md, "Speed").

use std::collections::HashMap;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use kuaiwei_store::ReportClock;
use tokio::sync::{Notify, OwnedRwLockReadGuard, RwLock};

use super::{Reports, ServeError};
use crate::{Facts, MarkEntry, SavedMark};

/// Every clock in compact form ([`Facts`]) with the change-log position it is current to.
/// Loaded by [`Reports::warm`] (until then reports read their window from the store), brought
/// up to date from the change log before each report.
#[derive(Clone, Default)]
pub struct ReportFacts {
    held: Arc<RwLock<Option<HeldFacts>>>,
    /// Set once a load has put a copy in place.
    ready: Arc<AtomicBool>,
    /// Whether the copy in place was read from the saved copy (not loaded from the store).
    from_saved: Arc<AtomicBool>,
    /// Whether a load is under way, and when the last one failed.
    loading: Arc<std::sync::Mutex<Loading>>,
    /// Told when a load stops reading the saved copy (read, or refused).
    saved_read: Arc<Notify>,
    /// Where the copy is saved between runs, if anywhere.
    saved: Option<Arc<SavedFile>>,
}

#[derive(Default)]
struct Loading {
    running: bool,
    /// The load under way is reading the saved copy (reports wait for it: it is quick).
    reading_saved: bool,
    failed_at: Option<Instant>,
}

/// The file the copy is saved in, and what was saved last.
struct SavedFile {
    path: PathBuf,
    /// The change-log position of the copy last saved or read, and when.
    last: std::sync::Mutex<(i64, Instant)>,
    /// A save is under way (one at a time).
    saving: AtomicBool,
}

/// The copy and the change-log position it is current to.
pub(super) struct HeldFacts {
    pub(super) seq: i64,
    pub(super) facts: Facts,
}

/// A read lock on the copy, brought up to date.
pub(super) type CurrentFacts = OwnedRwLockReadGuard<Option<HeldFacts>>;

impl ReportFacts {
    /// A copy saved in `path` when loaded, from time to time and when the server stops, and
    /// read from it at the next start (docs/reports.md, "The saved copy").
    pub fn saved_in(path: PathBuf) -> ReportFacts {
        ReportFacts {
            saved: Some(Arc::new(SavedFile {
                path,
                last: std::sync::Mutex::new((-1, Instant::now())),
                saving: AtomicBool::new(false),
            })),
            ..ReportFacts::default()
        }
    }

    /// Whether a copy has been loaded (reports read their window from the store until then).
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Whether the copy in place was read from the saved copy, rather than loaded from the
    /// store.
    pub fn loaded_from_saved(&self) -> bool {
        self.from_saved.load(Ordering::Acquire)
    }

    /// Whether a whole load is under way (reports read their window meanwhile).
    pub fn is_loading(&self) -> bool {
        self.loading
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .running
    }

    /// Claims the one load that may run: false if one is under way, or the last one failed
    /// less than `retry_after` ago. `from_saved`: it starts by reading the saved copy.
    fn claim_load(&self, retry_after: Duration, from_saved: bool) -> bool {
        let mut l = self.loading.lock().unwrap_or_else(|e| e.into_inner());
        if l.running || l.failed_at.is_some_and(|t| t.elapsed() < retry_after) {
            return false;
        }
        l.running = true;
        l.reading_saved = from_saved;
        true
    }

    fn reading_saved(&self) -> bool {
        self.loading
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .reading_saved
    }

    /// The load has read the saved copy, or refused it.
    fn saved_done(&self) {
        self.loading
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .reading_saved = false;
        self.saved_read.notify_waiters();
    }

    /// Waits, at most `limit`, while a load reads the saved copy.
    async fn wait_for_saved(&self, limit: Duration) {
        let wait = async {
            loop {
                let told = self.saved_read.notified();
                tokio::pin!(told);
                told.as_mut().enable();
                if !self.reading_saved() {
                    return;
                }
                told.await;
            }
        };
        let _ = tokio::time::timeout(limit, wait).await;
    }

    /// Ends the claimed load: a copy is in place, or the load failed.
    fn end_load(&self, loaded: bool) {
        let mut l = self.loading.lock().unwrap_or_else(|e| e.into_inner());
        l.running = false;
        let told = std::mem::take(&mut l.reading_saved);
        if loaded {
            l.failed_at = None;
            self.ready.store(true, Ordering::Release);
        } else {
            l.failed_at = Some(Instant::now());
        }
        drop(l);
        if told {
            self.saved_read.notify_waiters();
        }
    }
}

/// Changes read per step of catching up.
const CATCH_UP_PAGE: u32 = 5_000;
/// More changes than this behind (and more than a quarter of the cases): load everything again.
const RELOAD_AFTER: i64 = 50_000;
/// A failed load is not tried again sooner than this.
const RETRY_AFTER: Duration = Duration::from_secs(30);
/// A report asked for while the saved copy is read waits this long at most for it (reading a
/// million cases' copy takes a fraction of a second), then reads its window.
const SAVED_WAIT: Duration = Duration::from_secs(5);
/// A copy that moved is saved again once the last save is this old (and when the server stops).
const SAVE_EVERY: Duration = Duration::from_secs(600);

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
        if held.reading_saved() {
            held.wait_for_saved(SAVED_WAIT).await;
        }
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
        let r = w.downgrade();
        if held
            .saved
            .as_ref()
            .is_some_and(|s| s.due(r.as_ref().map_or(0, |h| h.seq)))
        {
            tokio::spawn(self.clone().save_copy(held.clone()));
        }
        Ok(Some(r))
    }

    /// Sets a whole load of the copy going, unless one is under way or the last one failed
    /// less than [`RETRY_AFTER`] ago. The old copy, if any, stays readable meanwhile.
    pub(super) fn start_load(&self, held: &ReportFacts) {
        // the saved copy is read only at the start, before any copy is in place
        let from_saved = !held.is_ready() && held.saved.as_ref().is_some_and(|s| s.path.exists());
        if !held.claim_load(RETRY_AFTER, from_saved) {
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

    /// Loads every clock into a new copy, then puts it in place of the old one: from the saved
    /// copy when the load was claimed to read it and it is of this store's history, else from
    /// the store (and saves it).
    async fn load(&self, held: &ReportFacts) -> Result<(), ServeError> {
        if held.reading_saved()
            && let Some(saved) = &held.saved
        {
            // on success the load ends at once (and tells the waiting reports with it)
            match self.read_saved(held, saved).await {
                Ok(()) => return Ok(()),
                Err(why) => tracing::info!(
                    file = %saved.path.display(),
                    reason = %why,
                    "the saved copy of the clocks is not used; loading them from the store"
                ),
            }
            held.saved_done();
        }
        self.load_from_store(held).await?;
        if held.saved.is_some() {
            tokio::spawn(self.clone().save_copy(held.clone()));
        }
        Ok(())
    }

    /// Reads the saved copy and puts it in place, if it is of this store's history (the
    /// change-log entry at its position is there, as it was) and not too far behind it.
    async fn read_saved(&self, held: &ReportFacts, saved: &SavedFile) -> Result<(), String> {
        let started = Instant::now();
        let path = saved.path.clone();
        let procedures = self.procedures.clone();
        let (mark, facts) = off_the_workers(move || read_file(&path, &procedures))
            .await
            .map_err(|e| e.to_string())??;
        let head = self.store.change_head().await.map_err(|e| e.to_string())?;
        if mark.seq > head {
            return Err(format!(
                "it is of change-log position {}, the store's log ends at {head} (a restore?)",
                mark.seq
            ));
        }
        let entry = self.entry_at(mark.seq).await.map_err(|e| e.to_string())?;
        if entry != mark.entry {
            return Err(format!(
                "the change-log entry at its position {} is not the one it was saved at (another database, or a restore)",
                mark.seq
            ));
        }
        let h = HeldFacts {
            seq: mark.seq,
            facts,
        };
        if too_far_behind(&h, head) {
            return Err(format!(
                "it is {} changes behind the store: loading costs less than catching up",
                head - mark.seq
            ));
        }
        tracing::info!(
            clocks = h.facts.len(),
            cases = h.facts.cases(),
            mb = h.facts.heap_bytes() / 1_000_000,
            behind = head - mark.seq,
            ms = started.elapsed().as_millis() as u64,
            "report facts loaded from the saved copy"
        );
        *saved.last.lock().unwrap_or_else(|e| e.into_inner()) = (mark.seq, Instant::now());
        *held.held.write().await = Some(h);
        held.from_saved.store(true, Ordering::Release);
        Ok(())
    }

    /// The change-log entry at `seq`, as a saved copy marks it (none at 0).
    async fn entry_at(&self, seq: i64) -> Result<Option<MarkEntry>, ServeError> {
        if seq <= 0 {
            return Ok(None);
        }
        let changes = self.store.changes_since(seq - 1, 1).await?;
        Ok(changes.first().filter(|c| c.seq == seq).map(MarkEntry::of))
    }

    /// Saves the copy of the clocks, if it moved since it was last saved (the server calls it
    /// when it stops, so that the next start reads it instead of loading from the store).
    pub async fn save_copy_now(&self) {
        if let Some(held) = &self.copy {
            self.clone().save_copy(held.clone()).await;
        }
    }

    /// Saves the copy in its file, if it has one and moved since it was last saved or read:
    /// written beside it, flushed to disk, then renamed over it, so that a crash leaves the
    /// old file or the new one. The copy is held still (reports read it meanwhile).
    pub(super) async fn save_copy(self, held: ReportFacts) {
        let Some(saved) = held.saved.clone() else {
            return;
        };
        if saved.saving.swap(true, Ordering::AcqRel) {
            return;
        }
        let done = self.save_now(&held, &saved).await;
        saved.saving.store(false, Ordering::Release);
        if let Err(e) = done {
            tracing::warn!(file = %saved.path.display(), error = %e, "saving the copy of the clocks failed; the next start loads them from the store");
        }
    }

    async fn save_now(&self, held: &ReportFacts, saved: &Arc<SavedFile>) -> Result<(), String> {
        let r = held.held.clone().read_owned().await;
        let Some(seq) = r.as_ref().map(|h| h.seq) else {
            return Ok(());
        };
        if saved.last.lock().unwrap_or_else(|e| e.into_inner()).0 == seq {
            return Ok(());
        }
        let entry = self.entry_at(seq).await.map_err(|e| e.to_string())?;
        if seq > 0 && entry.is_none() {
            return Err(format!(
                "the change log has no entry at the copy's position {seq}"
            ));
        }
        let started = Instant::now();
        let mark = SavedMark { seq, entry };
        let path = saved.path.clone();
        let bytes = off_the_workers(move || {
            let facts = &r.as_ref().expect("checked above").facts;
            write_file(&path, facts, &mark)
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
        *saved.last.lock().unwrap_or_else(|e| e.into_inner()) = (seq, Instant::now());
        tracing::info!(
            file = %saved.path.display(),
            seq,
            mb = bytes / 1_000_000,
            ms = started.elapsed().as_millis() as u64,
            "the copy of the clocks saved"
        );
        Ok(())
    }

    /// Loads every clock from the store into a new copy, then puts it in place of the old one.
    async fn load_from_store(&self, held: &ReportFacts) -> Result<(), ServeError> {
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
        held.from_saved.store(false, Ordering::Release);
        Ok(())
    }
}

impl SavedFile {
    /// Whether a copy current to `seq` should be saved now: it moved since the last save, which
    /// is [`SAVE_EVERY`] old.
    fn due(&self, seq: i64) -> bool {
        let (last, at) = *self.last.lock().unwrap_or_else(|e| e.into_inner());
        last != seq && at.elapsed() >= SAVE_EVERY
    }
}

/// Reads the saved copy in `path`.
fn read_file(
    path: &Path,
    procedures: &kuaiwei_deadlines::Procedures,
) -> Result<(SavedMark, Facts), String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let size = file.metadata().map_err(|e| e.to_string())?.len();
    Facts::read_saved(BufReader::with_capacity(1 << 20, file), size, procedures)
        .map_err(|e| e.to_string())
}

/// Writes the copy to `path` by way of a file beside it; the bytes written.
fn write_file(path: &Path, facts: &Facts, mark: &SavedMark) -> std::io::Result<u64> {
    let aside = path.with_extension("partial");
    let file = std::fs::File::create(&aside)?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    facts.write_saved(mark, &mut out)?;
    out.flush()?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    let bytes = file.metadata()?.len();
    drop(file);
    std::fs::rename(&aside, path)?;
    if let Some(dir) = path.parent()
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(bytes)
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
        assert!(f.claim_load(retry, false));
        assert!(f.is_loading());
        assert!(!f.claim_load(retry, false), "one at a time");
        f.end_load(false);
        assert!(!f.is_loading() && !f.is_ready());
        assert!(
            !f.claim_load(retry, false),
            "not again so soon after a failure"
        );
        assert!(f.claim_load(Duration::ZERO, false), "later, yes");
        f.end_load(true);
        assert!(f.is_ready() && !f.is_loading());
        assert!(f.claim_load(retry, false), "a success clears the failure");
    }
}
