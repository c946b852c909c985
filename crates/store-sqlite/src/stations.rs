//! Fair sessions (complaint stations at a fair) on SQLite.

use kuaiwei_store::{FairSession, StoreError};
use sqlx::sqlite::SqlitePool;

use crate::{backend, time};

type Row = (i64, String, String, String, String, String, String, String);

fn fair_session(r: Row) -> Result<FairSession, StoreError> {
    let (id, fair, session, starts, ends, halls, created_by, created) = r;
    let bad = |what: &str, e: &dyn std::fmt::Display| {
        StoreError::Corrupt(format!("fair session {id}: {what}: {e}"))
    };
    Ok(FairSession {
        id,
        fair,
        session,
        starts_on: starts.parse().map_err(|e| bad("starts_on", &e))?,
        ends_on: ends.parse().map_err(|e| bad("ends_on", &e))?,
        halls: serde_json::from_str(&halls).map_err(|e| bad("halls", &e))?,
        created_by,
        created_at: time::from_db(&created)?,
    })
}

pub async fn create(pool: &SqlitePool, s: &FairSession) -> Result<i64, StoreError> {
    let halls = serde_json::to_string(&s.halls).map_err(|e| StoreError::Backend(e.to_string()))?;
    let (id,): (i64,) = sqlx::query_as(
        "insert into fair_sessions (fair, session, starts_on, ends_on, halls, created_by, created_at)
         values (?1, ?2, ?3, ?4, ?5, ?6, ?7) returning id",
    )
    .bind(&s.fair)
    .bind(&s.session)
    .bind(s.starts_on.to_string())
    .bind(s.ends_on.to_string())
    .bind(halls)
    .bind(&s.created_by)
    .bind(time::to_db(s.created_at))
    .fetch_one(pool)
    .await
    .map_err(backend)?;
    Ok(id)
}

pub async fn list(pool: &SqlitePool, limit: u32) -> Result<Vec<FairSession>, StoreError> {
    let rows: Vec<Row> = sqlx::query_as(
        "select id, fair, session, starts_on, ends_on, halls, created_by, created_at
           from fair_sessions order by starts_on desc, id desc limit ?1",
    )
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    rows.into_iter().map(fair_session).collect()
}

pub async fn get(pool: &SqlitePool, id: i64) -> Result<Option<FairSession>, StoreError> {
    let row: Option<Row> = sqlx::query_as(
        "select id, fair, session, starts_on, ends_on, halls, created_by, created_at
           from fair_sessions where id = ?1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
    .map_err(backend)?;
    row.map(fair_session).transpose()
}
