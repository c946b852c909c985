//! Recomputing stored due dates when the calendar changes (a new holiday year is loaded): every
//! open case's clocks are computed again, and a case whose due dates moved is written back with a
//! `recompute` event naming the old and new dates, so that queues sort by the right dates and
//! the change is on the audit trail.

use jiff::Timestamp;
use kuaiwei_store::{
    CaseRecord, CaseUpdate, ClockStanding, NewEvent, PendingExtension, StoreError, StoredClock,
};
use serde::Serialize;

use crate::{CaseError, CaseService, clocks};

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

impl CaseService {
    /// Recomputes every open case against the current calendar.
    pub async fn recompute_open_cases(&self) -> Result<Recomputed, CaseError> {
        self.recompute(Which::Open).await
    }

    /// Recomputes every case, closed ones too, with a clock due at or after `since` or without a
    /// due date: what a holiday schedule of the years from `since` on can move. A closed case's
    /// month then reports it against the right date (a clock once undetermined is counted).
    pub async fn recompute_cases_due_since(
        &self,
        since: Timestamp,
    ) -> Result<Recomputed, CaseError> {
        self.recompute(Which::DueSince(since)).await
    }

    /// After the calendar changed from `since` on: open cases, then the others it can move.
    pub async fn recompute_after_calendar_change(
        &self,
        since: Timestamp,
    ) -> Result<Recomputed, CaseError> {
        let open = self.recompute_open_cases().await?;
        let rest = self.recompute_cases_due_since(since).await?;
        Ok(Recomputed {
            checked: open.checked + rest.checked,
            updated: open.updated + rest.updated,
            still_not_computable: rest.still_not_computable.max(open.still_not_computable),
        })
    }
}

/// The start of the year (Asia/Shanghai) before the first provisional one: at a start the
/// server cannot tell which schedules were loaded while it was down, and the newest published
/// year is the one most likely to have just arrived.
pub fn start_recompute_since(calendar: &kuaiwei_deadlines::Calendar) -> Timestamp {
    let last = calendar.loaded_years().last().copied().unwrap_or(2025);
    let first = jiff::civil::date(last, 1, 1);
    first
        .to_zoned(kuaiwei_deadlines::shanghai())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

#[derive(Clone, Copy)]
enum Which {
    Open,
    DueSince(Timestamp),
}

impl CaseService {
    async fn recompute(&self, which: Which) -> Result<Recomputed, CaseError> {
        let mut out = Recomputed::default();
        let mut after: Option<String> = None;
        let calendar = self.calendar.current();
        loop {
            let page = match which {
                Which::Open => self.store.open_cases(after.as_deref(), 500).await?,
                Which::DueSince(since) => {
                    self.store
                        .cases_due_since(since, after.as_deref(), 500)
                        .await?
                }
            };
            let Some(last) = page.last() else {
                return Ok(out);
            };
            after = Some(last.case_number.to_string());
            for case in page {
                out.checked += 1;
                let now = self.clock.now();
                let mut fresh = case.clocks.clone();
                if let Err(e) = clocks::refresh(&calendar, &self.procedures, &mut fresh, now) {
                    tracing::warn!(case = %case.case_number, error = %e, "clock cannot be recomputed; left as stored");
                    continue;
                }
                out.still_not_computable += fresh
                    .iter()
                    .filter(|c| c.status == ClockStanding::NotComputable)
                    .count() as u64;
                let moved = moved(&case.clocks, &fresh);
                if moved.is_empty() {
                    continue;
                }
                match self
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

    /// Reads the calendar's source once; when a schedule changed, takes the new calendar and
    /// recomputes the due dates it moves (also of closed cases). Returns the first year that
    /// changed (the server then forgets its cached reports). The server's follower calls it every
    /// 30 s, the administrator's calendar page right after installing a year.
    pub async fn take_calendar_changes(&self) -> Option<i16> {
        let source = self.calendar.source().cloned()?;
        let read = tokio::task::spawn_blocking(move || source()).await;
        let fresh = match read {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "the calendar files cannot be read; keeping the calendar in use");
                return None;
            }
            Err(e) => {
                tracing::warn!(error = %e, "reading the calendar failed");
                return None;
            }
        };
        // one change at a time: the follower and a page may both have seen the new file
        let _one = CALENDAR_CHANGE.lock().await;
        let first = first_changed_year(&self.calendar.current(), &fresh)?;
        tracing::info!(
            year = first,
            "holiday schedule changed; recomputing due dates"
        );
        self.calendar.replace(fresh);
        let since = jiff::civil::date(first, 1, 1)
            .to_zoned(kuaiwei_deadlines::shanghai())
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::UNIX_EPOCH);
        match self.recompute_after_calendar_change(since).await {
            Ok(r) => tracing::info!(
                checked = r.checked,
                updated = r.updated,
                "due dates recomputed against the new calendar"
            ),
            Err(e) => tracing::warn!(error = %e, "recomputing due dates failed"),
        }
        Some(first)
    }
}

static CALENDAR_CHANGE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The first year whose published schedule differs between two calendars (added, removed or
/// changed); `None` when they hold the same schedules.
pub fn first_changed_year(
    old: &kuaiwei_deadlines::Calendar,
    new: &kuaiwei_deadlines::Calendar,
) -> Option<i16> {
    let mut years = old.loaded_years();
    years.extend(new.loaded_years());
    years.sort_unstable();
    years.dedup();
    years.into_iter().find(|y| old.year(*y) != new.year(*y))
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
        materials_received_at: None,
        pending_extension: PendingExtension::Keep,
        transfer_proposed_by: None,
        event: NewEvent {
            actor: SYSTEM.into(),
            kind: "recompute".into(),
            payload: serde_json::json!({"due_dates": changes}),
            reason: Some("工作日历已更新 / the working-day calendar changed".into()),
        },
        at: now,
        linked: Vec::new(),
        messages: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_changed_year_is_the_earliest_added_removed_or_edited_schedule() {
        use kuaiwei_deadlines::Calendar;
        let bundled = Calendar::bundled();
        assert_eq!(first_changed_year(&bundled, &bundled.clone()), None);
        let y2027 = Calendar::parse_year("year = 2027\nnotice = \"t\"\n").unwrap();
        let with = bundled.clone().with_year(y2027);
        assert_eq!(first_changed_year(&bundled, &with), Some(2027));
        assert_eq!(first_changed_year(&with, &bundled), Some(2027));
        let edited = Calendar::parse_year("year = 2025\nnotice = \"t\"\n").unwrap();
        assert_eq!(
            first_changed_year(&with, &with.clone().with_year(edited)),
            Some(2025)
        );
    }

    #[test]
    fn only_clocks_whose_due_date_changed_count_as_moved() {
        let t: Timestamp = "2027-01-04T16:00:00Z".parse().unwrap();
        let mut a = clocks::new_clock("P1", Some(t));
        let b = a.clone();
        a.status = ClockStanding::NotComputable;
        let mut c = b.clone();
        c.due_at = Some(t);
        c.status = ClockStanding::Computed(kuaiwei_deadlines::ClockStatus::Running);
        assert!(
            moved(&[a.clone()], &[b]).is_empty(),
            "a status alone is not a move"
        );
        assert_eq!(moved(&[a], &[c]), vec![("P1".to_string(), None, Some(t))]);
    }
}
