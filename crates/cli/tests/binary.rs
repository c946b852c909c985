//! The real `kuaiwei` binary: serving on SQLite until SIGTERM, and the calendar commands whose
//! output scripts rely on.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use kuaiwei_e2e::{ApiClient, TempDir, serial};

/// Cargo builds the binary of this package for its integration tests.
fn kuaiwei() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kuaiwei"))
}

fn run(bin: &Path, data_dir: &Path, args: &[&str]) -> Output {
    Command::new(bin)
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("KUAIWEI_CONFIG")
        .env_remove("KUAIWEI_DATABASE_URL")
        .output()
        .expect("the kuaiwei binary runs")
}

/// A port that was free a moment ago.
fn free_port() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

/// A `kuaiwei serve` process, killed if a test fails while it runs.
struct Server {
    child: Child,
    log: PathBuf,
    address: SocketAddr,
}

impl Server {
    fn start(bin: &Path, data_dir: &Path, log: PathBuf) -> Server {
        Server::start_env(bin, data_dir, log, &[])
    }

    fn start_env(bin: &Path, data_dir: &Path, log: PathBuf, env: &[(&str, &str)]) -> Server {
        let address = free_port();
        let out = std::fs::File::create(&log).unwrap();
        let child = Command::new(bin)
            .arg("--data-dir")
            .arg(data_dir)
            .args(["serve", "--listen", &address.to_string()])
            .envs(env.iter().copied())
            .env_remove("KUAIWEI_CONFIG")
            .env_remove("KUAIWEI_DATABASE_URL")
            .env_remove("KUAIWEI_LISTEN")
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .expect("kuaiwei serve starts");
        Server {
            child,
            log,
            address,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until `/readyz` answers 200, failing if the process exits first.
    async fn ready(&mut self, client: &ApiClient) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("kuaiwei serve exited with {status}:\n{}", self.log());
            }
            if tokio::net::TcpStream::connect(self.address).await.is_ok()
                && client.get("/readyz", &[]).await.status == 200
            {
                return;
            }
            assert!(Instant::now() < deadline, "not ready:\n{}", self.log());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Sends SIGTERM and waits for the exit status.
    async fn terminate(&mut self) -> std::process::ExitStatus {
        let killed = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(killed.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "still running after SIGTERM:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_serves_until_sigterm_exits_zero_and_keeps_what_it_filed() {
    let bin = kuaiwei();
    let dir = TempDir::new("bin-serve");
    let data = dir.path().join("data");

    let mut server = Server::start(&bin, &data, dir.path().join("serve-1.log"));
    let client = ApiClient::new(server.address);
    server.ready(&client).await;
    let receipt = client.file_complaint(1).await;
    assert_eq!(serial(receipt["case_number"].as_str().unwrap()), 1);
    let status = server.terminate().await;
    assert!(status.success(), "exit {status}:\n{}", server.log());
    assert!(data.join("kuaiwei.db").is_file());

    // A second start on the same data directory still knows the case.
    let mut again = Server::start(&bin, &data, dir.path().join("serve-2.log"));
    let client = ApiClient::new(again.address);
    again.ready(&client).await;
    let view = client.status_of(&receipt).await;
    assert_eq!(view.status, 200, "{}", String::from_utf8_lossy(&view.body));
    assert_eq!(view.json()["case_number"], receipt["case_number"]);
    let next = client.file_complaint(2).await;
    assert_eq!(serial(next["case_number"].as_str().unwrap()), 2);
    let status = again.terminate().await;
    assert!(status.success(), "exit {status}:\n{}", again.log());
    // the server kept a search index beside the database; reindex rebuilds it from the store,
    // even an index of an older schema (as after an upgrade that changed the tokenization)
    let version = data.join("search-index").join("kuaiwei-schema-version");
    std::fs::write(&version, "4").unwrap();
    let reindexed = run(&bin, &data, &["reindex"]);
    assert!(reindexed.status.success(), "{reindexed:?}");
    let said = String::from_utf8_lossy(&reindexed.stdout);
    assert!(
        said.starts_with("ok: 2 cases indexed") && said.contains("; 2 documents"),
        "{said}"
    );
    assert_eq!(
        std::fs::read_to_string(&version).unwrap(),
        kuaiwei_search::SCHEMA_VERSION.to_string()
    );

    // The first administrator's creation and two filings: three events on an intact chain;
    // then someone edits the database behind kuaiwei's back and `audit verify` names the event.
    // the server anchored the chain's head at each shutdown (docs/operations.md)
    let anchors = std::fs::read_to_string(data.join("audit-anchors.log")).unwrap();
    assert!(anchors.lines().count() >= 1, "{anchors}");
    assert!(anchors.lines().all(|l| l.starts_with("v1 ")), "{anchors}");
    let verified = run(&bin, &data, &["audit", "verify"]);
    assert!(verified.status.success(), "{verified:?}");
    let said = String::from_utf8_lossy(&verified.stdout);
    assert!(said.starts_with("ok: 3 events, chain intact\n"), "{said}");
    assert!(said.contains("2 件与提交时的摘要一致"), "{said}");
    // each verification is recorded on the chain, for the administrator's audit page
    let again = run(&bin, &data, &["audit", "verify"]);
    assert!(
        String::from_utf8_lossy(&again.stdout).starts_with("ok: 4 events, chain intact\n"),
        "{again:?}"
    );
    let url = format!("sqlite://{}", data.join("kuaiwei.db").display());
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    sqlx::raw_sql(
        "drop trigger audit_events_no_update; update audit_events set actor = 'mallory' where seq = 2",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let broken = run(&bin, &data, &["audit", "verify"]);
    assert_eq!(broken.status.code(), Some(1));
    let err = String::from_utf8_lossy(&broken.stderr);
    assert!(err.contains("event 2") && err.contains("edited"), "{err}");
}

#[test]
fn calendar_check_prints_working_for_the_adjusted_saturday_after_national_day() {
    let bin = kuaiwei();
    let dir = TempDir::new("bin-cal");
    let out = run(&bin, dir.path(), &["calendar", "check", "2026-10-10"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "working\n");
    let out = run(&bin, dir.path(), &["calendar", "check", "2026-10-01"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "rest\n");
}

#[test]
fn calendar_add_counts_five_working_days_across_national_day() {
    let bin = kuaiwei();
    let dir = TempDir::new("bin-cal");
    let out = run(
        &bin,
        dir.path(),
        &["calendar", "add", "2026-09-28", "--working-days", "5"],
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "2026-10-10\n");
}

#[test]
fn calendar_check_of_an_unpublished_year_answers_provisionally_and_before_2025_fails() {
    let bin = kuaiwei();
    let dir = TempDir::new("bin-cal");
    // 2030-01-01 is 元旦 under the holiday law, whatever the notice adds
    let out = run(&bin, dir.path(), &["calendar", "check", "2030-01-01"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "rest\n");
    let note = String::from_utf8_lossy(&out.stderr);
    assert!(
        note.contains("provisional") && note.contains("2030"),
        "{out:?}"
    );
    // a year before the revised law is not guessed
    let out = run(&bin, dir.path(), &["calendar", "check", "2023-06-01"]);
    assert!(!out.status.success(), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("2023"),
        "{out:?}"
    );
}

#[test]
fn audit_verify_refuses_a_directory_without_a_database_and_finds_a_new_chain_intact() {
    let bin = kuaiwei();
    let dir = TempDir::new("bin-audit");
    // run where there is no data directory: said, and nothing made
    let nowhere = run(&bin, dir.path(), &["audit", "verify"]);
    assert_eq!(nowhere.status.code(), Some(1), "{nowhere:?}");
    let err = String::from_utf8_lossy(&nowhere.stderr);
    assert!(
        err.contains("没有找到数据库") && err.contains("no database at"),
        "{err}"
    );
    for read_only in [
        &["report", "on-time", "--month", "2026-10"][..],
        &["user", "list"],
        &["evidence", "verify"],
    ] {
        let out = run(&bin, dir.path(), read_only);
        assert_eq!(out.status.code(), Some(1), "{read_only:?}: {out:?}");
    }
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "no empty store was made"
    );
    let made = run(&bin, dir.path(), &["migrate"]);
    assert!(made.status.success(), "{made:?}");
    let fresh = run(&bin, dir.path(), &["audit", "verify"]);
    assert!(fresh.status.success(), "{fresh:?}");
    let said = String::from_utf8_lossy(&fresh.stdout);
    assert!(said.starts_with("ok: 0 events, chain intact\n"), "{said}");
    // the first verification made the anchor key, owner-only; nothing to anchor yet
    assert!(dir.path().join("audit-anchor.key").is_file());
}

#[test]
fn recompute_reports_what_it_checked_and_a_bad_triage_config_is_refused_by_name() {
    let bin = kuaiwei();
    let dir = TempDir::new("bin-recompute");
    assert!(run(&bin, dir.path(), &["migrate"]).status.success());
    let out = run(&bin, dir.path(), &["recompute"]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("checked 0 cases (open, and closed ones due from")
            && text.contains("已更新 / updated 0"),
        "{text}"
    );

    let config = dir.path().join("kuaiwei.toml");
    std::fs::write(&config, "[triage]\nrepeat_min_upheld = 0\n").unwrap();
    let out = Command::new(&bin)
        .arg("--data-dir")
        .arg(dir.path())
        .arg("--config")
        .arg(&config)
        .arg("recompute")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("repeat_min_upheld"), "{err}");
}

#[test]
fn report_on_time_prints_json_csv_and_html_writes_xlsx_and_freezes_a_month_once() {
    let bin = kuaiwei();
    let dir = TempDir::new("bin-report");
    assert!(run(&bin, dir.path(), &["migrate"]).status.success());
    // a centre supervisor, who may freeze, and a caseworker, who may not
    for (name, role) in [("zhao", "supervisor"), ("li.na", "caseworker")] {
        let made = run_with_input(
            &bin,
            dir.path(),
            &["user", "add", name, "--role", role],
            "知识产权保护-2026\n",
        );
        assert!(made.status.success(), "{made:?}");
    }
    let month = ["report", "on-time", "--month", "2026-10"];
    let json = run(&bin, dir.path(), &month);
    assert!(json.status.success(), "{json:?}");
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["period"], "2026-10");
    assert_eq!(v["complete"], true);
    assert_eq!(v["headline"]["counted"], 0);
    assert!(v["frozen"].is_null());

    let csv = run(
        &bin,
        dir.path(),
        &[&month[..], &["--format", "csv"]].concat(),
    );
    assert!(csv.status.success(), "{csv:?}");
    assert!(
        csv.stdout
            .starts_with("\u{feff}dimension,key,label,counted".as_bytes())
    );
    let html = run(
        &bin,
        dir.path(),
        &[&month[..], &["--format", "html", "--en"]].concat(),
    );
    assert!(String::from_utf8_lossy(&html.stdout).contains("On-time closure report"));

    let refused = run(
        &bin,
        dir.path(),
        &[&month[..], &["--format", "xlsx"]].concat(),
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--output"));
    let file = dir.path().join("october.xlsx");
    let xlsx = run(
        &bin,
        dir.path(),
        &[
            &month[..],
            &["--format", "xlsx", "-o", file.to_str().unwrap()],
        ]
        .concat(),
    );
    assert!(xlsx.status.success(), "{xlsx:?}");
    assert!(std::fs::read(&file).unwrap().starts_with(b"PK"));

    for (args, says) in [
        (vec!["report", "on-time", "--month", "2026-13"], "2026-13"),
        (vec!["report", "on-time", "--month", "2099-01"], "2099-01"),
        (
            vec![
                "report",
                "freeze",
                "--month",
                "2099",
                "--actor",
                "supervisor:zhao",
            ],
            "2099",
        ),
    ] {
        let out = run(&bin, dir.path(), &args);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says) && err.contains(" / "), "{args:?}: {err}");
    }

    // the actor is an account that may freeze: an unknown name and an officer are refused
    let freeze_as =
        |actor: &'static str| ["report", "freeze", "--month", "2026-10", "--actor", actor];
    let unknown = run(&bin, dir.path(), &freeze_as("wang"));
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no enabled account"));
    let caseworker = run(&bin, dir.path(), &freeze_as("li.na"));
    assert!(!caseworker.status.success());
    assert!(String::from_utf8_lossy(&caseworker.stderr).contains("only a centre supervisor"));
    let freeze = freeze_as("zhao");
    let done = run(&bin, dir.path(), &freeze);
    assert!(done.status.success(), "{done:?}");
    assert!(String::from_utf8_lossy(&done.stdout).contains("frozen 2026-10"));
    let again = run(&bin, dir.path(), &freeze);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("frozen already"));
    let read = run(&bin, dir.path(), &month);
    let v: serde_json::Value = serde_json::from_slice(&read.stdout).unwrap();
    assert_eq!(v["frozen"]["frozen_by"], "supervisor:zhao");
}

#[test]
fn report_watch_prints_the_digest_as_text_json_or_html_and_refuses_bad_filters() {
    let bin = kuaiwei();
    let dir = TempDir::new("bin-watch");
    assert!(run(&bin, dir.path(), &["migrate"]).status.success());
    let text = run(&bin, dir.path(), &["report", "watch"]);
    assert!(text.status.success(), "{text:?}");
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.starts_with("期限预警 "), "{text}");
    assert!(text.contains("已超期 0 件；7 天内到期 0 件"), "{text}");
    let en = run(
        &bin,
        dir.path(),
        &["report", "watch", "--en", "--days", "30"],
    );
    assert!(String::from_utf8_lossy(&en.stdout).contains("0 overdue; 0 due within 30 days"));
    let json = run(&bin, dir.path(), &["report", "watch", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["days"], 7);
    assert_eq!(v["agencies"], serde_json::json!([]));
    let file = dir.path().join("watch.html");
    let html = run(
        &bin,
        dir.path(),
        &[
            "report",
            "watch",
            "--format",
            "html",
            "-o",
            file.to_str().unwrap(),
        ],
    );
    assert!(html.status.success(), "{html:?}");
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("<h1>期限预警</h1>")
    );

    for (args, says) in [
        (
            vec!["report", "watch", "--agency", "tax_bureau"],
            "tax_bureau",
        ),
        (vec!["report", "watch", "--days", "0"], "1"),
    ] {
        let out = run(&bin, dir.path(), &args);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says) && err.contains(" / "), "{args:?}: {err}");
    }
}

