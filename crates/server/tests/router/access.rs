//! Access to cases: the actor of a step is the session's account, each step needs its role's
//! permission for the case's agency, and another agency's case answers exactly like a missing
//! one, in the case view, its steps, queues, respondents and the triage aids.

use super::*;

/// A filed complaint accepted and routed to `agency` with `procedures` by the centre.
async fn routed(app: &App, agency: &str, procedures: &[&str]) -> String {
    let res = app
        .post_json("/api/v1/complaints", complaint().to_string())
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let n = res.body["case_number"].as_str().unwrap().to_string();
    ok(
        app,
        &n,
        json!({"action": "accept", "actor": "caseworker:wang", "reason": "现场核对原件，先行受理"}),
    )
    .await;
    ok(
        app,
        &n,
        json!({"action": "route", "actor": "caseworker:wang", "reason": "分派测试",
               "agency": agency, "procedures": procedures}),
    )
    .await;
    n
}

async fn ok(app: &App, number: &str, body: Value) -> Value {
    let res = app.act(number, body.clone()).await;
    assert_eq!(res.status, StatusCode::OK, "{body} -> {}", res.body);
    res.body
}

/// GET `uri` with `cookie` (or none at all: not the app's own).
async fn get_as(app: &App, cookie: Option<&str>, uri: &str) -> Response {
    let req = Request::get(uri).header(header::COOKIE, cookie.unwrap_or(""));
    app.send(req.body(Body::empty()).unwrap()).await
}

async fn post_as(app: &App, cookie: &str, uri: &str, body: Value) -> Response {
    app.post_json_with(uri, body.to_string(), &[("cookie", cookie)])
        .await
}

