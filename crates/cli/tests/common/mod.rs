//! The real `kuaiwei serve` for the crash drills: started on a free port with a config file,
//! waited for until ready, killed with `kill -9`.

#![allow(dead_code)] // each drill uses its part

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kuaiwei_e2e::ApiClient;

pub fn free_port() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

pub struct Server {
    pub child: Child,
    pub address: SocketAddr,
    pub log: PathBuf,
}

impl Server {
    pub fn start(data: &Path, url: Option<&str>, config: &Path, log: PathBuf) -> Server {
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

    pub async fn ready(&mut self, client: &ApiClient) {
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
    pub fn kill(mut self) {
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
