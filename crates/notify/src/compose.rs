//! Who is told what: the messages a filing writes (the receipt, to the filer's e-mail and
//! mobile on the configured channels, and the callback to the platform that filed), and the
//! messages of a later step, sent to the same recipients in the same language. Pure.

use kuaiwei_domain::Complaint;
use kuaiwei_store::{NewMessage, OutboxMessage};

use crate::template::{Lang, Notice};

/// The channels configured, as the filing sees them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Configured<'a> {
    pub email: bool,
    pub sms: bool,
    /// The filing sources (`api:taobao`) that have a webhook.
    pub webhooks: &'a [String],
}

fn json(notice: &Notice) -> serde_json::Value {
    // a plain enum of strings: cannot fail
    serde_json::to_value(notice).unwrap_or_default()
}

/// The receipt of a filing: to the filer (the agent who files for a rights holder, else the
/// complainant) by e-mail and SMS where given and configured, and to the platform that filed
/// with an API key (`source`) where it has a webhook. `token` is the receipt's tracking token.
pub fn receipt(
    configured: &Configured<'_>,
    complaint: &Complaint,
    source: Option<&str>,
    lang: Lang,
    token: &str,
) -> Vec<NewMessage> {
    let notice = json(&Notice::Received {
        token: token.to_string(),
    });
    let (email, mobile) = match &complaint.agent {
        Some(a) if a.email.is_some() || a.mobile.is_some() => (a.email.as_ref(), a.mobile.as_ref()),
        _ => (
            complaint.complainant.email.as_ref(),
            complaint.complainant.mobile.as_ref(),
        ),
    };
    let mut out = Vec::new();
    if let (true, Some(e)) = (configured.email, email) {
        out.push(NewMessage {
            channel: "email".into(),
            recipient: e.as_str().to_string(),
            shown_to: kuaiwei_domain::pii::email(e.as_str()),
            lang: lang.key().into(),
            notice: notice.clone(),
            staff: None,
            dedup_key: None,
        });
    }
    if let (true, Some(m)) = (configured.sms, mobile) {
        out.push(NewMessage {
            channel: "sms".into(),
            recipient: m.as_str().to_string(),
            shown_to: m.masked(),
            lang: lang.key().into(),
            notice: notice.clone(),
            staff: None,
            dedup_key: None,
        });
    }
    if let Some(source) = source.filter(|s| configured.webhooks.iter().any(|w| w == s)) {
        out.push(NewMessage {
            channel: "webhook".into(),
            recipient: source.to_string(),
            shown_to: source.to_string(),
            lang: lang.key().into(),
            notice: json(&Notice::Received {
                token: String::new(),
            }),
            staff: None,
            dedup_key: None,
        });
    }
    out
}

/// A later step's messages: `notice`, to each recipient the case's receipt went to, in the
/// receipt's language.
pub fn follow_up(messages: &[OutboxMessage], notice: &Notice) -> Vec<NewMessage> {
    messages
        .iter()
        .filter(|m| m.notice["kind"] == "received" && m.opted_out_at.is_none())
        .map(|m| NewMessage {
            channel: m.channel.clone(),
            recipient: m.recipient.clone(),
            shown_to: m.shown_to.clone(),
            lang: m.lang.clone(),
            notice: json(notice),
            staff: None,
            dedup_key: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complaint(with_agent: bool) -> Complaint {
        let mut v = serde_json::json!({
            "channel": {"kind": "fair", "fair_name": "第138届广交会", "booth": "16.1K05"},
            "complainant": {"kind": "organisation", "name": "耐克创新有限合伙公司",
                            "mobile": "13812345678", "email": "legal@nike.example"},
            "rights": [{"kind": "trademark", "number": "1234567", "nice_classes": [25]}],
            "respondent": {"name": "某鞋业有限公司"},
            "description": "展出的运动鞋使用了与注册商标相同的标识",
        });
        if with_agent {
            v["agent"] = serde_json::json!({"name": "广州某知识产权代理有限公司",
                "email": "agent@ip.example", "power_of_attorney_ref": "POA-1"});
        }
        serde_json::from_value::<kuaiwei_domain::input::ComplaintInput>(v)
            .expect("input")
            .validate_on(jiff::civil::date(2026, 10, 15))
            .expect("valid")
    }

    #[test]
    fn the_receipt_goes_to_the_filer_on_each_configured_channel_and_to_the_platform() {
        let hooks = vec!["api:taobao".to_string()];
        let all = Configured {
            email: true,
            sms: true,
            webhooks: &hooks,
        };
        let m = receipt(&all, &complaint(false), Some("api:taobao"), Lang::En, "tok");
        let to: Vec<(&str, &str)> = m
            .iter()
            .map(|m| (m.channel.as_str(), m.recipient.as_str()))
            .collect();
        assert_eq!(
            to,
            [
                ("email", "legal@nike.example"),
                ("sms", "13812345678"),
                ("webhook", "api:taobao")
            ]
        );
        assert!(m.iter().all(|m| m.lang == "en"));
        assert_eq!(m[1].shown_to, "138****5678");
        assert!(!m[0].shown_to.contains("legal@"), "{}", m[0].shown_to);
        assert_eq!(m[0].notice["token"], "tok");
        assert_eq!(
            m[2].notice["token"], "",
            "the platform never gets the token"
        );
        // an agent who files is the one told; e-mail only, as the agent gave no mobile
        let by_agent = receipt(&all, &complaint(true), None, Lang::Zh, "tok");
        assert_eq!(by_agent.len(), 1);
        assert_eq!(by_agent[0].recipient, "agent@ip.example");
        // nothing configured, nothing written; a source without a webhook gets none
        assert!(
            receipt(
                &Configured::default(),
                &complaint(false),
                Some("api:taobao"),
                Lang::Zh,
                "t"
            )
            .is_empty()
        );
        let mail_only = Configured {
            email: true,
            ..Configured::default()
        };
        assert_eq!(
            receipt(&mail_only, &complaint(false), Some("api:jd"), Lang::Zh, "t").len(),
            1
        );
    }
}
