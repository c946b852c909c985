//! Rate limits on public intake: per address (a fair hall shares one) and per complainant.

use std::net::SocketAddr;

use axum::extract::connect_info::MockConnectInfo;

use super::*;

fn filing(body: &Value) -> Request<Body> {
    Request::post("/api/v1/complaints")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

async fn send(router: &Router, req: Request<Body>) -> (StatusCode, HeaderMap, Value) {
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, headers, serde_json::from_slice(&bytes).unwrap())
}

fn from_mobile(mobile: &str) -> Value {
    let mut c = complaint();
    c["complainant"]["mobile"] = json!(mobile);
    c
}

#[tokio::test]
async fn one_complainant_is_limited_whatever_the_address_and_others_are_not() {
    let mut app = app_at("2026-10-15T02:00:00Z").await;
    app.state.intake_limits = kuaiwei_server::IntakeSettings {
        address_per_minute: 1_000,
        address_burst: 1_000,
        complainant_per_hour: 60,
        complainant_burst: 2,
    }
    .into();
    let router = router(app.state.clone());
    for _ in 0..2 {
        let (status, _, body) = send(&router, filing(&from_mobile("13812345678"))).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let before = app
        .store
        .list_complaints(&ComplaintFilter::default(), Page::first(100))
        .await
        .unwrap()
        .len();
    let (status, headers, body) = send(&router, filing(&from_mobile("13812345678"))).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "too_many_requests");
    assert!(body["error"]["message_zh"].as_str().unwrap().contains("60"));
    assert_eq!(headers[header::RETRY_AFTER], "60");
    let after = app
        .store
        .list_complaints(&ComplaintFilter::default(), Page::first(100))
        .await
        .unwrap()
        .len();
    assert_eq!(after, before, "a refused filing stores nothing");
    let (status, _, _) = send(&router, filing(&from_mobile("13912345678"))).await;
    assert_eq!(status, StatusCode::CREATED, "another complainant files");
    // a minute later one more is allowed (60 an hour)
    app.state.clock.set("2026-10-15T02:01:00Z".parse().unwrap());
    let (status, _, _) = send(&router, filing(&from_mobile("13812345678"))).await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn one_address_is_limited_before_its_upload_is_read_and_others_are_not() {
    let mut app = app_at("2026-10-15T02:00:00Z").await;
    app.state.intake_limits = kuaiwei_server::IntakeSettings {
        address_per_minute: 60,
        address_burst: 3,
        complainant_per_hour: 1_000,
        complainant_burst: 1_000,
    }
    .into();
    let hall: SocketAddr = "10.16.1.7:50000".parse().unwrap();
    let from_hall = router(app.state.clone()).layer(MockConnectInfo(hall));
    for n in 0..3 {
        let (status, _, body) =
            send(&from_hall, filing(&from_mobile(&format!("1381234567{n}")))).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    // refused before the body is looked at: even a malformed one gets 429, not 400
    let (status, headers, _) = send(
        &from_hall,
        Request::post("/api/v1/complaints")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{not json"))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(headers[header::RETRY_AFTER], "1");
    let elsewhere = router(app.state.clone()).layer(MockConnectInfo(
        "10.16.2.9:50000".parse::<SocketAddr>().unwrap(),
    ));
    let (status, _, _) = send(&elsewhere, filing(&from_mobile("13812345679"))).await;
    assert_eq!(status, StatusCode::CREATED);
}
