//! Staff roles and what each may do, as data.

use serde::{Deserialize, Serialize};

/// A staff role. Every account has exactly one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The rights-protection centre's caseworker (维权援助中心): takes complaints in, checks
    /// them, routes them; sees every agency's cases.
    Caseworker,
    /// An enforcement officer bound to one agency (执法人员): works that agency's cases only.
    Officer,
    /// Approves extensions and transfers (审批): for one agency, or for the centre when the
    /// account has no agency.
    Supervisor,
    /// Accounts, calendars, routing rules (系统管理员); no case content.
    Administrator,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Caseworker,
        Role::Officer,
        Role::Supervisor,
        Role::Administrator,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Role::Caseworker => "caseworker",
            Role::Officer => "officer",
            Role::Supervisor => "supervisor",
            Role::Administrator => "administrator",
        }
    }

    pub fn parse(key: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.key() == key.trim())
    }

    pub fn zh(self) -> &'static str {
        match self {
            Role::Caseworker => "受理人员",
            Role::Officer => "执法人员",
            Role::Supervisor => "审批负责人",
            Role::Administrator => "系统管理员",
        }
    }

    /// Whether an account of this role must, may or must not name an agency.
    pub fn agency_rule(self) -> AgencyRule {
        match self {
            Role::Officer => AgencyRule::Required,
            Role::Supervisor => AgencyRule::Optional,
            Role::Caseworker | Role::Administrator => AgencyRule::Forbidden,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgencyRule {
    Required,
    Optional,
    Forbidden,
}

/// What someone may want to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Read a case, its complaint and evidence (personal data masked).
    ReadCase,
    /// See a case's personal data in full (an audit event each time).
    ReadPersonalData,
    /// Triage steps: request a supplement, record one, accept, refuse, route.
    Triage,
    /// Enforcement steps: open (立案), suspend, resume, request an extension, close.
    Work,
    /// Approve or deny an extension, transfer a case (to the police), mark a case for
    /// supervision (挂牌督办) or lift the mark.
    Approve,
    /// Join, split and undo joins of respondent entities, and decide the links the rules
    /// proposed (a centre task: an entity's cases span agencies).
    CorrectRespondents,
    /// Search complaints and cases.
    Search,
    /// Export case lists (CSV, XLSX).
    Export,
    /// Read the on-time report and the deadline watch.
    ReadReports,
    /// Freeze a finished period's report.
    FreezeReport,
    /// Create, disable and reset accounts.
    ManageAccounts,
    /// Load the next year's holiday calendar.
    ManageCalendar,
    /// Change the routing rules.
    ManageRouting,
    /// Read the server's Prometheus metrics (`/metrics`; a scraper uses the config's token).
    ReadMetrics,
}

/// How far a permission reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Objects of every agency (and not yet routed ones).
    Any,
    /// Objects of the account's own agency; an account without one reaches every agency
    /// (a centre supervisor).
    OwnAgency,
    /// Not about case content (accounts, calendars, rules).
    System,
}

/// Every permission there is; anything not listed is refused. Reviewed as a table.
pub const RULES: &[(Role, Action, Reach)] = &[
    (Role::Caseworker, Action::ReadCase, Reach::Any),
    (Role::Caseworker, Action::Triage, Reach::Any),
    (Role::Caseworker, Action::CorrectRespondents, Reach::Any),
    (Role::Caseworker, Action::Search, Reach::Any),
    (Role::Caseworker, Action::Export, Reach::Any),
    (Role::Caseworker, Action::ReadReports, Reach::Any),
    (Role::Officer, Action::ReadCase, Reach::OwnAgency),
    (Role::Officer, Action::ReadPersonalData, Reach::OwnAgency),
    (Role::Officer, Action::Work, Reach::OwnAgency),
    (Role::Officer, Action::Search, Reach::OwnAgency),
    (Role::Officer, Action::Export, Reach::OwnAgency),
    (Role::Officer, Action::ReadReports, Reach::OwnAgency),
    (Role::Supervisor, Action::ReadCase, Reach::OwnAgency),
    (Role::Supervisor, Action::Approve, Reach::OwnAgency),
    (Role::Supervisor, Action::Triage, Reach::OwnAgency),
    (Role::Supervisor, Action::Search, Reach::OwnAgency),
    (Role::Supervisor, Action::Export, Reach::OwnAgency),
    (Role::Supervisor, Action::ReadReports, Reach::OwnAgency),
    (Role::Supervisor, Action::FreezeReport, Reach::OwnAgency),
    (Role::Administrator, Action::ManageAccounts, Reach::System),
    (Role::Administrator, Action::ManageCalendar, Reach::System),
    (Role::Administrator, Action::ManageRouting, Reach::System),
    (Role::Administrator, Action::ReadMetrics, Reach::System),
];

