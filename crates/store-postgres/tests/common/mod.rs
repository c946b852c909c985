//! A fresh PostgreSQL database per test, from `KUAIWEI_TEST_POSTGRES_URL`.

use std::sync::atomic::{AtomicU32, Ordering};

use kuaiwei_store_postgres::{PostgresStore, WriteOptions};
use sqlx::Connection;

static N: AtomicU32 = AtomicU32::new(0);

/// A fresh store and the URL of its database; `None` (said loudly by the caller) when
/// `KUAIWEI_TEST_POSTGRES_URL` is unset.
pub async fn fresh_with_url() -> Option<(PostgresStore, String)> {
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
    let store = PostgresStore::connect(&url, WriteOptions::default())
        .await
        .unwrap();
    Some((store, url))
}

#[allow(dead_code)]
pub async fn fresh() -> Option<PostgresStore> {
    fresh_with_url().await.map(|(s, _)| s)
}
