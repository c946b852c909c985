//! The backend-independent part of writing a run of submissions: which are new, which replay an
//! earlier receipt, which misuse a key; how case numbers are handed out per year; and how the
//! `received` events are chained. The backends only run the SQL.

use std::collections::HashMap;

use jiff::Timestamp;
use kuaiwei_domain::{CaseNumber, Complaint, MatchKey};

use crate::respondents::Identity;

use crate::{ChainLink, GENESIS, NewComplaint, Receipt, StoreError, case_year};

/// What becomes of one submission in the run.
#[derive(Debug, Clone)]
pub enum Plan {
    /// Its key was used before this run with the same request: answer with that receipt.
    Replay(Receipt),
    /// Its key was used before with another request.
    Mismatch,
    /// Its key repeats an earlier submission of this run (by index).
    SameAs(usize),
    /// Stored now, as the `n`-th new complaint of the run.
    New(usize),
}

/// Keys used before this run: the request hash each was first used with, and its receipt.
pub type PriorKeys = HashMap<String, (Vec<u8>, Receipt)>;

/// Classifies a run; returns the plans and the submissions to store, in order.
pub fn plan_submissions<'a>(
    items: &[&'a NewComplaint],
    prior: &PriorKeys,
) -> (Vec<Plan>, Vec<&'a NewComplaint>) {
    let mut plans = Vec::with_capacity(items.len());
    let mut first_with_key: HashMap<&str, usize> = HashMap::new();
    let mut fresh: Vec<&NewComplaint> = Vec::new();
    for (i, new) in items.iter().enumerate() {
        let plan = match &new.idempotency {
            Some(k) => match (
                prior.get(k.key.as_str()),
                first_with_key.get(k.key.as_str()),
            ) {
                (Some((hash, _)), _) if hash[..] != k.request_hash[..] => Plan::Mismatch,
                (Some((_, receipt)), _) => Plan::Replay(receipt.clone()),
                (None, Some(&j)) => match &items[j].idempotency {
                    Some(first) if first.request_hash == k.request_hash => Plan::SameAs(j),
                    _ => Plan::Mismatch,
                },
                (None, None) => {
                    first_with_key.insert(k.key.as_str(), i);
                    fresh.push(new);
                    Plan::New(fresh.len() - 1)
                }
            },
            None => {
                fresh.push(new);
                Plan::New(fresh.len() - 1)
            }
        };
        plans.push(plan);
    }
    (plans, fresh)
}

/// One answer per submission, from the plans and the receipts of what was stored.
pub fn answer(plans: &[Plan], stored: &[Receipt]) -> Vec<Result<Receipt, StoreError>> {
    plans
        .iter()
        .map(|plan| match plan {
            Plan::Replay(r) => Ok(r.clone()),
            Plan::Mismatch => Err(StoreError::IdempotencyMismatch),
            Plan::New(n) => Ok(stored[*n].clone()),
            Plan::SameAs(j) => match &plans[*j] {
                Plan::New(n) => Ok(Receipt {
                    replayed: true,
                    ..stored[*n].clone()
                }),
                _ => Err(StoreError::Backend("idempotency plan out of order".into())),
            },
        })
        .collect()
}

/// How many new cases each year of the run needs, in order of first appearance.
pub fn year_counts(at: &[Timestamp]) -> Vec<(i16, i64)> {
    let mut counts: Vec<(i16, i64)> = Vec::new();
    for y in at.iter().map(|t| case_year(*t)) {
        match counts.iter_mut().find(|(year, _)| *year == y) {
            Some((_, n)) => *n += 1,
            None => counts.push((y, 1)),
        }
    }
    counts
}

/// Case numbers in submission order, given each year's last sequence after the counter bump.
pub fn assign_numbers(at: &[Timestamp], last: &[(i16, i64)]) -> Vec<CaseNumber> {
    let counts = year_counts(at);
    let mut next: HashMap<i16, i64> = counts
        .iter()
        .map(|(y, n)| {
            let l = last.iter().find(|(ly, _)| ly == y).map_or(*n, |(_, l)| *l);
            (*y, l - n + 1)
        })
        .collect();
    at.iter()
        .map(|t| {
            let y = case_year(*t);
            let seq = next.entry(y).or_insert(1);
            let number = CaseNumber::new(y, *seq as u64);
            *seq += 1;
            number
        })
        .collect()
}

/// One `received` event ready to insert.
#[derive(Debug, Clone)]
pub struct ChainedEvent {
    pub seq: i64,
    pub index: usize,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The `received` events of new cases, chained after `head`, and the new head.
pub fn chain_received(
    head: Option<(i64, String)>,
    items: &[&NewComplaint],
    numbers: &[CaseNumber],
    at: &[Timestamp],
) -> (Vec<ChainedEvent>, (i64, String)) {
    let (mut seq, mut prev) = head.unwrap_or((0, GENESIS.to_string()));
    let mut rows = Vec::with_capacity(items.len());
    for (i, n) in items.iter().enumerate() {
        seq += 1;
        let mut payload = serde_json::json!({
            "channel": n.complaint.channel.key(),
            "evidence": n.evidence.iter().map(|e| &e.sha256).collect::<Vec<_>>(),
            "complaint": crate::complaint_digest(&n.complaint),
        });
        if let Some(source) = &n.source {
            payload["source"] = source.as_str().into();
        }
        let payload = payload.to_string();
        let hash = ChainLink {
            prev_hash: &prev,
            seq,
            case_number: numbers[i].as_str(),
            actor: RECEIVED_ACTOR,
            at: at[i],
            kind: RECEIVED_KIND,
            payload: &payload,
            reason: None,
        }
        .hash();
        rows.push(ChainedEvent {
            seq,
            index: i,
            payload,
            prev_hash: prev.clone(),
            hash: hash.clone(),
        });
        prev = hash;
    }
    (rows, (seq, prev))
}

/// A complaint with its match keys and respondent identity, computed once per write.
pub struct Keyed<'a> {
    pub complaint: &'a Complaint,
    pub keys: Vec<MatchKey>,
    pub identity: Identity,
}

impl<'a> Keyed<'a> {
    pub fn of(complaint: &'a Complaint) -> Keyed<'a> {
        Keyed {
            complaint,
            keys: complaint.match_keys(),
            identity: Identity::of(complaint),
        }
    }
}

pub const RECEIVED_ACTOR: &str = "complainant";
pub const RECEIVED_KIND: &str = "received";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_continue_each_years_counter_in_submission_order() {
        let at: Vec<Timestamp> = [
            "2026-10-01T00:00:00Z",
            "2026-12-31T17:00:00Z",
            "2026-10-02T00:00:00Z",
        ]
        .iter()
        .map(|t| t.parse().unwrap())
        .collect();
        assert_eq!(year_counts(&at), vec![(2026, 2), (2027, 1)]);
        let numbers = assign_numbers(&at, &[(2026, 12), (2027, 1)]);
        let numbers: Vec<_> = numbers.iter().map(|n| n.as_str()).collect();
        assert_eq!(
            numbers,
            ["KW-2026-000011", "KW-2027-000001", "KW-2026-000012"]
        );
    }
}
