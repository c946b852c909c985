//! Telling staff (#23): an administrator sets where an account is told (the API checks each
//! field); a request waiting for a supervisor writes one message to each supervisor who may
//! decide it, and the decision one to the officer who asked, in the step's own transaction.

use super::*;

/// The app with e-mail configured (nothing is sent: the router tests run no delivery worker).
async fn notifying() -> App {
    let mut app = app().await;
    app.state.notify = Some(Arc::new(kuaiwei_notify::Channels {
        email: Some(
            kuaiwei_notify::Smtp::new(&kuaiwei_notify::SmtpSettings {
                host: "127.0.0.1".into(),
                port: Some(9),
                security: kuaiwei_notify::SmtpSecurity::None,
                username: None,
                password: None,
                from: "快维 <noreply@kw.test>".into(),
            })
            .unwrap(),
        ),
        sms: None,
        webhooks: Default::default(),
        poster: kuaiwei_notify::Poster::new().unwrap(),
        public_url: "https://kw.test".into(),
        backoff: Default::default(),
    }));
    app.router = router(app.state.clone());
    app
}

async fn put_contact(app: &App, cookie: &str, username: &str, body: Value) -> Response {
    let req = Request::put(format!("/api/v1/accounts/{username}/contact"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, cookie);
    app.send(req.body(Body::from(body.to_string())).unwrap())
        .await
}

async fn ok(app: &App, number: &str, body: Value) -> Value {
    let res = app.act(number, body.clone()).await;
    assert_eq!(res.status, StatusCode::OK, "{body} -> {}", res.body);
    res.body
}

/// (account told, notice kind) of the case's messages to staff, in order.
async fn told(app: &App, number: &str) -> Vec<(String, String)> {
    app.store
        .case_messages(number)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|m| {
            m.staff
                .map(|s| (s, m.notice["kind"].as_str().unwrap().to_string()))
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[tokio::test]
async fn only_an_administrator_sets_where_an_account_is_told_and_each_bad_field_is_named() {
    let app = app().await;
    let admin = app.login_cookie("administrator", None).await;
    let officer = app
        .account_cookie("li.ming", "officer", Some("market_regulation"))
        .await;
    let bad = put_contact(
        &app,
        &admin,
        "li.ming",
        json!({"email": "li.ming@", "mobile": "12345", "lang": "fr"}),
    )
    .await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let fields: Vec<String> = field_errors(&bad).into_iter().map(|(p, _)| p).collect();
    assert_eq!(fields, ["email", "mobile", "lang"]);
    assert!(
        bad.body.to_string().contains("电子邮箱格式不正确")
            && bad.body.to_string().contains("not a valid e-mail address"),
        "{}",
        bad.body
    );
    assert_eq!(
        app.store.account("li.ming").await.unwrap().unwrap().contact,
        kuaiwei_store::Contact::default(),
        "nothing changed"
    );
    let refused = put_contact(&app, &officer, "li.ming", json!({"email": "x@y.cn"})).await;
    assert_error(&refused, StatusCode::FORBIDDEN, "forbidden");
    let missing = put_contact(&app, &admin, "nobody.here", json!({})).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.body);

    let set = put_contact(
        &app,
        &admin,
        "li.ming",
        json!({"email": " li.ming@amr.example.gov.cn ", "mobile": "+86 139-1234-5678", "lang": "en"}),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(
        set.body,
        json!({"email": "l***@amr.example.gov.cn", "mobile": "139****5678", "lang": "en"})
    );
    let stored = app.store.account("li.ming").await.unwrap().unwrap().contact;
    assert_eq!(
        stored,
        kuaiwei_store::Contact {
            email: Some("li.ming@amr.example.gov.cn".into()),
            mobile: Some("13912345678".into()),
            lang: "en".into(),
        }
    );
    // the account sees its own, masked; the chain records the change, masked
    let me = app
        .send(
            Request::get("/api/v1/session")
                .header(header::COOKIE, &officer)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(me.body["notices"]["email"], "l***@amr.example.gov.cn");
    let events = app.store.case_events("account:li.ming").await.unwrap();
    let set_event = events.iter().find(|e| e.kind == "contact_set").unwrap();
    assert_eq!(set_event.actor, "administrator:administrator.centre");
    assert!(
        !set_event.payload.contains("li.ming@"),
        "{}",
        set_event.payload
    );
}

#[tokio::test]
async fn a_request_tells_each_supervisor_who_may_decide_and_the_decision_the_officer_who_asked() {
    let app = notifying().await.logged_in("caseworker", None).await;
    let admin = app.login_cookie("administrator", None).await;
    for (name, role, agency) in [
        ("li.ming", "officer", Some("market_regulation")),
        ("zhao.min", "supervisor", Some("market_regulation")),
        ("chen.jie", "supervisor", None),
        ("qian.li", "supervisor", Some("customs")),
        ("sun.wei", "supervisor", Some("market_regulation")),
    ] {
        app.account_cookie(name, role, agency).await;
        if name != "sun.wei" {
            let email = format!("{name}@example.gov.cn");
            let res = put_contact(&app, &admin, name, json!({"email": email})).await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        }
    }
    let res = app
        .post_json("/api/v1/complaints", complaint().to_string())
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let n = res.body["case_number"].as_str().unwrap().to_string();
    ok(
        &app,
        &n,
        json!({"action": "accept", "actor": "caseworker:wang", "reason": "现场核对原件，先行受理"}),
    )
    .await;
    ok(
        &app,
        &n,
        json!({"action": "route", "actor": "caseworker:wang", "reason": "分派测试",
               "agency": "market_regulation", "procedures": ["M1", "M2"]}),
    )
    .await;
    ok(
        &app,
        &n,
        json!({"action": "open", "actor": "officer:li.ming"}),
    )
    .await;
    assert!(told(&app, &n).await.is_empty(), "opening tells no staff");

    // the request: the agency's supervisor and the centre's, not another agency's, not one
    // without an address, not the officer
    ok(
        &app,
        &n,
        json!({"action": "request_extension", "actor": "officer:li.ming", "reason": "需鉴定", "amount": "30d"}),
    )
    .await;
    assert_eq!(
        told(&app, &n).await,
        pairs(&[
            ("chen.jie", "request_extension"),
            ("zhao.min", "request_extension")
        ])
    );
    let case = app.store.case(&n).await.unwrap().unwrap();
    assert_eq!(case.extension_requested_by.as_deref(), Some("li.ming"));

    // the decision: the officer who asked, once
    ok(
        &app,
        &n,
        json!({"action": "approve_extension", "actor": "supervisor:zhao.min@market_regulation"}),
    )
    .await;
    let messages = app.store.case_messages(&n).await.unwrap();
    let decision = messages.last().unwrap();
    assert_eq!(told(&app, &n).await.len(), 3);
    assert_eq!(decision.staff.as_deref(), Some("li.ming"));
    assert_eq!(decision.recipient, "li.ming@example.gov.cn");
    assert_eq!(decision.lang, "zh-CN");
    assert_eq!(decision.notice["kind"], "approve_extension");
    assert_eq!(decision.notice["amount"], "30d");
    assert_eq!(decision.notice["by"], "zhao.min");
    assert_eq!(decision.case_number.as_ref().unwrap().as_str(), n);

    // a transfer report, then its approval by the centre's supervisor
    ok(
        &app,
        &n,
        json!({"action": "propose_transfer", "actor": "officer:li.ming", "reason": "涉嫌犯罪，拟移送公安"}),
    )
    .await;
    ok(
        &app,
        &n,
        json!({"action": "approve_transfer", "actor": "supervisor:chen.jie"}),
    )
    .await;
    assert_eq!(
        told(&app, &n).await[3..].to_vec(),
        pairs(&[
            ("chen.jie", "propose_transfer"),
            ("zhao.min", "propose_transfer"),
            ("li.ming", "approve_transfer")
        ])
    );

    // the case shows each, masked, with the account told
    let zhao = app
        .account_cookie("zhao.min", "supervisor", Some("market_regulation"))
        .await;
    let view = app
        .send(
            Request::get(format!("/api/v1/cases/{n}"))
                .header(header::COOKIE, &zhao)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let shown = view.body["messages"].to_string();
    assert!(shown.contains("li.ming · l***@example.gov.cn"), "{shown}");
    assert!(!shown.contains("li.ming@example"), "{shown}");
    assert!(shown.contains("\"staff\":\"chen.jie\""), "{shown}");

    // on a second case the head refuses the report: a reason is required, and the officer who
    // proposed it is told, with the reason (移送规定 Art. 5)
    let res = app
        .post_json("/api/v1/complaints", complaint().to_string())
        .await;
    let m = res.body["case_number"].as_str().unwrap().to_string();
    for body in [
        json!({"action": "accept", "actor": "caseworker:wang", "reason": "先行受理"}),
        json!({"action": "route", "actor": "caseworker:wang", "reason": "分派测试",
               "agency": "market_regulation", "procedures": ["M1", "M2"]}),
        json!({"action": "open", "actor": "officer:li.ming"}),
        json!({"action": "propose_transfer", "actor": "officer:li.ming", "reason": "涉嫌犯罪，拟移送公安"}),
    ] {
        ok(&app, &m, body).await;
    }
    let res = app
        .act(
            &m,
            json!({"action": "deny_transfer", "actor": "supervisor:zhao.min@market_regulation"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(
        res.body["error"]["fields"][0]["message_en"]
            .as_str()
            .unwrap()
            .contains("reason"),
        "{}",
        res.body
    );
    // the head refuses on the case page, where the step is offered beside the approval
    let html = |req: Request<Body>| {
        let router = app.router.clone();
        async move {
            let res = router.oneshot(req).await.unwrap();
            let status = res.status();
            let bytes = res.into_body().collect().await.unwrap().to_bytes();
            (status, String::from_utf8_lossy(&bytes).into_owned())
        }
    };
    let (status, page) = html(
        Request::get(format!("/work/cases/{m}"))
            .header(header::COOKIE, &zhao)
            .header(header::ACCEPT_LANGUAGE, "zh-CN")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("id=\"step-approve_transfer\""), "{page}");
    assert!(page.contains("id=\"step-deny_transfer\""), "{page}");
    assert!(page.contains("不批准移送"), "{page}");
    let version = app
        .store
        .case(&m)
        .await
        .unwrap()
        .unwrap()
        .version
        .to_string();
    let form = format!(
        "action=deny_transfer&version={version}&reason={}",
        "%E7%8E%B0%E6%9C%89%E8%AF%81%E6%8D%AE%E4%B8%8D%E8%B6%B3%E4%BB%A5%E8%AF%81%E6%98%8E%E6%B6%89%E5%AB%8C%E7%8A%AF%E7%BD%AA"
    );
    let (status, page) = html(
        Request::post(format!("/work/cases/{m}/step"))
            .header(header::COOKIE, &zhao)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(form))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let case = app.store.case(&m).await.unwrap().unwrap();
    assert_eq!(case.state.key(), "opened");
    let t1 = case.clocks.iter().find(|c| c.procedure_id == "T1").unwrap();
    assert!(t1.closed_at.is_some(), "the refusal stops T1");
    assert_eq!(
        told(&app, &m).await,
        pairs(&[
            ("chen.jie", "propose_transfer"),
            ("zhao.min", "propose_transfer"),
            ("li.ming", "deny_transfer")
        ])
    );
    let last = app.store.case_messages(&m).await.unwrap().pop().unwrap();
    assert_eq!(last.notice["reason"], "现有证据不足以证明涉嫌犯罪");
    assert_eq!(last.notice["by"], "zhao.min");
}

#[tokio::test]
async fn without_notify_configured_no_step_writes_to_staff() {
    let app = app().await.logged_in("caseworker", None).await;
    let admin = app.login_cookie("administrator", None).await;
    app.account_cookie("zhao.min", "supervisor", Some("market_regulation"))
        .await;
    let res = put_contact(
        &app,
        &admin,
        "zhao.min",
        json!({"email": "zhao@example.gov.cn"}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    let res = app
        .post_json("/api/v1/complaints", complaint().to_string())
        .await;
    let n = res.body["case_number"].as_str().unwrap().to_string();
    ok(
        &app,
        &n,
        json!({"action": "accept", "actor": "caseworker:wang", "reason": "现场核对原件，先行受理"}),
    )
    .await;
    ok(
        &app,
        &n,
        json!({"action": "route", "actor": "caseworker:wang", "reason": "分派测试",
               "agency": "market_regulation", "procedures": ["M1", "M2"]}),
    )
    .await;
    ok(
        &app,
        &n,
        json!({"action": "open", "actor": "officer:li.ming"}),
    )
    .await;
    ok(
        &app,
        &n,
        json!({"action": "request_extension", "actor": "officer:li.ming", "reason": "需鉴定", "amount": "30d"}),
    )
    .await;
    assert!(told(&app, &n).await.is_empty());
}
