//! A stored clock that cannot be read (an unknown status, inputs that are not a clock's) is an
//! error naming the case, on SQLite.

use kuaiwei_store::conformance::{
    a_broken_clock_is_an_error_naming_the_case, a_routed_case_with_a_clock,
};
use kuaiwei_store_sqlite::{SqliteStore, WriteOptions};
use sqlx::{Connection, SqliteConnection};

/// A store with one routed case whose clock `breakage` then changes behind the store's back.
async fn broken(name: &str, breakage: &'static str) {
    let dir = std::env::temp_dir().join(format!("kuaiwei-corrupt-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("kuaiwei.db");
    let store = SqliteStore::open(&path, WriteOptions::default())
        .await
        .unwrap();
    let number = a_routed_case_with_a_clock(&store).await;
    let mut raw = SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::raw_sql(breakage).execute(&mut raw).await.unwrap();
    raw.close().await.unwrap();
    a_broken_clock_is_an_error_naming_the_case(&store, &number).await;
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn inputs_that_are_not_a_clocks_are_an_error_naming_the_case() {
    broken(
        "inputs",
        r#"update case_clocks set inputs = '{"exclusions": "not a list"}'"#,
    )
    .await;
}

#[tokio::test]
async fn inputs_without_their_extensions_are_an_error_naming_the_case() {
    broken(
        "missing",
        r#"update case_clocks set inputs = '{"exclusions": []}'"#,
    )
    .await;
}

#[tokio::test]
async fn an_unknown_clock_status_is_an_error_naming_the_case() {
    broken("status", "update case_clocks set status = 'closed'").await;
}
