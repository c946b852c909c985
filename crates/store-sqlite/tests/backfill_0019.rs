//! Migration 0019 fills in who asked for a pending extension and who proposed a transfer from
//! the events the steps wrote before the columns existed.

use kuaiwei_store::conformance::{asked_and_proposed_cases, asked_and_proposed_cases_read_back};
use kuaiwei_store_sqlite::{SqliteStore, WriteOptions};
use sqlx::{Connection, SqliteConnection};

/// The statements of migration 0019 between `-- backfill` and `-- end backfill`.
fn backfill() -> &'static str {
    let sql = include_str!("../../../migrations/sqlite/0019_staff_notices.sql");
    let (_, rest) = sql.split_once("-- backfill\n").expect("a backfill section");
    let (backfill, _) = rest.split_once("-- end backfill").expect("its end");
    backfill
}

#[tokio::test]
async fn the_backfill_names_who_asked_for_an_undecided_extension_and_who_proposed_a_transfer() {
    let dir = std::env::temp_dir().join(format!("kuaiwei-backfill-0019-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("kuaiwei.db");
    let store = SqliteStore::open(&path, WriteOptions::default())
        .await
        .unwrap();
    let (a, b) = asked_and_proposed_cases(&store).await;

    // as the columns stood before the backfill: empty
    let mut raw = SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::raw_sql("update cases set extension_requested_by = null, transfer_proposed_by = null")
        .execute(&mut raw)
        .await
        .unwrap();
    sqlx::raw_sql(backfill()).execute(&mut raw).await.unwrap();
    raw.close().await.unwrap();

    asked_and_proposed_cases_read_back(&store, (&a, &b)).await;
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
