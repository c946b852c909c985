//! Who among staff a step tells, and what: a request that waits for a supervisor (an extension,
//! a transfer report) tells every supervisor who may decide it (`kuaiwei_access::can` with
//! `Approve` on the case's agency: the agency's supervisors and the centre's), never the one who
//! asked; a decision tells the account that asked (kept on the case), unless it decides its own
//! request. Pure: the service loads the accounts.

use kuaiwei_access::{Action, Principal, Role};
use kuaiwei_notify::staff::{self, StaffChannels, StaffNotice};
use kuaiwei_store::{Account, CaseRecord, NewMessage};

use crate::step::{Reason, Step};

/// Who a staff notice goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// The supervisors who may approve the request on the case.
    Approvers,
    /// One account: the one that asked.
    Account(String),
}

/// Whether `step` tells staff anything ([`staff_notice`]).
pub fn tells_staff(step: &Step) -> bool {
    matches!(
        step,
        Step::RequestExtension { .. }
            | Step::ProposeTransfer { .. }
            | Step::ApproveExtension { .. }
            | Step::DenyExtension { .. }
            | Step::ApproveTransfer { .. }
            | Step::DenyTransfer { .. }
    )
}

/// What staff are told of `step` on `case` (as it stood before the step) taken by `by`, and
/// whom; `None` for the steps that tell staff nothing.
pub fn staff_notice(step: &Step, case: &CaseRecord, by: &str) -> Option<(StaffNotice, Audience)> {
    let by = by.to_string();
    let reason = |r: &Option<Reason>| r.as_ref().map(|r| r.as_str().to_string());
    let pending = case
        .pending_extension
        .map(|a| a.to_string())
        .unwrap_or_default();
    let asker = |who: &Option<String>| who.clone().map(Audience::Account);
    match step {
        Step::RequestExtension { reason, amount } => Some((
            StaffNotice::RequestExtension {
                amount: amount.to_string(),
                by,
                reason: reason.as_str().to_string(),
            },
            Audience::Approvers,
        )),
        Step::ProposeTransfer { reason } => Some((
            StaffNotice::ProposeTransfer {
                by,
                reason: reason.as_str().to_string(),
            },
            Audience::Approvers,
        )),
        Step::ApproveExtension { reason: r } => Some((
            StaffNotice::ApproveExtension {
                amount: pending,
                by,
                reason: reason(r),
            },
            asker(&case.extension_requested_by)?,
        )),
        Step::DenyExtension { reason } => Some((
            StaffNotice::DenyExtension {
                by,
                reason: reason.as_str().to_string(),
            },
            asker(&case.extension_requested_by)?,
        )),
        Step::ApproveTransfer { reason: r } => Some((
            StaffNotice::ApproveTransfer {
                by,
                reason: reason(r),
            },
            asker(&case.transfer_proposed_by)?,
        )),
        Step::DenyTransfer { reason } => Some((
            StaffNotice::DenyTransfer {
                by,
                reason: reason.as_str().to_string(),
            },
            asker(&case.transfer_proposed_by)?,
        )),
        _ => None,
    }
}

/// Whether `account` may approve requests on a case of `agency`.
fn approves(account: &Account, agency: Option<&str>) -> bool {
    let Some(role) = Role::parse(&account.role) else {
        return false;
    };
    let who = Principal {
        username: account.username.clone(),
        role,
        agency: account.agency.clone(),
    };
    kuaiwei_access::can(&who, Action::Approve, agency)
}

