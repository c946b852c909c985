//! Logging in and out over HTTP against a real server, on SQLite and PostgreSQL: the session
//! lives in the database, so it survives nothing it should not.

use hyper::Method;
use kuaiwei_e2e::TestApp;

kuaiwei_e2e::on_every_backend!(an_account_logs_in_reads_itself_and_logs_out_for_good);

async fn an_account_logs_in_reads_itself_and_logs_out_for_good(app: TestApp) {
    let now = jiff::Timestamp::now();
    app.store
        .create_account(&kuaiwei_store::Account {
            username: "supervisor.zhao".into(),
            display_name: "赵敏".into(),
            role: "supervisor".into(),
            agency: None,
            password_hash: kuaiwei_access::password::hash("绿色通道-审批-2026").unwrap(),
            created_at: now,
            password_changed_at: now,
            disabled_at: None,
            contact: Default::default(),
        })
        .await
        .unwrap();
    let login = |password: &'static str| {
        let body = serde_json::json!({"username": "supervisor.zhao", "password": password});
        let client = &app.client;
        async move {
            client
                .post_json("/api/v1/session", body.to_string(), &[])
                .await
        }
    };
    let wrong = login("绿色通道-审批-2025").await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.error_code(), "bad_credentials");

    let ok = login("绿色通道-审批-2026").await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.json()["role"], "supervisor");
    let cookie = ok
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("__Host-sid="));
    let me = app
        .client
        .get("/api/v1/session", &[("cookie", cookie.as_str())])
        .await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["display_name"], "赵敏");

    let out = app
        .client
        .send(
            Method::DELETE,
            "/api/v1/session",
            &[("cookie", cookie.as_str())],
            Vec::new(),
        )
        .await;
    assert_eq!(out.status, 204);
    let replay = app
        .client
        .get("/api/v1/session", &[("cookie", cookie.as_str())])
        .await;
    assert_eq!(replay.status, 401);
    assert_eq!(replay.error_code(), "not_logged_in");
}
