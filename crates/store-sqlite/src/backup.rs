//! Backup and restore support: a consistent copy of a live database file (`vacuum into`, one
//! read transaction, so writers carry on meanwhile), and the inventory a backup's manifest
//! records and a restore checks.

use std::path::Path;
use std::time::Duration;

use kuaiwei_store::{EvidenceFile, Inventory, StoreError};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};

use crate::backend;

/// Writes a consistent copy of the database at `db` to the new file `dest`: everything
/// committed before the copy's read transaction began, nothing committed after. The live file
/// is only read; a server may keep writing to it. `dest` must not exist.
pub async fn snapshot_into(db: &Path, dest: &Path) -> Result<(), StoreError> {
    let mut conn = read_only(db, false).await?;
    let into = dest
        .to_str()
        .ok_or_else(|| StoreError::Backend(format!("not a UTF-8 path: {}", dest.display())))?;
    sqlx::query("vacuum into ?1")
        .bind(into)
        .execute(&mut conn)
        .await
        .map_err(|e| StoreError::Backend(format!("vacuum into {}: {e}", dest.display())))?;
    conn.close().await.map_err(backend)?;
    Ok(())
}

/// The inventory of a database file nobody writes to (a backup), opened immutable so that not
/// even a `-shm` file is created beside it.
pub async fn file_inventory(path: &Path) -> Result<Inventory, StoreError> {
    let mut conn = read_only(path, true).await?;
    let inventory = inventory(&mut conn).await.map_err(backend)?;
    conn.close().await.map_err(backend)?;
    Ok(inventory)
}

/// How many complaints the database at `path` holds: `None` when there is no such file or it
/// has no complaints table yet (a store never migrated).
pub async fn complaints_in(path: &Path) -> Result<Option<u64>, StoreError> {
    if !path.exists() {
        return Ok(None);
    }
    let mut conn = read_only(path, false).await?;
    let (tables,): (i64,) = sqlx::query_as(
        "select count(*) from sqlite_master where type = 'table' and name = 'complaints'",
    )
    .fetch_one(&mut conn)
    .await
    .map_err(backend)?;
    let n = if tables == 0 {
        None
    } else {
        let (n,): (i64,) = sqlx::query_as("select count(*) from complaints")
            .fetch_one(&mut conn)
            .await
            .map_err(backend)?;
        Some(n as u64)
    };
    conn.close().await.map_err(backend)?;
    Ok(n)
}

pub(crate) async fn read_only(
    path: &Path,
    immutable: bool,
) -> Result<SqliteConnection, StoreError> {
    if !path.is_file() {
        return Err(StoreError::Backend(format!(
            "no database file at {}",
            path.display()
        )));
    }
    SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .immutable(immutable)
        .busy_timeout(Duration::from_secs(30))
        .connect()
        .await
        .map_err(|e| StoreError::Backend(format!("cannot open {}: {e}", path.display())))
}

/// Counts, head and evidence rows in one read transaction, so that they agree with each other.
pub(crate) async fn inventory(conn: &mut SqliteConnection) -> Result<Inventory, sqlx::Error> {
    let mut tx = conn.begin().await?;
    let (complaints, cases, audit_events): (i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from complaints), (select count(*) from cases),
                (select count(*) from audit_events)",
    )
    .fetch_one(&mut *tx)
    .await?;
    let audit_head: Option<(i64, String)> =
        sqlx::query_as("select seq, hash from audit_head where id = 1")
            .fetch_optional(&mut *tx)
            .await?;
    let rows: Vec<(String, i64)> =
        sqlx::query_as("select sha256, size from evidence_files order by sha256")
            .fetch_all(&mut *tx)
            .await?;
    tx.commit().await?;
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
