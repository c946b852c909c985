//! Complaint intake over real HTTP, against a server on port 0, on SQLite and on PostgreSQL:
//! every scenario below is stamped once for each backend.

use std::collections::BTreeSet;
use std::time::Duration;

use kuaiwei_e2e::{
    LIMITS, METRICS_TOKEN, Multipart, TestApp, TestResponse, complaint, heic, jpeg, padded, pdf,
    png, serial, sha256_hex,
};
use kuaiwei_store::{ComplaintFilter, Page};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

kuaiwei_e2e::on_every_backend!(
    a_complaint_without_photos_is_filed_and_its_status_read_with_the_token,
    a_complaint_with_photos_is_filed_with_every_file_stored_by_its_digest,
    a_wrong_token_reads_nothing,
    a_hundred_concurrent_submissions_get_a_hundred_gapless_case_numbers,
    concurrent_retries_with_one_idempotency_key_file_one_complaint,
    every_refused_request_leaves_nothing_stored,
    an_upload_in_flight_at_shutdown_is_still_filed,
    the_server_is_ready_when_its_database_answers,
    an_acknowledged_complaint_is_counted_in_the_metrics,
);

async fn a_complaint_without_photos_is_filed_and_its_status_read_with_the_token(app: TestApp) {
    let res = app
        .post_json("/api/v1/complaints", complaint(1).to_string(), &[])
        .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let receipt = res.json();
    let case = receipt["case_number"].as_str().unwrap();
    assert_eq!(serial(case), 1);
    assert_eq!(
        res.header("location"),
        Some(format!("/api/v1/complaints/{case}").as_str())
    );
    let status = app.status_of(&receipt).await;
    assert_eq!(status.status, 200);
    let view = status.json();
    assert_eq!(view["case_number"], case);
    assert_eq!(view["status"], "received");
    assert_eq!(
        view["complaint"]["respondent"]["name"],
        "被投诉人1号鞋业有限公司"
    );
    assert_eq!(view["evidence"], json!([]));
    assert_eq!(app.change_count().await, 1);
}

async fn a_complaint_with_photos_is_filed_with_every_file_stored_by_its_digest(app: TestApp) {
    let files = [
        ("展位照片.jpg", jpeg(20_000), "image/jpeg"),
        ("截图.png", png(3_000), "image/png"),
        ("商标注册证.pdf", pdf(5_000), "application/pdf"),
        ("IMG_0042.HEIC", heic(7_000), "image/heic"),
    ];
    let mut form = Multipart::new().complaint(&complaint(2));
    for (name, bytes, _) in &files {
        form = form.evidence(name, bytes);
    }
    let res = app.post_multipart("/api/v1/complaints", form, &[]).await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let receipt = res.json();
    let listed = receipt["evidence"].as_array().unwrap();
    assert_eq!(listed.len(), files.len());
    for ((name, bytes, mime), got) in files.iter().zip(listed) {
        let sha = sha256_hex(bytes);
        assert_eq!(got["sha256"], sha.as_str());
        assert_eq!(got["media_type"], *mime);
        assert_eq!(got["filename"], *name);
        assert_eq!(std::fs::read(app.stored_path(&sha)).unwrap(), *bytes);
    }
    assert!(app.temporary_files().is_empty());

    let view = app.status_of(&receipt).await;
    assert_eq!(view.status, 200);
    assert_eq!(view.json()["evidence"], receipt["evidence"]);
}

async fn a_wrong_token_reads_nothing(app: TestApp) {
    let receipt = app.file_complaint(3).await;
    let mut forged = receipt.clone();
    forged["tracking_token"] = json!("0123456789abcdefghjkmnpqrstvwxyz");
    let res = app.status_of(&forged).await;
    assert_eq!(res.status, 404);
    assert_eq!(res.error_code(), "not_found");
    assert!(!String::from_utf8_lossy(&res.body).contains("被投诉人3号"));
}

