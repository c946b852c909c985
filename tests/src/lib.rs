//! End-to-end test helpers. [`spawn_app`] starts a real kuaiwei server on `127.0.0.1:0` with a
//! fresh store (a temporary SQLite file, or a fresh PostgreSQL database) and a fresh evidence
//! directory, and [`TestApp`] talks to it over HTTP with a small hyper client ([`ApiClient`]),
//! keeping the store at hand for assertions. Modelled on zero-to-production's `spawn_app()`.
//!
//! PostgreSQL needs `KUAIWEI_TEST_POSTGRES_URL` (for example
//! `postgres://postgres@127.0.0.1:5432/postgres`); without it [`spawn_app`] says loudly that it
//! skipped PostgreSQL and returns `None`.

pub mod smtp;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{HeaderMap, Method, Request, StatusCode, header};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use kuaiwei_deadlines::{Calendar, Procedures};
use kuaiwei_evidence::EvidenceStore;
use kuaiwei_server::{AppState, Limits};
use kuaiwei_store::Store;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::Connection;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Small limits, so that every one of them can be passed cheaply.
pub const LIMITS: Limits = Limits {
    json_bytes: 4 * 1024,
    file_bytes: 64 * 1024,
    files: 4,
    request_bytes: 256 * 1024,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The scrape token of every test server's `/metrics` (`[metrics] token`).
pub const METRICS_TOKEN: &str = "e2e-scrape-token-0123456789";

/// The password of accounts made by [`TestApp::add_account`].
pub const TEST_PASSWORD: &str = "测试用的密码-2026";

/// A running server with its own store and data directory.
pub struct TestApp {
    pub address: SocketAddr,
    pub client: ApiClient,
    pub store: Arc<dyn Store>,
    pub evidence_root: PathBuf,
    pub backend: Backend,
    /// The PostgreSQL database's URL (None on SQLite, whose file is `kuaiwei.db` beside the
    /// evidence folder): for tests that run the `kuaiwei` binary against the same store.
    pub database_url: Option<String>,
    /// The server's clock: the system clock, or a fixed one a test moves ([`Options::at`]).
    pub clock: kuaiwei_server::Clock,
    /// Session cookies of the step actors of [`TestApp::act`], by `role:name@agency`.
    actors: std::sync::Mutex<std::collections::HashMap<String, String>>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
    _dir: TempDir,
}

/// What a test may choose about the server: its clock and its holiday calendar.
pub struct Options {
    pub clock: kuaiwei_server::Clock,
    pub calendar: Calendar,
    /// The connection and body timeouts and the upload cap (`[http]`).
    pub http: kuaiwei_server::HttpSettings,
    /// The channels people are told on (`[notify]`); the delivery worker runs with them.
    pub notify: Option<kuaiwei_notify::Channels>,
    /// An existing PostgreSQL database to serve (one `kuaiwei migrate-store` filled, say)
    /// instead of a fresh one; only with [`Backend::Postgres`].
    pub postgres_url: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            clock: kuaiwei_server::Clock::system(),
            calendar: Calendar::bundled(),
            http: kuaiwei_server::HttpSettings::default(),
            notify: None,
            postgres_url: None,
        }
    }
}

impl Options {
    /// A server whose clock stands at `at` until the test moves it (`app.clock.set`).
    pub fn at(at: jiff::Timestamp) -> Options {
        Options {
            clock: kuaiwei_server::Clock::fixed(at),
            ..Options::default()
        }
    }
}

/// Starts a server on a fresh store; `None` (after saying so on stderr) when PostgreSQL is asked
/// for and `KUAIWEI_TEST_POSTGRES_URL` is not set.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, Options::default()).await
}

