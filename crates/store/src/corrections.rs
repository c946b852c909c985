//! A caseworker's corrections of respondent entities, and the links the rules left for one to
//! decide. Each correction is written by the single writer with its audit event, in one
//! transaction.

use jiff::Timestamp;
use serde::Serialize;

/// A link the rules would not decide (`kuaiwei_store::respondents::ProposalKind`), with the
/// entities as they stand now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RespondentProposal {
    pub id: i64,
    /// `conflict`, `ambiguous` or `typo`.
    pub kind: String,
    pub a: i64,
    pub b: i64,
    /// The complaint that raised it.
    pub case_number: Option<String>,
    /// Why (`different_credit_codes` …, or the aliases that matched).
    pub detail: String,
    pub created_at: Timestamp,
}

/// A join as recorded: by the rules (actor `system`, with the complaint and the aliases that
/// linked them) or by a caseworker (with the reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RespondentJoin {
    pub id: i64,
    pub survivor: i64,
    pub absorbed: i64,
    pub case_number: Option<String>,
    pub via: Vec<String>,
    /// The cases that moved from the absorbed entity.
    pub moved: Vec<String>,
    pub actor: String,
    pub reason: Option<String>,
    pub at: Timestamp,
    pub undone_at: Option<Timestamp>,
}

/// What a caseworker decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Correction {
    /// Join `absorbed` into `survivor` (whatever the rules said).
    Join { survivor: i64, absorbed: i64 },
    /// Move these cases out of `from` into a new entity, kept apart from it from then on.
    Split { from: i64, cases: Vec<String> },
    /// Undo a recorded join: the cases it moved go back to the absorbed entity, kept apart.
    UndoJoin { join: i64 },
    /// Accept a proposal (join its two entities) or reject it (keep them apart).
    Decide { proposal: i64, accept: bool },
}

impl Correction {
    /// The audit event's kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Correction::Join { .. } => "respondent_join",
            Correction::Split { .. } => "respondent_split",
            Correction::UndoJoin { .. } => "respondent_join_undone",
            Correction::Decide { accept: true, .. } => "respondent_proposal_accepted",
            Correction::Decide { accept: false, .. } => "respondent_proposal_rejected",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RespondentCorrection {
    pub correction: Correction,
    pub actor: String,
    pub reason: String,
    pub at: Timestamp,
}

/// The entities the correction leaves, the one the caseworker acted on first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrected {
    pub respondents: Vec<i64>,
}