/// The permission a step on a case needs ([`kuaiwei_domain::Action`]); `routed` says whether
/// the case has an agency yet. Exhaustive, so that a new step cannot exist without a decision
/// here.
pub fn step_permission(step: kuaiwei_domain::Action, routed: bool) -> Action {
    use kuaiwei_domain::Action as Step;
    match step {
        // a complaint still at the centre (withdrawn, or settled before routing) is closed by
        // the centre: no agency's officer holds it
        Step::Close if !routed => Action::Triage,
        // the centre's intake work (维权援助中心受理、补正、分派)
        Step::RequestSupplement | Step::Supplement | Step::Accept | Step::Refuse | Step::Route => {
            Action::Triage
        }
        // the handling officer's own steps
        Step::Open | Step::Suspend | Step::Resume | Step::RequestExtension | Step::Close => {
            Action::Work
        }
        // 延长办案期限 needs the approval of the agency's head (负责人批准: 市场监督管理行政处罚
        // 程序规定, procedures M2 and P7 in the deadlines crate)
        Step::ApproveExtension | Step::DenyExtension => Action::Approve,
        // 移送涉嫌犯罪案件: the head approves the transfer (行政执法机关移送涉嫌犯罪案件的规定
        // (2020) Art. 5)
        Step::Transfer => Action::Approve,
        // 挂牌督办 is a supervisor's decision
        Step::Supervise | Step::Unsupervise => Action::Approve,
        // the handling officer submits the special team's transfer report; the head approves
        // it (移送规定 Art. 5); the receiving agency's officer accepts the transfer (Art. 8)
        Step::ProposeTransfer | Step::AcceptTransfer => Action::Work,
        // 不批准移送: the head's decision too, its reason recorded (Art. 5)
        Step::ApproveTransfer | Step::DenyTransfer => Action::Approve,
    }
}

/// Whether `who` may read a case's personal data in full: the officer the case is assigned to
/// (who opened it, 立案), or, before anyone has, an officer of its agency who must decide
/// whether to open it. Everyone else reads it masked (PIPL Art. 51: access limited to need).
pub fn can_read_personal_data(
    who: &Principal,
    agency: Option<&str>,
    assigned: Option<&str>,
) -> bool {
    can(who, Action::ReadPersonalData, agency) && assigned.is_none_or(|a| a == who.username)
}

/// Whether `role` holds `action` for any agency at all: when it does, an object it cannot
/// reach is another agency's (answered as missing); when it does not, the role is refused.
pub fn holds(role: Role, action: Action) -> bool {
    RULES.iter().any(|(r, a, _)| *r == role && *a == action)
}

/// Who is asking, as the session says (never as the request says).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub username: String,
    pub role: Role,
    /// The agency key an officer or agency supervisor belongs to.
    pub agency: Option<String>,
}

