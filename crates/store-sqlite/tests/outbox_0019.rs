//! Migration 0019 rebuilds the outbox on SQLite (a NOT NULL cannot be dropped in place): the
//! messages and attempts of a database written before it come through whole, ids kept, and the
//! attempts still refer to their messages.

use std::path::Path;

use kuaiwei_store::{MessageState, Store};
use kuaiwei_store_sqlite::{SqliteStore, WriteOptions};
use sqlx::migrate::Migrator;
use sqlx::{Connection, SqliteConnection};

/// The migrations before 0019, copied into `dir`.
fn migrations_before_0019(dir: &Path) {
    let all = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/sqlite");
    std::fs::create_dir_all(dir).unwrap();
    for entry in std::fs::read_dir(all).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.as_str() < "0019" {
            std::fs::copy(&path, dir.join(&name)).unwrap();
        }
    }
}

#[tokio::test]
async fn messages_and_their_attempts_written_before_0019_come_through_the_rebuild() {
    let dir = std::env::temp_dir().join(format!("kuaiwei-outbox-0019-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    migrations_before_0019(&dir.join("migrations"));
    let path = dir.join("kuaiwei.db");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let mut raw = SqliteConnection::connect(&url).await.unwrap();
    sqlx::raw_sql("pragma foreign_keys = on")
        .execute(&mut raw)
        .await
        .unwrap();
    Migrator::new(dir.join("migrations").as_path())
        .await
        .unwrap()
        .run(&mut raw)
        .await
        .unwrap();
    sqlx::raw_sql(
        "insert into outbox (id, case_number, channel, recipient, shown_to, lang, notice, state,
                             attempts, next_attempt_at, last_detail, created_at, sent_at)
         values (7, 'KW-2026-000001', 'email', 'zhang@example.com', 'z***@example.com', 'zh-CN',
                 '{\"kind\":\"opened\"}', 'sent', 2, '2026-10-15T02:00:00.000000Z', 'smtp 250',
                 '2026-10-15T01:59:00.000000Z', '2026-10-15T02:00:00.000000Z'),
                (8, 'KW-2026-000001', 'sms', '13812345678', '138****5678', 'en',
                 '{\"kind\":\"opened\"}', 'pending', 0, '2026-10-15T02:00:00.000000Z', null,
                 '2026-10-15T01:59:00.000000Z', null);
         insert into outbox_attempts (message_id, attempt, at, outcome, detail)
         values (7, 1, '2026-10-15T01:59:30.000000Z', 'retry', 'connection refused'),
                (7, 2, '2026-10-15T02:00:00.000000Z', 'sent', 'smtp 250');",
    )
    .execute(&mut raw)
    .await
    .unwrap();
    raw.close().await.unwrap();

    let store = SqliteStore::open(&path, WriteOptions::default())
        .await
        .unwrap();
    let messages = store.case_messages("KW-2026-000001").await.unwrap();
    assert_eq!(
        messages.iter().map(|m| m.id).collect::<Vec<_>>(),
        [7, 8],
        "ids kept"
    );
    assert_eq!(messages[0].state, MessageState::Sent);
    assert_eq!(messages[0].attempts, 2);
    assert_eq!(messages[0].last_detail.as_deref(), Some("smtp 250"));
    assert_eq!(messages[1].recipient, "13812345678");
    assert_eq!(messages[1].staff, None);

    // the attempts came through, still tied to their message, and the next message gets a new id
    let mut raw = SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let attempts: Vec<(i64, i64, String)> =
        sqlx::query_as("select message_id, attempt, outcome from outbox_attempts order by attempt")
            .fetch_all(&mut raw)
            .await
            .unwrap();
    assert_eq!(
        attempts,
        [(7, 1, "retry".to_string()), (7, 2, "sent".to_string())]
    );
    let broken: Vec<(String,)> = sqlx::query_as("pragma foreign_key_check")
        .fetch_all(&mut raw)
        .await
        .unwrap_or_default();
    assert!(broken.is_empty(), "{broken:?}");
    let refers: Vec<(String,)> =
        sqlx::query_as("select \"table\" from pragma_foreign_key_list('outbox_attempts')")
            .fetch_all(&mut raw)
            .await
            .unwrap();
    assert_eq!(refers, [("outbox".to_string(),)]);
    raw.close().await.unwrap();
    store
        .record_delivery(
            8,
            "2026-10-15T02:01:00Z".parse().unwrap(),
            kuaiwei_store::DeliveryOutcome::Sent,
            "http 200",
        )
        .await
        .unwrap();
    let written = store
        .write_messages(
            &[kuaiwei_store::NewMessage {
                channel: "email".into(),
                recipient: "li@amr.example.gov.cn".into(),
                shown_to: "l***@amr.example.gov.cn".into(),
                lang: "zh-CN".into(),
                notice: serde_json::json!({"kind": "watch_digest"}),
                staff: Some("officer.li".into()),
                dedup_key: Some("watch:2026-10-15:officer.li".into()),
            }],
            "2026-10-15T02:02:00Z".parse().unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(written, 1);
    let due = store
        .due_messages("2026-10-15T03:00:00Z".parse().unwrap(), 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert!(due[0].id > 8, "after the kept ids: {}", due[0].id);
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
