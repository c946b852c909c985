//! The benchmarks' bulk load writes the change log as intake does (#22 item 4), on a fresh
//! PostgreSQL database (`KUAIWEI_TEST_POSTGRES_URL`; without it the test says loudly that it
//! skipped PostgreSQL). Needs the `bench` feature, which CI's `--all-features` turns on.

mod common;

use common::fresh;
use kuaiwei_store::conformance;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_cases_enter_the_change_log_as_filed_ones_and_read_back() {
    let Some(store) = fresh().await else {
        eprintln!("\n!!! SKIPPED seeded cases on PostgreSQL: it is not configured here !!!\n");
        return;
    };
    conformance::seeded_cases_enter_the_change_log_as_filed_ones_and_read_back(
        &store,
        async |s, cases| s.insert_synthetic(cases).await,
    )
    .await;
}
