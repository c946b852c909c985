//! The report routes refuse what they cannot answer by name: a malformed or future period, an
//! unknown format, dimension or measure, a freeze of a period still running or frozen already.

use super::*;

#[tokio::test]
async fn a_bad_period_format_or_measure_is_a_422_naming_the_field() {
    let app = app_at("2026-11-02T02:00:00Z")
        .await
        .logged_in("supervisor", None)
        .await;
    for (uri, field, code) in [
        ("/api/v1/reports/on-time", "period", "required"),
        (
            "/api/v1/reports/on-time?period=2026-13",
            "period",
            "bad_period",
        ),
        (
            "/api/v1/reports/on-time?month=October",
            "period",
            "bad_period",
        ),
        (
            "/api/v1/reports/on-time?period=2026-12",
            "period",
            "period_not_started",
        ),
        (
            "/api/v1/reports/on-time?period=2026-10&format=pdf",
            "format",
            "unknown_format",
        ),
        (
            "/api/v1/reports/on-time?period=2026-10&colour=red",
            "query",
            "bad_query",
        ),
        (
            "/api/v1/reports/on-time/cases?period=2026-10&measure=fastest",
            "measure",
            "unknown_measure",
        ),
        (
            "/api/v1/reports/on-time/cases?period=2026-10&measure=late&dimension=colour&key=red",
            "dimension",
            "unknown_dimension",
        ),
        (
            "/api/v1/reports/on-time/cases?period=2026-10&measure=late&dimension=agency",
            "dimension",
            "dimension_and_key",
        ),
    ] {
        let res = app.get(uri).await;
        assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(
            field_errors(&res),
            vec![(field.to_string(), code.to_string())],
            "{uri}"
        );
    }
}

#[tokio::test]
async fn a_running_period_cannot_be_frozen_and_a_finished_one_only_once() {
    let app = app_at("2026-11-02T02:00:00Z")
        .await
        .logged_in("supervisor", None)
        .await;
    let freeze = |period: &str| json!({"period": period}).to_string();
    let res = app
        .post_json("/api/v1/reports/on-time/freeze", freeze("2026-11"))
        .await;
    assert_error(&res, StatusCode::CONFLICT, "period_not_over");
    let res = app
        .post_json("/api/v1/reports/on-time/freeze", freeze("2026-Q4"))
        .await;
    assert_error(&res, StatusCode::CONFLICT, "period_not_over");

    let res = app
        .post_json("/api/v1/reports/on-time/freeze", freeze("2026-10"))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        res.body["frozen"]["frozen_by"], "supervisor:supervisor.centre",
        "the freezer is the logged-in supervisor"
    );
    assert_eq!(res.body["frozen"]["intact"], true);
    assert_eq!(res.body["headline"]["counted"], 0);
    let hash = res.body["frozen"]["hash"].as_str().unwrap().to_string();
    assert_eq!(hash.len(), 64);

    let again = app
        .post_json("/api/v1/reports/on-time/freeze", freeze("2026-10"))
        .await;
    assert_error(&again, StatusCode::CONFLICT, "already_frozen");
    let read = app.get("/api/v1/reports/on-time?period=2026-10").await;
    assert_eq!(read.body["frozen"]["hash"], hash.as_str());

    // who freezes comes from the session; naming someone in the body is refused
    let extra = app
        .post_json(
            "/api/v1/reports/on-time/freeze",
            json!({"period": "2026-09", "actor": "supervisor:zhao"}).to_string(),
        )
        .await;
    assert_eq!(
        extra.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        extra.body
    );
    assert!(
        app.store.frozen_report("2026-09").await.unwrap().is_none(),
        "a refused freeze stored nothing"
    );
}

#[tokio::test]
async fn an_empty_month_reports_zero_counted_and_no_rate() {
    let app = app_at("2026-11-02T02:00:00Z")
        .await
        .logged_in("supervisor", None)
        .await;
    let res = app.get("/api/v1/reports/on-time?month=2026-10").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["period"], "2026-10");
    assert_eq!(res.body["complete"], true);
    assert_eq!(res.body["headline"]["counted"], 0);
    assert!(res.body["headline"]["on_time_rate"].is_null());
    assert_eq!(res.body["target"], 1.0);
    assert!(
        res.body["definition"]["zh"]
            .as_str()
            .unwrap()
            .contains("按期结案率")
    );
    // the month still running: not complete, seen as of now
    let running = app.get("/api/v1/reports/on-time?month=2026-11").await;
    assert_eq!(running.body["complete"], false);
    assert_eq!(running.body["as_of"], "2026-11-02T02:00:00Z");
}

