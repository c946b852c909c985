//! PostgreSQL implementation of the kuaiwei [`Store`], the production system of record.
//!
//! Writes go through a group-commit [`Batcher`] like on SQLite. Each write transaction first
//! takes one transaction-scoped advisory lock, so that writers on every node commit one after
//! another: change-log sequence numbers then appear in commit order (a follower reading
//! `seq > n` never skips a row that commits late), and idempotency keys and per-year case
//! counters need no further coordination between nodes.

mod accounts;
pub mod backup;
mod cases;
mod corrections;
mod intake;
mod outbox;
mod read;
mod reports;
mod respondents;
mod stations;
pub mod transfer;
mod triage;
mod write;

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
use sqlx::postgres::{PgPool, PgPoolOptions};

/// How the store batches writes.
#[derive(Debug, Clone, Copy)]
pub struct WriteOptions {
    /// Most complaints committed in one transaction; 1 means one transaction each.
    pub max_batch: usize,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions { max_batch: 256 }
    }
}

#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
    writer: Batcher<WriteOp, WriteDone>,
}

impl PostgresStore {
    /// Benchmarks only: writes generated cases straight into the report's tables.
    #[cfg(feature = "bench")]
    pub async fn insert_synthetic(
        &self,
        cases: &[kuaiwei_store::SyntheticCase],
    ) -> Result<(), StoreError> {
        reports::insert_synthetic(&self.pool, cases).await
    }

    /// Benchmarks only: refreshes the planner's statistics after a bulk load.
    #[cfg(feature = "bench")]
    pub async fn analyze(&self) -> Result<(), StoreError> {
        reports::analyze(&self.pool).await
    }

    /// Connects, brings the schema up to date and starts the writer.
    pub async fn connect(url: &str, opts: WriteOptions) -> Result<PostgresStore, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(|e| StoreError::Backend(format!("cannot connect to PostgreSQL: {e}")))?;
        sqlx::migrate!("../../migrations/postgres")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Backend(format!("migration failed: {e}")))?;
        let backfilled = backfill(&pool).await.map_err(backend)?;
        if backfilled > 0 {
            tracing::info!(
                complaints = backfilled,
                "gave earlier complaints their respondent and match keys"
            );
        }
        let writer = Batcher::spawn(write::Writer::new(pool.clone()), opts.max_batch, 16_384);
        Ok(PostgresStore { pool, writer })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Brings complaints stored before respondents and match keys existed up to date, under the
/// write lock like every other write.
async fn backfill(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("select pg_advisory_xact_lock($1)")
        .bind(write::WRITE_LOCK)
        .execute(&mut *tx)
        .await?;
    let n = triage::backfill(&mut tx).await?;
    tx.commit().await?;
    Ok(n)
}

pub(crate) fn backend(e: impl std::fmt::Display) -> StoreError {
    let text = e.to_string();
    // SQLSTATE 22021 for a NUL in a bound text parameter: the input's fault, not the database's
    if text.contains("invalid byte sequence for encoding \"UTF8\": 0x00") {
        return StoreError::Unstorable;
    }
    StoreError::Backend(text)
}

