//! A case walked from intake to closing over real HTTP, on SQLite and on PostgreSQL: tagged
//! evidence, a supplement request answered by the complainant, routing by the rules, 立案,
//! suspension, an approved extension, closing with a finding; then a second complaint about the
//! same respondent, which is related and makes a repeat infringer; a transfer to the police; and
//! the audit chain, verified whole.

use kuaiwei_e2e::{Multipart, TestApp, TestResponse, jpeg, pdf, png};
use serde_json::{Value, json};

kuaiwei_e2e::on_every_backend!(
    a_fair_complaint_is_walked_from_intake_to_closing_and_every_step_is_on_the_chain,
    a_case_transferred_to_the_police_opens_a_linked_case_with_its_own_clock,
    a_copyright_complaint_reaching_the_criminal_threshold_is_routed_to_the_police,
);

fn fair_complaint(mark: &str) -> Value {
    json!({
        "channel": {"kind": "fair", "fair_name": "第139届广交会", "session": "第二期", "booth": "9.1C18"},
        "complainant": {"kind": "organisation", "name": "某某玩具有限公司", "mobile": "13812345678"},
        "rights": [{"kind": "trademark", "number": mark, "nice_classes": [28]}],
        "respondent": {"name": "汕头某某塑胶玩具厂", "booth": "9.1C18"},
        "description": "展位展出的玩具使用了与注册商标相同的标识"
    })
}

fn ok(res: &TestResponse) -> Value {
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    res.json()
}

async fn act(app: &TestApp, case: &str, body: Value) -> Value {
    ok(&app.act(case, body).await)
}

fn last_event(case: &Value) -> &Value {
    case["timeline"].as_array().unwrap().last().unwrap()
}

