//! SQLite implementation of the kuaiwei [`Store`], the embedded default: one file in the data
//! directory, nothing else to install.
//!
//! Durability: WAL with `synchronous=FULL`, so a committed transaction has reached the disk. All
//! writes go through one writer connection fed by a group-commit [`Batcher`]: concurrent
//! submissions share a transaction and its fsync. Reads use a separate pool and never wait
//! for the writer.

mod accounts;
pub mod backup;
mod cases;
mod corrections;
#[cfg(feature = "bench")]
pub mod fts;
mod intake;
mod outbox;
mod read;
mod reports;
mod respondents;
mod stations;
mod time;
pub mod transfer;
mod triage;
mod write;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;
use kuaiwei_domain::MatchKey;
use kuaiwei_store::{
    Account, ApiToken, AuditEvent, Batcher, CaseRecord, CaseUpdate, Change, ComplaintFilter,
    ComplaintRecord, ComplaintSummary, FairSession, FrozenReport, KeyedCase, NewComplaint, Page,
    QueueFilter, QueueItem, Receipt, RecordedEvent, RelatedCase, ReportClock, ReportWindow,
    RespondentRecord, Session, Store, StoreError, UpdatedCase, WriteDone, WriteOp,
};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection};

/// How the store batches writes.
#[derive(Debug, Clone, Copy)]
pub struct WriteOptions {
    /// Most complaints committed in one transaction; 1 means one transaction and fsync each.
    pub max_batch: usize,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions { max_batch: 256 }
    }
}

#[derive(Clone)]
pub struct SqliteStore {
    read: SqlitePool,
    /// One connection for rare maintenance writes (purges); it takes SQLite's write lock in turn
    /// with the writer, waiting at most `busy_timeout`.
    maintenance: SqlitePool,
    writer: Batcher<WriteOp, WriteDone>,
}

impl SqliteStore {
    /// Benchmarks only: writes generated cases straight into the report's tables.
    #[cfg(feature = "bench")]
    pub async fn insert_synthetic(
        &self,
        cases: &[kuaiwei_store::SyntheticCase],
    ) -> Result<(), StoreError> {
        reports::insert_synthetic(&self.maintenance, cases).await
    }

    /// Benchmarks only: refreshes the planner's statistics after a bulk load.
    #[cfg(feature = "bench")]
    pub async fn analyze(&self) -> Result<(), StoreError> {
        reports::analyze(&self.maintenance).await
    }

    /// Opens (creating if missing) the database file at `path`, brings its schema up to date
    /// and starts the writer.
    pub async fn open(path: &Path, opts: WriteOptions) -> Result<SqliteStore, StoreError> {
        let connect = SqliteConnectOptions::from_str("sqlite:")
            .map_err(backend)?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let mut writer: SqliteConnection = connect.connect().await.map_err(backend)?;
        sqlx::migrate!("../../migrations/sqlite")
            .run(&mut writer)
            .await
            .map_err(|e| StoreError::Backend(format!("migration failed: {e}")))?;
        // One transaction: a complaint gets its respondent and its keys together or not at all
        // (a crash half-way must not leave a respondent without keys, never to be keyed again).
        let mut tx = writer
            .begin_with("begin immediate")
            .await
            .map_err(backend)?;
        let backfilled = triage::backfill(&mut tx).await.map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        if backfilled > 0 {
            tracing::info!(
                complaints = backfilled,
                "gave earlier complaints their respondent and match keys"
            );
        }
        let maintenance = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(connect.clone())
            .await
            .map_err(backend)?;
        // Readers map the file (up to 1 GiB) instead of copying pages through read(2): a month's
        // report looks up some 200,000 clocks scattered over a million cases.
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(
                connect
                    .read_only(true)
                    .pragma("mmap_size", "1073741824")
                    .pragma("cache_size", "-16384"),
            )
            .await
            .map_err(backend)?;
        let writer = Batcher::spawn(write::Writer::new(writer), opts.max_batch, 16_384);
        Ok(SqliteStore {
            read,
            maintenance,
            writer,
        })
    }

    /// Closes the read pool; the writer stops once the last handle is dropped.
    pub async fn close(&self) {
        self.read.close().await;
        self.maintenance.close().await;
    }
}

pub(crate) fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

