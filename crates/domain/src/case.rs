//! The life-cycle of a case, as a pure state machine.
//!
//! ```text
//! received ⇄ supplement_requested          (补正: the complainant is asked for missing materials)
//! received → accepted | refused (reason)
//! accepted → routed (agency, procedures)   routed → routed (re-route, history kept)
//! routed → opened (立案) ⇄ suspended (中止)
//! opened → extension_pending → opened       (approved or denied by a supervisor)
//! opened | suspended: propose_transfer (the special team's report reaches the head, T1), then
//!   approve_transfer (the head approves, T2) → transfer, or deny_transfer (the head refuses,
//!   with the reason recorded; a new report may be proposed later)
//! routed | opened | suspended → transferred (the receiving agency gets a linked case)
//! routed (a linked case) → accept_transfer (the police accept it, T3)
//! any open state → closed (outcome)         withdrawal may close a case at any open state
//! ```
//!
//! An illegal step is refused with the steps that are allowed from where the case stands, and
//! nothing changes.

use serde::{Deserialize, Serialize};

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    Received,
    SupplementRequested,
    Accepted,
    Refused,
    Routed,
    Opened,
    Suspended,
    ExtensionPending,
    Transferred,
    Closed,
}

impl CaseState {
    pub const ALL: [CaseState; 10] = [
        CaseState::Received,
        CaseState::SupplementRequested,
        CaseState::Accepted,
        CaseState::Refused,
        CaseState::Routed,
        CaseState::Opened,
        CaseState::Suspended,
        CaseState::ExtensionPending,
        CaseState::Transferred,
        CaseState::Closed,
    ];

    pub fn key(self) -> &'static str {
        match self {
            CaseState::Received => "received",
            CaseState::SupplementRequested => "supplement_requested",
            CaseState::Accepted => "accepted",
            CaseState::Refused => "refused",
            CaseState::Routed => "routed",
            CaseState::Opened => "opened",
            CaseState::Suspended => "suspended",
            CaseState::ExtensionPending => "extension_pending",
            CaseState::Transferred => "transferred",
            CaseState::Closed => "closed",
        }
    }

    pub fn parse(key: &str) -> Option<CaseState> {
        CaseState::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn zh(self) -> &'static str {
        match self {
            CaseState::Received => "已收到",
            CaseState::SupplementRequested => "待补正",
            CaseState::Accepted => "已受理",
            CaseState::Refused => "不予受理",
            CaseState::Routed => "已分派",
            CaseState::Opened => "已立案",
            CaseState::Suspended => "已中止",
            CaseState::ExtensionPending => "延期待批",
            CaseState::Transferred => "已移送",
            CaseState::Closed => "已结案",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            CaseState::Received => "received",
            CaseState::SupplementRequested => "supplement requested",
            CaseState::Accepted => "accepted",
            CaseState::Refused => "refused",
            CaseState::Routed => "routed",
            CaseState::Opened => "opened",
            CaseState::Suspended => "suspended",
            CaseState::ExtensionPending => "extension pending",
            CaseState::Transferred => "transferred",
            CaseState::Closed => "closed",
        }
    }

    /// Refused, transferred and closed cases take no further steps.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            CaseState::Refused | CaseState::Transferred | CaseState::Closed
        )
    }
}

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 撤回投诉
    Withdrawn,
    /// 调解结案
    Mediated,
    /// 认定侵权，责令停止
    InfringementConfirmed,
    /// 撤展 / 遮盖
    ExhibitsWithdrawn,
    /// 删除、屏蔽、断开链接
    ListingsTakenDown,
    /// 不构成侵权
    NotInfringing,
    /// 不予立案 / 驳回
    Refused,
    /// 移送（由接收机关另案处理）
    Transferred,
    Other,
}

impl Outcome {
    pub fn zh(self) -> &'static str {
        match self {
            Outcome::Withdrawn => "撤回投诉",
            Outcome::Mediated => "调解结案",
            Outcome::InfringementConfirmed => "认定侵权并责令停止",
            Outcome::ExhibitsWithdrawn => "撤展或遮盖",
            Outcome::ListingsTakenDown => "删除或屏蔽链接",
            Outcome::NotInfringing => "不构成侵权",
            Outcome::Refused => "不予立案",
            Outcome::Transferred => "移送",
            Outcome::Other => "其他",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Outcome::Withdrawn => "complaint withdrawn",
            Outcome::Mediated => "settled by mediation",
            Outcome::InfringementConfirmed => "infringement found, ordered to stop",
            Outcome::ExhibitsWithdrawn => "exhibits withdrawn or covered",
            Outcome::ListingsTakenDown => "listings taken down or blocked",
            Outcome::NotInfringing => "no infringement found",
            Outcome::Refused => "not opened",
            Outcome::Transferred => "transferred",
            Outcome::Other => "other",
        }
    }

    /// Whether the outcome establishes the infringement (认定侵权, 撤展/遮盖, 删除链接): what
    /// counts towards a repeat-infringer finding. Mediation, withdrawal and transfer do not.
    pub fn upheld(self) -> bool {
        matches!(
            self,
            Outcome::InfringementConfirmed
                | Outcome::ExhibitsWithdrawn
                | Outcome::ListingsTakenDown
        )
    }
}