async fn a_fair_complaint_is_walked_from_intake_to_closing_and_every_step_is_on_the_chain(
    app: TestApp,
) {
    app.add_account("chen", "caseworker", None).await;
    app.log_in("chen", kuaiwei_e2e::TEST_PASSWORD).await;
    let filed = app
        .post_multipart(
            "/api/v1/complaints",
            Multipart::new()
                .complaint(&fair_complaint("30001234"))
                .part(
                    "evidence.identity_proof",
                    Some("营业执照.png"),
                    "image/png",
                    &png(600),
                )
                .evidence("展位照片.jpg", &jpeg(4000)),
            &[],
        )
        .await;
    assert_eq!(
        filed.status,
        201,
        "{}",
        String::from_utf8_lossy(&filed.body)
    );
    let receipt = filed.json();
    let n = receipt["case_number"].as_str().unwrap().to_string();
    let token = receipt["tracking_token"].as_str().unwrap().to_string();

    // Triage: the certificate is missing; ask for it without listing it by hand.
    let detail = ok(&app.get(&format!("/api/v1/cases/{n}"), &[]).await);
    let missing: Vec<&str> = detail["triage"]["missing_materials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["material"].as_str().unwrap())
        .collect();
    assert!(missing.contains(&"right_certificate"), "{missing:?}");
    assert!(!missing.contains(&"identity_proof"), "{missing:?}");
    act(
        &app,
        &n,
        json!({"action": "request_supplement", "actor": "caseworker:chen", "reason": "请补充商标注册证"}),
    )
    .await;

    // The complainant reads the request and answers it from the phone.
    let status = app.status_of(&receipt).await.json();
    assert_eq!(status["case_state"], "supplement_requested");
    let sent = app
        .post_multipart(
            &format!("/api/v1/complaints/{n}/supplement"),
            Multipart::new().part(
                "evidence.right_certificate",
                Some("注册证.pdf"),
                "application/pdf",
                &pdf(700),
            ),
            &[("x-tracking-token", &token)],
        )
        .await;
    let after = ok(&sent);
    assert_eq!(after["case_state"], "received");
    assert_eq!(after["evidence"].as_array().unwrap().len(), 3);

    // Accept, route by the rules (fair: the 24 h hand-over first), open, suspend, resume.
    act(
        &app,
        &n,
        json!({"action": "accept", "actor": "caseworker:chen", "reason": "现场核对原件，先行受理"}),
    )
    .await;
    let routed = act(
        &app,
        &n,
        json!({"action": "route", "actor": "caseworker:chen"}),
    )
    .await;
    assert_eq!(routed["agency"], "market_regulation");
    assert_eq!(routed["clocks"][0]["procedure"], "F1");
    assert!(last_event(&routed)["payload"]["rule"]["suggested"]["rule_id"].is_string());
    act(&app, &n, json!({"action": "open", "actor": "officer:lin"})).await;
    act(
        &app,
        &n,
        json!({"action": "suspend", "actor": "officer:lin", "reason": "等待鉴定意见"}),
    )
    .await;
    act(
        &app,
        &n,
        json!({"action": "resume", "actor": "officer:lin"}),
    )
    .await;
    act(
        &app,
        &n,
        json!({"action": "request_extension", "actor": "officer:lin", "reason": "案情复杂", "amount": "30d"}),
    )
    .await;
    act(
        &app,
        &n,
        json!({"action": "approve_extension", "actor": "supervisor:zhao"}),
    )
    .await;
    let queue = ok(&app
        .get("/api/v1/queues?agency=market_regulation", &[])
        .await);
    assert_eq!(queue[0]["case_number"], n.as_str());
    // The closing clock runs 90 days plus the 30 granted: dated if the calendar reaches that
    // far, otherwise refused by name (never guessed) until the year is loaded.
    let detail = ok(&app.get(&format!("/api/v1/cases/{n}"), &[]).await);
    for c in detail["clocks"].as_array().unwrap() {
        assert!(
            c["due"].is_string()
                || (c["status"] == "not_computable" && c["problem"].as_str().is_some()),
            "{c}"
        );
    }
    assert_eq!(
        queue[0]["next_due_at"].is_string(),
        detail["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["due"].is_string() && c["closed_at"].is_null())
    );
    let closed = act(
        &app,
        &n,
        json!({"action": "close", "actor": "officer:lin", "outcome": "exhibits_withdrawn"}),
    )
    .await;
    assert_eq!(closed["state"], "closed");
    assert!(closed["closed_at"].is_string());

    // A second complaint about the same stand: related, same respondent, one upheld case.
    let second = app.file_complaint_json(&fair_complaint("30001235")).await;
    let m = second["case_number"].as_str().unwrap();
    let detail = ok(&app.get(&format!("/api/v1/cases/{m}"), &[]).await);
    let related = detail["triage"]["related"].as_array().unwrap();
    assert_eq!(related.len(), 1);
    assert_eq!(related[0]["case_number"], n.as_str());
    let respondent = &detail["triage"]["respondent"];
    assert_eq!(respondent["upheld_cases"], json!([n]));
    assert_eq!(respondent["repeat_infringer"], false);
    let id = respondent["id"].as_i64().unwrap();
    let history = ok(&app.get(&format!("/api/v1/respondents/{id}"), &[]).await);
    assert_eq!(history["history"].as_array().unwrap().len(), 2);

    // Every step is on the chain, which verifies whole.
    let kinds: Vec<String> = app
        .store
        .case_events(&n)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "received",
            "request_supplement",
            "supplement",
            "accept",
            "route",
            "open",
            "suspend",
            "resume",
            "request_extension",
            "approve_extension",
            "close"
        ]
    );
    let events = app.store.audit_events(0, 10_000).await.unwrap();
    let head = app.store.audit_head().await.unwrap();
    let verified =
        kuaiwei_store::verify_chain(&events, head.as_ref().map(|(s, h)| (*s, h.as_str()))).unwrap();
    assert_eq!(verified, events.len());
}

