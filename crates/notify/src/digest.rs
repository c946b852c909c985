//! The daily watch digest (期限预警) through the outbox: each officer and supervisor who gave an
//! e-mail address gets one mail listing their cases overdue or due within the next days (the
//! deadline watch, `kuaiwei_reports::watch`), in their language. Written once a day whatever how
//! often it runs: each message's key is `watch:DATE:USERNAME:email` (the Beijing date), and the
//! store leaves out a key it holds already. The delivery worker of the running server sends them.
//!
//! Whose cases: an officer's are those of their agency they opened (立案) or that nobody has
//! opened yet (someone of the agency must decide whether to); an agency supervisor's, every case
//! of the agency; a centre supervisor's (no agency), every case. Caseworkers and administrators
//! get none (the watch page serves the centre's triage).

use jiff::Timestamp;
use kuaiwei_access::{Action, Principal, Role};
use kuaiwei_reports::Watch;
use kuaiwei_store::{Account, NewMessage, Store, StoreError};

use crate::staff::{DigestLine, StaffChannels, StaffNotice, to_account};

/// The cases of `watch` that are `account`'s, overdue first (most overdue first), then soonest.
pub fn lines_for(account: &Account, watch: &Watch) -> Vec<DigestLine> {
    let Some(role) = Role::parse(&account.role) else {
        return Vec::new();
    };
    if !matches!(role, Role::Officer | Role::Supervisor) {
        return Vec::new();
    }
    let who = Principal {
        username: account.username.clone(),
        role,
        agency: account.agency.clone(),
    };
    let mut overdue = Vec::new();
    let mut soon = Vec::new();
    for a in &watch.agencies {
        if !kuaiwei_access::can(&who, Action::ReadCase, a.agency.as_deref()) {
            continue;
        }
        for (l, late) in a
            .overdue
            .iter()
            .map(|l| (l, true))
            .chain(a.due_soon.iter().map(|l| (l, false)))
        {
            let theirs = role == Role::Supervisor
                || l.officer.is_none()
                || l.officer.as_deref() == Some(account.username.as_str());
            if !theirs {
                continue;
            }
            let line = DigestLine {
                case_number: l.case_number.clone(),
                agency: a.agency.clone(),
                state: l.state.clone(),
                due_local: l.due_local.clone(),
                days: l.days,
                overdue: late,
                provisional: l.provisional,
            };
            if late {
                overdue.push((l.due, line));
            } else {
                soon.push((l.due, line));
            }
        }
    }
    overdue.sort_by(|x, y| (x.0, &x.1.case_number).cmp(&(y.0, &y.1.case_number)));
    soon.sort_by(|x, y| (x.0, &x.1.case_number).cmp(&(y.0, &y.1.case_number)));
    overdue.into_iter().chain(soon).map(|(_, l)| l).collect()
}

/// The digests of `watch` (taken at its `as_of`): one e-mail to each account with cases in it
/// and an address, keyed by the Beijing date.
pub fn digests(accounts: &[Account], watch: &Watch) -> Vec<NewMessage> {
    let date = kuaiwei_deadlines::local_date(watch.as_of).to_string();
    let mail = StaffChannels {
        email: true,
        sms: false,
    };
    accounts
        .iter()
        .filter(|a| a.contact.email.is_some())
        .flat_map(|a| {
            let lines = lines_for(a, watch);
            if lines.is_empty() {
                return Vec::new();
            }
            let notice = StaffNotice::WatchDigest {
                date: date.clone(),
                days: watch.days,
                lines,
            };
            to_account(
                mail,
                a,
                &notice,
                Some(&format!("watch:{date}:{}", a.username)),
            )
        })
        .collect()
}

/// What a run wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DigestRun {
    /// The accounts with cases in the watch and an address.
    pub recipients: usize,
    /// The messages written now (0 when the day's were written before).
    pub written: u64,
}

