//! Cases as the store holds them: the current state (with a version for optimistic
//! concurrency), the clocks with their stored due dates (so queues sort by them), and the
//! audit trail of events.

use jiff::Timestamp;
use kuaiwei_deadlines::{Amount, ClockInputs, ClockStatus};
use kuaiwei_domain::{CaseNumber, CaseState, MatchKind, Outcome};
use serde::{Deserialize, Serialize};

use crate::StoreError;

/// A case's current state.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRecord {
    pub case_number: CaseNumber,
    pub state: CaseState,
    /// The agency key the case is routed to (`ip_office`, `market_regulation` …), once routed.
    pub agency: Option<String>,
    pub outcome: Option<Outcome>,
    /// The case this one was transferred from, for a linked case.
    pub parent: Option<CaseNumber>,
    pub received_at: Timestamp,
    /// When the materials the acceptance relies on were received: the filing, or the last
    /// supplement (补正) since. The fair hand-over F1 runs from here (展会办法 Art. 11,
    /// legal-deadlines.md §8.4), never from the acceptance itself.
    pub materials_received_at: Timestamp,
    /// The amount of an extension request awaiting a supervisor's decision, if one awaits.
    pub pending_extension: Option<Amount>,
    /// The account that asked for the pending extension (told of the decision).
    pub extension_requested_by: Option<String>,
    /// The account that proposed the case's transfer (told of the approval).
    pub transfer_proposed_by: Option<String>,
    /// When it was closed, refused or transferred.
    pub closed_at: Option<Timestamp>,
    /// The respondent the complaint is about, once recognised.
    pub respondent_id: Option<i64>,
    /// 挂牌督办: marked by a supervisor as a major case.
    pub supervised: bool,
    /// Who opened (立案) the case: the officer it is assigned to.
    pub officer: Option<String>,
    pub version: i64,
    pub clocks: Vec<StoredClock>,
}

/// One statutory clock of a case, with what it was computed from and what it came to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredClock {
    pub procedure_id: String,
    /// `None` while the clock waits for its trigger (e.g. a closing clock before 立案).
    pub started_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    /// Computed due instant; `None` when not started or not computable (year not loaded).
    pub due_at: Option<Timestamp>,
    pub status: ClockStanding,
    /// The clock's inputs (excluded periods, approved extensions), so it can be recomputed.
    pub inputs: ClockInputs,
}

impl StoredClock {
    /// The inputs as the stores write them: JSON text with its keys in sorted order, byte for
    /// byte what was written when the inputs were an untyped JSON value.
    pub fn inputs_json(&self) -> String {
        // plain data (instants, strings, numbers): turning it into a JSON value cannot fail
        serde_json::to_value(&self.inputs)
            .map(|v| v.to_string())
            .unwrap_or_default()
    }

    /// A clock of case `case` from its stored columns. A status or inputs that cannot be read
    /// is [`StoreError::Corrupt`] naming the case and the procedure: read as "nothing paused or
    /// extended", it would give a wrong due date without a warning.
    pub fn from_stored(
        case: &str,
        procedure_id: String,
        started_at: Option<Timestamp>,
        closed_at: Option<Timestamp>,
        due_at: Option<Timestamp>,
        status: &str,
        inputs: &str,
    ) -> Result<StoredClock, StoreError> {
        let unreadable = |what: &str, detail: &dyn std::fmt::Display| {
            StoreError::Corrupt(format!(
                "case {case}, clock {procedure_id}: unreadable {what}: {detail}"
            ))
        };
        let status = ClockStanding::from_key(status)
            .ok_or_else(|| unreadable("status", &format_args!("{status:?}")))?;
        let inputs = serde_json::from_str(inputs).map_err(|e| unreadable("inputs", &e))?;
        Ok(StoredClock {
            procedure_id,
            started_at,
            closed_at,
            due_at,
            status,
            inputs,
        })
    }
}

/// Where a stored clock stands, as last computed. Stored and served as its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClockStanding {
    /// Not started yet (waiting for its trigger), or of a procedure no longer defined.
    Pending,
    /// Its due date falls in a year whose holiday schedule is not loaded: left empty, never
    /// guessed.
    NotComputable,
    /// Computed from its inputs: running, paused, due soon, overdue, closed on time or late.
    Computed(ClockStatus),
}

impl ClockStanding {
    /// Every standing, in the order of the keys' documentation.
    pub const ALL: [ClockStanding; 8] = [
        ClockStanding::Computed(ClockStatus::Running),
        ClockStanding::Computed(ClockStatus::Paused),
        ClockStanding::Computed(ClockStatus::DueSoon),
        ClockStanding::Computed(ClockStatus::Overdue),
        ClockStanding::Computed(ClockStatus::ClosedOnTime),
        ClockStanding::Computed(ClockStatus::ClosedLate),
        ClockStanding::Pending,
        ClockStanding::NotComputable,
    ];

