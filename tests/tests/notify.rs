//! Telling people (issue #23), on both stores: the complainant's e-mails go through a real SMTP
//! conversation (a receiver in the test speaks the protocol) in the language they filed in, and
//! the platform that filed with an API key gets signed callbacks, retried when its receiver
//! fails, each accepted exactly once. Staff are told too, each in their account's language: the
//! supervisor of a request waiting for them, the officer of the decision, and each of them of
//! their daily deadline watch, written once a day however often it runs.

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

/// The mail server of the tests' receiver on `port`.
fn smtp(port: u16) -> kuaiwei_notify::Smtp {
    kuaiwei_notify::Smtp::new(&kuaiwei_notify::SmtpSettings {
        host: "127.0.0.1".into(),
        port: Some(port),
        security: kuaiwei_notify::SmtpSecurity::None,
        username: None,
        password: None,
        from: "快维维权中心 <noreply@kw.test>".into(),
    })
    .unwrap()
}

async fn complainants_and_platforms_are_told(backend: Backend) {
    let (smtp_port, mails) = kuaiwei_e2e::smtp::receiver().await;
    let (hook_port, hooks) = webhook_receiver().await;
    let channels = kuaiwei_notify::Channels {
        email: Some(smtp(smtp_port)),
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

/// An account of `role` at the agency, told by e-mail in `lang`.
async fn staff(app: &kuaiwei_e2e::TestApp, name: &str, role: &str, lang: &str) {
    app.add_account(name, role, Some("market_regulation")).await;
    app.store
        .set_contact(
            name,
            &kuaiwei_store::Contact {
                email: Some(format!("{name}@amr.example.gov.cn")),
                mobile: None,
                lang: lang.into(),
            },
        )
        .await
        .unwrap();
}

/// A filed complaint accepted and routed to market regulation (M1 runs: 15 working days to
/// decide whether to open); its number.
async fn routed(app: &kuaiwei_e2e::TestApp, n: u32) -> String {
    let receipt = app.file_complaint(n).await;
    let case = receipt["case_number"].as_str().unwrap().to_string();
    for step in [
        json!({"action": "accept", "actor": "caseworker:wang", "reason": "现场核对原件"}),
        json!({"action": "route", "actor": "caseworker:wang", "reason": "分派",
               "agency": "market_regulation", "procedures": ["M1", "M2"]}),
    ] {
        let res = app.act(&case, step).await;
        assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    }
    case
}

async fn staff_are_told_of_requests_decisions_and_their_daily_watch(backend: Backend) {
    let (smtp_port, mails) = kuaiwei_e2e::smtp::receiver().await;
    let channels = kuaiwei_notify::Channels {
        email: Some(smtp(smtp_port)),
        sms: None,
        webhooks: HashMap::new(),
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
    staff(&app, "li.ming", "officer", "zh-CN").await;
    staff(&app, "zhao.min", "supervisor", "en").await;

    // the officer asks for an extension: the supervisor is told, in English
    let case = routed(&app, 11).await;
    for step in [
        json!({"action": "open", "actor": "officer:li.ming"}),
        json!({"action": "request_extension", "actor": "officer:li.ming",
               "reason": "需委托鉴定", "amount": "30d"}),
    ] {
        let res = app.act(&case, step).await;
        assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    }
    wait_for("the request's mail", || !mails.lock().unwrap().is_empty()).await;
    let request = mails.lock().unwrap()[0].clone();
    assert!(
        request.to[0].contains("zhao.min@amr.example.gov.cn"),
        "{request:?}"
    );
    assert_eq!(
        request.subject,
        format!("Extension awaiting your decision: {case}")
    );
    assert!(
        request.body.contains(&format!(
            "li.ming asks to extend case {case} by 30 calendar days"
        )),
        "{}",
        request.body
    );
    assert!(
        request
            .body
            .contains(&format!("https://kw.test/work/cases/{case}"))
    );
    assert!(
        !request.body.contains("耐克") && !request.body.contains("13812345678"),
        "nothing of the complainant: {}",
        request.body
    );

    // the supervisor refuses it: the officer is told why, in Chinese
    let res = app
        .act(
            &case,
            json!({"action": "deny_extension", "actor": "supervisor:zhao.min@market_regulation",
                   "reason": "鉴定期间可中止计算，无需延长"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    wait_for("the decision's mail", || mails.lock().unwrap().len() >= 2).await;
    let decision = mails.lock().unwrap()[1].clone();
    assert!(
        decision.to[0].contains("li.ming@amr.example.gov.cn"),
        "{decision:?}"
    );
    assert_eq!(decision.subject, format!("延长申请未获批准：{case}"));
    assert!(
        decision.body.contains(&format!(
            "zhao.min 未批准案件 {case} 的延长申请，原期限不变。"
        )),
        "{}",
        decision.body
    );
    assert!(decision.body.contains("理由：鉴定期间可中止计算，无需延长"));

    // the daily watch: a case nobody has opened yet falls due within 30 days; both are told
    // of it, once however often the digest runs
    let waiting = routed(&app, 12).await;
    let reports = kuaiwei_reports::Reports::new(
        app.store.clone(),
        std::sync::Arc::new(kuaiwei_deadlines::Procedures::bundled()),
        kuaiwei_routing::Agency::labels,
    );
    let now = jiff::Timestamp::now();
    let watch = reports
        .watch(30, None, None, now, &kuaiwei_deadlines::Calendar::bundled())
        .await
        .unwrap();
    let first = kuaiwei_notify::digest::write(app.store.as_ref(), &watch, now)
        .await
        .unwrap();
    assert_eq!((first.recipients, first.written), (2, 2));
    let again = kuaiwei_notify::digest::write(app.store.as_ref(), &watch, now)
        .await
        .unwrap();
    assert_eq!(
        (again.recipients, again.written),
        (2, 0),
        "nothing new the same day"
    );
    wait_for("both digests", || mails.lock().unwrap().len() >= 4).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let all = mails.lock().unwrap().clone();
    assert_eq!(all.len(), 4, "{all:?}");
    let to_li = all[2..]
        .iter()
        .find(|m| m.to[0].contains("li.ming@"))
        .expect("the officer's digest");
    assert!(to_li.subject.starts_with("期限预警 "), "{}", to_li.subject);
    assert!(
        to_li.subject.ends_with("超期 0 件，临期 1 件"),
        "{}",
        to_li.subject
    );
    assert!(to_li.body.contains(&waiting), "{}", to_li.body);
    assert!(
        !to_li.body.contains(&case),
        "the denied case falls due later than 30 days: {}",
        to_li.body
    );
    assert!(
        to_li.body.contains("市场监督管理局 已分派"),
        "{}",
        to_li.body
    );
    let to_zhao = all[2..]
        .iter()
        .find(|m| m.to[0].contains("zhao.min@"))
        .expect("the supervisor's digest");
    assert!(
        to_zhao.subject.starts_with("Deadline watch "),
        "{}",
        to_zhao.subject
    );
    assert!(to_zhao.body.contains(&waiting));

    // the case shows the staff messages it wrote, sent, masked
    let shown: Vec<_> = app
        .store
        .case_messages(&case)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.staff.is_some())
        .collect();
    assert_eq!(shown.len(), 2);
    assert!(
        shown
            .iter()
            .all(|m| m.state == kuaiwei_store::MessageState::Sent)
    );
    assert_eq!(shown[0].shown_to, "zhao.min · z***@amr.example.gov.cn");
}

#[tokio::test]
async fn staff_are_told_of_requests_decisions_and_their_daily_watch_on_sqlite() {
    staff_are_told_of_requests_decisions_and_their_daily_watch(Backend::Sqlite).await;
}

#[tokio::test]
async fn staff_are_told_of_requests_decisions_and_their_daily_watch_on_postgres() {
    staff_are_told_of_requests_decisions_and_their_daily_watch(Backend::Postgres).await;
}
