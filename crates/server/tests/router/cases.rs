//! A case walked through its life-cycle over the API: steps, clocks, queues and the timeline.

use super::*;

async fn filed(app: &App) -> String {
    let res = app
        .post_json("/api/v1/complaints", complaint().to_string())
        .await;
    assert_eq!(res.status, StatusCode::CREATED);
    res.body["case_number"].as_str().unwrap().to_string()
}

async fn step(app: &App, number: &str, body: Value) -> Response {
    app.act(number, body).await
}

async fn ok_step(app: &App, number: &str, body: Value) -> Value {
    let res = step(app, number, body.clone()).await;
    assert_eq!(res.status, StatusCode::OK, "{body} -> {}", res.body);
    res.body
}

fn clock<'a>(case: &'a Value, id: &str) -> &'a Value {
    case["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["procedure"] == id)
        .unwrap_or_else(|| panic!("no clock {id} in {case}"))
}

#[tokio::test]
async fn a_filed_complaint_is_a_received_case_with_its_first_event() {
    let app = app().await.logged_in("caseworker", None).await;
    let n = filed(&app).await;
    let res = app.get(&format!("/api/v1/cases/{n}")).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body["state"], "received");
    assert_eq!(res.body["state_zh"], "已收到");
    assert_eq!(
        res.body["allowed_actions"],
        json!([
            "request_supplement",
            "accept",
            "refuse",
            "close",
            "supervise"
        ])
    );
    assert_eq!(res.body["timeline"][0]["kind"], "received");
    assert_eq!(res.body["timeline"][0]["hash"].as_str().unwrap().len(), 64);
}

