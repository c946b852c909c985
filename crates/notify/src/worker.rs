//! The delivery worker: sends what the outbox holds when it is due, records each attempt, and
//! retries with growing delays until the receiver accepts or the attempts run out.
//!
//! Each message goes out at least once; a retry carries the same key (the mail's Message-ID,
//! the POST's `X-Kuaiwei-Delivery`), so a receiver that did get an attempt whose answer was
//! lost acts on it once. A message accepted is never sent again.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use kuaiwei_store::{DeliveryOutcome, OutboxMessage, Store, StoreError};

use crate::channel::{Attempt, Poster, Smtp};
use crate::staff::{self, StaffChannels, StaffNotice};
use crate::template::{self, Lang, Notice};

/// A signed HTTP receiver: the SMS gateway or a platform's webhook.
#[derive(Clone)]
pub struct HttpTarget {
    pub url: String,
    pub secret: Vec<u8>,
}

/// When to try again: `first` after the first failure, doubling up to an hour, at most
/// `attempts` in all (default 30 s and 8: the last about an hour and a half after the first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            first: Duration::from_secs(30),
            attempts: 8,
        }
    }
}

impl Backoff {
    /// The delay after the `n`-th failed attempt (1-based).
    pub fn delay(&self, n: u32) -> Duration {
        let factor = 2u32.saturating_pow(n.saturating_sub(1).min(16));
        (self.first.saturating_mul(factor)).min(Duration::from_secs(3600))
    }
}

/// The configured channels.
#[derive(Clone)]
pub struct Channels {
    pub email: Option<Smtp>,
    pub sms: Option<HttpTarget>,
    /// Per filing source (`api:taobao`): the platform's webhook.
    pub webhooks: HashMap<String, HttpTarget>,
    pub poster: Poster,
    /// The address complainants reach kuaiwei at (`https://ipc.example.cn`), for the links.
    pub public_url: String,
    pub backoff: Backoff,
}

/// Which channels are on, never their secrets.
impl std::fmt::Debug for Channels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Channels")
            .field("email", &self.email.is_some())
            .field("sms", &self.sms.as_ref().map(|t| &t.url))
            .field("webhooks", &self.webhook_sources())
            .field("public_url", &self.public_url)
            .field("backoff", &self.backoff)
            .finish()
    }
}

impl Channels {
    /// What a filing may write messages for.
    pub fn configured<'a>(&self, webhooks: &'a [String]) -> crate::Configured<'a> {
        crate::Configured {
            email: self.email.is_some(),
            sms: self.sms.is_some(),
            webhooks,
        }
    }

    /// The filing sources with a webhook.
    pub fn webhook_sources(&self) -> Vec<String> {
        let mut v: Vec<String> = self.webhooks.keys().cloned().collect();
        v.sort();
        v
    }

    /// Which channels staff are told on.
    pub fn staff(&self) -> StaffChannels {
        StaffChannels {
            email: self.email.is_some(),
            sms: self.sms.is_some(),
        }
    }

    /// Sends `w` to `to`, with a Message-ID the same on every retry of message `key`.
    async fn mail(&self, to: &str, w: &template::Written, key: &str) -> Attempt {
        let Some(smtp) = &self.email else {
            return Attempt::Retry("e-mail is not configured".into());
        };
        let host = self
            .public_url
            .split("://")
            .nth(1)
            .unwrap_or("kuaiwei.local")
            .trim_end_matches('/');
        smtp.send(to, &w.subject, &w.text, &format!("<{key}@{host}>"))
            .await
    }

    /// Posts an SMS to the gateway.
    async fn text(&self, to: &str, text: String, case: Option<&str>, key: &str) -> Attempt {
        let Some(t) = &self.sms else {
            return Attempt::Retry("the SMS gateway is not configured".into());
        };
        let body = serde_json::json!({"to": to, "text": text, "case_number": case});
        self.poster
            .post(&t.url, &t.secret, key, body.to_string().as_bytes())
            .await
    }

    async fn attempt(&self, m: &OutboxMessage) -> Attempt {
        let key = format!("kw-{}", m.id);
        let lang = Lang::from_key(&m.lang);
        let case = m.case_number.as_ref().map(|c| c.as_str());
        if m.staff.is_some() {
            let notice: StaffNotice = match serde_json::from_value(m.notice.clone()) {
                Ok(n) => n,
                Err(e) => return Attempt::Failed(format!("unreadable notice: {e}")),
            };
            return match m.channel.as_str() {
                "email" => {
                    let w = staff::email(&notice, case, &self.public_url, lang);
                    self.mail(&m.recipient, &w, &key).await
                }
                "sms" => {
                    let text = staff::sms(&notice, case, &self.public_url, lang);
                    self.text(&m.recipient, text, case, &key).await
                }
                other => Attempt::Failed(format!("staff are not told by {other}")),
            };
        }
        let notice: Notice = match serde_json::from_value(m.notice.clone()) {
            Ok(n) => n,
            Err(e) => return Attempt::Failed(format!("unreadable notice: {e}")),
        };
        let Some(case) = case else {
            return Attempt::Failed("a complainant's message names no case".into());
        };
        let track = format!("{}/track", self.public_url.trim_end_matches('/'));
        match m.channel.as_str() {
            "email" => {
                let w = template::email(&notice, case, &track, lang);
                self.mail(&m.recipient, &w, &key).await
            }
            "sms" => {
                let text = template::sms(&notice, case, &track, lang);
                self.text(&m.recipient, text, Some(case), &key).await
            }
            "webhook" => {
                let Some(t) = self.webhooks.get(&m.recipient) else {
                    return Attempt::Retry(format!("no webhook is configured for {}", m.recipient));
                };
                let body = template::webhook(&notice, case, m.created_at);
                self.poster
                    .post(&t.url, &t.secret, &key, body.to_string().as_bytes())
                    .await
            }
            other => Attempt::Failed(format!("unknown channel {other}")),
        }
    }
}

