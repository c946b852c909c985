//! Filing, the status view, JSON errors and idempotency.

use super::*;

// ---------------------------------------------------------------------------------------------
// filing and reading a complaint

#[tokio::test]
async fn a_json_complaint_is_filed_with_a_receipt_and_a_location() {
    let app = app().await;
    let res = app
        .post_json("/api/v1/complaints", complaint().to_string())
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "body: {}", res.body);
    let case = res.body["case_number"].as_str().unwrap();
    assert!(is_case_number(case), "{case}");
    assert!(case.ends_with("-000001"), "{case}");
    let token = res.body["tracking_token"].as_str().unwrap();
    assert_eq!(token.len(), 32);
    assert_eq!(res.body["status"], "received");
    assert!(!res.body["status_zh"].as_str().unwrap().is_empty());
    assert!(
        res.body["received_at"]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .is_ok()
    );
    assert_eq!(res.body["evidence"], json!([]));
    let url = format!("/api/v1/complaints/{case}");
    assert_eq!(res.body["status_url"], url.as_str());
    assert_eq!(res.headers[header::LOCATION], url.as_str());
    assert!(res.headers.get("idempotent-replayed").is_none());
    assert_eq!(app.change_count().await, 1);
}

#[tokio::test]
async fn the_status_view_shows_the_filed_complaint_to_the_token_holder() {
    let app = app().await;
    let receipt = app
        .post_json("/api/v1/complaints", complaint().to_string())
        .await
        .body;
    let case = receipt["case_number"].as_str().unwrap();
    let res = app
        .get_status(case, receipt["tracking_token"].as_str().unwrap())
        .await;
    assert_eq!(res.status, StatusCode::OK, "body: {}", res.body);
    assert_eq!(res.body["case_number"], case);
    assert_eq!(res.body["received_at"], receipt["received_at"]);
    assert_eq!(res.body["status"], "received");
    assert_eq!(
        res.body["complaint"]["respondent"]["name"],
        "某某鞋业有限公司"
    );
    assert_eq!(res.body["evidence"], json!([]));
    // the token is never shown again
    assert!(res.body.get("tracking_token").is_none());
}

