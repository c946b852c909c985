//! The deadline calculator, health, the OpenAPI document and the fallback.

use super::*;

// ---------------------------------------------------------------------------------------------
// calendar, deadlines and procedures

#[tokio::test]
async fn the_saturday_after_national_day_2026_is_an_adjusted_workday() {
    let app = app().await;
    let res = app.get("/api/v1/calendar/2026-10-10").await;
    assert_eq!(res.status, StatusCode::OK, "body: {}", res.body);
    assert_eq!(res.body["date"], "2026-10-10");
    assert_eq!(res.body["day"], "working");
    assert_eq!(res.body["kind"], "adjusted_workday");
    assert_eq!(res.body["holiday_zh"], "国庆节");
    assert!(!res.body["holiday_en"].as_str().unwrap().is_empty());
}

#[tokio::test]
async fn national_day_2026_is_a_rest_day() {
    let app = app().await;
    let res = app.get("/api/v1/calendar/2026-10-01").await;
    assert_eq!(res.status, StatusCode::OK, "body: {}", res.body);
    assert_eq!(res.body["day"], "rest");
    assert_eq!(res.body["kind"], "holiday_rest");
    assert_eq!(res.body["holiday_zh"], "国庆节");
}

#[tokio::test]
async fn a_date_in_an_unpublished_year_is_answered_provisionally_and_before_2025_is_a_422() {
    let app = app().await;
    // 2030-01-02 (Wed): a working day; 01-01 is 元旦, whatever the notice adds (§8.6)
    let res = app.get("/api/v1/calendar/2030-01-02").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["day"], "working");
    assert_eq!(res.body["provisional"], true);
    let res = app.get("/api/v1/calendar/2030-01-01").await;
    assert_eq!(res.body["kind"], "holiday_rest");
    assert_eq!(res.body["holiday_zh"], "元旦");
    let published = app.get("/api/v1/calendar/2026-10-10").await;
    assert_eq!(published.body["provisional"], false);
    // before the revised law nothing is guessed
    let res = app.get("/api/v1/calendar/2023-06-01").await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(
        field_errors(&res),
        vec![("date".to_string(), "year_not_loaded".to_string())]
    );
    assert!(res.body.to_string().contains("2023"), "{}", res.body);
}

#[tokio::test]
async fn a_date_that_is_not_a_date_is_a_422() {
    let app = app().await;
    for bad in ["2026-13-01", "2026-02-30", "yesterday"] {
        let res = app.get(&format!("/api/v1/calendar/{bad}")).await;
        assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(
            field_errors(&res),
            vec![("date".to_string(), "date_format".to_string())]
        );
    }
}

#[tokio::test]
async fn a_p1_clock_started_before_national_day_falls_due_on_the_adjusted_workday() {
    let app = app().await;
    let res = app
        .post_json(
            "/api/v1/deadlines/compute",
            json!({"procedure": "P1", "start": "2026-09-28T09:00:00+08:00",
                   "now": "2026-09-29T09:00:00+08:00"})
            .to_string(),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "body: {}", res.body);
    assert_eq!(res.body["procedure"], "P1");
    assert_eq!(res.body["due_date"], "2026-10-10");
    assert_eq!(res.body["status"], "running");
    assert!(res.body["seconds_left"].as_i64().unwrap() > 0);
    let explanation = res.body["explanation"].as_array().unwrap();
    assert!(!explanation.is_empty());
    assert!(
        explanation
            .iter()
            .all(|s| !s["zh"].as_str().unwrap().is_empty() && !s["en"].as_str().unwrap().is_empty())
    );
}

#[tokio::test]
async fn an_unknown_procedure_is_a_422_listing_the_known_ones() {
    let app = app().await;
    let res = app
        .post_json(
            "/api/v1/deadlines/compute",
            json!({"procedure": "Z9", "start": "2026-09-28T09:00:00+08:00"}).to_string(),
        )
        .await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(
        field_errors(&res),
        vec![("procedure".to_string(), "unknown_procedure".to_string())]
    );
    assert!(
        res.body["error"]["fields"][0]["message_en"]
            .as_str()
            .unwrap()
            .contains("P3"),
        "{}",
        res.body
    );
}

#[tokio::test]
async fn an_unknown_field_in_a_deadline_question_is_a_422() {
    let app = app().await;
    let res = app
        .post_json(
            "/api/v1/deadlines/compute",
            json!({"procedure": "P1", "start": "2026-09-28T09:00:00+08:00", "deadline": "soon"})
                .to_string(),
        )
        .await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let fields = field_errors(&res);
    assert_eq!(fields.len(), 1, "{fields:?}");
    assert_eq!(fields[0].1, "unknown_field");
}

#[tokio::test]
async fn the_procedures_list_includes_p3_and_m2_with_their_basis() {
    let app = app().await;
    let res = app.get("/api/v1/procedures").await;
    assert_eq!(res.status, StatusCode::OK);
    let list = res.body.as_array().unwrap();
    for id in ["P3", "M2"] {
        let p = list
            .iter()
            .find(|p| p["id"] == id)
            .unwrap_or_else(|| panic!("{id} missing from {}", res.body));
        assert!(!p["name_zh"].as_str().unwrap().is_empty());
        assert!(!p["limit"].as_str().unwrap().is_empty());
        assert!(!p["legal_basis"].as_str().unwrap().is_empty());
    }
}

// ---------------------------------------------------------------------------------------------
// operations

