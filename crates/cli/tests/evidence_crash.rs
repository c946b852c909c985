//! The crash drill for evidence: `kill -9` the real binary while clients file complaints with
//! photos, start it again, and check that every acknowledged complaint and its files are there
//! and that no file without a complaint is left once swept. On SQLite (the restart's own sweep)
//! and PostgreSQL (`kuaiwei evidence sweep --older-than-minutes 0` with the server stopped:
//! another node might be receiving files, so a start only removes files an hour old).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::Server;
use kuaiwei_e2e::{ApiClient, Multipart, TempDir, sha256_hex};
use serde_json::Value;
use sqlx::Connection;

fn kuaiwei() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kuaiwei"))
}

/// The server with intake limits far above a real centre's: eight clients on one address file
/// faster than those allow.
fn start(data: &Path, url: Option<&str>, log: PathBuf) -> Server {
    let config = log.with_extension("toml");
    std::fs::write(
        &config,
        "[rate]\nintake_per_address_per_minute = 100000000\nintake_per_address_burst = 100000000\n\
         intake_per_complainant_per_hour = 100000000\nintake_per_complainant_burst = 100000000\n",
    )
    .unwrap();
    Server::start(data, url, &config, log)
}

fn files_under(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.path().is_dir() {
                out.extend(files_under(&e.path()));
            } else {
                out.insert(e.file_name().to_string_lossy().to_string());
            }
        }
    }
    out
}

/// Digests the database references.
async fn referenced(data: &Path, url: Option<&str>) -> BTreeSet<String> {
    let rows: Vec<(String,)> = match url {
        Some(u) => {
            let mut c = sqlx::PgConnection::connect(u).await.unwrap();
            sqlx::query_as("select sha256 from evidence_files")
                .fetch_all(&mut c)
                .await
                .unwrap()
        }
        None => {
            let u = format!("sqlite://{}", data.join("kuaiwei.db").display());
            let mut c = sqlx::SqliteConnection::connect(&u).await.unwrap();
            sqlx::query_as("select sha256 from evidence_files")
                .fetch_all(&mut c)
                .await
                .unwrap()
        }
    };
    rows.into_iter().map(|(d,)| d).collect()
}

