//! Search over HTTP against a real server, on SQLite and PostgreSQL: a complaint is found soon
//! after its 201 (the server's indexer follows the change log), by a term inside one of its
//! fields and never by one running across two fields or a sentence mark, and a case step
//! reaches the index too.

use std::time::{Duration, Instant};

use kuaiwei_e2e::{TEST_PASSWORD, TestApp};
use serde_json::{Value, json};

kuaiwei_e2e::on_every_backend!(a_filed_complaint_is_searchable_moments_after_its_receipt);

async fn search(app: &TestApp, query: &str, want: impl Fn(&Value) -> bool) -> (Value, Duration) {
    let started = Instant::now();
    loop {
        let res = app.get(&format!("/api/v1/search?{query}"), &[]).await;
        assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
        let body = res.json();
        if want(&body) {
            return (body, started.elapsed());
        }
        // a generous bound for a shared machine; the indexer polls every 200 ms
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "not indexed: {body}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn a_filed_complaint_is_searchable_moments_after_its_receipt(app: TestApp) {
    app.add_account("chen", "caseworker", None).await;
    app.log_in("chen", TEST_PASSWORD).await;
    let receipt = app.file_complaint_json(&kuaiwei_e2e::complaint(7)).await;
    let n = receipt["case_number"].as_str().unwrap().to_string();
    let (body, took) = search(&app, "q=16.1K7", |b| b["total"] == 1).await;
    assert_eq!(body["hits"][0]["case_number"], n.as_str());
    eprintln!("found {took:?} after the receipt ({:?})", app.backend);
    // indexed now: the booth and the fair are two fields, and the description's 第7号投诉：展出
    // has a sentence mark that only a term holding one crosses
    for (q, total) in [
        ("K7第138", 0),
        ("16.1K7 第138届", 1),
        ("号投诉展出", 0),
        ("号投诉：展出", 1),
        ("号投诉。展出", 1),
    ] {
        let encoded: String = q.bytes().map(|b| format!("%{b:02X}")).collect();
        let res = app.get(&format!("/api/v1/search?q={encoded}"), &[]).await;
        assert_eq!(
            res.status,
            200,
            "{q}: {}",
            String::from_utf8_lossy(&res.body)
        );
        assert_eq!(res.json()["total"], total, "{q}");
    }
    app.act(
        &n,
        json!({"action": "accept", "actor": "caseworker:chen", "reason": "现场核对原件，先行受理"}),
    )
    .await;
    let (body, _) = search(&app, "state=accepted", |b| b["total"] == 1).await;
    assert_eq!(body["hits"][0]["case_number"], n.as_str());
}