/// [`spawn_app`] with a chosen clock and calendar.
pub async fn spawn_app_with(backend: Backend, options: Options) -> Option<TestApp> {
    let dir = TempDir::new("e2e");
    let mut database_url = None;
    let store: Arc<dyn Store> = match backend {
        Backend::Sqlite => Arc::new(
            kuaiwei_store_sqlite::SqliteStore::open(
                &dir.path().join("kuaiwei.db"),
                kuaiwei_store_sqlite::WriteOptions::default(),
            )
            .await
            .expect("the SQLite store opens"),
        ),
        Backend::Postgres => {
            let fresh = match options.postgres_url.clone() {
                Some(url) => Some(url),
                None => fresh_postgres_database().await,
            };
            let Some(url) = fresh else {
                eprintln!(
                    "!!! SKIPPED on PostgreSQL: set KUAIWEI_TEST_POSTGRES_URL \
                     (e.g. postgres://postgres@127.0.0.1:5432/postgres) to run it"
                );
                return None;
            };
            database_url = Some(url.clone());
            Arc::new(
                kuaiwei_store_postgres::PostgresStore::connect(
                    &url,
                    kuaiwei_store_postgres::WriteOptions::default(),
                )
                .await
                .expect("the PostgreSQL store connects"),
            )
        }
    };
    let evidence_root = dir.path().join("evidence");
    let state = AppState {
        store: store.clone(),
        evidence: EvidenceStore::open(&evidence_root)
            .await
            .expect("the evidence store opens"),
        limits: LIMITS,
        // as `kuaiwei serve` does: years installed into DATA_DIR/calendar are read over the
        // calendar given, and used at once
        calendar: {
            let base = options.calendar.clone();
            let installed = dir.path().join("calendar");
            let read = installed.clone();
            kuaiwei_server::SharedCalendar::reloading(
                options.calendar,
                Arc::new(move || {
                    let mut cal = base.clone();
                    for entry in std::fs::read_dir(&read).into_iter().flatten().flatten() {
                        if entry.path().extension().is_some_and(|x| x == "toml") {
                            let text =
                                std::fs::read_to_string(entry.path()).map_err(|e| e.to_string())?;
                            cal = cal
                                .with_year(Calendar::parse_year(&text).map_err(|e| e.to_string())?);
                        }
                    }
                    Ok(cal)
                }),
                installed,
            )
        },
        procedures: Arc::new(Procedures::bundled()),
        rules: Arc::new(kuaiwei_routing::RuleSet::bundled()),
        triage: kuaiwei_server::TriageConfig::default(),
        clock: options.clock.clone(),
        report_cache: Default::default(),
        report_facts: Some(Default::default()),
        auth: Default::default(),
        // scenarios file hundreds of complaints from one complainant and one address; the
        // limits themselves are tested in the router tests
        intake_limits: kuaiwei_server::IntakeLimits::new(
            kuaiwei_server::IntakeSettings {
                address_per_minute: 100_000,
                address_burst: 100_000,
                complainant_per_hour: 100_000,
                complainant_burst: 100_000,
            },
            options.http.max_concurrent_uploads,
        ),
        search: Some(Arc::new(
            kuaiwei_search::SearchIndex::in_memory(
                kuaiwei_search::Synonyms::parse(kuaiwei_server::search::BUNDLED_SYNONYMS).unwrap(),
                1,
            )
            .unwrap(),
        )),
        notify: options.notify.map(Arc::new),
        metrics: kuaiwei_server::Metrics::with_token(METRICS_TOKEN),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("port 0 binds");
    let address = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(kuaiwei_server::serve_with(
        listener,
        state,
        options.http,
        async {
            let _ = rx.await;
        },
    ));
    Some(TestApp {
        address,
        client: ApiClient::new(address),
        store,
        evidence_root,
        backend,
        database_url,
        clock: options.clock,
        actors: Default::default(),
        shutdown: Some(tx),
        server: Some(server),
        _dir: dir,
    })
}

/// Creates an empty database named after this process and a counter; returns its URL (`None`
/// when `KUAIWEI_TEST_POSTGRES_URL` is not set).
pub async fn fresh_postgres_database() -> Option<String> {
    static N: AtomicU32 = AtomicU32::new(0);
    static SWEPT: AtomicBool = AtomicBool::new(false);
    let admin_url = std::env::var("KUAIWEI_TEST_POSTGRES_URL").ok()?;
    let name = format!(
        "kuaiwei_t_e2e_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = sqlx::PgConnection::connect(&admin_url)
        .await
        .expect("KUAIWEI_TEST_POSTGRES_URL connects");
    if !SWEPT.swap(true, Ordering::Relaxed) {
        drop_databases_of_finished_runs(&mut admin).await;
    }
    for sql in [
        format!("drop database if exists {name}"),
        format!("create database {name}"),
    ] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut admin)
            .await
            .expect("the test database is created");
    }
    let _ = admin.close().await;
    match admin_url.rsplit_once('/') {
        Some((base, _)) => Some(format!("{base}/{name}")),
        None => panic!("KUAIWEI_TEST_POSTGRES_URL must end in /DATABASE"),
    }
}

