//! `kuaiwei migrate-store`, run as the real binary: a SQLite store that a server filled over
//! HTTP (evidence, a supplement, routing, an approved extension, a closing, a transfer to the
//! police with its linked case, respondents) moved into an empty PostgreSQL database; the
//! cases, the complainant's view and the audit chain read the same from PostgreSQL, and a
//! server on it files the next case number. And what it refuses: a target that holds data, a
//! data directory a server is using, a value PostgreSQL cannot take (naming it, leaving the
//! target empty).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kuaiwei_e2e::{Backend, Multipart, Options, TestApp, jpeg, pdf, png, spawn_app_with};
use kuaiwei_store::Store;
use serde_json::{Value, json};

fn run(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kuaiwei"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("KUAIWEI_CONFIG")
        .env_remove("KUAIWEI_DATABASE_URL")
        .output()
        .expect("the kuaiwei binary runs")
}

async fn run_async(data_dir: PathBuf, args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(&data_dir, &args)
    })
    .await
    .unwrap()
}

async fn migrate(data_dir: &Path, url: &str) -> Output {
    run_async(
        data_dir.to_path_buf(),
        vec!["migrate-store".into(), "--to".into(), url.into()],
    )
    .await
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn data_dir(app: &TestApp) -> PathBuf {
    app.evidence_root.parent().unwrap().to_path_buf()
}

fn at() -> Options {
    Options::at("2026-10-13T02:00:00Z".parse().unwrap())
}

/// An empty PostgreSQL database, or `None` (said on stderr) without KUAIWEI_TEST_POSTGRES_URL.
async fn empty_postgres() -> Option<String> {
    let url = kuaiwei_e2e::fresh_postgres_database().await;
    if url.is_none() {
        eprintln!("!!! SKIPPED: moving into PostgreSQL needs KUAIWEI_TEST_POSTGRES_URL");
    }
    url
}

async fn sqlite_app() -> TestApp {
    spawn_app_with(Backend::Sqlite, at()).await.unwrap()
}

fn ok(res: &kuaiwei_e2e::TestResponse) -> Value {
    assert_eq!(res.status, 200, "{}", text(&res.body));
    res.json()
}

fn fair_complaint(mark: &str) -> Value {
    json!({
        "channel": {"kind": "fair", "fair_name": "第139届广交会", "session": "第二期", "booth": "9.1C18"},
        "complainant": {"kind": "organisation", "name": "某某玩具有限公司", "mobile": "13812345678"},
        "rights": [{"kind": "trademark", "number": mark, "nice_classes": [28]}],
        "respondent": {"name": "汕头某某塑胶玩具厂", "booth": "9.1C18"},
        "description": "展位展出的玩具使用了与注册商标相同的标识"
    })
}

/// Fills the store through the API as a centre would: returns every case number and the
/// receipts of the complaints.
async fn fill(app: &TestApp) -> (Vec<String>, Vec<Value>) {
    app.add_account("chen", "caseworker", None).await;
    app.log_in("chen", kuaiwei_e2e::TEST_PASSWORD).await;
    let mut receipts = Vec::new();
    let filed = app
        .post_multipart(
            "/api/v1/complaints",
            Multipart::new()
                .complaint(&fair_complaint("30001234"))
                .part(
                    "evidence.identity_proof",
                    Some("营业执照.png"),
                    "image/png",
                    &png(600),
                )
                .evidence("展位照片.jpg", &jpeg(4000)),
            &[],
        )
        .await;
    assert_eq!(filed.status, 201, "{}", text(&filed.body));
    let receipt = filed.json();
    let n = receipt["case_number"].as_str().unwrap().to_string();
    let token = receipt["tracking_token"].as_str().unwrap().to_string();
    receipts.push(receipt);
    let step = |body: Value| {
        let n = n.clone();
        async move { ok(&app.act(&n, body).await) }
    };
    step(json!({"action": "request_supplement", "actor": "caseworker:chen", "reason": "请补充商标注册证"})).await;
    let sent = app
        .post_multipart(
            &format!("/api/v1/complaints/{n}/supplement"),
            Multipart::new().part(
                "evidence.right_certificate",
                Some("注册证.pdf"),
                "application/pdf",
                &pdf(700),
            ),
            &[("x-tracking-token", &token)],
        )
        .await;
    ok(&sent);
    step(json!({"action": "accept", "actor": "caseworker:chen", "reason": "现场核对原件"})).await;
    step(json!({"action": "route", "actor": "caseworker:chen"})).await;
    step(json!({"action": "open", "actor": "officer:lin"})).await;
    step(json!({"action": "suspend", "actor": "officer:lin", "reason": "等待鉴定意见"})).await;
    step(json!({"action": "resume", "actor": "officer:lin"})).await;
    step(json!({"action": "request_extension", "actor": "officer:lin", "reason": "案情复杂", "amount": "30d"})).await;
    step(json!({"action": "approve_extension", "actor": "supervisor:zhao"})).await;
    step(json!({"action": "close", "actor": "officer:lin", "outcome": "exhibits_withdrawn"})).await;

    // the same stand again (a related case, one respondent), then a case sent to the police
    let second = app.file_complaint_json(&fair_complaint("30001235")).await;
    receipts.push(second);
    let third = app.file_complaint_json(&fair_complaint("30001236")).await;
    let m = third["case_number"].as_str().unwrap().to_string();
    receipts.push(third);
    for body in [
        json!({"action": "accept", "actor": "caseworker:chen", "reason": "先行受理"}),
        json!({"action": "route", "actor": "caseworker:chen"}),
        json!({"action": "transfer", "actor": "supervisor:zhao", "reason": "非法经营额超过立案追诉标准", "to_agency": "police"}),
    ] {
        ok(&app.act(&m, body).await);
    }
    let police = ok(&app.get("/api/v1/queues?agency=police", &[]).await);
    let linked = police[0]["case_number"].as_str().unwrap().to_string();
    ok(&app
        .act(
            &linked,
            json!({"action": "accept_transfer", "actor": "officer:zhou@police"}),
        )
        .await);
    let mut cases: Vec<String> = receipts
        .iter()
        .map(|r| r["case_number"].as_str().unwrap().to_string())
        .collect();
    cases.push(linked);
    (cases, receipts)
}

/// What staff and complainants are shown of every case, as the API answers.
async fn views(app: &TestApp, cases: &[String], receipts: &[Value]) -> Vec<Value> {
    let mut seen = Vec::new();
    for n in cases {
        seen.push(ok(&app.get(&format!("/api/v1/cases/{n}"), &[]).await));
    }
    for r in receipts {
        seen.push(ok(&app.status_of(r).await));
    }
    seen.push(ok(&app
        .get("/api/v1/queues?agency=market_regulation", &[])
        .await));
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_store_moved_into_postgresql_reads_the_same_and_verifies() {
    let Some(url) = empty_postgres().await else {
        return;
    };
    let mut app = sqlite_app().await;
    let (cases, receipts) = fill(&app).await;
    let before = views(&app, &cases, &receipts).await;
    let accounts = app.store.accounts().await.unwrap();
    let inventory = app.store.inventory().await.unwrap();
    let changes = app.store.changes_since(0, 1000).await.unwrap();
    let events: Vec<_> = {
        let mut all = Vec::new();
        for n in &cases {
            all.push(app.store.case_events(n).await.unwrap());
        }
        all
    };
    app.stop().await.unwrap();
    let data = data_dir(&app);

    let out = migrate(&data, &url).await;
    assert!(out.status.success(), "{out:?}");
    let said = text(&out.stdout);
    assert!(said.contains("chain intact"), "{said}");
    assert!(
        said.contains(&format!("{} complaints", inventory.complaints)),
        "{said}"
    );
    // the tables a centre's work fills were all carried
    for table in [
        "complaints 3",
        "complaint_evidence 3,",
        "cases 4,",
        "respondents",
        "accounts",
        "sessions",
        "change_log",
        "case_counters 1",
    ] {
        assert!(said.contains(table), "{table}: {said}");
    }
    let verified = run(&data, &["audit", "verify", "--database-url", &url]);
    assert!(verified.status.success(), "{verified:?}");

    // The same store, read from PostgreSQL by a server on it.
    let options = Options {
        postgres_url: Some(url.clone()),
        ..at()
    };
    let pg = spawn_app_with(Backend::Postgres, options).await.unwrap();
    let moved = pg.store.inventory().await.unwrap();
    // the verification just run is recorded after the copied chain
    assert_eq!(moved.complaints, inventory.complaints);
    assert_eq!(moved.cases, inventory.cases);
    assert_eq!(moved.evidence, inventory.evidence);
    assert_eq!(moved.audit_events, inventory.audit_events + 1);
    assert_eq!(pg.store.changes_since(0, 1000).await.unwrap(), changes);
    for (n, before) in cases.iter().zip(&events) {
        assert_eq!(&pg.store.case_events(n).await.unwrap(), before, "{n}");
    }
    assert_eq!(pg.store.accounts().await.unwrap(), accounts);
    pg.log_in("chen", kuaiwei_e2e::TEST_PASSWORD).await;
    let after = views(&pg, &cases, &receipts).await;
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(a, b);
    }

    // New work goes on where the SQLite store stopped: the next case number, a new step.
    let next = pg.file_complaint_json(&fair_complaint("30001237")).await;
    let last = cases.iter().map(|n| kuaiwei_e2e::serial(n)).max().unwrap();
    assert_eq!(
        kuaiwei_e2e::serial(next["case_number"].as_str().unwrap()),
        last + 1,
        "{next}"
    );
    let n = next["case_number"].as_str().unwrap();
    ok(&pg
        .act(
            n,
            json!({"action": "accept", "actor": "caseworker:chen", "reason": "受理"}),
        )
        .await);
    // the change log goes on after the copied positions (its identity sequence was moved)
    let now = pg.store.changes_since(0, 1000).await.unwrap();
    assert_eq!(now[..changes.len()], changes[..]);
    let last_seq = changes.last().unwrap().seq;
    assert!(now.len() > changes.len());
    assert!(
        now[changes.len()..].iter().all(|c| c.seq > last_seq),
        "{now:?}"
    );
    let again = run(&data, &["audit", "verify", "--database-url", &url]);
    assert!(again.status.success(), "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_holds_data_is_refused_and_left_as_it_was() {
    let Some(_) = empty_postgres().await else {
        return;
    };
    let mut app = sqlite_app().await;
    app.file_complaint_json(&fair_complaint("30001234")).await;
    app.stop().await.unwrap();
    let busy = kuaiwei_e2e::spawn_app(Backend::Postgres).await.unwrap();
    busy.file_complaint_json(&fair_complaint("40001234")).await;
    let url = busy.database_url.clone().unwrap();
    let held = busy.store.inventory().await.unwrap();

    let out = migrate(&data_dir(&app), &url).await;
    assert!(!out.status.success(), "{out:?}");
    let said = text(&out.stderr);
    assert!(
        said.contains("already holds data") && said.contains("complaints (1)"),
        "{said}"
    );
    assert_eq!(busy.store.inventory().await.unwrap(), held);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_directory_a_server_is_using_is_refused() {
    let Some(url) = empty_postgres().await else {
        return;
    };
    let app = sqlite_app().await;
    app.file_complaint_json(&fair_complaint("30001234")).await;
    // what `kuaiwei serve` on SQLite holds for as long as it runs
    let serving = kuaiwei_evidence::EvidenceStore::open_exclusive(&app.evidence_root)
        .await
        .unwrap();
    assert!(serving.is_exclusive());
    let out = migrate(&data_dir(&app), &url).await;
    assert!(!out.status.success(), "{out:?}");
    assert!(text(&out.stderr).contains("stop it first"), "{out:?}");
    drop(serving);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_value_postgresql_cannot_take_is_named_and_nothing_is_committed() {
    let Some(url) = empty_postgres().await else {
        return;
    };
    let mut app = sqlite_app().await;
    app.file_complaint_json(&fair_complaint("30001234")).await;
    app.add_account("chen", "caseworker", None).await;
    app.stop().await.unwrap();
    let data = data_dir(&app);
    {
        use sqlx::Connection;
        let db = format!("sqlite://{}", data.join("kuaiwei.db").display());
        let mut conn = sqlx::SqliteConnection::connect(&db).await.unwrap();
        sqlx::query("update accounts set created_at = 'last Tuesday' where username = 'chen'")
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    }
    let out = migrate(&data, &url).await;
    assert!(!out.status.success(), "{out:?}");
    let said = text(&out.stderr);
    assert!(
        said.contains("accounts.created_at") && said.contains("last Tuesday"),
        "{said}"
    );
    let target = kuaiwei_store_postgres::PostgresStore::connect(
        &url,
        kuaiwei_store_postgres::WriteOptions::default(),
    )
    .await
    .unwrap();
    let inv = target.inventory().await.unwrap();
    assert_eq!((inv.complaints, inv.audit_events), (0, 0), "{inv:?}");
    assert!(target.accounts().await.unwrap().is_empty());
    // fixed, the same command goes through
    {
        use sqlx::Connection;
        let db = format!("sqlite://{}", data.join("kuaiwei.db").display());
        let mut conn = sqlx::SqliteConnection::connect(&db).await.unwrap();
        sqlx::query(
            "update accounts set created_at = '2026-10-13T02:00:00.000000Z' where username = 'chen'",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
    }
    let out = migrate(&data, &url).await;
    assert!(out.status.success(), "{out:?}");
    assert_eq!(target.inventory().await.unwrap().complaints, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_that_is_not_postgresql_or_a_missing_store_is_refused_by_name() {
    let dir = kuaiwei_e2e::TempDir::new("migrate");
    let out = run(dir.path(), &["migrate-store", "--to", "mysql://x"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("must be a PostgreSQL URL"),
        "{out:?}"
    );
    let out = run(
        dir.path(),
        &["migrate-store", "--to", "postgres://127.0.0.1/x"],
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("no SQLite database"), "{out:?}");
    assert!(!dir.path().join("kuaiwei.db").exists());
}
