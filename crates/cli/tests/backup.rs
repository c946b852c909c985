//! `kuaiwei backup` and `kuaiwei restore`, run as the real binary against a live server's store
//! (an in-process server on port 0 keeps filing complaints with evidence meanwhile), on SQLite
//! and on PostgreSQL.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use kuaiwei_e2e::{
    ApiClient, Backend, Multipart, TempDir, TestApp, complaint, files_under, jpeg,
    on_every_backend, sha256_hex,
};
use kuaiwei_store::Store;
use serde_json::Value;

fn run(data_dir: &Path, database_url: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kuaiwei"));
    cmd.arg("--data-dir").arg(data_dir).args(args);
    if let Some(url) = database_url {
        cmd.arg("--database-url").arg(url);
    }
    cmd.env_remove("KUAIWEI_CONFIG")
        .env_remove("KUAIWEI_DATABASE_URL")
        .output()
        .expect("the kuaiwei binary runs")
}

async fn run_async(data_dir: PathBuf, database_url: Option<String>, args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(&data_dir, database_url.as_deref(), &args)
    })
    .await
    .unwrap()
}

fn data_dir(app: &TestApp) -> PathBuf {
    app.evidence_root.parent().unwrap().to_path_buf()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Files complaint `n` with a photo of its own; returns the photo's digest.
async fn file_with_evidence(client: &ApiClient, n: u32) -> String {
    let photo = [jpeg(600), n.to_be_bytes().to_vec()].concat();
    let form = Multipart::new()
        .complaint(&complaint(n))
        .evidence("booth.jpg", &photo);
    let res = client.post_multipart("/api/v1/complaints", form, &[]).await;
    assert_eq!(res.status, 201, "{}", text(&res.body));
    sha256_hex(&photo)
}

/// A backup of the app's store into `dest`, which must succeed.
async fn back_up(app: &TestApp, dest: &Path) -> Value {
    let out = run_async(
        data_dir(app),
        app.database_url.clone(),
        vec!["backup".into(), dest.display().to_string()],
    )
    .await;
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&std::fs::read(dest.join("manifest.json")).unwrap()).unwrap()
}

/// An empty place to restore into: a data directory, and on PostgreSQL an empty database.
struct Target {
    _dir: TempDir,
    data: PathBuf,
    url: Option<String>,
}

impl Target {
    async fn fresh(backend: Backend) -> Target {
        let dir = TempDir::new("restore-target");
        let data = dir.path().join("data");
        let url = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(
                kuaiwei_e2e::fresh_postgres_database()
                    .await
                    .expect("KUAIWEI_TEST_POSTGRES_URL is set (the source app runs on it)"),
            ),
        };
        Target {
            _dir: dir,
            data,
            url,
        }
    }

    async fn restore(&self, src: &Path) -> Output {
        run_async(
            self.data.clone(),
            self.url.clone(),
            vec!["restore".into(), src.display().to_string()],
        )
        .await
    }

    /// Nothing was written: no evidence file, and no database (or, on PostgreSQL, no schema).
    async fn assert_untouched(&self) {
        assert_eq!(
            files_under(&self.data.join("evidence").join("sha256")),
            Vec::<PathBuf>::new()
        );
        match &self.url {
            None => assert!(!self.data.join("kuaiwei.db").exists()),
            Some(url) => assert_eq!(
                kuaiwei_store_postgres::backup::complaints_in(url)
                    .await
                    .unwrap(),
                None,
                "pg_restore must not have run"
            ),
        }
    }

    async fn store(&self) -> Arc<dyn Store> {
        match &self.url {
            None => Arc::new(
                kuaiwei_store_sqlite::SqliteStore::open(
                    &self.data.join("kuaiwei.db"),
                    Default::default(),
                )
                .await
                .unwrap(),
            ),
            Some(url) => Arc::new(
                kuaiwei_store_postgres::PostgresStore::connect(url, Default::default())
                    .await
                    .unwrap(),
            ),
        }
    }
}

/// Every file below the evidence folder with its digest.
fn evidence_files(data: &Path) -> BTreeMap<PathBuf, String> {
    files_under(&data.join("evidence").join("sha256"))
        .into_iter()
        .map(|p| {
            let digest = sha256_hex(&std::fs::read(&p).unwrap());
            (p, digest)
        })
        .collect()
}

