//! The report routes refuse what they cannot answer by name: a malformed or future period, an
//! unknown format, dimension or measure, a freeze of a period still running or frozen already.

use super::*;

#[tokio::test]
async fn a_bad_period_format_or_measure_is_a_422_naming_the_field() {
    let app = app_at("2026-11-02T02:00:00Z").await;
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
    let app = app_at("2026-11-02T02:00:00Z").await;
    let freeze = |period: &str| json!({"period": period, "actor": "supervisor:zhao"}).to_string();
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
    assert_eq!(res.body["frozen"]["frozen_by"], "supervisor:zhao");
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

    let nobody = app
        .post_json(
            "/api/v1/reports/on-time/freeze",
            json!({"period": "2026-09", "actor": " "}).to_string(),
        )
        .await;
    assert_error(
        &nobody,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let extra = app
        .post_json(
            "/api/v1/reports/on-time/freeze",
            json!({"period": "2026-09", "actor": "x", "hash": "0"}).to_string(),
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
    let app = app_at("2026-11-02T02:00:00Z").await;
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
