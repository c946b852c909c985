//! The benchmarks' bulk load writes the change log as intake does (#22 item 4), on a fresh
//! SQLite file. Needs the `bench` feature, which CI's `--all-features` turns on.

use kuaiwei_store::conformance;
use kuaiwei_store_sqlite::{SqliteStore, WriteOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_cases_enter_the_change_log_as_filed_ones_and_read_back() {
    let dir = std::env::temp_dir().join(format!("kuaiwei-sqlite-seeded-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = SqliteStore::open(&dir.join("kuaiwei.db"), WriteOptions::default())
        .await
        .unwrap();
    conformance::seeded_cases_enter_the_change_log_as_filed_ones_and_read_back(
        &store,
        async |s, cases| s.insert_synthetic(cases).await,
    )
    .await;
    let _ = std::fs::remove_dir_all(&dir);
}
