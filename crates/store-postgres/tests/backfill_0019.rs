//! Migration 0019 fills in who asked for a pending extension and who proposed a transfer from
//! the events the steps wrote before the columns existed.

mod common;

use kuaiwei_store::conformance::{asked_and_proposed_cases, asked_and_proposed_cases_read_back};
use sqlx::{Connection, PgConnection};

/// The statements of migration 0019 between `-- backfill` and `-- end backfill`.
fn backfill() -> &'static str {
    let sql = include_str!("../../../migrations/postgres/0019_staff_notices.sql");
    let (_, rest) = sql.split_once("-- backfill\n").expect("a backfill section");
    let (backfill, _) = rest.split_once("-- end backfill").expect("its end");
    backfill
}

#[tokio::test]
async fn the_backfill_names_who_asked_for_an_undecided_extension_and_who_proposed_a_transfer() {
    let Some((store, url)) = common::fresh_with_url().await else {
        eprintln!(
            "\n!!! SKIPPED migration 0019 backfill test on PostgreSQL: KUAIWEI_TEST_POSTGRES_URL is unset !!!\n"
        );
        return;
    };
    let (a, b) = asked_and_proposed_cases(&store).await;

    // as the columns stood before the backfill: empty
    let mut raw = PgConnection::connect(&url).await.unwrap();
    sqlx::raw_sql("update cases set extension_requested_by = null, transfer_proposed_by = null")
        .execute(&mut raw)
        .await
        .unwrap();
    sqlx::raw_sql(backfill()).execute(&mut raw).await.unwrap();
    raw.close().await.unwrap();

    asked_and_proposed_cases_read_back(&store, (&a, &b)).await;
}