/// `kuaiwei ARGS` with `input` on standard input (not a terminal, so no prompt).
fn run_with_input(bin: &Path, data_dir: &Path, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(bin)
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("KUAIWEI_CONFIG")
        .env_remove("KUAIWEI_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the kuaiwei binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn user_accounts_are_added_with_a_hashed_password_from_stdin_listed_reset_and_disabled() {
    let bin = kuaiwei();
    let dir = TempDir::new("bin-user");
    let add = |args: &[&str], input: &str| {
        run_with_input(&bin, dir.path(), &[&["user", "add"], args].concat(), input)
    };
    let ok = add(
        &[
            "Officer.Li",
            "--role",
            "officer",
            "--agency",
            "ip_office",
            "--name",
            "李明",
        ],
        "知识产权保护-2026\n",
    );
    assert!(ok.status.success(), "{ok:?}");
    assert!(String::from_utf8_lossy(&ok.stdout).contains("officer.li"));
    // refused, each by name, and nothing stored
    for (args, input, says) in [
        (
            vec!["officer.li", "--role", "officer", "--agency", "ip_office"],
            "另一个密码-2026\n",
            "taken",
        ),
        (
            vec!["zhao", "--role", "officer"],
            "另一个密码-2026\n",
            "--agency",
        ),
        (
            vec!["zhao", "--role", "administrator", "--agency", "customs"],
            "另一个密码-2026\n",
            "drop --agency",
        ),
        (
            vec!["zhao", "--role", "officer", "--agency", "tax"],
            "另一个密码-2026\n",
            "tax",
        ),
        (vec!["zhao", "--role", "root"], "另一个密码-2026\n", "root"),
        (vec!["zhao", "--role", "caseworker"], "short\n", "8 to 128"),
        (
            vec!["zhao", "--role", "caseworker"],
            "woaini1314\n",
            "common",
        ),
        (
            vec!["zhao.caseworker", "--role", "caseworker"],
            "Zhao.Caseworker\n",
            "user name",
        ),
        (
            vec!["赵", "--role", "caseworker"],
            "另一个密码-2026\n",
            "user name",
        ),
    ] {
        let out = add(&args, input);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says) && err.contains(" / "), "{args:?}: {err}");
    }
    let list = run(&bin, dir.path(), &["user", "list"]);
    let listed = String::from_utf8(list.stdout).unwrap();
    let rows: Vec<&str> = listed.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{listed}");
    assert!(
        rows[0].starts_with("officer.li\tofficer\tip_office\t李明\t"),
        "{listed}"
    );
    assert!(!listed.contains("argon2"), "the list never shows a hash");

    // the stored hash is argon2id at policy strength and holds the password given
    let db = dir.path().join("kuaiwei.db");
    let stored = || -> (String, Option<String>) {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            use sqlx::Connection;
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite:{}", db.display()))
                .await
                .unwrap();
            sqlx::query_as(
                "select password_hash, disabled_at from accounts where username = 'officer.li'",
            )
            .fetch_one(&mut c)
            .await
            .unwrap()
        })
    };
    let (first, _) = stored();
    assert!(
        first.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{first}"
    );
    assert!(!first.contains("知识产权保护-2026"));

    let reset = run_with_input(
        &bin,
        dir.path(),
        &["user", "reset-password", "officer.li"],
        "换一个新的密码-2027\n",
    );
    assert!(reset.status.success(), "{reset:?}");
    let (second, _) = stored();
    assert_ne!(second, first);
    let missing = run_with_input(
        &bin,
        dir.path(),
        &["user", "reset-password", "nobody"],
        "换一个新的密码-2027\n",
    );
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no account named nobody"));

    let disable = run(&bin, dir.path(), &["user", "disable", "officer.li"]);
    assert!(disable.status.success(), "{disable:?}");
    assert!(stored().1.is_some());
    assert!(String::from_utf8_lossy(&disable.stdout).contains("sessions ended: 0"));
    let again = add(
        &["officer.li", "--role", "officer", "--agency", "ip_office"],
        "知识产权保护-2026\n",
    );
    assert!(!again.status.success(), "a disabled name is never reused");
    // every change is on the audit chain (created, password reset, disabled), which verifies
    let verify = run(&bin, dir.path(), &["audit", "verify"]);
    assert!(verify.status.success(), "{verify:?}");
    let said = String::from_utf8_lossy(&verify.stdout);
    assert!(said.contains('3'), "{said}");
}