#[async_trait]
impl Store for SqliteStore {
    async fn submit_complaint(&self, new: NewComplaint) -> Result<Receipt, StoreError> {
        match self.writer.submit(WriteOp::Submit(Box::new(new))).await? {
            WriteDone::Submitted(r) => Ok(r),
            _ => Err(StoreError::Backend(
                "writer answered the wrong operation".into(),
            )),
        }
    }

    async fn update_case(&self, update: CaseUpdate) -> Result<UpdatedCase, StoreError> {
        match self
            .writer
            .submit(WriteOp::Update(Box::new(update)))
            .await?
        {
            WriteDone::Updated(u) => Ok(u),
            _ => Err(StoreError::Backend(
                "writer answered the wrong operation".into(),
            )),
        }
    }

    async fn due_messages(
        &self,
        now: jiff::Timestamp,
        limit: u32,
    ) -> Result<Vec<kuaiwei_store::OutboxMessage>, StoreError> {
        outbox::due(&self.read, now, limit).await
    }

    async fn record_delivery(
        &self,
        id: i64,
        at: jiff::Timestamp,
        outcome: kuaiwei_store::DeliveryOutcome,
        detail: &str,
    ) -> Result<(), StoreError> {
        outbox::record(&self.maintenance, id, at, outcome, detail).await
    }

    async fn write_messages(
        &self,
        messages: &[kuaiwei_store::NewMessage],
        at: jiff::Timestamp,
    ) -> Result<u64, StoreError> {
        outbox::write(&self.maintenance, messages, at).await
    }

    async fn opt_out(
        &self,
        case_number: &str,
        channel: &str,
        at: jiff::Timestamp,
    ) -> Result<u64, StoreError> {
        outbox::opt_out(&self.maintenance, case_number, channel, at).await
    }

    async fn case_messages(
        &self,
        case_number: &str,
    ) -> Result<Vec<kuaiwei_store::OutboxMessage>, StoreError> {
        outbox::of_case(&self.read, case_number).await
    }

    async fn failed_messages(
        &self,
        limit: u32,
    ) -> Result<Vec<kuaiwei_store::OutboxMessage>, StoreError> {
        outbox::failed(&self.read, limit).await
    }

    async fn record_event(&self, event: RecordedEvent) -> Result<(), StoreError> {
        match self.writer.submit(WriteOp::Record(Box::new(event))).await? {
            WriteDone::Recorded => Ok(()),
            _ => Err(StoreError::Backend(
                "writer answered the wrong operation".into(),
            )),
        }
    }

    async fn complaint_of_case(
        &self,
        case_number: &str,
    ) -> Result<Option<ComplaintRecord>, StoreError> {
        read::complaint_of_case(&self.read, case_number).await
    }

    async fn case(&self, case_number: &str) -> Result<Option<CaseRecord>, StoreError> {
        cases::case(&self.read, case_number).await
    }

    async fn linked_cases(&self, parent: &str) -> Result<Vec<CaseRecord>, StoreError> {
        cases::linked_cases(&self.read, parent).await
    }