/// Drops the databases of earlier test runs whose process is gone (databases of a run still
/// going, in another process, are left alone).
async fn drop_databases_of_finished_runs(admin: &mut sqlx::PgConnection) {
    let names: Vec<String> =
        sqlx::query_scalar("select datname from pg_database where datname like 'kuaiwei_t_e2e_%'")
            .fetch_all(&mut *admin)
            .await
            .unwrap_or_default();
    for name in names {
        let pid = name.split('_').nth(3).unwrap_or("");
        let gone = !pid.is_empty() && !Path::new("/proc").join(pid).exists();
        if gone && Path::new("/proc/self").exists() {
            let sql = format!("drop database if exists {name}");
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut *admin)
                .await;
        }
    }
}

impl std::ops::Deref for TestApp {
    type Target = ApiClient;

    fn deref(&self) -> &ApiClient {
        &self.client
    }
}

impl TestApp {
    /// Creates a staff account with a known password (for [`ApiClient::log_in`]).
    /// An account that exists already (made by [`TestApp::act`]) is kept, if of that role.
    pub async fn add_account(&self, username: &str, role: &str, agency: Option<&str>) {
        if let Some(a) = self.store.account(username).await.unwrap() {
            assert_eq!((a.role.as_str(), a.agency.as_deref()), (role, agency));
            return;
        }
        let now = self.clock.now();
        self.store
            .create_account(&kuaiwei_store::Account {
                username: username.into(),
                display_name: username.into(),
                role: role.into(),
                agency: agency.map(str::to_string),
                password_hash: kuaiwei_access::password::hash(TEST_PASSWORD).unwrap(),
                created_at: now,
                password_changed_at: now,
                disabled_at: None,
                contact: Default::default(),
            })
            .await
            .unwrap();
    }

    /// Takes a step on case `number` as the account its `actor` field names, `role:name` or
    /// `role:name@agency` (the field is taken out: the API refuses it, the actor is the
    /// session's). The account is created at first use; an officer without a named agency
    /// belongs to the case's agency, a supervisor without one is the centre's.
    pub async fn act(&self, number: &str, mut body: serde_json::Value) -> TestResponse {
        let actor = body
            .as_object_mut()
            .and_then(|o| o.remove("actor"))
            .and_then(|a| a.as_str().map(str::to_string))
            .expect("a step names its actor");
        let path = format!("/api/v1/cases/{number}/actions");
        for _ in 0..2 {
            let cookie = self.actor_cookie(&actor, number).await;
            let res = self
                .post_json(&path, body.to_string(), &[("cookie", &cookie)])
                .await;
            if res.status != 401 {
                return res;
            }
            // the test clock moved past the session's end: log in again
            self.actors.lock().unwrap().retain(|_, c| *c != cookie);
        }
        panic!("{actor} cannot log in")
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
        if self.store.account(name).await.unwrap().is_none() {
            self.add_account(name, role, agency.as_deref()).await;
        }
        let login = serde_json::json!({"username": name, "password": TEST_PASSWORD});
        let res = self
            .post_json("/api/v1/session", login.to_string(), &[("cookie", "")])
            .await;
        assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
        let cookie = res.header("set-cookie").expect("a session cookie");
        let cookie = cookie.split(';').next().unwrap_or_default().to_string();
        self.actors.lock().unwrap().insert(key, cookie.clone());
        cookie
    }

