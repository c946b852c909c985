//! Pure domain types of kuaiwei and their validation at the edge.
//!
//! A complaint arrives as a loosely typed [`ComplaintInput`] (what a phone or a platform sends) and
//! becomes a [`Complaint`] only through [`ComplaintInput::validate`], which reports every bad field
//! at once with its path, a stable code and a message in zh-CN and en. Identifiers with check
//! characters (unified social credit codes, CN patent numbers) are newtypes that cannot hold an
//! invalid value. No I/O, no clock: this crate is where the rules on input live.

mod case;
mod case_number;
mod complaint;
mod error;
mod ids;
pub mod pii;

pub use case::{Action, CaseState, IllegalAction, Outcome, transition};
pub use case_number::{CaseNumber, CaseNumberError};
pub use complaint::input;
pub use complaint::{
    Agent, Amounts, Channel, Complainant, ComplainantKind, Complaint, ComplaintInput,
    ComplaintStatus, Direction, Facts, FoldedName, GiForm, MatchKey, MatchKind, PatentMatter,
    PenaltyKind, PriorPenalty, RequestedMeasure, Respondent, Right, RightKind, Supply, aliases_of,
    deletions, divisions_compatible, fold_company_name, limits, normalize_url, validate_facts,
};
pub use error::{FieldError, ValidationErrors};
pub use ids::{
    Email, MobileNumber, PatentKind, PatentNumber, TrademarkNumber, Uscc, normalize_party_name,
};
