//! `kuaiwei audit verify` against someone with write access to the database (and, for the
//! evidence, to the files): every way of quietly rewriting the record that the chain alone
//! missed — the tail removed with the head moved back, the tail rewritten with recomputed
//! hashes, everything deleted, a complaint edited after filing, an evidence file changed or
//! removed, the anchor log edited — is found and named. Run as the real binary against a live
//! server's store, on SQLite and on PostgreSQL.

use std::path::PathBuf;
use std::process::{Command, Output};

use kuaiwei_e2e::{
    ApiClient, Backend, Multipart, TestApp, complaint, jpeg, on_every_backend, sha256_hex,
};
use kuaiwei_store::ChainLink;

fn data_dir(app: &TestApp) -> PathBuf {
    app.evidence_root.parent().unwrap().to_path_buf()
}

fn verify(app: &TestApp) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kuaiwei"));
    cmd.arg("--data-dir")
        .arg(data_dir(app))
        .args(["audit", "verify"]);
    if let Some(url) = &app.database_url {
        cmd.arg("--database-url").arg(url);
    }
    cmd.env_remove("KUAIWEI_CONFIG")
        .env_remove("KUAIWEI_DATABASE_URL")
        .output()
        .expect("the kuaiwei binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Files complaint `n` with a photo of its own: (case number, the photo's digest).
async fn file(client: &ApiClient, n: u32) -> (String, String) {
    let photo = [jpeg(600), n.to_be_bytes().to_vec()].concat();
    let form = Multipart::new()
        .complaint(&complaint(n))
        .evidence("booth.jpg", &photo);
    let res = client.post_multipart("/api/v1/complaints", form, &[]).await;
    assert_eq!(res.status, 201, "{}", text(&res.body));
    let number = res.json()["case_number"].as_str().unwrap().to_string();
    (number, sha256_hex(&photo))
}

/// Two filings (events 1 and 2), then a verification that passes, records itself (event 3)
/// and anchors the head at event 3.
async fn anchored(app: &TestApp) -> Vec<(String, String)> {
    let cases = vec![file(app, 1).await, file(app, 2).await];
    let out = verify(app);
    assert!(out.status.success(), "{out:?}");
    let said = text(&out.stdout);
    assert!(said.starts_with("ok: 2 events, chain intact\n"), "{said}");
    assert!(
        said.contains("2 件与提交时的摘要一致 / match their filing digest"),
        "{said}"
    );
    assert!(said.contains("2 个文件与摘要一致"), "{said}");
    assert!(said.contains("anchored now at event 3"), "{said}");
    let log = std::fs::read_to_string(data_dir(app).join("audit-anchors.log")).unwrap();
    assert_eq!(log.lines().count(), 1, "{log}");
    assert!(log.starts_with("v1 3 "), "{log}");
    cases
}

/// A verification that fails, naming what `expected` says; its stderr.
fn fails(app: &TestApp, expected: &[&str]) -> String {
    let out = verify(app);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    for e in expected {
        assert!(err.contains(e), "{e:?} not in:\n{err}");
    }
    assert!(err.contains("audit verification failed"), "{err}");
    err
}

/// Runs statements as someone who switched the database's guards off first (SQLite: the
/// triggers dropped; PostgreSQL: triggers disabled for the session, as a superuser can).
async fn tamper(app: &TestApp, sqlite: &'static str, postgres: &'static str) {
    use sqlx::Connection;
    match app.backend {
        Backend::Sqlite => {
            let url = format!("sqlite://{}", data_dir(app).join("kuaiwei.db").display());
            let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::raw_sql(
                "drop trigger if exists audit_events_no_update;
                 drop trigger if exists audit_events_no_delete;
                 drop trigger if exists audit_head_forward_only;
                 drop trigger if exists audit_head_no_delete;
                 drop trigger if exists complaints_body_sealed;",
            )
            .execute(&mut c)
            .await
            .unwrap();
            sqlx::raw_sql(sqlite).execute(&mut c).await.unwrap();
        }
        Backend::Postgres => {
            let url = app.database_url.as_deref().unwrap();
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::raw_sql("set session_replication_role = replica")
                .execute(&mut c)
                .await
                .unwrap();
            sqlx::raw_sql(postgres).execute(&mut c).await.unwrap();
        }
    }
}

fn evidence_file(app: &TestApp, digest: &str) -> PathBuf {
    app.evidence_root
        .join("sha256")
        .join(&digest[..2])
        .join(digest)
}

async fn the_tail_removed_with_the_head_moved_back_is_found_against_the_anchor(app: TestApp) {
    anchored(&app).await;
    let both = "delete from audit_events where seq > 1;
         update audit_head set seq = 1, hash = (select hash from audit_events where seq = 1)";
    tamper(&app, both, both).await;
    // the chain alone is whole: one event, and the head recorded at it
    fails(
        &app,
        &[
            "the chain ends at event 1",
            "saw event 3",
            "removed from its end",
        ],
    );
}

async fn a_tail_rewritten_with_recomputed_hashes_is_found_against_the_anchor(app: TestApp) {
    anchored(&app).await;
    // event 3 said by someone else, its hash recomputed and the head moved along
    let events = app.store.audit_events(0, 10).await.unwrap();
    let e = &events[2];
    let forged = ChainLink {
        prev_hash: &e.prev_hash,
        seq: e.seq,
        case_number: &e.case_number,
        actor: "cli:mallory",
        at: e.at,
        kind: &e.kind,
        payload: &e.payload,
        reason: e.reason.as_deref(),
    }
    .hash();
    let sql = format!(
        "update audit_events set actor = 'cli:mallory', hash = '{forged}' where seq = 3;
         update audit_head set hash = '{forged}' where id = 1"
    );
    let sql: &'static str = Box::leak(sql.into_boxed_str());
    tamper(&app, sql, sql).await;
    fails(
        &app,
        &["event 3: its hash differs from the anchor", "rewritten"],
    );
}

async fn everything_deleted_is_found_against_the_anchor(app: TestApp) {
    anchored(&app).await;
    let both = "delete from audit_events; delete from audit_head";
    tamper(&app, both, both).await;
    fails(&app, &["holds no audit event", "everything was deleted"]);
}

async fn a_complaint_edited_after_filing_is_named(app: TestApp) {
    let cases = anchored(&app).await;
    tamper(
        &app,
        "update complaints set body = json_set(body, '$.description', '展位上的运动鞋是正品，无侵权')
         where id = (select max(id) from complaints)",
        "update complaints set body = jsonb_set(body, '{description}', '\"展位上的运动鞋是正品，无侵权\"')
         where id = (select max(id) from complaints)",
    )
    .await;
    let err = fails(&app, &["was edited after filing"]);
    assert!(err.contains(&format!("case {}", cases[1].0)), "{err}");
    assert!(!err.contains(&format!("case {}", cases[0].0)), "{err}");
}

async fn an_evidence_file_changed_or_missing_is_named(app: TestApp) {
    let cases = anchored(&app).await;
    let changed = evidence_file(&app, &cases[0].1);
    std::fs::remove_file(&changed).unwrap();
    std::fs::write(&changed, b"another photo").unwrap();
    std::fs::remove_file(evidence_file(&app, &cases[1].1)).unwrap();
    fails(
        &app,
        &[
            &format!(
                "evidence file {} does not match its digest (changed)",
                cases[0].1
            ),
            &format!("evidence file {} is missing", cases[1].1),
        ],
    );
}

async fn an_edited_anchor_log_is_reported(app: TestApp) {
    anchored(&app).await;
    let path = data_dir(&app).join("audit-anchors.log");
    let log = std::fs::read_to_string(&path).unwrap();
    // moving the anchor down to what a truncated chain would show
    std::fs::write(&path, log.replacen("v1 3 ", "v1 1 ", 1)).unwrap();
    fails(&app, &["anchor log line(s) 1", "MAC does not verify"]);
}

async fn an_intact_store_verifies_again_and_each_verification_is_anchored(app: TestApp) {
    anchored(&app).await;
    file(&app, 3).await;
    let out = verify(&app);
    assert!(out.status.success(), "{out:?}");
    let said = text(&out.stdout);
    assert!(said.starts_with("ok: 4 events, chain intact\n"), "{said}");
    assert!(said.contains("锚定 / anchors: 1 条"), "{said}");
    assert!(said.contains("anchored now at event 5"), "{said}");
    let log = std::fs::read_to_string(data_dir(&app).join("audit-anchors.log")).unwrap();
    assert_eq!(log.lines().count(), 2, "{log}");
    let key = data_dir(&app).join("audit-anchor.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    // a log whose key is gone is refused by name rather than read as forged
    std::fs::remove_file(&key).unwrap();
    let out = verify(&app);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(text(&out.stderr).contains("the key"), "{out:?}");
    assert!(!key.exists());
}

on_every_backend!(
    the_tail_removed_with_the_head_moved_back_is_found_against_the_anchor,
    a_tail_rewritten_with_recomputed_hashes_is_found_against_the_anchor,
    everything_deleted_is_found_against_the_anchor,
    a_complaint_edited_after_filing_is_named,
    an_evidence_file_changed_or_missing_is_named,
    an_edited_anchor_log_is_reported,
    an_intact_store_verifies_again_and_each_verification_is_anchored,
);
