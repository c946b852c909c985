//! The audit trail on SQLite: the database refuses edits, and the chain finds what bypasses
//! the database (a file edited with the triggers dropped).

use std::path::PathBuf;

use kuaiwei_store::ChainBreak;
use kuaiwei_store::conformance::{check_chain, fill_chain};
use kuaiwei_store_sqlite::{SqliteStore, WriteOptions};
use sqlx::{Connection, SqliteConnection};

async fn filled(tag: &str) -> (SqliteStore, PathBuf) {
    let dir = std::env::temp_dir().join(format!("kuaiwei-audit-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("kuaiwei.db");
    let store = SqliteStore::open(&path, WriteOptions::default())
        .await
        .unwrap();
    fill_chain(&store).await;
    assert_eq!(check_chain(&store).await, Ok(5));
    (store, path)
}

async fn raw(path: &std::path::Path) -> SqliteConnection {
    SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap()
}

async fn exec(conn: &mut SqliteConnection, sql: &'static str) -> Result<(), sqlx::Error> {
    sqlx::raw_sql(sql).execute(conn).await.map(|_| ())
}

async fn drop_guards(conn: &mut SqliteConnection) {
    exec(
        conn,
        "drop trigger audit_events_no_update; drop trigger audit_events_no_delete;
         drop trigger audit_head_forward_only; drop trigger audit_head_no_delete;",
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn the_database_refuses_to_edit_or_delete_events_or_move_the_head_back() {
    let (_store, path) = filled("guard").await;
    let mut c = raw(&path).await;
    let edit = exec(
        &mut c,
        "update audit_events set actor = 'mallory' where seq = 2",
    )
    .await;
    assert!(edit.unwrap_err().to_string().contains("append-only"));
    let delete = exec(&mut c, "delete from audit_events where seq = 5").await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    let back = exec(&mut c, "update audit_head set seq = 4").await;
    assert!(back.unwrap_err().to_string().contains("forward"));
}

#[tokio::test]
async fn an_edited_event_is_named() {
    let (store, path) = filled("edit").await;
    let mut c = raw(&path).await;
    drop_guards(&mut c).await;
    exec(
        &mut c,
        "update audit_events set reason = '无' where seq = 5",
    )
    .await
    .unwrap();
    assert_eq!(
        check_chain(&store).await,
        Err(ChainBreak::Edited { seq: 5 })
    );
}

#[tokio::test]
async fn a_removed_event_is_found_where_the_chain_breaks() {
    let (store, path) = filled("remove").await;
    let mut c = raw(&path).await;
    drop_guards(&mut c).await;
    exec(&mut c, "delete from audit_events where seq = 3")
        .await
        .unwrap();
    assert_eq!(
        check_chain(&store).await,
        Err(ChainBreak::Broken {
            seq: 4,
            expected_prev_seq: 2
        })
    );
}

#[tokio::test]
async fn reordered_events_are_found() {
    let (store, path) = filled("reorder").await;
    let mut c = raw(&path).await;
    drop_guards(&mut c).await;
    exec(
        &mut c,
        "update audit_events set seq = 100 where seq = 2;
         update audit_events set seq = 2 where seq = 3;
         update audit_events set seq = 3 where seq = 100;",
    )
    .await
    .unwrap();
    assert!(matches!(
        check_chain(&store).await,
        Err(ChainBreak::Broken { seq: 2, .. })
    ));
}

#[tokio::test]
async fn a_truncated_chain_is_found_against_its_head() {
    let (store, path) = filled("truncate").await;
    let mut c = raw(&path).await;
    exec(&mut c, "drop trigger audit_events_no_delete")
        .await
        .unwrap();
    exec(&mut c, "delete from audit_events where seq > 3")
        .await
        .unwrap();
    assert_eq!(
        check_chain(&store).await,
        Err(ChainBreak::Truncated {
            seq: 3,
            head_seq: 5
        })
    );
}

#[tokio::test]
async fn the_database_refuses_to_edit_or_remove_a_filed_complaint() {
    let (_store, path) = filled("sealed").await;
    let mut c = raw(&path).await;
    let edit = exec(
        &mut c,
        "update complaints set body = json_set(body, '$.description', '改过') where id = 1",
    )
    .await;
    assert!(edit.unwrap_err().to_string().contains("cannot be edited"));
    let delete = exec(&mut c, "delete from complaints where id = 1").await;
    assert!(
        delete
            .unwrap_err()
            .to_string()
            .contains("cannot be removed")
    );
    // what kuaiwei itself changes on a complaint row still goes through
    exec(
        &mut c,
        "update complaints set respondent_id = respondent_id where id = 1",
    )
    .await
    .unwrap();
}
