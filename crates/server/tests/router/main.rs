//! Router tests: the whole API driven through `oneshot`, without a socket, on a temporary SQLite
//! file and evidence directory. The limits are small so that every one of them can be passed
//! cheaply; every refusal is checked for its status, its error code, its two messages, and for
//! having stored nothing.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use kuaiwei_deadlines::{Calendar, Procedures};
use kuaiwei_evidence::EvidenceStore;
use kuaiwei_server::{AppState, Limits, router};
use kuaiwei_store::{ComplaintFilter, Page, Store};
use kuaiwei_store_sqlite::{SqliteStore, WriteOptions};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

const LIMITS: Limits = Limits {
    json_bytes: 4 * 1024,
    file_bytes: 64 * 1024,
    files: 4,
    // Below two full-size files: the request limit can be passed with files that are each fine.
    request_bytes: 100 * 1024,
};

const BOUNDARY: &str = "kuaiwei-test-boundary-7MA4YWxkTrZu0gW";

// ---------------------------------------------------------------------------------------------
// fixture

/// A directory removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "kuaiwei-router-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct App {
    router: Router,
    store: Arc<dyn Store>,
    state: AppState,
    evidence_root: PathBuf,
    /// The session cookie every request carries, once [`App::logged_in`].
    cookie: Option<String>,
    /// Session cookies of the step actors of [`App::act`], by `role:name@agency`.
    actors: Arc<std::sync::Mutex<std::collections::HashMap<String, String>>>,
    _dir: TempDir,
}

async fn app() -> App {
    app_with(Calendar::bundled()).await
}

async fn app_with(calendar: Calendar) -> App {
    app_full(calendar, kuaiwei_server::Clock::system()).await
}

/// An app whose clock stands at `at` (`app.state.clock.set` moves it).
async fn app_at(at: &str) -> App {
    let at = at.parse().expect("a timestamp");
    app_full(Calendar::bundled(), kuaiwei_server::Clock::fixed(at)).await
}

async fn app_full(calendar: Calendar, clock: kuaiwei_server::Clock) -> App {
    let dir = TempDir::new();
    let store: Arc<dyn Store> = Arc::new(
        SqliteStore::open(&dir.0.join("kuaiwei.db"), WriteOptions::default())
            .await
            .unwrap(),
    );
    let evidence_root = dir.0.join("evidence");
    let state = AppState {
        store: store.clone(),
        evidence: EvidenceStore::open(&evidence_root).await.unwrap(),
        limits: LIMITS,
        calendar: kuaiwei_server::SharedCalendar::fixed(calendar),
        procedures: Arc::new(Procedures::bundled()),
        rules: Arc::new(kuaiwei_routing::RuleSet::bundled()),
        triage: kuaiwei_server::TriageConfig::default(),
        clock,
        report_cache: Default::default(),
        report_facts: Some(Default::default()),
        auth: Default::default(),
        intake_limits: Default::default(),
        search: Some(Arc::new(
            kuaiwei_search::SearchIndex::in_memory(kuaiwei_search::Synonyms::default(), 1).unwrap(),
        )),
        notify: None,
        metrics: Default::default(),
    };
    App {
        router: router(state.clone()),
        state,
        store,
        evidence_root,
        cookie: None,
        actors: Default::default(),
        _dir: dir,
    }
}

struct Response {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl App {
    /// This app with an account of `role` (and `agency`) logged in: every request carries its
    /// session cookie.
    async fn logged_in(mut self, role: &str, agency: Option<&str>) -> App {
        self.cookie = Some(self.login_cookie(role, agency).await);
        self
    }

