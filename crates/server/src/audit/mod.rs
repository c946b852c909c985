//! Verifying the audit chain from the administrator's page (the walk of `kuaiwei audit
//! verify`): every event's hash from the genesis, and the recorded head. Each verification is
//! itself an event (subject `audit`, kind `audit_verified`), so the page shows the last one, by
//! whom and with what result, on every node and after a restart.

use jiff::Timestamp;
use kuaiwei_store::{ChainVerifier, NewEvent, RecordedEvent, Store};
use serde::{Deserialize, Serialize};

use crate::AppError;

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
    store
        .record_event(RecordedEvent {
            subject: SUBJECT.into(),
            event: NewEvent {
                actor: actor.to_string(),
                kind: KIND.into(),
                payload: serde_json::to_value(&found).unwrap_or_default(),
                reason: None,
            },
            at: now(),
        })
        .await?;
    Ok(found)
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
