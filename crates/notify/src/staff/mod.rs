//! What staff are told, in the account's language (zh-CN unless an administrator set `en`):
//! a supervisor's decision on an extension or a transfer, to the officer who asked; a new request,
//! to the supervisors who may decide it; the daily watch digest ([`crate::digest`]). Each links
//! to the page where the reader acts, on `notify.public_url`. Never the complainant's personal
//! data: the case number, the agency, the amount, who asked or decided and the reason staff
//! wrote, as the case page shows them to the staff told. Pure.

mod text;

use kuaiwei_store::{Account, NewMessage};
use serde::{Deserialize, Serialize};

use crate::template::Lang;

pub use text::{email, sms};

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
    /// To the officer who proposed it: the head refused the transfer, with the reason; the case
    /// goes on as an administrative one.
    DenyTransfer { by: String, reason: String },
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

#[cfg(test)]
pub(crate) mod tests {
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

    pub(super) fn every_notice() -> Vec<StaffNotice> {
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
            StaffNotice::DenyTransfer {
                by: "赵敏 (supervisor.zhao)".into(),
                reason: "证据不足以证明涉嫌犯罪".into(),
            },
        ]
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