async fn a_hundred_concurrent_submissions_get_a_hundred_gapless_case_numbers(app: TestApp) {
    const TASKS: u32 = 16;
    const TOTAL: u32 = 100;
    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let client = app.client.clone();
        tasks.push(tokio::spawn(async move {
            let mut numbers = Vec::new();
            for n in (t..TOTAL).step_by(TASKS as usize) {
                let receipt = client.file_complaint(n).await;
                numbers.push(receipt["case_number"].as_str().unwrap().to_string());
            }
            numbers
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    assert_eq!(all.len(), TOTAL as usize);
    let distinct: BTreeSet<&String> = all.iter().collect();
    assert_eq!(distinct.len(), all.len(), "a case number was given twice");
    let serials: BTreeSet<u32> = all.iter().map(|c| serial(c)).collect();
    assert_eq!(serials, (1..=TOTAL).collect::<BTreeSet<u32>>());
    assert_eq!(app.change_count().await, TOTAL as usize);
}

async fn concurrent_retries_with_one_idempotency_key_file_one_complaint(app: TestApp) {
    let body = complaint(4).to_string();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let client = app.client.clone();
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            client
                .post_json(
                    "/api/v1/complaints",
                    body,
                    &[("idempotency-key", "mobile-retry-0b1c")],
                )
                .await
        }));
    }
    let mut answers: Vec<TestResponse> = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap());
    }
    for a in &answers {
        assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
    }
    let receipts: Vec<Value> = answers.iter().map(TestResponse::json).collect();
    for r in &receipts {
        assert_eq!(r["case_number"], receipts[0]["case_number"]);
        assert_eq!(r["tracking_token"], receipts[0]["tracking_token"]);
    }
    let originals = answers
        .iter()
        .filter(|a| a.header("idempotent-replayed").is_none())
        .count();
    assert_eq!(originals, 1, "exactly one answer is not a replay");
    assert_eq!(app.change_count().await, 1);
    let listed = app
        .store
        .list_complaints(&ComplaintFilter::default(), Page::first(10))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
}

/// What is sent: a content type and a body.
enum Bad {
    Json(String),
    Raw(&'static str, Vec<u8>),
    Form(Multipart),
}

async fn every_refused_request_leaves_nothing_stored(app: TestApp) {
    let with = |f: fn(&mut Value)| {
        let mut v = complaint(5);
        f(&mut v);
        v
    };
    let cases: Vec<(&str, Bad, u16, &str)> = vec![
        (
            "malformed JSON",
            Bad::Json("{\"channel\": ".into()),
            400,
            "malformed_json",
        ),
        (
            "a wrong type",
            Bad::Json(with(|v| v["rights"] = json!("1234567")).to_string()),
            422,
            "validation_failed",
        ),
        (
            "invalid fields",
            Bad::Json(with(|v| v["description"] = json!("")).to_string()),
            422,
            "validation_failed",
        ),
        (
            "JSON over its limit",
            Bad::Json(with(|v| v["description"] = json!("x".repeat(5000))).to_string()),
            413,
            "payload_too_large",
        ),
        (
            "text/plain",
            Bad::Raw("text/plain", complaint(5).to_string().into_bytes()),
            415,
            "unsupported_media_type",
        ),
        (
            "an executable as evidence",
            Bad::Form(
                Multipart::new()
                    .complaint(&complaint(5))
                    .evidence("ok.jpg", &jpeg(1000))
                    .evidence("photo.jpg", &padded(b"MZ\x90\0\x03\0\0\0", 1000)),
            ),
            415,
            "unsupported_media_type",
        ),
        (
            "a file over its limit",
            Bad::Form(
                Multipart::new()
                    .complaint(&complaint(5))
                    .evidence("big.jpg", &jpeg(LIMITS.file_bytes as usize + 1)),
            ),
            413,
            "payload_too_large",
        ),
        (
            "too many files",
            Bad::Form(
                (0..=LIMITS.files).fold(Multipart::new().complaint(&complaint(5)), |form, i| {
                    form.evidence(&format!("{i}.jpg"), &jpeg(500 + i))
                }),
            ),
            413,
            "payload_too_large",
        ),
        (
            "an empty file",
            Bad::Form(
                Multipart::new()
                    .complaint(&complaint(5))
                    .evidence("empty.jpg", b""),
            ),
            422,
            "validation_failed",
        ),
        (
            "an invalid complaint part after its files",
            Bad::Form(
                Multipart::new()
                    .evidence("a.jpg", &jpeg(1000))
                    .complaint(&with(|v| v["description"] = json!(""))),
            ),
            422,
            "validation_failed",
        ),
        (
            "no complaint part",
            Bad::Form(Multipart::new().evidence("a.jpg", &jpeg(1000))),
            422,
            "validation_failed",
        ),
        (
            "an unknown part",
            Bad::Form(Multipart::new().complaint(&complaint(5)).part(
                "status",
                None,
                "text/plain",
                b"closed",
            )),
            400,
            "unknown_part",
        ),
    ];
    for (what, bad, status, code) in cases {
        let res = match bad {
            Bad::Json(body) => app.post_json("/api/v1/complaints", body, &[]).await,
            Bad::Raw(ct, body) => {
                app.send(
                    hyper::Method::POST,
                    "/api/v1/complaints",
                    &[("content-type", ct)],
                    body,
                )
                .await
            }
            Bad::Form(form) => app.post_multipart("/api/v1/complaints", form, &[]).await,
        };
        assert_eq!(
            res.status,
            status,
            "{what}: {}",
            String::from_utf8_lossy(&res.body)
        );
        assert_eq!(res.error_code(), code, "{what}");
        app.assert_nothing_stored(what).await;
    }
    // and the server still files a good complaint afterwards, as number 1
    let receipt = app.file_complaint(6).await;
    assert_eq!(serial(receipt["case_number"].as_str().unwrap()), 1);
}

async fn an_upload_in_flight_at_shutdown_is_still_filed(mut app: TestApp) {
    let photo = jpeg(60_000);
    let form = Multipart::new()
        .complaint(&complaint(7))
        .evidence("slow.jpg", &photo);
    let content_type = form.content_type();
    let body = form.finish();
    let (first, rest) = body.split_at(body.len() - 30_000);

    let mut stream = TcpStream::connect(app.address).await.unwrap();
    let head = format!(
        "POST /api/v1/complaints HTTP/1.1\r\nhost: {}\r\ncontent-type: {content_type}\r\n\
         content-length: {}\r\n\r\n",
        app.address,
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(first).await.unwrap();
    stream.flush().await.unwrap();

    // The handler is receiving the photo once its temporary file exists.
    wait_for("the upload to start", || !app.temporary_files().is_empty()).await;
    app.trigger_shutdown();
    // The server has begun to shut down once it refuses new connections.
    let address = app.address;
    wait_for_async("new connections to be refused", || async move {
        TcpStream::connect(address).await.is_err()
    })
    .await;
    // ... and it does not return while the upload is unfinished (a server that returned here
    // would be torn down with the process, the upload lost).
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !app.has_stopped(),
        "the server returned with an upload in flight"
    );

    stream.write_all(rest).await.unwrap();
    stream.flush().await.unwrap();
    let (status, response) = read_response(&mut stream).await;
    assert_eq!(status, 201, "{response}");
    let receipt: Value = serde_json::from_str(&response).unwrap();
    assert_eq!(
        receipt["evidence"][0]["sha256"],
        sha256_hex(&photo).as_str()
    );

    tokio::time::timeout(Duration::from_secs(30), app.stop())
        .await
        .expect("the server stops once the upload is answered")
        .expect("the server stops cleanly");
    let listed = app
        .store
        .list_complaints(&ComplaintFilter::default(), Page::first(10))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].case_number.as_str(),
        receipt["case_number"].as_str().unwrap()
    );
    assert_eq!(listed[0].evidence_count, 1);
    assert_eq!(
        std::fs::read(app.stored_path(&sha256_hex(&photo))).unwrap(),
        photo
    );
}

