//! Logging in and out: the cookie, the same answer for every kind of wrong credentials, session
//! ends (logout, idle, absolute, disabled), fixation, throttling and rehashing.

use super::*;

const PASSWORD: &str = "知识产权保护-2026";

async fn with_account(app: &App, username: &str, hash: String) {
    let at: jiff::Timestamp = "2026-11-01T00:00:00Z".parse().unwrap();
    app.store
        .create_account(&kuaiwei_store::Account {
            username: username.into(),
            display_name: "李明".into(),
            role: "officer".into(),
            agency: Some("ip_office".into()),
            password_hash: hash,
            created_at: at,
            password_changed_at: at,
            disabled_at: None,
            contact: Default::default(),
        })
        .await
        .unwrap();
}

async fn login(app: &App, username: &str, password: &str) -> Response {
    app.post_json(
        "/api/v1/session",
        json!({"username": username, "password": password}).to_string(),
    )
    .await
}

/// The session token from a login's Set-Cookie.
fn token(res: &Response) -> String {
    let cookie = res.headers[header::SET_COOKIE].to_str().unwrap();
    let value = cookie.split(';').next().unwrap();
    value.strip_prefix("__Host-sid=").unwrap().to_string()
}

async fn whoami(app: &App, token: &str) -> Response {
    app.send(
        Request::get("/api/v1/session")
            .header(header::COOKIE, format!("theme=dark; __Host-sid={token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

async fn logged_in_app() -> App {
    let app = app_at("2026-11-02T01:00:00Z").await;
    with_account(
        &app,
        "officer.li",
        kuaiwei_access::password::hash(PASSWORD).unwrap(),
    )
    .await;
    app
}

#[tokio::test]
async fn a_login_sets_a_host_only_secure_cookie_that_opens_the_session() {
    let app = logged_in_app().await;
    let res = login(&app, " Officer.Li ", PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        res.body,
        json!({"username": "officer.li", "display_name": "李明", "role": "officer", "agency": "ip_office",
               "notices": {"email": null, "mobile": null, "lang": "zh-CN"}})
    );
    let cookie = res.headers[header::SET_COOKIE].to_str().unwrap();
    for part in [
        "__Host-sid=",
        "Path=/",
        "Secure",
        "HttpOnly",
        "SameSite=Strict",
    ] {
        assert!(cookie.contains(part), "{cookie} lacks {part}");
    }
    assert!(!cookie.contains("Domain"), "host-only: {cookie}");
    let me = whoami(&app, &token(&res)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["username"], "officer.li");
    // the store keeps only the token's hash
    let stored = app.store.session(&token(&res)).await.unwrap();
    assert_eq!(stored, None);
}

#[tokio::test]
async fn unknown_users_wrong_passwords_and_disabled_accounts_get_the_same_401() {
    let app = logged_in_app().await;
    let wrong = login(&app, "officer.li", "not-the-password").await;
    let unknown = login(&app, "officer.wang", PASSWORD).await;
    app.store
        .disable_account("officer.li", "2026-11-02T00:30:00Z".parse().unwrap())
        .await
        .unwrap();
    let disabled = login(&app, "officer.li", PASSWORD).await;
    for res in [&wrong, &unknown, &disabled] {
        assert_error(res, StatusCode::UNAUTHORIZED, "bad_credentials");
        assert_eq!(res.body, wrong.body);
        assert!(!res.headers.contains_key(header::SET_COOKIE));
    }
    let no_cookie = app.get("/api/v1/session").await;
    assert_error(&no_cookie, StatusCode::UNAUTHORIZED, "not_logged_in");
    let bad = app
        .post_json("/api/v1/session", json!({"username": "x"}).to_string())
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let extra = app
        .post_json(
            "/api/v1/session",
            json!({"username": "officer.li", "password": PASSWORD, "role": "administrator"})
                .to_string(),
        )
        .await;
    assert_eq!(
        extra.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        extra.body
    );
}

#[tokio::test]
async fn every_login_is_a_new_session_and_a_planted_one_opens_nothing() {
    let app = logged_in_app().await;
    let planted = "0123456789abcdefghjkmnpqrstvwxyz";
    assert_eq!(whoami(&app, planted).await.status, StatusCode::UNAUTHORIZED);
    let first = token(&login(&app, "officer.li", PASSWORD).await);
    let second = token(&login(&app, "officer.li", PASSWORD).await);
    assert_ne!(first, second);
    assert_ne!(first, planted);
    assert_eq!(whoami(&app, &first).await.status, StatusCode::OK);
    assert_eq!(whoami(&app, &second).await.status, StatusCode::OK);
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server_and_the_old_cookie_replays_nothing() {
    let app = logged_in_app().await;
    let t = token(&login(&app, "officer.li", PASSWORD).await);
    let out = app
        .send(
            Request::delete("/api/v1/session")
                .header(header::COOKIE, format!("__Host-sid={t}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert!(
        out.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let replay = whoami(&app, &t).await;
    assert_error(&replay, StatusCode::UNAUTHORIZED, "not_logged_in");
    // logging out without a session is not an error
    let again = app
        .send(
            Request::delete("/api/v1/session")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(again.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_session_ends_after_30_idle_minutes_and_12_hours_in_all() {
    let app = logged_in_app().await;
    let clock = &app.state.clock;
    let idle = token(&login(&app, "officer.li", PASSWORD).await);
    clock.set("2026-11-02T01:29:00Z".parse().unwrap());
    assert_eq!(whoami(&app, &idle).await.status, StatusCode::OK);
    clock.set("2026-11-02T01:59:00Z".parse().unwrap());
    assert_eq!(whoami(&app, &idle).await.status, StatusCode::UNAUTHORIZED);

    let busy = token(&login(&app, "officer.li", PASSWORD).await);
    // used every 20 minutes: alive until 12 hours after login, not a minute more
    let start: jiff::Timestamp = "2026-11-02T01:59:00Z".parse().unwrap();
    for k in 1..36 {
        clock.set(start + jiff::SignedDuration::from_mins(20 * k));
        assert_eq!(whoami(&app, &busy).await.status, StatusCode::OK, "at {k}");
    }
    clock.set(start + jiff::SignedDuration::from_hours(12));
    assert_eq!(whoami(&app, &busy).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_disabled_account_loses_its_open_sessions() {
    let app = logged_in_app().await;
    let t = token(&login(&app, "officer.li", PASSWORD).await);
    app.store
        .disable_account("officer.li", "2026-11-02T01:00:00Z".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(whoami(&app, &t).await.status, StatusCode::UNAUTHORIZED);
}

/// A login from a client address (as the server sees its peer).
async fn login_from(app: &App, address: &str, username: &str, password: &str) -> Response {
    let mut req = Request::post("/api/v1/session")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"username": username, "password": password}).to_string(),
        ))
        .unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(
            address.parse().unwrap(),
            40_000,
        )));
    app.send(req).await
}

fn retry_after(res: &Response) -> u64 {
    res.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn failures_from_one_address_slow_then_stop_that_address_and_never_the_officer_elsewhere() {
    let app = logged_in_app().await;
    let start: jiff::Timestamp = "2026-11-02T01:00:00Z".parse().unwrap();
    let at = |secs: i64| start + jiff::SignedDuration::from_secs(secs);
    let attacker = "203.0.113.7";
    // a mistyped password may be typed again at once; then each failure makes the next try
    // from that address wait longer: 1, 2, 4 s
    app.state.clock.set(at(0));
    for guess in ["guess-1", "guess-2"] {
        assert_eq!(
            login_from(&app, attacker, "officer.li", guess).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let too_soon = login_from(&app, attacker, "officer.li", "guess-3").await;
    assert_error(
        &too_soon,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_requests",
    );
    assert_eq!(retry_after(&too_soon), 1);
    let mut t = 0;
    for (k, wait) in [1, 2, 4].into_iter().enumerate() {
        t += wait;
        app.state.clock.set(at(t));
        assert_eq!(
            login_from(&app, attacker, "officer.li", &format!("guess-{}", k + 3))
                .await
                .status,
            StatusCode::UNAUTHORIZED,
            "failure {} after waiting {wait} s",
            k + 3
        );
    }
    // five failures from that address: it waits out the 15 minutes, even with the password
    t += 60;
    app.state.clock.set(at(t));
    let stopped = login_from(&app, attacker, "officer.li", PASSWORD).await;
    assert_error(&stopped, StatusCode::TOO_MANY_REQUESTS, "too_many_requests");
    assert_eq!(retry_after(&stopped), 15 * 60 - t as u64);
    // the officer, at their own desk, logs in all the same
    assert_eq!(
        login_from(&app, "198.51.100.20", "officer.li", PASSWORD)
            .await
            .status,
        StatusCode::OK
    );
    // and once the window has passed, the address may try again
    app.state.clock.set(at(15 * 60));
    assert_eq!(
        login_from(&app, attacker, "officer.li", PASSWORD)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn many_addresses_together_reach_the_accounts_ceiling() {
    let mut app = logged_in_app().await;
    let start: jiff::Timestamp = "2026-11-02T01:00:00Z".parse().unwrap();
    app.state.clock.set(start);
    // a ceiling of 100 by default; 8 here, to spare the hashing
    assert_eq!(app.state.auth.account_ceiling, 100);
    app.state.auth.account_ceiling = 8;
    app.router = router(app.state.clone());
    let ceiling = app.state.auth.account_ceiling;
    for k in 0..ceiling {
        let address = format!("10.0.{}.{}", k / 250, k % 250 + 1);
        assert_eq!(
            login_from(&app, &address, "officer.li", "wrong")
                .await
                .status,
            StatusCode::UNAUTHORIZED,
            "failure {k}"
        );
    }
    let held = login_from(&app, "198.51.100.20", "officer.li", PASSWORD).await;
    assert_error(&held, StatusCode::TOO_MANY_REQUESTS, "too_many_requests");
    assert_eq!(retry_after(&held), 15 * 60);
    // another account is not held up
    with_account(
        &app,
        "officer.zhou",
        kuaiwei_access::password::hash(PASSWORD).unwrap(),
    )
    .await;
    assert_eq!(
        login_from(&app, "198.51.100.20", "officer.zhou", PASSWORD)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_hash_weaker_than_the_policy_is_replaced_at_login() {
    use argon2::password_hash::PasswordHasher;
    let app = app_at("2026-11-02T01:00:00Z").await;
    let weak = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(8_192, 1, 1, None).unwrap(),
    )
    .hash_password(PASSWORD.as_bytes())
    .unwrap()
    .to_string();
    with_account(&app, "officer.li", weak.clone()).await;
    assert_eq!(
        login(&app, "officer.li", PASSWORD).await.status,
        StatusCode::OK
    );
    let stored = app.store.account("officer.li").await.unwrap().unwrap();
    assert_ne!(stored.password_hash, weak);
    assert!(
        stored
            .password_hash
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$")
    );
    assert_eq!(
        login(&app, "officer.li", PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_state_changing_request_from_another_site_is_refused_and_same_origin_allowed() {
    let app = logged_in_app().await;
    let t = token(&login(&app, "officer.li", PASSWORD).await);
    let cookie = format!("__Host-sid={t}");
    let logout = |headers: Vec<(&'static str, String)>| {
        let mut req = Request::delete("/api/v1/session").header(header::HOST, "kw.example.gov.cn");
        for (k, v) in headers {
            req = req.header(k, v);
        }
        app.send(req.body(Body::empty()).unwrap())
    };
    let origin = |o: &str| ("origin", o.to_string());
    let fetch_site = |s: &str| ("sec-fetch-site", s.to_string());
    let with_cookie = ("cookie", cookie.clone());
    // refused: another site, by either header
    for headers in [
        vec![with_cookie.clone(), fetch_site("cross-site")],
        vec![with_cookie.clone(), fetch_site("same-site")],
        vec![with_cookie.clone(), origin("https://evil.example.com")],
        vec![with_cookie.clone(), origin("null")],
        vec![
            with_cookie.clone(),
            origin("https://kw.example.gov.cn.evil.com"),
        ],
    ] {
        let res = logout(headers.clone()).await;
        assert_error(&res, StatusCode::FORBIDDEN, "cross_site_request");
        assert_eq!(whoami(&app, &t).await.status, StatusCode::OK, "{headers:?}");
    }
    // a cross-site login (login CSRF) is refused too, though it carries no cookie
    let forged = app
        .send(
            Request::post("/api/v1/session")
                .header(header::CONTENT_TYPE, "application/json")
                .header("sec-fetch-site", "cross-site")
                .body(Body::from(
                    json!({"username": "officer.li", "password": PASSWORD}).to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_error(&forged, StatusCode::FORBIDDEN, "cross_site_request");
    // a cross-site GET is harmless and passes; so does a public filing without a cookie
    let read = app
        .send(
            Request::get("/api/v1/session")
                .header("cookie", &cookie)
                .header("sec-fetch-site", "cross-site")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(read.status, StatusCode::OK);
    let filed = app
        .post_json_with(
            "/api/v1/complaints",
            complaint().to_string(),
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    // allowed: the same origin, by either header
    let same = logout(vec![
        with_cookie.clone(),
        origin("https://kw.example.gov.cn"),
    ])
    .await;
    assert_eq!(same.status, StatusCode::NO_CONTENT);
    let t2 = token(&login(&app, "officer.li", PASSWORD).await);
    let same = logout(vec![
        ("cookie", format!("__Host-sid={t2}")),
        fetch_site("same-origin"),
    ])
    .await;
    assert_eq!(same.status, StatusCode::NO_CONTENT);
    assert_eq!(whoami(&app, &t2).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logins_failures_logouts_and_refusals_are_on_the_audit_chain() {
    let app = logged_in_app().await;
    let kinds = |events: Vec<kuaiwei_store::AuditEvent>| -> Vec<(String, String)> {
        events.into_iter().map(|e| (e.kind, e.actor)).collect()
    };
    login(&app, "officer.li", "not-the-password").await;
    login(&app, "officer.nobody", "not-the-password").await;
    let t = token(&login(&app, "officer.li", PASSWORD).await);
    let cookie = format!("__Host-sid={t}");
    // an officer may not freeze the centre's report: refused, and recorded
    let refused = app
        .send(
            Request::post("/api/v1/reports/on-time/freeze")
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json!({"period": "2026-10"}).to_string()))
                .unwrap(),
        )
        .await;
    assert_error(&refused, StatusCode::FORBIDDEN, "forbidden");
    app.send(
        Request::delete("/api/v1/session")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let events = app.store.case_events("account:officer.li").await.unwrap();
    assert_eq!(
        kinds(events.clone()),
        [
            ("login_failed".to_string(), "anonymous".to_string()),
            ("login".into(), "officer:officer.li".into()),
            ("refused".into(), "officer:officer.li".into()),
            ("logout".into(), "officer:officer.li".into()),
        ]
    );
    assert_eq!(
        serde_json::from_str::<Value>(&events[2].payload).unwrap(),
        json!({"action": "freeze_report", "agency": null})
    );
    // a name that is no account leaves the chain alone
    assert!(
        app.store
            .case_events("account:officer.nobody")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn thirty_login_attempts_a_minute_from_one_address_whatever_the_account() {
    use axum::extract::connect_info::MockConnectInfo;
    let app = logged_in_app().await;
    let office: std::net::SocketAddr = "10.0.8.15:40000".parse().unwrap();
    let from_office = router(app.state.clone()).layer(MockConnectInfo(office));
    let attempt = |name: String| {
        Request::post("/api/v1/session")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({"username": name, "password": "not-the-password"}).to_string(),
            ))
            .unwrap()
    };
    // a spray over thirty names: each account fails once, the address thirty times
    for n in 0..30 {
        let res = from_office
            .clone()
            .oneshot(attempt(format!("user{n}")))
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    let res = from_office
        .clone()
        .oneshot(attempt("user31".into()))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.headers()[header::RETRY_AFTER], "2");
    // another address logs in
    let elsewhere = router(app.state.clone()).layer(MockConnectInfo(
        "10.0.9.1:40000".parse::<std::net::SocketAddr>().unwrap(),
    ));
    let ok = elsewhere
        .oneshot(
            Request::post("/api/v1/session")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    json!({"username": "officer.li", "password": PASSWORD}).to_string(),
                ))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
}
