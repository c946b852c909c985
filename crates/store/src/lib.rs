//! The [`Store`] trait: the business-level storage operations of kuaiwei, shared by every
//! backend (`store-sqlite`, `store-postgres`), plus what the backends have in common: the types
//! that cross the trait, [`StoreError`], and the group-commit [`Batcher`] that lets many
//! concurrent submissions share one transaction and one fsync.
//!
//! With the `conformance` feature, [`conformance`] holds one test suite that every backend
//! stamps onto itself with [`store_conformance_tests!`].

mod accounts;
mod audit;
mod batcher;
mod cases;
#[cfg(feature = "conformance")]
pub mod conformance;
mod corrections;
mod error;
mod inventory;
mod outbox;
pub mod plan;
mod reports;
pub mod respondents;
pub mod transfer;
mod types;

use async_trait::async_trait;
use jiff::Timestamp;

pub use accounts::{Account, ApiToken, Contact, FairSession, Session};
pub use audit::{ChainBreak, ChainLink, ChainVerifier, GENESIS, complaint_digest, verify_chain};
pub use batcher::{BatchHandler, Batcher, BatcherClosed};
pub use cases::{
    AuditEvent, CaseRecord, CaseUpdate, ClockStanding, KeyedCase, LinkedCase, NewEvent,
    PendingExtension, QueueFilter, QueueItem, RelatedCase, RespondentCase, RespondentRecord,
    StoredClock, next_due, read_pending_extension,
};
pub use corrections::{
    Corrected, Correction, RespondentCorrection, RespondentJoin, RespondentProposal,
};
pub use error::StoreError;
pub use inventory::{EvidenceFile, FiledComplaint, Inventory};
pub use outbox::{DeliveryOutcome, MessageState, NewMessage, OutboxMessage};
pub use reports::{FrozenReport, ReportClock, ReportWindow, SyntheticCase};
pub use types::{
    Change, ComplaintFilter, ComplaintRecord, ComplaintSummary, DEFAULT_MATERIAL, EvidenceMeta,
    EvidenceRef, IdempotencyKey, NewComplaint, Page, Receipt, RecordedEvent, UpdatedCase,
    WriteDone, WriteOp, case_year, constant_time_eq, truncate_to_micros,
};