/// Writes the digests of `watch` to the outbox, due at `now`.
pub async fn write(
    store: &dyn Store,
    watch: &Watch,
    now: Timestamp,
) -> Result<DigestRun, StoreError> {
    let accounts = store.accounts().await?;
    let messages = digests(&accounts, watch);
    let written = store.write_messages(&messages, now).await?;
    Ok(DigestRun {
        recipients: messages.len(),
        written,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kuaiwei_reports::{AgencyWatch, WatchLine};

    fn account(username: &str, role: &str, agency: Option<&str>, email: Option<&str>) -> Account {
        let at: Timestamp = "2026-10-01T00:00:00Z".parse().unwrap();
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
                email: email.map(str::to_string),
                ..Default::default()
            },
        }
    }

    fn line(case: &str, due: &str, officer: Option<&str>) -> WatchLine {
        WatchLine {
            case_number: case.into(),
            state: "opened".into(),
            state_zh: "已立案".into(),
            due: due.parse().unwrap(),
            due_local: due.into(),
            days: 1,
            officer: officer.map(str::to_string),
            supervised: false,
            provisional: false,
        }
    }

    fn agency(key: &str, overdue: Vec<WatchLine>, due_soon: Vec<WatchLine>) -> AgencyWatch {
        AgencyWatch {
            agency: Some(key.into()),
            label_zh: key.into(),
            label_en: key.into(),
            overdue,
            due_soon,
            officers: Vec::new(),
        }
    }

    fn watch() -> Watch {
        Watch {
            // 23:30 UTC is already the next day in Beijing
            as_of: "2026-10-14T23:30:00Z".parse().unwrap(),
            days: 7,
            overdue: 2,
            due_soon: 2,
            agencies: vec![
                agency(
                    "customs",
                    vec![line(
                        "KW-2026-000009",
                        "2026-10-10T00:00:00Z",
                        Some("officer.wu"),
                    )],
                    vec![],
                ),
                agency(
                    "market_regulation",
                    vec![line(
                        "KW-2026-000002",
                        "2026-10-12T00:00:00Z",
                        Some("officer.li"),
                    )],
                    vec![
                        line("KW-2026-000003", "2026-10-16T00:00:00Z", None),
                        line("KW-2026-000001", "2026-10-17T00:00:00Z", Some("officer.ma")),
                    ],
                ),
            ],
        }
    }

    fn cases(lines: &[DigestLine]) -> Vec<&str> {
        lines.iter().map(|l| l.case_number.as_str()).collect()
    }

    #[test]
    fn each_reader_gets_the_cases_of_their_reach_overdue_first() {
        let w = watch();
        let li = account("officer.li", "officer", Some("market_regulation"), None);
        assert_eq!(
            cases(&lines_for(&li, &w)),
            ["KW-2026-000002", "KW-2026-000003"],
            "their own and the one nobody opened, not a colleague's or another agency's"
        );
        let head = account(
            "supervisor.zhao",
            "supervisor",
            Some("market_regulation"),
            None,
        );
        assert_eq!(
            cases(&lines_for(&head, &w)),
            ["KW-2026-000002", "KW-2026-000003", "KW-2026-000001"]
        );
        let centre = account("supervisor.chen", "supervisor", None, None);
        assert_eq!(
            cases(&lines_for(&centre, &w)),
            [
                "KW-2026-000009",
                "KW-2026-000002",
                "KW-2026-000003",
                "KW-2026-000001"
            ]
        );
        let caseworker = account("wang", "caseworker", None, None);
        assert!(lines_for(&caseworker, &w).is_empty());
        assert!(lines_for(&li, &w)[0].overdue && !lines_for(&li, &w)[1].overdue);
    }

    #[test]
    fn one_digest_per_reader_with_an_address_and_cases_keyed_by_the_beijing_date() {
        let accounts = [
            account(
                "officer.li",
                "officer",
                Some("market_regulation"),
                Some("li@amr.example.gov.cn"),
            ),
            account("officer.nomail", "officer", Some("market_regulation"), None),
            account(
                "officer.idle",
                "officer",
                Some("copyright"),
                Some("idle@example.gov.cn"),
            ),
            account(
                "supervisor.zhao",
                "supervisor",
                None,
                Some("zhao@example.gov.cn"),
            ),
        ];
        let m = digests(&accounts, &watch());
        assert_eq!(
            m.iter().map(|m| m.recipient.as_str()).collect::<Vec<_>>(),
            ["li@amr.example.gov.cn", "zhao@example.gov.cn"]
        );
        assert_eq!(
            m[0].dedup_key.as_deref(),
            Some("watch:2026-10-15:officer.li:email")
        );
        assert_eq!(m[0].notice["kind"], "watch_digest");
        assert_eq!(m[0].notice["date"], "2026-10-15");
        assert_eq!(m[1].notice["lines"].as_array().unwrap().len(), 4);
    }
}