/// Whether `who` may do `action` on an object of `object_agency` (`None`: not yet routed, or
/// not about a case). Officers need an agency to reach anything; an object of another agency
/// is refused (the caller answers 404, as for a missing one).
pub fn can(who: &Principal, action: Action, object_agency: Option<&str>) -> bool {
    RULES
        .iter()
        .filter(|(role, a, _)| *role == who.role && *a == action)
        .any(|(_, _, reach)| match reach {
            Reach::Any | Reach::System => true,
            Reach::OwnAgency => match (&who.agency, object_agency) {
                (None, _) => who.role != Role::Officer,
                (Some(mine), Some(theirs)) => mine == theirs,
                (Some(_), None) => false,
            },
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(role: Role, agency: Option<&str>) -> Principal {
        Principal {
            username: "u".into(),
            role,
            agency: agency.map(str::to_string),
        }
    }

    #[test]
    fn an_officer_reaches_only_their_own_agency() {
        let o = who(Role::Officer, Some("customs"));
        assert!(can(&o, Action::Work, Some("customs")));
        assert!(can(&o, Action::ReadPersonalData, Some("customs")));
        assert!(!can(&o, Action::ReadCase, Some("ip_office")));
        assert!(
            !can(&o, Action::ReadCase, None),
            "unrouted cases are the centre's"
        );
        assert!(!can(&o, Action::Approve, Some("customs")));
        assert!(!can(&o, Action::Triage, Some("customs")));
        let unbound = who(Role::Officer, None);
        assert!(!can(&unbound, Action::ReadCase, Some("customs")));
    }

    #[test]
    fn supervisors_approve_for_their_agency_or_for_the_centre() {
        let s = who(Role::Supervisor, Some("ip_office"));
        assert!(can(&s, Action::Approve, Some("ip_office")));
        assert!(!can(&s, Action::Approve, Some("police")));
        let centre = who(Role::Supervisor, None);
        assert!(can(&centre, Action::Approve, Some("police")));
        assert!(can(&centre, Action::FreezeReport, None));
        assert!(!can(&centre, Action::Work, Some("police")));
    }

    #[test]
    fn caseworkers_triage_everything_and_administrators_see_no_case() {
        let c = who(Role::Caseworker, None);
        assert!(can(&c, Action::Triage, None));
        assert!(can(&c, Action::ReadCase, Some("customs")));
        assert!(!can(&c, Action::ReadPersonalData, Some("customs")));
        assert!(!can(&c, Action::ManageAccounts, None));
        let a = who(Role::Administrator, None);
        assert!(can(&a, Action::ManageAccounts, None));
        assert!(can(&a, Action::ManageCalendar, None));
        for action in [
            Action::ReadCase,
            Action::Search,
            Action::Export,
            Action::ReadReports,
        ] {
            assert!(!can(&a, action, None), "{action:?}");
            assert!(!can(&a, action, Some("customs")), "{action:?}");
        }
    }

    #[test]
    fn role_keys_read_back_and_say_whether_an_agency_is_needed() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.key()), Some(r));
            assert!(!r.zh().is_empty());
        }
        assert_eq!(Role::parse("root"), None);
        assert_eq!(Role::Officer.agency_rule(), AgencyRule::Required);
        assert_eq!(Role::Administrator.agency_rule(), AgencyRule::Forbidden);
    }

    #[test]
    fn officers_work_their_cases_and_supervisors_approve_extensions_and_transfers() {
        use kuaiwei_domain::Action as Step;
        let officer = who(Role::Officer, Some("police"));
        let supervisor = who(Role::Supervisor, Some("police"));
        let caseworker = who(Role::Caseworker, None);
        for step in Step::ALL {
            let need = step_permission(step, true);
            let by = |p: &Principal| can(p, need, Some("police"));
            match need {
                Action::Work => assert!(by(&officer) && !by(&supervisor) && !by(&caseworker)),
                Action::Approve => assert!(!by(&officer) && by(&supervisor) && !by(&caseworker)),
                Action::Triage => assert!(!by(&officer) && by(&supervisor) && by(&caseworker)),
                other => panic!("{step:?} needs {other:?}"),
            }
        }
        assert_eq!(step_permission(Step::Transfer, true), Action::Approve);
        assert_eq!(step_permission(Step::Close, true), Action::Work);
        assert_eq!(step_permission(Step::Close, false), Action::Triage);
        assert!(holds(Role::Officer, Action::ReadCase));
        assert!(!holds(Role::Administrator, Action::ReadCase));
    }

    #[test]
    fn personal_data_in_full_is_for_the_assigned_officer_only() {
        let mut li = who(Role::Officer, Some("customs"));
        li.username = "li".into();
        assert!(can_read_personal_data(&li, Some("customs"), None));
        assert!(can_read_personal_data(&li, Some("customs"), Some("li")));
        assert!(!can_read_personal_data(&li, Some("customs"), Some("wang")));
        assert!(!can_read_personal_data(&li, Some("police"), None));
        let centre = who(Role::Supervisor, None);
        assert!(!can_read_personal_data(&centre, Some("customs"), None));
        let caseworker = who(Role::Caseworker, None);
        assert!(!can_read_personal_data(&caseworker, None, None));
    }

    #[test]
    fn the_table_names_each_permission_once() {
        for (i, (r, a, _)) in RULES.iter().enumerate() {
            assert!(
                !RULES[i + 1..].iter().any(|(r2, a2, _)| r2 == r && a2 == a),
                "{r:?} {a:?} twice"
            );
        }
    }
}
