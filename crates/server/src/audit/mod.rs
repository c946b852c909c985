//! Verifying the audit chain from the administrator's page (the walk of `kuaiwei audit
//! verify`): every event's hash from the genesis, and the recorded head. Each verification is
//! itself an event (subject `audit`, kind `audit_verified`), so the page shows the last one, by
//! whom and with what result, on every node and after a restart.
//!
//! `kuaiwei audit verify` goes further ([`verify_all`]): every complaint and evidence file
//! against what the chain sealed at filing ([`seal`]), and the chain against the anchors kept
//! outside the database ([`anchor`]).

pub mod anchor;
mod seal;

use std::collections::BTreeMap;

use jiff::Timestamp;
use kuaiwei_store::{ChainVerifier, NewEvent, RecordedEvent, Store};
use serde::{Deserialize, Serialize};

use crate::AppError;
use anchor::AnchorLog;

/// The subject verifications are recorded under.
pub const SUBJECT: &str = "audit";
pub const KIND: &str = "audit_verified";

/// What a walk of the chain found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// Events checked (up to the break, if any).
    pub events: usize,
    /// The first break, in words, or `None`: intact.
    pub broken: Option<String>,
}

/// Walks the whole chain, 10,000 events at a time.
pub async fn walk(store: &dyn Store) -> Result<Verification, AppError> {
    let mut verifier = ChainVerifier::default();
    let mut after = 0;
    let mut events = 0;
    loop {
        let page = store.audit_events(after, 10_000).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for e in &page {
            if let Err(b) = verifier.push(e) {
                return Ok(Verification {
                    events,
                    broken: Some(b.to_string()),
                });
            }
            events += 1;
        }
    }
    let head = store.audit_head().await?;
    Ok(
        match verifier.finish(head.as_ref().map(|(s, h)| (*s, h.as_str()))) {
            Ok(n) => Verification {
                events: n,
                broken: None,
            },
            Err(b) => Verification {
                events,
                broken: Some(b.to_string()),
            },
        },
    )
}

/// Walks the chain and records the result as an event by `actor`.
pub async fn verify_and_record(
    store: &dyn Store,
    actor: &str,
    now: impl Fn() -> Timestamp,
) -> Result<Verification, AppError> {
    let found = walk(store).await?;
    record(store, actor, &found, now()).await?;
    Ok(found)
}

/// Records a verification's result as an event by `actor`, for the audit page.
pub async fn record(
    store: &dyn Store,
    actor: &str,
    found: &Verification,
    at: Timestamp,
) -> Result<(), AppError> {
    store
        .record_event(RecordedEvent {
            subject: SUBJECT.into(),
            event: NewEvent {
                actor: actor.to_string(),
                kind: KIND.into(),
                payload: serde_json::to_value(found).unwrap_or_default(),
                reason: None,
            },
            at,
        })
        .await?;
    Ok(())
}

/// The last recorded verification: when, by whom, what it found.
pub async fn last(
    store: &dyn Store,
) -> Result<Option<(Timestamp, String, Verification)>, AppError> {
    let events = store.case_events(SUBJECT).await?;
    Ok(events
        .into_iter()
        .rev()
        .find(|e| e.kind == KIND)
        .and_then(|e| {
            serde_json::from_str(&e.payload)
                .ok()
                .map(|v| (e.at, e.actor, v))
        }))
}

/// What a full verification found.
#[derive(Debug, Default)]
pub struct Report {
    /// Events checked.
    pub events: usize,
    /// Every problem, in words (none: intact).
    pub problems: Vec<String>,
    /// Complaints checked against their sealed digest.
    pub complaints: usize,
    /// Complaints whose `received` event predates complaint digests (evidence still checked).
    pub without_digest: usize,
    /// Complaints filed before the chain existed.
    pub before_chain: usize,
    /// Evidence files re-hashed.
    pub files: u64,
    /// Anchors the chain was held against (their MAC verified).
    pub anchors: usize,
}

/// Walks the chain, holds every complaint and evidence file against it, and the chain against
/// `anchors`. Reads only; the caller records and anchors the result.
pub async fn verify_all(
    store: &dyn Store,
    evidence: &kuaiwei_evidence::EvidenceStore,
    anchors: &AnchorLog,
) -> Result<Report, AppError> {
    let mut report = Report {
        anchors: anchors.anchors.len(),
        ..Report::default()
    };
    let anchored: std::collections::BTreeSet<i64> = anchors.anchors.iter().map(|a| a.seq).collect();
    let mut hash_at = BTreeMap::new();
    let mut verifier = ChainVerifier::default();
    let mut seals = seal::Seals::default();
    let (mut after, mut last_seq) = (0, None);
    let mut intact = true;
    'walk: loop {
        let page = store.audit_events(after, 10_000).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for e in &page {
            if let Err(b) = verifier.push(e) {
                report.problems.push(b.to_string());
                intact = false;
                break 'walk;
            }
            if anchored.contains(&e.seq) {
                hash_at.insert(e.seq, e.hash.clone());
            }
            seals.push(e);
            last_seq = Some(e.seq);
            report.events += 1;
        }
    }
    if intact {
        let head = store.audit_head().await?;
        if let Err(b) = verifier.finish(head.as_ref().map(|(s, h)| (*s, h.as_str()))) {
            report.problems.push(b.to_string());
        }
    }
    report
        .problems
        .extend(anchor::compare(anchors, last_seq, &hash_at));
    if !intact {
        // what the chain sealed cannot be trusted past a break
        return Ok(report);
    }
    let mut after = 0;
    loop {
        let page = store.filed_complaints(after, 1_000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for filed in &page {
            seals.check(filed);
        }
    }
    seals.finish();
    let expected: Vec<(String, u64)> = seals.files.iter().cloned().collect();
    let files = evidence.clone();
    let found = tokio::task::spawn_blocking(move || files.verify(&expected))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    for d in &found.missing {
        seals
            .problems
            .push(format!("证据文件 {d} 缺失 / evidence file {d} is missing"));
    }
    for d in &found.changed {
        seals.problems.push(format!(
            "证据文件 {d} 的内容与其摘要不符（被改动）/ evidence file {d} does not match its digest (changed)"
        ));
    }
    report.files = found.checked;
    report.complaints = seals.complaints;
    report.without_digest = seals.without_digest;
    report.before_chain = seals.before_chain;
    report.problems.append(&mut seals.problems);
    Ok(report)
}