    /// Entries in the change log: one per stored complaint.
    pub async fn change_count(&self) -> usize {
        self.store.changes_since(0, 1000).await.unwrap().len()
    }

    /// Files waiting under `evidence/tmp` (there must be none after any answer).
    pub fn temporary_files(&self) -> Vec<PathBuf> {
        files_under(&self.evidence_root.join("tmp"))
    }

    /// Evidence files stored under their digest.
    pub fn stored_files(&self) -> Vec<PathBuf> {
        files_under(&self.evidence_root.join("sha256"))
    }

    /// Where an evidence file with this digest is stored.
    pub fn stored_path(&self, sha256: &str) -> PathBuf {
        self.evidence_root
            .join("sha256")
            .join(&sha256[..2])
            .join(sha256)
    }

    /// No change, no evidence file and no temporary.
    pub async fn assert_nothing_stored(&self, what: &str) {
        assert_eq!(
            self.change_count().await,
            0,
            "{what}: the change log is not empty"
        );
        assert_eq!(self.temporary_files(), Vec::<PathBuf>::new(), "{what}");
        assert_eq!(self.stored_files(), Vec::<PathBuf>::new(), "{what}");
    }

    /// Asks the server to stop: it accepts no new connection and finishes those in flight.
    pub fn trigger_shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// Whether `serve` has returned.
    pub fn has_stopped(&self) -> bool {
        self.server.as_ref().is_none_or(|s| s.is_finished())
    }

    /// Stops the server (if not yet asked) and waits until it has finished.
    pub async fn stop(&mut self) -> std::io::Result<()> {
        self.trigger_shutdown();
        match self.server.take() {
            Some(server) => server.await.expect("the server task does not panic"),
            None => Ok(()),
        }
    }
}

/// A small HTTP/1 client bound to one server.
#[derive(Clone)]
pub struct ApiClient {
    pub address: SocketAddr,
    client: Client<HttpConnector, Full<Bytes>>,
    /// The session cookie sent with every request after [`ApiClient::log_in`].
    session: Arc<std::sync::Mutex<Option<String>>>,
}

