//! The staff workbench (docs/pages.md, "Staff") through `oneshot`: login and the way back to
//! where one was, queues, the case page with only the permitted steps, a step taken from its
//! form (a refusal shown beside its field, a stale page refused), another agency's case not
//! found, search, and the administrator adding an officer who can then log in.

use super::*;

struct Html {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

async fn html(app: &App, req: Request<Body>) -> Html {
    let res = app.router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Html {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn get(app: &App, uri: &str, cookie: Option<&str>) -> Html {
    let mut req = Request::get(uri).header(header::ACCEPT_LANGUAGE, "zh-CN");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    html(app, req.body(Body::empty()).unwrap()).await
}

async fn post_form(app: &App, uri: &str, cookie: Option<&str>, fields: &[(&str, &str)]) -> Html {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let mut req = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT_LANGUAGE, "zh-CN")
        .header("sec-fetch-site", "same-origin");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    html(app, req.body(Body::from(body)).unwrap()).await
}

fn location(h: &Html) -> &str {
    h.headers[header::LOCATION].to_str().unwrap()
}

async fn filed(app: &App) -> String {
    let res = app
        .post_json("/api/v1/complaints", complaint().to_string())
        .await;
    assert_eq!(res.status, StatusCode::CREATED);
    res.body["case_number"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_page_without_a_session_sends_the_browser_to_login_and_back() {
    let app = app().await;
    for uri in [
        "/work",
        "/work/cases/KW-2026-000001",
        "/work/search?q=x",
        "/watch",
        "/reports/on-time",
    ] {
        let h = get(&app, uri, None).await;
        assert_eq!(h.status, StatusCode::SEE_OTHER, "{uri}");
        assert!(
            location(&h).starts_with("/login?next=%2F"),
            "{uri}: {}",
            location(&h)
        );
    }
    let form = get(&app, "/login?next=%2Fwork%2Fsearch%3Fq%3Dx", None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body
            .contains("name=\"next\" value=\"/work/search?q=x\"")
    );
    assert!(form.body.contains("请先登录"));
    // the account, then the form with a wrong password and the right one
    let _ = app.login_cookie("caseworker", None).await;
    let wrong = post_form(
        &app,
        "/login",
        None,
        &[
            ("username", "caseworker.centre"),
            ("password", "不对的密码-000"),
            ("next", "/work/search?q=x"),
        ],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("用户名或密码不正确"), "{}", wrong.body);
    assert!(
        wrong.body.contains("value=\"caseworker.centre\""),
        "the name is kept"
    );
    let ok = post_form(
        &app,
        "/login",
        None,
        &[
            ("username", "caseworker.centre"),
            ("password", "测试用的密码-2026"),
            ("next", "/work/search?q=x"),
        ],
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&ok), "/work/search?q=x");
    let cookie = ok.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("__Host-sid=") && cookie.contains("HttpOnly"));
    // never to another site
    let away = post_form(
        &app,
        "/login",
        None,
        &[
            ("username", "caseworker.centre"),
            ("password", "测试用的密码-2026"),
            ("next", "//evil.example/"),
        ],
    )
    .await;
    assert_eq!(location(&away), "/work");
    // a login form posted from another site is refused (login CSRF)
    let body = "username=caseworker.centre&password=x";
    let cross = html(
        &app,
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "cross-site")
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    // logging out ends the session on the server
    let session = cookie.split(';').next().unwrap().to_string();
    assert_eq!(
        get(&app, "/work", Some(&session)).await.status,
        StatusCode::OK
    );
    let out = post_form(&app, "/logout", Some(&session), &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        get(&app, "/work", Some(&session)).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn the_case_page_shows_the_case_and_only_the_steps_the_reader_may_take() {
    let app = app().await;
    let n = filed(&app).await;
    let cw = app.login_cookie("caseworker", None).await;
    let queue = get(&app, "/work", Some(&cw)).await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains(&format!("href=\"/work/cases/{n}\"")));
    let page = get(&app, &format!("/work/cases/{n}"), Some(&cw)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for part in [
        n.as_str(),
        "待审查",
        "缺少的材料",
        "路由规则建议",
        "市场监督管理局",
        "id=\"step-accept\"",
        "id=\"step-request_supplement\"",
        "138****5678",
    ] {
        assert!(page.body.contains(part), "the case page lacks {part}");
    }
    assert!(!page.body.contains("13812345678"), "personal data masked");
    for never in [
        "id=\"step-open\"",
        "id=\"step-approve_extension\"",
        "查看完整个人信息",
    ] {
        assert!(
            !page.body.contains(never),
            "a caseworker is offered {never}"
        );
    }
    // accepting with materials missing and no reason: refused beside the reason, in Chinese
    let refused = post_form(
        &app,
        &format!("/work/cases/{n}/step"),
        Some(&cw),
        &[("action", "accept"), ("version", "1"), ("reason", "")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("id=\"accept-reason-error\""),
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("<details class=\"step\" id=\"step-accept\" open>")
    );
    assert_eq!(
        app.store.case(&n).await.unwrap().unwrap().state.key(),
        "received"
    );
    let accepted = post_form(
        &app,
        &format!("/work/cases/{n}/step"),
        Some(&cw),
        &[
            ("action", "accept"),
            ("version", "1"),
            ("reason", "材料已在窗口核验"),
        ],
    )
    .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    assert_eq!(location(&accepted), format!("/work/cases/{n}?done=accept"));
    assert_eq!(
        app.store.case(&n).await.unwrap().unwrap().state.key(),
        "accepted"
    );
    // a page drawn before that step (version 1) is stale: refused, the fresh case shown
    let stale = post_form(
        &app,
        &format!("/work/cases/{n}/step"),
        Some(&cw),
        &[("action", "route"), ("version", "1"), ("agency", "")],
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("已被他人更新"), "{}", stale.body);
    assert_eq!(
        app.store.case(&n).await.unwrap().unwrap().state.key(),
        "accepted"
    );
    let routed = post_form(
        &app,
        &format!("/work/cases/{n}/step"),
        Some(&cw),
        &[("action", "route"), ("version", "2"), ("agency", "")],
    )
    .await;
    assert_eq!(routed.status, StatusCode::SEE_OTHER, "{}", routed.body);
    let case = app.store.case(&n).await.unwrap().unwrap();
    assert_eq!(case.agency.as_deref(), Some("market_regulation"));

    // the agency's officer sees it in the queue with its steps; another agency's does not
    let officer = app
        .account_cookie("officer.mr", "officer", Some("market_regulation"))
        .await;
    let q = get(&app, "/work", Some(&officer)).await;
    assert!(q.body.contains(&format!("/work/cases/{n}")));
    let page = get(&app, &format!("/work/cases/{n}"), Some(&officer)).await;
    assert!(page.body.contains("id=\"step-open\""));
    assert!(page.body.contains("查看完整个人信息"));
    let full = get(&app, &format!("/work/cases/{n}?full=1"), Some(&officer)).await;
    assert!(
        full.body.contains("13812345678"),
        "the full view for the officer"
    );
    let other = app
        .account_cookie("officer.customs", "officer", Some("customs"))
        .await;
    let hidden = get(&app, &format!("/work/cases/{n}"), Some(&other)).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert!(!hidden.body.contains("耐克"));
    let their_queue = get(&app, "/work", Some(&other)).await;
    assert!(!their_queue.body.contains(&n));
    let step = post_form(
        &app,
        &format!("/work/cases/{n}/step"),
        Some(&other),
        &[("action", "open"), ("version", "3")],
    )
    .await;
    assert_eq!(step.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.store.case(&n).await.unwrap().unwrap().state.key(),
        "routed"
    );
}

#[tokio::test]
async fn the_search_page_finds_the_readers_cases_only() {
    let app = app().await;
    let n = filed(&app).await;
    let cw = app.login_cookie("caseworker", None).await;
    // the index follows the change log in the server; here it is fed by hand
    let index = app.state.search.clone().unwrap();
    kuaiwei_server::search::catch_up(&app.state, &index)
        .await
        .unwrap();
    let found = get(
        &app,
        "/work/search?q=%E8%BF%90%E5%8A%A8%E9%9E%8B",
        Some(&cw),
    )
    .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert!(
        found.body.contains(&format!("href=\"/work/cases/{n}\"")),
        "{}",
        found.body
    );
    let other = app
        .account_cookie("officer.customs", "officer", Some("customs"))
        .await;
    let none = get(
        &app,
        "/work/search?q=%E8%BF%90%E5%8A%A8%E9%9E%8B",
        Some(&other),
    )
    .await;
    assert_eq!(none.status, StatusCode::OK);
    assert!(!none.body.contains(&n));
}

#[tokio::test]
async fn an_administrator_adds_an_officer_who_can_then_log_in() {
    let app = app().await;
    let admin = app.login_cookie("administrator", None).await;
    let page = get(&app, "/work/admin", Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("administrator.centre"));
    // an officer without an agency and a weak password: both named
    let bad = post_form(
        &app,
        "/work/admin/accounts",
        Some(&admin),
        &[
            ("username", "li.si"),
            ("display_name", "李四"),
            ("role", "officer"),
            ("agency", ""),
            ("password", "123"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("须指定所属部门"), "{}", bad.body);
    assert!(
        bad.body.contains("value=\"李四\""),
        "what was typed is kept"
    );
    assert!(app.store.account("li.si").await.unwrap().is_none());
    let added = post_form(
        &app,
        "/work/admin/accounts",
        Some(&admin),
        &[
            ("username", "li.si"),
            ("display_name", "李四"),
            ("role", "officer"),
            ("agency", "market_regulation"),
            ("password", "执法-初始密码-2026"),
        ],
    )
    .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let login = post_form(
        &app,
        "/login",
        None,
        &[
            ("username", "li.si"),
            ("password", "执法-初始密码-2026"),
            ("next", "/work"),
        ],
    )
    .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    let events = app.store.case_events("account:li.si").await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.kind == "account_created" && e.actor == "administrator:administrator.centre"),
        "{events:?}"
    );
    // disabling ends the session; only an administrator may manage accounts
    let session = login.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let refused = get(&app, "/work/admin", Some(&session)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let off = post_form(
        &app,
        "/work/admin/accounts/li.si",
        Some(&admin),
        &[("do", "disable")],
    )
    .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    assert_eq!(
        get(&app, "/work", Some(&session)).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn an_administrator_sets_where_an_account_is_told_and_the_list_shows_it_masked() {
    let app = app().await;
    let admin = app.login_cookie("administrator", None).await;
    let added = post_form(
        &app,
        "/work/admin/accounts",
        Some(&admin),
        &[
            ("username", "li.si"),
            ("display_name", "李四"),
            ("role", "officer"),
            ("agency", "market_regulation"),
            ("password", "执法-初始密码-2026"),
            ("email", "li.si@amr.example.gov.cn"),
            ("mobile", ""),
            ("lang", "zh-CN"),
        ],
    )
    .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let contact = |app: &App| {
        let store = app.store.clone();
        async move { store.account("li.si").await.unwrap().unwrap().contact }
    };
    assert_eq!(
        contact(&app).await.email.as_deref(),
        Some("li.si@amr.example.gov.cn")
    );
    let page = get(&app, "/work/admin", Some(&admin)).await;
    assert!(
        page.body.contains(">l***@amr.example.gov.cn<"),
        "{}",
        page.body
    );

    // a mobile that is not one: named on the page in the page's language, nothing changed
    let bad = post_form(
        &app,
        "/work/admin/accounts/li.si",
        Some(&admin),
        &[
            ("do", "contact"),
            ("email", "li.si@amr.example.gov.cn"),
            ("mobile", "12345"),
            ("lang", "en"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("手机号应为11位中国大陆手机号"),
        "{}",
        bad.body
    );
    assert_eq!(contact(&app).await.lang, "zh-CN");
    let good = post_form(
        &app,
        "/work/admin/accounts/li.si",
        Some(&admin),
        &[
            ("do", "contact"),
            ("email", ""),
            ("mobile", "139 1234 5678"),
            ("lang", "en"),
        ],
    )
    .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.body);
    assert_eq!(location(&good), "/work/admin?done=contact:li.si");
    assert_eq!(
        contact(&app).await,
        kuaiwei_store::Contact {
            email: None,
            mobile: Some("13912345678".into()),
            lang: "en".into(),
        }
    );
    let page = get(&app, "/work/admin?done=contact:li.si", Some(&admin)).await;
    assert!(
        page.body.contains("已更新 li.si 的通知方式"),
        "{}",
        page.body
    );
    assert!(page.body.contains(">139****5678<"), "{}", page.body);
    assert!(!page.body.contains("l***@amr.example.gov.cn"));
}

const Y2027: &str = "year = 2027\nnotice = \"国办发明电〔2026〕X号（测试）\"\n\n[[holiday]]\nname_zh = \"元旦\"\nname_en = \"New Year's Day\"\nrest = [\"2027-01-01\", \"2027-01-02\", \"2027-01-03\"]\nwork = []\n";

fn multipart(fields: &[(&str, Option<&str>, &str)]) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    for (name, filename, value) in fields {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match filename {
            Some(f) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: text/plain\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(value.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

async fn post_multipart_page(
    app: &App,
    uri: &str,
    cookie: &str,
    fields: &[(&str, Option<&str>, &str)],
) -> Html {
    let (content_type, body) = multipart(fields);
    html(
        app,
        Request::post(uri)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::ACCEPT_LANGUAGE, "zh-CN")
            .header("sec-fetch-site", "same-origin")
            .header(header::COOKIE, cookie)
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn an_administrator_checks_and_installs_next_years_calendar_which_is_used_at_once() {
    let mut app = app().await;
    // a server that reads its calendar from a directory, as `kuaiwei serve` does
    let dir = app._dir.0.join("calendar");
    let source_dir = dir.clone();
    app.state.calendar = kuaiwei_server::SharedCalendar::reloading(
        Calendar::bundled(),
        Arc::new(move || {
            let mut cal = Calendar::bundled();
            for entry in std::fs::read_dir(&source_dir)
                .into_iter()
                .flatten()
                .flatten()
            {
                let text = std::fs::read_to_string(entry.path()).map_err(|e| e.to_string())?;
                cal = cal.with_year(Calendar::parse_year(&text).map_err(|e| e.to_string())?);
            }
            Ok(cal)
        }),
        dir.clone(),
    );
    app.router = router(app.state.clone());
    let admin = app.login_cookie("administrator", None).await;
    let page = get(&app, "/work/admin/calendar", Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("2027") && page.body.contains("暂定"),
        "2027 is provisional"
    );
    // a bad file: refused with its line, nothing installed
    let bad = Y2027.replace("2027-01-02", "2027-13-02");
    let refused = post_multipart_page(
        &app,
        "/work/admin/calendar",
        &admin,
        &[("file", Some("2027.toml"), &bad)],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("第 7 行") || refused.body.contains("第7行"),
        "{}",
        refused.body
    );
    assert!(!dir.join("2027.toml").exists());
    // a good one: what it changes, before anything is installed
    let preview = post_multipart_page(
        &app,
        "/work/admin/calendar",
        &admin,
        &[("file", Some("2027.toml"), Y2027)],
    )
    .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(preview.body.contains("id=\"changes\""), "{}", preview.body);
    assert!(preview.body.contains("休息日 → 工作日"));
    assert!(
        !dir.join("2027.toml").exists(),
        "a preview installs nothing"
    );
    let installed = post_multipart_page(
        &app,
        "/work/admin/calendar",
        &admin,
        &[("text", None, Y2027), ("install", None, "1")],
    )
    .await;
    assert_eq!(
        installed.status,
        StatusCode::SEE_OTHER,
        "{}",
        installed.body
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("2027.toml")).unwrap(),
        Y2027
    );
    // in use without a restart
    for _ in 0..100 {
        if !app.state.calendar.current().is_provisional(2027) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(!app.state.calendar.current().is_provisional(2027));
    let events = app.store.case_events("calendar:2027").await.unwrap();
    assert_eq!(events.len(), 1);
    // only an administrator
    let cw = app.login_cookie("caseworker", None).await;
    assert_eq!(
        get(&app, "/work/admin/calendar", Some(&cw)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn an_administrator_makes_an_api_key_shown_once_and_revokes_it() {
    let app = app().await;
    let admin = app.login_cookie("administrator", None).await;
    let made = post_form(
        &app,
        "/work/admin/keys",
        Some(&admin),
        &[("name", "platform.shop")],
    )
    .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    assert_eq!(made.headers[header::CACHE_CONTROL], "no-store");
    let key = made
        .body
        .split("id=\"new-key\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("the key is shown")
        .to_string();
    assert!(key.starts_with("kw_"), "{key}");
    // the key files complaints; shown once: the list does not carry it
    let filed = app
        .post_json_with(
            "/api/v1/complaints",
            complaint().to_string(),
            &[("authorization", &format!("Bearer {key}"))],
        )
        .await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    let list = get(&app, "/work/admin/keys", Some(&admin)).await;
    assert!(list.body.contains("platform.shop") && !list.body.contains(&key));
    let again = post_form(
        &app,
        "/work/admin/keys",
        Some(&admin),
        &[("name", "platform.shop")],
    )
    .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("已被使用"));
    let revoked = post_form(
        &app,
        "/work/admin/keys/platform.shop/revoke",
        Some(&admin),
        &[],
    )
    .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    let refused = app
        .post_json_with(
            "/api/v1/complaints",
            complaint().to_string(),
            &[("authorization", &format!("Bearer {key}"))],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let events = app.store.case_events("token:platform.shop").await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["token_created", "token_revoked"]);
    let cw = app.login_cookie("caseworker", None).await;
    assert_eq!(
        get(&app, "/work/admin/keys", Some(&cw)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn an_administrator_sees_the_messages_given_up_on_and_what_the_receiver_said() {
    let app = app().await;
    let admin = app.login_cookie("administrator", None).await;
    let empty = get(&app, "/work/admin/messages", Some(&admin)).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert!(empty.body.contains("没有发送失败的通知"), "{}", empty.body);
    let mut filed = kuaiwei_store::conformance::sample(1, "2026-10-15T02:00:00Z", "fair");
    filed.messages = vec![kuaiwei_store::NewMessage {
        channel: "email".into(),
        recipient: "zhang.wei@example.com".into(),
        shown_to: "z***@example.com".into(),
        lang: "zh-CN".into(),
        notice: serde_json::json!({"kind": "received", "token": "secret-token"}),
        staff: None,
        dedup_key: None,
    }];
    let receipt = app.store.submit_complaint(filed).await.unwrap();
    let at: jiff::Timestamp = "2026-10-15T02:00:01Z".parse().unwrap();
    let due = app.store.due_messages(at, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    app.store
        .record_delivery(
            due[0].id,
            at,
            kuaiwei_store::DeliveryOutcome::Failed,
            "smtp 550 mailbox unavailable",
        )
        .await
        .unwrap();
    let page = get(&app, "/work/admin/messages", Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(&receipt.case_number.to_string()),
        "{}",
        page.body
    );
    assert!(page.body.contains("smtp 550 mailbox unavailable"));
    assert!(page.body.contains("z***@example.com"));
    assert!(!page.body.contains("zhang.wei@") && !page.body.contains("secret-token"));
    let stored = app.store.failed_messages(10).await.unwrap();
    assert!(
        stored[0].notice.get("token").is_none(),
        "the token is gone once given up"
    );
    let cw = app.login_cookie("caseworker", None).await;
    assert_eq!(
        get(&app, "/work/admin/messages", Some(&cw)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_complainant_stops_the_e_mails_of_a_case_on_the_tracking_page() {
    let app = app().await;
    let mut filed = kuaiwei_store::conformance::sample(2, "2026-10-15T02:00:00Z", "fair");
    let notice = serde_json::json!({"kind": "received", "token": "t"});
    let to = |channel: &str, recipient: &str, shown: &str| kuaiwei_store::NewMessage {
        channel: channel.into(),
        recipient: recipient.into(),
        shown_to: shown.into(),
        lang: "zh-CN".into(),
        notice: notice.clone(),
        staff: None,
        dedup_key: None,
    };
    filed.messages = vec![
        to("email", "li.na@example.com", "l***@example.com"),
        to("sms", "13812345678", "138****5678"),
    ];
    let token = "0123456789abcdef0123456789abcdef".to_string();
    filed.token_hash = sha2::Digest::finalize(sha2::Digest::chain_update(
        <sha2::Sha256 as sha2::Digest>::new(),
        token.as_bytes(),
    ))
    .into();
    let receipt = app.store.submit_complaint(filed).await.unwrap();
    let number = receipt.case_number.to_string();
    let page = post_form(
        &app,
        "/track",
        None,
        &[("case_number", &number), ("tracking_token", &token)],
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("l***@example.com") && page.body.contains("138****5678"));
    assert_eq!(page.body.matches("action=\"/track/opt-out\"").count(), 2);
    // a wrong token stops nothing
    let wrong = post_form(
        &app,
        "/track/opt-out",
        None,
        &[
            ("case_number", &number),
            ("tracking_token", "0000"),
            ("channel", "email"),
        ],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    let stopped = post_form(
        &app,
        "/track/opt-out",
        None,
        &[
            ("case_number", &number),
            ("tracking_token", &token),
            ("channel", "email"),
        ],
    )
    .await;
    assert_eq!(stopped.status, StatusCode::OK, "{}", stopped.body);
    assert!(stopped.body.contains("已停止"), "{}", stopped.body);
    assert_eq!(stopped.body.matches("action=\"/track/opt-out\"").count(), 1);
    let messages = app.store.case_messages(&number).await.unwrap();
    let email = messages.iter().find(|m| m.channel == "email").unwrap();
    assert!(email.opted_out_at.is_some());
    // the stopped e-mail is never sent, the text message still is; later steps skip e-mail
    let due = app
        .store
        .due_messages("2026-10-15T02:00:05Z".parse().unwrap(), 10)
        .await
        .unwrap();
    let channels: Vec<&str> = due.iter().map(|m| m.channel.as_str()).collect();
    assert_eq!(channels, ["sms"]);
    let next = kuaiwei_notify::follow_up(&messages, &kuaiwei_notify::Notice::Opened);
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].channel, "sms");
    let bad = post_form(
        &app,
        "/track/opt-out",
        None,
        &[
            ("case_number", &number),
            ("tracking_token", &token),
            ("channel", "pigeon"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn every_member_of_staff_reads_the_rules_and_procedures_in_use() {
    let app = app().await;
    let officer = app
        .account_cookie("officer.mr", "officer", Some("market_regulation"))
        .await;
    let page = get(&app, "/work/rules", Some(&officer)).await;
    assert_eq!(page.status, StatusCode::OK);
    for part in [
        "F1",
        "M2",
        "《展会知识产权保护办法》",
        "市场监督管理部门负责人批准",
        "id=\"rules\"",
    ] {
        assert!(page.body.contains(part), "the rules page lacks {part}");
    }
}

#[tokio::test]
async fn a_supervisor_prints_qr_posters_that_open_the_filing_page_for_each_hall() {
    let app = app().await;
    let sup = app.login_cookie("supervisor", None).await;
    let page = get(
        &app,
        "/work/stations?fair=%E7%AC%AC138%E5%B1%8A%E5%B9%BF%E4%BA%A4%E4%BC%9A&session=%E7%AC%AC%E4%B8%80%E6%9C%9F&halls=1.1%2C+16.1",
        Some(&sup),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.body.matches("class=\"poster\"").count(), 2);
    assert_eq!(page.body.matches("<svg").count(), 2, "a QR code per hall");
    let link = "/file?fair=%E7%AC%AC138%E5%B1%8A%E5%B9%BF%E4%BA%A4%E4%BC%9A&#38;session=%E7%AC%AC%E4%B8%80%E6%9C%9F&#38;hall=16.1";
    assert!(page.body.contains(link), "{}", page.body);
    // the link opens the filing page with the fair chosen and carried on
    let file = get(&app, &link.replace("&#38;", "&"), None).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.body.contains("第138届广交会"));
    let missing = get(&app, "/work/stations?fair=&halls=1.1", Some(&sup)).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);

    // a fair session entered once is kept, listed, and its posters printed again at any time
    let bad = post_form(
        &app,
        "/work/stations",
        Some(&sup),
        &[
            ("fair", "第141届广交会"),
            ("starts_on", "2027-04-19"),
            ("ends_on", "2027-04-15"),
            ("halls", "1.1"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("结束日期早于开始日期"), "{}", bad.body);
    assert!(
        bad.body.contains("value=\"第141届广交会\""),
        "what was typed is kept"
    );
    let made = post_form(
        &app,
        "/work/stations",
        Some(&sup),
        &[
            ("fair", "第141届广交会"),
            ("session", "第一期"),
            ("starts_on", "2027-04-15"),
            ("ends_on", "2027-04-19"),
            ("halls", "1.1，9.2 16.1"),
        ],
    )
    .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let at = location(&made).to_string();
    assert!(at.starts_with("/work/stations/"), "{at}");
    let posters = get(&app, &at, Some(&sup)).await;
    assert_eq!(posters.status, StatusCode::OK);
    assert_eq!(posters.body.matches("class=\"poster\"").count(), 3);
    assert!(posters.body.contains("2027年4月15日 – 2027年4月19日"));
    assert!(posters.body.contains("hall=9.2"));
    let list = get(&app, "/work/stations", Some(&sup)).await;
    assert!(list.body.contains(&format!("href=\"{at}\"")), "listed");
    assert_eq!(
        get(&app, "/work/stations/999999", Some(&sup)).await.status,
        StatusCode::NOT_FOUND
    );
    let stored = app.state.store.fair_sessions(10).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].halls, ["1.1", "9.2", "16.1"]);
    assert_eq!(stored[0].created_by, "supervisor.centre");
    let officer = app
        .account_cookie("officer.mr", "officer", Some("market_regulation"))
        .await;
    assert_eq!(
        get(&app, "/work/stations", Some(&officer)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_caseworker_joins_two_respondents_from_the_respondent_page() {
    let app = app().await;
    let first = filed(&app).await;
    let mut other = complaint();
    // another company at another booth: nothing links the two
    other["respondent"] = json!({"name": "另一家鞋业有限公司"});
    other["channel"]["booth"] = json!("9.2C01");
    let res = app.post_json("/api/v1/complaints", other.to_string()).await;
    let second = res.body["case_number"].as_str().unwrap().to_string();
    // the respondent pass gives both their entities, as the server's follower does
    while app.store.respondent_pass(1000).await.unwrap() > 0 {}
    let a = app
        .store
        .case(&first)
        .await
        .unwrap()
        .unwrap()
        .respondent_id
        .unwrap();
    let b = app
        .store
        .case(&second)
        .await
        .unwrap()
        .unwrap()
        .respondent_id
        .unwrap();
    assert_ne!(a, b);
    let cw = app.login_cookie("caseworker", None).await;
    // the case page links to its respondent
    let case = get(&app, &format!("/work/cases/{first}"), Some(&cw)).await;
    assert!(
        case.body
            .contains(&format!("href=\"/work/respondents/{a}\""))
    );
    let page = get(&app, &format!("/work/respondents/{a}"), Some(&cw)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(&first) && page.body.contains("某某鞋业"));
    // a join without a reason is refused and changes nothing
    let refused = post_form(
        &app,
        &format!("/work/respondents/{a}"),
        Some(&cw),
        &[("action", "join"), ("with", &b.to_string()), ("reason", "")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("必填"), "{}", refused.body);
    let joined = post_form(
        &app,
        &format!("/work/respondents/{a}"),
        Some(&cw),
        &[
            ("action", "join"),
            ("with", &b.to_string()),
            ("reason", "同一营业执照"),
        ],
    )
    .await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);
    let after = get(&app, location(&joined), Some(&cw)).await;
    assert!(
        after.body.contains(&first) && after.body.contains(&second),
        "{}",
        after.body
    );
    assert!(
        after.body.contains("同一营业执照"),
        "the join and its reason are listed"
    );
    let proposals = get(&app, "/work/respondents", Some(&cw)).await;
    assert_eq!(proposals.status, StatusCode::OK);
    // an officer reads the history of their agency's cases only (none here: not found) and
    // corrects nothing
    let officer = app
        .account_cookie("officer.customs", "officer", Some("customs"))
        .await;
    assert_eq!(
        get(&app, &format!("/work/respondents/{a}"), Some(&officer))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, "/work/respondents", Some(&officer)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn an_administrator_verifies_the_audit_chain_and_sees_the_last_verification() {
    let app = app().await;
    filed(&app).await;
    let admin = app.login_cookie("administrator", None).await;
    let before = get(&app, "/work/admin/audit", Some(&admin)).await;
    assert_eq!(before.status, StatusCode::OK);
    assert!(
        before.body.contains("尚未在此页面校验过"),
        "{}",
        before.body
    );
    let started = post_form(&app, "/work/admin/audit", Some(&admin), &[]).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);
    let mut page = String::new();
    for _ in 0..100 {
        page = get(&app, "/work/admin/audit", Some(&admin)).await.body;
        if page.contains("完整") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(page.contains("<strong>完整</strong>"), "{page}");
    assert!(page.contains("administrator:administrator.centre"));
    let recorded = app.store.case_events("audit").await.unwrap();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].kind, "audit_verified");
    let cw = app.login_cookie("caseworker", None).await;
    assert_eq!(
        get(&app, "/work/admin/audit", Some(&cw)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_route_form_takes_the_facts_a_caseworker_checked() {
    let app = app().await;
    let cw = app.account_cookie("chen", "caseworker", None).await;
    let n = filed(&app).await;
    let step = format!("/work/cases/{n}/step");
    let accepted = post_form(
        &app,
        &step,
        Some(&cw),
        &[
            ("action", "accept"),
            ("version", "1"),
            ("reason", "材料已核验"),
        ],
    )
    .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    // the case page shows the facts the rules used and the form to check them
    let page = get(&app, &format!("/work/cases/{n}"), Some(&cw)).await;
    assert!(page.body.contains("id=\"routing-facts\""), "{}", page.body);
    assert!(page.body.contains("name=\"illegal_gains\""));
    assert!(page.body.contains("name=\"prior_penalty_kind\""));
    // only the facts that apply to this complaint: a fair trademark has no customs facts, no
    // patent matter and no GI form (they would be refused)
    for absent in ["customs_holds_goods", "patent_matters", "gi_form"] {
        assert!(
            !page.body.contains(&format!("name=\"{absent}\"")),
            "{absent}"
        );
    }
    // an amount that is not a number is named, and what was typed is kept
    let bad = post_form(
        &app,
        &step,
        Some(&cw),
        &[
            ("action", "route"),
            ("version", "2"),
            ("agency", ""),
            ("illegal_gains", "三万"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("金额应为数字"), "{}", bad.body);
    assert!(bad.body.contains("value=\"三万\""), "{}", bad.body);
    // a prior penalty within two years and ¥20,000 of gains: 法释〔2025〕5号's lower tier
    let routed = post_form(
        &app,
        &step,
        Some(&cw),
        &[
            ("action", "route"),
            ("version", "2"),
            ("agency", ""),
            ("illegal_gains", "20,000"),
            ("prior_penalty_kind", "administrative"),
            ("prior_penalty_on", "2025-06-01"),
        ],
    )
    .await;
    assert_eq!(routed.status, StatusCode::SEE_OTHER, "{}", routed.body);
    let case = app.store.case(&n).await.unwrap().unwrap();
    assert_eq!(case.agency.as_deref(), Some("police"));
    let events = app.store.case_events(&n).await.unwrap();
    let route: serde_json::Value = serde_json::from_str(&events.last().unwrap().payload).unwrap();
    assert_eq!(route["rule"]["facts_given"], true);
}
