//! The respondent pass, following the change log: a filed complaint is given its respondent
//! entity and match keys, and a name one character away from a known respondent is proposed to
//! a caseworker, shortly after the filing and not inside it (BENCHMARKS.md: inside it, intake
//! was several times slower). Whatever a caseworker reads about respondents and related cases
//! waits for the pass first ([`before_reading`]).

use std::time::Duration;

use crate::{AppError, AppState};

/// Change-log entries per pass: one writer transaction each, short enough not to hold up the
/// filings queued behind it.
const PASS: u32 = 1_000;

/// Passes a reader waits for before answering: a case's respondent, its related cases and the
/// list of proposals show every filing up to now unless intake is far ahead (the follower then
/// catches up in the background).
const PASSES_BEFORE_READING: usize = 8;

/// One pass at a time in this process: two planned together would do the work twice (the
/// second is then dropped by the store).
static PASSING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Brings the respondent pass up to date, at most `passes` passes; how many entries it consumed.
pub async fn catch_up(state: &AppState, passes: usize) -> Result<usize, AppError> {
    let _one = PASSING.lock().await;
    let mut done = 0;
    for _ in 0..passes {
        match state.store.respondent_pass(PASS).await? {
            0 => break,
            n => done += n,
        }
    }
    Ok(done)
}

/// Before a caseworker reads respondents, related cases or proposals: the complaints filed up to
/// now have been through the respondent pass (as far as [`PASSES_BEFORE_READING`] allows).
pub async fn before_reading(state: &AppState) -> Result<(), AppError> {
    catch_up(state, PASSES_BEFORE_READING).await.map(|_| ())
}

/// Follows the change log for as long as the server runs.
pub async fn follow(state: AppState) {
    loop {
        let done = catch_up(&state, 1).await;
        report_lag(&state).await;
        match done {
            Ok(0) => tokio::time::sleep(Duration::from_millis(500)).await,
            Ok(n) => tracing::debug!(done = n, "respondent pass"),
            Err(e) => {
                tracing::warn!(error = %e, "respondent pass failed; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    }
}

/// `kuaiwei_respondent_pass_lag`: change-log entries the pass has not done yet (complaints
/// without their respondent among them).
async fn report_lag(state: &AppState) {
    let head = state.store.change_head().await;
    let at = state
        .store
        .follower_position(kuaiwei_store::respondents::TYPO_FOLLOWER)
        .await;
    if let (Ok(head), Ok(at)) = (head, at) {
        metrics::gauge!("kuaiwei_respondent_pass_lag").set((head - at).max(0) as f64);
    }
}