    async fn queue(
        &self,
        filter: &QueueFilter,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<QueueItem>, StoreError> {
        cases::queue(&self.read, filter, limit, offset).await
    }

    async fn related_cases(
        &self,
        case_number: &str,
        limit: u32,
    ) -> Result<Vec<RelatedCase>, StoreError> {
        triage::related_cases(&self.read, case_number, limit).await
    }

    async fn related_counts(
        &self,
        case_number: &str,
    ) -> Result<Vec<(Option<kuaiwei_domain::MatchKind>, u64)>, StoreError> {
        triage::related_counts(&self.read, case_number).await
    }

    async fn respondent_proposals(
        &self,
        limit: u32,
    ) -> Result<Vec<kuaiwei_store::RespondentProposal>, StoreError> {
        corrections::proposals(&self.read, limit).await
    }

    async fn correct_respondents(
        &self,
        correction: kuaiwei_store::RespondentCorrection,
    ) -> Result<kuaiwei_store::Corrected, StoreError> {
        match self
            .writer
            .submit(WriteOp::Correct(Box::new(correction)))
            .await?
        {
            WriteDone::Corrected(c) => Ok(c),
            _ => Err(StoreError::Backend(
                "writer answered the wrong operation".into(),
            )),
        }
    }

    async fn evidence_known(&self, digests: &[String]) -> Result<Vec<String>, StoreError> {
        read::evidence_known(&self.read, digests).await
    }

    async fn cases_with_evidence(
        &self,
        digests: &[String],
    ) -> Result<Vec<(String, String)>, StoreError> {
        read::cases_with_evidence(&self.read, digests).await
    }

    async fn evidence_hashes(&self) -> Result<Vec<(String, i64)>, StoreError> {
        read::evidence_hashes(&self.read).await
    }

    async fn follower_position(&self, name: &str) -> Result<i64, StoreError> {
        let at: Option<i64> =
            sqlx::query_scalar("select seq from follower_positions where name = ?1")
                .bind(name)
                .fetch_optional(&self.read)
                .await
                .map_err(backend)?;
        Ok(at.unwrap_or(0))
    }

    async fn respondent_pass(&self, limit: u32) -> Result<usize, StoreError> {
        // asked before every case view and by an idle follower: the writer only when there is
        // work (an index probe on the reader costs less than an empty write transaction)
        let resolved = if !triage::any_pending(&self.read).await? {
            0
        } else {
            match self.writer.submit(WriteOp::Resolve(limit)).await? {
                WriteDone::Resolved(n) => n,
                _ => {
                    return Err(StoreError::Backend(
                        "writer answered the wrong operation".into(),
                    ));
                }
            }
        };
        Ok(resolved + self.typo_pass(limit).await?)
    }

    async fn respondent(&self, id: i64) -> Result<Option<RespondentRecord>, StoreError> {
        triage::respondent(&self.read, id).await
    }

    async fn cases_with_keys(
        &self,
        keys: &[MatchKey],
        limit: u32,
    ) -> Result<Vec<KeyedCase>, StoreError> {
        triage::cases_with_keys(&self.read, keys, limit).await
    }

    async fn key_group_size(&self, keys: &[MatchKey]) -> Result<(u64, u64), StoreError> {
        triage::key_group_size(&self.read, keys).await
    }

    async fn open_cases(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<CaseRecord>, StoreError> {
        cases::open_cases(&self.read, after, limit).await
    }

    async fn cases_due_since(
        &self,
        since: jiff::Timestamp,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<CaseRecord>, StoreError> {
        cases::cases_due_since(&self.read, since, after, limit).await
    }

    async fn report_clocks(&self, window: &ReportWindow) -> Result<Vec<ReportClock>, StoreError> {
        reports::report_clocks(&self.read, window).await
    }

    async fn all_report_clocks(
        &self,
        page: &mut (dyn FnMut(Vec<ReportClock>) + Send),
    ) -> Result<(), StoreError> {
        reports::all_report_clocks(&self.read, page).await
    }

    async fn report_clocks_of(
        &self,
        case_numbers: &[String],
    ) -> Result<Vec<ReportClock>, StoreError> {
        reports::report_clocks_of(&self.read, case_numbers).await
    }

    async fn freeze_report(&self, frozen: &FrozenReport) -> Result<(), StoreError> {
        reports::freeze(&self.maintenance, frozen).await
    }

    async fn frozen_report(&self, period: &str) -> Result<Option<FrozenReport>, StoreError> {
        reports::frozen(&self.read, period).await
    }

    async fn case_events(&self, case_number: &str) -> Result<Vec<AuditEvent>, StoreError> {
        cases::case_events(&self.read, case_number).await
    }

    async fn audit_events(&self, after: i64, limit: u32) -> Result<Vec<AuditEvent>, StoreError> {
        cases::audit_events(&self.read, after, limit).await
    }

    async fn audit_head(&self) -> Result<Option<(i64, String)>, StoreError> {
        cases::audit_head(&self.read).await
    }

    async fn filed_complaints(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<kuaiwei_store::FiledComplaint>, StoreError> {
        read::filed_complaints(&self.read, after, limit).await
    }

    async fn inventory(&self) -> Result<kuaiwei_store::Inventory, StoreError> {
        let mut conn = self.read.acquire().await.map_err(backend)?;
        backup::inventory(&mut conn).await.map_err(backend)
    }

    async fn complaint_for_complainant(
        &self,
        case_number: &str,
        token_hash: &[u8; 32],
    ) -> Result<Option<ComplaintRecord>, StoreError> {
        read::complaint_for_complainant(&self.read, case_number, token_hash).await
    }

    async fn list_complaints(
        &self,
        filter: &ComplaintFilter,
        page: Page,
    ) -> Result<Vec<ComplaintSummary>, StoreError> {
        read::list_complaints(&self.read, filter, page).await
    }

    async fn change_head(&self) -> Result<i64, StoreError> {
        let (head,): (i64,) = sqlx::query_as("select coalesce(max(seq), 0) from change_log")
            .fetch_one(&self.read)
            .await
            .map_err(backend)?;
        Ok(head)
    }

    async fn changes_since(&self, after: i64, limit: u32) -> Result<Vec<Change>, StoreError> {
        read::changes_since(&self.read, after, limit).await
    }

    async fn create_account(&self, account: &Account) -> Result<(), StoreError> {
        accounts::create(&self.maintenance, account).await
    }

    async fn account(&self, username: &str) -> Result<Option<Account>, StoreError> {
        accounts::get(&self.read, username).await
    }

    async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        accounts::list(&self.read).await
    }

    async fn set_password(
        &self,
        username: &str,
        password_hash: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        accounts::set_password(&self.maintenance, username, password_hash, at).await
    }

    async fn set_contact(
        &self,
        username: &str,
        contact: &kuaiwei_store::Contact,
    ) -> Result<(), StoreError> {
        accounts::set_contact(&self.maintenance, username, contact).await
    }

    async fn disable_account(&self, username: &str, at: Timestamp) -> Result<(), StoreError> {
        accounts::disable(&self.maintenance, username, at).await
    }

    async fn create_session(&self, session: &Session) -> Result<(), StoreError> {
        accounts::create_session(&self.maintenance, session).await
    }

    async fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        accounts::session(&self.read, token_hash).await
    }

    async fn touch_session(&self, token_hash: &str, at: Timestamp) -> Result<(), StoreError> {
        accounts::touch_session(&self.maintenance, token_hash, at).await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        accounts::delete_session(&self.maintenance, token_hash).await
    }

    async fn delete_sessions_of(&self, username: &str) -> Result<u64, StoreError> {
        accounts::delete_sessions_of(&self.maintenance, username).await
    }

    async fn create_api_token(&self, token: &ApiToken) -> Result<(), StoreError> {
        accounts::create_api_token(&self.maintenance, token).await
    }

    async fn api_token(&self, token_hash: &str) -> Result<Option<ApiToken>, StoreError> {
        accounts::get_api_token(&self.read, token_hash).await
    }

    async fn api_tokens(&self) -> Result<Vec<ApiToken>, StoreError> {
        accounts::list_api_tokens(&self.read).await
    }

    async fn revoke_api_token(&self, name: &str, at: Timestamp) -> Result<(), StoreError> {
        accounts::revoke_api_token(&self.maintenance, name, at).await
    }

    async fn create_fair_session(&self, session: &FairSession) -> Result<i64, StoreError> {
        stations::create(&self.maintenance, session).await
    }

    async fn fair_sessions(&self, limit: u32) -> Result<Vec<FairSession>, StoreError> {
        stations::list(&self.read, limit).await
    }

    async fn fair_session(&self, id: i64) -> Result<Option<FairSession>, StoreError> {
        stations::get(&self.read, id).await
    }

    async fn purge_idempotency(&self, before: Timestamp) -> Result<u64, StoreError> {
        write::purge_idempotency(&self.maintenance, before).await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.read.acquire().await.map_err(backend)?;
        conn.ping().await.map_err(backend)
    }
}

impl SqliteStore {
    /// The typo pass of [`Store::respondent_pass`], over complaints that have their respondent.
    async fn typo_pass(&self, limit: u32) -> Result<usize, StoreError> {
        // read and planned off the writer, which only writes the result
        let mut conn = self.read.acquire().await.map_err(backend)?;
        let work = respondents::plan_typos(&mut conn, limit)
            .await
            .map_err(backend)?;
        drop(conn);
        let Some(work) = work else {
            return Ok(0);
        };
        match self
            .writer
            .submit(WriteOp::TypoApply(Box::new(work)))
            .await?
        {
            WriteDone::TypoPassed(n) => Ok(n),
            _ => Err(StoreError::Backend(
                "writer answered the wrong operation".into(),
            )),
        }
    }
}
