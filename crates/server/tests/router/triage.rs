//! Triage over the API: materials and supplements (补正), related cases, respondents and the
//! repeat-infringer finding, group infringement at a fair, supervision (挂牌督办), and
//! recomputing due dates when a holiday year is loaded.

use super::*;

fn fair_complaint(respondent: Value, booth: &str, mark: &str) -> Value {
    json!({
        "channel": {"kind": "fair", "fair_name": "第138届广交会", "session": "第一期", "booth": booth},
        "complainant": {"kind": "organisation", "name": "耐克创新有限合伙公司", "mobile": "13812345678"},
        "rights": [{"kind": "trademark", "number": mark, "nice_classes": [25]}],
        "respondent": respondent,
        "description": "展位展出的运动鞋使用了与注册商标相同的标识"
    })
}

async fn file(app: &App, body: Value) -> (String, String) {
    let res = app.post_json("/api/v1/complaints", body.to_string()).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    (
        res.body["case_number"].as_str().unwrap().to_string(),
        res.body["tracking_token"].as_str().unwrap().to_string(),
    )
}

async fn act(app: &App, number: &str, body: Value) -> Response {
    app.act(number, body).await
}

async fn ok(app: &App, number: &str, body: Value) -> Value {
    let res = act(app, number, body.clone()).await;
    assert_eq!(res.status, StatusCode::OK, "{body} -> {}", res.body);
    res.body
}

async fn case(app: &App, number: &str) -> Value {
    let res = app.get(&format!("/api/v1/cases/{number}")).await;
    assert_eq!(res.status, StatusCode::OK);
    res.body
}

/// Accept, route by the rules, open, and close with `outcome`.
async fn walk_to_close(app: &App, number: &str, outcome: &str) {
    ok(
        app,
        number,
        json!({"action": "accept", "actor": "caseworker:wang", "reason": "现场核对原件，先行受理"}),
    )
    .await;
    ok(
        app,
        number,
        json!({"action": "route", "actor": "caseworker:wang"}),
    )
    .await;
    ok(
        app,
        number,
        json!({"action": "open", "actor": "officer:li"}),
    )
    .await;
    ok(
        app,
        number,
        json!({"action": "close", "actor": "officer:li", "outcome": outcome}),
    )
    .await;
}

fn keys(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|m| {
            m.as_str().map_or_else(
                || m["material"].as_str().unwrap().to_string(),
                str::to_string,
            )
        })
        .collect()
}