/// The first evidence file a manifest lists, as a path inside the backup.
fn first_evidence(backup: &Path, manifest: &Value) -> (PathBuf, String) {
    let e = &manifest["evidence"][0];
    (
        backup.join(e["path"].as_str().unwrap()),
        e["sha256"].as_str().unwrap().to_string(),
    )
}

async fn a_backup_taken_while_complaints_with_evidence_are_filed_restores_to_a_verified_store(
    app: TestApp,
) {
    let mut before = Vec::new();
    for n in 0..5 {
        before.push(file_with_evidence(&app, n).await);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let writer = tokio::spawn({
        let client = app.client.clone();
        let stop = stop.clone();
        async move {
            let mut n = 1000;
            while !stop.load(Ordering::Relaxed) {
                file_with_evidence(&client, n).await;
                n += 1;
            }
            n - 1000
        }
    });
    // the writer is under way before the backup starts
    let deadline = Instant::now() + Duration::from_secs(60);
    while app.store.inventory().await.unwrap().complaints < 8 {
        assert!(Instant::now() < deadline, "the writer files nothing");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let bk = TempDir::new("backup");
    let dest = bk.path().join("kuaiwei-backup");
    let manifest = back_up(&app, &dest).await;
    stop.store(true, Ordering::Relaxed);
    let during = writer.await.unwrap();
    file_with_evidence(&app, 9999).await;
    let live = app.store.inventory().await.unwrap();

    // The snapshot is one instant of a store that kept growing.
    let counts = &manifest["counts"];
    let in_backup = counts["complaints"].as_u64().unwrap();
    assert!(in_backup >= 8, "{manifest}");
    assert!(
        live.complaints > in_backup,
        "{} vs {manifest}",
        live.complaints
    );
    assert!(during >= 3, "the writer filed {during}");
    assert_eq!(counts["evidence_files"], counts["complaints"]);
    assert!(!dest.with_file_name("kuaiwei-backup.partial").exists());
    let listed: Vec<&str> = manifest["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["sha256"].as_str().unwrap())
        .collect();
    for digest in &before {
        assert!(
            listed.contains(&digest.as_str()),
            "{digest} not in the backup"
        );
    }
    for e in manifest["evidence"].as_array().unwrap() {
        let bytes = std::fs::read(dest.join(e["path"].as_str().unwrap())).unwrap();
        assert_eq!(sha256_hex(&bytes), e["sha256"].as_str().unwrap());
    }
    assert!(!dest.join("search-index").exists());

    // Restored into an empty place, the store is whole and verified.
    let target = Target::fresh(app.backend).await;
    let out = target.restore(&dest).await;
    assert!(out.status.success(), "{out:?}");
    let said = text(&out.stdout);
    assert!(
        said.contains("chain intact") && said.contains("restored and verified"),
        "{said}"
    );
    let verified = run(&target.data, target.url.as_deref(), &["audit", "verify"]);
    assert!(verified.status.success(), "{verified:?}");
    assert!(
        text(&verified.stdout).starts_with(&format!(
            "ok: {} events, chain intact\n",
            counts["audit_events"]
        )),
        "{verified:?}"
    );
    // the restore anchored the restored head; the verification held the chain against it
    assert!(
        text(&verified.stdout).contains("锚定 / anchors: 1 条"),
        "{verified:?}"
    );
    let restored = target.store().await;
    let inv = restored.inventory().await.unwrap();
    assert_eq!(inv.complaints, in_backup);
    // the chain as backed up, and the verification just run recorded after it
    assert_eq!(
        inv.audit_head.as_ref().map(|(seq, _)| *seq),
        manifest["audit_head"]["seq"].as_i64().map(|s| s + 1)
    );
    assert_eq!(inv.evidence.len() as u64, in_backup);
    for e in &inv.evidence {
        let path = target
            .data
            .join("evidence/sha256")
            .join(&e.sha256[..2])
            .join(&e.sha256);
        let bytes = std::fs::read(&path).unwrap_or_else(|_| panic!("{} missing", path.display()));
        assert_eq!(sha256_hex(&bytes), e.sha256);
        assert_eq!(bytes.len() as u64, e.size);
    }
}

async fn restore_refuses_a_non_empty_target_and_changes_nothing(app: TestApp) {
    for n in 0..2 {
        file_with_evidence(&app, n).await;
    }
    let bk = TempDir::new("backup");
    let dest = bk.path().join("b");
    back_up(&app, &dest).await;
    file_with_evidence(&app, 2).await;

    // Into the live store itself: it holds complaints.
    let data = data_dir(&app);
    let inventory = app.store.inventory().await.unwrap();
    let files = evidence_files(&data);
    let out = run_async(
        data.clone(),
        app.database_url.clone(),
        vec!["restore".into(), dest.display().to_string()],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = text(&out.stderr);
    assert!(
        err.contains("the restore target is not empty") && err.contains("holds 3 complaints"),
        "{err}"
    );
    assert_eq!(app.store.inventory().await.unwrap(), inventory);
    assert_eq!(evidence_files(&data), files);

    // Into an empty database beside an evidence folder that holds a file.
    let target = Target::fresh(app.backend).await;
    let stray = target.data.join("evidence/sha256/ab/stray");
    std::fs::create_dir_all(stray.parent().unwrap()).unwrap();
    std::fs::write(&stray, b"left over").unwrap();
    let out = target.restore(&dest).await;
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = text(&out.stderr);
    assert!(err.contains("the evidence folder"), "{err}");
    assert_eq!(
        files_under(&target.data.join("evidence")),
        vec![stray.clone()]
    );
    std::fs::remove_file(&stray).unwrap();
    target.assert_untouched().await;
}

async fn restore_refuses_a_backup_with_a_tampered_evidence_file_and_names_it(app: TestApp) {
    for n in 0..3 {
        file_with_evidence(&app, n).await;
    }
    let bk = TempDir::new("backup");
    let dest = bk.path().join("b");
    let manifest = back_up(&app, &dest).await;
    let (path, digest) = first_evidence(&dest, &manifest);
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x55;
    std::fs::write(&path, &bytes).unwrap();

    let target = Target::fresh(app.backend).await;
    let out = target.restore(&dest).await;
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = text(&out.stderr);
    assert!(
        err.contains(&digest) && err.contains("does not match the manifest"),
        "{err}"
    );
    target.assert_untouched().await;
}

async fn restore_refuses_a_backup_with_a_missing_file_and_names_it(app: TestApp) {
    for n in 0..3 {
        file_with_evidence(&app, n).await;
    }
    let bk = TempDir::new("backup");
    let dest = bk.path().join("b");
    let manifest = back_up(&app, &dest).await;
    let (path, digest) = first_evidence(&dest, &manifest);
    std::fs::remove_file(&path).unwrap();

    let target = Target::fresh(app.backend).await;
    let out = target.restore(&dest).await;
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = text(&out.stderr);
    assert!(err.contains(&digest) && err.contains("is missing"), "{err}");
    target.assert_untouched().await;

    // and a backup whose manifest is cut short is refused as corrupt
    std::fs::write(dest.join("manifest.json"), b"{\"format\": 1, \"kuaiwei_").unwrap();
    let out = target.restore(&dest).await;
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(text(&out.stderr).contains("is corrupt"), "{out:?}");
    target.assert_untouched().await;
}

async fn backup_refuses_a_destination_that_exists_and_is_not_empty(app: TestApp) {
    file_with_evidence(&app, 1).await;
    let bk = TempDir::new("backup");
    let dest = bk.path().join("taken");
    std::fs::create_dir_all(&dest).unwrap();
    std::fs::write(dest.join("keep.txt"), b"mine").unwrap();
    let out = run_async(
        data_dir(&app),
        app.database_url.clone(),
        vec!["backup".into(), dest.display().to_string()],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = text(&out.stderr);
    assert!(
        err.contains(&dest.display().to_string()) && err.contains("exists and is not empty"),
        "{err}"
    );
    assert_eq!(files_under(&dest), vec![dest.join("keep.txt")]);
    assert!(!bk.path().join("taken.partial").exists());

    // an empty directory is fine
    let empty = bk.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let manifest = back_up(&app, &empty).await;
    assert_eq!(manifest["counts"]["complaints"], 1);
}

on_every_backend!(
    a_backup_taken_while_complaints_with_evidence_are_filed_restores_to_a_verified_store,
    restore_refuses_a_non_empty_target_and_changes_nothing,
    restore_refuses_a_backup_with_a_tampered_evidence_file_and_names_it,
    restore_refuses_a_backup_with_a_missing_file_and_names_it,
    backup_refuses_a_destination_that_exists_and_is_not_empty,
);