    /// The machine key, as stored and served: `running`, `paused`, `due_soon`, `overdue`,
    /// `closed_on_time`, `closed_late`, `pending`, `not_computable`.
    pub fn key(self) -> &'static str {
        match self {
            ClockStanding::Pending => "pending",
            ClockStanding::NotComputable => "not_computable",
            ClockStanding::Computed(s) => s.key(),
        }
    }

    /// The standing of a key; `None` for any other text.
    pub fn from_key(key: &str) -> Option<ClockStanding> {
        ClockStanding::ALL.into_iter().find(|s| s.key() == key)
    }
}

impl std::fmt::Display for ClockStanding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

impl From<ClockStatus> for ClockStanding {
    fn from(s: ClockStatus) -> Self {
        ClockStanding::Computed(s)
    }
}

impl Serialize for ClockStanding {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

impl<'de> Deserialize<'de> for ClockStanding {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let key = String::deserialize(d)?;
        ClockStanding::from_key(&key)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown clock status {key:?}")))
    }
}

/// An event to append to the audit chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    pub actor: String,
    pub kind: String,
    pub payload: serde_json::Value,
    pub reason: Option<String>,
}

/// An event as stored, with its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    pub seq: i64,
    pub case_number: String,
    pub actor: String,
    pub at: Timestamp,
    pub kind: String,
    /// The payload exactly as stored (canonical JSON text).
    pub payload: String,
    pub reason: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// One step taken on a case: checked by the caller against the life-cycle and against
/// `expected_version`, written with its event and the recomputed clocks in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseUpdate {
    pub case_number: CaseNumber,
    pub expected_version: i64,
    pub state: CaseState,
    pub agency: Option<String>,
    pub outcome: Option<Outcome>,
    pub clocks: Vec<StoredClock>,
    pub supervised: bool,
    /// The officer credited with the case, set once: who opened it (立案).
    pub officer: Option<String>,
    /// Evidence the complainant supplied with this step (补正), appended to the complaint's.
    pub added_evidence: Vec<crate::EvidenceRef>,
    /// Materials received with this step (a supplement): the case's new
    /// `materials_received_at`. `None` leaves it as it is.
    pub materials_received_at: Option<Timestamp>,
    /// What the step does to the pending extension request.
    pub pending_extension: PendingExtension,
    /// Who proposed the case's transfer (propose_transfer), set once.
    pub transfer_proposed_by: Option<String>,
    pub event: NewEvent,
    pub at: Timestamp,
    /// A transfer opens a linked case at the receiving agency; a route to several authorities
    /// opens one for each authority after the first.
    pub linked: Vec<LinkedCase>,
    /// What the step tells people (the complainant, a platform, staff), written to the outbox in
    /// the step's transaction.
    pub messages: Vec<crate::NewMessage>,
}

impl CaseUpdate {
    /// When the case ends with this step: refusal, transfer and closing stop it for good.
    pub fn closed_at(&self) -> Option<Timestamp> {
        self.state.is_terminal().then_some(self.at)
    }
}

/// What a step does to a case's pending extension request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PendingExtension {
    /// Leaves it as it is (most steps).
    #[default]
    Keep,
    /// An extension of this amount is requested (request_extension) by this account.
    Set { amount: Amount, by: String },
    /// The request is decided (approve_extension, deny_extension).
    Clear,
}

impl PendingExtension {
    /// As the stores bind it: whether the columns change, the amount's new text (`30d`, `1m` …)
    /// and who asked.
    pub fn to_db(&self) -> (bool, Option<String>, Option<String>) {
        match self {
            PendingExtension::Keep => (false, None, None),
            PendingExtension::Set { amount, by } => {
                (true, Some(amount.to_string()), Some(by.clone()))
            }
            PendingExtension::Clear => (true, None, None),
        }
    }
}

/// A case's pending extension as stored (`30d`, `1m` …); text that is not an amount is
/// [`StoreError::Corrupt`] naming the case, never read as "none pending".
pub fn read_pending_extension(
    case: &str,
    stored: Option<&str>,
) -> Result<Option<Amount>, StoreError> {
    stored
        .map(|t| {
            t.parse().map_err(|_| {
                StoreError::Corrupt(format!("case {case}: unreadable pending extension {t:?}"))
            })
        })
        .transpose()
}

#[derive(Debug, Clone, PartialEq)]
pub struct LinkedCase {
    pub agency: String,
    pub clocks: Vec<StoredClock>,
    /// The linked case's first event: `transferred_in`, or `routed_in` for another authority
    /// of a multi-authority route.
    pub event_kind: String,
    /// What that event records besides `from_case` and `agency` (e.g. the rule and rights).
    pub event_payload: serde_json::Value,
}

