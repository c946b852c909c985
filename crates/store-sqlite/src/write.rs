//! The single writer: commits batches of complaints, each with its evidence links, idempotency
//! record and change-log entry, in one `BEGIN IMMEDIATE` transaction.

use jiff::Timestamp;
use kuaiwei_domain::{CaseNumber, ComplaintStatus};
use kuaiwei_store::{
    BatchHandler, EvidenceRef, NewComplaint, NewEvent, Receipt, StoreError, WriteDone, WriteOp,
    case_year, truncate_to_micros,
};
use sqlx::sqlite::{SqliteConnection, SqlitePool};
use sqlx::{Connection, SqliteExecutor};

use crate::cases::{append_event, next_case_number};
use crate::{backend, cases, time};

pub struct Writer {
    conn: SqliteConnection,
}

impl Writer {
    pub fn new(conn: SqliteConnection) -> Writer {
        Writer { conn }
    }

    /// One transaction for the whole batch. The outer error aborts it (nothing of it is
    /// stored); an inner error refuses one request and lets the others commit.
    async fn commit(
        &mut self,
        batch: &[WriteOp],
    ) -> Result<Vec<Result<WriteDone, StoreError>>, sqlx::Error> {
        let mut tx = self.conn.begin_with("begin immediate").await?;
        let mut out = Vec::with_capacity(batch.len());
        for op in batch {
            out.push(match op {
                WriteOp::Submit(new) => insert(&mut tx, new).await?.map(WriteDone::Submitted),
                WriteOp::Update(u) => cases::update(&mut tx, u).await?.map(WriteDone::Updated),
            });
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

async fn insert(
    conn: &mut SqliteConnection,
    new: &NewComplaint,
) -> Result<Result<Receipt, StoreError>, sqlx::Error> {
    if let Some(idem) = &new.idempotency {
        let prior: Option<(Vec<u8>, i64, String, String, String, String)> = sqlx::query_as(
            "select i.request_hash, c.id, c.case_number, c.received_at, c.status, i.tracking_token
             from idempotency_keys i join complaints c on c.id = i.complaint_id
             where i.key = ?1",
        )
        .bind(&idem.key)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((hash, id, case_number, received_at, status, token)) = prior {
            if hash != idem.request_hash {
                return Ok(Err(StoreError::IdempotencyMismatch));
            }
            return replay(&mut *conn, id, case_number, received_at, status, token).await;
        }
    }

    let received_at = truncate_to_micros(new.received_at);
    let year = case_year(received_at);
    let case_number = next_case_number(conn, year).await?;
    let body = match serde_json::to_string(&new.complaint) {
        Ok(b) => b,
        Err(e) => return Ok(Err(StoreError::Corrupt(e.to_string()))),
    };
    let respondent = new.complaint.respondent.name.clone();
    let status = ComplaintStatus::Received;
    let at = time::to_db(received_at);
    let (id,): (i64,) = sqlx::query_as(
        "insert into complaints
           (case_number, token_hash, status, channel, respondent_name, received_at, body)
         values (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         returning id",
    )
    .bind(case_number.as_str())
    .bind(&new.token_hash[..])
    .bind(status.as_str())
    .bind(new.complaint.channel.key())
    .bind(respondent)
    .bind(&at)
    .bind(body)
    .fetch_one(&mut *conn)
    .await?;

    for (position, ev) in new.evidence.iter().enumerate() {
        sqlx::query(
            "insert into evidence_files (sha256, size, media_type) values (?1, ?2, ?3)
             on conflict (sha256) do nothing",
        )
        .bind(&ev.sha256)
        .bind(ev.size as i64)
        .bind(&ev.media_type)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "insert into complaint_evidence (complaint_id, position, sha256, filename)
             values (?1, ?2, ?3, ?4)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(&ev.sha256)
        .bind(&ev.filename)
        .execute(&mut *conn)
        .await?;
    }

    if let Some(idem) = &new.idempotency {
        sqlx::query(
            "insert into idempotency_keys (key, request_hash, complaint_id, tracking_token, created_at)
             values (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(&idem.key)
        .bind(&idem.request_hash[..])
        .bind(id)
        .bind(&new.tracking_token)
        .bind(&at)
        .execute(&mut *conn)
        .await?;
    }

    sqlx::query(
        "insert into cases (case_number, complaint_id, state, received_at, version)
         values (?1, ?2, 'received', ?3, 1)",
    )
    .bind(case_number.as_str())
    .bind(id)
    .bind(&at)
    .execute(&mut *conn)
    .await?;
    let event = NewEvent {
        actor: "complainant".into(),
        kind: "received".into(),
        payload: serde_json::json!({
            "channel": new.complaint.channel.key(),
            "evidence": new.evidence.iter().map(|e| &e.sha256).collect::<Vec<_>>(),
        }),
        reason: None,
    };
    append_event(conn, case_number.as_str(), &event, received_at).await?;

    sqlx::query(
        "insert into change_log (entity, entity_key, op, at) values ('complaint', ?1, 'created', ?2)",
    )
    .bind(case_number.as_str())
    .bind(&at)
    .execute(&mut *conn)
    .await?;

    Ok(Ok(Receipt {
        case_number,
        tracking_token: new.tracking_token.clone(),
        received_at,
        status,
        evidence: new.evidence.clone(),
        replayed: false,
    }))
}

async fn replay(
    conn: &mut SqliteConnection,
    id: i64,
    case_number: String,
    received_at: String,
    status: String,
    tracking_token: String,
) -> Result<Result<Receipt, StoreError>, sqlx::Error> {
    let evidence = evidence_of(&mut *conn, id).await?;
    let receipt = (|| {
        Ok(Receipt {
            case_number: CaseNumber::parse(&case_number)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            tracking_token,
            received_at: time::from_db(&received_at)?,
            status: ComplaintStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("status {status}")))?,
            evidence,
            replayed: true,
        })
    })();
    Ok(receipt)
}

pub async fn evidence_of<'c>(
    conn: impl SqliteExecutor<'c>,
    complaint_id: i64,
) -> Result<Vec<EvidenceRef>, sqlx::Error> {
    let rows: Vec<(String, i64, String, Option<String>)> = sqlx::query_as(
        "select e.sha256, f.size, f.media_type, e.filename
         from complaint_evidence e join evidence_files f on f.sha256 = e.sha256
         where e.complaint_id = ?1 order by e.position",
    )
    .bind(complaint_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(sha256, size, media_type, filename)| EvidenceRef {
            sha256,
            size: size as u64,
            media_type,
            filename,
        })
        .collect())
}

pub async fn purge_idempotency(pool: &SqlitePool, before: Timestamp) -> Result<u64, StoreError> {
    let done = sqlx::query("delete from idempotency_keys where created_at < ?1")
        .bind(time::to_db(before))
        .execute(pool)
        .await
        .map_err(backend)?;
    Ok(done.rows_affected())
}
