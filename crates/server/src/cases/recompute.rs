//! Recomputing stored due dates when the calendar changes (a new holiday year is loaded): every
//! open case's clocks are computed again, and a case whose due dates moved is written back with a
//! `recompute` event naming the old and new dates, so that queues sort by the right dates and
//! the change is on the audit trail.

use jiff::Timestamp;
use kuaiwei_store::{CaseRecord, CaseUpdate, NewEvent, StoreError, StoredClock};
use serde::Serialize;

use super::clocks;
use crate::{AppError, AppState};

/// What a recompute did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Recomputed {
    /// Open cases looked at.
    pub checked: u64,
    /// Cases whose due dates changed and were written back.
    pub updated: u64,
    /// Clocks still without a due date (a year not loaded).
    pub still_not_computable: u64,
}

/// The actor of recompute events.
pub const SYSTEM: &str = "system";

/// Recomputes every open case against the current calendar.
pub async fn recompute_open_cases(state: &AppState) -> Result<Recomputed, AppError> {
    let mut out = Recomputed::default();
    let mut after: Option<String> = None;
    loop {
        let page = state.store.open_cases(after.as_deref(), 500).await?;
        let Some(last) = page.last() else {
            return Ok(out);
        };
        after = Some(last.case_number.to_string());
        for case in page {
            out.checked += 1;
            let now = state.clock.now();
            let mut fresh = case.clocks.clone();
            if clocks::refresh(&state.calendar, &state.procedures, &mut fresh, now).is_err() {
                tracing::warn!(case = %case.case_number, "clock cannot be recomputed; left as stored");
                continue;
            }
            out.still_not_computable += fresh
                .iter()
                .filter(|c| c.status == "not_computable")
                .count() as u64;
            let moved = moved(&case.clocks, &fresh);
            if moved.is_empty() {
                continue;
            }
            match state
                .store
                .update_case(update(&case, fresh, moved, now))
                .await
            {
                Ok(_) => out.updated += 1,
                // Someone acted on the case meanwhile: that step recomputed its clocks.
                Err(StoreError::VersionConflict) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// The clocks whose due date changed: (procedure, old, new).
fn moved(
    old: &[StoredClock],
    new: &[StoredClock],
) -> Vec<(String, Option<Timestamp>, Option<Timestamp>)> {
    old.iter()
        .zip(new)
        .filter(|(o, n)| o.due_at != n.due_at)
        .map(|(o, n)| (o.procedure_id.clone(), o.due_at, n.due_at))
        .collect()
}

fn update(
    case: &CaseRecord,
    clocks: Vec<StoredClock>,
    moved: Vec<(String, Option<Timestamp>, Option<Timestamp>)>,
    now: Timestamp,
) -> CaseUpdate {
    let changes: Vec<serde_json::Value> = moved
        .iter()
        .map(|(p, from, to)| serde_json::json!({"procedure": p, "from": from, "to": to}))
        .collect();
    CaseUpdate {
        case_number: case.case_number.clone(),
        expected_version: case.version,
        state: case.state,
        agency: case.agency.clone(),
        outcome: case.outcome,
        clocks,
        supervised: case.supervised,
        officer: None,
        added_evidence: Vec::new(),
        event: NewEvent {
            actor: SYSTEM.into(),
            kind: "recompute".into(),
            payload: serde_json::json!({"due_dates": changes}),
            reason: Some("工作日历已更新 / the working-day calendar changed".into()),
        },
        at: now,
        linked: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_clocks_whose_due_date_changed_count_as_moved() {
        let t: Timestamp = "2027-01-04T16:00:00Z".parse().unwrap();
        let mut a = clocks::new_clock("P1", Some(t));
        let b = a.clone();
        a.status = "not_computable".into();
        let mut c = b.clone();
        c.due_at = Some(t);
        c.status = "running".into();
        assert!(
            moved(&[a.clone()], &[b]).is_empty(),
            "a status alone is not a move"
        );
        assert_eq!(moved(&[a], &[c]), vec![("P1".to_string(), None, Some(t))]);
    }
}