/// A response read to its end.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{} response is not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The `code` of an error response, after checking the one error shape and its messages.
    pub fn error_code(&self) -> String {
        let v = self.json();
        let e = &v["error"];
        assert_eq!(e["status"], self.status.as_u16(), "{v}");
        for m in ["message_zh", "message_en"] {
            assert!(
                !e[m].as_str().unwrap_or("").trim().is_empty(),
                "{m} empty: {v}"
            );
        }
        e["code"].as_str().unwrap_or_default().to_string()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl ApiClient {
    pub fn new(address: SocketAddr) -> ApiClient {
        ApiClient {
            address,
            client: Client::builder(TokioExecutor::new()).build_http(),
            session: Arc::new(std::sync::Mutex::new(None)),
        }
    }

    /// Sends one request and reads the whole response.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> TestResponse {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("http://{}{path}", self.address));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let session = self.session.lock().unwrap().clone();
        if let Some(cookie) = session.filter(|_| {
            !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("cookie"))
        }) {
            req = req.header("cookie", cookie);
        }
        let res = self
            .client
            .request(req.body(Full::new(Bytes::from(body))).unwrap())
            .await
            .unwrap_or_else(|e| panic!("{path}: {e:?}"));
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        TestResponse {
            status,
            headers,
            body,
        }
    }

    /// Logs in; every later request carries the session cookie.
    pub async fn log_in(&self, username: &str, password: &str) {
        let body = serde_json::json!({"username": username, "password": password});
        let res = self
            .post_json("/api/v1/session", body.to_string(), &[])
            .await;
        assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
        let cookie = res.header("set-cookie").expect("a session cookie");
        let cookie = cookie.split(';').next().unwrap_or_default().to_string();
        *self.session.lock().unwrap() = Some(cookie);
    }

    /// The session cookie (`name=value`) that [`ApiClient::log_in`] got, if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.session.lock().unwrap().clone()
    }

    pub async fn get(&self, path: &str, headers: &[(&str, &str)]) -> TestResponse {
        self.send(Method::GET, path, headers, Vec::new()).await
    }

    pub async fn post_json(
        &self,
        path: &str,
        body: impl Into<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let mut all = vec![(header::CONTENT_TYPE.as_str(), "application/json")];
        all.extend_from_slice(headers);
        self.send(Method::POST, path, &all, body.into()).await
    }

    pub async fn post_multipart(
        &self,
        path: &str,
        form: Multipart,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let content_type = form.content_type();
        let mut all = vec![(header::CONTENT_TYPE.as_str(), content_type.as_str())];
        all.extend_from_slice(headers);
        self.send(Method::POST, path, &all, form.finish()).await
    }

    /// Files a valid complaint and returns its receipt, or panics with the answer.
    pub async fn file_complaint(&self, n: u32) -> Value {
        let res = self
            .post_json("/api/v1/complaints", complaint(n).to_string(), &[])
            .await;
        assert_eq!(
            res.status,
            StatusCode::CREATED,
            "{}",
            String::from_utf8_lossy(&res.body)
        );
        res.json()
    }

    /// Files `complaint` as JSON and returns its receipt, or panics with the answer.
    pub async fn file_complaint_json(&self, complaint: &Value) -> Value {
        let res = self
            .post_json("/api/v1/complaints", complaint.to_string(), &[])
            .await;
        assert_eq!(
            res.status,
            StatusCode::CREATED,
            "{}",
            String::from_utf8_lossy(&res.body)
        );
        res.json()
    }

    /// The complainant's view of a case.
    pub async fn status_of(&self, receipt: &Value) -> TestResponse {
        let case = receipt["case_number"].as_str().unwrap();
        let token = receipt["tracking_token"].as_str().unwrap();
        self.get(
            &format!("/api/v1/complaints/{case}"),
            &[("x-tracking-token", token)],
        )
        .await
    }
}

/// A multipart/form-data body written by hand.
pub struct Multipart {
    boundary: String,
    body: Vec<u8>,
}

impl Default for Multipart {
    fn default() -> Self {
        Multipart::new()
    }
}

impl Multipart {
    pub fn new() -> Multipart {
        Multipart {
            boundary: "kuaiwei-e2e-boundary-q8Zx1Lr0".into(),
            body: Vec::new(),
        }
    }

    pub fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    /// The `complaint` part.
    pub fn complaint(self, json: &Value) -> Multipart {
        self.part(
            "complaint",
            None,
            "application/json",
            json.to_string().as_bytes(),
        )
    }

    /// An `evidence` file part.
    pub fn evidence(self, filename: &str, bytes: &[u8]) -> Multipart {
        self.part(
            "evidence",
            Some(filename),
            "application/octet-stream",
            bytes,
        )
    }

    pub fn part(
        mut self,
        name: &str,
        filename: Option<&str>,
        content_type: &str,
        bytes: &[u8],
    ) -> Multipart {
        let disposition = match filename {
            Some(f) => format!("form-data; name=\"{name}\"; filename=\"{f}\""),
            None => format!("form-data; name=\"{name}\""),
        };
        let head = format!(
            "--{}\r\nContent-Disposition: {disposition}\r\nContent-Type: {content_type}\r\n\r\n",
            self.boundary
        );
        self.body.extend_from_slice(head.as_bytes());
        self.body.extend_from_slice(bytes);
        self.body.extend_from_slice(b"\r\n");
        self
    }

