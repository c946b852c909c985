//! `GET /api/v1/search` through the router: the indexer's catch-up from the change log, text
//! and filters, facets, masked snippets, and the caller's agency as a filter of every search.

use super::*;

async fn file(app: &App, booth: &str, brand: &str, mobile: &str) -> String {
    let mut c = complaint();
    c["channel"]["booth"] = json!(booth);
    c["complainant"]["mobile"] = json!(mobile);
    c["description"] = json!(format!(
        "展位{booth}展出的运动鞋使用了与注册商标“{brand}”相同的标识"
    ));
    let res = app.post_json("/api/v1/complaints", c.to_string()).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    res.body["case_number"].as_str().unwrap().to_string()
}

async fn caught_up(app: &App) -> usize {
    let index = app.state.search.clone().unwrap();
    kuaiwei_server::search::catch_up(&app.state, &index)
        .await
        .unwrap()
}

fn numbers(body: &Value) -> Vec<String> {
    let mut v: Vec<String> = body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["case_number"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn a_filed_complaint_is_found_by_any_piece_of_it_with_facets_and_a_masked_snippet() {
    let app = app().await.logged_in("caseworker", None).await;
    let a = file(&app, "16.1K7", "耐克", "13812345678").await;
    let b = file(&app, "9.2C18", "NIKE", "13912345678").await;
    let c = file(&app, "3.1A2", "乐高", "13712345678").await;
    assert_eq!(caught_up(&app).await, 3);
    assert_eq!(caught_up(&app).await, 0, "nothing new: nothing done");

    let res = app.get("/api/v1/search?q=16.1k7").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(numbers(&res.body), vec![a.clone()]);
    assert_eq!(res.body["total"], 1);
    let snippet = res.body["hits"][0]["snippet"].as_str().unwrap();
    assert!(snippet.contains("<b>"), "{snippet}");
    // a phone number finds its complaint; no snippet shows it whole
    let res = app.get("/api/v1/search?q=13912345678").await;
    assert_eq!(numbers(&res.body), vec![b.clone()]);
    assert!(
        !res.body.to_string().contains("13912345678"),
        "{}",
        res.body
    );
    let all = app
        .get("/api/v1/search?q=%E8%BF%90%E5%8A%A8%E9%9E%8B")
        .await; // 运动鞋
    assert_eq!(numbers(&all.body), vec![a.clone(), b.clone(), c.clone()]);
    assert_eq!(all.body["facets"]["channel"]["fair"], 3);
    assert_eq!(all.body["facets"]["state"]["received"], 3);

    // a step is seen by the index through the change log: state and agency facets follow
    app.act(
        &a,
        json!({"action": "accept", "actor": "caseworker:wang", "reason": "现场核对原件，先行受理"}),
    )
    .await;
    app.act(&a, json!({"action": "route", "actor": "caseworker:wang", "reason": "测试", "agency": "ip_office", "procedures": ["P1"]})).await;
    assert_eq!(caught_up(&app).await, 1, "one case changed (twice)");
    let routed = app.get("/api/v1/search?agency=ip_office").await;
    assert_eq!(numbers(&routed.body), vec![a.clone()]);
    let unrouted = app
        .get("/api/v1/search?agency=unrouted&sort=received")
        .await;
    assert_eq!(numbers(&unrouted.body), vec![b.clone(), c.clone()]);

    // an officer searches their own agency only, whatever they ask
    let officer = app.login_cookie("officer", Some("ip_office")).await;
    let get = |uri: &str| {
        Request::get(uri)
            .header(header::COOKIE, officer.as_str())
            .body(Body::empty())
            .unwrap()
    };
    let theirs = app
        .send(get("/api/v1/search?q=%E8%BF%90%E5%8A%A8%E9%9E%8B"))
        .await;
    assert_eq!(numbers(&theirs.body), vec![a.clone()]);
    assert_eq!(theirs.body["total"], 1, "totals and facets are scoped too");
    assert_error(
        &app.send(get("/api/v1/search?agency=customs")).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_error(
        &app.send(get("/api/v1/search?agency=unrouted")).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );

    // odd text is a query like any other; bad filters are named
    for q in ["%22", "(", "AND%20OR", "a%3Ab", "*", "%E3%80%82"] {
        let res = app.get(&format!("/api/v1/search?q={q}")).await;
        assert_eq!(res.status, StatusCode::OK, "{q}: {}", res.body);
    }
    assert_eq!(
        field_errors(&app.get("/api/v1/search?sort=size").await),
        vec![("sort".to_string(), "invalid_value".to_string())]
    );
    assert_eq!(
        field_errors(&app.get("/api/v1/search?from=yesterday").await),
        vec![("from".to_string(), "invalid_value".to_string())]
    );
    assert_eq!(
        field_errors(&app.get("/api/v1/search?agency=fair_desk").await),
        vec![("agency".to_string(), "unknown_agency".to_string())]
    );
    assert_eq!(
        field_errors(&app.get("/api/v1/search?state=done").await),
        vec![("state".to_string(), "unknown_value".to_string())]
    );
    let unknown = app.get("/api/v1/search?status=open").await;
    assert_error(
        &unknown,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
}

/// The query string's value for `text`: every byte percent-encoded.
fn encoded(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn a_term_matches_inside_one_field_and_across_a_sentence_mark_only_with_one() {
    let app = app().await.logged_in("caseworker", None).await;
    let mut c = complaint();
    c["description"] = json!("展出的运动鞋使用了与注册商标相同的标识。和解未成");
    let res = app.post_json("/api/v1/complaints", c.to_string()).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let n = res.body["case_number"].as_str().unwrap().to_string();
    assert_eq!(caught_up(&app).await, 1);
    for (q, want) in [
        // the booth 16.1K7 and the fair 第138届广交会 are two fields (and neighbours in the
        // complaint's JSON, which the index once joined into one text)
        ("K7第138", vec![]),
        ("16.1K7 第138届", vec![n.clone()]),
        ("标识和解", vec![]),
        ("标识。和解", vec![n.clone()]),
        ("标识，和解", vec![n.clone()]),
        ("标识", vec![n.clone()]),
    ] {
        let res = app.get(&format!("/api/v1/search?q={}", encoded(q))).await;
        assert_eq!(res.status, StatusCode::OK, "{q}: {}", res.body);
        assert_eq!(numbers(&res.body), want, "{q}");
        assert_eq!(res.body["total"], want.len(), "{q}");
    }
}

#[tokio::test]
async fn administrators_and_anonymous_callers_do_not_search() {
    let app = app().await;
    let anonymous = app.get("/api/v1/search?q=x").await;
    assert_error(&anonymous, StatusCode::UNAUTHORIZED, "not_logged_in");
    let app = app.logged_in("administrator", None).await;
    assert_error(
        &app.get("/api/v1/search?q=x").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
}
