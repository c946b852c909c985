//! The audit trail on PostgreSQL: the database refuses edits, and the chain finds what
//! bypasses the database (a superuser who disables the triggers).

mod common;

use kuaiwei_store::ChainBreak;
use kuaiwei_store::conformance::{check_chain, fill_chain};
use kuaiwei_store_postgres::PostgresStore;
use sqlx::{Connection, PgConnection};

async fn filled() -> Option<(PostgresStore, PgConnection)> {
    let Some((store, url)) = common::fresh_with_url().await else {
        eprintln!(
            "\n!!! SKIPPED audit tamper test on PostgreSQL: KUAIWEI_TEST_POSTGRES_URL is unset !!!\n"
        );
        return None;
    };
    fill_chain(&store).await;
    assert_eq!(check_chain(&store).await, Ok(5));
    Some((store, PgConnection::connect(&url).await.unwrap()))
}

async fn exec(conn: &mut PgConnection, sql: &'static str) -> Result<(), sqlx::Error> {
    sqlx::raw_sql(sql).execute(conn).await.map(|_| ())
}

async fn drop_guards(conn: &mut PgConnection) {
    exec(
        conn,
        "alter table audit_events disable trigger audit_events_append_only;
         alter table audit_head disable trigger audit_head_forward_only;",
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn the_database_refuses_to_edit_or_delete_events_or_move_the_head_back() {
    let Some((_store, mut c)) = filled().await else {
        return;
    };
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
    let Some((store, mut c)) = filled().await else {
        return;
    };
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
    let Some((store, mut c)) = filled().await else {
        return;
    };
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
    let Some((store, mut c)) = filled().await else {
        return;
    };
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
    let Some((store, mut c)) = filled().await else {
        return;
    };
    drop_guards(&mut c).await;
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
async fn truncating_the_audit_tables_or_the_complaints_is_refused() {
    let Some((store, mut c)) = filled().await else {
        return;
    };
    for sql in [
        "truncate audit_events, audit_head",
        "truncate audit_head",
        "truncate complaints cascade",
        "truncate complaint_evidence",
    ] {
        let e = exec(&mut c, sql).await.unwrap_err().to_string();
        assert!(e.contains("cannot be truncated"), "{sql}: {e}");
    }
    assert_eq!(check_chain(&store).await, Ok(5));
}

#[tokio::test]
async fn the_database_refuses_to_edit_or_remove_a_filed_complaint() {
    let Some((_store, mut c)) = filled().await else {
        return;
    };
    let edit = exec(
        &mut c,
        "update complaints set body = jsonb_set(body, '{description}', '\"改过\"') where id = 1",
    )
    .await;
    assert!(edit.unwrap_err().to_string().contains("cannot be edited"));
    let delete = exec(&mut c, "delete from complaints where id = 1").await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    // what kuaiwei itself changes on a complaint row still goes through
    exec(
        &mut c,
        "update complaints set respondent_id = respondent_id where id = 1",
    )
    .await
    .unwrap();
}
