//! What staff are told, in the account's language (zh-CN unless an administrator set `en`):
//! a supervisor's decision on an extension or a transfer, to the officer who asked; a new request,
//! to the supervisors who may decide it; the daily watch digest ([`crate::digest`]). Each links
//! to the page where the reader acts, on `notify.public_url`. Never the complainant's personal
//! data: the case number, the agency, the amount, who asked or decided and the reason staff
//! wrote, as the case page shows them to the staff told. Pure.

use kuaiwei_deadlines::Amount;
use kuaiwei_domain::CaseState;
use kuaiwei_routing::Agency;
use kuaiwei_store::{Account, NewMessage};
use serde::{Deserialize, Serialize};

use crate::template::{Lang, Written};

/// What a member of staff is told, as the outbox keeps it (rendered when it is sent). The kinds
/// are the steps' own keys, so that the case's timeline names them as it names the steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StaffNotice {
    /// An officer asks for an extension (`30d`, `1m` …): to the supervisors who may approve it.
    RequestExtension {
        amount: String,
        by: String,
        reason: String,
    },
    /// To the officer who asked.
    ApproveExtension {
        amount: String,
        by: String,
        reason: Option<String>,
    },
    /// To the officer who asked.
    DenyExtension { by: String, reason: String },
    /// The special team's transfer report (移送): to the supervisors who may approve it.
    ProposeTransfer { by: String, reason: String },
    /// To the officer who proposed it: the case is to be sent within 24 hours (T2).
    ApproveTransfer { by: String, reason: Option<String> },
    /// The daily watch (期限预警): the reader's cases overdue or due within `days` days.
    WatchDigest {
        /// The Beijing date it is for (`2026-10-15`).
        date: String,
        days: u32,
        lines: Vec<DigestLine>,
    },
}

/// One case of a digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestLine {
    pub case_number: String,
    pub agency: Option<String>,
    /// The case state's key.
    pub state: String,
    /// The due instant as a Beijing wall clock (`2026-10-31 24:00`).
    pub due_local: String,
    /// Whole days overdue, or left.
    pub days: u32,
    pub overdue: bool,
    /// The due date depends on a holiday schedule not yet published.
    pub provisional: bool,
}

/// The channels staff are told on, as configured (`[notify.email]`, `[notify.sms]`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StaffChannels {
    pub email: bool,
    pub sms: bool,
}

impl StaffChannels {
    pub fn any(self) -> bool {
        self.email || self.sms
    }
}

/// `by` as a notice names them: the display name and the account.
pub fn who(account: Option<&Account>, username: &str) -> String {
    match account {
        Some(a) if a.display_name != username => format!("{} ({username})", a.display_name),
        _ => username.to_string(),
    }
}

/// `notice`, to `account` on each channel configured for which it gave an address, in its
/// language; a disabled account is told nothing. `dedup_key` makes the message one of a kind
/// (the digest's).
pub fn to_account(
    channels: StaffChannels,
    account: &Account,
    notice: &StaffNotice,
    dedup_key: Option<&str>,
) -> Vec<NewMessage> {
    if account.disabled_at.is_some() {
        return Vec::new();
    }
    // plain data of strings and numbers: cannot fail
    let json = serde_json::to_value(notice).unwrap_or_default();
    let lang = Lang::from_key(&account.contact.lang).key().to_string();
    let c = &account.contact;
    let mut out = Vec::new();
    let mut push = |channel: &str, recipient: &str, masked: String| {
        out.push(NewMessage {
            channel: channel.into(),
            recipient: recipient.into(),
            shown_to: format!("{} · {masked}", account.username),
            lang: lang.clone(),
            notice: json.clone(),
            staff: Some(account.username.clone()),
            dedup_key: dedup_key.map(|k| format!("{k}:{channel}")),
        });
    };
    if let (true, Some(e)) = (channels.email, &c.email) {
        push("email", e, kuaiwei_domain::pii::email(e));
    }
    if let (true, Some(m)) = (channels.sms, &c.mobile) {
        let masked = kuaiwei_domain::MobileNumber::parse(m)
            .map(|n| n.masked())
            .unwrap_or_else(|_| "****".into());
        push("sms", m, masked);
    }
    out
}

fn amount(text: &str, lang: Lang) -> String {
    match (text.parse::<Amount>(), lang) {
        (Ok(a), Lang::Zh) => a.zh(),
        (Ok(a), Lang::En) => a.en(),
        (Err(_), _) => text.to_string(),
    }
}

fn agency(key: Option<&str>, lang: Lang) -> String {
    match (key.and_then(Agency::from_key), lang) {
        (Some(a), Lang::Zh) => a.zh().into(),
        (Some(a), Lang::En) => a.en().into(),
        (None, Lang::Zh) => key.unwrap_or("未分派").into(),
        (None, Lang::En) => key.unwrap_or("not routed").into(),
    }
}

