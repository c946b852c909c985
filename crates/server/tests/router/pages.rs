//! The complainants' pages (docs/pages.md) through `oneshot`: every page in zh-CN and en with
//! its security headers, the HTML 404, the static files, filing through the form (and a resubmit
//! filing once), a bad form coming back with its errors beside its fields and its values kept,
//! the receipt, tracking by POST, and the supplement through the page.

use super::*;

struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

async fn page(app: &App, req: Request<Body>) -> Page {
    let res = app.router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Page {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn get_page(app: &App, uri: &str, accept_language: &str) -> Page {
    page(
        app,
        Request::get(uri)
            .header(header::ACCEPT_LANGUAGE, accept_language)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

fn assert_page_headers(p: &Page) {
    let csp = p.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    for part in [
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "CSP lacks {part}: {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(p.headers[header::REFERRER_POLICY], "no-referrer");
    assert_eq!(p.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(
        p.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
    );
    // no inline script or style anywhere: every script has a src, no style attributes
    for piece in p.body.split("<script").skip(1) {
        assert!(
            piece.trim_start().starts_with("src="),
            "inline script: {piece}"
        );
    }
    assert!(!p.body.contains(" style="), "inline style in {}", p.body);
    assert!(!p.body.contains("<style"), "inline style in {}", p.body);
    assert!(
        !p.body.contains("http://") || !p.body.contains("<link rel=\"stylesheet\" href=\"http")
    );
}

const PAGES: [&str; 5] = [
    "/",
    "/file",
    "/file?channel=fair&right=design_patent",
    "/file?channel=ecommerce&right=trademark",
    "/track",
];

#[tokio::test]
async fn every_page_answers_in_chinese_by_default_and_in_english_when_asked() {
    let app = app().await;
    for uri in PAGES {
        let zh = get_page(&app, uri, "").await;
        assert_eq!(zh.status, StatusCode::OK, "{uri}: {}", zh.body);
        assert_page_headers(&zh);
        assert!(zh.body.contains("<html lang=\"zh-CN\">"), "{uri}");
        assert!(
            zh.body.contains(">English</a>"),
            "{uri}: no language switch"
        );

        let en = get_page(&app, uri, "en-GB,en;q=0.9").await;
        assert_eq!(en.status, StatusCode::OK, "{uri}");
        assert_page_headers(&en);
        assert!(en.body.contains("<html lang=\"en\">"), "{uri}");
        assert!(en.body.contains(">中文</a>"), "{uri}: no language switch");
        assert_ne!(zh.body, en.body);
    }
    let home = get_page(&app, "/", "").await;
    assert!(home.body.contains("提交投诉") && home.body.contains("href=\"/track\""));
    let home = get_page(&app, "/?lang=en", "zh-CN").await;
    assert!(home.body.contains("File a complaint"));
    let cookie = home.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("kw_lang=en;"), "{cookie}");
    // the switch keeps the rest of the address
    let form = get_page(&app, "/file?channel=fair&right=trademark", "").await;
    assert!(
        form.body
            .contains("href=\"/file?channel=fair&#38;right=trademark&#38;lang=en\""),
        "{}",
        form.body
    );
}

#[tokio::test]
async fn unknown_paths_get_an_html_page_and_unknown_api_paths_json() {
    let app = app().await;
    let p = get_page(&app, "/no/such/page", "").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert_page_headers(&p);
    assert!(p.body.contains("找不到这个页面"));
    let p = get_page(&app, "/no/such/page?lang=en", "").await;
    assert!(p.body.contains("Page not found"));
    let api = app.get("/api/v1/no-such-thing").await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.body["error"]["code"], "not_found");
}

#[tokio::test]
async fn static_files_are_served_under_hashed_names_with_long_cache_headers() {
    let app = app().await;
    let home = get_page(&app, "/", "").await;
    for (attr, ext, mime) in [
        ("<link rel=\"stylesheet\" href=\"", ".css", "text/css"),
        ("<script src=\"", ".js", "text/javascript"),
    ] {
        let href = home
            .body
            .split(attr)
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert!(
            href.starts_with("/static/kuaiwei.") && href.ends_with(ext),
            "{href}"
        );
        let file = get_page(&app, href, "").await;
        assert_eq!(file.status, StatusCode::OK);
        assert!(
            file.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with(mime)
        );
        assert_eq!(
            file.headers[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        // compressed for browsers that accept it
        let gz = page(
            &app,
            Request::get(href)
                .header(header::ACCEPT_ENCODING, "gzip")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(gz.headers[header::CONTENT_ENCODING], "gzip");
    }
    let plain = get_page(&app, "/static/kuaiwei.css", "").await;
    assert_eq!(plain.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_stations_qr_link_preselects_the_fair_and_carries_its_details_into_the_form() {
    let app = app().await;
    let start = get_page(
        &app,
        "/file?fair=%E7%AC%AC138%E5%B1%8A%E5%B9%BF%E4%BA%A4%E4%BC%9A&session=2&hall=16.1",
        "",
    )
    .await;
    assert!(
        start.body.contains("value=\"fair\" required checked"),
        "{}",
        start.body
    );
    assert!(start.body.contains("name=\"fair\" value=\"第138届广交会\""));
    assert!(start.body.contains("name=\"hall\" value=\"16.1\""));
    let form = get_page(
        &app,
        "/file?channel=fair&right=design_patent&fair=%E7%AC%AC138%E5%B1%8A%E5%B9%BF%E4%BA%A4%E4%BC%9A&session=2&hall=16.1",
        "",
    )
    .await;
    assert!(
        form.body
            .contains("name=\"channel.fair_name\" value=\"第138届广交会\"")
    );
    assert!(form.body.contains("name=\"channel.session\" value=\"2\""));
    // only this channel's fields
    assert!(form.body.contains("name=\"channel.booth\""));
    assert!(!form.body.contains("name=\"channel.platform\""));
    // the materials for a design patent at a fair, told up front, with an input each
    assert!(form.body.contains("专利法律状态证明"), "{}", form.body);
    assert!(form.body.contains("name=\"evidence.right_certificate\""));
    assert!(form.body.contains("name=\"evidence.power_of_attorney\""));
    assert!(
        form.body
            .contains("accept=\"image/*\" capture=\"environment\"")
    );
    // a key for this draft, made by the server
    let key = hidden(&form.body, "idempotency_key");
    assert!(key.starts_with("page-") && key.len() > 20, "{key}");
    // a trademark at a fair is not asked for the patent's legal status
    let tm = get_page(&app, "/file?channel=fair&right=trademark", "").await;
    assert!(!tm.body.contains("专利法律状态证明"));
}

fn hidden(body: &str, name: &str) -> String {
    body.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no hidden {name}"))
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

fn fair_fields(key: &str) -> Vec<(&'static str, String)> {
    [
        ("idempotency_key", key),
        ("channel.kind", "fair"),
        ("channel.fair_name", "第138届广交会"),
        ("channel.booth", "16.1K7"),
        ("complainant.kind", "organisation"),
        ("complainant.name", "耐克创新有限合伙公司"),
        ("complainant.mobile", "13812345678"),
        ("rights[0].kind", "trademark"),
        ("rights[0].number", "1234567"),
        ("respondent.name", "某某鞋业有限公司"),
        (
            "description",
            "展位16.1K7展出的运动鞋使用了与注册商标相同的标识",
        ),
        ("requested_measures", "withdraw_exhibits"),
        ("agent.name", ""),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect()
}

fn page_form(fields: &[(&str, String)], files: &[(&str, &str, Vec<u8>)]) -> Form {
    let mut form = Form::default();
    for (k, v) in fields {
        form = form.part(k, None, "text/plain", v.as_bytes());
    }
    for (name, filename, bytes) in files {
        form = form.part(name, Some(filename), "application/octet-stream", bytes);
    }
    // a file input left empty, as browsers send it
    form.part("evidence.other", Some(""), "application/octet-stream", b"")
}

async fn post_form(app: &App, uri: &str, form: Form, extra: &[(&str, &str)]) -> Page {
    let mut req = Request::post(uri).header(
        header::CONTENT_TYPE,
        format!("multipart/form-data; boundary={BOUNDARY}"),
    );
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    page(app, req.body(Body::from(form.finish())).unwrap()).await
}

/// Files through the page; returns (case number, token) read from the receipt.
async fn file_through_the_page(app: &App, key: &str) -> (String, String, Page) {
    let files = [
        ("evidence", "展位照片1.jpg", jpeg(2000)),
        ("evidence", "展位照片2.jpg", jpeg(2100)),
        ("evidence.right_certificate", "商标注册证.pdf", pdf()),
    ];
    let res = post_form(app, "/file", page_form(&fair_fields(key), &files), &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.headers[header::LOCATION], "/receipt");
    let cookie = res.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("Path=/receipt") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_string();
    let receipt = page(
        app,
        Request::get("/receipt")
            .header(header::COOKIE, &pair)
            .header(header::HOST, "kuaiwei.example")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(receipt.status, StatusCode::OK, "{}", receipt.body);
    let (number, token) = pair
        .strip_prefix("kw_receipt=")
        .unwrap()
        .split_once('.')
        .unwrap();
    (number.to_string(), token.to_string(), receipt)
}

#[tokio::test]
async fn filing_through_the_form_gives_a_receipt_and_a_resubmit_files_once() {
    let app = app().await;
    let (number, token, receipt) = file_through_the_page(&app, "page-draft-1").await;
    assert!(is_case_number(&number), "{number}");
    assert_page_headers(&receipt);
    assert_eq!(receipt.headers[header::CACHE_CONTROL], "no-store");
    assert!(
        receipt
            .body
            .contains(&format!("id=\"case-number\">{number}<"))
    );
    assert!(receipt.body.contains(&token));
    assert!(receipt.body.contains("年") && receipt.body.contains("24小时内"));
    assert!(receipt.body.contains("<svg") && !receipt.body.contains("<?xml"));
    // the tracking link keeps the token in the fragment, never in a query
    assert!(
        receipt
            .body
            .contains(&format!("/track#n={number}&amp;t={token}"))
    );
    assert!(!receipt.body.contains("?t="));

    // the same draft sent again (a retry on fair Wi-Fi): the same case, nothing filed twice
    let (again, again_token, _) = file_through_the_page(&app, "page-draft-1").await;
    assert_eq!(again, number);
    assert_eq!(again_token, token);
    let listed = app
        .store
        .list_complaints(
            &ComplaintFilter::default(),
            kuaiwei_store::Page::first(kuaiwei_store::Page::MAX),
        )
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    // filed with its files, tagged as the API tags them
    let status = app.get_status(&number, &token).await;
    assert_eq!(status.status, StatusCode::OK);
    let materials: Vec<&str> = status.body["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["material"].as_str().unwrap())
        .collect();
    assert_eq!(
        materials,
        [
            "infringement_evidence",
            "infringement_evidence",
            "right_certificate"
        ]
    );
    // a new draft is a new complaint
    let (other, _, _) = file_through_the_page(&app, "page-draft-2").await;
    assert_ne!(other, number);
}

#[tokio::test]
async fn a_bad_form_comes_back_with_each_error_beside_its_field_and_everything_typed_kept() {
    let app = app().await;
    let mut fields = fair_fields("page-bad-1");
    fields.retain(|(k, _)| *k != "channel.booth");
    for (k, v) in fields.iter_mut() {
        if *k == "complainant.mobile" {
            *v = "12345".into();
        }
    }
    let files = [("evidence", "照片.jpg", jpeg(1500))];
    let res = post_form(&app, "/file", page_form(&fields, &files), &[]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert_page_headers(&res);
    let b = &res.body;
    // the summary links to each field
    assert!(b.contains("href=\"#f-channel-booth\""), "{b}");
    assert!(b.contains("href=\"#f-complainant-mobile\""), "{b}");
    // the message beside the field, tied to it
    assert!(
        b.contains("<p class=\"error\" id=\"f-channel-booth-error\">此项为必填项</p>"),
        "{b}"
    );
    assert!(
        b.contains(
            "aria-describedby=\"f-channel-booth-hint f-channel-booth-error\" aria-invalid=\"true\""
        ),
        "{b}"
    );
    assert!(
        b.contains("aria-describedby=\"f-complainant-mobile-hint f-complainant-mobile-error\"")
    );
    // what was typed is kept, and the files must be chosen again
    assert!(b.contains("value=\"第138届广交会\""));
    assert!(b.contains("value=\"12345\""));
    assert!(b.contains(">展位16.1K7展出的运动鞋使用了与注册商标相同的标识</textarea>"));
    assert!(b.contains("value=\"withdraw_exhibits\" checked"));
    assert!(b.contains("请重新选择照片和文件"));
    // the same draft key, so that the corrected form still files once
    assert_eq!(hidden(b, "idempotency_key"), "page-bad-1");
    app.assert_nothing_stored().await;

    // in English after switching
    let res = post_form(
        &app,
        "/file?lang=en",
        page_form(&fields, &[]),
        &[("cookie", "kw_lang=en")],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains("<p class=\"error\" id=\"f-channel-booth-error\">this field is required</p>"),
        "{}",
        res.body
    );
    assert!(res.body.contains("Please correct the following"));
    assert!(!res.body.contains("choose your photos and files again"));
}

#[tokio::test]
async fn amounts_typed_as_people_write_them_are_filed_exactly_and_a_wrong_one_is_named() {
    let app = app().await;
    let files = [("evidence", "照片.jpg", jpeg(1500))];
    let mut fields = fair_fields("page-amounts-1");
    fields.push(("amounts.illegal_gains", "很多".into()));
    fields.push(("amounts.labels", "1,200件".into()));
    let res = post_form(&app, "/file", page_form(&fields, &files), &[]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    let b = &res.body;
    assert!(b.contains("href=\"#f-amounts-illegal_gains\""), "{b}");
    assert!(
        b.contains("<p class=\"error\" id=\"f-amounts-illegal_gains-error\">金额应为数字"),
        "{b}"
    );
    // kept as typed, beside the group's explanation
    assert!(b.contains("value=\"很多\""), "{b}");
    assert!(b.contains("value=\"1,200件\""), "{b}");
    assert!(b.contains("刑事追诉标准"), "{b}");
    assert!(b.contains("inputmode=\"decimal\""), "{b}");
    app.assert_nothing_stored().await;

    for (k, v) in fields.iter_mut() {
        if *k == "amounts.illegal_gains" {
            *v = "３.５万元".into();
        }
    }
    fields.push(("amounts.illegal_business_volume", "120,000.50".into()));
    let res = post_form(&app, "/file", page_form(&fields, &files), &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let filed = app.store.filed_complaints(0, 10).await.unwrap();
    assert_eq!(filed.len(), 1);
    let body: Value = serde_json::from_str(&filed[0].body).unwrap();
    let amounts = &body["amounts"];
    assert_eq!(amounts["illegal_gains_fen"], 3_500_000, "{amounts}");
    assert_eq!(
        amounts["illegal_business_volume_fen"], 12_000_050,
        "{amounts}"
    );
    assert_eq!(amounts["labels"], 1200, "{amounts}");
    assert!(amounts["loss_fen"].is_null(), "{amounts}");
}

async fn track(app: &App, number: &str, token: &str, lang: &str) -> Page {
    page(
        app,
        Request::post(format!("/track?lang={lang}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "case_number={number}&tracking_token={token}"
            )))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn tracking_takes_the_number_and_token_by_post_and_says_the_state_in_words() {
    let app = app().await;
    let (number, token, _) = file_through_the_page(&app, "page-track-1").await;
    let zh = track(&app, &number, &token, "zh-CN").await;
    assert_eq!(zh.status, StatusCode::OK, "{}", zh.body);
    assert_page_headers(&zh);
    assert_eq!(zh.headers[header::CACHE_CONTROL], "no-store");
    assert!(zh.body.contains("已收到，正在审查材料"), "{}", zh.body);
    // the files sent, each photo with its thumbnail inline (no metadata), the PDF without
    assert!(zh.body.contains("已提交的材料"), "{}", zh.body);
    for name in ["展位照片1.jpg", "展位照片2.jpg", "商标注册证.pdf"] {
        assert!(zh.body.contains(name), "{name}");
    }
    assert_eq!(zh.body.matches("src=\"data:image/jpeg;base64,").count(), 2);
    let en = track(&app, &number, &token, "en").await;
    assert!(en.body.contains("Received, materials under review"));
    assert!(en.body.contains("Files you sent"));
    // a wrong token answers like a missing case, and says which of neither
    let wrong = track(&app, &number, "abcdefghjkmnpqrstvwxyz0123456789", "zh-CN").await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    assert!(wrong.body.contains("找不到这件投诉"));
    assert!(!wrong.body.contains("已收到"));
    // the tracking page itself is a form that posts
    let form = get_page(&app, "/track", "").await;
    assert!(
        form.body
            .contains("<form method=\"post\" action=\"/track\"")
    );
}

#[tokio::test]
async fn a_supplement_request_shows_on_the_tracking_page_and_is_answered_there() {
    let app = app().await;
    let (number, token, _) = file_through_the_page(&app, "page-supp-1").await;
    let asked = app
        .act(
            &number,
            json!({"action": "request_supplement", "actor": "caseworker:wang", "reason": "请补充商标注册证的清晰扫描件", "missing": ["right_certificate", "identity_proof"]}),
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    let status = track(&app, &number, &token, "zh-CN").await;
    assert!(status.body.contains("需要补充材料"), "{}", status.body);
    assert!(status.body.contains("权利人身份证明"));
    assert!(status.body.contains("请补充商标注册证的清晰扫描件"));
    assert!(status.body.contains("action=\"/track/supplement\""));

    // an empty supplement is refused beside the form, and the case still waits
    let empty = post_form(
        &app,
        "/track/supplement",
        page_form(
            &[
                ("case_number", number.clone()),
                ("tracking_token", token.clone()),
                ("note", String::new()),
            ],
            &[],
        ),
        &[],
    )
    .await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(
        empty.body.contains("补充材料没有提交成功"),
        "{}",
        empty.body
    );

    let sent = post_form(
        &app,
        "/track/supplement",
        page_form(
            &[
                ("case_number", number.clone()),
                ("tracking_token", token.clone()),
                ("note", "营业执照和清晰的注册证见附件".into()),
            ],
            &[("evidence.identity_proof", "营业执照.pdf", pdf())],
        ),
        &[],
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(sent.body.contains("补充材料已收到"), "{}", sent.body);
    assert!(sent.body.contains("已收到，正在审查材料"));
    let api = app.get_status(&number, &token).await;
    assert_eq!(api.body["case_state"], "received");
}

#[tokio::test]
async fn a_refusal_shows_its_reason_on_the_page_and_in_the_status_view() {
    let app = app().await;
    let (number, token, _) = file_through_the_page(&app, "page-refuse-1").await;
    let refused = app
        .act(
            &number,
            json!({"action": "refuse", "actor": "caseworker:wang", "reason": "商标注册已过有效期"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::OK, "{}", refused.body);
    let api = app.get_status(&number, &token).await;
    assert_eq!(api.body["refusal_reason"], "商标注册已过有效期");
    assert_eq!(api.body["outcome"], Value::Null);
    let page = track(&app, &number, &token, "zh-CN").await;
    assert!(page.body.contains("不予受理"));
    assert!(
        page.body
            .contains("id=\"refusal-reason\">商标注册已过有效期<"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_filed_draft_changed_and_sent_again_is_told_so_and_files_nothing_until_sent_anew() {
    let app = app().await;
    let (number, _, _) = file_through_the_page(&app, "page-changed-1").await;
    let mut fields = fair_fields("page-changed-1");
    for (k, v) in fields.iter_mut() {
        if *k == "channel.booth" {
            *v = "16.1K8".into();
        }
    }
    let res = post_form(&app, "/file", page_form(&fields, &[]), &[]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.body.contains("这份表格已经提交过"), "{}", res.body);
    assert!(res.body.contains("value=\"16.1K8\""));
    let fresh = hidden(&res.body, "idempotency_key");
    assert_ne!(fresh, "page-changed-1");
    let listed = app
        .store
        .list_complaints(&ComplaintFilter::default(), kuaiwei_store::Page::first(10))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    // sent with its new key, it is a complaint of its own
    let fields = fair_fields(&fresh);
    let res = post_form(&app, "/file", page_form(&fields, &[]), &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let cookie = res.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(!cookie.contains(&number), "{cookie}");
}
