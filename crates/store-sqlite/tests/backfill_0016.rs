//! Migration 0016 fills the cases' materials receipt and pending extension from the events the
//! steps wrote before the columns existed.

use kuaiwei_store::conformance::{
    supplemented_and_extended_cases, supplemented_and_extended_cases_read_back,
};
use kuaiwei_store_sqlite::{SqliteStore, WriteOptions};
use sqlx::{Connection, SqliteConnection};

/// The statements of migration 0016 between `-- backfill` and `-- end backfill`.
fn backfill() -> &'static str {
    let sql = include_str!("../../../migrations/sqlite/0016_case_materials_and_extension.sql");
    let (_, rest) = sql.split_once("-- backfill\n").expect("a backfill section");
    let (backfill, _) = rest.split_once("-- end backfill").expect("its end");
    backfill
}

#[tokio::test]
async fn the_backfill_reads_the_last_supplement_and_an_undecided_extension_request() {
    let dir = std::env::temp_dir().join(format!("kuaiwei-backfill-0016-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("kuaiwei.db");
    let store = SqliteStore::open(&path, WriteOptions::default())
        .await
        .unwrap();
    let (a, b) = supplemented_and_extended_cases(&store).await;

    // As the columns stood before the backfill: no supplement seen, nothing pending (and a
    // wrong value in the other case, which the backfill must clear).
    let mut raw = SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::raw_sql(
        "update cases set materials_received_at = null, pending_extension = null;
         update cases set pending_extension = '9d' where case_number = 'KW-2026-000002';",
    )
    .execute(&mut raw)
    .await
    .unwrap();
    sqlx::raw_sql(backfill()).execute(&mut raw).await.unwrap();
    raw.close().await.unwrap();

    supplemented_and_extended_cases_read_back(&store, (&a, &b)).await;
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