async fn drill(url: Option<String>) {
    let url = url.as_deref();
    let dir = TempDir::new("evidence-crash");
    let data = dir.path().join("data");
    let mut server = start(&data, url, dir.path().join("serve-1.log"));
    let client = ApiClient::new(server.address);
    server.ready(&client).await;

    // eight clients filing complaints with two photos each until the server dies
    // each acknowledged receipt with the digests of its photos
    type Acked = Vec<(Value, Vec<String>)>;
    let acked: Arc<Mutex<Acked>> = Arc::default();
    let mut clients = Vec::new();
    for c in 0..8u32 {
        let acked = acked.clone();
        let address = server.address;
        clients.push(tokio::spawn(async move {
            let client = ApiClient::new(address);
            for i in 0..10_000u32 {
                let n = c * 10_000 + i;
                let photos = [
                    kuaiwei_evidence::testing::jpeg_of_len(3_000 + n as usize, n),
                    kuaiwei_evidence::testing::png_of_len(2_000, n),
                ];
                let form = Multipart::new()
                    .complaint(&kuaiwei_e2e::complaint(n + 1))
                    .evidence("展位.jpg", &photos[0])
                    .evidence("listing.png", &photos[1]);
                let res = client.post_multipart("/api/v1/complaints", form, &[]).await;
                if res.status != 201 {
                    eprintln!(
                        "client {c}: {} {}",
                        res.status,
                        String::from_utf8_lossy(&res.body)
                    );
                    return;
                }
                acked
                    .lock()
                    .unwrap()
                    .push((res.json(), photos.iter().map(|p| sha256_hex(p)).collect()));
            }
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while acked.lock().unwrap().len() < 40 {
        assert!(Instant::now() < deadline, "no complaints acknowledged");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.child.kill().unwrap(); // SIGKILL: no shutdown of any kind
    server.child.wait().unwrap();
    for c in clients {
        let _ = c.await;
    }
    let acked = acked.lock().unwrap().clone();

    // a leftover of an earlier crash: a file under its digest that nothing references
    let orphan = b"not referenced by any complaint".to_vec();
    let digest = sha256_hex(&orphan);
    let orphan_dir = data.join("evidence/sha256").join(&digest[..2]);
    std::fs::create_dir_all(&orphan_dir).unwrap();
    std::fs::write(orphan_dir.join(&digest), &orphan).unwrap();

    let mut again = start(&data, url, dir.path().join("serve-2.log"));
    let client = ApiClient::new(again.address);
    again.ready(&client).await;
    for (receipt, digests) in &acked {
        let status = client.status_of(receipt).await;
        assert_eq!(status.status, 200, "{receipt}");
        let listed: Vec<String> = status.json()["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["sha256"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(&listed, digests);
        for d in digests {
            let path = data.join("evidence/sha256").join(&d[..2]).join(d);
            let bytes = std::fs::read(&path).unwrap_or_else(|_| panic!("{d} is on disk"));
            assert_eq!(&sha256_hex(&bytes), d);
        }
    }
    again.child.kill().unwrap();
    again.child.wait().unwrap();
    if let Some(u) = url {
        let swept = Command::new(kuaiwei())
            .arg("--data-dir")
            .arg(&data)
            .args(["evidence", "sweep", "--older-than-minutes", "0"])
            .args(["--database-url", u])
            .env_remove("KUAIWEI_CONFIG")
            .output()
            .unwrap();
        assert!(swept.status.success(), "{swept:?}");
    }
    let on_disk = files_under(&data.join("evidence/sha256"));
    let in_db = referenced(&data, url).await;
    eprintln!(
        "{} acknowledged, {} files referenced, {} on disk after the sweep",
        acked.len(),
        in_db.len(),
        on_disk.len()
    );
    assert!(in_db.len() >= 2 * acked.len());
    assert!(!on_disk.contains(&digest), "the old orphan was swept");
    assert_eq!(
        on_disk, in_db,
        "every stored file is referenced, and every referenced one stored"
    );
    assert!(files_under(&data.join("evidence/tmp")).is_empty() || url.is_some());
    let verified = Command::new(kuaiwei())
        .arg("--data-dir")
        .arg(&data)
        .args(["evidence", "verify"])
        .args(url.map(|u| vec!["--database-url", u]).unwrap_or_default())
        .env_remove("KUAIWEI_CONFIG")
        .output()
        .unwrap();
    assert!(verified.status.success(), "{verified:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_kill_9_during_photo_intake_loses_no_acknowledged_file_and_leaves_no_orphan() {
    drill(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_kill_9_during_photo_intake_loses_no_acknowledged_file_and_leaves_no_orphan() {
    match kuaiwei_e2e::fresh_postgres_database().await {
        Some(url) => drill(Some(url)).await,
        None => eprintln!("KUAIWEI_TEST_POSTGRES_URL is not set: PostgreSQL drill skipped"),
    }
}

/// Peak resident memory of a process (VmHWM), in bytes.
fn peak_memory(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM in /proc/PID/status");
    let kb: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap();
    kb * 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_bombs_at_once_are_refused_within_300_mib() {
    let dir = TempDir::new("evidence-bombs");
    let data = dir.path().join("data");
    let mut server = start(&data, None, dir.path().join("serve.log"));
    let client = ApiClient::new(server.address);
    server.ready(&client).await;
    let mut tasks = Vec::new();
    for i in 0..20u32 {
        let address = server.address;
        tasks.push(tokio::spawn(async move {
            // half declare 50,000 × 50,000 pixels, half 7,000 × 7,000 (inside every size
            // limit, 147 MB once decoded, in a file of under 100 bytes)
            let side = if i % 2 == 0 { 50_000 } else { 7_000 };
            let form = Multipart::new()
                .complaint(&kuaiwei_e2e::complaint(i + 1))
                .evidence("bomb.png", &kuaiwei_evidence::testing::png_bomb(side, side));
            ApiClient::new(address)
                .post_multipart("/api/v1/complaints", form, &[])
                .await
                .status
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 422);
    }
    let peak = peak_memory(server.child.id());
    eprintln!("peak resident memory {} MiB", peak >> 20);
    assert!(peak < 300 << 20, "peak {} MiB", peak >> 20);
    assert!(files_under(&data.join("evidence/sha256")).is_empty());
}