/// The kinds of step, without their data: what a refusal lists as allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    RequestSupplement,
    Supplement,
    Accept,
    Refuse,
    Route,
    Open,
    Suspend,
    Resume,
    RequestExtension,
    ApproveExtension,
    DenyExtension,
    Transfer,
    Close,
    /// 挂牌督办: a supervisor marks a major case for supervision; the state does not change.
    Supervise,
    /// Lifts the supervision mark.
    Unsupervise,
    /// 移送: the special team's report proposing a transfer reaches the head (T1 starts; 移送规定
    /// Art. 5). The state does not change.
    ProposeTransfer,
    /// The head approves the transfer (T1 stops, T2's 24 hours start). The state does not change.
    ApproveTransfer,
    /// The receiving agency (the police) accepts a transferred case (T3 starts; Art. 8).
    AcceptTransfer,
    /// The head refuses the proposed transfer, the reason recorded (移送规定 Art. 5: 不批准的，
    /// 应当将不予批准的理由记录在案); T1 stops. The state does not change.
    DenyTransfer,
}

impl Action {
    pub const ALL: [Action; 19] = [
        Action::RequestSupplement,
        Action::Supplement,
        Action::Accept,
        Action::Refuse,
        Action::Route,
        Action::Open,
        Action::Suspend,
        Action::Resume,
        Action::RequestExtension,
        Action::ApproveExtension,
        Action::DenyExtension,
        Action::Transfer,
        Action::Close,
        Action::Supervise,
        Action::Unsupervise,
        Action::ProposeTransfer,
        Action::ApproveTransfer,
        Action::AcceptTransfer,
        Action::DenyTransfer,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Action::RequestSupplement => "request_supplement",
            Action::Supplement => "supplement",
            Action::Accept => "accept",
            Action::Refuse => "refuse",
            Action::Route => "route",
            Action::Open => "open",
            Action::Suspend => "suspend",
            Action::Resume => "resume",
            Action::RequestExtension => "request_extension",
            Action::ApproveExtension => "approve_extension",
            Action::DenyExtension => "deny_extension",
            Action::Transfer => "transfer",
            Action::Close => "close",
            Action::Supervise => "supervise",
            Action::Unsupervise => "unsupervise",
            Action::ProposeTransfer => "propose_transfer",
            Action::ApproveTransfer => "approve_transfer",
            Action::AcceptTransfer => "accept_transfer",
            Action::DenyTransfer => "deny_transfer",
        }
    }

    /// The state a case moves to by this step from `from`, if the step is allowed there.
    /// Closing by withdrawal is allowed from every open state; other outcomes need the case to
    /// have reached an agency (routed or later).
    pub fn apply(self, from: CaseState, outcome: Option<Outcome>) -> Option<CaseState> {
        use CaseState as S;
        let to = match (self, from) {
            (Action::RequestSupplement, S::Received) => S::SupplementRequested,
            (Action::Supplement, S::SupplementRequested) => S::Received,
            (Action::Accept, S::Received) => S::Accepted,
            (Action::Refuse, S::Received | S::SupplementRequested) => S::Refused,
            (Action::Route, S::Accepted | S::Routed) => S::Routed,
            (Action::Open, S::Routed) => S::Opened,
            (Action::Suspend, S::Opened) => S::Suspended,
            (Action::Resume, S::Suspended) => S::Opened,
            (Action::RequestExtension, S::Opened) => S::ExtensionPending,
            (Action::ApproveExtension | Action::DenyExtension, S::ExtensionPending) => S::Opened,
            (Action::Transfer, S::Routed | S::Opened | S::Suspended) => S::Transferred,
            (Action::Supervise | Action::Unsupervise, s) if !s.is_terminal() => s,
            (
                Action::ProposeTransfer | Action::ApproveTransfer | Action::DenyTransfer,
                s @ (S::Opened | S::Suspended),
            ) => s,
            (Action::AcceptTransfer, S::Routed) => S::Routed,
            (Action::Close, s) if !s.is_terminal() => match (outcome, s) {
                (Some(Outcome::Withdrawn), _) => S::Closed,
                (Some(Outcome::Transferred), _) => return None,
                (Some(_), S::Routed | S::Opened | S::Suspended | S::ExtensionPending) => S::Closed,
                _ => return None,
            },
            _ => return None,
        };
        Some(to)
    }

    /// Every step allowed from `state` (closing counted if any outcome is allowed).
    pub fn allowed_from(state: CaseState) -> Vec<Action> {
        Action::ALL
            .into_iter()
            .filter(|s| {
                s.apply(state, Some(Outcome::Withdrawn)).is_some()
                    || s.apply(state, Some(Outcome::Other)).is_some()
            })
            .collect()
    }
}

