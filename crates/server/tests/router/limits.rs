//! Size, count and type limits on bodies and evidence files; multipart framing.

use super::*;

// ---------------------------------------------------------------------------------------------
// limits and media types

#[tokio::test]
async fn a_json_complaint_over_its_limit_is_a_413() {
    let app = app().await;
    let mut v = complaint();
    v["description"] = json!("长".repeat(LIMITS.json_bytes));
    let res = app.post_json("/api/v1/complaints", v.to_string()).await;
    assert_error(&res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    let en = res.body["error"]["message_en"].as_str().unwrap();
    assert!(en.contains("4 KiB"), "{}", res.body);
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_complaint_part_over_the_json_limit_is_a_413() {
    let app = app().await;
    let mut v = complaint();
    v["description"] = json!("x".repeat(LIMITS.json_bytes + 1));
    let res = app
        .post_multipart(Form::default().complaint(&v).evidence("a.jpg", &jpeg(100)))
        .await;
    assert_error(&res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn an_evidence_file_over_its_limit_is_a_413() {
    let app = app().await;
    let big = jpeg(LIMITS.file_bytes as usize + 1);
    let res = app
        .post_multipart(
            Form::default()
                .complaint(&complaint())
                .evidence("ok.jpg", &jpeg(100))
                .evidence("big.jpg", &big),
        )
        .await;
    assert_error(&res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    let en = res.body["error"]["message_en"].as_str().unwrap();
    assert!(
        en.contains("big.jpg") && en.contains("64 KiB"),
        "{}",
        res.body
    );
    assert!(
        res.body["error"]["message_zh"]
            .as_str()
            .unwrap()
            .contains("64KB"),
        "{}",
        res.body
    );
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn an_evidence_file_of_exactly_the_limit_is_accepted() {
    let app = app().await;
    let res = app
        .post_multipart(
            Form::default()
                .complaint(&complaint())
                .evidence("full.jpg", &jpeg(LIMITS.file_bytes as usize)),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "body: {}", res.body);
    assert_eq!(res.body["evidence"][0]["size"], LIMITS.file_bytes);
}

#[tokio::test]
async fn more_evidence_files_than_allowed_is_a_413() {
    let app = app().await;
    let mut form = Form::default().complaint(&complaint());
    for i in 0..=LIMITS.files {
        form = form.evidence(&format!("{i}.jpg"), &jpeg(200 + i));
    }
    let res = app.post_multipart(form).await;
    assert_error(&res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_request_over_the_total_limit_is_a_413_even_when_each_file_is_within_its_own() {
    let app = app().await;
    let each = LIMITS.file_bytes as usize - 1024;
    assert!(2 * each > LIMITS.request_bytes);
    let res = app
        .post_multipart(
            Form::default()
                .complaint(&complaint())
                .evidence("a.jpg", &jpeg(each))
                .evidence("b.jpg", &padded(b"\x89PNG\r\n\x1a\n", each)),
        )
        .await;
    assert_error(&res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_text_plain_body_is_a_415() {
    let app = app().await;
    let res = app
        .send(
            Request::post("/api/v1/complaints")
                .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
                .body(Body::from(complaint().to_string()))
                .unwrap(),
        )
        .await;
    assert_error(
        &res,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    let none = app
        .send(
            Request::post("/api/v1/complaints")
                .body(Body::from(complaint().to_string()))
                .unwrap(),
        )
        .await;
    assert_error(
        &none,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn an_executable_or_svg_sent_as_evidence_is_a_415_whatever_its_name() {
    let exe = padded(b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0", 600);
    let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
    for (name, bytes) in [("photo.jpg", exe.as_slice()), ("logo.png", svg.as_slice())] {
        let app = app().await;
        let res = app
            .post_multipart(
                Form::default()
                    .complaint(&complaint())
                    .evidence("fine.jpg", &jpeg(300))
                    .part("evidence", Some(name), "image/jpeg", bytes),
            )
            .await;
        assert_error(
            &res,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        );
        app.assert_nothing_stored().await;
    }
}

#[tokio::test]
async fn an_empty_evidence_file_is_a_422_naming_the_file() {
    let app = app().await;
    let res = app
        .post_multipart(
            Form::default()
                .complaint(&complaint())
                .evidence("a.jpg", &jpeg(300))
                .evidence("empty.jpg", b""),
        )
        .await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(
        field_errors(&res),
        vec![("evidence[1]".to_string(), "empty_file".to_string())]
    );
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_multipart_request_without_a_complaint_part_is_a_422() {
    let app = app().await;
    let res = app
        .post_multipart(Form::default().evidence("a.jpg", &jpeg(300)))
        .await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(
        field_errors(&res),
        vec![("complaint".to_string(), "required".to_string())]
    );
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn an_unknown_part_name_is_a_400() {
    let app = app().await;
    let res = app
        .post_multipart(
            Form::default()
                .complaint(&complaint())
                .evidence("a.jpg", &jpeg(300))
                .part("status", None, "text/plain", b"closed"),
        )
        .await;
    assert_error(&res, StatusCode::BAD_REQUEST, "unknown_part");
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn two_complaint_parts_are_a_400() {
    let app = app().await;
    let res = app
        .post_multipart(
            Form::default()
                .complaint(&complaint())
                .complaint(&complaint()),
        )
        .await;
    assert_error(&res, StatusCode::BAD_REQUEST, "duplicate_part");
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_complaint_part_with_invalid_fields_is_a_422_before_any_file_is_kept() {
    let app = app().await;
    let mut v = complaint();
    v["description"] = json!("");
    let res = app
        .post_multipart(Form::default().complaint(&v).evidence("a.jpg", &jpeg(300)))
        .await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(
        field_errors(&res),
        vec![("description".to_string(), "required".to_string())]
    );
    app.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_multipart_body_without_a_boundary_is_a_400() {
    let app = app().await;
    let res = app
        .send(
            Request::post("/api/v1/complaints")
                .header(header::CONTENT_TYPE, "multipart/form-data")
                .body(Body::from("--x\r\n"))
                .unwrap(),
        )
        .await;
    assert_error(&res, StatusCode::BAD_REQUEST, "bad_multipart");
    app.assert_nothing_stored().await;
}

// ---------------------------------------------------------------------------------------------
// multipart accepted

#[tokio::test]
async fn photos_and_a_pdf_are_filed_with_their_digests_and_media_types() {
    let app = app().await;
    let files = [
        ("现场照片.jpg", jpeg(700), "image/jpeg"),
        ("screenshot.png", png(), "image/png"),
        ("商标注册证.pdf", pdf(), "application/pdf"),
        ("IMG_0001.HEIC", heic(), "image/heic"),
    ];
    let mut form = Form::default().complaint(&complaint());
    for (name, bytes, _) in &files {
        form = form.evidence(name, bytes);
    }
    let res = app.post_multipart(form).await;
    assert_eq!(res.status, StatusCode::CREATED, "body: {}", res.body);
    let evidence = res.body["evidence"].as_array().unwrap();
    assert_eq!(evidence.len(), files.len());
    for ((name, bytes, mime), got) in files.iter().zip(evidence) {
        let sha = sha256_hex(bytes);
        assert_eq!(got["sha256"], sha.as_str());
        assert_eq!(got["size"], bytes.len());
        assert_eq!(got["media_type"], *mime);
        assert_eq!(got["filename"], *name);
        let stored = app.evidence_root.join("sha256").join(&sha[..2]).join(&sha);
        assert_eq!(std::fs::read(&stored).unwrap(), *bytes);
    }
    assert_eq!(
        files_under(&app.evidence_root.join("tmp")),
        Vec::<PathBuf>::new()
    );

    let status = app
        .get_status(
            res.body["case_number"].as_str().unwrap(),
            res.body["tracking_token"].as_str().unwrap(),
        )
        .await;
    assert_eq!(status.status, StatusCode::OK);
    assert_eq!(status.body["evidence"], res.body["evidence"]);
}

#[tokio::test]
async fn the_same_file_sent_twice_is_accepted_and_stored_once() {
    let app = app().await;
    let photo = jpeg(900);
    let res = app
        .post_multipart(
            Form::default()
                .complaint(&complaint())
                .evidence("a.jpg", &photo)
                .evidence("../../etc/b.jpg", &photo),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "body: {}", res.body);
    let evidence = res.body["evidence"].as_array().unwrap();
    assert_eq!(evidence.len(), 2);
    assert_eq!(evidence[0]["sha256"], evidence[1]["sha256"]);
    // a client's path is kept for display as its last component only
    assert_eq!(evidence[1]["filename"], "b.jpg");
    assert_eq!(files_under(&app.evidence_root.join("sha256")).len(), 1);
}
