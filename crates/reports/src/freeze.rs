//! Frozen reports: the JSON text of a closed period with its SHA-256, kept for good, and the
//! corrections made since (clocks whose standing in the period differs from what was frozen).

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Category, Line, OnTimeReport};

/// The text that is frozen: the whole report with its lines.
pub fn freeze_body(report: &OnTimeReport) -> String {
    // serialising plain data (strings, numbers, timestamps) cannot fail
    serde_json::to_string(report).unwrap_or_default()
}

pub fn hash_body(body: &str) -> String {
    hex::encode(Sha256::digest(body.as_bytes()))
}

/// When and by whom a report was frozen, and whether its text still matches its hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FreezeInfo {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub frozen_at: Timestamp,
    pub frozen_by: String,
    pub hash: String,
    pub intact: bool,
}

/// How one clock stood in the period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineState {
    pub category: Option<Category>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub due_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub closed_at: Option<Timestamp>,
    pub overdue_at_end: bool,
    pub agency: Option<String>,
}

impl LineState {
    fn of(l: &Line) -> LineState {
        LineState {
            category: l.category,
            due_at: l.due_at,
            closed_at: l.closed_at,
            overdue_at_end: l.overdue_at_end,
            agency: l.agency.clone(),
        }
    }
}

/// A clock whose standing changed after the freeze: absent on one side when it entered or left
/// the period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Correction {
    pub case_number: String,
    pub procedure: String,
    pub frozen: Option<LineState>,
    pub now: Option<LineState>,
}

/// The differences between the frozen lines and the lines computed today for the same period.
pub fn corrections(frozen: &[Line], live: &[Line]) -> Vec<Correction> {
    let key = |l: &Line| (l.case_number.clone(), l.procedure.clone());
    let mut both: BTreeMap<(String, String), (Option<LineState>, Option<LineState>)> =
        BTreeMap::new();
    for l in frozen {
        both.entry(key(l)).or_default().0 = Some(LineState::of(l));
    }
    for l in live {
        both.entry(key(l)).or_default().1 = Some(LineState::of(l));
    }
    both.into_iter()
        .filter(|(_, (a, b))| a != b)
        .map(|((case_number, procedure), (frozen, now))| Correction {
            case_number,
            procedure,
            frozen,
            now,
        })
        .collect()
}