    /// Logs the account of [`App::logged_in`] in again (after the test clock jumped past the
    /// session's idle end).
    async fn log_in_again(&mut self, role: &str, agency: Option<&str>) {
        let username = format!("{role}.{}", agency.unwrap_or("centre"));
        let res = self
            .post_json(
                "/api/v1/session",
                json!({"username": username, "password": "测试用的密码-2026"}).to_string(),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let cookie = res.headers[header::SET_COOKIE].to_str().unwrap();
        self.cookie = Some(cookie.split(';').next().unwrap().to_string());
    }

    /// Creates an account of `role` (and `agency`), logs it in and returns its cookie.
    async fn login_cookie(&self, role: &str, agency: Option<&str>) -> String {
        let username = format!("{role}.{}", agency.unwrap_or("centre"));
        self.account_cookie(&username, role, agency).await
    }

    /// Takes a step on case `number` as the account its `actor` field names, `role:name` or
    /// `role:name@agency` (the field is taken out: the API refuses it). The account is created
    /// at first use; an officer without a named agency belongs to the case's agency, a
    /// supervisor without one is the centre's.
    async fn act(&self, number: &str, mut body: Value) -> Response {
        let actor = body
            .as_object_mut()
            .and_then(|o| o.remove("actor"))
            .and_then(|a| a.as_str().map(str::to_string))
            .expect("a step names its actor");
        let uri = format!("/api/v1/cases/{number}/actions");
        let cookie = self.actor_cookie(&actor, number).await;
        let res = self
            .post_json_with(&uri, body.to_string(), &[("cookie", &cookie)])
            .await;
        if res.status != StatusCode::UNAUTHORIZED {
            return res;
        }
        // the test clock moved past the session's end: log in again
        self.actors.lock().unwrap().retain(|_, c| *c != cookie);
        let cookie = self.actor_cookie(&actor, number).await;
        self.post_json_with(&uri, body.to_string(), &[("cookie", &cookie)])
            .await
    }

    async fn actor_cookie(&self, actor: &str, number: &str) -> String {
        let (role, name) = actor.split_once(':').expect("actor as role:name");
        let (name, agency) = match name.split_once('@') {
            Some((n, a)) => (n, Some(a.to_string())),
            None if role == "officer" => {
                let case = self.store.case(number).await.unwrap();
                (name, case.and_then(|c| c.agency))
            }
            None => (name, None),
        };
        let key = format!("{role}:{name}@{}", agency.as_deref().unwrap_or(""));
        if let Some(c) = self.actors.lock().unwrap().get(&key) {
            return c.clone();
        }
        let cookie = self.account_cookie(name, role, agency.as_deref()).await;
        self.actors.lock().unwrap().insert(key, cookie.clone());
        cookie
    }

    async fn account_cookie(&self, username: &str, role: &str, agency: Option<&str>) -> String {
        let at = self.state.clock.now();
        if self.store.account(username).await.unwrap().is_none() {
            self.store
                .create_account(&kuaiwei_store::Account {
                    username: username.into(),
                    display_name: username.into(),
                    role: role.into(),
                    agency: agency.map(str::to_string),
                    password_hash: kuaiwei_access::password::hash("测试用的密码-2026").unwrap(),
                    created_at: at,
                    password_changed_at: at,
                    disabled_at: None,
                    contact: Default::default(),
                })
                .await
                .unwrap();
        }
        let res = self
            .post_json(
                "/api/v1/session",
                json!({"username": username, "password": "测试用的密码-2026"}).to_string(),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let cookie = res.headers[header::SET_COOKIE].to_str().unwrap();
        cookie.split(';').next().unwrap().to_string()
    }

    async fn send(&self, mut req: Request<Body>) -> Response {
        if let Some(c) = &self.cookie
            && !req.headers().contains_key(header::COOKIE)
        {
            req.headers_mut().insert(header::COOKIE, c.parse().unwrap());
        }
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                panic!(
                    "response body is not JSON ({e}): {}",
                    String::from_utf8_lossy(&bytes)
                )
            })
        };
        Response {
            status,
            headers,
            body,
        }
    }

    async fn get(&self, uri: &str) -> Response {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    /// A page: its body as text (asserting 200).
    async fn get_text(&self, uri: &str) -> String {
        let mut req = Request::get(uri).body(Body::empty()).unwrap();
        if let Some(c) = &self.cookie {
            req.headers_mut().insert(header::COOKIE, c.parse().unwrap());
        }
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        assert_eq!(status, StatusCode::OK, "{uri}: {text}");
        text
    }

    async fn get_status(&self, case_number: &str, token: &str) -> Response {
        self.send(
            Request::get(format!("/api/v1/complaints/{case_number}"))
                .header("x-tracking-token", token)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    async fn post_json(&self, uri: &str, body: impl Into<Body>) -> Response {
        self.post_json_with(uri, body, &[]).await
    }

    async fn post_json_with(
        &self,
        uri: &str,
        body: impl Into<Body>,
        headers: &[(&str, &str)],
    ) -> Response {
        let mut req = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(body.into()).unwrap()).await
    }

    async fn post_multipart(&self, form: Form) -> Response {
        self.post_multipart_to("/api/v1/complaints", form, &[])
            .await
    }

    async fn post_multipart_to(&self, uri: &str, form: Form, headers: &[(&str, &str)]) -> Response {
        let mut req = Request::post(uri).header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        );
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(Body::from(form.finish())).unwrap())
            .await
    }

    async fn change_count(&self) -> usize {
        self.store.changes_since(0, 1000).await.unwrap().len()
    }