#[test]
fn an_api_key_is_printed_once_listed_without_itself_and_revoked_for_good() {
    let bin = kuaiwei();
    let dir = TempDir::new("bin-token");
    let add = run(&bin, dir.path(), &["token", "add", "TaoBao"]);
    assert!(add.status.success(), "{add:?}");
    let key = String::from_utf8_lossy(&add.stdout).trim().to_string();
    assert!(key.starts_with("kw_") && key.len() == 35, "{key}");
    assert!(String::from_utf8_lossy(&add.stderr).contains("shown this once"));
    let list = run(&bin, dir.path(), &["token", "list"]);
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(
        listed.contains("taobao	intake	") && listed.contains("	-"),
        "{listed}"
    );
    assert!(
        !listed.contains(&key[3..]),
        "the key itself is never listed"
    );
    let again = run(&bin, dir.path(), &["token", "add", "taobao"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("the name taobao is taken"));
    let bad = run(&bin, dir.path(), &["token", "add", "淘宝"]);
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("name \"淘宝\" is not usable"),
        "{bad:?}"
    );
    let revoke = run(&bin, dir.path(), &["token", "revoke", "taobao"]);
    assert!(revoke.status.success(), "{revoke:?}");
    let listed =
        String::from_utf8_lossy(&run(&bin, dir.path(), &["token", "list"]).stdout).to_string();
    assert!(!listed.contains("	-"), "revoked: {listed}");
    let unknown = run(&bin, dir.path(), &["token", "revoke", "nobody"]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no API key named nobody"));
    let verify = run(&bin, dir.path(), &["audit", "verify"]);
    assert!(verify.status.success(), "{verify:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_start_creates_an_administrator_whose_password_is_in_an_owner_only_file() {
    use std::os::unix::fs::PermissionsExt;
    let bin = kuaiwei();
    let dir = TempDir::new("bin-admin");
    let data = dir.path().join("data");
    let mut server = Server::start(&bin, &data, dir.path().join("serve-1.log"));
    let client = ApiClient::new(server.address);
    server.ready(&client).await;
    let file = data.join("initial-admin-password");
    let secret = std::fs::read_to_string(&file).unwrap();
    let secret = secret.trim();
    assert_eq!(secret.len(), 32);
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "owner-only");
    let log = server.log();
    assert!(log.contains("initial-admin-password"), "{log}");
    assert!(!log.contains(secret), "the password is never logged");
    let login = client
        .post_json(
            "/api/v1/session",
            serde_json::json!({"username": "admin", "password": secret}).to_string(),
            &[],
        )
        .await;
    assert_eq!(
        login.status,
        200,
        "{}",
        String::from_utf8_lossy(&login.body)
    );
    assert_eq!(login.json()["role"], "administrator");
    assert!(server.terminate().await.success());

    // accounts exist now: a second start creates none and leaves the file alone
    std::fs::remove_file(&file).unwrap();
    let mut again = Server::start(&bin, &data, dir.path().join("serve-2.log"));
    let client = ApiClient::new(again.address);
    again.ready(&client).await;
    assert!(!file.exists());
    assert!(again.terminate().await.success());
    let list = run(&bin, &data, &["user", "list"]);
    assert_eq!(String::from_utf8_lossy(&list.stdout).lines().count(), 2);
}

/// `KUAIWEI_LOG_FORMAT=json`: every line of the log is a JSON object, each request has its
/// access line with the id the client got back, and a file gets no colour codes; an unknown
/// format is refused by name.
#[tokio::test]
async fn the_json_log_has_one_access_line_per_request_with_its_id() {
    let dir = TempDir::new("bin-log");
    let bin = kuaiwei();
    let data = dir.path().join("data");
    let mut server = Server::start_env(
        &bin,
        &data,
        dir.path().join("serve.log"),
        &[("KUAIWEI_LOG_FORMAT", "json"), ("KUAIWEI_LOG", "info")],
    );
    let client = ApiClient::new(server.address);
    server.ready(&client).await;
    let res = client.get("/api/v1/procedures?x=secret-term", &[]).await;
    assert_eq!(res.status, 200);
    let id = res.header("x-request-id").unwrap().to_string();
    assert!(server.terminate().await.success());
    let log = server.log();
    assert!(!log.contains('\u{1b}'), "no colour codes in a file:\n{log}");
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
    }
    let line = log
        .lines()
        .find(|l| l.contains(&id))
        .unwrap_or_else(|| panic!("no access line for {id}:\n{log}"));
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(v["target"], "kuaiwei::access", "{v}");
    assert_eq!(v["path"], "/api/v1/procedures", "{v}");
    assert_eq!(v["method"], "GET");
    assert_eq!(v["status"], 200);
    assert!(
        !line.contains("secret-term"),
        "the query is not logged: {line}"
    );

    let out = Command::new(&bin)
        .arg("--data-dir")
        .arg(&data)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("KUAIWEI_LOG_FORMAT", "xml")
        .env_remove("KUAIWEI_CONFIG")
        .env_remove("KUAIWEI_DATABASE_URL")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("KUAIWEI_LOG_FORMAT") && err.contains("text or json"),
        "{err}"
    );
}
