//! Backup and restore support: a snapshot exported from a read-only repeatable-read transaction,
//! which `pg_dump --snapshot` dumps while the same transaction reads the inventory, so that the
//! manifest describes exactly what the dump holds; and the checks a restore makes on its target
//! before `pg_restore` (which needs a database without kuaiwei's schema, so nothing here
//! migrates).

use std::time::Duration;

use kuaiwei_store::{EvidenceFile, Inventory, StoreError};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection};

use crate::backend;

/// An open transaction whose snapshot other sessions (pg_dump) may import until it is released.
pub struct ExportedSnapshot {
    conn: PgConnection,
    id: String,
}

/// Begins a read-only repeatable-read transaction on the database at `url` and exports its
/// snapshot; writers carry on meanwhile.
pub async fn export_snapshot(url: &str) -> Result<ExportedSnapshot, StoreError> {
    let mut conn = connect(url).await?;
    sqlx::raw_sql("begin isolation level repeatable read, read only")
        .execute(&mut conn)
        .await
        .map_err(backend)?;
    let (id,): (String,) = sqlx::query_as("select pg_export_snapshot()")
        .fetch_one(&mut conn)
        .await
        .map_err(backend)?;
    Ok(ExportedSnapshot { conn, id })
}

impl ExportedSnapshot {
    /// The identifier to hand to `pg_dump --snapshot`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The inventory as of the snapshot.
    pub async fn inventory(&mut self) -> Result<Inventory, StoreError> {
        inventory(&mut self.conn).await.map_err(backend)
    }

    /// Ends the transaction (after pg_dump has finished: it must import the snapshot while the
    /// transaction is open).
    pub async fn release(mut self) -> Result<(), StoreError> {
        sqlx::raw_sql("commit")
            .execute(&mut self.conn)
            .await
            .map_err(backend)?;
        self.conn.close().await.map_err(backend)
    }
}

/// How many complaints the database at `url` holds: `None` when it has no complaints table
/// (an empty database, as `pg_restore` needs it). Never migrates.
pub async fn complaints_in(url: &str) -> Result<Option<u64>, StoreError> {
    let mut conn = connect(url).await?;
    let (exists,): (bool,) = sqlx::query_as("select to_regclass('complaints') is not null")
        .fetch_one(&mut conn)
        .await
        .map_err(backend)?;
    let n = if exists {
        let (n,): (i64,) = sqlx::query_as("select count(*) from complaints")
            .fetch_one(&mut conn)
            .await
            .map_err(backend)?;
        Some(n as u64)
    } else {
        None
    };
    conn.close().await.map_err(backend)?;
    Ok(n)
}

pub(crate) async fn connect(url: &str) -> Result<PgConnection, StoreError> {
    let opts: PgConnectOptions = url
        .parse()
        .map_err(|e| StoreError::Backend(format!("bad PostgreSQL URL: {e}")))?;
    tokio::time::timeout(Duration::from_secs(30), opts.connect())
        .await
        .map_err(|_| StoreError::Backend("PostgreSQL did not answer within 30 s".into()))?
        .map_err(|e| StoreError::Backend(format!("cannot connect to PostgreSQL: {e}")))
}

/// Counts, head and evidence rows; the caller holds a repeatable-read transaction so that they
/// agree with each other.
pub(crate) async fn inventory(conn: &mut PgConnection) -> Result<Inventory, sqlx::Error> {
    let (complaints, cases, audit_events): (i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from complaints), (select count(*) from cases),
                (select count(*) from audit_events)",
    )
    .fetch_one(&mut *conn)
    .await?;
    let audit_head: Option<(i64, String)> =
        sqlx::query_as("select seq, hash from audit_head where id = 1")
            .fetch_optional(&mut *conn)
            .await?;
    let rows: Vec<(String, i64)> =
        sqlx::query_as("select sha256, size from evidence_files order by sha256")
            .fetch_all(&mut *conn)
            .await?;
    Ok(Inventory {
        complaints: complaints as u64,
        cases: cases as u64,
        audit_events: audit_events as u64,
        audit_head,
        evidence: rows
            .into_iter()
            .map(|(sha256, size)| EvidenceFile {
                sha256,
                size: size as u64,
            })
            .collect(),
    })
}
