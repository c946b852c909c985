//! The indexer: it follows the store's change log into the index, building each changed case's
//! document from the store.
//!
//! The index is derived data. Each commit records the last change it includes; the indexer
//! resumes there after a restart or a crash, and re-applying a change leaves one document per
//! case. `kuaiwei reindex` rebuilds it from the store.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use kuaiwei_domain::Complaint;
use kuaiwei_store::{Store, StoreError};

use crate::{Document, SearchError, SearchIndex, Synonyms};

/// The bundled brand-name variants (search-index/synonyms.txt).
pub const BUNDLED_SYNONYMS: &str = include_str!("../../../search-index/synonyms.txt");

/// Changes read and committed per batch: the server's commit cadence (the search benchmark
/// commits as often).
pub const COMMIT_EVERY: u32 = 2000;

/// Why indexing stopped; the follower logs it and tries again.
#[derive(Debug, thiserror::Error)]
pub enum IndexerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(#[from] SearchError),
}

/// The synonyms: the administrator's `DATA_DIR/synonyms.txt` if there is one (it replaces the
/// bundled list), else the bundled list; a bad line stops the start with its number.
pub fn synonyms_in(data_dir: &Path) -> Result<Synonyms, String> {
    let path = data_dir.join("synonyms.txt");
    match std::fs::read_to_string(&path) {
        Ok(text) => Synonyms::parse(&text).map_err(|e| format!("{}: {e}", path.display())),
        Err(_) => Synonyms::parse(BUNDLED_SYNONYMS),
    }
}

/// Opens the index in `DATA_DIR/search-index` (created, or rebuilt from nothing on a schema
/// change: the indexer then fills it from the whole change log).
pub fn open_in(data_dir: &Path) -> Result<Arc<SearchIndex>, String> {
    let synonyms = synonyms_in(data_dir)?;
    SearchIndex::open(&data_dir.join("search-index"), synonyms, 2)
        .map(Arc::new)
        .map_err(|e| e.to_string())
}

/// Everything searchable in a complaint, each string a field of its own (a term matches inside
/// one: never from the respondent's name into the description): channel details, parties,
/// rights, goods and the description.
fn searchable(c: &Complaint) -> Vec<String> {
    let mut v = serde_json::to_value(c).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        // amounts and measures are numbers and keys, not text anyone searches
        o.remove("amounts");
        o.remove("requested_measures");
    }
    let mut out = Vec::new();
    collect_strings(&v, &mut out);
    out
}

/// Every string and number in `v`, in the order of its keys.
fn collect_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Number(n) => out.push(n.to_string()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

/// The index document of case `number`, from the store; `None` if there is no such case.
pub async fn document(store: &dyn Store, number: &str) -> Result<Option<Document>, StoreError> {
    let Some(case) = store.case(number).await? else {
        return Ok(None);
    };
    let Some(record) = store.complaint_of_case(number).await? else {
        return Ok(None);
    };
    let c = &record.complaint;
    let masked = kuaiwei_domain::pii::masked_complaint(c);
    let mut shown = Vec::new();
    collect_strings(&masked, &mut shown);
    let mut right_types: Vec<String> = c.rights.iter().map(|r| r.kind.key().to_string()).collect();
    right_types.sort();
    right_types.dedup();
    Ok(Some(Document {
        case_number: number.to_string(),
        fields: searchable(c),
        shown: shown.join(" "),
        received_at: case.received_at,
        next_due_at: kuaiwei_store::next_due(&case.clocks),
        open: !case.state.is_terminal(),
        channel: c.channel.key().to_string(),
        right_types,
        agency: case.agency.clone(),
        state: case.state.key().to_string(),
        fair: c.channel.fair_label(),
    }))
}

/// Applies every change logged since the index's last commit; how many cases it indexed.
pub async fn catch_up(store: &dyn Store, index: &SearchIndex) -> Result<usize, IndexerError> {
    catch_up_with(store, index, &mut |_| {}).await
}

/// [`catch_up`], telling `progress` the running count after each committed batch.
pub async fn catch_up_with(
    store: &dyn Store,
    index: &SearchIndex,
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<usize, IndexerError> {
    let mut done = 0;
    loop {
        let after = index.last_seq()?;
        if let Ok(head) = store.change_head().await {
            metrics::gauge!("kuaiwei_search_index_lag").set((head - after).max(0) as f64);
        }
        let changes = store.changes_since(after, COMMIT_EVERY).await?;
        let Some(last) = changes.last().map(|c| c.seq) else {
            return Ok(done);
        };
        let numbers: BTreeSet<&str> = changes.iter().map(|c| c.key.as_str()).collect();
        let mut docs = Vec::with_capacity(numbers.len());
        for n in numbers {
            if let Some(d) = document(store, n).await? {
                docs.push(d);
            }
        }
        done += docs.len();
        index.upsert(&docs)?;
        index.commit(last)?;
        progress(done);
    }
}

/// Follows the change log for as long as the process runs: a filing is searchable within a
/// fraction of a second under normal load.
pub async fn follow(store: Arc<dyn Store>, index: Arc<SearchIndex>) {
    loop {
        match catch_up(store.as_ref(), &index).await {
            Ok(0) => tokio::time::sleep(Duration::from_millis(200)).await,
            Ok(n) => tracing::debug!(cases = n, "search index updated"),
            Err(e) => {
                tracing::warn!(error = %e, "search indexing failed; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    }
}
