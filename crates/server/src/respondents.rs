//! The respondent pass, following the change log: a filed complaint is given its respondent
//! entity and match keys, and a name one character away from a known respondent is proposed to
//! a caseworker, shortly after the filing and not inside it (BENCHMARKS.md: inside it, intake
//! was several times slower). Whatever a caseworker reads about respondents and related cases
//! waits for the pass first ([`before_reading`]).

use std::time::{Duration, Instant};

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

/// Filings per second above which the follower waits for the burst to end: far above what a
/// centre files (a fair's busiest desk takes a few complaints a minute), reached only by a
/// flood of filings, which then keep the writer to themselves (BENCHMARKS.md: the pass running
/// beside a burst halved intake).
const BUSY_PER_SEC: f64 = 200.0;

/// The longest the follower waits for a burst to end before it catches up anyway, beside the
/// filings; a reader never waits for it ([`before_reading`] runs the pass itself).
const MAX_YIELD: Duration = Duration::from_secs(10);

/// The most entries left for later while waiting: past this the follower catches up anyway.
const MAX_LAG: i64 = 50_000;

/// How often the follower looks again while it waits.
const YIELD_STEP: Duration = Duration::from_millis(250);

/// Whether the follower leaves the writer to a burst of filings for now: filings arrive at
/// `filed_per_sec`, it has left `lag` entries for `waited` since it was last up to date.
fn yield_to_filings(filed_per_sec: f64, waited: Duration, lag: i64) -> bool {
    filed_per_sec >= BUSY_PER_SEC && waited < MAX_YIELD && lag < MAX_LAG
}

/// Follows the change log for as long as the server runs.
pub async fn follow(state: AppState) {
    // the change head when last looked at; since when the pass has not been up to date
    let mut seen: Option<(i64, Instant)> = None;
    let mut behind_since: Option<Instant> = None;
    loop {
        let head = state.store.change_head().await.ok();
        let lag = report_lag(&state, head).await;
        if let (Some(h), Some((h0, t0))) = (head, seen) {
            let rate = (h - h0) as f64 / t0.elapsed().as_secs_f64().max(1e-3);
            let since = *behind_since.get_or_insert_with(Instant::now);
            if yield_to_filings(rate, since.elapsed(), lag.unwrap_or(0)) {
                seen = Some((h, Instant::now()));
                tokio::time::sleep(YIELD_STEP).await;
                continue;
            }
        }
        seen = head.map(|h| (h, Instant::now()));
        match catch_up(&state, 1).await {
            Ok(0) => {
                behind_since = None;
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Ok(n) => tracing::debug!(done = n, "respondent pass"),
            Err(e) => {
                tracing::warn!(error = %e, "respondent pass failed; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    }
}

/// Sets `kuaiwei_respondent_pass_lag`, the change-log entries the pass has not done yet
/// (complaints without their respondent among them), and returns it.
async fn report_lag(state: &AppState, head: Option<i64>) -> Option<i64> {
    let at = state
        .store
        .follower_position(kuaiwei_store::respondents::TYPO_FOLLOWER)
        .await
        .ok()?;
    let lag = (head? - at).max(0);
    metrics::gauge!("kuaiwei_respondent_pass_lag").set(lag as f64);
    Some(lag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pass_waits_for_a_burst_of_filings_but_not_for_long_nor_far() {
        let s = Duration::from_secs;
        // a centre's normal pace: never waits
        assert!(!yield_to_filings(0.0, s(0), 0));
        assert!(!yield_to_filings(5.0, s(0), 10));
        assert!(!yield_to_filings(BUSY_PER_SEC - 1.0, s(1), 100));
        // a flood: waits
        assert!(yield_to_filings(BUSY_PER_SEC, s(0), 0));
        assert!(yield_to_filings(6_000.0, s(9), 40_000));
        // but at most MAX_YIELD, and never more than MAX_LAG entries behind
        assert!(!yield_to_filings(6_000.0, MAX_YIELD, 1_000));
        assert!(!yield_to_filings(6_000.0, s(1), MAX_LAG));
    }
}