/// The messages of `notice` to its audience among `accounts`, on the channels configured;
/// `actor` (the account taking the step) is never told of its own step.
pub fn staff_messages(
    channels: StaffChannels,
    notice: &StaffNotice,
    audience: &Audience,
    agency: Option<&str>,
    actor: &str,
    accounts: &[Account],
) -> Vec<NewMessage> {
    accounts
        .iter()
        .filter(|a| a.username != actor)
        .filter(|a| match audience {
            Audience::Approvers => approves(a, agency),
            Audience::Account(name) => &a.username == name,
        })
        .flat_map(|a| staff::to_account(channels, a, notice, None))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kuaiwei_domain::{CaseNumber, CaseState};

    fn account(username: &str, role: &str, agency: Option<&str>) -> Account {
        let at: jiff::Timestamp = "2026-10-01T00:00:00Z".parse().unwrap();
        Account {
            username: username.into(),
            display_name: username.into(),
            role: role.into(),
            agency: agency.map(str::to_string),
            password_hash: String::new(),
            created_at: at,
            password_changed_at: at,
            disabled_at: None,
            contact: kuaiwei_store::Contact {
                email: Some(format!("{username}@example.gov.cn")),
                ..Default::default()
            },
        }
    }

    fn staff() -> Vec<Account> {
        let mut gone = account("supervisor.gone", "supervisor", Some("market_regulation"));
        gone.disabled_at = Some("2026-10-02T00:00:00Z".parse().unwrap());
        vec![
            account("officer.li", "officer", Some("market_regulation")),
            account("officer.wu", "officer", Some("market_regulation")),
            account("supervisor.zhao", "supervisor", Some("market_regulation")),
            account("supervisor.qian", "supervisor", Some("customs")),
            account("supervisor.chen", "supervisor", None),
            account("caseworker.wang", "caseworker", None),
            gone,
        ]
    }

    fn case(requested_by: Option<&str>) -> CaseRecord {
        let at: jiff::Timestamp = "2026-10-09T02:00:00Z".parse().unwrap();
        CaseRecord {
            case_number: CaseNumber::parse("KW-2026-000042").unwrap(),
            state: CaseState::ExtensionPending,
            agency: Some("market_regulation".into()),
            outcome: None,
            parent: None,
            received_at: at,
            materials_received_at: at,
            pending_extension: Some("30d".parse().unwrap()),
            extension_requested_by: requested_by.map(str::to_string),
            transfer_proposed_by: None,
            closed_at: None,
            respondent_id: None,
            supervised: false,
            officer: Some("officer.li".into()),
            version: 4,
            clocks: Vec::new(),
        }
    }

    fn to(messages: &[NewMessage]) -> Vec<&str> {
        messages.iter().map(|m| m.recipient.as_str()).collect()
    }

    const MAIL: StaffChannels = StaffChannels {
        email: true,
        sms: false,
    };

    #[test]
    fn a_request_tells_each_supervisor_who_may_decide_it() {
        let step = Step::RequestExtension {
            reason: Reason::required("reason", "需鉴定").unwrap(),
            amount: "30d".parse().unwrap(),
        };
        let c = case(None);
        let (notice, audience) = staff_notice(&step, &c, "李明 (officer.li)").unwrap();
        assert_eq!(audience, Audience::Approvers);
        let m = staff_messages(
            MAIL,
            &notice,
            &audience,
            c.agency.as_deref(),
            "officer.li",
            &staff(),
        );
        assert_eq!(
            to(&m),
            [
                "supervisor.zhao@example.gov.cn",
                "supervisor.chen@example.gov.cn"
            ],
            "the agency's and the centre's; not another agency's, not a disabled one"
        );
        assert_eq!(m[0].notice["amount"], "30d");
        assert_eq!(m[0].notice["by"], "李明 (officer.li)");
    }

    #[test]
    fn a_decision_tells_the_account_that_asked_and_nobody_else() {
        let c = case(Some("officer.wu"));
        for step in [
            Step::ApproveExtension { reason: None },
            Step::DenyExtension {
                reason: Reason::required("reason", "理由不足").unwrap(),
            },
        ] {
            let (notice, audience) = staff_notice(&step, &c, "supervisor.zhao").unwrap();
            assert_eq!(audience, Audience::Account("officer.wu".into()));
            let m = staff_messages(
                MAIL,
                &notice,
                &audience,
                c.agency.as_deref(),
                "supervisor.zhao",
                &staff(),
            );
            assert_eq!(to(&m), ["officer.wu@example.gov.cn"], "{step:?}");
        }
        let approved = staff_notice(&Step::ApproveExtension { reason: None }, &c, "z")
            .unwrap()
            .0;
        assert_eq!(
            approved,
            StaffNotice::ApproveExtension {
                amount: "30d".into(),
                by: "z".into(),
                reason: None
            }
        );
        // nobody recorded as asking (a request before the column existed): nobody told
        assert_eq!(
            staff_notice(&Step::ApproveExtension { reason: None }, &case(None), "z"),
            None
        );
        // other steps tell staff nothing
        assert_eq!(
            staff_notice(&Step::Resume { reason: None }, &c, "officer.li"),
            None
        );
    }

    #[test]
    fn nobody_is_told_of_their_own_step_and_nothing_goes_out_on_channels_not_configured() {
        let c = case(Some("supervisor.zhao"));
        let (notice, audience) = staff_notice(
            &Step::ApproveExtension { reason: None },
            &c,
            "supervisor.zhao",
        )
        .unwrap();
        assert!(
            staff_messages(
                MAIL,
                &notice,
                &audience,
                c.agency.as_deref(),
                "supervisor.zhao",
                &staff()
            )
            .is_empty()
        );
        let (notice, audience) = staff_notice(
            &Step::ProposeTransfer {
                reason: Reason::required("reason", "涉嫌犯罪").unwrap(),
            },
            &c,
            "officer.li",
        )
        .unwrap();
        assert!(
            staff_messages(
                StaffChannels::default(),
                &notice,
                &audience,
                c.agency.as_deref(),
                "officer.li",
                &staff()
            )
            .is_empty()
        );
    }
}