/// Sends every message due at `now` (at most 100), recording each attempt; how many went.
pub async fn deliver_due(
    store: &dyn Store,
    channels: &Channels,
    now: Timestamp,
) -> Result<usize, StoreError> {
    let due = store.due_messages(now, 100).await?;
    let mut sent = 0;
    for m in &due {
        let attempt = channels.attempt(m).await;
        let at = Timestamp::now().max(now);
        let n = m.attempts + 1;
        let outcome = match &attempt {
            Attempt::Sent(_) => {
                sent += 1;
                DeliveryOutcome::Sent
            }
            Attempt::Retry(_) if n < channels.backoff.attempts => {
                let delay = SignedDuration::try_from(channels.backoff.delay(n))
                    .unwrap_or(SignedDuration::from_hours(1));
                DeliveryOutcome::Retry {
                    next_at: at + delay,
                }
            }
            Attempt::Retry(_) | Attempt::Failed(_) => DeliveryOutcome::Failed,
        };
        let detail = match &attempt {
            Attempt::Sent(d) | Attempt::Retry(d) | Attempt::Failed(d) => d.clone(),
        };
        if outcome == DeliveryOutcome::Failed {
            tracing::warn!(message = m.id, case = ?m.case_number.as_ref().map(|c| c.as_str()), staff = ?m.staff, channel = %m.channel, %detail, "message could not be delivered; given up");
        }
        store.record_delivery(m.id, at, outcome, &detail).await?;
    }
    Ok(sent)
}

/// Delivers for as long as the server runs, looking every second.
pub async fn follow(store: Arc<dyn Store>, channels: Channels) {
    loop {
        match deliver_due(store.as_ref(), &channels, Timestamp::now()).await {
            Ok(_) => tokio::time::sleep(Duration::from_secs(1)).await,
            Err(e) => {
                tracing::warn!(error = %e, "delivering messages failed; retrying");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delays_double_from_the_first_up_to_an_hour() {
        let b = Backoff::default();
        assert_eq!(b.delay(1), Duration::from_secs(30));
        assert_eq!(b.delay(2), Duration::from_secs(60));
        assert_eq!(b.delay(4), Duration::from_secs(240));
        assert_eq!(b.delay(8), Duration::from_secs(3600));
        assert_eq!(b.delay(40), Duration::from_secs(3600));
    }
}