fn state(key: &str, lang: Lang) -> String {
    match (CaseState::parse(key), lang) {
        (Some(s), Lang::Zh) => s.zh().into(),
        (Some(s), Lang::En) => s.en().into(),
        (None, _) => key.into(),
    }
}

fn digest_line(l: &DigestLine, lang: Lang) -> String {
    let (case, agency, state, due) = (
        &l.case_number,
        agency(l.agency.as_deref(), lang),
        state(&l.state, lang),
        &l.due_local,
    );
    match lang {
        Lang::Zh => {
            let mark = if l.provisional {
                "（依暂定节假日）"
            } else {
                ""
            };
            let when = if l.overdue { "已超期" } else { "剩" };
            format!(
                "  · {case} {agency} {state}，到期 {due}{mark}（{when} {} 天）",
                l.days
            )
        }
        Lang::En => {
            let mark = if l.provisional {
                " (provisional calendar)"
            } else {
                ""
            };
            let when = if l.overdue { "overdue" } else { "left" };
            format!(
                "  · {case} {agency} {state}, due {due}{mark} ({} days {when})",
                l.days
            )
        }
    }
}

/// The e-mail for `notice` about `case` (none for the digest); `public_url` is where staff
/// reach kuaiwei (`https://ipc.example.cn`).
pub fn email(notice: &StaffNotice, case: Option<&str>, public_url: &str, lang: Lang) -> Written {
    let page = page(notice, case, public_url);
    let case = case.unwrap_or_default();
    let zh = lang == Lang::Zh;
    let (subject, lines): (String, Vec<String>) = match notice {
        StaffNotice::RequestExtension {
            amount: a,
            by,
            reason,
        } if zh => (
            format!("延长办案期限待审批：{case}"),
            vec![
                format!(
                    "{by} 申请将案件 {case} 的办案期限延长 {}。",
                    amount(a, lang)
                ),
                format!("理由：{reason}"),
                format!("请审批：{page}"),
            ],
        ),
        StaffNotice::RequestExtension {
            amount: a,
            by,
            reason,
        } => (
            format!("Extension awaiting your decision: {case}"),
            vec![
                format!("{by} asks to extend case {case} by {}.", amount(a, lang)),
                format!("Reason: {reason}"),
                format!("Decide at: {page}"),
            ],
        ),
        StaffNotice::ApproveExtension {
            amount: a,
            by,
            reason,
        } => (
            if zh {
                format!("延长申请已批准：{case}")
            } else {
                format!("Extension approved: {case}")
            },
            [
                Some(if zh {
                    format!("{by} 已批准案件 {case} 延长办案期限 {}。", amount(a, lang))
                } else {
                    format!(
                        "{by} approved extending case {case} by {}.",
                        amount(a, lang)
                    )
                }),
                reason.as_ref().map(|r| {
                    if zh {
                        format!("说明：{r}")
                    } else {
                        format!("Note: {r}")
                    }
                }),
                Some(if zh {
                    format!("新的期限见：{page}")
                } else {
                    format!("The new due date: {page}")
                }),
            ]
            .into_iter()
            .flatten()
            .collect(),
        ),
        StaffNotice::DenyExtension { by, reason } if zh => (
            format!("延长申请未获批准：{case}"),
            vec![
                format!("{by} 未批准案件 {case} 的延长申请，原期限不变。"),
                format!("理由：{reason}"),
                format!("案件：{page}"),
            ],
        ),
        StaffNotice::DenyExtension { by, reason } => (
            format!("Extension refused: {case}"),
            vec![
                format!("{by} refused the extension of case {case}; the due date stands."),
                format!("Reason: {reason}"),
                format!("Case: {page}"),
            ],
        ),
        StaffNotice::ProposeTransfer { by, reason } if zh => (
            format!("移送报告待审批：{case}"),
            vec![
                format!("{by} 呈报案件 {case} 的移送报告，须在3日内作出决定。"),
                format!("理由：{reason}"),
                format!("请审批：{page}"),
            ],
        ),
        StaffNotice::ProposeTransfer { by, reason } => (
            format!("Transfer report awaiting your decision: {case}"),
            vec![
                format!(
                    "{by} proposes transferring case {case}; it must be decided within 3 days."
                ),
                format!("Reason: {reason}"),
                format!("Decide at: {page}"),
            ],
        ),
        StaffNotice::ApproveTransfer { by, reason } => (
            if zh {
                format!("移送已批准：{case}")
            } else {
                format!("Transfer approved: {case}")
            },
            [
                Some(if zh {
                    format!("{by} 已批准移送案件 {case}，请在24小时内移送。")
                } else {
                    format!("{by} approved transferring case {case}; send it within 24 hours.")
                }),
                reason.as_ref().map(|r| {
                    if zh {
                        format!("说明：{r}")
                    } else {
                        format!("Note: {r}")
                    }
                }),
                Some(if zh {
                    format!("案件：{page}")
                } else {
                    format!("Case: {page}")
                }),
            ]
            .into_iter()
            .flatten()
            .collect(),
        ),
        StaffNotice::WatchDigest { date, days, lines } => {
            let overdue = lines.iter().filter(|l| l.overdue).count();
            let soon = lines.len() - overdue;
            let mut text = vec![if zh {
                format!(
                    "截至 {date}，您的案件中 {overdue} 件已超期，{soon} 件将在 {days} 日内到期："
                )
            } else {
                format!(
                    "As of {date}, {overdue} of your cases are overdue and {soon} fall due within {days} days:"
                )
            }];
            text.extend(lines.iter().map(|l| digest_line(l, lang)));
            text.push(if zh {
                format!("工作台：{page}")
            } else {
                format!("Your queue: {page}")
            });
            (
                if zh {
                    format!("期限预警 {date}：超期 {overdue} 件，临期 {soon} 件")
                } else {
                    format!("Deadline watch {date}: {overdue} overdue, {soon} due soon")
                },
                text,
            )
        }
    };
    let sign_off = if zh {
        "——快维系统（自动发送，请勿直接回复）"
    } else {
        "— kuaiwei (sent automatically; do not reply)"
    };
    Written {
        subject,
        text: format!("{}\n\n{sign_off}\n", lines.join("\n")),
    }
}