#[tokio::test]
async fn a_wrong_token_and_a_malformed_case_number_get_the_same_404() {
    let app = app().await;
    let receipt = app
        .post_json("/api/v1/complaints", complaint().to_string())
        .await
        .body;
    let case = receipt["case_number"].as_str().unwrap();
    let wrong = app
        .get_status(case, "0123456789abcdefghjkmnpqrstvwxyz")
        .await;
    let malformed = app
        .get_status("not-a-case", receipt["tracking_token"].as_str().unwrap())
        .await;
    let missing = app
        .get_status(
            "KW-2001-000001",
            receipt["tracking_token"].as_str().unwrap(),
        )
        .await;
    assert_error(&wrong, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(wrong.body, malformed.body);
    assert_eq!(wrong.body, missing.body);
    assert_eq!(malformed.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn reading_a_status_without_a_token_header_is_a_400() {
    let app = app().await;
    let res = app.get("/api/v1/complaints/KW-2026-000001").await;
    assert_error(&res, StatusCode::BAD_REQUEST, "tracking_token_required");
    let blank = app.get_status("KW-2026-000001", "   ").await;
    assert_error(&blank, StatusCode::BAD_REQUEST, "tracking_token_required");
}

// ---------------------------------------------------------------------------------------------
// JSON that is refused

#[tokio::test]
async fn malformed_json_is_a_400_naming_where_it_broke() {
    let app = app().await;
    let res = app
        .post_json("/api/v1/complaints", "{\"channel\": {\"kind\": \"fair\",,}")
        .await;
    assert_error(&res, StatusCode::BAD_REQUEST, "malformed_json");
    assert!(
        res.body["error"]["message_en"]
            .as_str()
            .unwrap()
            .contains("line 1 column"),
        "{}",
        res.body
    );
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_value_of_the_wrong_type_is_a_422_with_its_field_path() {
    let app = app().await;
    let mut v = complaint();
    v["rights"][0]["nice_classes"] = json!(["二十五"]);
    let res = app.post_json("/api/v1/complaints", v.to_string()).await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(
        field_errors(&res),
        vec![(
            "rights[0].nice_classes[0]".to_string(),
            "wrong_type".to_string()
        )]
    );
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn an_unknown_top_level_field_is_refused_by_name() {
    let app = app().await;
    let mut v = complaint();
    v["status"] = json!("closed");
    let res = app.post_json("/api/v1/complaints", v.to_string()).await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let fields = field_errors(&res);
    assert_eq!(
        fields,
        vec![("status".to_string(), "unknown_field".to_string())]
    );
    assert!(
        res.body["error"]["fields"][0]["message_en"]
            .as_str()
            .unwrap()
            .contains("status"),
        "{}",
        res.body
    );
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn every_invalid_field_is_listed_in_one_422() {
    let app = app().await;
    let mut v = complaint();
    v["channel"]["booth"] = json!("  ");
    v["complainant"]["mobile"] = json!("12345");
    v["description"] = json!("");
    let res = app.post_json("/api/v1/complaints", v.to_string()).await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let fields = field_errors(&res);
    let paths: Vec<&str> = fields.iter().map(|(p, _)| p.as_str()).collect();
    for expected in ["channel.booth", "complainant.mobile", "description"] {
        assert!(
            paths.contains(&expected),
            "{expected} missing in {fields:?}"
        );
    }
    assert!(
        res.body["error"]["message_en"]
            .as_str()
            .unwrap()
            .starts_with(&fields.len().to_string()),
        "{}",
        res.body
    );
    app.assert_nothing_stored().await;
}

// ---------------------------------------------------------------------------------------------
// idempotency

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_replays_the_first_receipt() {
    let app = app().await;
    let body = complaint().to_string();
    let key = [("idempotency-key", "retry-7f3a")];
    let first = app
        .post_json_with("/api/v1/complaints", body.clone(), &key)
        .await;
    let again = app.post_json_with("/api/v1/complaints", body, &key).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert!(first.headers.get("idempotent-replayed").is_none());
    assert_eq!(again.status, StatusCode::CREATED, "body: {}", again.body);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(again.body["case_number"], first.body["case_number"]);
    assert_eq!(again.body["tracking_token"], first.body["tracking_token"]);
    assert_eq!(app.change_count().await, 1);
}

#[tokio::test]
async fn an_idempotency_key_reused_for_another_body_is_a_422() {
    let app = app().await;
    let key = [("idempotency-key", "retry-7f3a")];
    let first = app
        .post_json_with("/api/v1/complaints", complaint().to_string(), &key)
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    let mut other = complaint();
    other["description"] = json!("另一份投诉");
    let res = app
        .post_json_with("/api/v1/complaints", other.to_string(), &key)
        .await;
    assert_error(
        &res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
    );
    assert_eq!(app.change_count().await, 1);
}

#[tokio::test]
async fn an_idempotency_key_that_is_not_short_visible_ascii_is_a_400() {
    let app = app().await;
    let long = "k".repeat(256);
    for key in ["密钥", "has space", long.as_str()] {
        let res = app
            .send(
                Request::post("/api/v1/complaints")
                    .header(header::CONTENT_TYPE, "application/json")
                    .header(
                        "idempotency-key",
                        axum::http::HeaderValue::from_bytes(key.as_bytes()).unwrap(),
                    )
                    .body(Body::from(complaint().to_string()))
                    .unwrap(),
            )
            .await;
        assert_error(&res, StatusCode::BAD_REQUEST, "bad_idempotency_key");
    }
    let max = "k".repeat(255);
    let ok = app
        .post_json_with(
            "/api/v1/complaints",
            complaint().to_string(),
            &[("idempotency-key", max.as_str())],
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "body: {}", ok.body);
    assert_eq!(app.change_count().await, 1);
}
