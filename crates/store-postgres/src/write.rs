//! The single writer: commits each batch of submissions and case steps in one transaction (after
//! the global advisory lock); runs of submissions are written together by `intake::insert_many`.

use jiff::Timestamp;
use jiff_sqlx::ToSqlx;
use kuaiwei_store::{BatchHandler, EvidenceRef, NewComplaint, StoreError, WriteDone, WriteOp};
use sqlx::PgExecutor;
use sqlx::postgres::PgPool;

use crate::{backend, cases, corrections, intake, respondents, triage};

/// Most submissions written by one set of multi-row statements (PostgreSQL allows 65,535 bound
/// values per statement; an audit event has 9).
const RUN: usize = 512;

/// Every writer on every node takes this transaction-scoped advisory lock first (see lib.rs).
pub(crate) const WRITE_LOCK: i64 = 0x6b75_6169_7765_6901;

pub struct Writer {
    pool: PgPool,
}

impl Writer {
    pub fn new(pool: PgPool) -> Writer {
        Writer { pool }
    }

    /// One transaction for the whole batch. The outer error aborts it (nothing of it is
    /// stored); an inner error refuses one request and lets the others commit.
    async fn commit(
        &mut self,
        batch: &[WriteOp],
    ) -> Result<Vec<Result<WriteDone, StoreError>>, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("select pg_advisory_xact_lock($1)")
            .bind(WRITE_LOCK)
            .execute(&mut *tx)
            .await?;
        let mut out = Vec::with_capacity(batch.len());
        let mut i = 0;
        while i < batch.len() {
            // A run of submissions is written together, at most RUN at a time (bind limits).
            let run: Vec<&NewComplaint> = batch[i..]
                .iter()
                .map_while(|op| match op {
                    WriteOp::Submit(new) => Some(new.as_ref()),
                    WriteOp::Update(_)
                    | WriteOp::Record(_)
                    | WriteOp::Correct(_)
                    | WriteOp::TypoApply(_)
                    | WriteOp::Resolve(_) => None,
                })
                .take(RUN)
                .collect();
            if run.is_empty() {
                match &batch[i] {
                    WriteOp::Update(u) => {
                        out.push(cases::update(&mut tx, u).await?.map(WriteDone::Updated));
                    }
                    WriteOp::Record(r) => {
                        cases::append_event(&mut tx, &r.subject, &r.event, r.at).await?;
                        out.push(Ok(WriteDone::Recorded));
                    }
                    WriteOp::Correct(c) => {
                        out.push(
                            corrections::correct(&mut tx, c)
                                .await?
                                .map(WriteDone::Corrected),
                        );
                    }
                    WriteOp::TypoApply(work) => {
                        let n = respondents::apply_typos(&mut tx, work).await?;
                        out.push(Ok(WriteDone::TypoPassed(n)));
                    }
                    WriteOp::Resolve(limit) => {
                        let n = triage::resolve_pending(&mut tx, *limit).await?;
                        out.push(Ok(WriteDone::Resolved(n as usize)));
                    }
                    WriteOp::Submit(_) => {}
                }
                i += 1;
            } else {
                i += run.len();
                let receipts = intake::insert_many(&mut tx, &run).await?;
                out.extend(receipts.into_iter().map(|r| r.map(WriteDone::Submitted)));
            }
        }
        tx.commit().await?;
        Ok(out)
    }
}

impl BatchHandler for Writer {
    type Req = WriteOp;
    type Resp = WriteDone;

    async fn handle(&mut self, batch: Vec<WriteOp>) -> Vec<Result<WriteDone, StoreError>> {
        match self.commit(&batch).await {
            Ok(results) => results,
            Err(e) if batch.len() > 1 => {
                // Retry alone, so that one bad request cannot take its neighbours down with it.
                tracing::warn!(error = %e, size = batch.len(), "batch commit failed; retrying one by one");
                let mut out = Vec::with_capacity(batch.len());
                for new in batch {
                    out.push(match self.commit(std::slice::from_ref(&new)).await {
                        Ok(mut r) => r.pop().unwrap_or(Err(StoreError::Backend("empty".into()))),
                        Err(e) => Err(backend(e)),
                    });
                }
                out
            }
            Err(e) => vec![Err(backend(e))],
        }
    }
}

pub async fn evidence_of<'c>(
    conn: impl PgExecutor<'c>,
    complaint_id: i64,
) -> Result<Vec<EvidenceRef>, sqlx::Error> {
    type Row = (
        String,
        i64,
        String,
        Option<String>,
        String,
        Option<String>,
        Option<i64>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "select e.sha256, f.size, f.media_type, e.filename, e.material, f.meta, f.phash
         from complaint_evidence e join evidence_files f on f.sha256 = e.sha256
         where e.complaint_id = $1 order by e.position",
    )
    .bind(complaint_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(sha256, size, media_type, filename, material, meta, phash)| EvidenceRef {
                sha256,
                size: size as u64,
                media_type,
                filename,
                material,
                meta: kuaiwei_store::EvidenceMeta::from_db(meta.as_deref(), phash),
            },
        )
        .collect())
}

pub async fn purge_idempotency(pool: &PgPool, before: Timestamp) -> Result<u64, StoreError> {
    let done = sqlx::query("delete from idempotency_keys where created_at < $1")
        .bind(before.to_sqlx())
        .execute(pool)
        .await
        .map_err(backend)?;
    Ok(done.rows_affected())
}
