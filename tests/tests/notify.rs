//! Telling people (issue #23), on both stores: the complainant's e-mails go through a real SMTP
//! conversation (a receiver in the test speaks the protocol) in the language they filed in, and
//! the platform that filed with an API key gets signed callbacks, retried when its receiver
//! fails, each accepted exactly once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kuaiwei_e2e::{Backend, Options, complaint, spawn_app_with};
use serde_json::{Value, json};

/// What the webhook receiver saw: each request's delivery key, whether its signature was good,
/// and the bodies it accepted (by delivery key).
#[derive(Default)]
struct Hooks {
    requests: Vec<(String, bool)>,
    accepted: HashMap<String, Vec<Value>>,
}

const SECRET: &[u8] = b"webhook-secret-for-the-test";

/// A platform's receiver that answers its first two requests with 500, then 200, and checks
/// every signature.
async fn webhook_receiver() -> (u16, Arc<Mutex<Hooks>>) {
    use axum::body::Bytes;
    use axum::http::{HeaderMap, StatusCode};
    let hooks = Arc::new(Mutex::new(Hooks::default()));
    let seen = hooks.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let seen = seen.clone();
            async move {
                let h = |n: &str| {
                    headers
                        .get(n)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_string()
                };
                let delivery = h(kuaiwei_notify::sign::DELIVERY);
                let timestamp: i64 = h(kuaiwei_notify::sign::TIMESTAMP).parse().unwrap_or(0);
                let good = kuaiwei_notify::sign::verify(
                    SECRET,
                    timestamp,
                    &delivery,
                    &body,
                    &h(kuaiwei_notify::sign::SIGNATURE),
                    jiff::Timestamp::now().as_second(),
                )
                .is_ok();
                let mut seen = seen.lock().unwrap();
                seen.requests.push((delivery.clone(), good));
                if seen.requests.len() <= 2 {
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
                if !good {
                    return StatusCode::UNAUTHORIZED;
                }
                let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                seen.accepted.entry(delivery).or_default().push(v);
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (port, hooks)
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("waited 20 s for {what}");
}

async fn complainants_and_platforms_are_told(backend: Backend) {
    let (smtp_port, mails) = kuaiwei_e2e::smtp::receiver().await;
    let (hook_port, hooks) = webhook_receiver().await;
    let channels = kuaiwei_notify::Channels {
        email: Some(
            kuaiwei_notify::Smtp::new(&kuaiwei_notify::SmtpSettings {
                host: "127.0.0.1".into(),
                port: Some(smtp_port),
                security: kuaiwei_notify::SmtpSecurity::None,
                username: None,
                password: None,
                from: "快维维权中心 <noreply@kw.test>".into(),
            })
            .unwrap(),
        ),
        sms: None,
        webhooks: HashMap::from([(
            "api:taobao".to_string(),
            kuaiwei_notify::HttpTarget {
                url: format!("http://127.0.0.1:{hook_port}/hook"),
                secret: SECRET.to_vec(),
            },
        )]),
        poster: kuaiwei_notify::Poster::new().unwrap(),
        public_url: "https://kw.test".into(),
        backoff: kuaiwei_notify::Backoff {
            first: Duration::from_secs(1),
            attempts: 5,
        },
    };
    let Some(app) = spawn_app_with(
        backend,
        Options {
            notify: Some(channels),
            ..Options::default()
        },
    )
    .await
    else {
        return;
    };
    let (_, key) = kuaiwei_server::accounts::create_api_key(
        app.store.as_ref(),
        "admin:test",
        "taobao",
        jiff::Timestamp::now(),
    )
    .await
    .unwrap();
    let mut filed = complaint(7);
    filed["complainant"]["email"] = json!("zhang.wei@example.com");
    let res = app
        .post_json(
            "/api/v1/complaints",
            filed.to_string(),
            &[
                ("authorization", &format!("Bearer {key}")),
                ("accept-language", "zh-CN,zh;q=0.9"),
            ],
        )
        .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let receipt = res.json();
    let case = receipt["case_number"].as_str().unwrap().to_string();
    let token = receipt["tracking_token"].as_str().unwrap().to_string();

    // the receipt, in Chinese, with the tracking link and its token
    wait_for("the receipt mail", || !mails.lock().unwrap().is_empty()).await;
    let first = mails.lock().unwrap()[0].clone();
    assert!(first.to[0].contains("zhang.wei@example.com"), "{first:?}");
    assert_eq!(first.subject, format!("投诉已收到：{case}"));
    assert!(
        first
            .body
            .contains(&format!("https://kw.test/track#n={case}&t={token}")),
        "{}",
        first.body
    );

    // a caseworker asks for a supplement: the exhibitor is told what and why, in Chinese
    let res = app
        .act(
            &case,
            json!({"action": "request_supplement", "reason": "委托书未加盖公章",
                   "missing": ["power_of_attorney"], "actor": "caseworker:wang"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    wait_for("the supplement mail", || mails.lock().unwrap().len() >= 2).await;
    let second = mails.lock().unwrap()[1].clone();
    assert_eq!(second.subject, format!("请补正材料：{case}"));
    assert!(second.body.contains("授权委托书"), "{}", second.body);
    assert!(second.body.contains("委托书未加盖公章"), "{}", second.body);
    assert!(
        !second.body.contains(&token),
        "only the receipt carries the token"
    );

    // the platform: both callbacks accepted once each, after the receiver's two failures
    wait_for("both callbacks", || {
        hooks.lock().unwrap().accepted.len() == 2
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    {
        let seen = hooks.lock().unwrap();
        assert!(
            seen.requests.iter().all(|(_, good)| *good),
            "every signature verifies"
        );
        assert_eq!(
            seen.requests.len(),
            4,
            "two refused, two accepted: {:?}",
            seen.requests
        );
        assert!(
            seen.accepted.values().all(|v| v.len() == 1),
            "each accepted once"
        );
        let mut events: Vec<&str> = seen
            .accepted
            .values()
            .map(|v| v[0]["event"].as_str().unwrap())
            .collect();
        events.sort();
        assert_eq!(events, ["received", "request_supplement"]);
        let supplement = seen
            .accepted
            .values()
            .map(|v| &v[0])
            .find(|v| v["event"] == "request_supplement")
            .unwrap();
        assert_eq!(supplement["case_number"], case.as_str());
        assert_eq!(supplement["missing"], json!(["power_of_attorney"]));
        assert!(
            !supplement.to_string().contains("zhang.wei"),
            "no personal data"
        );
    }

    // the case shows each message: to whom (masked), delivered, and the attempts it took
    let messages = app.store.case_messages(&case).await.unwrap();
    assert_eq!(messages.len(), 4, "{messages:?}");
    assert!(
        messages
            .iter()
            .all(|m| m.state == kuaiwei_store::MessageState::Sent)
    );
    let hook_attempts: u32 = messages
        .iter()
        .filter(|m| m.channel == "webhook")
        .map(|m| m.attempts)
        .sum();
    assert_eq!(hook_attempts, 4);
    let receipt_row = messages
        .iter()
        .find(|m| m.channel == "email" && m.notice["kind"] == "received")
        .unwrap();
    assert!(
        receipt_row.notice.get("token").is_none(),
        "the token leaves the outbox once the receipt is sent: {:?}",
        receipt_row.notice
    );
    app.add_account("wang", "caseworker", None).await;
    app.log_in("wang", kuaiwei_e2e::TEST_PASSWORD).await;
    let view = app.get(&format!("/api/v1/cases/{case}"), &[]).await;
    assert_eq!(view.status, 200);
    let shown = view.json()["messages"].clone();
    assert_eq!(shown.as_array().unwrap().len(), 4, "{shown}");
    assert!(!shown.to_string().contains("zhang.wei@"), "{shown}");
    assert!(shown.to_string().contains("\"state\":\"sent\""), "{shown}");
}

#[tokio::test]
async fn complainants_and_platforms_are_told_on_sqlite() {
    complainants_and_platforms_are_told(Backend::Sqlite).await;
}

#[tokio::test]
async fn complainants_and_platforms_are_told_on_postgres() {
    complainants_and_platforms_are_told(Backend::Postgres).await;
}
