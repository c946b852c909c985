//! The shared store conformance suite, on a fresh PostgreSQL database per test.
//!
//! Set `KUAIWEI_TEST_POSTGRES_URL` (for example `postgres://postgres@127.0.0.1:5432/postgres`);
//! without it every test here says loudly that it skipped PostgreSQL.

use std::sync::atomic::{AtomicU32, Ordering};

use kuaiwei_store_postgres::{PostgresStore, WriteOptions};
use sqlx::Connection;

static N: AtomicU32 = AtomicU32::new(0);

async fn fresh() -> Option<PostgresStore> {
    let admin_url = std::env::var("KUAIWEI_TEST_POSTGRES_URL").ok()?;
    let name = format!(
        "kuaiwei_t_store_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "drop database if exists {name}"
    )))
    .execute(&mut admin)
    .await
    .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("create database {name}")))
        .execute(&mut admin)
        .await
        .unwrap();
    let url = match admin_url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("KUAIWEI_TEST_POSTGRES_URL must end in /DATABASE"),
    };
    Some(
        PostgresStore::connect(&url, WriteOptions::default())
            .await
            .unwrap(),
    )
}

kuaiwei_store::store_conformance_tests!(fresh());
