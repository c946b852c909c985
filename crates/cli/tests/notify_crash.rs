//! The crash drill for notifications (issue #23): the real binary files a complaint whose
//! receipt cannot be sent (the mail server is down), is killed with `kill -9`, and started
//! again once the mail server is up: the receipt arrives, once. A message written with its
//! filing is never lost between the commit and the delivery. On SQLite and PostgreSQL.

mod common;

use std::time::{Duration, Instant};

use common::{Server, free_port};
use kuaiwei_e2e::{ApiClient, TempDir, complaint};

async fn a_receipt_pending_at_a_crash_is_delivered_once_after_the_restart(url: Option<String>) {
    let dir = TempDir::new("kw-notify-crash");
    let data = dir.path().join("data");
    let smtp = free_port();
    let config = dir.path().join("kuaiwei.toml");
    std::fs::write(
        &config,
        format!(
            "[notify]\npublic_url = \"https://kw.test\"\nretry_first_secs = 1\nattempts = 20\n\
             [notify.email]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\n\
             from = \"快维 <noreply@kw.test>\"\n",
            smtp.port()
        ),
    )
    .unwrap();
    let mut first = Server::start(&data, url.as_deref(), &config, dir.path().join("1.log"));
    let client = ApiClient::new(first.address);
    first.ready(&client).await;
    let mut filed = complaint(3);
    filed["complainant"]["email"] = serde_json::json!("li.na@example.com");
    let res = client
        .post_json("/api/v1/complaints", filed.to_string(), &[])
        .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let case = res.json()["case_number"].as_str().unwrap().to_string();
    // the mail server is down: the worker tries, fails, and will try again
    tokio::time::sleep(Duration::from_millis(2500)).await;
    first.kill();

    let (_, mails) = kuaiwei_e2e::smtp::receiver_on(smtp.port()).await;
    assert!(mails.lock().unwrap().is_empty());
    let mut second = Server::start(&data, url.as_deref(), &config, dir.path().join("2.log"));
    let client = ApiClient::new(second.address);
    second.ready(&client).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while mails.lock().unwrap().is_empty() {
        assert!(
            Instant::now() < deadline,
            "the receipt never arrived:\n{}",
            std::fs::read_to_string(&second.log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // a few more rounds of the worker: nothing is sent twice
    tokio::time::sleep(Duration::from_millis(3000)).await;
    let got = mails.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].subject, format!("投诉已收到：{case}"));
    assert!(
        got[0].to[0].contains("li.na@example.com"),
        "{:?}",
        got[0].to
    );
    second.kill();
}

#[tokio::test]
async fn sqlite_a_receipt_pending_at_a_crash_is_delivered_once_after_the_restart() {
    a_receipt_pending_at_a_crash_is_delivered_once_after_the_restart(None).await;
}

#[tokio::test]
async fn postgres_a_receipt_pending_at_a_crash_is_delivered_once_after_the_restart() {
    let Some(url) = kuaiwei_e2e::fresh_postgres_database().await else {
        return;
    };
    a_receipt_pending_at_a_crash_is_delivered_once_after_the_restart(Some(url)).await;
}