/// Writes, as the store holds it, one closing clock of `number` closed on time in October.
async fn close_in_october(app: &App, number: &str) {
    close_m2(
        app,
        number,
        [
            "2026-09-01T02:00:00Z",
            "2026-10-10T02:00:00Z",
            "2026-10-20T16:00:00Z",
        ],
    )
    .await;
}

/// Writes, as the store holds it, one M2 clock of `number`: started, closed, due.
async fn close_m2(app: &App, number: &str, [started, closed, due]: [&str; 3]) {
    let case = app.store.case(number).await.unwrap().unwrap();
    let at = |t: &str| t.parse::<jiff::Timestamp>().unwrap();
    app.store
        .update_case(kuaiwei_store::CaseUpdate {
            case_number: case.case_number.clone(),
            expected_version: case.version,
            state: kuaiwei_domain::CaseState::Closed,
            agency: Some("market_regulation".into()),
            outcome: None,
            clocks: vec![kuaiwei_store::StoredClock {
                procedure_id: "M2".into(),
                started_at: Some(at(started)),
                closed_at: Some(at(closed)),
                due_at: Some(at(due)),
                status: kuaiwei_store::ClockStanding::Computed(
                    kuaiwei_deadlines::ClockStatus::ClosedOnTime,
                ),
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
            at: at(closed),
            linked: Vec::new(),
            messages: Vec::new(),
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn a_finished_month_is_computed_again_only_after_a_case_changes_or_when_asked() {
    let app = app_at("2026-11-02T02:00:00Z")
        .await
        .logged_in("supervisor", None)
        .await;
    let url = "/api/v1/reports/on-time?month=2026-10";
    let first = app.get(url).await;
    assert_eq!(first.body["headline"]["counted"], 0);

    // nothing changed: the same computation, twenty minutes later (steps of twenty minutes
    // keep the session alive: a new login would move the audit chain too)
    app.state.clock.set("2026-11-02T02:20:00Z".parse().unwrap());
    let again = app.get(url).await;
    assert_eq!(again.body["generated_at"], first.body["generated_at"]);
    // the cases behind a figure come from the same computation
    let trace = app
        .get("/api/v1/reports/on-time/cases?month=2026-10&measure=counted")
        .await;
    assert_eq!(trace.body["count"], 0);

    // a filing alone moves the audit chain: computed again, still nothing counted
    let res = app
        .post_json("/api/v1/complaints", complaint().to_string())
        .await;
    let number = res.body["case_number"].as_str().unwrap().to_string();
    let after_filing = app.get(url).await;
    assert_eq!(after_filing.body["generated_at"], "2026-11-02T02:20:00Z");
    assert_eq!(after_filing.body["headline"]["counted"], 0);

    // a case closed in October: counted at once
    app.state.clock.set("2026-11-02T02:40:00Z".parse().unwrap());
    close_in_october(&app, &number).await;
    let changed = app.get(url).await;
    assert_eq!(changed.body["generated_at"], "2026-11-02T02:40:00Z");
    assert_eq!(changed.body["headline"]["counted"], 1);
    assert_eq!(changed.body["headline"]["on_time"], 1);
    let trace = app
        .get("/api/v1/reports/on-time/cases?month=2026-10&measure=on_time")
        .await;
    assert_eq!(trace.body["lines"][0]["case_number"], number.as_str());

    // Cache-Control: no-cache computes it again although nothing changed
    app.state.clock.set("2026-11-02T03:00:00Z".parse().unwrap());
    let cached = app.get(url).await;
    assert_eq!(cached.body["generated_at"], "2026-11-02T02:40:00Z");
    let fresh = app
        .send(
            Request::get(url)
                .header("cache-control", "max-age=0, no-cache")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(fresh.body["generated_at"], "2026-11-02T03:00:00Z");
    assert_eq!(fresh.body["headline"]["counted"], 1);

    // the running month is always computed as of now
    let nov = app.get("/api/v1/reports/on-time?month=2026-11").await;
    app.state.clock.set("2026-11-02T03:20:00Z".parse().unwrap());
    let nov_later = app.get("/api/v1/reports/on-time?month=2026-11").await;
    assert_ne!(nov.body["generated_at"], nov_later.body["generated_at"]);

    // a login is on the audit chain too: the finished month is computed again after it
    let mut app = app;
    app.log_in_again("supervisor", None).await;
    let after_login = app.get(url).await;
    assert_eq!(after_login.body["generated_at"], "2026-11-02T03:20:00Z");
    assert_eq!(after_login.body["headline"], fresh.body["headline"]);
}

#[tokio::test]
async fn until_the_copy_of_the_clocks_is_loaded_a_report_reads_its_window_and_answers_the_same() {
    let app = app_at("2026-11-02T02:00:00Z")
        .await
        .logged_in("supervisor", None)
        .await;
    let res = app
        .post_json("/api/v1/complaints", complaint().to_string())
        .await;
    let number = res.body["case_number"].as_str().unwrap().to_string();
    close_in_october(&app, &number).await;
    let facts = app.state.report_facts.clone().unwrap();
    assert!(!facts.is_ready(), "nothing has loaded the copy yet");
    let url = "/api/v1/reports/on-time?month=2026-10&cases=true";
    let from_window = app.get(url).await;
    assert_eq!(from_window.status, StatusCode::OK);
    // that request set the load going
    for _ in 0..500 {
        if facts.is_ready() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(facts.is_ready(), "the copy was loaded");
    let from_copy = app
        .send(
            Request::get(url)
                .header("cache-control", "no-cache")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(from_copy.body["headline"]["counted"], 1);
    assert_eq!(from_copy.body["lines"][0]["case_number"], number.as_str());
    assert_eq!(from_copy.body, from_window.body);
}

#[tokio::test]
async fn reports_need_a_login_agencies_see_their_own_and_only_a_centre_supervisor_freezes() {
    let url = "/api/v1/reports/on-time?month=2026-10";
    let anonymous = app_at("2026-11-02T02:00:00Z").await;
    assert_error(
        &anonymous.get(url).await,
        StatusCode::UNAUTHORIZED,
        "not_logged_in",
    );
    let page = anonymous
        .send(
            Request::get("/reports/on-time?month=2026-10")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    // a browser without a session is sent to log in, and back
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.headers[header::LOCATION],
        "/login?next=%2Freports%2Fon-time%3Fmonth%3D2026-10"
    );
    let freeze = json!({"period": "2026-10"}).to_string();
    for (role, agency, read, may_freeze) in [
        ("caseworker", None, true, false),
        ("supervisor", None, true, true),
        ("supervisor", Some("customs"), true, false),
        ("officer", Some("ip_office"), true, false),
        ("administrator", None, false, false),
    ] {
        let app = app_at("2026-11-02T02:00:00Z")
            .await
            .logged_in(role, agency)
            .await;
        let res = app.get(url).await;
        if read {
            assert_eq!(res.status, StatusCode::OK, "{role} {agency:?}");
        } else {
            assert_error(&res, StatusCode::FORBIDDEN, "forbidden");
            let cases = app
                .get("/api/v1/reports/on-time/cases?month=2026-10&measure=late")
                .await;
            assert_eq!(cases.status, StatusCode::FORBIDDEN, "{role}");
        }
        let frozen = app
            .post_json("/api/v1/reports/on-time/freeze", freeze.clone())
            .await;
        if may_freeze {
            assert_eq!(frozen.status, StatusCode::OK, "{}", frozen.body);
        } else {
            assert_error(&frozen, StatusCode::FORBIDDEN, "forbidden");
            assert!(app.store.frozen_report("2026-10").await.unwrap().is_none());
        }
    }
}

#[tokio::test]
async fn an_agency_reads_only_its_own_cases_in_the_report() {
    let app = app_at("2026-11-02T02:00:00Z")
        .await
        .logged_in("officer", Some("market_regulation"))
        .await;
    let res = app
        .post_json("/api/v1/complaints", complaint().to_string())
        .await;
    let number = res.body["case_number"].as_str().unwrap().to_string();
    close_in_october(&app, &number).await;
    let url = "/api/v1/reports/on-time?month=2026-10&cases=true";
    let mine = app.get(url).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert_eq!(mine.body["headline"]["counted"], 1);
    assert_eq!(mine.body["lines"][0]["case_number"], number.as_str());

    let ip = app.login_cookie("officer", Some("ip_office")).await;
    let theirs = app
        .send(
            Request::get(url)
                .header(header::COOKIE, &ip)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(theirs.body["headline"]["counted"], 0);
    assert_eq!(
        theirs.body["lines"],
        json!(null),
        "no line of another agency"
    );
    let trace = app
        .send(
            Request::get("/api/v1/reports/on-time/cases?month=2026-10&measure=on_time")
                .header(header::COOKIE, &ip)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(trace.body["count"], 0);
    let centre = app.login_cookie("caseworker", None).await;
    let all = app
        .send(
            Request::get(url)
                .header(header::COOKIE, &centre)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(all.body["headline"]["counted"], 1);
}

#[tokio::test]
async fn a_month_frozen_under_the_old_definition_keeps_its_text_and_shows_the_current_one_beside() {
    let app = app_at("2026-11-02T02:00:00Z")
        .await
        .logged_in("supervisor", None)
        .await;
    let res = app
        .post_json("/api/v1/complaints", complaint().to_string())
        .await;
    let number = res.body["case_number"].as_str().unwrap().to_string();
    // closed early in September, due in October: September's, on time, and October's never
    close_m2(
        &app,
        &number,
        [
            "2026-08-01T02:00:00Z",
            "2026-09-10T02:00:00Z",
            "2026-10-20T16:00:00Z",
        ],
    )
    .await;
    let september = app
        .get("/api/v1/reports/on-time?month=2026-09&cases=true")
        .await;
    assert_eq!(september.body["headline"]["on_time"], 1);
    assert_eq!(september.body["definition"]["version"], 2);
    let october = app
        .get("/api/v1/reports/on-time?month=2026-10&cases=true")
        .await;
    assert_eq!(october.body["headline"]["counted"], 0);

    // October as definition 1 froze it (no version; the early close counted again in October)
    let mut old = october.body.clone();
    let obj = old.as_object_mut().unwrap();
    obj.remove("frozen");
    obj.remove("corrections");
    obj["definition"].as_object_mut().unwrap().remove("version");
    obj["headline"]["counted"] = json!(1);
    obj["headline"]["on_time"] = json!(1);
    obj["headline"]["on_time_rate"] = json!(1.0);
    obj.insert("lines".into(), september.body["lines"].clone());
    let body = old.to_string();
    app.store
        .freeze_report(&kuaiwei_store::FrozenReport {
            period: "2026-10".into(),
            frozen_at: "2026-11-01T01:00:00Z".parse().unwrap(),
            frozen_by: "supervisor:zhao".into(),
            hash: kuaiwei_reports::hash_body(&body),
            body,
        })
        .await
        .unwrap();

    let read = app.get("/api/v1/reports/on-time?month=2026-10").await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(read.body["frozen"]["intact"], true);
    assert_eq!(read.body["definition"]["version"], 1, "as frozen");
    assert_eq!(
        read.body["headline"]["on_time"], 1,
        "the frozen figures stay"
    );
    assert_eq!(read.body["recomputed"]["definition"]["version"], 2);
    assert_eq!(read.body["recomputed"]["headline"]["counted"], 0);
    let corrections = read.body["corrections"].as_array().unwrap();
    assert_eq!(corrections.len(), 1, "{corrections:?}");
    assert_eq!(corrections[0]["case_number"], number.as_str());
    assert_eq!(corrections[0]["frozen"]["category"], "on_time");
    assert!(corrections[0]["now"].is_null());
    // a month frozen under the current definition shows no recomputation
    let nov_frozen = app
        .post_json(
            "/api/v1/reports/on-time/freeze",
            json!({"period": "2026-09"}).to_string(),
        )
        .await;
    assert_eq!(nov_frozen.status, StatusCode::OK, "{}", nov_frozen.body);
    let sept = app.get("/api/v1/reports/on-time?month=2026-09").await;
    assert!(sept.body.get("recomputed").is_none(), "{}", sept.body);
}
