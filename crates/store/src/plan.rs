//! The backend-independent part of writing a run of submissions: which are new, which replay an
//! earlier receipt, which misuse a key; how case numbers are handed out per year; and how the
//! `received` events are chained. The backends only run the SQL.

use std::collections::HashMap;

use jiff::Timestamp;
use kuaiwei_domain::{CaseNumber, Complaint, MatchKey, aliases_of};

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

/// Which respondent each complaint of a run is about, and what that adds to the store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RespondentPlan {
    /// Per complaint, in order (`None` for a complaint without an identifying key).
    pub ids: Vec<Option<i64>>,
    /// Respondents to create: id and display name.
    pub created: Vec<(i64, String)>,
    /// Aliases to record: alias and respondent id.
    pub aliases: Vec<(String, i64)>,
}

/// A complaint with its match keys and respondent aliases, computed once per write.
pub struct Keyed<'a> {
    pub complaint: &'a Complaint,
    pub keys: Vec<MatchKey>,
    pub aliases: Vec<String>,
}

impl<'a> Keyed<'a> {
    pub fn of(complaint: &'a Complaint) -> Keyed<'a> {
        let keys = complaint.match_keys();
        let aliases = aliases_of(&keys);
        Keyed {
            complaint,
            keys,
            aliases,
        }
    }
}

/// Recognises respondents: a complaint belongs to the respondent of its strongest alias already
/// known (credit code, then folded name, shop, seller, booth); with none known, a new respondent
/// is created. Its other aliases, if still free, are then claimed for that respondent, so that a
/// later complaint naming only the booth, or only the name, finds the same entity. `known` holds
/// the aliases already stored; `next_id` is the first free respondent id.
pub fn resolve_respondents(
    complaints: &[Keyed],
    known: &HashMap<String, i64>,
    next_id: i64,
) -> RespondentPlan {
    let mut known = known.clone();
    let mut plan = RespondentPlan::default();
    let mut next = next_id;
    for c in complaints {
        if c.aliases.is_empty() {
            plan.ids.push(None);
            continue;
        }
        let id = match c.aliases.iter().find_map(|a| known.get(a).copied()) {
            Some(id) => id,
            None => {
                let id = next;
                next += 1;
                plan.created.push((id, c.complaint.respondent_display()));
                id
            }
        };
        for a in &c.aliases {
            if !known.contains_key(a) {
                plan.aliases.push((a.clone(), id));
                known.insert(a.clone(), id);
            }
        }
        plan.ids.push(Some(id));
    }
    plan
}

/// Every respondent alias of a run, without repeats: what to look up before resolving.
pub fn all_aliases(complaints: &[Keyed]) -> Vec<String> {
    let mut all: Vec<String> = complaints
        .iter()
        .flat_map(|c| c.aliases.iter().cloned())
        .collect();
    all.sort();
    all.dedup();
    all
}

pub const RECEIVED_ACTOR: &str = "complainant";
pub const RECEIVED_KIND: &str = "received";

#[cfg(test)]
mod tests {
    use super::*;

    fn complaint(name: Option<&str>, uscc: Option<&str>, booth: &str) -> Complaint {
        let mut respondent = serde_json::json!({"booth": booth});
        if let Some(n) = name {
            respondent["name"] = n.into();
        }
        if let Some(u) = uscc {
            respondent["uscc"] = u.into();
        }
        serde_json::from_value::<kuaiwei_domain::ComplaintInput>(serde_json::json!({
            "channel": {"kind": "fair", "fair_name": "海交会", "booth": booth},
            "complainant": {"kind": "person", "name": "张三", "mobile": "13812345678"},
            "rights": [{"kind": "invention_patent", "number": "ZL202310123456.6"}],
            "respondent": respondent,
            "description": "展出侵权产品"
        }))
        .unwrap()
        .validate()
        .unwrap()
    }

    #[test]
    fn respondents_are_recognised_by_any_alias_they_have_used() {
        const USCC: &str = "91350100M000100Y43";
        let a = complaint(Some("甲公司"), Some(USCC), "A1");
        let b = complaint(Some("甲 公司"), None, "B2");
        let c = complaint(None, None, "A1");
        let d = complaint(Some("乙公司"), None, "C3");
        let mut known = HashMap::new();
        known.insert("respondent_name:乙公司".to_string(), 7);
        let keyed: Vec<Keyed> = [&a, &b, &c, &d].into_iter().map(Keyed::of).collect();
        let plan = resolve_respondents(&keyed, &known, 10);
        assert_eq!(plan.ids, vec![Some(10), Some(10), Some(10), Some(7)]);
        assert_eq!(plan.created, vec![(10, "甲公司".to_string())]);
        assert!(plan.aliases.contains(&(format!("uscc:{USCC}"), 10)));
        assert!(plan.aliases.contains(&("booth:海交会||b2".to_string(), 10)));
        assert!(
            !plan
                .aliases
                .iter()
                .any(|(a, _)| a == "respondent_name:乙公司"),
            "a known alias is not recorded twice"
        );
        assert!(plan.aliases.contains(&("booth:海交会||c3".to_string(), 7)));
    }

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
