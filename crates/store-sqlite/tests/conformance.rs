//! The shared store conformance suite, on a fresh SQLite file per test.

use std::sync::atomic::{AtomicU32, Ordering};

use kuaiwei_store_sqlite::{SqliteStore, WriteOptions};

static N: AtomicU32 = AtomicU32::new(0);

async fn fresh() -> Option<SqliteStore> {
    let dir = std::env::temp_dir().join(format!(
        "kuaiwei-sqlite-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Some(
        SqliteStore::open(&dir.join("kuaiwei.db"), WriteOptions::default())
            .await
            .unwrap(),
    )
}

kuaiwei_store::store_conformance_tests!(fresh());