/// Where the reader acts: the case's page, or their queue for the digest.
fn page(notice: &StaffNotice, case: Option<&str>, public_url: &str) -> String {
    let base = public_url.trim_end_matches('/');
    match (notice, case) {
        (StaffNotice::WatchDigest { .. }, _) | (_, None) => format!("{base}/work"),
        (_, Some(case)) => format!("{base}/work/cases/{case}"),
    }
}

/// The SMS text: the e-mail's subject and the link on one line, with the centre's signature.
pub fn sms(notice: &StaffNotice, case: Option<&str>, public_url: &str, lang: Lang) -> String {
    let subject = email(notice, case, public_url, lang).subject;
    let link = page(notice, case, public_url);
    match lang {
        Lang::Zh => format!("【快维】{subject}。{link}"),
        Lang::En => format!("[kuaiwei] {subject}. {link}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn officer(email: Option<&str>, mobile: Option<&str>, lang: &str) -> Account {
        let at: jiff::Timestamp = "2026-10-01T00:00:00Z".parse().unwrap();
        Account {
            username: "officer.li".into(),
            display_name: "李明".into(),
            role: "officer".into(),
            agency: Some("market_regulation".into()),
            password_hash: String::new(),
            created_at: at,
            password_changed_at: at,
            disabled_at: None,
            contact: kuaiwei_store::Contact {
                email: email.map(str::to_string),
                mobile: mobile.map(str::to_string),
                lang: lang.into(),
            },
        }
    }

    fn every_notice() -> Vec<StaffNotice> {
        vec![
            StaffNotice::RequestExtension {
                amount: "30d".into(),
                by: "李明 (officer.li)".into(),
                reason: "需鉴定".into(),
            },
            StaffNotice::ApproveExtension {
                amount: "1m".into(),
                by: "赵敏 (supervisor.zhao)".into(),
                reason: None,
            },
            StaffNotice::DenyExtension {
                by: "赵敏 (supervisor.zhao)".into(),
                reason: "理由不足".into(),
            },
            StaffNotice::ProposeTransfer {
                by: "李明 (officer.li)".into(),
                reason: "涉嫌犯罪".into(),
            },
            StaffNotice::ApproveTransfer {
                by: "赵敏 (supervisor.zhao)".into(),
                reason: Some("同意".into()),
            },
        ]
    }

    #[test]
    fn a_decision_names_the_case_the_amount_and_the_page_in_the_readers_language() {
        let n = &every_notice()[1];
        let zh = email(n, Some("KW-2026-000042"), "https://kw.example/", Lang::Zh);
        assert_eq!(zh.subject, "延长申请已批准：KW-2026-000042");
        assert!(zh.text.contains("延长办案期限 1个月"), "{}", zh.text);
        assert!(
            zh.text
                .contains("https://kw.example/work/cases/KW-2026-000042"),
            "{}",
            zh.text
        );
        let en = email(n, Some("KW-2026-000042"), "https://kw.example", Lang::En);
        assert!(en.text.contains("by 1 month"), "{}", en.text);
        assert!(en.subject.is_ascii(), "{}", en.subject);
        let s = sms(n, Some("KW-2026-000042"), "https://kw.example", Lang::Zh);
        assert_eq!(
            s,
            "【快维】延长申请已批准：KW-2026-000042。https://kw.example/work/cases/KW-2026-000042"
        );
    }

    #[test]
    fn every_staff_notice_reads_back_and_has_both_languages() {
        for n in every_notice() {
            let v = serde_json::to_value(&n).unwrap();
            assert_eq!(serde_json::from_value::<StaffNotice>(v.clone()).unwrap(), n);
            // the kinds are the steps' keys
            assert!(
                kuaiwei_domain::Action::ALL
                    .iter()
                    .any(|a| a.key() == v["kind"].as_str().unwrap()),
                "{v}"
            );
            let zh = email(&n, Some("KW-2026-000042"), "https://kw.example", Lang::Zh);
            let en = email(&n, Some("KW-2026-000042"), "https://kw.example", Lang::En);
            assert!(zh.subject.contains("KW-2026-000042") && en.subject.contains("KW-2026-000042"));
            assert!(!zh.subject.is_ascii() && en.subject.is_ascii(), "{en:?}");
            assert!(zh.text.contains("请勿直接回复") && en.text.contains("do not reply"));
        }
    }

    #[test]
    fn a_digest_lists_each_case_with_its_due_date_and_how_late() {
        let n = StaffNotice::WatchDigest {
            date: "2026-10-15".into(),
            days: 7,
            lines: vec![
                DigestLine {
                    case_number: "KW-2026-000001".into(),
                    agency: Some("market_regulation".into()),
                    state: "opened".into(),
                    due_local: "2026-10-13 24:00".into(),
                    days: 2,
                    overdue: true,
                    provisional: false,
                },
                DigestLine {
                    case_number: "KW-2026-000002".into(),
                    agency: Some("market_regulation".into()),
                    state: "extension_pending".into(),
                    due_local: "2026-10-20 24:00".into(),
                    days: 5,
                    overdue: false,
                    provisional: true,
                },
            ],
        };
        let zh = email(&n, None, "https://kw.example", Lang::Zh);
        assert_eq!(zh.subject, "期限预警 2026-10-15：超期 1 件，临期 1 件");
        assert!(
            zh.text.contains(
                "  · KW-2026-000001 市场监督管理局 已立案，到期 2026-10-13 24:00（已超期 2 天）\n"
            ),
            "{}",
            zh.text
        );
        assert!(
            zh.text
                .contains("延期待批，到期 2026-10-20 24:00（依暂定节假日）（剩 5 天）"),
            "{}",
            zh.text
        );
        assert!(zh.text.contains("https://kw.example/work\n"), "{}", zh.text);
        let en = email(&n, None, "https://kw.example", Lang::En);
        assert!(
            en.text
                .contains("opened, due 2026-10-13 24:00 (2 days overdue)"),
            "{}",
            en.text
        );
        assert!(
            en.text.contains(
                "extension pending, due 2026-10-20 24:00 (provisional calendar) (5 days left)"
            ),
            "{}",
            en.text
        );
    }

    #[test]
    fn an_account_is_told_on_the_channels_configured_it_gave_an_address_for() {
        let n = &every_notice()[2];
        let both = StaffChannels {
            email: true,
            sms: true,
        };
        let li = officer(
            Some("li.ming@amr.example.gov.cn"),
            Some("13912345678"),
            "en",
        );
        let m = to_account(both, &li, n, None);
        assert_eq!(
            m.iter().map(|m| m.channel.as_str()).collect::<Vec<_>>(),
            ["email", "sms"]
        );
        assert!(
            m.iter()
                .all(|m| m.lang == "en" && m.staff.as_deref() == Some("officer.li"))
        );
        assert_eq!(m[0].shown_to, "officer.li · l***@amr.example.gov.cn");
        assert_eq!(m[1].shown_to, "officer.li · 139****5678");
        assert_eq!(m[0].dedup_key, None);
        assert_eq!(m[0].notice["kind"], "deny_extension");
        // e-mail only configured; no address; disabled: nothing on what is missing
        let mail = StaffChannels {
            email: true,
            sms: false,
        };
        assert_eq!(to_account(mail, &li, n, None).len(), 1);
        assert!(to_account(both, &officer(None, None, "zh-CN"), n, None).is_empty());
        let mut gone = li.clone();
        gone.disabled_at = Some("2026-10-02T00:00:00Z".parse().unwrap());
        assert!(to_account(both, &gone, n, None).is_empty());
        let keyed = to_account(mail, &li, n, Some("watch:2026-10-15:officer.li"));
        assert_eq!(
            keyed[0].dedup_key.as_deref(),
            Some("watch:2026-10-15:officer.li:email")
        );
    }
}
