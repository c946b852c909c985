//! The source side of `kuaiwei migrate-store`: every table of a SQLite database read in one
//! read transaction (so the tables agree with each other), row by row as stored, in chunks.

use std::path::Path;

use futures_util::TryStreamExt;
use kuaiwei_store::transfer::{Cell, TableShape};
use kuaiwei_store::{Inventory, StoreError};
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::{AssertSqlSafe, Connection, Row, TypeInfo, ValueRef};

use crate::backend;
use crate::backup::{inventory, read_only};

/// A database opened read-only for copying; nothing is written to it.
pub struct Source {
    conn: SqliteConnection,
    inventory: Inventory,
}

/// SQLite's own tables and the migration ledger: the target keeps its own of both.
fn is_bookkeeping(table: &str) -> bool {
    table.starts_with("sqlite_") || table == "_sqlx_migrations"
}

/// An identifier quoted for SQL.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Source {
    /// Opens the database file at `path` (which must exist and be migrated to this version:
    /// open it as a store first), reads its inventory and begins the read transaction. Nothing
    /// may write to the file meanwhile (the command holds the data directory's lock), so the
    /// inventory describes what the transaction reads.
    pub async fn open(path: &Path) -> Result<Source, StoreError> {
        let mut conn = read_only(path, false).await?;
        let inventory = inventory(&mut conn).await.map_err(backend)?;
        sqlx::raw_sql("begin")
            .execute(&mut conn)
            .await
            .map_err(backend)?;
        Ok(Source { conn, inventory })
    }

    /// Counts, chain head and evidence rows, as a backup's manifest records them.
    pub fn inventory(&self) -> &Inventory {
        &self.inventory
    }

    /// Every data table with its columns in declaration order, by name.
    pub async fn tables(&mut self) -> Result<Vec<TableShape>, StoreError> {
        let names: Vec<(String,)> =
            sqlx::query_as("select name from sqlite_master where type = 'table' order by name")
                .fetch_all(&mut self.conn)
                .await
                .map_err(backend)?;
        let mut tables = Vec::new();
        for (name,) in names.into_iter().filter(|(n,)| !is_bookkeeping(n)) {
            let columns: Vec<(String,)> =
                sqlx::query_as("select name from pragma_table_info(?1) order by cid")
                    .bind(&name)
                    .fetch_all(&mut self.conn)
                    .await
                    .map_err(backend)?;
            tables.push(TableShape {
                name,
                columns: columns.into_iter().map(|(c,)| c).collect(),
            });
        }
        Ok(tables)
    }

    /// How many rows `table` holds.
    pub async fn count(&mut self, table: &str) -> Result<u64, StoreError> {
        let sql = format!("select count(*) from {}", quoted(table));
        let (n,): (i64,) = sqlx::query_as(AssertSqlSafe(sql))
            .fetch_one(&mut self.conn)
            .await
            .map_err(backend)?;
        Ok(n as u64)
    }

    /// Reads `columns` of every row of `table` in storage order, handing them to `sink` at
    /// most `chunk` rows at a time; returns how many rows were read.
    pub async fn each_chunk(
        &mut self,
        table: &str,
        columns: &[String],
        chunk: usize,
        mut sink: impl AsyncFnMut(Vec<Vec<Cell>>) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        let list = columns
            .iter()
            .map(|c| quoted(c))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("select {list} from {}", quoted(table));
        let mut rows = sqlx::query(AssertSqlSafe(sql)).fetch(&mut self.conn);
        let mut batch = Vec::with_capacity(chunk);
        let mut n = 0u64;
        while let Some(row) = rows.try_next().await.map_err(backend)? {
            batch.push(cells(&row, table, columns)?);
            n += 1;
            if batch.len() == chunk {
                sink(std::mem::replace(&mut batch, Vec::with_capacity(chunk))).await?;
            }
        }
        if !batch.is_empty() {
            sink(batch).await?;
        }
        Ok(n)
    }

    /// Ends the read transaction.
    pub async fn close(mut self) -> Result<(), StoreError> {
        sqlx::raw_sql("commit")
            .execute(&mut self.conn)
            .await
            .map_err(backend)?;
        self.conn.close().await.map_err(backend)
    }
}

/// A row's values by their storage class (SQLite's type is the value's, not the column's).
fn cells(row: &SqliteRow, table: &str, columns: &[String]) -> Result<Vec<Cell>, StoreError> {
    let corrupt =
        |i: usize, e: sqlx::Error| StoreError::Corrupt(format!("{table}.{}: {e}", columns[i]));
    (0..columns.len())
        .map(|i| {
            let raw = row.try_get_raw(i).map_err(|e| corrupt(i, e))?;
            if raw.is_null() {
                return Ok(Cell::Null);
            }
            let kind = raw.type_info().name().to_string();
            Ok(match kind.as_str() {
                "INTEGER" => Cell::Int(row.try_get_unchecked(i).map_err(|e| corrupt(i, e))?),
                "REAL" => Cell::Real(row.try_get_unchecked(i).map_err(|e| corrupt(i, e))?),
                "TEXT" => Cell::Text(row.try_get_unchecked(i).map_err(|e| corrupt(i, e))?),
                "BLOB" => Cell::Blob(row.try_get_unchecked(i).map_err(|e| corrupt(i, e))?),
                other => {
                    return Err(StoreError::Corrupt(format!(
                        "{table}.{}: a value of storage class {other}",
                        columns[i]
                    )));
                }
            })
        })
        .collect()
}