#[tokio::test]
async fn an_illegal_step_is_a_409_naming_the_allowed_ones_and_changes_nothing() {
    let app = app().await.logged_in("caseworker", None).await;
    let n = filed(&app).await;
    let res = step(
        &app,
        &n,
        json!({"action": "approve_extension", "actor": "supervisor:zhao"}),
    )
    .await;
    assert_error(&res, StatusCode::CONFLICT, "illegal_step");
    assert_eq!(
        res.body["error"]["allowed"],
        json!([
            "request_supplement",
            "accept",
            "refuse",
            "close",
            "supervise"
        ])
    );
    let case = app.get(&format!("/api/v1/cases/{n}")).await;
    assert_eq!(case.body["version"], 1);
    assert_eq!(case.body["timeline"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_patent_case_is_routed_opened_suspended_extended_and_closed_with_its_clocks() {
    let app = app().await.logged_in("caseworker", None).await;
    let n = filed(&app).await;
    ok_step(
        &app,
        &n,
        json!({"action": "accept", "actor": "caseworker:wang", "reason": "现场核对原件，先行受理"}),
    )
    .await;
    let routed = ok_step(
        &app,
        &n,
        json!({"action": "route", "actor": "caseworker:wang", "reason": "外观设计专利另案", "agency": "ip_office", "procedures": ["F1", "P1", "P3"]}),
    )
    .await;
    assert_eq!(routed["agency"], "ip_office");
    // F1 runs from acceptance to the hand-over (the routing) and is met at once.
    assert_eq!(clock(&routed, "F1")["status"], "closed_on_time");
    assert!(matches!(
        clock(&routed, "P1")["status"].as_str(),
        Some("running" | "due_soon")
    ));
    assert!(clock(&routed, "P1")["due"].is_string());
    assert_eq!(clock(&routed, "P3")["status"], "pending");

    let queue = app.get("/api/v1/queues?agency=ip_office").await;
    assert_eq!(queue.body[0]["case_number"], n.as_str());
    assert_eq!(queue.body[0]["next_due_at"], clock(&routed, "P1")["due"]);
    let other = app.get("/api/v1/queues?agency=customs").await;
    assert_eq!(other.body, json!([]));

    let opened = ok_step(&app, &n, json!({"action": "open", "actor": "officer:li"})).await;
    assert_eq!(clock(&opened, "P1")["status"], "closed_on_time");
    assert!(clock(&opened, "P3")["started_at"].is_string());

    let suspended = ok_step(
        &app,
        &n,
        json!({"action": "suspend", "actor": "officer:li", "reason": "被请求人已提出无效宣告请求"}),
    )
    .await;
    assert_eq!(suspended["state"], "suspended");
    ok_step(&app, &n, json!({"action": "resume", "actor": "officer:li"})).await;
    ok_step(&app, &n, json!({"action": "request_extension", "actor": "officer:li", "reason": "案情复杂", "amount": "1m"})).await;
    let extended = ok_step(
        &app,
        &n,
        json!({"action": "approve_extension", "actor": "supervisor:zhao"}),
    )
    .await;
    let ext_event = extended["timeline"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(ext_event["kind"], "approve_extension");
    assert_eq!(ext_event["payload"]["amount"], "1m");
    assert_eq!(ext_event["payload"]["clocks_extended"], 1);

    let closed = ok_step(
        &app,
        &n,
        json!({"action": "close", "actor": "officer:li", "outcome": "mediated"}),
    )
    .await;
    assert_eq!(closed["state"], "closed");
    assert_eq!(closed["outcome"], "mediated");
    assert_eq!(closed["allowed_actions"], json!([]));
    assert!(
        closed["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["closed_at"].is_string())
    );
    let kinds: Vec<_> = closed["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        kinds,
        [
            "received",
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
}

#[tokio::test]
async fn a_three_month_clock_past_the_published_calendar_is_provisional_and_says_so() {
    // Started today, P3's three months end in a year whose holiday notice may not be published
    // yet: the clock is then counted on the provisional schedule and marked so (§8.6).
    let app = app().await.logged_in("caseworker", None).await;
    let n = filed(&app).await;
    ok_step(
        &app,
        &n,
        json!({"action": "accept", "actor": "caseworker:wang", "reason": "现场核对原件，先行受理"}),
    )
    .await;
    ok_step(&app, &n, json!({"action": "route", "actor": "caseworker:wang", "reason": "专利纠纷", "agency": "ip_office", "procedures": ["P3"]})).await;
    let opened = ok_step(&app, &n, json!({"action": "open", "actor": "officer:li"})).await;
    let p3 = clock(&opened, "P3");
    assert!(p3["due"].is_string(), "never without a date: {p3}");
    let due_year = kuaiwei_deadlines::local_date(jiff::Timestamp::now())
        .checked_add(jiff::Span::new().days(100))
        .unwrap()
        .year();
    let loaded = kuaiwei_deadlines::Calendar::bundled().loaded_years();
    let years: Vec<i64> = p3["provisional_years"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y.as_i64().unwrap())
        .collect();
    if loaded.contains(&due_year) {
        assert!(years.is_empty(), "{p3}");
    } else {
        assert!(years.contains(&i64::from(due_year)), "{p3}");
        let steps = p3["explanation_en"].to_string();
        assert!(steps.contains("provisional"), "{p3}");
    }
}

#[tokio::test]
async fn a_re_route_must_say_whether_the_clocks_restart_or_continue() {
    let app = app().await.logged_in("caseworker", None).await;
    let n = filed(&app).await;
    ok_step(
        &app,
        &n,
        json!({"action": "accept", "actor": "caseworker:wang", "reason": "现场核对原件，先行受理"}),
    )
    .await;
    let first = ok_step(&app, &n, json!({"action": "route", "actor": "caseworker:wang", "reason": "专利纠纷", "agency": "ip_office", "procedures": ["P1"]})).await;
    let res = step(&app, &n, json!({"action": "route", "actor": "caseworker:wang", "reason": "商标", "agency": "market_regulation", "procedures": ["M1"]})).await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let kept = ok_step(
        &app,
        &n,
        json!({"action": "route", "actor": "caseworker:wang", "reason": "涉及商标", "agency": "ip_office", "procedures": ["P1"], "clock": "continue"}),
    )
    .await;
    assert_eq!(
        clock(&kept, "P1")["started_at"],
        clock(&first, "P1")["started_at"]
    );
    let history = kept["timeline"].as_array().unwrap();
    assert_eq!(history.last().unwrap()["payload"]["clock"], "continue");
}

#[tokio::test]
async fn a_transfer_to_the_police_opens_a_linked_case_with_its_own_clock() {
    let app = app().await.logged_in("caseworker", None).await;
    let n = filed(&app).await;
    ok_step(
        &app,
        &n,
        json!({"action": "accept", "actor": "caseworker:wang", "reason": "现场核对原件，先行受理"}),
    )
    .await;
    ok_step(&app, &n, json!({"action": "route", "actor": "caseworker:wang", "reason": "仅先行立案审查", "agency": "market_regulation", "procedures": ["M1"]})).await;
    let moved = ok_step(
        &app,
        &n,
        json!({"action": "transfer", "actor": "supervisor:zhao", "reason": "非法经营额超过追诉标准", "to_agency": "police"}),
    )
    .await;
    assert_eq!(moved["state"], "transferred");
    assert_eq!(moved["outcome"], "transferred");
    let queue = app.get("/api/v1/queues?agency=police").await;
    let linked = queue.body[0]["case_number"].as_str().unwrap().to_string();
    assert_ne!(linked, n);
    let police = app.get(&format!("/api/v1/cases/{linked}")).await;
    assert_eq!(police.body["parent"], n.as_str());
    assert_eq!(police.body["state"], "routed");
    assert_eq!(
        clock(&police.body, "T3")["legal_basis"]
            .as_str()
            .map(|s| !s.is_empty()),
        Some(true)
    );
    assert_eq!(police.body["timeline"][0]["kind"], "transferred_in");
}

#[tokio::test]
async fn steps_without_their_reason_or_with_unknown_fields_such_as_actor_are_refused() {
    let app = app().await.logged_in("caseworker", None).await;
    let n = filed(&app).await;
    let no_reason = step(
        &app,
        &n,
        json!({"action": "refuse", "actor": "caseworker:wang", "reason": " "}),
    )
    .await;
    assert_eq!(
        field_errors(&no_reason),
        vec![("reason".to_string(), "required".to_string())]
    );
    // the actor is the session's account: naming one is an unknown field
    let named = app
        .post_json(
            &format!("/api/v1/cases/{n}/actions"),
            json!({"action": "accept", "actor": "caseworker:wang", "reason": "现场核对原件，先行受理"}).to_string(),
        )
        .await;
    assert_error(
        &named,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let extra = step(
        &app,
        &n,
        json!({"action": "accept", "actor": "caseworker:wang", "state": "closed"}),
    )
    .await;
    assert_error(
        &extra,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let unknown = step(
        &app,
        &n,
        json!({"action": "teleport", "actor": "caseworker:wang"}),
    )
    .await;
    assert_error(
        &unknown,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let missing = step(
        &app,
        "KW-2026-999999",
        json!({"action": "accept", "actor": "caseworker:wang", "reason": "现场核对原件，先行受理"}),
    )
    .await;
    assert_error(&missing, StatusCode::NOT_FOUND, "not_found");
    let case = app.get(&format!("/api/v1/cases/{n}")).await;
    assert_eq!(case.body["version"], 1);
}

#[tokio::test]
async fn an_unknown_procedure_in_a_route_changes_nothing() {
    let app = app().await.logged_in("caseworker", None).await;
    let n = filed(&app).await;
    ok_step(
        &app,
        &n,
        json!({"action": "accept", "actor": "caseworker:wang", "reason": "现场核对原件，先行受理"}),
    )
    .await;
    let res = step(
        &app,
        &n,
        json!({"action": "route", "actor": "caseworker:wang", "reason": "试", "agency": "ip_office", "procedures": ["Z9"]}),
    )
    .await;
    assert_eq!(
        field_errors(&res),
        vec![("procedures".to_string(), "unknown_procedure".to_string())]
    );
    assert_eq!(
        app.get(&format!("/api/v1/cases/{n}")).await.body["state"],
        "accepted"
    );
}

#[tokio::test]
async fn without_an_agency_the_routing_rules_decide_and_say_why() {
    let app = app().await.logged_in("caseworker", None).await;
    let n = filed(&app).await;
    ok_step(
        &app,
        &n,
        json!({"action": "accept", "actor": "caseworker:wang", "reason": "现场核对原件，先行受理"}),
    )
    .await;
    let routed = ok_step(
        &app,
        &n,
        json!({"action": "route", "actor": "caseworker:wang"}),
    )
    .await;
    assert_eq!(
        routed["agency"], "market_regulation",
        "a trademark complaint goes to market regulation"
    );
    let ids: Vec<_> = routed["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["procedure"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ids,
        ["F1", "M1", "M2"],
        "a fair complaint gets the 24 h hand-over first"
    );
    let event = routed["timeline"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        event["payload"]["rule"]["suggested"]["rule_id"],
        "trademark"
    );
    assert_eq!(event["payload"]["rule"]["override"], false);
    assert!(
        event["payload"]["rule"]["suggested"]["legal_basis"]
            .as_str()
            .unwrap()
            .contains("商标法")
    );
}

#[tokio::test]
async fn overriding_the_rules_needs_a_reason_and_names_a_known_agency() {
    let app = app().await.logged_in("caseworker", None).await;
    let n = filed(&app).await;
    ok_step(
        &app,
        &n,
        json!({"action": "accept", "actor": "caseworker:wang", "reason": "现场核对原件，先行受理"}),
    )
    .await;
    let bare = step(
        &app,
        &n,
        json!({"action": "route", "actor": "caseworker:wang", "agency": "copyright", "procedures": ["M3"]}),
    )
    .await;
    assert_eq!(
        field_errors(&bare),
        vec![("reason".to_string(), "override_reason_required".to_string())]
    );
    let unknown = step(&app, &n, json!({"action": "route", "actor": "caseworker:wang", "reason": "x", "agency": "fair_desk", "procedures": ["M3"]})).await;
    assert_eq!(
        field_errors(&unknown),
        vec![("agency".to_string(), "unknown_agency".to_string())]
    );
    let same = ok_step(
        &app,
        &n,
        json!({"action": "route", "actor": "caseworker:wang", "agency": "market_regulation"}),
    )
    .await;
    let event = same["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        event["payload"]["rule"]["override"], false,
        "naming the rules' own agency is no override"
    );
    let moved = ok_step(
        &app,
        &n,
        json!({"action": "route", "actor": "caseworker:wang", "reason": "权利人主张著作权", "agency": "copyright", "procedures": ["M3"], "clock": "restart"}),
    )
    .await;
    let event = moved["timeline"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(event["payload"]["rule"]["override"], true);
    assert_eq!(event["reason"], "权利人主张著作权");
}

#[tokio::test]
async fn a_malformed_queue_query_is_a_422_in_the_error_shape() {
    let app = app().await.logged_in("caseworker", None).await;
    for uri in [
        "/api/v1/queues?limit=many",
        "/api/v1/queues?agnecy=customs",
        "/api/v1/queues?state=lost",
    ] {
        let res = app.get(uri).await;
        assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    }
}