/// Everything the server asks of storage, in the words of the business.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Stores a complaint with its evidence references and a change-log entry in one durable
    /// transaction, allocating the next case number of the year. With an idempotency key that was
    /// seen before with the same body, returns the original receipt and stores nothing; with a
    /// different body, fails with [`StoreError::IdempotencyMismatch`].
    async fn submit_complaint(&self, new: NewComplaint) -> Result<Receipt, StoreError>;

    /// The complaint with this case number, if the tracking token's hash matches; `None` for a
    /// missing case and for a wrong token alike.
    async fn complaint_for_complainant(
        &self,
        case_number: &str,
        token_hash: &[u8; 32],
    ) -> Result<Option<ComplaintRecord>, StoreError>;

    /// Complaints, newest first, narrowed by the filter, one page at a time.
    async fn list_complaints(
        &self,
        filter: &ComplaintFilter,
        page: Page,
    ) -> Result<Vec<ComplaintSummary>, StoreError>;

    /// Change-log entries with a sequence number greater than `after`, in order, at most `limit`.
    async fn changes_since(&self, after: i64, limit: u32) -> Result<Vec<Change>, StoreError>;

    /// The position of the newest change-log entry (0 when there is none).
    async fn change_head(&self) -> Result<i64, StoreError>;

    /// The complaint behind a case (a linked case shares its parent's), for staff.
    async fn complaint_of_case(
        &self,
        case_number: &str,
    ) -> Result<Option<ComplaintRecord>, StoreError>;

    /// The case with this number, with its clocks.
    async fn case(&self, case_number: &str) -> Result<Option<CaseRecord>, StoreError>;

    /// The linked cases opened from this one (by a transfer, or a route to several
    /// authorities), in case-number order, with their clocks.
    async fn linked_cases(&self, parent: &str) -> Result<Vec<CaseRecord>, StoreError>;

    /// Applies one step: refused with [`StoreError::VersionConflict`] if the case changed since
    /// it was read. The event is appended to the audit chain in the same transaction, and the
    /// step's messages are written to the outbox in it too.
    async fn update_case(&self, update: CaseUpdate) -> Result<UpdatedCase, StoreError>;

    /// Pending messages whose next attempt is due at `now`, oldest first, at most `limit`.
    async fn due_messages(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError>;

    /// Records an attempt on message `id`: its outcome and what the receiver said. A message
    /// already sent or failed is left as it is.
    async fn record_delivery(
        &self,
        id: i64,
        at: Timestamp,
        outcome: DeliveryOutcome,
        detail: &str,
    ) -> Result<(), StoreError>;

    /// Writes messages that no case step writes (the daily watch digest), due at `at`. A message
    /// whose `dedup_key` was written before is left out, so that running the writer twice
    /// writes nothing new; how many were written.
    async fn write_messages(
        &self,
        messages: &[NewMessage],
        at: Timestamp,
    ) -> Result<u64, StoreError>;

    /// The complainant stops the messages of `channel` (`email`, `sms`) of a case: every one of
    /// them (not those to staff) is marked and none is sent from then on; how many were marked.
    async fn opt_out(
        &self,
        case_number: &str,
        channel: &str,
        at: Timestamp,
    ) -> Result<u64, StoreError>;

    /// The messages of a case, oldest first, for its timeline.
    async fn case_messages(&self, case_number: &str) -> Result<Vec<OutboxMessage>, StoreError>;

    /// Messages given up on, newest first, at most `limit`: what an administrator must look at.
    async fn failed_messages(&self, limit: u32) -> Result<Vec<OutboxMessage>, StoreError>;

    /// Cases by earliest due date (cases without a running clock last), narrowed by the filter.
    async fn queue(
        &self,
        filter: &QueueFilter,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<QueueItem>, StoreError>;

    /// Cases whose complaint shares a match key with this case's, or is about the same
    /// respondent (one line per case and reason): every case of the same respondent, and per
    /// kind of key at most `limit` cases, the latest filed first. Linked cases are reached through their
    /// parent.
    async fn related_cases(
        &self,
        case_number: &str,
        limit: u32,
    ) -> Result<Vec<RelatedCase>, StoreError>;

    /// How many cases share each kind of key with this case's complaint (`None`: the same
    /// respondent), however many [`Store::related_cases`] lists.
    async fn related_counts(
        &self,
        case_number: &str,
    ) -> Result<Vec<(Option<kuaiwei_domain::MatchKind>, u64)>, StoreError>;

    /// The respondent with every case filed against it, its joins and its open proposals. An
    /// entity joined into another is still found, with `merged_into` set.
    async fn respondent(&self, id: i64) -> Result<Option<RespondentRecord>, StoreError>;

    /// Links the rules left for a caseworker, oldest first, with the entities as they stand now
    /// (those since joined are left out), at most `limit`.
    async fn respondent_proposals(&self, limit: u32)
    -> Result<Vec<RespondentProposal>, StoreError>;

    /// Which of these evidence digests a committed complaint or supplement references.
    async fn evidence_known(&self, digests: &[String]) -> Result<Vec<String>, StoreError>;

    /// Which cases' complaints reference these evidence digests: (case number, digest), the
    /// linked cases of a complaint not included.
    async fn cases_with_evidence(
        &self,
        digests: &[String],
    ) -> Result<Vec<(String, String)>, StoreError>;

    /// Every stored photo's perceptual hash: (digest, hash).
    async fn evidence_hashes(&self) -> Result<Vec<(String, i64)>, StoreError>;

    /// The respondent pass, following the change log: intake stores a complaint without its
    /// respondent, and this pass gives each such complaint (in filing order, at most `limit`)
    /// its respondent entity by the respondent rules and records its match keys, in one
    /// writer transaction; then the typo pass (`respondents::typo_run`) over at most `limit`
    /// change-log entries whose complaints have their respondent: names one character away are
    /// proposed. Off the filing's transaction, which kept intake five to seventeen times slower
    /// (BENCHMARKS.md). How much it did (complaints resolved plus entries consumed); 0 when it
    /// is up to date.
    async fn respondent_pass(&self, limit: u32) -> Result<usize, StoreError>;

    /// How far a follower of the change log has come (`follower_positions`, e.g.
    /// `respondents::TYPO_FOLLOWER`): the last entry it has done, 0 before its first pass.
    async fn follower_position(&self, name: &str) -> Result<i64, StoreError>;

    /// A caseworker's join, split, undo or decision, with its audit event (subject
    /// `respondent:<id>`). [`StoreError::NotFound`] for an unknown or since joined entity,
    /// join or proposal (or a case not on the entity); [`StoreError::Conflict`] for one that
    /// cannot be done (an entity joined to itself, a split of every case, a join undone or
    /// proposal decided before).
    async fn correct_respondents(
        &self,
        correction: RespondentCorrection,
    ) -> Result<Corrected, StoreError>;

    /// How many complaints carry every one of `keys` (each has one original case), and from how
    /// many distinct recognised respondents.
    async fn key_group_size(
        &self,
        keys: &[kuaiwei_domain::MatchKey],
    ) -> Result<(u64, u64), StoreError>;

    /// The original cases (not linked ones) whose complaints carry every one of `keys`, at most
    /// `limit`, newest first.
    async fn cases_with_keys(
        &self,
        keys: &[kuaiwei_domain::MatchKey],
        limit: u32,
    ) -> Result<Vec<KeyedCase>, StoreError>;

    /// Cases not yet refused, transferred or closed, by case number after `after`, at most
    /// `limit`: what a new holiday year must be recomputed for.
    async fn open_cases(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<CaseRecord>, StoreError>;

    /// Cases in any state (closed ones too) with a started clock that has no due date or falls
    /// due at or after `since`, by case number after `after`, at most `limit`: what loading the
    /// holiday schedule of the years from `since` on can move, so that reports of the months
    /// those cases closed in count them right.
    async fn cases_due_since(
        &self,
        since: Timestamp,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<CaseRecord>, StoreError>;

    /// The clocks an on-time report over `[from, to)` reads: those started, stopped or due in
    /// the window, those running at `to` (started no later) and due before the horizon (at
    /// risk), those still running at `to` and due before it (overdue at the end of the period),
    /// and those running at `to` without a due date (undetermined). Linked cases included; in
    /// no particular order. Each clock carries its case's report attributes as they now stand.
    async fn report_clocks(&self, window: &ReportWindow) -> Result<Vec<ReportClock>, StoreError>;

    /// Every clock, handed to `page` ten thousand at a time, in no particular order
    /// (a case's clocks may fall in two pages): what the server's copy of the clocks is loaded
    /// from. Writes made meanwhile may or may not be seen; the caller replays the change log
    /// from a position read before it began.
    async fn all_report_clocks(
        &self,
        page: &mut (dyn FnMut(Vec<ReportClock>) + Send),
    ) -> Result<(), StoreError>;

    /// The clocks of these cases as they stand now (a case with none gives none).
    async fn report_clocks_of(
        &self,
        case_numbers: &[String],
    ) -> Result<Vec<ReportClock>, StoreError>;

    /// Keeps a report for good. A period frozen before is refused with
    /// [`StoreError::Conflict`]; a frozen report is never changed (the database refuses it).
    async fn freeze_report(&self, frozen: &FrozenReport) -> Result<(), StoreError>;

    /// The frozen report of a period, if it was frozen.
    async fn frozen_report(&self, period: &str) -> Result<Option<FrozenReport>, StoreError>;

    /// A case's events, oldest first: its timeline.
    async fn case_events(&self, case_number: &str) -> Result<Vec<AuditEvent>, StoreError>;

    /// Audit events with `seq` greater than `after`, in order, at most `limit`.
    async fn audit_events(&self, after: i64, limit: u32) -> Result<Vec<AuditEvent>, StoreError>;

    /// The recorded end of the audit chain.
    async fn audit_head(&self) -> Result<Option<(i64, String)>, StoreError>;

    /// The counts, the audit head and every evidence row, read in one transaction: what a
    /// restore checks against its backup's manifest.
    async fn inventory(&self) -> Result<Inventory, StoreError>;

    /// Complaints with an id greater than `after`, by id, at most `limit`, each with its body
    /// as stored and its evidence rows: what `kuaiwei audit verify` checks against the chain.
    async fn filed_complaints(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<FiledComplaint>, StoreError>;

    /// Creates an account; [`StoreError::Conflict`] when the user name is taken (also by a
    /// disabled account: names are never reused).
    async fn create_account(&self, account: &Account) -> Result<(), StoreError>;

    /// The account with this user name, disabled or not.
    async fn account(&self, username: &str) -> Result<Option<Account>, StoreError>;

    /// Every account, by user name.
    async fn accounts(&self) -> Result<Vec<Account>, StoreError>;

    /// Replaces an account's password hash; [`StoreError::NotFound`] for an unknown name.
    async fn set_password(
        &self,
        username: &str,
        password_hash: &str,
        at: Timestamp,
    ) -> Result<(), StoreError>;

    /// Replaces where and in which language an account is told ([`Contact`]);
    /// [`StoreError::NotFound`] for an unknown name.
    async fn set_contact(&self, username: &str, contact: &Contact) -> Result<(), StoreError>;

    /// Disables an account (kept, never deleted); disabling it again keeps the first instant.
    /// [`StoreError::NotFound`] for an unknown name.
    async fn disable_account(&self, username: &str, at: Timestamp) -> Result<(), StoreError>;

    /// Appends an event that is not a case step (a login, a refusal, an account change) to the
    /// audit chain, under a subject such as `account:officer.li`.
    async fn record_event(&self, event: RecordedEvent) -> Result<(), StoreError>;

    /// Stores a new session.
    async fn create_session(&self, session: &Session) -> Result<(), StoreError>;

    /// The session with this token hash, if it has not been deleted (expiry is the caller's).
    async fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError>;

    /// Records that the session was used at `at`.
    async fn touch_session(&self, token_hash: &str, at: Timestamp) -> Result<(), StoreError>;

    /// Ends one session (logout); ending a missing one is not an error.
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;

    /// Ends every session of a user (password reset, account disabled); how many there were.
    async fn delete_sessions_of(&self, username: &str) -> Result<u64, StoreError>;

    /// Stores a new API key; [`StoreError::Conflict`] when the name is taken (also by a revoked
    /// key: names are never reused).
    async fn create_api_token(&self, token: &ApiToken) -> Result<(), StoreError>;

    /// The key with this hash, revoked or not.
    async fn api_token(&self, token_hash: &str) -> Result<Option<ApiToken>, StoreError>;

    /// Every key, by name.
    async fn api_tokens(&self) -> Result<Vec<ApiToken>, StoreError>;

    /// Revokes a key (kept, never deleted); revoking it again keeps the first instant.
    /// [`StoreError::NotFound`] for an unknown name.
    async fn revoke_api_token(&self, name: &str, at: Timestamp) -> Result<(), StoreError>;

    /// Stores a fair session (its `id` is ignored); the id given to it.
    async fn create_fair_session(&self, session: &FairSession) -> Result<i64, StoreError>;

    /// Fair sessions, the latest to start first, at most `limit`.
    async fn fair_sessions(&self, limit: u32) -> Result<Vec<FairSession>, StoreError>;

    /// One fair session.
    async fn fair_session(&self, id: i64) -> Result<Option<FairSession>, StoreError>;

    /// Forgets idempotency records created before `before` (their replay window has passed).
    async fn purge_idempotency(&self, before: Timestamp) -> Result<u64, StoreError>;

    /// Whether the database answers.
    async fn ping(&self) -> Result<(), StoreError>;
}