async fn a_case_transferred_to_the_police_opens_a_linked_case_with_its_own_clock(app: TestApp) {
    app.add_account("chen", "caseworker", None).await;
    app.log_in("chen", kuaiwei_e2e::TEST_PASSWORD).await;
    let filed = app.file_complaint_json(&fair_complaint("30001236")).await;
    let n = filed["case_number"].as_str().unwrap();
    act(
        &app,
        n,
        json!({"action": "accept", "actor": "caseworker:chen", "reason": "现场核对原件，先行受理"}),
    )
    .await;
    act(
        &app,
        n,
        json!({"action": "route", "actor": "caseworker:chen"}),
    )
    .await;
    let moved = act(
        &app,
        n,
        json!({"action": "transfer", "actor": "supervisor:zhao", "reason": "非法经营额超过立案追诉标准", "to_agency": "police"}),
    )
    .await;
    assert_eq!(moved["state"], "transferred");
    let linked = last_event(&moved)["payload"]["to_agency"].clone();
    assert_eq!(linked, "police");
    let police = ok(&app.get("/api/v1/queues?agency=police", &[]).await);
    let line = &police.as_array().unwrap()[0];
    let theirs = ok(&app
        .get(
            &format!("/api/v1/cases/{}", line["case_number"].as_str().unwrap()),
            &[],
        )
        .await);
    assert_eq!(theirs["parent"], n);
    assert_eq!(theirs["clocks"][0]["procedure"], "T3");
    // T3 runs from the police's acceptance (移送规定 Art. 8; legal-deadlines.md §8.5)
    assert!(theirs["clocks"][0]["due"].is_null(), "{theirs}");
    let police_case = theirs["case_number"].as_str().unwrap().to_string();
    let accepted = ok(&app
        .act(
            &police_case,
            json!({"action": "accept_transfer", "actor": "officer:zhou@police"}),
        )
        .await);
    assert_eq!(accepted["state"], "routed");
    assert!(accepted["clocks"][0]["due"].is_string(), "{accepted}");
}

/// 违法所得 ¥1,000,000 on a copyright: the rules send it to the police (《刑法》Art. 217), and the
/// route taken through the API cites the article; one fen below the figure stays with the
/// copyright authority.
async fn a_copyright_complaint_reaching_the_criminal_threshold_is_routed_to_the_police(
    app: TestApp,
) {
    app.add_account("chen", "caseworker", None).await;
    app.log_in("chen", kuaiwei_e2e::TEST_PASSWORD).await;
    let complaint = |gains: f64| {
        json!({
            "channel": {"kind": "ecommerce", "platform": "某电商平台", "listing_urls": ["https://item.example.com/884512"]},
            "complainant": {"kind": "organisation", "name": "上海某某文化传播有限公司", "email": "legal@example.com"},
            "rights": [{"kind": "copyright", "number": "国作登字-2024-F-00012345"}],
            "respondent": {"name": "某某玩具专营店"},
            "description": "该店铺销售的毛绒玩具复制了我方美术作品，销售量巨大",
            "amounts": {"illegal_gains": gains}
        })
    };
    let mut suggested = Vec::new();
    // ¥40,000: Art. 217's ¥30,000 reached (Art. 218's ¥100,000 is not)
    for gains in [40_000.0, 29_999.99] {
        let filed = app.file_complaint_json(&complaint(gains)).await;
        let n = filed["case_number"].as_str().unwrap().to_string();
        let detail = ok(&app.get(&format!("/api/v1/cases/{n}"), &[]).await);
        suggested.push((n, detail["triage"]["routing"].clone()));
    }
    let (crime, routing) = &suggested[0];
    assert_eq!(routing["rule_id"], "criminal_copyright", "{routing}");
    assert_eq!(routing["agency"], "police");
    assert_eq!(routing["transfer_to_police"], true);
    assert!(
        routing["legal_basis"]
            .as_str()
            .unwrap()
            .contains("《刑法》Art. 217"),
        "{routing}"
    );
    assert_eq!(suggested[1].1["rule_id"], "copyright", "one fen below");
    // the caseworker accepts and routes as the rules say; the route event cites the article
    act(
        &app,
        crime,
        json!({"action": "accept", "actor": "caseworker:chen", "reason": "金额已达追诉标准"}),
    )
    .await;
    let routed = act(
        &app,
        crime,
        json!({"action": "route", "actor": "caseworker:chen"}),
    )
    .await;
    assert_eq!(routed["agency"], "police", "{routed}");
    let event = last_event(&routed);
    assert!(
        event.to_string().contains("Art. 217"),
        "the route event cites the article: {event}"
    );
}
