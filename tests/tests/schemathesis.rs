//! The OpenAPI document checked against the live server by schemathesis (PyPI, installed by
//! `.ci/run` into a virtualenv; `KUAIWEI_SCHEMATHESIS` names its executable). Every check runs
//! (`--checks all`: no server error, status codes, content types, headers and bodies as
//! documented, invalid input refused, valid input accepted, required headers enforced, other
//! methods answered 405), anonymously and as a logged-in centre supervisor, on both stores.
//! Bounded so that it fits CI: a fixed seed, `MAX_EXAMPLES` cases per operation and
//! `MAX_SECONDS` per run. Without `KUAIWEI_SCHEMATHESIS` the test says loudly that it skipped.

use std::process::Command;

use kuaiwei_e2e::{
    Multipart, TEST_PASSWORD, TestApp, complaint, jpeg, on_every_backend, sha256_hex,
};

/// Cases generated per operation and phase.
const MAX_EXAMPLES: &str = "100";
/// The whole run's time budget, in seconds.
const MAX_SECONDS: &str = "150";

/// A case filed with one photo: its number, tracking token and the photo's digest are the
/// values schemathesis uses for `case_number`, `X-Tracking-Token` and `sha256`
/// (schemathesis.toml), so that the case and evidence operations reach a real case.
struct Filed {
    case_number: String,
    token: String,
    sha256: String,
}

async fn file_one(app: &TestApp) -> Filed {
    let photo = jpeg(4_000);
    let form = Multipart::new()
        .complaint(&complaint(1))
        .evidence("booth.jpg", &photo);
    let res = app.post_multipart("/api/v1/complaints", form, &[]).await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let receipt = res.json();
    Filed {
        case_number: receipt["case_number"].as_str().unwrap().to_string(),
        token: receipt["tracking_token"].as_str().unwrap().to_string(),
        sha256: sha256_hex(&photo),
    }
}

/// Runs schemathesis against `app`, with `headers` on every request; panics with its output
/// unless it reports no failure at all.
async fn schemathesis(
    app: &TestApp,
    filed: &Filed,
    who: &str,
    headers: &[String],
    exclude: &[&str],
) {
    let Ok(exe) = std::env::var("KUAIWEI_SCHEMATHESIS") else {
        eprintln!(
            "!!! SKIPPED schemathesis ({who}): set KUAIWEI_SCHEMATHESIS to its executable \
             (.ci/run installs it into target/schemathesis)"
        );
        return;
    };
    let report = tempfile_path(who);
    let mut cmd = Command::new(exe);
    cmd.arg("--config-file")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schemathesis/schemathesis.toml"
        ))
        .arg("run")
        .arg(format!("http://{}/api/v1/openapi.json", app.address))
        .args(["--checks", "all"])
        .args(["--max-examples", MAX_EXAMPLES])
        .args(["--max-time", MAX_SECONDS])
        .args(["--seed", "20261207"])
        // one worker: CPython 3.11's parser is not safe in threads ("AST constructor recursion
        // depth mismatch" inside hypothesis)
        .args(["--workers", "1"])
        .args(["--request-timeout", "20"])
        .args(["--suppress-health-check", "all"])
        .args(["--generation-database", "none"])
        .args(["--no-color", "--output-truncate", "false"])
        .args(["--report", "junit", "--report-junit-path"])
        .arg(&report)
        // the metrics endpoint and the API description are not fuzzed: neither takes input
        .args(["--exclude-path", "/api/v1/openapi.json"]);
    for h in headers {
        cmd.args(["-H", h]);
    }
    for e in exclude {
        cmd.args(["--exclude-operation-id", e]);
    }
    // its cache of crashes goes to the temporary folder, not into the checkout
    cmd.current_dir(std::env::temp_dir())
        .env("KUAIWEI_ST_CASE", &filed.case_number)
        .env("KUAIWEI_ST_TOKEN", &filed.token)
        .env("KUAIWEI_ST_SHA256", &filed.sha256)
        .env("SCHEMATHESIS_TELEMETRY", "false")
        .env("NO_COLOR", "1");
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .expect("schemathesis runs");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("schemathesis ({who}, {:?}):\n{text}", app.backend);
    assert!(
        out.status.success(),
        "schemathesis found failures ({who}, {:?}):\n{text}",
        app.backend
    );
    // a run that tested nothing would pass too: it must have tested the API's operations
    let junit = std::fs::read_to_string(&report).expect("the junit report is written");
    let cases = junit.matches("<testcase").count();
    assert!(
        cases >= 20,
        "schemathesis tested only {cases} operations ({who}):\n{text}"
    );
    let _ = std::fs::remove_file(report);
}

fn tempfile_path(who: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!(
        "kuaiwei-schemathesis-{}-{who}-{}.xml",
        std::process::id(),
        rand_suffix()
    ))
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// Anonymous: what the public and platforms reach without a session.
async fn anonymous(app: TestApp) {
    let filed = file_one(&app).await;
    schemathesis(&app, &filed, "anonymous", &[], &[]).await;
}

/// Logged in as a centre supervisor (who reads every case and report). Logging out is left out:
/// it would end the run's own session.
async fn logged_in(app: TestApp) {
    let filed = file_one(&app).await;
    app.add_account("st_supervisor", "supervisor", None).await;
    app.log_in("st_supervisor", TEST_PASSWORD).await;
    let cookie = app.session_cookie().expect("logged in");
    schemathesis(
        &app,
        &filed,
        "supervisor",
        &[format!("Cookie: {cookie}")],
        &["logout"],
    )
    .await;
}

on_every_backend!(anonymous, logged_in);
