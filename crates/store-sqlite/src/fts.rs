//! SQLite FTS5 with the trigram tokenizer, as the search benchmark's baseline (kuaiwei-bench
//! search): what a centre would get from the embedded database alone. Terms of three or more
//! characters use MATCH; shorter ones fall back to LIKE, which the trigram tokenizer can serve
//! only by scanning.

use std::path::Path;

use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::{QueryBuilder, Sqlite};

pub struct Fts5 {
    pool: SqlitePool,
}

fn err(e: sqlx::Error) -> kuaiwei_store::StoreError {
    kuaiwei_store::StoreError::Backend(e.to_string())
}

impl Fts5 {
    /// A new FTS5 trigram table in the database file `path`.
    pub async fn create(path: &Path) -> Result<Fts5, kuaiwei_store::StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Normal);
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(options)
            .await
            .map_err(err)?;
        sqlx::query("create virtual table docs using fts5(case_number unindexed, body, tokenize = 'trigram')")
            .execute(&pool)
            .await
            .map_err(err)?;
        Ok(Fts5 { pool })
    }

    /// Adds documents in one transaction.
    pub async fn insert(&self, docs: &[(String, String)]) -> Result<(), kuaiwei_store::StoreError> {
        let mut tx = self.pool.begin().await.map_err(err)?;
        for chunk in docs.chunks(400) {
            let mut q = QueryBuilder::<Sqlite>::new("insert into docs (case_number, body) ");
            q.push_values(chunk, |mut b, (n, body)| {
                b.push_bind(n).push_bind(body);
            });
            q.build().execute(&mut *tx).await.map_err(err)?;
        }
        tx.commit().await.map_err(err)?;
        Ok(())
    }

    /// Case numbers of the documents containing every term (a term of three or more
    /// characters by MATCH, a shorter one by LIKE).
    pub async fn search(&self, terms: &[String]) -> Result<Vec<String>, kuaiwei_store::StoreError> {
        let (long, short): (Vec<&String>, Vec<&String>) =
            terms.iter().partition(|t| t.chars().count() >= 3);
        let mut q = QueryBuilder::<Sqlite>::new("select case_number from docs where 1 = 1");
        if !long.is_empty() {
            let expr = long
                .iter()
                .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(" AND ");
            q.push(" and docs match ").push_bind(expr);
        }
        for t in short {
            q.push(" and body like ").push_bind(format!("%{t}%"));
        }
        let rows: Vec<(String,)> = q
            .build_query_as()
            .fetch_all(&self.pool)
            .await
            .map_err(err)?;
        Ok(rows.into_iter().map(|(n,)| n).collect())
    }
}
