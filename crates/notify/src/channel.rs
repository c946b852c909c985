//! The channels a message goes out on: e-mail over SMTP (lettre), and signed JSON POSTs over
//! HTTP(S) for the SMS gateway and platform webhooks. Each attempt ends [`Attempt::Sent`],
//! [`Attempt::Retry`] (a timeout, a refused connection, a 5xx, a redirect, a 408 or 429: worth
//! trying again later) or [`Attempt::Failed`] (the receiver refuses it for good).

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Deserialize;

use crate::sign;

/// How one attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// Accepted by the receiver (what it said, e.g. the SMTP reply or the HTTP status).
    Sent(String),
    /// Not accepted now; try again later.
    Retry(String),
    /// Refused for good (an address the mail server rejects, a 4xx from a gateway).
    Failed(String),
}

/// How the connection to the mail server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// STARTTLS on the submission port (587): the usual choice.
    #[default]
    Starttls,
    /// TLS from the first byte (465).
    Tls,
    /// No encryption: only for a relay on the same host or network (port 25).
    None,
}

/// `[notify.email]` in the config file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    pub port: Option<u16>,
    #[serde(default)]
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, e.g. `快维维权中心 <noreply@ipc.example.cn>`.
    pub from: String,
}

/// The mail server, ready to send.
#[derive(Clone)]
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Smtp {
    /// Checks the settings (the sender address, the host) without connecting.
    pub fn new(s: &SmtpSettings) -> Result<Smtp, String> {
        let from: Mailbox = s
            .from
            .parse()
            .map_err(|e| format!("notify.email.from `{}`: {e}", s.from))?;
        let builder = match s.security {
            SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host)
                .map_err(|e| format!("notify.email.host `{}`: {e}", s.host))?,
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host)
                .map_err(|e| format!("notify.email.host `{}`: {e}", s.host))?,
            SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host),
        };
        let mut builder = builder.timeout(Some(Duration::from_secs(20)));
        if let Some(port) = s.port {
            builder = builder.port(port);
        }
        match (&s.username, &s.password) {
            (Some(u), Some(p)) => {
                builder = builder.credentials(Credentials::new(u.clone(), p.clone()))
            }
            (None, None) => {}
            _ => return Err("notify.email: username and password go together".into()),
        }
        Ok(Smtp {
            transport: builder.build(),
            from,
        })
    }

    /// Sends one plain-text mail. `message_id` is the same on every retry, so a mail server or
    /// reader that saw it already can tell.
    pub async fn send(&self, to: &str, subject: &str, text: &str, message_id: &str) -> Attempt {
        let to: Mailbox = match to.parse() {
            Ok(m) => m,
            Err(e) => return Attempt::Failed(format!("bad address: {e}")),
        };
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(message_id.to_string()))
            // base64: Chinese text arrives intact through any relay
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .header(ContentTransferEncoding::Base64)
                    .body(text.to_string()),
            );
        let message = match message {
            Ok(m) => m,
            Err(e) => return Attempt::Failed(format!("cannot build the mail: {e}")),
        };
        match self.transport.send(message).await {
            Ok(r) => Attempt::Sent(format!("smtp {}", r.code())),
            Err(e) if e.is_permanent() => Attempt::Failed(e.to_string()),
            Err(e) => Attempt::Retry(e.to_string()),
        }
    }
}

/// A signed JSON POST to a URL: the SMS gateway, a platform's webhook.
#[derive(Clone)]
pub struct Poster {
    client: Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl Poster {
    pub fn new() -> Result<Poster, String> {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()
            .map_err(|e| format!("the system's CA certificates cannot be read: {e}"))?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Poster {
            client: Client::builder(TokioExecutor::new()).build(https),
        })
    }

    /// POSTs `body` to `url`, signed with `secret` under the delivery key `delivery`; 10 s at
    /// most. Redirects are not followed (a moved receiver is a configuration to fix).
    pub async fn post(&self, url: &str, secret: &[u8], delivery: &str, body: &[u8]) -> Attempt {
        let timestamp = jiff::Timestamp::now().as_second();
        let request = hyper::Request::post(url)
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .header(sign::DELIVERY, delivery)
            .header(sign::TIMESTAMP, timestamp.to_string())
            .header(
                sign::SIGNATURE,
                sign::signature(secret, timestamp, delivery, body),
            )
            .body(Full::new(Bytes::copy_from_slice(body)));
        let request = match request {
            Ok(r) => r,
            Err(e) => return Attempt::Failed(format!("bad url {url}: {e}")),
        };
        let sent = tokio::time::timeout(Duration::from_secs(10), async {
            let response = self.client.request(request).await?;
            let status = response.status();
            // read (and drop) the answer so the connection can be reused
            let _ = response.into_body().collect().await;
            Ok::<_, hyper_util::client::legacy::Error>(status)
        })
        .await;
        match sent {
            Err(_) => Attempt::Retry("timed out after 10 s".into()),
            Ok(Err(e)) => Attempt::Retry(format!("connection: {e}")),
            Ok(Ok(s)) if s.is_success() => Attempt::Sent(format!("http {}", s.as_u16())),
            Ok(Ok(s)) if s.is_redirection() => {
                Attempt::Retry(format!("http {} (redirects are not followed)", s.as_u16()))
            }
            Ok(Ok(s)) if s.is_server_error() || s.as_u16() == 408 || s.as_u16() == 429 => {
                Attempt::Retry(format!("http {}", s.as_u16()))
            }
            Ok(Ok(s)) => Attempt::Failed(format!("http {}", s.as_u16())),
        }
    }
}
