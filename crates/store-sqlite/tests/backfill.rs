//! Complaints stored before respondents and match keys existed (migration 0003) are given them
//! when the store next opens.

use kuaiwei_store::Store;
use kuaiwei_store::conformance::sample;
use kuaiwei_store_sqlite::{SqliteStore, WriteOptions};
use sqlx::{Connection, SqliteConnection};

#[tokio::test]
async fn earlier_complaints_get_their_respondent_and_keys_at_open() {
    let dir = std::env::temp_dir().join(format!("kuaiwei-backfill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("kuaiwei.db");
    let store = SqliteStore::open(&path, WriteOptions::default())
        .await
        .unwrap();
    for n in [1, 2] {
        // The same respondent name twice: one respondent, and the two cases related.
        let mut new = sample(n, "2026-10-15T02:00:00Z", "fair");
        new.complaint.respondent.name = Some("同一家鞋业有限公司".into());
        store.submit_complaint(new).await.unwrap();
    }
    store.close().await;

    // As a database from before the migration would hold them.
    let mut raw = SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::raw_sql(
        "delete from complaint_keys; delete from respondent_aliases;
         update complaints set respondent_id = null; delete from respondents;",
    )
    .execute(&mut raw)
    .await
    .unwrap();
    raw.close().await.unwrap();

    let store = SqliteStore::open(&path, WriteOptions::default())
        .await
        .unwrap();
    let a = store.case("KW-2026-000001").await.unwrap().unwrap();
    let b = store.case("KW-2026-000002").await.unwrap().unwrap();
    assert!(a.respondent_id.is_some());
    assert_eq!(a.respondent_id, b.respondent_id);
    let related = store.related_cases("KW-2026-000001", 50).await.unwrap();
    assert!(
        related
            .iter()
            .any(|r| r.case_number.as_str() == "KW-2026-000002" && r.kind.is_some()),
        "{related:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