#[tokio::test]
async fn tagged_evidence_counts_towards_completeness() {
    let app = app().await.logged_in("caseworker", None).await;
    let (bare, _) = file(&app, complaint()).await;
    let missing = keys(&case(&app, &bare).await["triage"]["missing_materials"]);
    for m in [
        "right_certificate",
        "identity_proof",
        "infringement_evidence",
    ] {
        assert!(
            missing.contains(&m.to_string()),
            "{m} missing from {missing:?}"
        );
    }

    let res = app
        .post_multipart(
            Form::default()
                .complaint(&complaint())
                .tagged("right_certificate", "注册证.pdf", &pdf())
                .tagged("identity_proof", "营业执照.png", &png())
                .evidence("现场.jpg", &jpeg(200)),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let materials: Vec<&str> = res.body["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["material"].as_str().unwrap())
        .collect();
    assert_eq!(
        materials,
        [
            "right_certificate",
            "identity_proof",
            "infringement_evidence"
        ]
    );
    let n = res.body["case_number"].as_str().unwrap();
    let triage = &case(&app, n).await["triage"];
    let missing = keys(&triage["missing_materials"]);
    for m in [
        "right_certificate",
        "identity_proof",
        "infringement_evidence",
    ] {
        assert!(
            !missing.contains(&m.to_string()),
            "{m} still missing: {missing:?}"
        );
    }
    assert_eq!(
        keys(&triage["materials_held"]),
        [
            "right_certificate",
            "identity_proof",
            "infringement_evidence"
        ]
    );
}

#[tokio::test]
async fn an_unknown_material_tag_is_refused_and_stores_nothing() {
    let app = app().await.logged_in("caseworker", None).await;
    let res = app
        .post_multipart(Form::default().complaint(&complaint()).tagged(
            "selfie",
            "a.jpg",
            &jpeg(100),
        ))
        .await;
    assert_error(&res, StatusCode::BAD_REQUEST, "unknown_material");
    assert!(
        res.body["error"]["message_en"]
            .as_str()
            .unwrap()
            .contains("right_certificate")
    );
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_supplement_request_lists_what_is_missing_and_the_complainant_answers_it() {
    let app = app().await.logged_in("caseworker", None).await;
    let (n, token) = file(&app, complaint()).await;
    let asked = ok(
        &app,
        &n,
        json!({"action": "request_supplement", "actor": "caseworker:wang", "reason": "缺少权属证明"}),
    )
    .await;
    let event = asked["timeline"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    let listed = keys(&event["payload"]["missing"]);
    assert!(
        listed.contains(&"right_certificate".to_string()),
        "{listed:?}"
    );

    let status = app.get_status(&n, &token).await;
    assert_eq!(status.body["case_state"], "supplement_requested");
    assert_eq!(
        keys(&status.body["supplement_requested"]["missing"]),
        listed
    );
    assert_eq!(
        status.body["supplement_requested"]["reason"],
        "缺少权属证明"
    );

    let uri = format!("/api/v1/complaints/{n}/supplement");
    let wrong = app
        .post_multipart_to(
            &uri,
            Form::default().tagged("right_certificate", "证书.pdf", &pdf()),
            &[("x-tracking-token", "not-the-token")],
        )
        .await;
    assert_error(&wrong, StatusCode::NOT_FOUND, "not_found");

    let empty = app
        .post_multipart_to(&uri, Form::default(), &[("x-tracking-token", &token)])
        .await;
    assert_error(
        &empty,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );

    let sent = app
        .post_multipart_to(
            &uri,
            Form::default()
                .part("note", None, "text/plain", "补充商标注册证".as_bytes())
                .tagged("right_certificate", "证书.pdf", &pdf()),
            &[("x-tracking-token", &token)],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert_eq!(sent.body["case_state"], "received");
    assert_eq!(sent.body["supplement_requested"], Value::Null);
    assert_eq!(sent.body["evidence"][0]["material"], "right_certificate");

    let c = case(&app, &n).await;
    let last = c["timeline"].as_array().unwrap().last().unwrap();
    assert_eq!(last["kind"], "supplement");
    assert_eq!(last["actor"], "complainant");
    assert_eq!(last["payload"]["note"], "补充商标注册证");
    assert!(!keys(&c["triage"]["missing_materials"]).contains(&"right_certificate".to_string()));

    let again = app
        .post_multipart_to(
            &uri,
            Form::default().tagged("right_certificate", "证书.pdf", &pdf()),
            &[("x-tracking-token", &token)],
        )
        .await;
    assert_error(&again, StatusCode::CONFLICT, "no_supplement_requested");
}

#[tokio::test]
async fn complaints_about_one_booth_are_related_and_share_a_respondent() {
    let app = app().await.logged_in("caseworker", None).await;
    let (a, _) = file(
        &app,
        fair_complaint(
            json!({"name": "某某鞋业有限公司", "booth": "16.1K7"}),
            "16.1K7",
            "1234567",
        ),
    )
    .await;
    let (b, _) = file(
        &app,
        fair_complaint(json!({"booth": "16.1 k7"}), "16.1 k7", "7654321"),
    )
    .await;
    let (other, _) = file(
        &app,
        fair_complaint(json!({"name": "别家"}), "9.2A1", "7654322"),
    )
    .await;
    let ca = case(&app, &a).await;
    let related = ca["triage"]["related"].as_array().unwrap();
    assert_eq!(related.len(), 1, "{related:?}");
    assert_eq!(related[0]["case_number"], b.as_str());
    let on = keys(&related[0]["matched_on"]);
    assert!(
        on.contains(&"booth".to_string()) && on.contains(&"same_respondent".to_string()),
        "{on:?}"
    );
    let cb = case(&app, &b).await;
    assert_eq!(
        ca["triage"]["respondent"]["id"],
        cb["triage"]["respondent"]["id"]
    );
    assert_ne!(
        ca["triage"]["respondent"]["id"],
        case(&app, &other).await["triage"]["respondent"]["id"]
    );
}

#[tokio::test]
async fn two_upheld_cases_make_a_repeat_infringer_and_the_history_shows_them() {
    let app = app().await.logged_in("caseworker", None).await;
    let who = json!({"name": "惯犯鞋业有限公司", "booth": "3.1B2"});
    let (first, _) = file(&app, fair_complaint(who.clone(), "3.1B2", "1234567")).await;
    walk_to_close(&app, &first, "exhibits_withdrawn").await;
    let (mediated, _) = file(&app, fair_complaint(who.clone(), "3.1B2", "1234568")).await;
    walk_to_close(&app, &mediated, "mediated").await;

    let (third, _) = file(&app, fair_complaint(who.clone(), "3.1B2", "1234569")).await;
    let r = &case(&app, &third).await["triage"]["respondent"];
    assert_eq!(
        r["repeat_infringer"], false,
        "one upheld case is not enough: {r}"
    );

    let (second, _) = file(&app, fair_complaint(who.clone(), "3.1B2", "1234570")).await;
    walk_to_close(&app, &second, "infringement_confirmed").await;
    let r = case(&app, &third).await["triage"]["respondent"].clone();
    assert_eq!(r["repeat_infringer"], true, "{r}");
    assert_eq!(keys(&r["upheld_cases"]), [first.clone(), second.clone()]);
    assert!(r["rule_zh"].as_str().unwrap().contains("商标法"));

    // The routing event records the finding.
    ok(
        &app,
        &third,
        json!({"action": "accept", "actor": "caseworker:wang", "reason": "现场核对原件，先行受理"}),
    )
    .await;
    let routed = ok(
        &app,
        &third,
        json!({"action": "route", "actor": "caseworker:wang"}),
    )
    .await;
    let event = routed["timeline"].as_array().unwrap().last().unwrap();
    assert_eq!(event["payload"]["rule"]["repeat_infringer"], true);

    let id = r["id"].as_i64().unwrap();
    let view = app.get(&format!("/api/v1/respondents/{id}")).await;
    assert_eq!(view.status, StatusCode::OK);
    assert_eq!(view.body["display_name"], "惯犯鞋业有限公司");
    assert_eq!(view.body["repeat_infringer"], true);
    let history: Vec<&str> = view.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["case_number"].as_str().unwrap())
        .collect();
    assert_eq!(
        history,
        [
            first.as_str(),
            mediated.as_str(),
            third.as_str(),
            second.as_str()
        ]
    );
    assert_eq!(view.body["history"][1]["outcome"], "mediated");
    assert!(view.body["history"][0]["closed_at"].is_string());
    assert_eq!(
        app.get(&format!("/api/v1/respondents/{}", id + 100))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/respondents/abc").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn many_respondents_on_one_right_at_one_fair_is_group_infringement() {
    let app = app().await.logged_in("caseworker", None).await;
    let mut numbers = Vec::new();
    for (name, booth) in [("甲", "1.1A1"), ("乙", "1.1A2")] {
        numbers.push(
            file(
                &app,
                fair_complaint(json!({"name": name}), booth, "1234567"),
            )
            .await
            .0,
        );
    }
    assert_eq!(
        case(&app, &numbers[0]).await["triage"]["group_infringement"],
        json!([]),
        "two respondents are not yet a group"
    );
    numbers.push(
        file(
            &app,
            fair_complaint(json!({"name": "丙"}), "1.1A3", "1234567"),
        )
        .await
        .0,
    );
    // Same right at another fair does not count.
    let mut elsewhere = fair_complaint(json!({"name": "丁"}), "1.1A4", "1234567");
    elsewhere["channel"]["fair_name"] = json!("海交会");
    file(&app, elsewhere).await;

    let groups = case(&app, &numbers[0]).await["triage"]["group_infringement"].clone();
    assert_eq!(groups.as_array().unwrap().len(), 1, "{groups}");
    assert_eq!(groups[0]["respondents"], 3);
    assert_eq!(groups[0]["right"], "trademark:1234567");
    let mut cases = keys(&groups[0]["cases"]);
    cases.sort();
    assert_eq!(cases, numbers);
}

#[tokio::test]
async fn a_supervisor_marks_and_lifts_supervision_with_a_reason() {
    let app = app().await.logged_in("caseworker", None).await;
    let (n, _) = file(&app, complaint()).await;
    let (_other, _) = file(&app, complaint()).await;
    let no_reason = act(
        &app,
        &n,
        json!({"action": "supervise", "actor": "supervisor:zhao"}),
    )
    .await;
    assert_error(
        &no_reason,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );

    let marked = ok(
        &app,
        &n,
        json!({"action": "supervise", "actor": "supervisor:zhao", "reason": "涉案金额大、社会影响广"}),
    )
    .await;
    assert_eq!(marked["supervised"], true);
    assert_eq!(marked["state"], "received", "the state does not change");
    assert!(keys(&marked["allowed_actions"]).contains(&"unsupervise".to_string()));
    assert!(!keys(&marked["allowed_actions"]).contains(&"supervise".to_string()));

    let listed = app.get("/api/v1/queues?supervised=true").await;
    assert_eq!(listed.status, StatusCode::OK);
    let lines = listed.body.as_array().unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["case_number"], n.as_str());
    assert_eq!(lines[0]["supervised"], true);

    let twice = act(
        &app,
        &n,
        json!({"action": "supervise", "actor": "supervisor:zhao", "reason": "再次"}),
    )
    .await;
    assert_error(
        &twice,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );

    let lifted = ok(
        &app,
        &n,
        json!({"action": "unsupervise", "actor": "supervisor:zhao", "reason": "已办结重点环节"}),
    )
    .await;
    assert_eq!(lifted["supervised"], false);
    let kinds: Vec<&str> = lifted["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["received", "supervise", "unsupervise"]);
    assert!(
        app.get("/api/v1/queues?supervised=true")
            .await
            .body
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn loading_next_years_notice_replaces_the_provisional_dates_of_open_and_closed_cases() {
    // 20 December 2026: the 2027 notice is not published. M1 (15 working days from 12-21)
    // crosses 元旦 2027, a statutory rest day on the provisional schedule: due 2027-01-11.
    let app = app_at("2026-12-20T02:00:00Z")
        .await
        .logged_in("caseworker", None)
        .await;
    let (n, _) = file(&app, complaint()).await;
    ok(
        &app,
        &n,
        json!({"action": "accept", "actor": "caseworker:wang", "reason": "现场核对原件，先行受理"}),
    )
    .await;
    let routed = ok(
        &app,
        &n,
        json!({"action": "route", "actor": "caseworker:wang"}),
    )
    .await;
    let m1 = routed["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["procedure"] == "M1")
        .expect("a trademark complaint is routed with M1")
        .clone();
    assert_eq!(m1["due"], "2027-01-11T16:00:00Z", "{m1}");
    assert_eq!(m1["provisional_years"], json!([2027]), "{m1}");
    assert!(m1["explanation_zh"].to_string().contains("暂定"), "{m1}");
    let queue = app.get("/api/v1/queues").await;
    assert_eq!(queue.body[0]["due_provisional"], true, "{}", queue.body);

    // A case closed in October under an older kuaiwei, whose M2 clock was left undated
    // ("not computable") for want of the 2027 schedule.
    let (old, _) = file(&app, complaint()).await;
    let case = app.store.case(&old).await.unwrap().unwrap();
    let at = |t: &str| t.parse::<jiff::Timestamp>().unwrap();
    app.store
        .update_case(kuaiwei_store::CaseUpdate {
            case_number: case.case_number.clone(),
            expected_version: case.version,
            state: kuaiwei_domain::CaseState::Closed,
            agency: Some("market_regulation".into()),
            outcome: Some(kuaiwei_domain::Outcome::Withdrawn),
            clocks: vec![kuaiwei_store::StoredClock {
                procedure_id: "M2".into(),
                started_at: Some(at("2026-10-20T02:00:00Z")),
                closed_at: Some(at("2026-10-28T02:00:00Z")),
                due_at: None,
                status: kuaiwei_store::ClockStanding::NotComputable,
                inputs: kuaiwei_deadlines::ClockInputs::default(),
            }],
            supervised: false,
            officer: Some("officer:li".into()),
            added_evidence: vec![],
            materials_received_at: None,
            pending_extension: kuaiwei_store::PendingExtension::Keep,
            transfer_proposed_by: None,
            event: kuaiwei_store::NewEvent {
                actor: "test".into(),
                kind: "close".into(),
                payload: json!({}),
                reason: None,
            },
            at: at("2026-10-28T02:00:00Z"),
            linked: Vec::new(),
            messages: Vec::new(),
        })
        .await
        .unwrap();

    // The notice arrives (here: a 2027 with no holiday at all, so that 元旦 works).
    let y2027 = Calendar::parse_year("year = 2027\nnotice = \"test\"\n").unwrap();
    let mut calendar = Calendar::bundled();
    calendar.insert_year(y2027);
    app.state.calendar.replace(calendar);
    let since = at("2026-12-31T16:00:00Z");
    let done = app
        .state
        .cases()
        .recompute_after_calendar_change(since)
        .await
        .unwrap();
    assert_eq!(done.updated, 2, "{done:?}");
    assert_eq!(done.still_not_computable, 0);
    let stored = app.store.case(&n).await.unwrap().unwrap();
    let m1 = stored
        .clocks
        .iter()
        .find(|c| c.procedure_id == "M1")
        .unwrap();
    // 12-21..25, 28..31, 01-01, 01-04..08: the 15th working day is now 01-08
    assert_eq!(m1.due_at, Some(at("2027-01-08T16:00:00Z")));
    let events = app.store.case_events(&n).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(
        (last.kind.as_str(), last.actor.as_str()),
        ("recompute", "system")
    );
    let closed = app.store.case(&old).await.unwrap().unwrap();
    // 10-20 + 90 days = 2027-01-18 (Mon)
    assert_eq!(closed.clocks[0].due_at, Some(at("2027-01-18T16:00:00Z")));
    assert_eq!(
        closed.clocks[0].status,
        kuaiwei_store::ClockStanding::Computed(kuaiwei_deadlines::ClockStatus::ClosedOnTime)
    );
    let queue = app.get("/api/v1/queues").await;
    assert_eq!(queue.body[0]["due_provisional"], false, "{}", queue.body);

    let again = app
        .state
        .cases()
        .recompute_after_calendar_change(since)
        .await
        .unwrap();
    assert_eq!(again.updated, 0, "nothing moves twice");
}

#[tokio::test]
async fn the_deadline_watch_lists_overdue_and_due_soon_cases_per_agency() {
    let app = app().await.logged_in("caseworker", None).await;
    let (routed, _) = file(&app, complaint()).await;
    ok(
        &app,
        &routed,
        json!({"action": "accept", "actor": "caseworker:wang", "reason": "现场核对原件，先行受理"}),
    )
    .await;
    let r = ok(
        &app,
        &routed,
        json!({"action": "route", "actor": "caseworker:wang"}),
    )
    .await;
    let agency = r["agency"].as_str().unwrap().to_string();
    let (late, _) = file(&app, complaint()).await;
    let (_untouched, _) = file(&app, complaint()).await;

    // A case whose clock fell due yesterday, written as the store holds it.
    let now = jiff::Timestamp::now();
    let case = app.store.case(&late).await.unwrap().unwrap();
    let started = now - jiff::SignedDuration::from_hours(24 * 10);
    app.store
        .update_case(kuaiwei_store::CaseUpdate {
            case_number: case.case_number.clone(),
            expected_version: case.version,
            state: kuaiwei_domain::CaseState::Routed,
            agency: Some("copyright".into()),
            outcome: None,
            clocks: vec![kuaiwei_store::StoredClock {
                procedure_id: "C1".into(),
                started_at: Some(started),
                closed_at: None,
                due_at: Some(now - jiff::SignedDuration::from_hours(24)),
                status: kuaiwei_store::ClockStanding::Computed(
                    kuaiwei_deadlines::ClockStatus::Overdue,
                ),
                inputs: kuaiwei_deadlines::ClockInputs::default(),
            }],
            supervised: true,
            officer: Some("officer:zhou".into()),
            added_evidence: vec![],
            materials_received_at: None,
            pending_extension: kuaiwei_store::PendingExtension::Keep,
            transfer_proposed_by: None,
            event: kuaiwei_store::NewEvent {
                actor: "test".into(),
                kind: "route".into(),
                payload: json!({}),
                reason: None,
            },
            at: started,
            linked: Vec::new(),
            messages: Vec::new(),
        })
        .await
        .unwrap();

    let res = app.get("/api/v1/watch?days=30").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let agencies = res.body["agencies"].as_array().unwrap();
    assert_eq!(agencies.len(), 2, "{}", res.body);
    let of = |key: &str| agencies.iter().find(|a| a["agency"] == key).unwrap();
    let copyright = of("copyright");
    assert_eq!(copyright["overdue"][0]["case_number"], late.as_str());
    assert_eq!(copyright["overdue"][0]["supervised"], true);
    assert_eq!(copyright["due_soon"], json!([]));
    let theirs = of(&agency);
    assert_eq!(theirs["overdue"], json!([]));
    assert_eq!(theirs["due_soon"][0]["case_number"], routed.as_str());

    assert_eq!(res.body["overdue"], 1);
    assert_eq!(res.body["due_soon"], 1);
    assert_eq!(copyright["label_zh"], "版权局");
    assert_eq!(
        copyright["officers"],
        json!([{"officer": "officer:zhou", "overdue": 1, "due_soon": 0}])
    );
    assert_eq!(copyright["overdue"][0]["officer"], "officer:zhou");
    assert_eq!(copyright["overdue"][0]["days"], 1);
    assert_eq!(theirs["officers"][0]["officer"], json!(null));

    let only = app.get("/api/v1/watch?days=30&agency=copyright").await;
    assert_eq!(only.body["agencies"].as_array().unwrap().len(), 1);
    let mine = app.get("/api/v1/watch?days=30&officer=officer:zhou").await;
    let mine = mine.body["agencies"].as_array().unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["overdue"][0]["case_number"], late.as_str());
    let nobody = app
        .get("/api/v1/watch?days=30&officer=officer:nobody")
        .await;
    assert_eq!(nobody.body["agencies"], json!([]));
    let unknown = app.get("/api/v1/watch?agency=tax_bureau").await;
    assert_error(
        &unknown,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    assert_eq!(
        field_errors(&unknown),
        [("agency".to_string(), "unknown_value".to_string())]
    );

    // the page: per agency, per officer, every case linked
    // an officer sees their own agency's watch only, and may not ask for another's
    let officer = app.login_cookie("officer", Some("copyright")).await;
    let as_officer = |uri: &str| {
        Request::get(uri)
            .header(header::COOKIE, officer.as_str())
            .body(Body::empty())
            .unwrap()
    };
    let own = app.send(as_officer("/api/v1/watch?days=30")).await;
    let own = own.body["agencies"].as_array().unwrap();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0]["agency"], "copyright");
    let foreign = app
        .send(as_officer(&format!(
            "/api/v1/watch?days=30&agency={agency}"
        )))
        .await;
    assert_error(&foreign, StatusCode::FORBIDDEN, "forbidden");

    let page = app.get_text("/watch?days=30").await;
    assert!(page.contains("<h2>版权局 · officer:zhou</h2>"), "{page}");
    assert!(page.contains(&format!("href=\"/work/cases/{}\"", late.as_str())));
    assert!(page.contains("超期 1 天"), "{page}");
    let en = app.get_text("/watch?days=30&lang=en").await;
    assert!(
        en.contains("Deadline watch") && en.contains("1 days late"),
        "{en}"
    );
    let bad = app.get("/api/v1/watch?days=0").await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let bad = app.get("/api/v1/watch?days=x").await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
}

#[tokio::test]
async fn the_fair_hand_over_runs_from_the_supplement_that_completed_the_materials_not_the_acceptance()
 {
    // 展会办法 Art. 11 (legal-deadlines.md §8.4): F1's 24 hours run from the receipt of the
    // materials the acceptance relied on; a slow triage must not lengthen them.
    let app = app_at("2026-10-09T02:00:00Z")
        .await
        .logged_in("caseworker", None)
        .await;
    let (n, token) = file(&app, complaint()).await;
    // materials are missing: accepting needs the caseworker's reason
    let bare = app
        .act(&n, json!({"action": "accept", "actor": "caseworker:wang"}))
        .await;
    assert_eq!(
        field_errors(&bare),
        vec![("reason".to_string(), "required".to_string())]
    );
    assert!(
        bare.body["error"]["fields"][0]["message_zh"]
            .as_str()
            .unwrap()
            .contains("权属证明"),
        "{}",
        bare.body
    );
    app.state.clock.set("2026-10-09T03:00:00Z".parse().unwrap());
    ok(
        &app,
        &n,
        json!({"action": "request_supplement", "actor": "caseworker:wang", "reason": "缺少权属证明"}),
    )
    .await;
    // the complainant answers at 05:00
    app.state.clock.set("2026-10-09T05:00:00Z".parse().unwrap());
    let sent = app
        .post_multipart_to(
            &format!("/api/v1/complaints/{n}/supplement"),
            Form::default().tagged("right_certificate", "证书.pdf", &pdf()),
            &[("x-tracking-token", &token)],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    // accepted eight hours later, with a reason for what is still missing, routed at once
    app.state.clock.set("2026-10-09T13:00:00Z".parse().unwrap());
    ok(
        &app,
        &n,
        json!({"action": "accept", "actor": "caseworker:wang", "reason": "授权委托书现场核对"}),
    )
    .await;
    let routed = ok(
        &app,
        &n,
        json!({"action": "route", "actor": "caseworker:wang"}),
    )
    .await;
    let f1 = routed["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["procedure"] == "F1")
        .expect("a fair complaint keeps the hand-over clock")
        .clone();
    assert_eq!(f1["started_at"], "2026-10-09T05:00:00Z", "{f1}");
    assert_eq!(f1["due"], "2026-10-10T05:00:00Z", "{f1}");
    assert_eq!(f1["status"], "closed_on_time", "{f1}");
}

#[tokio::test]
async fn an_extension_asked_for_after_the_period_ran_out_is_refused_and_the_case_stays_late() {
    // legal-deadlines.md §8.2
    let mut app = app_at("2026-10-12T02:00:00Z")
        .await
        .logged_in("caseworker", None)
        .await;
    let (n, _) = file(&app, complaint()).await;
    ok(
        &app,
        &n,
        json!({"action": "accept", "actor": "caseworker:wang", "reason": "现场核对原件，先行受理"}),
    )
    .await;
    ok(
        &app,
        &n,
        json!({"action": "route", "actor": "caseworker:wang"}),
    )
    .await;
    ok(&app, &n, json!({"action": "open", "actor": "officer:li"})).await;
    let asked = ok(
        &app,
        &n,
        json!({"action": "request_extension", "actor": "officer:li", "reason": "案情复杂", "amount": "30d"}),
    )
    .await;
    let m2_due = asked["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["procedure"] == "M2")
        .expect("M2")["due"]
        .as_str()
        .unwrap()
        .parse::<jiff::Timestamp>()
        .unwrap();
    // the supervisor comes to it a minute after the period ran out
    app.state
        .clock
        .set(m2_due + jiff::SignedDuration::from_secs(60));
    let late = app
        .act(
            &n,
            json!({"action": "approve_extension", "actor": "supervisor:zhao"}),
        )
        .await;
    assert_error(&late, StatusCode::CONFLICT, "period_expired");
    app.log_in_again("caseworker", None).await;
    let c = case(&app, &n).await;
    let m2 = c["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["procedure"] == "M2")
        .unwrap();
    assert_eq!(m2["status"], "overdue", "{m2}");
    assert_eq!(
        m2["due"]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .unwrap(),
        m2_due
    );
}
