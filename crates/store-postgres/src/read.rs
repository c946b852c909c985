//! Reads: the complainant's view, listings and the change log. None of them waits for the writer.

use jiff_sqlx::ToSqlx;
use kuaiwei_domain::{CaseNumber, Complaint, ComplaintStatus};
use kuaiwei_store::{
    Change, ComplaintFilter, ComplaintRecord, ComplaintSummary, Page, StoreError, constant_time_eq,
};
use sqlx::postgres::PgPool;

use crate::{backend, write::evidence_of};

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

fn status(s: &str) -> Result<ComplaintStatus, StoreError> {
    ComplaintStatus::parse(s).ok_or_else(|| corrupt(format!("status {s}")))
}

fn case_number(s: &str) -> Result<CaseNumber, StoreError> {
    CaseNumber::parse(s).map_err(corrupt)
}

pub async fn complaint_for_complainant(
    pool: &PgPool,
    number: &str,
    token_hash: &[u8; 32],
) -> Result<Option<ComplaintRecord>, StoreError> {
    let row: Option<(i64, String, jiff_sqlx::Timestamp, String, Vec<u8>, String)> = sqlx::query_as(
        "select id, case_number, received_at, status, token_hash, body::text
         from complaints where case_number = $1",
    )
    .bind(number)
    .fetch_optional(pool)
    .await
    .map_err(backend)?;
    let Some((id, number, received_at, st, stored_hash, body)) = row else {
        return Ok(None);
    };
    if !constant_time_eq(&stored_hash, token_hash) {
        return Ok(None);
    }
    let complaint: Complaint = serde_json::from_str(&body).map_err(corrupt)?;
    let evidence = evidence_of(pool, id).await.map_err(backend)?;
    Ok(Some(ComplaintRecord {
        case_number: case_number(&number)?,
        received_at: received_at.to_jiff(),
        status: status(&st)?,
        complaint,
        evidence,
    }))
}

/// The complaint behind a case, for staff: no token, the caller's access is checked above.
pub async fn complaint_of_case(
    pool: &PgPool,
    number: &str,
) -> Result<Option<ComplaintRecord>, StoreError> {
    let row: Option<(i64, String, jiff_sqlx::Timestamp, String, Vec<u8>, String)> = sqlx::query_as(
        "select c.id, c.case_number, c.received_at, c.status, c.token_hash, c.body::text
         from cases k join complaints c on c.id = k.complaint_id where k.case_number = $1",
    )
    .bind(number)
    .fetch_optional(pool)
    .await
    .map_err(backend)?;
    let Some((id, number, received_at, st, _token_hash, body)) = row else {
        return Ok(None);
    };
    let complaint: Complaint = serde_json::from_str(&body).map_err(corrupt)?;
    let evidence = evidence_of(pool, id).await.map_err(backend)?;
    Ok(Some(ComplaintRecord {
        case_number: case_number(&number)?,
        received_at: received_at.to_jiff(),
        status: status(&st)?,
        complaint,
        evidence,
    }))
}

/// id, case number, received at, status, channel, respondent, evidence count
type SummaryRow = (
    i64,
    String,
    jiff_sqlx::Timestamp,
    String,
    String,
    Option<String>,
    i64,
);