    /// The body, closed by the final boundary.
    pub fn finish(mut self) -> Vec<u8> {
        let end = format!("--{}--\r\n", self.boundary);
        self.body.extend_from_slice(end.as_bytes());
        self.body
    }
}

/// A valid fair complaint; `n` varies the respondent and the description.
pub fn complaint(n: u32) -> Value {
    json!({
        "channel": {"kind": "fair", "fair_name": "第138届广交会", "booth": format!("16.1K{n}")},
        "complainant": {"kind": "organisation", "name": "耐克创新有限合伙公司", "mobile": "13812345678"},
        "rights": [{"kind": "trademark", "number": "1234567", "nice_classes": [25]}],
        "respondent": {"name": format!("被投诉人{n}号鞋业有限公司")},
        "description": format!("第{n}号投诉：展出的运动鞋使用了与注册商标相同的标识"),
    })
}

/// `head`, then filler bytes up to `len`.
pub fn padded(head: &[u8], len: usize) -> Vec<u8> {
    let mut v = head.to_vec();
    v.extend((v.len()..len).map(|i| (i % 251) as u8));
    v
}

/// A JPEG that decodes, `len` bytes or a little more (filler after its end marker).
pub fn jpeg(len: usize) -> Vec<u8> {
    kuaiwei_evidence::testing::jpeg_of_len(len, 1)
}

/// A PNG that decodes, `len` bytes or a little more.
pub fn png(len: usize) -> Vec<u8> {
    kuaiwei_evidence::testing::png_of_len(len, 1)
}

/// A one-page PDF, `len` bytes or a little more.
pub fn pdf(len: usize) -> Vec<u8> {
    kuaiwei_evidence::testing::pdf_of_len(len)
}

/// The structure of a HEIC photo (4032 × 3024), `len` bytes or a little more.
pub fn heic(len: usize) -> Vec<u8> {
    kuaiwei_evidence::testing::heic_of_len(len)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The case numbers' running numbers, e.g. 17 for `KW-2026-000017`.
pub fn serial(case_number: &str) -> u32 {
    case_number
        .rsplit('-')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a case number: {case_number}"))
}

/// Every file below `dir`, recursively; none if it does not exist.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
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

pub use kuaiwei_browser::TempDir;

/// One test per scenario and backend, in modules `sqlite` and `postgres`:
/// `on_every_backend!(a, b)` calls each `async fn a(app: TestApp)` with a server spawned on the
/// backend (a PostgreSQL scenario is skipped, loudly, when no test database is configured);
/// `on_every_backend!(backend: a, b)` calls each `async fn a(backend: Backend)`, for scenarios
/// that spawn their own server (e.g. on a clock they set).
#[macro_export]
macro_rules! on_every_backend {
    (backend: $($scenario:ident),* $(,)?) => {
        $crate::on_every_backend!(@backend sqlite, Sqlite, $($scenario),*);
        $crate::on_every_backend!(@backend postgres, Postgres, $($scenario),*);
    };
    ($($scenario:ident),* $(,)?) => {
        $crate::on_every_backend!(@app sqlite, Sqlite, $($scenario),*);
        $crate::on_every_backend!(@app postgres, Postgres, $($scenario),*);
    };
    (@app $module:ident, $backend:ident, $($scenario:ident),*) => {
        mod $module {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    if let Some(app) = $crate::spawn_app($crate::Backend::$backend).await {
                        super::$scenario(app).await;
                    }
                }
            )*
        }
    };
    (@backend $module:ident, $backend:ident, $($scenario:ident),*) => {
        mod $module {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    super::$scenario($crate::Backend::$backend).await;
                }
            )*
        }
    };
}
