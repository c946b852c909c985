//! What a case step tells the complainant, in the language they filed in: the subject and text
//! of an e-mail, the shorter text of an SMS, and the JSON a platform's webhook receives. Pure.

use kuaiwei_domain::Outcome;
use kuaiwei_routing::{Agency, MaterialKind};
use serde::{Deserialize, Serialize};

/// The language a message is written in: the complainant's as filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Lang {
    #[serde(rename = "zh-CN")]
    Zh,
    En,
}

impl Lang {
    pub fn key(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn from_key(key: &str) -> Lang {
        if key.starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }
}

/// A step the complainant is told of, as the outbox keeps it (rendered when it is sent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// The complaint is filed: the case number and the tracking link with its token (the
    /// token is removed from the outbox once the message is sent or given up).
    Received {
        #[serde(default)]
        token: String,
    },
    /// 补正: what is missing and why.
    SupplementRequested {
        missing: Vec<String>,
        reason: String,
    },
    /// Sent to the authority that must act.
    Routed { agency: String },
    /// 立案.
    Opened,
    /// Not accepted, with the reason.
    Refused { reason: String },
    /// Closed, with the outcome.
    Closed { outcome: Outcome },
}

impl Notice {
    /// The event kind the notice follows (`received`, `request_supplement` …).
    pub fn kind(&self) -> &'static str {
        match self {
            Notice::Received { .. } => "received",
            Notice::SupplementRequested { .. } => "request_supplement",
            Notice::Routed { .. } => "route",
            Notice::Opened => "open",
            Notice::Refused { .. } => "refuse",
            Notice::Closed { .. } => "close",
        }
    }

    /// The case state the step led to, for a platform's webhook.
    pub fn state(&self) -> &'static str {
        match self {
            Notice::Received { .. } => "received",
            Notice::SupplementRequested { .. } => "supplement_requested",
            Notice::Routed { .. } => "routed",
            Notice::Opened => "opened",
            Notice::Refused { .. } => "refused",
            Notice::Closed { .. } => "closed",
        }
    }
}

/// A written message: the subject (e-mail) and the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub subject: String,
    pub text: String,
}

fn agency_name(key: &str, lang: Lang) -> String {
    match (Agency::from_key(key), lang) {
        (Some(a), Lang::Zh) => a.zh().to_string(),
        (Some(a), Lang::En) => a.en().to_string(),
        (None, _) => key.to_string(),
    }
}

fn material_names(keys: &[String], lang: Lang) -> Vec<String> {
    keys.iter()
        .map(|k| match (MaterialKind::from_key(k), lang) {
            (Some(m), Lang::Zh) => m.zh().to_string(),
            (Some(m), Lang::En) => m.en().to_string(),
            (None, _) => k.clone(),
        })
        .collect()
}

