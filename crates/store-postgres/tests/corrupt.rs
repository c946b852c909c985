//! A stored clock that cannot be read (an unknown status, inputs that are not a clock's) is an
//! error naming the case, on PostgreSQL.

mod common;

use kuaiwei_store::conformance::{
    a_broken_clock_is_an_error_naming_the_case, a_routed_case_with_a_clock,
};
use sqlx::{Connection, PgConnection};

/// A store with one routed case whose clock `breakage` then changes behind the store's back.
async fn broken(breakage: &'static str) {
    let Some((store, url)) = common::fresh_with_url().await else {
        eprintln!(
            "\n!!! SKIPPED corrupt clock test on PostgreSQL: KUAIWEI_TEST_POSTGRES_URL is unset !!!\n"
        );
        return;
    };
    let number = a_routed_case_with_a_clock(&store).await;
    let mut raw = PgConnection::connect(&url).await.unwrap();
    sqlx::raw_sql(breakage).execute(&mut raw).await.unwrap();
    raw.close().await.unwrap();
    a_broken_clock_is_an_error_naming_the_case(&store, &number).await;
}

#[tokio::test]
async fn inputs_that_are_not_a_clocks_are_an_error_naming_the_case() {
    broken(r#"update case_clocks set inputs = '{"exclusions": "not a list"}'"#).await;
}

#[tokio::test]
async fn inputs_without_their_extensions_are_an_error_naming_the_case() {
    broken(r#"update case_clocks set inputs = '{"exclusions": []}'"#).await;
}

#[tokio::test]
async fn an_unknown_clock_status_is_an_error_naming_the_case() {
    broken("update case_clocks set status = 'closed'").await;
}
