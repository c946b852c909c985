//! The outbox: messages a case step (or a filing) must send, written in the step's own
//! transaction and sent afterwards by the delivery worker (`kuaiwei-notify`), which records each
//! attempt here. A message is `pending` until the receiver accepts it (`sent`) or the attempts
//! run out (`failed`, shown to administrators).

use jiff::Timestamp;
use kuaiwei_domain::CaseNumber;

/// A message to send, as a step writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    /// `email`, `sms` or `webhook`.
    pub channel: String,
    /// The address, the mobile number, or the filing source (`api:taobao`) of a webhook.
    pub recipient: String,
    /// The recipient as the case's timeline shows it (masked: `z***@example.com`, `138****5678`).
    pub shown_to: String,
    /// The language it is written in (`zh-CN`, `en`).
    pub lang: String,
    /// What happened, as data (`kuaiwei_notify::Notice`, or `kuaiwei_notify::StaffNotice` for
    /// staff); rendered when it is sent.
    pub notice: serde_json::Value,
    /// The account told, for a message to staff (never opted out of by a complainant).
    pub staff: Option<String>,
    /// A message written at most once, however often its writer runs (the daily digest:
    /// `watch:2026-10-15:officer.li`); `None` for a step's messages.
    pub dedup_key: Option<String>,
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageState {
    Pending,
    Sent,
    Failed,
}

impl MessageState {
    pub fn key(self) -> &'static str {
        match self {
            MessageState::Pending => "pending",
            MessageState::Sent => "sent",
            MessageState::Failed => "failed",
        }
    }

    pub fn from_key(key: &str) -> Option<MessageState> {
        [
            MessageState::Pending,
            MessageState::Sent,
            MessageState::Failed,
        ]
        .into_iter()
        .find(|s| s.key() == key)
    }
}

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxMessage {
    pub id: i64,
    /// The case it tells of; `None` for a message of no one case (the daily digest).
    pub case_number: Option<CaseNumber>,
    pub channel: String,
    pub recipient: String,
    pub shown_to: String,
    pub lang: String,
    pub notice: serde_json::Value,
    pub state: MessageState,
    /// Attempts made so far.
    pub attempts: u32,
    /// When the next attempt is due (pending messages).
    pub next_attempt_at: Timestamp,
    /// What the receiver said at the last attempt.
    pub last_detail: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    /// When the complainant stopped this channel's messages of the case (never sent after).
    pub opted_out_at: Option<Timestamp>,
    /// The account told, for a message to staff.
    pub staff: Option<String>,
}

/// How one delivery attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    Sent,
    Retry { next_at: Timestamp },
    Failed,
}