    /// Nothing in the change log, no complaint, no evidence file and no temporary left over.
    async fn assert_nothing_stored(&self) {
        assert_eq!(self.change_count().await, 0, "the change log is not empty");
        let listed = self
            .store
            .list_complaints(&ComplaintFilter::default(), Page::first(Page::MAX))
            .await
            .unwrap();
        assert!(listed.is_empty(), "complaints were stored: {listed:?}");
        assert_eq!(
            files_under(&self.evidence_root.join("tmp")),
            Vec::<PathBuf>::new()
        );
        assert_eq!(
            files_under(&self.evidence_root.join("sha256")),
            Vec::<PathBuf>::new()
        );
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries {
        let path = e.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Asserts the one error shape, its status and code, and that both messages say something.
fn assert_error(res: &Response, status: StatusCode, code: &str) {
    assert_eq!(res.status, status, "body: {}", res.body);
    let e = &res.body["error"];
    assert_eq!(e["status"], status.as_u16(), "body: {}", res.body);
    assert_eq!(e["code"], code, "body: {}", res.body);
    for m in ["message_zh", "message_en"] {
        let text = e[m].as_str().unwrap_or("");
        assert!(!text.trim().is_empty(), "{m} is empty in {}", res.body);
    }
}

/// The `(path, code)` of every field error, each checked for its two messages.
fn field_errors(res: &Response) -> Vec<(String, String)> {
    let fields = res.body["error"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no fields in {}", res.body));
    fields
        .iter()
        .map(|f| {
            for m in ["message_zh", "message_en"] {
                assert!(
                    !f[m].as_str().unwrap_or("").trim().is_empty(),
                    "{m} empty in {f}"
                );
            }
            (
                f["path"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// bodies

fn complaint() -> Value {
    json!({
        "channel": {"kind": "fair", "fair_name": "第138届广交会", "booth": "16.1K7"},
        "complainant": {"kind": "organisation", "name": "耐克创新有限合伙公司", "mobile": "13812345678"},
        "rights": [{"kind": "trademark", "number": "1234567", "nice_classes": [25]}],
        "respondent": {"name": "某某鞋业有限公司"},
        "description": "展位16.1K7展出的运动鞋使用了与注册商标相同的标识"
    })
}

/// A JPEG that decodes, `len` bytes or a little more.
fn jpeg(len: usize) -> Vec<u8> {
    kuaiwei_evidence::testing::jpeg_of_len(len, 1)
}

fn png() -> Vec<u8> {
    kuaiwei_evidence::testing::png_of_len(300, 1)
}

fn pdf() -> Vec<u8> {
    kuaiwei_evidence::testing::pdf_of_len(400)
}

fn heic() -> Vec<u8> {
    kuaiwei_evidence::testing::heic_of_len(500)
}

/// `head` followed by filler bytes up to `len`.
fn padded(head: &[u8], len: usize) -> Vec<u8> {
    let mut v = head.to_vec();
    v.extend((v.len()..len).map(|i| (i % 251) as u8));
    v
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A multipart/form-data body written by hand.
#[derive(Default)]
struct Form(Vec<u8>);

impl Form {
    fn complaint(self, json: &Value) -> Form {
        self.part(
            "complaint",
            None,
            "application/json",
            json.to_string().as_bytes(),
        )
    }

    fn tagged(self, material: &str, filename: &str, bytes: &[u8]) -> Form {
        self.part(
            &format!("evidence.{material}"),
            Some(filename),
            "application/octet-stream",
            bytes,
        )
    }

    fn evidence(self, filename: &str, bytes: &[u8]) -> Form {
        self.part(
            "evidence",
            Some(filename),
            "application/octet-stream",
            bytes,
        )
    }

    fn part(
        mut self,
        name: &str,
        filename: Option<&str>,
        content_type: &str,
        bytes: &[u8],
    ) -> Form {
        let disposition = match filename {
            Some(f) => format!("form-data; name=\"{name}\"; filename=\"{f}\""),
            None => format!("form-data; name=\"{name}\""),
        };
        self.0.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        self.0.extend_from_slice(bytes);
        self.0.extend_from_slice(b"\r\n");
        self
    }

    fn finish(mut self) -> Vec<u8> {
        self.0
            .extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        self.0
    }
}

fn is_case_number(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 14
        && s.starts_with("KW-")
        && b[3..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..].iter().all(u8::is_ascii_digit)
}

mod access;
mod cases;
mod complaints;
mod deadlines;
mod evidence;
mod limits;
mod metrics;
mod pages;
mod rate;
mod reports;
mod search;
mod session;
mod staff;
mod triage;
mod workbench;