/// The e-mail for `notice` on case `case`; `track` is the page where the complainant follows
/// the case (the receipt carries the link with its token instead).
pub fn email(notice: &Notice, case: &str, track: &str, lang: Lang) -> Written {
    let tracking_url = match notice {
        Notice::Received { token } => format!("{track}#n={case}&t={token}"),
        _ => String::new(),
    };
    let (subject, lines): (String, Vec<String>) = match (notice, lang) {
        (Notice::Received { .. }, Lang::Zh) => (
            format!("投诉已收到：{case}"),
            vec![
                format!("您的投诉已收到，案件编号 {case}。"),
                format!("凭此链接随时查看办理进度并补充材料：{tracking_url}"),
                "请妥善保存此链接，勿转发他人。".into(),
            ],
        ),
        (Notice::Received { .. }, Lang::En) => (
            format!("Complaint received: {case}"),
            vec![
                format!("Your complaint has been received as case {case}."),
                format!("Follow it and send further materials at: {tracking_url}"),
                "Keep this link to yourself.".into(),
            ],
        ),
        (Notice::SupplementRequested { missing, reason }, Lang::Zh) => (
            format!("请补正材料：{case}"),
            vec![
                format!("案件 {case} 需要您补正以下材料："),
                material_names(missing, lang)
                    .iter()
                    .map(|m| format!("  · {m}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
                format!("说明：{reason}"),
                format!("请尽快通过查询页面提交（展会期间请在闭馆前提交）：{track}"),
            ],
        ),
        (Notice::SupplementRequested { missing, reason }, Lang::En) => (
            format!("Materials needed: {case}"),
            vec![
                format!("Case {case} needs the following from you:"),
                material_names(missing, lang)
                    .iter()
                    .map(|m| format!("  · {m}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
                format!("Why: {reason}"),
                format!(
                    "Please send them soon on the tracking page (at a fair, before it closes): {track}"
                ),
            ],
        ),
        (Notice::Routed { agency }, _) => (
            match lang {
                Lang::Zh => format!("案件已移交主管部门：{case}"),
                Lang::En => format!("Case sent to the competent authority: {case}"),
            },
            vec![match lang {
                Lang::Zh => format!(
                    "案件 {case} 已移交{}办理。进度：{track}",
                    agency_name(agency, lang)
                ),
                Lang::En => format!(
                    "Case {case} has been sent to the {} to act on. Progress: {track}",
                    agency_name(agency, lang)
                ),
            }],
        ),
        (Notice::Opened, Lang::Zh) => (
            format!("案件已立案：{case}"),
            vec![format!("主管部门已对案件 {case} 立案。进度：{track}")],
        ),
        (Notice::Opened, Lang::En) => (
            format!("Case opened: {case}"),
            vec![format!(
                "The authority has opened case {case} (立案). Progress: {track}"
            )],
        ),
        (Notice::Refused { reason }, Lang::Zh) => (
            format!("投诉不予受理：{case}"),
            vec![format!("案件 {case} 不予受理。"), format!("理由：{reason}")],
        ),
        (Notice::Refused { reason }, Lang::En) => (
            format!("Complaint not accepted: {case}"),
            vec![
                format!("Case {case} was not accepted."),
                format!("Reason: {reason}"),
            ],
        ),
        (Notice::Closed { outcome }, Lang::Zh) => (
            format!("案件已办结：{case}"),
            vec![format!(
                "案件 {case} 已办结，结果：{}。详情：{track}",
                outcome.zh()
            )],
        ),
        (Notice::Closed { outcome }, Lang::En) => (
            format!("Case closed: {case}"),
            vec![format!(
                "Case {case} is closed: {}. Details: {track}",
                outcome.en()
            )],
        ),
    };
    let sign_off = match lang {
        Lang::Zh => "——知识产权快速维权中心（系统自动发送，请勿直接回复）",
        Lang::En => "— IP rapid rights-protection centre (sent automatically; do not reply)",
    };
    Written {
        subject,
        text: format!("{}\n\n{sign_off}\n", lines.join("\n")),
    }
}

/// The SMS text: the e-mail's text on one line, without the sign-off, prefixed by the
/// centre's signature as SMS rules require (【…】).
pub fn sms(notice: &Notice, case: &str, track: &str, lang: Lang) -> String {
    let w = email(notice, case, track, lang);
    let body = w
        .text
        .lines()
        .take_while(|l| !l.starts_with("——") && !l.starts_with("— "))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(if lang == Lang::Zh { "" } else { " " });
    match lang {
        Lang::Zh => format!("【快维】{body}"),
        Lang::En => format!("[kuaiwei] {body}"),
    }
}

/// What a platform's webhook receives for a step on a complaint it filed: the case number, the
/// step, the state it led to and what the platform is entitled to (no personal data).
pub fn webhook(notice: &Notice, case: &str, at: jiff::Timestamp) -> serde_json::Value {
    let mut v = serde_json::json!({
        "case_number": case,
        "event": notice.kind(),
        "state": notice.state(),
        "at": at,
    });
    match notice {
        Notice::SupplementRequested { missing, reason } => {
            v["missing"] = serde_json::json!(missing);
            v["reason"] = serde_json::json!(reason);
        }
        Notice::Routed { agency } => v["agency"] = serde_json::json!(agency),
        Notice::Refused { reason } => v["reason"] = serde_json::json!(reason),
        Notice::Closed { outcome } => v["outcome"] = serde_json::json!(outcome),
        Notice::Received { .. } | Notice::Opened => {}
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_supplement_request_names_the_materials_and_the_reason_in_the_complainants_language() {
        let n = Notice::SupplementRequested {
            missing: vec!["power_of_attorney".into(), "营业执照复印件".into()],
            reason: "委托书未签章".into(),
        };
        let zh = email(&n, "KW-2026-000042", "https://kw.example/track", Lang::Zh);
        assert_eq!(zh.subject, "请补正材料：KW-2026-000042");
        assert!(zh.text.contains("授权委托书"), "{}", zh.text);
        assert!(zh.text.contains("营业执照复印件") && zh.text.contains("委托书未签章"));
        let en = email(&n, "KW-2026-000042", "https://kw.example/track", Lang::En);
        assert!(en.text.contains("power of attorney"), "{}", en.text);
        assert!(
            !en.text.contains("授权委托书") && en.subject.is_ascii(),
            "{en:?}"
        );
        let s = sms(&n, "KW-2026-000042", "https://kw.example/track", Lang::Zh);
        assert!(
            s.starts_with("【快维】") && !s.contains('\n') && !s.contains("请勿直接回复"),
            "{s}"
        );
    }

    #[test]
    fn every_notice_has_a_subject_and_text_in_both_languages_and_a_webhook_body_without_personal_data()
     {
        let notices = [
            Notice::Received {
                token: "abc".into(),
            },
            Notice::SupplementRequested {
                missing: vec!["right_certificate".into()],
                reason: "缺证书".into(),
            },
            Notice::Routed {
                agency: "market_regulation".into(),
            },
            Notice::Opened,
            Notice::Refused {
                reason: "不属于受理范围".into(),
            },
            Notice::Closed {
                outcome: Outcome::ExhibitsWithdrawn,
            },
        ];
        for n in &notices {
            for lang in [Lang::Zh, Lang::En] {
                let w = email(n, "KW-2026-000042", "https://kw.example/track", lang);
                assert!(w.subject.contains("KW-2026-000042"), "{n:?}");
                assert!(w.text.contains("KW-2026-000042"), "{n:?}");
            }
            let at: jiff::Timestamp = "2026-10-15T02:00:00Z".parse().unwrap();
            let v = webhook(n, "KW-2026-000042", at);
            assert_eq!(v["event"], n.kind());
            assert!(v.get("token").is_none() && !v.to_string().contains("abc"));
        }
        let receipt = email(
            &notices[0],
            "KW-2026-000042",
            "https://kw.example/track",
            Lang::Zh,
        );
        assert!(
            receipt
                .text
                .contains("https://kw.example/track#n=KW-2026-000042&t=abc"),
            "{}",
            receipt.text
        );
        let routed = email(&notices[2], "KW-2026-000042", "t", Lang::Zh);
        assert!(routed.text.contains("市场监"), "{}", routed.text);
        let closed = email(&notices[5], "KW-2026-000042", "t", Lang::En);
        assert!(
            closed.text.contains("exhibits withdrawn"),
            "{}",
            closed.text
        );
    }
}