pub async fn list_complaints(
    pool: &PgPool,
    filter: &ComplaintFilter,
    page: Page,
) -> Result<Vec<ComplaintSummary>, StoreError> {
    let rows: Vec<SummaryRow> = sqlx::query_as(
        "select c.id, c.case_number, c.received_at, c.status, c.channel, c.respondent_name,
                (select count(*) from complaint_evidence e where e.complaint_id = c.id)
         from complaints c
         where ($1::text is null or c.channel = $1)
           and ($2::text is null or c.status = $2)
           and ($3::timestamptz is null or c.received_at >= $3)
           and ($4::timestamptz is null or c.received_at < $4)
           and ($5::bigint is null or c.id < $5)
         order by c.id desc
         limit $6",
    )
    .bind(filter.channel.as_deref())
    .bind(filter.status.map(ComplaintStatus::as_str))
    .bind(filter.received_from.map(|t| t.to_sqlx()))
    .bind(filter.received_before.map(|t| t.to_sqlx()))
    .bind(page.before_id)
    .bind(i64::from(page.limit.clamp(1, Page::MAX)))
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    rows.into_iter()
        .map(|(id, number, at, st, channel, respondent, n)| {
            Ok(ComplaintSummary {
                id,
                case_number: case_number(&number)?,
                received_at: at.to_jiff(),
                status: status(&st)?,
                channel,
                respondent,
                evidence_count: n as u32,
            })
        })
        .collect()
}

pub async fn changes_since(
    pool: &PgPool,
    after: i64,
    limit: u32,
) -> Result<Vec<Change>, StoreError> {
    let rows: Vec<(i64, String, String, String, jiff_sqlx::Timestamp)> = sqlx::query_as(
        "select seq, entity, entity_key, op, at from change_log
         where seq > $1 order by seq limit $2",
    )
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    rows.into_iter()
        .map(|(seq, entity, key, op, at)| {
            Ok(Change {
                seq,
                entity,
                key,
                op,
                at: at.to_jiff(),
            })
        })
        .collect()
}

pub async fn evidence_known(pool: &PgPool, digests: &[String]) -> Result<Vec<String>, StoreError> {
    sqlx::query_scalar("select sha256 from evidence_files where sha256 = any($1)")
        .persistent(false)
        .bind(digests)
        .fetch_all(pool)
        .await
        .map_err(backend)
}

pub async fn cases_with_evidence(
    pool: &PgPool,
    digests: &[String],
) -> Result<Vec<(String, String)>, StoreError> {
    sqlx::query_as(
        "select distinct c.case_number, e.sha256 from complaint_evidence e
           join cases c on c.complaint_id = e.complaint_id
          where c.parent_case is null and e.sha256 = any($1)
          order by c.case_number",
    )
    .persistent(false)
    .bind(digests)
    .fetch_all(pool)
    .await
    .map_err(backend)
}

pub async fn evidence_hashes(pool: &PgPool) -> Result<Vec<(String, i64)>, StoreError> {
    sqlx::query_as("select sha256, phash from evidence_files where phash is not null")
        .fetch_all(pool)
        .await
        .map_err(backend)
}

/// Complaints after `after` by id, with their bodies as stored and their evidence rows
/// (what `kuaiwei audit verify` checks against the chain): two statements per page.
pub async fn filed_complaints(
    pool: &PgPool,
    after: i64,
    limit: u32,
) -> Result<Vec<kuaiwei_store::FiledComplaint>, StoreError> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "select id, case_number, body::text from complaints where id > $1 order by id limit $2",
    )
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Ok(Vec::new());
    };
    let files: Vec<(i64, String, i64)> = sqlx::query_as(
        "select ce.complaint_id, ce.sha256, coalesce(f.size, -1)
         from complaint_evidence ce left join evidence_files f on f.sha256 = ce.sha256
         where ce.complaint_id >= $1 and ce.complaint_id <= $2
         order by ce.complaint_id, ce.position",
    )
    .bind(first.0)
    .bind(last.0)
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    let mut out: Vec<kuaiwei_store::FiledComplaint> = rows
        .into_iter()
        .map(|(id, case_number, body)| kuaiwei_store::FiledComplaint {
            id,
            case_number,
            body,
            evidence: Vec::new(),
        })
        .collect();
    for (id, sha256, size) in files {
        if let Ok(i) = out.binary_search_by_key(&id, |c| c.id) {
            out[i].evidence.push(kuaiwei_store::EvidenceFile {
                sha256,
                // a row whose file entry is gone reads as size 0: verify reports the file
                size: u64::try_from(size).unwrap_or(0),
            });
        }
    }
    Ok(out)
}
