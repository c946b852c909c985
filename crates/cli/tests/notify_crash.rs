//! The crash drill for notifications (issue #23): the real binary files a complaint whose
//! receipt cannot be sent (the mail server is down), is killed with `kill -9`, and started
//! again once the mail server is up: the receipt arrives, once. A message written with its
//! filing is never lost between the commit and the delivery. On SQLite and PostgreSQL.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kuaiwei_e2e::{ApiClient, TempDir, complaint};

fn free_port() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

struct Server {
    child: Child,
    address: SocketAddr,
    log: PathBuf,
}

impl Server {
    fn start(data: &Path, url: Option<&str>, config: &Path, log: PathBuf) -> Server {
        let address = free_port();
        let out = std::fs::File::create(&log).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kuaiwei"));
        cmd.arg("--config")
            .arg(config)
            .arg("--data-dir")
            .arg(data)
            .args(["serve", "--listen", &address.to_string()])
            .env_remove("KUAIWEI_DATABASE_URL")
            .env_remove("KUAIWEI_LISTEN")
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out);
        if let Some(u) = url {
            cmd.args(["--database-url", u]);
        }
        Server {
            child: cmd.spawn().expect("kuaiwei serve starts"),
            address,
            log,
        }
    }

    async fn ready(&mut self, client: &ApiClient) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "exited with {status}:\n{}",
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                );
            }
            if tokio::net::TcpStream::connect(self.address).await.is_ok()
                && client.get("/readyz", &[]).await.status == 200
            {
                return;
            }
            assert!(Instant::now() < deadline, "not ready");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `kill -9`: no shutdown of any kind.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

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