#[async_trait]
impl Store for PostgresStore {
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
        outbox::due(&self.pool, now, limit).await
    }

    async fn record_delivery(
        &self,
        id: i64,
        at: jiff::Timestamp,
        outcome: kuaiwei_store::DeliveryOutcome,
        detail: &str,
    ) -> Result<(), StoreError> {
        outbox::record(&self.pool, id, at, outcome, detail).await
    }

    async fn write_messages(
        &self,
        messages: &[kuaiwei_store::NewMessage],
        at: jiff::Timestamp,
    ) -> Result<u64, StoreError> {
        outbox::write(&self.pool, messages, at).await
    }

    async fn opt_out(
        &self,
        case_number: &str,
        channel: &str,
        at: jiff::Timestamp,
    ) -> Result<u64, StoreError> {
        outbox::opt_out(&self.pool, case_number, channel, at).await
    }

    async fn case_messages(
        &self,
        case_number: &str,
    ) -> Result<Vec<kuaiwei_store::OutboxMessage>, StoreError> {
        outbox::of_case(&self.pool, case_number).await
    }

    async fn failed_messages(
        &self,
        limit: u32,
    ) -> Result<Vec<kuaiwei_store::OutboxMessage>, StoreError> {
        outbox::failed(&self.pool, limit).await
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
        read::complaint_of_case(&self.pool, case_number).await
    }

    async fn case(&self, case_number: &str) -> Result<Option<CaseRecord>, StoreError> {
        cases::case(&self.pool, case_number).await
    }

    async fn linked_cases(&self, parent: &str) -> Result<Vec<CaseRecord>, StoreError> {
        cases::linked_cases(&self.pool, parent).await
    }

    async fn queue(
        &self,
        filter: &QueueFilter,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<QueueItem>, StoreError> {
        cases::queue(&self.pool, filter, limit, offset).await
    }

    async fn related_cases(
        &self,
        case_number: &str,
        limit: u32,
    ) -> Result<Vec<RelatedCase>, StoreError> {
        triage::related_cases(&self.pool, case_number, limit).await
    }

    async fn related_counts(
        &self,
        case_number: &str,
    ) -> Result<Vec<(Option<kuaiwei_domain::MatchKind>, u64)>, StoreError> {
        triage::related_counts(&self.pool, case_number).await
    }

    async fn respondent_proposals(
        &self,
        limit: u32,
    ) -> Result<Vec<kuaiwei_store::RespondentProposal>, StoreError> {
        corrections::proposals(&self.pool, limit).await
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
        read::evidence_known(&self.pool, digests).await
    }

    async fn cases_with_evidence(
        &self,
        digests: &[String],
    ) -> Result<Vec<(String, String)>, StoreError> {
        read::cases_with_evidence(&self.pool, digests).await
    }

    async fn evidence_hashes(&self) -> Result<Vec<(String, i64)>, StoreError> {
        read::evidence_hashes(&self.pool).await
    }

    async fn follower_position(&self, name: &str) -> Result<i64, StoreError> {
        let at: Option<i64> =
            sqlx::query_scalar("select seq from follower_positions where name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
        Ok(at.unwrap_or(0))
    }

    async fn respondent_pass(&self, limit: u32) -> Result<usize, StoreError> {
        // asked before every case view and by an idle follower: the writer only when there is
        // work (an index probe on the reader costs less than an empty write transaction)
        let resolved = if !triage::any_pending(&self.pool).await? {
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
        triage::respondent(&self.pool, id).await
    }

    async fn cases_with_keys(
        &self,
        keys: &[MatchKey],
        limit: u32,
    ) -> Result<Vec<KeyedCase>, StoreError> {
        triage::cases_with_keys(&self.pool, keys, limit).await
    }

    async fn key_group_size(&self, keys: &[MatchKey]) -> Result<(u64, u64), StoreError> {
        triage::key_group_size(&self.pool, keys).await
    }

    async fn open_cases(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<CaseRecord>, StoreError> {
        cases::open_cases(&self.pool, after, limit).await
    }

    async fn cases_due_since(
        &self,
        since: jiff::Timestamp,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<CaseRecord>, StoreError> {
        cases::cases_due_since(&self.pool, since, after, limit).await
    }

    async fn report_clocks(&self, window: &ReportWindow) -> Result<Vec<ReportClock>, StoreError> {
        reports::report_clocks(&self.pool, window).await
    }

    async fn all_report_clocks(
        &self,
        page: &mut (dyn FnMut(Vec<ReportClock>) + Send),
    ) -> Result<(), StoreError> {
        reports::all_report_clocks(&self.pool, page).await
    }

    async fn report_clocks_of(
        &self,
        case_numbers: &[String],
    ) -> Result<Vec<ReportClock>, StoreError> {
        reports::report_clocks_of(&self.pool, case_numbers).await
    }

    async fn freeze_report(&self, frozen: &FrozenReport) -> Result<(), StoreError> {
        reports::freeze(&self.pool, frozen).await
    }

    async fn frozen_report(&self, period: &str) -> Result<Option<FrozenReport>, StoreError> {
        reports::frozen(&self.pool, period).await
    }

    async fn case_events(&self, case_number: &str) -> Result<Vec<AuditEvent>, StoreError> {
        cases::case_events(&self.pool, case_number).await
    }

    async fn audit_events(&self, after: i64, limit: u32) -> Result<Vec<AuditEvent>, StoreError> {
        cases::audit_events(&self.pool, after, limit).await
    }

    async fn audit_head(&self) -> Result<Option<(i64, String)>, StoreError> {
        cases::audit_head(&self.pool).await
    }

    async fn filed_complaints(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<kuaiwei_store::FiledComplaint>, StoreError> {
        read::filed_complaints(&self.pool, after, limit).await
    }

    async fn inventory(&self) -> Result<kuaiwei_store::Inventory, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        sqlx::query("set transaction isolation level repeatable read, read only")
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        let inventory = backup::inventory(&mut tx).await.map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(inventory)
    }

    async fn complaint_for_complainant(
        &self,
        case_number: &str,
        token_hash: &[u8; 32],
    ) -> Result<Option<ComplaintRecord>, StoreError> {
        read::complaint_for_complainant(&self.pool, case_number, token_hash).await
    }

    async fn list_complaints(
        &self,
        filter: &ComplaintFilter,
        page: Page,
    ) -> Result<Vec<ComplaintSummary>, StoreError> {
        read::list_complaints(&self.pool, filter, page).await
    }

    async fn change_head(&self) -> Result<i64, StoreError> {
        let (head,): (i64,) = sqlx::query_as("select coalesce(max(seq), 0) from change_log")
            .fetch_one(&self.pool)
            .await
            .map_err(backend)?;
        Ok(head)
    }

    async fn changes_since(&self, after: i64, limit: u32) -> Result<Vec<Change>, StoreError> {
        read::changes_since(&self.pool, after, limit).await
    }

    async fn create_account(&self, account: &Account) -> Result<(), StoreError> {
        accounts::create(&self.pool, account).await
    }

    async fn account(&self, username: &str) -> Result<Option<Account>, StoreError> {
        accounts::get(&self.pool, username).await
    }

    async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        accounts::list(&self.pool).await
    }

    async fn set_password(
        &self,
        username: &str,
        password_hash: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        accounts::set_password(&self.pool, username, password_hash, at).await
    }

    async fn set_contact(
        &self,
        username: &str,
        contact: &kuaiwei_store::Contact,
    ) -> Result<(), StoreError> {
        accounts::set_contact(&self.pool, username, contact).await
    }

    async fn disable_account(&self, username: &str, at: Timestamp) -> Result<(), StoreError> {
        accounts::disable(&self.pool, username, at).await
    }

    async fn create_session(&self, session: &Session) -> Result<(), StoreError> {
        accounts::create_session(&self.pool, session).await
    }

    async fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        accounts::session(&self.pool, token_hash).await
    }

    async fn touch_session(&self, token_hash: &str, at: Timestamp) -> Result<(), StoreError> {
        accounts::touch_session(&self.pool, token_hash, at).await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        accounts::delete_session(&self.pool, token_hash).await
    }

    async fn delete_sessions_of(&self, username: &str) -> Result<u64, StoreError> {
        accounts::delete_sessions_of(&self.pool, username).await
    }

    async fn create_api_token(&self, token: &ApiToken) -> Result<(), StoreError> {
        accounts::create_api_token(&self.pool, token).await
    }

    async fn api_token(&self, token_hash: &str) -> Result<Option<ApiToken>, StoreError> {
        accounts::get_api_token(&self.pool, token_hash).await
    }

    async fn api_tokens(&self) -> Result<Vec<ApiToken>, StoreError> {
        accounts::list_api_tokens(&self.pool).await
    }

    async fn revoke_api_token(&self, name: &str, at: Timestamp) -> Result<(), StoreError> {
        accounts::revoke_api_token(&self.pool, name, at).await
    }

    async fn create_fair_session(&self, session: &FairSession) -> Result<i64, StoreError> {
        stations::create(&self.pool, session).await
    }

    async fn fair_sessions(&self, limit: u32) -> Result<Vec<FairSession>, StoreError> {
        stations::list(&self.pool, limit).await
    }

    async fn fair_session(&self, id: i64) -> Result<Option<FairSession>, StoreError> {
        stations::get(&self.pool, id).await
    }

    async fn purge_idempotency(&self, before: Timestamp) -> Result<u64, StoreError> {
        write::purge_idempotency(&self.pool, before).await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("select 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(backend)
    }
}

impl PostgresStore {
    /// The typo pass of [`Store::respondent_pass`], over complaints that have their respondent.
    async fn typo_pass(&self, limit: u32) -> Result<usize, StoreError> {
        // read and planned off the writer, which only writes the result
        let mut conn = self.pool.acquire().await.map_err(backend)?;
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
