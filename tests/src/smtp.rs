//! An SMTP server for the tests: enough of RFC 5321 (no TLS, no AUTH) for a client to deliver
//! to it; each mail kept with its recipients, its subject and its base64 body decoded.

use std::sync::{Arc, Mutex};

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// One mail as the receiver got it: the recipients, the decoded subject and body.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
}

/// `=?utf-8?b?…?=` words decoded, the rest kept. As RFC 2047 §6.2 reads them: the space between
/// two encoded words is dropped, the space between an encoded word and plain text kept.
fn decode_words(s: &str) -> String {
    let mut out = String::new();
    let mut after_encoded = false;
    for word in s.split_whitespace() {
        let lower = word.to_ascii_lowercase();
        let encoded = lower.starts_with("=?utf-8?b?") && word.ends_with("?=");
        let joined = encoded && after_encoded;
        if !out.is_empty() && !joined {
            out.push(' ');
        }
        if encoded {
            let b = &word[10..word.len() - 2];
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b)
                .expect("a base64 encoded word");
            out.push_str(&String::from_utf8(bytes).expect("utf-8"));
        } else {
            out.push_str(word);
        }
        after_encoded = encoded;
    }
    out
}

fn parse_mail(to: Vec<String>, raw: &str) -> Mail {
    let (head, body) = raw.split_once("\r\n\r\n").expect("headers, then the body");
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    let header = |name: &str| {
        unfolded
            .lines()
            .find_map(|l| {
                l.split_once(':')
                    .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_default()
    };
    assert!(
        header("Content-Transfer-Encoding").eq_ignore_ascii_case("base64"),
        "{head}"
    );
    let b64: String = body.split_whitespace().collect();
    let body = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .expect("a base64 body"),
    )
    .expect("utf-8");
    Mail {
        to,
        subject: decode_words(&header("Subject")),
        body,
    }
}

/// An SMTP server on a free port that accepts every mail (no TLS, no AUTH): enough of RFC 5321
/// for a client to deliver to it.
pub async fn receiver() -> (u16, Arc<Mutex<Vec<Mail>>>) {
    receiver_on(0).await
}

/// [`receiver`] on a given port (0: any free one).
pub async fn receiver_on(port: u16) -> (u16, Arc<Mutex<Vec<Mail>>>) {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let mails = Arc::new(Mutex::new(Vec::new()));
    let kept = mails.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let kept = kept.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read);
                let _ = write.write_all(b"220 receiver.test ESMTP\r\n").await;
                let mut to = Vec::new();
                let mut line = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250-receiver.test\r\n250 8BITMIME\r\n",
                        "MAIL" => {
                            to.clear();
                            b"250 ok\r\n"
                        }
                        "RCPT" => {
                            to.push(line.trim().to_string());
                            b"250 ok\r\n"
                        }
                        "DATA" => {
                            let _ = write.write_all(b"354 go ahead\r\n").await;
                            let mut raw = String::new();
                            loop {
                                line.clear();
                                if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                                    return;
                                }
                                if line == ".\r\n" {
                                    break;
                                }
                                raw.push_str(line.strip_prefix('.').unwrap_or(&line));
                            }
                            kept.lock().unwrap().push(parse_mail(to.clone(), &raw));
                            b"250 queued\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"250 ok\r\n",
                    };
                    let _ = write.write_all(reply).await;
                }
            });
        }
    });
    (port, mails)
}
