//! The audit chain: every event carries the SHA-256 of the one before, so an edited, removed,
//! reordered or truncated event is found by walking the chain ([`verify_chain`]). The databases
//! also refuse updates and deletes of events (triggers); the chain catches what bypasses them.

use jiff::Timestamp;
use sha2::{Digest, Sha256};

use crate::AuditEvent;

/// The SHA-256 (hex) of a complaint as filed, recorded in its `received` event. It is taken
/// over the complaint's canonical serialisation: the domain value written by `serde_json` (fields
/// in declaration order, no whitespace), which a stored body read back and parsed gives again,
/// whatever the database did to the text (PostgreSQL's `jsonb` reorders keys). An edited
/// body therefore no longer matches, while a body merely re-encoded does.
pub fn complaint_digest(complaint: &kuaiwei_domain::Complaint) -> String {
    let bytes = serde_json::to_vec(complaint).unwrap_or_default();
    hex::encode(Sha256::digest(&bytes))
}

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of one event that its hash covers.
#[derive(Debug, Clone, Copy)]
pub struct ChainLink<'a> {
    pub prev_hash: &'a str,
    pub seq: i64,
    pub case_number: &'a str,
    pub actor: &'a str,
    pub at: Timestamp,
    pub kind: &'a str,
    pub payload: &'a str,
    pub reason: Option<&'a str>,
}

impl ChainLink<'_> {
    /// SHA-256 over every field, each length-prefixed so that no two different events can
    /// serialise to the same bytes.
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        let at = self.at.as_microsecond().to_string();
        let seq = self.seq.to_string();
        let fields: [&str; 8] = [
            self.prev_hash,
            &seq,
            self.case_number,
            self.actor,
            &at,
            self.kind,
            self.payload,
            self.reason.unwrap_or("\u{0}"),
        ];
        for f in fields {
            h.update((f.len() as u64).to_be_bytes());
            h.update(f.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// What is wrong with the chain, at the first event where it breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("event {seq}: its content does not match its hash (edited)")]
    Edited { seq: i64 },
    #[error(
        "event {seq}: it does not follow event {expected_prev_seq} (an event was removed or reordered)"
    )]
    Broken { seq: i64, expected_prev_seq: i64 },
    #[error(
        "the chain ends at event {seq}, but the last recorded head is event {head_seq} (truncated)"
    )]
    Truncated { seq: i64, head_seq: i64 },
}

/// Walks the chain one event at a time, so that a long chain can be read page by page.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    prev: String,
    prev_seq: i64,
    count: usize,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            prev: GENESIS.to_string(),
            prev_seq: 0,
            count: 0,
        }
    }
}

impl ChainVerifier {
    /// Checks the next event in `seq` order.
    pub fn push(&mut self, e: &AuditEvent) -> Result<(), ChainBreak> {
        if e.prev_hash != self.prev {
            return Err(ChainBreak::Broken {
                seq: e.seq,
                expected_prev_seq: self.prev_seq,
            });
        }
        let h = ChainLink {
            prev_hash: &e.prev_hash,
            seq: e.seq,
            case_number: &e.case_number,
            actor: &e.actor,
            at: e.at,
            kind: &e.kind,
            payload: &e.payload,
            reason: e.reason.as_deref(),
        }
        .hash();
        if h != e.hash {
            return Err(ChainBreak::Edited { seq: e.seq });
        }
        self.prev = h;
        self.prev_seq = e.seq;
        self.count += 1;
        Ok(())
    }

    /// Ends the walk: `head` is the (seq, hash) the store recorded as the chain's end, if it
    /// keeps one; a chain that stops short of it was truncated. Returns the events checked.
    pub fn finish(self, head: Option<(i64, &str)>) -> Result<usize, ChainBreak> {
        if let Some((head_seq, head_hash)) = head
            && (head_seq != self.prev_seq || head_hash != self.prev)
        {
            return Err(ChainBreak::Truncated {
                seq: self.prev_seq,
                head_seq,
            });
        }
        Ok(self.count)
    }
}

/// Walks events in `seq` order from the genesis (see [`ChainVerifier`]).
pub fn verify_chain(events: &[AuditEvent], head: Option<(i64, &str)>) -> Result<usize, ChainBreak> {
    let mut v = ChainVerifier::default();
    for e in events {
        v.push(e)?;
    }
    v.finish(head)
}
