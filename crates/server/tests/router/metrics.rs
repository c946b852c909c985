//! Prometheus `/metrics`: off without a scrape token, then only for the token's bearer or an
//! administrator's session, never for the client's address; labels never hold a client's path.

use super::*;

const TOKEN: &str = "router-scrape-token-0123456789";

/// An app serving `/metrics` to the bearer of [`TOKEN`].
async fn scraped() -> App {
    let mut app = app().await;
    app.state.metrics = kuaiwei_server::Metrics::with_token(TOKEN);
    app.router = router(app.state.clone());
    app
}

/// `/metrics` with these headers: the status, the content type and the body as text.
async fn scrape(app: &App, headers: &[(&str, &str)]) -> (StatusCode, String, String) {
    let mut req = Request::get("/metrics");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = app
        .router
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let kind = res
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, kind, String::from_utf8(bytes.to_vec()).unwrap())
}

fn error_code(body: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    v["error"]["code"].as_str().unwrap_or("").to_string()
}

#[tokio::test]
async fn metrics_are_not_served_without_a_scrape_token() {
    let app = app().await;
    let auth = format!("Bearer {TOKEN}");
    let (status, _, body) = scrape(&app, &[("authorization", &auth)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    // not even to an administrator: off is off
    let app = app.logged_in("administrator", None).await;
    let res = app.get("/metrics").await;
    assert_error(&res, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn a_scraper_without_the_right_token_is_refused_whatever_its_address() {
    let app = scraped().await;
    for headers in [
        vec![],
        vec![("authorization", "Bearer router-scrape-token-012345678")],
        vec![("authorization", "Bearer router-scrape-token-01234567890")],
        vec![("authorization", "Basic cm91dGVyOnNjcmFwZQ==")],
        vec![("authorization", TOKEN)],
        vec![("x-forwarded-for", "127.0.0.1")],
    ] {
        let (status, _, body) = scrape(&app, &headers).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{headers:?}: {body}");
        assert_eq!(error_code(&body), "metrics_token", "{headers:?}");
    }
    let via_loopback = app
        .router
        .clone()
        .layer(axum::extract::connect_info::MockConnectInfo(
            std::net::SocketAddr::from(([127, 0, 0, 1], 40_000)),
        ));
    let res = via_loopback
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_bearer_of_the_token_reads_request_counts_by_route_pattern() {
    let app = scraped().await;
    assert_eq!(app.get("/api/v1/procedures").await.status, StatusCode::OK);
    let case = "/api/v1/cases/KW-2026-004711";
    assert_eq!(app.get(case).await.status, StatusCode::UNAUTHORIZED);
    // a page nobody routes: answered by the pages' fallback (HTML)
    let stray = Request::get("/no/such/page/KW-2026-004712")
        .body(Body::empty())
        .unwrap();
    let res = app.router.clone().oneshot(stray).await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let auth = format!("Bearer {TOKEN}");
    let (status, kind, body) = scrape(&app, &[("authorization", &auth)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    let has = |name: &str, labels: &[&str]| {
        body.lines()
            .any(|l| l.starts_with(&format!("{name}{{")) && labels.iter().all(|x| l.contains(x)))
    };
    assert!(
        has(
            "kuaiwei_http_requests_total",
            &[
                r#"method="GET""#,
                r#"route="/api/v1/procedures""#,
                r#"status="200""#
            ]
        ),
        "{body}"
    );
    assert!(
        has(
            "kuaiwei_http_requests_total",
            &[r#"route="/api/v1/cases/{case_number}""#, r#"status="401""#]
        ),
        "{body}"
    );
    assert!(
        has("kuaiwei_http_requests_total", &[r#"route="unmatched""#]),
        "{body}"
    );
    assert!(
        has(
            "kuaiwei_http_request_duration_seconds_bucket",
            &[r#"route="/api/v1/procedures""#, r#"le="0.005""#]
        ),
        "a histogram with buckets, not a summary: {body}"
    );
    assert!(
        !body.contains("KW-2026-00471"),
        "a case number in a label: {body}"
    );
    // the clocks of every agency, computed at the scrape (none running here)
    assert!(
        has(
            "kuaiwei_clocks",
            &[r#"agency="customs""#, r#"status="overdue""#]
        ),
        "{body}"
    );
    assert!(
        has(
            "kuaiwei_clocks",
            &[r#"agency="none""#, r#"status="due_soon""#]
        ),
        "{body}"
    );
}

#[tokio::test]
async fn an_administrator_reads_metrics_in_a_session_and_an_officer_does_not() {
    let app = scraped().await.logged_in("administrator", None).await;
    let cookie = app.cookie.clone().unwrap();
    let (status, _, body) = scrape(&app, &[("cookie", &cookie)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("kuaiwei_http_requests_total"), "{body}");
    let officer = app.login_cookie("officer", Some("customs")).await;
    let (status, _, body) = scrape(&app, &[("cookie", &officer)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    // a wrong token is refused even with an administrator's session beside it
    let (status, _, _) = scrape(
        &app,
        &[
            ("cookie", &cookie),
            ("authorization", "Bearer not-the-scrape-token"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
