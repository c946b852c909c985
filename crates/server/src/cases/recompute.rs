//! The server's side of a calendar change: it follows the calendar files while it runs and,
//! when the case core took a changed schedule (and recomputed the due dates it moves), forgets
//! the reports it had cached, whose provisional marks may differ.

use crate::AppState;

/// Watches the calendar's source while the server runs: a changed schedule (an administrator
/// ran `kuaiwei calendar load`) is taken at once, and the due dates it moves are recomputed,
/// closed cases included, so that queues, the watch and reports follow without a restart.
pub async fn follow_calendar(state: AppState) {
    if state.calendar.source().is_none() {
        return;
    }
    let mut tick = tokio::time::interval(crate::state::SharedCalendar::POLL);
    tick.tick().await;
    loop {
        tick.tick().await;
        take_calendar_changes(&state).await;
    }
}

/// Reads the calendar's source once ([`kuaiwei_cases::CaseService::take_calendar_changes`]);
/// when a schedule changed, also clears the report cache. Returns the first year that changed.
pub async fn take_calendar_changes(state: &AppState) -> Option<i16> {
    let first = state.cases().take_calendar_changes().await?;
    state.report_cache.clear();
    Some(first)
}
