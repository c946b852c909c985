//! A step on a case, parsed at the edge (API body, page form, command line) into types: agencies,
//! procedure ids, the clock policy of a re-route, excluded-period kinds, extension amounts and
//! reasons are checked once here, so that [`crate::plan`] works on values that are already right.

use kuaiwei_deadlines::{Amount, ExclusionKind};
use kuaiwei_domain::{Action, Outcome};
use kuaiwei_routing::Agency;

use crate::CaseError;

/// A reason given with a step: trimmed, 1 to 2000 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason(String);

impl Reason {
    /// A reason the step cannot do without.
    pub fn required(path: &str, text: &str) -> Result<Reason, CaseError> {
        let t = text.trim();
        if t.is_empty() || t.chars().count() > 2000 {
            return Err(CaseError::required(path));
        }
        Ok(Reason(t.to_string()))
    }

    /// A reason the step may give: blank is none, over 2000 characters is refused.
    pub fn optional(path: &str, text: Option<&str>) -> Result<Option<Reason>, CaseError> {
        match text.map(str::trim) {
            None | Some("") => Ok(None),
            Some(t) => Reason::required(path, t).map(Some),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a re-route does to the clocks already running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockPolicy {
    Restart,
    Continue,
}

impl ClockPolicy {
    pub fn parse(text: Option<&str>) -> Result<Option<ClockPolicy>, CaseError> {
        match text.map(str::trim) {
            None => Ok(None),
            Some("restart") => Ok(Some(ClockPolicy::Restart)),
            Some("continue") => Ok(Some(ClockPolicy::Continue)),
            Some(_) => Err(CaseError::field(
                "clock",
                "unknown_value",
                "时限处理方式只能是 restart（重新计算）或 continue（继续计算）",
                "the clock policy is restart or continue",
            )),
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            ClockPolicy::Restart => "restart",
            ClockPolicy::Continue => "continue",
        }
    }
}

/// An agency key, or a refusal naming the known ones.
pub fn agency(key: &str, path: &str) -> Result<Agency, CaseError> {
    Agency::from_key(key.trim()).ok_or_else(|| {
        let known = Agency::ALL
            .iter()
            .map(|a| a.key())
            .collect::<Vec<_>>()
            .join(", ");
        CaseError::field(
            path,
            "unknown_agency",
            format!("未知的主管部门，可用：{known}"),
            format!("unknown agency; known: {known}"),
        )
    })
}

/// An excluded-period kind (default `suspension`).
pub fn exclusion_kind(key: Option<&str>) -> Result<ExclusionKind, CaseError> {
    let key = key.map(str::trim).unwrap_or("suspension");
    ExclusionKind::from_key(key).ok_or_else(|| {
        CaseError::field(
            "kind",
            "unknown_value",
            "未知的不计入期间类型",
            "unknown kind of excluded period",
        )
    })
}

/// An extension amount such as `1m` or `30d`.
pub fn amount(text: &str) -> Result<Amount, CaseError> {
    text.parse()
        .map_err(|e: kuaiwei_deadlines::AmountParseError| {
            use kuaiwei_deadlines::Bilingual;
            CaseError::field("amount", "period_format", e.zh(), e.en())
        })
}

/// One step on a case, with its inputs already checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// 补正: ask for missing materials; without a list, what the completeness check finds.
    RequestSupplement {
        reason: Reason,
        missing: Option<Vec<String>>,
    },
    Supplement {
        reason: Option<Reason>,
    },
    /// Accepting while materials are still missing needs a reason (§8.4).
    Accept {
        reason: Option<Reason>,
    },
    Refuse {
        reason: Reason,
    },
    /// To an agency with its procedures; without an agency the routing rules decide; naming
    /// another agency or other procedures than the rules would is an override with a reason.
    Route {
        reason: Option<Reason>,
        agency: Option<Agency>,
        procedures: Option<Vec<String>>,
        clock: Option<ClockPolicy>,
    },
    /// 立案
    Open {
        reason: Option<Reason>,
    },
    Suspend {
        reason: Reason,
        kind: ExclusionKind,
    },
    Resume {
        reason: Option<Reason>,
    },
    RequestExtension {
        reason: Reason,
        amount: Amount,
    },
    ApproveExtension {
        reason: Option<Reason>,
    },
    DenyExtension {
        reason: Reason,
    },
    Transfer {
        reason: Reason,
        to: Agency,
        procedures: Option<Vec<String>>,
    },
    Close {
        reason: Option<Reason>,
        outcome: Outcome,
    },
    Supervise {
        reason: Reason,
    },
    Unsupervise {
        reason: Reason,
    },
    /// The special team's transfer report reaches the head: T1 (3 days to decide) starts.
    ProposeTransfer {
        reason: Reason,
    },
    /// The head approves the transfer: T1 stops, T2 (24 hours to send it) starts.
    ApproveTransfer {
        reason: Option<Reason>,
    },
    /// The police accept the transferred case: T3 (3 days to decide whether to open) starts.
    AcceptTransfer {
        reason: Option<Reason>,
    },
    /// The head refuses the transfer, with the reason the regulation has recorded: T1 stops;
    /// a new report may be proposed later.
    DenyTransfer {
        reason: Reason,
    },
}

impl Step {
    /// The life-cycle action of the step.
    pub fn action(&self) -> Action {
        match self {
            Step::RequestSupplement { .. } => Action::RequestSupplement,
            Step::Supplement { .. } => Action::Supplement,
            Step::Accept { .. } => Action::Accept,
            Step::Refuse { .. } => Action::Refuse,
            Step::Route { .. } => Action::Route,
            Step::Open { .. } => Action::Open,
            Step::Suspend { .. } => Action::Suspend,
            Step::Resume { .. } => Action::Resume,
            Step::RequestExtension { .. } => Action::RequestExtension,
            Step::ApproveExtension { .. } => Action::ApproveExtension,
            Step::DenyExtension { .. } => Action::DenyExtension,
            Step::Transfer { .. } => Action::Transfer,
            Step::Close { .. } => Action::Close,
            Step::Supervise { .. } => Action::Supervise,
            Step::Unsupervise { .. } => Action::Unsupervise,
            Step::ProposeTransfer { .. } => Action::ProposeTransfer,
            Step::ApproveTransfer { .. } => Action::ApproveTransfer,
            Step::AcceptTransfer { .. } => Action::AcceptTransfer,
            Step::DenyTransfer { .. } => Action::DenyTransfer,
        }
    }

    /// The outcome a closing step names.
    pub fn outcome(&self) -> Option<Outcome> {
        match self {
            Step::Close { outcome, .. } => Some(*outcome),
            _ => None,
        }
    }

    /// The reason given, if any.
    pub fn reason(&self) -> Option<&str> {
        use Step::*;
        match self {
            RequestSupplement { reason, .. }
            | Refuse { reason }
            | Suspend { reason, .. }
            | RequestExtension { reason, .. }
            | DenyExtension { reason }
            | Transfer { reason, .. }
            | Supervise { reason }
            | Unsupervise { reason }
            | ProposeTransfer { reason }
            | DenyTransfer { reason } => Some(reason.as_str()),
            Supplement { reason }
            | Accept { reason }
            | Route { reason, .. }
            | Open { reason }
            | Resume { reason }
            | ApproveExtension { reason }
            | ApproveTransfer { reason }
            | AcceptTransfer { reason }
            | Close { reason, .. } => reason.as_ref().map(Reason::as_str),
        }
    }
}