/// A refused step: from where, what was tried, and what would have been allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("step {} is not allowed from {}; allowed: {}", tried.key(), from.key(), allowed.iter().map(|s| s.key()).collect::<Vec<_>>().join(", "))]
pub struct IllegalAction {
    pub from: CaseState,
    pub tried: Action,
    pub allowed: Vec<Action>,
}

/// Checks one step against the life-cycle.
pub fn transition(
    from: CaseState,
    step: Action,
    outcome: Option<Outcome>,
) -> Result<CaseState, IllegalAction> {
    step.apply(from, outcome).ok_or_else(|| IllegalAction {
        from,
        tried: step,
        allowed: Action::allowed_from(from),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use CaseState as S;

    #[test]
    fn a_fair_complaint_walks_from_receipt_to_closing() {
        let mut s = S::Received;
        for (step, outcome) in [
            (Action::RequestSupplement, None),
            (Action::Supplement, None),
            (Action::Accept, None),
            (Action::Route, None),
            (Action::Route, None),
            (Action::Open, None),
            (Action::Suspend, None),
            (Action::Resume, None),
            (Action::RequestExtension, None),
            (Action::ApproveExtension, None),
            (Action::Close, Some(Outcome::ExhibitsWithdrawn)),
        ] {
            s = transition(s, step, outcome).unwrap();
        }
        assert_eq!(s, S::Closed);
    }

    #[test]
    fn an_illegal_step_names_the_allowed_ones() {
        let err = transition(S::Received, Action::Open, None).unwrap_err();
        assert_eq!(err.from, S::Received);
        assert_eq!(
            err.allowed,
            vec![
                Action::RequestSupplement,
                Action::Accept,
                Action::Refuse,
                Action::Close,
                Action::Supervise,
                Action::Unsupervise
            ]
        );
        assert!(
            err.to_string()
                .contains("allowed: request_supplement, accept, refuse, close, supervise")
        );
    }

    #[test]
    fn supervision_marks_leave_the_state_alone_and_stop_at_the_end() {
        for s in CaseState::ALL {
            let r = transition(s, Action::Supervise, None);
            if s.is_terminal() {
                assert!(r.is_err(), "{s:?}");
            } else {
                assert_eq!(r, Ok(s));
            }
        }
    }

    #[test]
    fn only_findings_of_infringement_are_upheld() {
        assert!(Outcome::ExhibitsWithdrawn.upheld());
        assert!(!Outcome::Mediated.upheld());
        assert!(!Outcome::Withdrawn.upheld());
    }

    #[test]
    fn terminal_states_allow_nothing() {
        for s in [S::Refused, S::Transferred, S::Closed] {
            assert!(Action::allowed_from(s).is_empty(), "{s:?}");
        }
    }

    #[test]
    fn only_withdrawal_closes_a_case_that_no_agency_has_yet() {
        assert_eq!(
            transition(S::Accepted, Action::Close, Some(Outcome::Withdrawn)),
            Ok(S::Closed)
        );
        assert!(transition(S::Accepted, Action::Close, Some(Outcome::Mediated)).is_err());
        assert!(
            transition(S::Opened, Action::Close, None).is_err(),
            "closing needs an outcome"
        );
        assert!(
            transition(S::Opened, Action::Close, Some(Outcome::Transferred)).is_err(),
            "transfer is its own step"
        );
        assert_eq!(
            transition(S::Suspended, Action::Close, Some(Outcome::NotInfringing)),
            Ok(S::Closed)
        );
    }

    #[test]
    fn every_state_has_a_key_that_parses_back() {
        for s in CaseState::ALL {
            assert_eq!(CaseState::parse(s.key()), Some(s));
        }
    }
}
