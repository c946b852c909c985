//! The outbox on PostgreSQL: messages written with their step (in the writer's transaction),
//! and the delivery worker's reads and attempt records.

use jiff::Timestamp;
use jiff_sqlx::ToSqlx;
use kuaiwei_domain::CaseNumber;
use kuaiwei_store::{DeliveryOutcome, MessageState, NewMessage, OutboxMessage, StoreError};
use sqlx::postgres::{PgConnection, PgPool};
use sqlx::{Postgres, QueryBuilder};

use crate::backend;
use crate::cases::Ts;

/// Writes messages inside a step's or a filing's transaction (or the digest's own), each with
/// its case number (none for the digest) and due at once, in one statement; a message whose
/// `dedup_key` is taken is left out. How many were written.
pub async fn insert(
    tx: &mut PgConnection,
    messages: &[(Option<&str>, &NewMessage, Timestamp)],
) -> Result<u64, sqlx::Error> {
    if messages.is_empty() {
        return Ok(0);
    }
    let mut q = QueryBuilder::<Postgres>::new(
        "insert into outbox (case_number, channel, recipient, shown_to, lang, notice,
                             next_attempt_at, created_at, staff, dedup_key) ",
    );
    q.push_values(messages, |mut b, (case, m, at)| {
        b.push_bind(case.map(str::to_string))
            .push_bind(m.channel.clone())
            .push_bind(m.recipient.clone())
            .push_bind(m.shown_to.clone())
            .push_bind(m.lang.clone())
            .push_bind(m.notice.to_string())
            .push_unseparated("::text::jsonb")
            .push_bind(at.to_sqlx())
            .push_bind(at.to_sqlx())
            .push_bind(m.staff.clone())
            .push_bind(m.dedup_key.clone());
    });
    q.push(" on conflict (dedup_key) do nothing");
    Ok(q.build().execute(&mut *tx).await?.rows_affected())
}

/// Writes messages of no case step (the daily digest) in their own transaction.
pub async fn write(
    pool: &PgPool,
    messages: &[NewMessage],
    at: Timestamp,
) -> Result<u64, StoreError> {
    let mut tx = pool.begin().await.map_err(backend)?;
    let rows: Vec<_> = messages.iter().map(|m| (None, m, at)).collect();
    let n = insert(&mut tx, &rows).await.map_err(backend)?;
    tx.commit().await.map_err(backend)?;
    Ok(n)
}

type Row = (
    i64,
    Option<String>,
    String,
    String,
    String,
    String,
    String,
    String,
    i32,
    Ts,
    Option<String>,
    Ts,
    Option<Ts>,
    Option<Ts>,
    Option<String>,
);

fn message(r: Row) -> Result<OutboxMessage, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("outbox message {}: {what}", r.0));
    Ok(OutboxMessage {
        id: r.0,
        case_number: r
            .1
            .as_deref()
            .map(CaseNumber::parse)
            .transpose()
            .map_err(|_| corrupt("case number"))?,
        channel: r.2,
        recipient: r.3,
        shown_to: r.4,
        lang: r.5,
        notice: serde_json::from_str(&r.6).map_err(|_| corrupt("notice"))?,
        state: MessageState::from_key(&r.7).ok_or_else(|| corrupt("state"))?,
        attempts: u32::try_from(r.8).map_err(|_| corrupt("attempts"))?,
        next_attempt_at: r.9.to_jiff(),
        last_detail: r.10,
        created_at: r.11.to_jiff(),
        sent_at: r.12.map(|t| t.to_jiff()),
        opted_out_at: r.13.map(|t| t.to_jiff()),
        staff: r.14,
    })
}

pub async fn due(
    pool: &PgPool,
    now: Timestamp,
    limit: u32,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let rows: Vec<Row> = sqlx::query_as(
        "select id, case_number, channel, recipient, shown_to, lang, notice::text, state, attempts,
                next_attempt_at, last_detail, created_at, sent_at, opted_out_at, staff
         from outbox where state = 'pending' and opted_out_at is null and next_attempt_at <= $1
         order by next_attempt_at, id limit $2",
    )
    .bind(now.to_sqlx())
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    rows.into_iter().map(message).collect()
}

pub async fn of_case(pool: &PgPool, case_number: &str) -> Result<Vec<OutboxMessage>, StoreError> {
    let rows: Vec<Row> = sqlx::query_as(
        "select id, case_number, channel, recipient, shown_to, lang, notice::text, state, attempts,
                next_attempt_at, last_detail, created_at, sent_at, opted_out_at, staff
         from outbox where case_number = $1 order by id",
    )
    .bind(case_number)
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    rows.into_iter().map(message).collect()
}

pub async fn failed(pool: &PgPool, limit: u32) -> Result<Vec<OutboxMessage>, StoreError> {
    let rows: Vec<Row> = sqlx::query_as(
        "select id, case_number, channel, recipient, shown_to, lang, notice::text, state, attempts,
                next_attempt_at, last_detail, created_at, sent_at, opted_out_at, staff
         from outbox where state = 'failed' order by id desc limit $1",
    )
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    rows.into_iter().map(message).collect()
}

/// Records one attempt and moves the message on, in one transaction; a message no longer
/// pending (another worker got there first) is left alone.
pub async fn record(
    pool: &PgPool,
    id: i64,
    at: Timestamp,
    outcome: DeliveryOutcome,
    detail: &str,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await.map_err(backend)?;
    let (state, next, sent_at, kind) = match outcome {
        DeliveryOutcome::Sent => ("sent", at, Some(at), "sent"),
        DeliveryOutcome::Retry { next_at } => ("pending", next_at, None, "retry"),
        DeliveryOutcome::Failed => ("failed", at, None, "failed"),
    };
    let done = sqlx::query(
        "update outbox set state = $2, attempts = attempts + 1, next_attempt_at = $3,
                last_detail = $4, sent_at = $5,
                notice = case when $2 = 'pending' then notice else notice - 'token' end
         where id = $1 and state = 'pending'",
    )
    .bind(id)
    .bind(state)
    .bind(next.to_sqlx())
    .bind(detail)
    .bind(sent_at.map(|t| t.to_sqlx()))
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    if done.rows_affected() == 1 {
        sqlx::query(
            "insert into outbox_attempts (message_id, attempt, at, outcome, detail)
             select id, attempts, $2, $3, $4 from outbox where id = $1",
        )
        .bind(id)
        .bind(at.to_sqlx())
        .bind(kind)
        .bind(detail)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    tx.commit().await.map_err(backend)
}

pub async fn opt_out(
    pool: &PgPool,
    case_number: &str,
    channel: &str,
    at: Timestamp,
) -> Result<u64, StoreError> {
    sqlx::query(
        "update outbox set opted_out_at = $3
         where case_number = $1 and channel = $2 and staff is null and opted_out_at is null",
    )
    .bind(case_number)
    .bind(channel)
    .bind(at.to_sqlx())
    .execute(pool)
    .await
    .map(|r| r.rows_affected())
    .map_err(backend)
}