fn case_numbers(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            x.get("case_number")
                .unwrap_or(x)
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn another_agencys_case_answers_exactly_like_a_missing_one_and_the_refusal_is_recorded() {
    let app = app().await.logged_in("caseworker", None).await;
    let customs = routed(&app, "customs", &["C2"]).await;
    let ours = routed(&app, "ip_office", &["P1"]).await;
    let li = app.login_cookie("officer", Some("ip_office")).await;

    let missing = get_as(&app, Some(&li), "/api/v1/cases/KW-2026-999999").await;
    let foreign = get_as(&app, Some(&li), &format!("/api/v1/cases/{customs}")).await;
    assert_error(&foreign, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(
        (foreign.status, &foreign.body),
        (missing.status, &missing.body)
    );
    for step in [
        json!({"action": "open"}),
        json!({"action": "close", "outcome": "withdrawn"}),
    ] {
        let res = post_as(&app, &li, &format!("/api/v1/cases/{customs}/actions"), step).await;
        assert_eq!((res.status, &res.body), (missing.status, &missing.body));
    }
    let untouched = app.get(&format!("/api/v1/cases/{customs}")).await;
    assert_eq!(untouched.body["version"], 3, "accept and route only");

    // their own case reads; the related customs case is not named to them, but is to the centre
    let own = get_as(&app, Some(&li), &format!("/api/v1/cases/{ours}")).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert!(case_numbers(&own.body["triage"]["related"]).is_empty());
    let centre = app.get(&format!("/api/v1/cases/{ours}")).await;
    assert_eq!(
        case_numbers(&centre.body["triage"]["related"]),
        vec![customs.clone()]
    );

    let events = app
        .store
        .case_events("account:officer.ip_office")
        .await
        .unwrap();
    let refused: Vec<Value> = events
        .iter()
        .filter(|e| e.kind == "refused")
        .map(|e| serde_json::from_str(&e.payload).unwrap())
        .collect();
    assert_eq!(refused.len(), 3, "one GET and two steps: {refused:?}");
    assert_eq!(
        refused[0],
        json!({"action": "read_case", "agency": "customs", "subject": customs})
    );
}

#[tokio::test]
async fn each_step_needs_its_roles_permission_and_the_actor_is_the_session() {
    let app = app().await.logged_in("caseworker", None).await;
    let n = routed(&app, "market_regulation", &["M1", "M2"]).await;

    // the caseworker triages but does not open; the officer works but does not approve
    let refused = app
        .act(&n, json!({"action": "open", "actor": "caseworker:wang"}))
        .await;
    assert_error(&refused, StatusCode::FORBIDDEN, "forbidden");
    ok(&app, &n, json!({"action": "open", "actor": "officer:li"})).await;
    ok(
        &app,
        &n,
        json!({"action": "request_extension", "actor": "officer:li", "reason": "案情复杂", "amount": "30d"}),
    )
    .await;
    let by_officer = app
        .act(
            &n,
            json!({"action": "approve_extension", "actor": "officer:li"}),
        )
        .await;
    assert_error(&by_officer, StatusCode::FORBIDDEN, "forbidden");
    // a supervisor of another agency does not see the case at all
    let by_police = app
        .act(
            &n,
            json!({"action": "approve_extension", "actor": "supervisor:qian@police"}),
        )
        .await;
    assert_error(&by_police, StatusCode::NOT_FOUND, "not_found");
    let approved = ok(
        &app,
        &n,
        json!({"action": "approve_extension", "actor": "supervisor:sun@market_regulation"}),
    )
    .await;
    // the head approves a transfer to the police (移送规定 Art. 5), not the officer
    let transfer = json!({"action": "transfer", "actor": "officer:li", "reason": "涉嫌犯罪", "to_agency": "police"});
    assert_error(
        &app.act(&n, transfer).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );

    let actors: Vec<(String, String)> = approved["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_string(),
                e["actor"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        actors[1..],
        [
            ("accept".to_string(), "caseworker:wang".to_string()),
            ("route".into(), "caseworker:wang".into()),
            ("open".into(), "officer:li".into()),
            ("request_extension".into(), "officer:li".into()),
            ("approve_extension".into(), "supervisor:sun".into()),
        ]
    );
    let queue = app.get("/api/v1/queues?officer=li").await;
    assert_eq!(case_numbers(&queue.body), vec![n.clone()]);
    assert_eq!(queue.body[0]["officer"], "li");
}

#[tokio::test]
async fn the_view_lists_the_steps_the_caller_may_take() {
    let app = app().await.logged_in("caseworker", None).await;
    let n = routed(&app, "copyright", &["M3"]).await;
    let centre = app.get(&format!("/api/v1/cases/{n}")).await;
    let officer = app.login_cookie("officer", Some("copyright")).await;
    let theirs = get_as(&app, Some(&officer), &format!("/api/v1/cases/{n}")).await;
    assert_eq!(
        centre.body["allowed_actions"],
        theirs.body["allowed_actions"]
    );
    assert_eq!(centre.body["permitted_actions"], json!(["route"]));
    assert_eq!(
        theirs.body["permitted_actions"],
        json!(["open", "close"]),
        "{}",
        theirs.body["allowed_actions"]
    );
}

#[tokio::test]
async fn administrators_and_anonymous_callers_read_no_case_or_queue() {
    let app = app().await.logged_in("caseworker", None).await;
    let n = routed(&app, "customs", &["C2"]).await;
    let admin = app.login_cookie("administrator", None).await;
    for uri in [
        format!("/api/v1/cases/{n}"),
        "/api/v1/cases/KW-2026-999999".to_string(),
        "/api/v1/queues".to_string(),
        "/api/v1/respondents/1".to_string(),
    ] {
        let res = get_as(&app, Some(&admin), &uri).await;
        assert_error(&res, StatusCode::FORBIDDEN, "forbidden");
        let res = get_as(&app, None, &uri).await;
        assert_error(&res, StatusCode::UNAUTHORIZED, "not_logged_in");
    }
    let step = post_as(
        &app,
        &admin,
        &format!("/api/v1/cases/{n}/actions"),
        json!({"action": "close", "outcome": "withdrawn"}),
    )
    .await;
    assert_error(&step, StatusCode::FORBIDDEN, "forbidden");
    let anonymous = app
        .send(
            Request::post(format!("/api/v1/cases/{n}/actions"))
                .header(header::COOKIE, "")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json!({"action": "accept"}).to_string()))
                .unwrap(),
        )
        .await;
    assert_error(&anonymous, StatusCode::UNAUTHORIZED, "not_logged_in");
}

#[tokio::test]
async fn queues_and_respondents_show_only_the_callers_agency() {
    let app = app().await.logged_in("caseworker", None).await;
    let customs = routed(&app, "customs", &["C2"]).await;
    let ip = routed(&app, "ip_office", &["P1"]).await;
    let officer = app.login_cookie("officer", Some("customs")).await;

    let own = get_as(&app, Some(&officer), "/api/v1/queues").await;
    assert_eq!(case_numbers(&own.body), vec![customs.clone()]);
    let other = get_as(&app, Some(&officer), "/api/v1/queues?agency=ip_office").await;
    assert_error(&other, StatusCode::FORBIDDEN, "forbidden");
    let all = app.get("/api/v1/queues").await;
    assert_eq!(case_numbers(&all.body), vec![customs.clone(), ip.clone()]);

    let id = app.get(&format!("/api/v1/cases/{customs}")).await.body["triage"]["respondent"]["id"]
        .as_i64()
        .unwrap();
    let theirs = get_as(&app, Some(&officer), &format!("/api/v1/respondents/{id}")).await;
    assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.body);
    assert_eq!(case_numbers(&theirs.body["history"]), vec![customs.clone()]);
    assert_eq!(theirs.body["cases"], 2, "the finding counts every case");
    let centre = app.get(&format!("/api/v1/respondents/{id}")).await;
    assert_eq!(case_numbers(&centre.body["history"]), vec![customs, ip]);
    // an agency with none of its cases: as if there were no such respondent
    let copyright = app.login_cookie("officer", Some("copyright")).await;
    let none = get_as(&app, Some(&copyright), &format!("/api/v1/respondents/{id}")).await;
    let missing = get_as(&app, Some(&copyright), "/api/v1/respondents/99999").await;
    assert_error(&none, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(none.body, missing.body);
}

#[tokio::test]
async fn personal_information_is_masked_and_read_in_full_only_by_the_officer_handling_the_case() {
    let app = app().await.logged_in("caseworker", None).await;
    let n = routed(&app, "market_regulation", &["M1", "M2"]).await;
    let masked = app.get(&format!("/api/v1/cases/{n}")).await;
    let filed = &masked.body["complaint"];
    assert_eq!(filed["personal_data"], "masked");
    assert_eq!(filed["filed"]["complainant"]["mobile"], "138****5678");
    assert_eq!(
        filed["filed"]["complainant"]["name"],
        "耐克创新有限合伙公司"
    );
    assert_eq!(filed["filed"]["rights"][0]["number"], "1234567");
    assert!(!masked.body.to_string().contains("13812345678"));

    // the centre may not read it in full: refused and recorded
    let refused = app.get(&format!("/api/v1/cases/{n}?full=true")).await;
    assert_error(&refused, StatusCode::FORBIDDEN, "forbidden");
    let events = app
        .store
        .case_events("account:caseworker.centre")
        .await
        .unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.kind, "refused");
    assert_eq!(
        serde_json::from_str::<Value>(&last.payload).unwrap(),
        json!({"action": "read_personal_data", "agency": "market_regulation", "subject": n})
    );

    // before 立案, an officer of the agency deciding whether to open it reads it in full
    let li = app.actor_cookie("officer:li", &n).await;
    let full = get_as(&app, Some(&li), &format!("/api/v1/cases/{n}?full=true")).await;
    assert_eq!(full.status, StatusCode::OK, "{}", full.body);
    assert_eq!(full.body["complaint"]["personal_data"], "full");
    assert_eq!(
        full.body["complaint"]["filed"]["complainant"]["mobile"],
        "13812345678"
    );
    let viewed = full.body["timeline"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (viewed["kind"].as_str(), viewed["actor"].as_str()),
        (Some("personal_data_viewed"), Some("officer:li"))
    );

    // once li has opened it, it is li's: another officer of the agency reads it masked only
    ok(&app, &n, json!({"action": "open", "actor": "officer:li"})).await;
    let wang = app.actor_cookie("officer:wang", &n).await;
    let other = get_as(&app, Some(&wang), &format!("/api/v1/cases/{n}?full=true")).await;
    assert_error(&other, StatusCode::FORBIDDEN, "forbidden");
    let plain = get_as(&app, Some(&wang), &format!("/api/v1/cases/{n}")).await;
    assert_eq!(plain.body["complaint"]["personal_data"], "masked");
    let again = get_as(&app, Some(&li), &format!("/api/v1/cases/{n}?full=true")).await;
    assert_eq!(again.status, StatusCode::OK);
    let kinds: Vec<&str> = again.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == "personal_data_viewed")
            .count(),
        2
    );

    let bad = get_as(&app, Some(&li), &format!("/api/v1/cases/{n}?full=yes")).await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
}