impl LinkedCase {
    /// A transfer's linked case (`transferred_in`).
    pub fn transfer(agency: &str, clocks: Vec<StoredClock>) -> LinkedCase {
        LinkedCase {
            agency: agency.to_string(),
            clocks,
            event_kind: "transferred_in".into(),
            event_payload: serde_json::json!({}),
        }
    }
}

/// A line of an agency's queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueItem {
    pub case_number: CaseNumber,
    pub state: CaseState,
    pub agency: Option<String>,
    pub received_at: Timestamp,
    /// The earliest due instant among the case's running clocks.
    pub next_due_at: Option<Timestamp>,
    pub supervised: bool,
    /// Who opened (立案) the case.
    pub officer: Option<String>,
}

/// Queue filters, ANDed (the caller's agency is forced by the server from the session).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilter {
    pub agency: Option<String>,
    pub state: Option<CaseState>,
    pub due_before: Option<Timestamp>,
    /// Only cases marked (or not marked) for supervision.
    pub supervised: Option<bool>,
    /// Only cases opened by this officer.
    pub officer: Option<String>,
    /// Only cases on which this procedure's clock runs (started, not stopped): `T1` finds the
    /// transfer reports waiting for the head's decision, `T2` the approved transfers to send.
    pub running_clock: Option<String>,
}

/// Another case whose complaint shares a match key with this one's, or is about the same
/// respondent. One line per case and reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelatedCase {
    pub case_number: CaseNumber,
    /// The key they share; `None` when they are related through the respondent entity only.
    pub kind: Option<MatchKind>,
    pub value: Option<String>,
    pub state: CaseState,
    pub received_at: Timestamp,
    /// The agency it is routed to (access control hides other agencies' cases).
    pub agency: Option<String>,
}

/// A respondent entity with every case filed against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RespondentRecord {
    pub id: i64,
    pub display_name: String,
    pub created_at: Timestamp,
    /// The aliases (`uscc:…`, `respondent_name:…`, `booth:…`) it is recognised by.
    pub aliases: Vec<String>,
    /// Oldest first; linked cases opened by a transfer are included.
    pub cases: Vec<RespondentCase>,
    /// The entity it was joined into, if it was.
    pub merged_into: Option<i64>,
    /// Joins into it or out of it, oldest first.
    pub joins: Vec<crate::RespondentJoin>,
    /// Open proposals that name it.
    pub proposals: Vec<crate::RespondentProposal>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RespondentCase {
    pub case_number: CaseNumber,
    pub state: CaseState,
    pub agency: Option<String>,
    pub outcome: Option<Outcome>,
    pub received_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    /// The case this one was transferred from.
    pub parent: Option<CaseNumber>,
}

/// A case found by its match keys, with its respondent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyedCase {
    pub case_number: CaseNumber,
    pub respondent_id: Option<i64>,
    pub respondent_name: String,
    pub agency: Option<String>,
}

/// The earliest due instant of the clocks still counting.
pub fn next_due(clocks: &[StoredClock]) -> Option<Timestamp> {
    clocks
        .iter()
        .filter(|c| c.closed_at.is_none() && c.started_at.is_some())
        .filter_map(|c| c.due_at)
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kuaiwei_deadlines::{Exclusion, ExclusionKind};

    #[test]
    fn every_standing_reads_back_from_its_key_and_no_other_text_does() {
        for s in ClockStanding::ALL {
            assert_eq!(ClockStanding::from_key(s.key()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), serde_json::json!(s.key()));
        }
        assert_eq!(ClockStanding::from_key("closed"), None);
        assert_eq!(ClockStanding::from_key("Running"), None);
    }

    #[test]
    fn inputs_are_written_as_the_untyped_value_wrote_them_keys_sorted() {
        let mut c = StoredClock::from_stored(
            "KW-2026-000001",
            "M2".into(),
            None,
            None,
            None,
            "pending",
            r#"{"exclusions":[],"extensions":[]}"#,
        )
        .unwrap();
        c.inputs.exclusions.push(Exclusion {
            kind: ExclusionKind::Appraisal,
            from: "2026-10-17T01:00:00Z".parse().unwrap(),
            to: None,
            reason: "鉴定".into(),
        });
        let text = c.inputs_json();
        assert_eq!(
            text,
            r#"{"exclusions":[{"from":"2026-10-17T01:00:00Z","kind":"appraisal","reason":"鉴定","to":null}],"extensions":[]}"#
        );
        let again = StoredClock::from_stored(
            "KW-2026-000001",
            "M2".into(),
            None,
            None,
            None,
            "paused",
            &text,
        )
        .unwrap();
        assert_eq!(again.inputs, c.inputs);
        assert_eq!(again.status, ClockStanding::Computed(ClockStatus::Paused));
    }
}
