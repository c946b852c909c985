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

#[tokio::test]
async fn a_platforms_api_key_files_with_its_name_in_a_bucket_of_its_own_and_a_bad_key_is_refused() {
    let mut app = app_at("2026-10-15T02:00:00Z").await;
    app.state.intake_limits = kuaiwei_server::IntakeSettings {
        address_per_minute: 60,
        address_burst: 2,
        complainant_per_hour: 1_000,
        complainant_burst: 1_000,
    }
    .into();
    let now = app.state.clock.now();
    let (record, key) = kuaiwei_server::auth::new_api_token("taobao", now).unwrap();
    app.store.create_api_token(&record).await.unwrap();
    let (revoked, old_key) = kuaiwei_server::auth::new_api_token("jd", now).unwrap();
    app.store.create_api_token(&revoked).await.unwrap();
    app.store.revoke_api_token("jd", now).await.unwrap();
    assert!(key.starts_with("kw_") && key.len() == 35);
    assert!(
        !record.token_hash.contains(&key[3..]),
        "only the hash is kept"
    );

    // the fair hall's address has spent its bucket; the platform, behind the same address, has not
    let hall: SocketAddr = "10.16.1.7:50000".parse().unwrap();
    let from_hall = router(app.state.clone()).layer(MockConnectInfo(hall));
    for n in 0..2 {
        let (status, _, _) =
            send(&from_hall, filing(&from_mobile(&format!("1381234567{n}")))).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, _, _) = send(&from_hall, filing(&from_mobile("13812345672"))).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let with_key = |key: &str, mobile: &str| {
        let mut req = filing(&from_mobile(mobile));
        req.headers_mut().insert(
            header::AUTHORIZATION,
            format!("Bearer {key}").parse().unwrap(),
        );
        req
    };
    let (status, _, receipt) = send(&from_hall, with_key(&key, "13812345673")).await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    let number = receipt["case_number"].as_str().unwrap();
    let received = &app.store.case_events(number).await.unwrap()[0];
    assert_eq!(received.actor, "complainant");
    assert_eq!(
        serde_json::from_str::<Value>(&received.payload).unwrap()["source"],
        "api:taobao"
    );

    // a revoked key, an unknown one, or a malformed header: 401, and nothing is filed
    let before = app.change_count().await;
    for bad in [
        with_key(&old_key, "13812345674"),
        with_key("kw_not-a-key", "13812345674"),
        {
            let mut req = filing(&from_mobile("13812345674"));
            req.headers_mut().insert(
                header::AUTHORIZATION,
                format!("Basic {key}").parse().unwrap(),
            );
            req
        },
    ] {
        let (status, _, body) = send(&from_hall, bad).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["error"]["code"], "bad_api_key");
    }
    assert_eq!(app.change_count().await, before);

    // the key files complaints and nothing else
    let mut queue = Request::get("/api/v1/queues").body(Body::empty()).unwrap();
    queue.headers_mut().insert(
        header::AUTHORIZATION,
        format!("Bearer {key}").parse().unwrap(),
    );
    let (status, _, body) = send(&from_hall, queue).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket() {
    let mut app = app_at("2026-10-15T02:00:00Z").await;
    app.state.intake_limits = kuaiwei_server::IntakeLimits {
        trusted_proxies: std::sync::Arc::new(vec!["127.0.0.1".parse().unwrap()]),
        ..kuaiwei_server::IntakeSettings {
            address_per_minute: 60,
            address_burst: 1,
            complainant_per_hour: 1_000,
            complainant_burst: 1_000,
        }
        .into()
    };
    let proxy: SocketAddr = "127.0.0.1:40000".parse().unwrap();
    let via_proxy = router(app.state.clone()).layer(MockConnectInfo(proxy));
    let forwarded = |client: &str, mobile: &str| {
        let mut req = filing(&from_mobile(mobile));
        req.headers_mut()
            .insert("x-forwarded-for", client.parse().unwrap());
        req
    };
    let (a, _, _) = send(&via_proxy, forwarded("203.0.113.9", "13812345670")).await;
    let (b, _, _) = send(&via_proxy, forwarded("198.51.100.7", "13812345671")).await;
    assert_eq!((a, b), (StatusCode::CREATED, StatusCode::CREATED));
    // the same client again, even claiming another address to the left: its bucket is spent
    let (c, _, _) = send(
        &via_proxy,
        forwarded("10.9.9.9, 203.0.113.9", "13812345672"),
    )
    .await;
    assert_eq!(c, StatusCode::TOO_MANY_REQUESTS);
}
