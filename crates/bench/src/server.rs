//! The server under test: a `kuaiwei serve` child process on a fresh data directory (and, for
//! PostgreSQL, a fresh database made and dropped with `psql`), on a free loopback port.

use std::fs::File;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::client::Conn;
use crate::{Backend, Mode};

pub struct ServerSpec {
    pub kuaiwei: PathBuf,
    pub data_dir: PathBuf,
    pub backend: Backend,
    pub mode: Mode,
    /// Where to create the scratch database (any existing database on the server, to connect to)
    pub postgres_url: String,
    pub postgres_db: String,
    /// Leave the data directory and the database for inspection.
    pub keep: bool,
}

pub struct Running {
    pub addr: SocketAddr,
    child: Child,
    log: PathBuf,
    data_dir: PathBuf,
    /// (admin URL, database) to drop once the server has stopped
    postgres: Option<(String, String)>,
    keep: bool,
    /// The log of the run before a restart (the new run's log replaces it).
    pub previous_log: String,
}

/// Starts the server and waits until `/readyz` answers 200.
/// The scrape token of the bench's servers (`GET /metrics`).
pub const METRICS_TOKEN: &str = "kuaiwei-bench-metrics-scrape-token";

/// How long after `since` the respondent pass of the server at `addr` had done every filing:
/// the first reading of `kuaiwei_respondent_pass_lag` at 0 that a reading a pass later
/// confirms (the gauge is set after each pass; the server sleeps half a second when idle).
/// `None` when the server has no such gauge (an older binary) or it does not reach 0 in
/// `limit`.
pub async fn respondents_settled(
    addr: SocketAddr,
    since: Instant,
    limit: Duration,
) -> Result<Option<Duration>> {
    let mut conn = Conn::open(addr).await?;
    let auth = format!("Bearer {METRICS_TOKEN}");
    let mut zero_at: Option<Instant> = None;
    while since.elapsed() < limit {
        let (status, body) = conn
            .get_with("/metrics", &[("authorization", auth.as_str())])
            .await?;
        anyhow::ensure!(status.is_success(), "GET /metrics answered {status}");
        let text = String::from_utf8_lossy(&body);
        let Some(lag) = text
            .lines()
            .find_map(|l| l.strip_prefix("kuaiwei_respondent_pass_lag "))
            .and_then(|v| v.trim().parse::<f64>().ok())
        else {
            return Ok(None);
        };
        let now = Instant::now();
        match zero_at {
            _ if lag > 0.0 => zero_at = None,
            None => zero_at = Some(now),
            Some(z) if now - z >= Duration::from_millis(700) => return Ok(Some(z - since)),
            Some(_) => {}
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(None)
}

pub async fn start(spec: &ServerSpec) -> Result<Running> {
    launch(spec, true).await
}

/// Starts the server on a data directory (and, with `fresh`, a scratch database) of its own.
async fn launch(spec: &ServerSpec, fresh: bool) -> Result<Running> {
    std::fs::create_dir_all(&spec.data_dir)
        .with_context(|| format!("cannot create {}", spec.data_dir.display()))?;
    let addr = free_port()?;
    let log = spec.data_dir.with_extension("log");
    let log_file =
        File::create(&log).with_context(|| format!("cannot create {}", log.display()))?;
    let log_err = log_file.try_clone().context("cannot share the log file")?;

    // The bench files tens of thousands of complaints from one address and one complainant:
    // far past the intake rate limits that protect a real centre.
    let config = spec.data_dir.with_extension("toml");
    std::fs::write(
        &config,
        format!("[rate]\nintake_per_address_per_minute = 100000000\nintake_per_address_burst = 100000000\n\
         intake_per_complainant_per_hour = 100000000\nintake_per_complainant_burst = 100000000\n\n\
         [metrics]\ntoken = \"{METRICS_TOKEN}\"\n"
        ),
    )
    .with_context(|| format!("cannot write {}", config.display()))?;
    let mut cmd = Command::new(&spec.kuaiwei);
    cmd.arg("--config")
        .arg(&config)
        .arg("serve")
        .arg("--listen")
        .arg(addr.to_string())
        .arg("--data-dir")
        .arg(&spec.data_dir)
        .env_remove("KUAIWEI_CONFIG")
        .env_remove("KUAIWEI_DATABASE_URL")
        .env_remove("KUAIWEI_COMMIT_BATCH")
        .stdin(Stdio::null())
        .stdout(log_file)
        .stderr(log_err);
    if spec.mode == Mode::PerRequest {
        cmd.arg("--commit-batch").arg("1");
    }
    let mut postgres = None;
    if spec.backend == Backend::Postgres {
        if fresh {
            psql(
                &spec.postgres_url,
                &format!("create database {}", spec.postgres_db),
            )?;
        }
        postgres = Some((spec.postgres_url.clone(), spec.postgres_db.clone()));
        cmd.arg("--database-url")
            .arg(with_database(&spec.postgres_url, &spec.postgres_db));
    }
    let child = cmd
        .spawn()
        .with_context(|| format!("cannot start {}", spec.kuaiwei.display()))?;
    let mut running = Running {
        addr,
        child,
        log,
        data_dir: spec.data_dir.clone(),
        postgres,
        keep: spec.keep,
        previous_log: String::new(),
    };
    if let Err(e) = running.wait_ready(Duration::from_secs(60)).await {
        let _ = running.stop(Duration::from_secs(5)).await;
        return Err(e);
    }
    Ok(running)
}

impl Running {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's log file.
    pub fn log(&self) -> &Path {
        &self.log
    }

    async fn wait_ready(&mut self, limit: Duration) -> Result<()> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().context("cannot poll the server")? {
                bail!(
                    "kuaiwei exited before it was ready ({status}); its log:\n{}",
                    tail(&self.log)
                );
            }
            if let Ok(mut conn) = Conn::open(self.addr).await
                && let Ok((status, _)) = conn.get("/readyz").await
                && status.is_success()
            {
                return Ok(());
            }
            if start.elapsed() > limit {
                bail!(
                    "kuaiwei was not ready after {limit:?}; its log:\n{}",
                    tail(&self.log)
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops the server and starts it again on the same data and database: a server starting
    /// over a store that already holds cases.
    pub async fn restart(mut self, spec: &ServerSpec) -> Result<Running> {
        let postgres = self.postgres.take();
        self.halt(Duration::from_secs(30)).await?;
        let previous_log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let mut again = launch(spec, false).await?;
        again.postgres = postgres;
        again.previous_log = previous_log;
        Ok(again)
    }

    /// SIGTERM, then wait for the graceful shutdown (SIGKILL after `grace`).
    async fn halt(&mut self, grace: Duration) -> Result<()> {
        let pid = self.child.id().to_string();
        let term = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .context("cannot run kill")?;
        let start = Instant::now();
        let mut clean = term.success();
        loop {
            if let Some(status) = self.child.try_wait().context("cannot poll the server")? {
                clean &= status.success();
                break;
            }
            if start.elapsed() > grace {
                let _ = self.child.kill();
                let _ = self.child.wait();
                clean = false;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        if !clean {
            eprintln!(
                "warning: kuaiwei did not stop cleanly on SIGTERM; log tail:\n{}",
                tail(&self.log)
            );
        }
        Ok(())
    }

    /// SIGTERM, then wait for the graceful shutdown (SIGKILL after `grace`); removes the data
    /// directory and drops the scratch database.
    pub async fn stop(mut self, grace: Duration) -> Result<()> {
        self.halt(grace).await?;
        if self.keep {
            eprintln!(
                "  kept {} and the database {:?}",
                self.data_dir.display(),
                self.postgres.as_ref().map(|(_, db)| db)
            );
            return Ok(());
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
        if let Some((url, db)) = self.postgres.take() {
            psql(&url, &format!("drop database if exists {db} with (force)"))?;
        }
        Ok(())
    }
}

/// A loopback port nobody listens on right now.
fn free_port() -> Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot bind a loopback port")?;
    listener.local_addr().context("cannot read the bound port")
}

/// Runs one SQL statement with `psql`.
pub fn psql(url: &str, sql: &str) -> Result<()> {
    let out = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
        .output()
        .context("cannot run psql (is the PostgreSQL client installed?)")?;
    if !out.status.success() {
        bail!(
            "psql {sql:?} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// `url` with its database (the path) replaced by `db`, query string kept.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let root = match base[authority_start..].find('/') {
        Some(i) => &base[..authority_start + i],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{db}?{q}"),
        None => format!("{root}/{db}"),
    }
}

/// The last lines of the server's log, for error messages.
fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_the_database() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
        assert_eq!(
            with_database("postgresql://u@h/db?sslmode=disable", "x"),
            "postgresql://u@h/x?sslmode=disable"
        );
    }
}
