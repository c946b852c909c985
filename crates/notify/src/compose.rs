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
        });
    }
    if let (true, Some(m)) = (configured.sms, mobile) {
        out.push(NewMessage {
            channel: "sms".into(),
            recipient: m.as_str().to_string(),
            shown_to: m.masked(),
            lang: lang.key().into(),
            notice: notice.clone(),
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
        });
    }
    out
}

/// A later step's messages: `notice`, to each recipient the case's receipt went to, in the
/// receipt's language.
pub fn follow_up(messages: &[OutboxMessage], notice: &Notice) -> Vec<NewMessage> {
    messages
        .iter()
        .filter(|m| m.notice["kind"] == "received")
        .map(|m| NewMessage {
            channel: m.channel.clone(),
            recipient: m.recipient.clone(),
            shown_to: m.shown_to.clone(),
            lang: m.lang.clone(),
            notice: json(notice),
        })
        .collect()
}