async fn the_server_is_ready_when_its_database_answers(app: TestApp) {
    let res = app.get("/readyz", &[]).await;
    assert_eq!(
        res.status,
        200,
        "{:?}: {}",
        app.backend,
        String::from_utf8_lossy(&res.body)
    );
    assert_eq!(res.json()["status"], "ready");
}

/// Polls `done` every 10 ms, failing after 20 s.
async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn wait_for_async<F: Future<Output = bool>>(what: &str, mut done: impl FnMut() -> F) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !done().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Reads one HTTP/1.1 response with a `content-length`; returns its status and body.
async fn read_response(stream: &mut TcpStream) -> (u16, String) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "connection closed before the response headers");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_string();
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {head}"));
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or_else(|| panic!("no content-length in {head}"));
    while buf.len() < header_end + length {
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "connection closed inside the response body");
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[header_end..header_end + length]).to_string();
    (status, body)
}

async fn an_acknowledged_complaint_is_counted_in_the_metrics(app: TestApp) {
    let form = Multipart::new()
        .complaint(&complaint(7))
        .evidence("展位照片.jpg", &jpeg(20_000));
    let res = app.post_multipart("/api/v1/complaints", form, &[]).await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let auth = format!("Bearer {METRICS_TOKEN}");
    let res = app.get("/metrics", &[("authorization", &auth)]).await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let body = String::from_utf8_lossy(&res.body);
    // the process's counters: other tests of this binary file too, so at least one
    let value = |name: &str, labels: &[&str]| -> f64 {
        body.lines()
            .find(|l| l.starts_with(name) && labels.iter().all(|x| l.contains(x)))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} with {labels:?} in:\n{body}"))
    };
    assert!(value("kuaiwei_intake_acknowledged_total{", &[r#"channel="fair""#]) >= 1.0);
    assert!(value("kuaiwei_evidence_files_total{", &[r#"outcome="accepted""#]) >= 1.0);
    assert!(value("kuaiwei_store_commit_batch_size_count", &[]) >= 1.0);
    let filed = [r#"route="/api/v1/complaints""#, r#"status="201""#];
    assert!(value("kuaiwei_http_requests_total{", &filed) >= 1.0);
    // the follower has measured how far the index is behind
    value("kuaiwei_search_index_lag", &[]);
}