#[tokio::test]
async fn health_and_readiness_answer_200() {
    let app = app().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body["status"], "ok");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.body["status"], "ready");
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let app = app().await;
    let res = app.get("/api/v1/openapi.json").await;
    assert_eq!(res.status, StatusCode::OK);
    let paths = res.body["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/complaints", "post"),
        ("/api/v1/complaints/{case_number}", "get"),
        ("/api/v1/complaints/{case_number}/supplement", "post"),
        ("/api/v1/cases/{case_number}", "get"),
        ("/api/v1/cases/{case_number}/actions", "post"),
        ("/api/v1/queues", "get"),
        ("/api/v1/respondents/{id}", "get"),
        ("/api/v1/watch", "get"),
        ("/api/v1/session", "post"),
        ("/api/v1/session", "get"),
        ("/api/v1/session", "delete"),
        ("/api/v1/accounts/{username}/contact", "put"),
        ("/api/v1/reports/on-time", "get"),
        ("/api/v1/reports/on-time/cases", "get"),
        ("/api/v1/reports/on-time/freeze", "post"),
        ("/api/v1/calendar/{date}", "get"),
        ("/api/v1/deadlines/compute", "post"),
        ("/api/v1/procedures", "get"),
        ("/api/v1/openapi.json", "get"),
        ("/healthz", "get"),
        ("/readyz", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing from the OpenAPI document"
        );
    }
}

#[tokio::test]
async fn an_unknown_route_is_a_404_in_the_error_shape() {
    let app = app().await;
    let res = app.get("/api/v1/nothing-here").await;
    assert_error(&res, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = app().await;
    let res = app.get("/healthz").await;
    let id = res.headers["x-request-id"].to_str().unwrap();
    assert!(!id.is_empty());
    let again = app.get("/healthz").await;
    assert_ne!(again.headers["x-request-id"], id);
}

#[tokio::test]
async fn the_openapi_document_describes_the_report_field_by_field() {
    let app = app().await;
    let doc = app.get("/api/v1/openapi.json").await.body;
    let on_time = &doc["paths"]["/api/v1/reports/on-time"]["get"]["responses"]["200"];
    assert_eq!(
        on_time["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ReportBody"
    );
    let schemas = &doc["components"]["schemas"];
    let fields = |name: &str| -> Vec<String> {
        let s = &schemas[name];
        let props = s["properties"]
            .as_object()
            .or_else(|| {
                s["allOf"]
                    .as_array()?
                    .iter()
                    .find_map(|p| p["properties"].as_object())
            })
            .unwrap_or_else(|| panic!("{name}: {s}"));
        props.keys().cloned().collect()
    };
    for (schema, field) in [
        ("ReportBody", "frozen"),
        ("ReportBody", "corrections"),
        ("OnTimeReport", "headline"),
        ("OnTimeReport", "breakdowns"),
        ("Figures", "on_time_rate"),
        ("Figures", "p90_days"),
        ("Line", "category"),
        ("Watch", "agencies"),
    ] {
        assert!(
            fields(schema).iter().any(|f| f == field),
            "{schema} lacks {field}"
        );
    }
}

/// A parameter declared `in: path` must be in its path's template, and a path template's every
/// `{name}` is declared as a required path parameter; query parameters are never required unless
/// the handler refuses a request without them (`measure` of the report's cases). Clients
/// generated from the document call what the server answers.
#[tokio::test]
async fn the_openapi_document_declares_each_parameter_where_it_is_read() {
    let app = app().await;
    let doc = app.get("/api/v1/openapi.json").await.body;
    let mut query_params = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            for p in &params {
                let name = p["name"].as_str().unwrap();
                match p["in"].as_str().unwrap() {
                    "path" => {
                        assert!(
                            path.contains(&format!("{{{name}}}")),
                            "{method} {path}: {name} is declared in the path but is not in it"
                        );
                        assert_eq!(p["required"], true, "{method} {path}: {name}");
                    }
                    "query" => {
                        query_params += 1;
                        let required = p["required"].as_bool().unwrap_or(false);
                        assert_eq!(
                            required,
                            (path.as_str(), name) == ("/api/v1/reports/on-time/cases", "measure"),
                            "{method} {path}: query parameter {name} required: {required}"
                        );
                    }
                    "header" | "cookie" => {}
                    other => panic!("{method} {path}: {name} in {other}"),
                }
            }
            // an unreadable query string is a 422 naming it; an unreadable body, a 400
            let documented = |status: &str| op["responses"].get(status).is_some();
            if params.iter().any(|p| p["in"] == "query") {
                assert!(documented("422"), "{method} {path}: 422 undocumented");
            }
            if op.get("requestBody").is_some() {
                assert!(documented("400"), "{method} {path}: 400 undocumented");
            }
            for segment in path.split('/').filter(|s| s.starts_with('{')) {
                let name = segment.trim_matches(|c| c == '{' || c == '}');
                assert!(
                    params
                        .iter()
                        .any(|p| p["name"] == name && p["in"] == "path"),
                    "{method} {path}: the path parameter {name} is not declared"
                );
            }
        }
    }
    // search, queues, reports, watch, proposals, previews, `full`
    assert!(query_params >= 30, "only {query_params} query parameters");
    // the headers a complainant and a platform send
    let status = &doc["paths"]["/api/v1/complaints/{case_number}"]["get"]["parameters"];
    assert!(
        status
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "X-Tracking-Token" && p["in"] == "header")
    );
    let submit = &doc["paths"]["/api/v1/complaints"]["post"]["parameters"];
    assert!(
        submit
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header")
    );
}
