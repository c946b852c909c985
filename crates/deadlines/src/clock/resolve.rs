//! Checking extensions and excluded periods against the procedure before any counting.

use jiff::Timestamp;

use super::{ClockInput, Exclusion, Extension, ExtensionGrant};
use crate::error::ClockError;
use crate::procedure::{ExtensionRule, Procedure, RuleGrant};
use crate::ranges::Interval;
use crate::unit::Amount;

/// An extension matched to its rule.
#[derive(Clone, Debug)]
pub(super) struct Applied {
    pub amount: Amount,
    pub rule: usize,
    pub approver: String,
    pub approved_at: Timestamp,
}

/// Matches each extension, in order of approval, to a rule of the procedure. Refused: any
/// extension on a procedure that allows none, more uses of a rule than its `max_count`, an
/// amount above a fixed rule's, a unit other than the limit's, a collective extension without
/// a length.
pub(super) fn extensions(p: &Procedure, given: &[Extension]) -> Result<Vec<Applied>, ClockError> {
    let mut order: Vec<&Extension> = given.iter().collect();
    order.sort_by_key(|e| e.approved_at);
    let mut used = vec![0u32; p.extensions.len()];
    let has_room =
        |used: &[u32], i: usize| p.extensions[i].max_count.is_none_or(|max| used[i] < max);
    let mut out = Vec::with_capacity(order.len());
    for e in order {
        if p.extensions.is_empty() {
            return Err(ClockError::NoExtensionAllowed {
                procedure: p.id.clone(),
            });
        }
        let (rule, asked) = match &e.grant {
            ExtensionGrant::Rule { index, amount } => {
                if *index >= p.extensions.len() {
                    return Err(ClockError::NoSuchExtensionRule {
                        procedure: p.id.clone(),
                        index: *index,
                    });
                }
                (*index, *amount)
            }
            ExtensionGrant::Amount(a) => {
                let next = (0..p.extensions.len()).find(|&i| has_room(&used, i));
                (next.unwrap_or(0), Some(*a))
            }
        };
        if !has_room(&used, rule) {
            return Err(ClockError::TooManyExtensions {
                procedure: p.id.clone(),
            });
        }
        used[rule] += 1;
        out.push(Applied {
            amount: amount_for(p, &p.extensions[rule], asked)?,
            rule,
            approver: e.approver.clone(),
            approved_at: e.approved_at,
        });
    }
    Ok(out)
}

fn amount_for(
    p: &Procedure,
    rule: &ExtensionRule,
    asked: Option<Amount>,
) -> Result<Amount, ClockError> {
    let amount = match (rule.grant, asked) {
        (RuleGrant::Fixed(max), None) => max,
        (RuleGrant::Fixed(max), Some(a)) => {
            if a.unit == max.unit && a.amount > max.amount {
                return Err(ClockError::ExtensionTooLong {
                    procedure: p.id.clone(),
                    asked: a,
                    max,
                });
            }
            a
        }
        (RuleGrant::Collective, Some(a)) => a,
        (RuleGrant::Collective, None) => {
            return Err(ClockError::CollectiveNeedsAmount {
                procedure: p.id.clone(),
            });
        }
    };
    if amount.unit != p.limit.unit {
        return Err(ClockError::ExtensionUnit {
            procedure: p.id.clone(),
            expected: p.limit.unit,
            got: amount.unit,
        });
    }
    Ok(amount)
}

/// The excluded periods as instants, checked against the procedure and cut to the running
/// clock: from the start, to `now` if open, and to `closed_at`.
pub(super) fn exclusions(
    p: &Procedure,
    input: &ClockInput,
) -> Result<Vec<Interval<Timestamp>>, ClockError> {
    input
        .exclusions
        .iter()
        .map(|e: &Exclusion| {
            if !p.allows(e.kind) {
                return Err(ClockError::ExclusionNotAllowed {
                    procedure: p.id.clone(),
                    kind: e.kind,
                });
            }
            if e.to.is_some_and(|to| to < e.from) {
                return Err(ClockError::ExclusionReversed { kind: e.kind });
            }
            let mut to = e.to.unwrap_or(input.now);
            if let Some(closed) = input.closed_at {
                to = to.min(closed);
            }
            Ok(Interval {
                from: e.from.max(input.start),
                to,
                kinds: vec![e.kind],
                open: e.to.is_none(),
            })
        })
        .collect()
}
