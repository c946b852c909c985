//! Evidence checked by reading it whole (bombs, polyglots, truncated photos and fake PDFs are
//! refused and leave nothing), its EXIF recorded and shown to the handling agency only, served
//! back under the case's access rules (another agency: 404 on every route), previews without
//! metadata, a custody event for every original downloaded, and nothing left by a refused
//! request.

use kuaiwei_evidence::testing::{encoded, jpeg_with_gps, minimal_pdf, picture, png_bomb};

use super::*;

/// GET `uri` with `headers`: status, headers and the raw body.
async fn get_raw(
    app: &App,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::get(uri);
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
    let h = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, h, bytes)
}

async fn file_with(app: &App, files: &[(&str, Vec<u8>)]) -> Response {
    let mut form = Form::default().complaint(&complaint());
    for (name, bytes) in files {
        form = form.evidence(name, bytes);
    }
    app.post_multipart(form).await
}

#[tokio::test]
async fn files_that_do_not_decode_as_their_type_or_are_bombs_are_refused_and_nothing_is_kept() {
    let mut polyglot = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    polyglot.extend_from_slice(b"JFIF\0<html><script>alert(document.cookie)</script></html>");
    let photo = encoded(&picture(200, 150, 1), image::ImageFormat::Jpeg);
    let truncated = photo[..photo.len() / 2].to_vec();
    let mut fake_pdf = b"%PDF-1.7\n".to_vec();
    fake_pdf.extend_from_slice(b"<html><body onload=alert(1)></body></html>");
    for (name, bytes, status, code) in [
        (
            "booth.jpg",
            polyglot,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "cut.jpg",
            truncated,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "证书.pdf",
            fake_pdf,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "bomb.png",
            png_bomb(50_000, 50_000),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
    ] {
        let app = app().await;
        // a good photo first: it is not kept either
        let res = file_with(&app, &[("ok.jpg", jpeg(700)), (name, bytes)]).await;
        assert_eq!(res.status, status, "{name}: {}", res.body);
        assert_eq!(res.body["error"]["code"], code, "{name}: {}", res.body);
        // named in both languages (in the message, or the field's message for a 422)
        let text = res.body.to_string();
        assert!(text.matches(name).count() >= 2, "names the file: {text}");
        app.assert_nothing_stored().await;
    }
}

/// A complaint with a photo carrying GPS and a PDF, accepted and routed to market regulation.
async fn filed_and_routed(app: &App) -> (String, String, String, String) {
    let gps = jpeg_with_gps(&picture(900, 600, 7));
    let pdf = minimal_pdf(2);
    let res = file_with(
        app,
        &[("展位.jpg", gps.clone()), ("注册证.pdf", pdf.clone())],
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let n = res.body["case_number"].as_str().unwrap().to_string();
    let token = res.body["tracking_token"].as_str().unwrap().to_string();
    for step in [
        json!({"action": "accept", "actor": "caseworker:wang", "reason": "现场核对原件，先行受理"}),
        json!({"action": "route", "actor": "caseworker:wang", "reason": "商标侵权",
               "agency": "market_regulation", "procedures": ["M1"]}),
    ] {
        let r = app.act(&n, step.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{step} -> {}", r.body);
    }
    (n, token, sha256_hex(&gps), sha256_hex(&pdf))
}

#[tokio::test]
async fn exif_is_shown_to_the_handling_agency_and_previews_carry_none() {
    let app = app().await;
    let (n, token, photo, pdf) = filed_and_routed(&app).await;
    let officer = app.login_cookie("officer", Some("market_regulation")).await;
    let view = app
        .send(
            Request::get(format!("/api/v1/cases/{n}"))
                .header(header::COOKIE, &officer)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
    let files = view.body["complaint"]["evidence"].as_array().unwrap();
    let shot = files
        .iter()
        .find(|f| f["sha256"] == photo.as_str())
        .unwrap();
    assert_eq!(shot["width"], 900);
    assert_eq!(shot["captured_at"], "2026:04:15 10:31:02");
    assert_eq!(shot["device"], "Apple iPhone 15");
    assert!((shot["latitude"].as_f64().unwrap() - 23.11).abs() < 1e-5);
    assert!((shot["longitude"].as_f64().unwrap() - 113.355).abs() < 1e-5);
    let doc = files.iter().find(|f| f["sha256"] == pdf.as_str()).unwrap();
    assert_eq!(doc["pages"], 2);
    assert!(doc["preview_url"].is_null());

    // the centre's caseworker reads the case, not where the photo was taken
    let caseworker = app.login_cookie("caseworker", None).await;
    let centre = app
        .send(
            Request::get(format!("/api/v1/cases/{n}"))
                .header(header::COOKIE, &caseworker)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let shot = centre.body["complaint"]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["sha256"] == photo.as_str())
        .unwrap()
        .clone();
    assert_eq!(shot["width"], 900);
    assert!(
        shot["latitude"].is_null() && shot["captured_at"].is_null(),
        "{shot}"
    );
    // nor download the original, which carries it (the preview does not)
    let (s, _, _) = get_raw(
        &app,
        &format!("/api/v1/cases/{n}/evidence/{photo}"),
        &[("cookie", &caseworker)],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = get_raw(
        &app,
        &format!("/api/v1/cases/{n}/evidence/{pdf}"),
        &[("cookie", &caseworker)],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "a PDF has no EXIF");
    // nor does the complainant's status
    let status = app.get_status(&n, &token).await;
    assert!(!status.body.to_string().contains("latitude"));

    for size in ["thumb", "screen"] {
        let (s, h, bytes) = get_raw(
            &app,
            &format!("/api/v1/cases/{n}/evidence/{photo}/preview?size={size}"),
            &[("cookie", &officer)],
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{size}");
        assert_eq!(h[header::CONTENT_TYPE], "image/jpeg");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(
            !bytes.windows(4).any(|w| w == b"Exif"),
            "{size} carries EXIF"
        );
        let img = image::load_from_memory(&bytes).unwrap();
        let side = if size == "thumb" { 320 } else { 900 };
        assert_eq!(img.width(), side, "{size}");
    }
    let (s, _, bytes) = get_raw(
        &app,
        &format!("/api/v1/complaints/{n}/evidence/{photo}/preview"),
        &[("x-tracking-token", &token)],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(!bytes.windows(4).any(|w| w == b"Exif"));
    let (s, _, body) = get_raw(
        &app,
        &format!("/api/v1/cases/{n}/evidence/{pdf}/preview"),
        &[("cookie", &officer)],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(String::from_utf8_lossy(&body).contains("no_preview"));
    let (s, _, _) = get_raw(
        &app,
        &format!("/api/v1/cases/{n}/evidence/{photo}/preview?size=huge"),
        &[("cookie", &officer)],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn an_original_is_served_byte_for_byte_and_each_download_is_a_custody_event() {
    let app = app().await;
    let (n, token, photo, _) = filed_and_routed(&app).await;
    let officer = app.login_cookie("officer", Some("market_regulation")).await;
    let stored = std::fs::read(
        app.evidence_root
            .join("sha256")
            .join(&photo[..2])
            .join(&photo),
    )
    .unwrap();
    let (s, h, bytes) = get_raw(
        &app,
        &format!("/api/v1/cases/{n}/evidence/{photo}"),
        &[("cookie", &officer)],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(bytes, stored, "the original, EXIF and all");
    assert_eq!(sha256_hex(&bytes), photo);
    assert_eq!(h[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(
        h[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .starts_with("sandbox")
    );
    let disposition = h[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''%E5%B1%95%E4%BD%8D.jpg"),
        "{disposition}"
    );
    // the complainant downloads their own file with the token
    let (s, _, mine) = get_raw(
        &app,
        &format!("/api/v1/complaints/{n}/evidence/{photo}"),
        &[("x-tracking-token", &token)],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(mine, stored);
    let events = app.store.case_events(&n).await.unwrap();
    let custody: Vec<_> = events
        .iter()
        .filter(|e| e.kind == "evidence_downloaded")
        .collect();
    assert_eq!(custody.len(), 2, "{events:?}");
    assert_eq!(custody[0].actor, "officer:officer.market_regulation");
    let payload: Value = serde_json::from_str(&custody[0].payload).unwrap();
    assert_eq!(payload["sha256"], photo.as_str());
    assert_eq!(custody[1].actor, "complainant");
    // previews are not originals: no custody event
    get_raw(
        &app,
        &format!("/api/v1/cases/{n}/evidence/{photo}/preview"),
        &[("cookie", &officer)],
    )
    .await;
    let after = app.store.case_events(&n).await.unwrap();
    assert_eq!(after.len(), events.len());
}

#[tokio::test]
async fn another_agency_and_a_wrong_token_get_404_on_every_evidence_route() {
    let app = app().await;
    let (n, token, photo, _) = filed_and_routed(&app).await;
    let other = app.login_cookie("officer", Some("copyright")).await;
    let missing = "0".repeat(64);
    for uri in [
        format!("/api/v1/cases/{n}/evidence/{photo}"),
        format!("/api/v1/cases/{n}/evidence/{photo}/preview"),
    ] {
        let (s, _, body) = get_raw(&app, &uri, &[("cookie", &other)]).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{uri}");
        let (s2, _, body2) = get_raw(
            &app,
            &uri.replace(&n, "KW-2026-999999"),
            &[("cookie", &other)],
        )
        .await;
        assert_eq!(s2, StatusCode::NOT_FOUND);
        assert_eq!(
            body, body2,
            "another agency's case answers as a missing one"
        );
    }
    let officer = app.login_cookie("officer", Some("market_regulation")).await;
    let (s, _, _) = get_raw(
        &app,
        &format!("/api/v1/cases/{n}/evidence/{missing}"),
        &[("cookie", &officer)],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a digest not of this case");
    for uri in [
        format!("/api/v1/complaints/{n}/evidence/{photo}"),
        format!("/api/v1/complaints/{n}/evidence/{photo}/preview"),
    ] {
        let (s, _, _) = get_raw(&app, &uri, &[("x-tracking-token", "not-the-token")]).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{uri}");
        let (s, _, _) = get_raw(&app, &uri, &[("x-tracking-token", &token)]).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
    }
    // nobody downloaded anything
    let events = app.store.case_events(&n).await.unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind == "evidence_downloaded")
            .count(),
        1,
        "only the complainant's own download"
    );
}

#[tokio::test]
async fn a_request_refused_for_a_reused_key_leaves_no_file() {
    let app = app().await;
    let first = Form::default()
        .complaint(&complaint())
        .evidence("a.jpg", &jpeg(800));
    let res = app
        .post_multipart_to(
            "/api/v1/complaints",
            first,
            &[("idempotency-key", "key-0001-abcdefgh")],
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let before = files_under(&app.evidence_root.join("sha256"));
    // the same key, another file: refused, and the new file is not left behind
    let second = Form::default()
        .complaint(&complaint())
        .evidence("b.jpg", &jpeg(900));
    let res = app
        .post_multipart_to(
            "/api/v1/complaints",
            second,
            &[("idempotency-key", "key-0001-abcdefgh")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert_eq!(files_under(&app.evidence_root.join("sha256")), before);
    // the same key with the same file again replays, and keeps the first's file
    let again = Form::default()
        .complaint(&complaint())
        .evidence("a.jpg", &jpeg(800));
    let res = app
        .post_multipart_to(
            "/api/v1/complaints",
            again,
            &[("idempotency-key", "key-0001-abcdefgh")],
        )
        .await;
    assert!(res.status.is_success(), "{}", res.body);
    assert_eq!(files_under(&app.evidence_root.join("sha256")), before);
}

#[tokio::test]
async fn a_resized_copy_of_a_photo_in_another_case_is_listed_and_an_unrelated_one_is_not() {
    let app = app().await;
    // small enough for the tests' 64 KiB file limit
    let original = picture(400, 300, 11);
    let copy = image::imageops::resize(&original, 200, 150, image::imageops::FilterType::Triangle);
    let a = file_with(
        &app,
        &[("a.png", encoded(&original, image::ImageFormat::Png))],
    )
    .await;
    let b = file_with(&app, &[("b.jpg", encoded(&copy, image::ImageFormat::Jpeg))]).await;
    let c = file_with(
        &app,
        &[(
            "c.jpg",
            encoded(&picture(400, 300, 23), image::ImageFormat::Jpeg),
        )],
    )
    .await;
    let number = |r: &Response| {
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.body["case_number"].as_str().unwrap().to_string()
    };
    let (a, b, c) = (number(&a), number(&b), number(&c));
    let caseworker = app.login_cookie("caseworker", None).await;
    let view = app
        .send(
            Request::get(format!("/api/v1/cases/{a}"))
                .header(header::COOKIE, &caseworker)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
    let similar = view.body["triage"]["similar_photos"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", view.body["triage"]));
    let cases: Vec<&str> = similar
        .iter()
        .map(|s| s["case_number"].as_str().unwrap())
        .collect();
    assert!(cases.contains(&b.as_str()), "{similar:?}");
    assert!(!cases.contains(&c.as_str()), "{similar:?}");
    assert!(similar[0]["distance"].as_u64().unwrap() <= 6);
}
