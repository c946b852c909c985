//! Migration 0016 fills the cases' materials receipt and pending extension from the events the
//! steps wrote before the columns existed.

mod common;

use kuaiwei_store::conformance::{
    supplemented_and_extended_cases, supplemented_and_extended_cases_read_back,
};
use sqlx::{Connection, PgConnection};

/// The statements of migration 0016 between `-- backfill` and `-- end backfill`.
fn backfill() -> &'static str {
    let sql = include_str!("../../../migrations/postgres/0016_case_materials_and_extension.sql");
    let (_, rest) = sql.split_once("-- backfill\n").expect("a backfill section");
    let (backfill, _) = rest.split_once("-- end backfill").expect("its end");
    backfill
}

#[tokio::test]
async fn the_backfill_reads_the_last_supplement_and_an_undecided_extension_request() {
    let Some((store, url)) = common::fresh_with_url().await else {
        eprintln!(
            "\n!!! SKIPPED migration 0016 backfill test on PostgreSQL: KUAIWEI_TEST_POSTGRES_URL is unset !!!\n"
        );
        return;
    };
    let (a, b) = supplemented_and_extended_cases(&store).await;

    // As the columns stood before the backfill: no supplement seen, nothing pending (and a
    // wrong value in the other case, which the backfill must clear).
    let mut raw = PgConnection::connect(&url).await.unwrap();
    sqlx::raw_sql(
        "update cases set materials_received_at = received_at, pending_extension = null;
         update cases set pending_extension = '9d' where case_number = 'KW-2026-000002';",
    )
    .execute(&mut raw)
    .await
    .unwrap();
    sqlx::raw_sql(backfill()).execute(&mut raw).await.unwrap();
    raw.close().await.unwrap();

    supplemented_and_extended_cases_read_back(&store, (&a, &b)).await;
}
