//! What a backup records and a restore checks: how many complaints, cases and audit events a
//! store holds, where its audit chain ends, and every evidence file its rows reference.

/// One evidence file a store's rows reference, by content address.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EvidenceFile {
    pub sha256: String,
    pub size: u64,
}

/// A store's contents in figures, read at one instant (one read transaction).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Inventory {
    pub complaints: u64,
    pub cases: u64,
    pub audit_events: u64,
    /// The recorded end of the audit chain (seq, hash); `None` before the first event.
    pub audit_head: Option<(i64, String)>,
    /// Every row of the evidence table, by digest.
    pub evidence: Vec<EvidenceFile>,
}

/// A complaint as stored, for `kuaiwei audit verify` to check against its `received` event:
/// the body exactly as the database gives it back (JSON text, unparsed, so that an edit that
/// breaks it is reported rather than failing the walk) and every evidence row it references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiledComplaint {
    /// Position, for paging ([`crate::Store::filed_complaints`]).
    pub id: i64,
    pub case_number: String,
    pub body: String,
    /// The evidence rows of the complaint (filing and supplements), by position.
    pub evidence: Vec<EvidenceFile>,
}
