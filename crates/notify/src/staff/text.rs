//! The words of a staff notice: the e-mail's subject and text and the SMS, in the reader's
//! language. Pure.

use kuaiwei_deadlines::Amount;
use kuaiwei_domain::CaseState;
use kuaiwei_routing::Agency;

use super::{DigestLine, StaffNotice};
use crate::template::{Lang, Written};

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
        StaffNotice::DenyTransfer { by, reason } if zh => (
            format!("移送未获批准：{case}"),
            vec![
                format!("{by} 未批准移送案件 {case}，本案继续按行政案件办理。"),
                format!("理由：{reason}"),
                format!("案件：{page}"),
            ],
        ),
        StaffNotice::DenyTransfer { by, reason } => (
            format!("Transfer refused: {case}"),
            vec![
                format!(
                    "{by} refused transferring case {case}; it goes on as an administrative case."
                ),
                format!("Reason: {reason}"),
                format!("Case: {page}"),
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
    use super::super::tests::every_notice;
    use super::*;

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
}
