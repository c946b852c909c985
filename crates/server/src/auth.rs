//! Logging in and out: server-side sessions behind a `__Host-sid` cookie, argon2id checks off
//! the async workers behind a small semaphore, and throttling of failed logins per account.
//!
//! Every answer to a failed login is the same 401 whether the user name is unknown, the
//! password wrong or the account disabled, and costs the same hashing work.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use axum::http::HeaderMap;
use jiff::{SignedDuration, Timestamp};
use kuaiwei_access::password::{self, Verified};
use kuaiwei_access::{Principal, Role};
use kuaiwei_store::{Account, Session};
use tokio::sync::Semaphore;

use crate::{AppError, AppState, token};

pub const COOKIE: &str = "__Host-sid";

/// Session lifetimes and login throttling.
///
/// Failed logins are counted per account **and client address**: someone who guesses a named
/// officer's password from one address holds up only that address, not the officer logging in
/// from another (5 wrong passwords used to lock the account for everyone for 15 minutes). After
/// the first, each failure from an address makes the next try from there wait longer (1, 2, 4
/// s …); after `max_failures` it waits out the window. Across all addresses an account has a much higher
/// ceiling, `account_ceiling`, against a guesser with many addresses. Every refusal is 429 with
/// `Retry-After`.
#[derive(Clone)]
pub struct Auth {
    /// A session unused this long has ended.
    pub idle: SignedDuration,
    /// A session ends this long after login, however active.
    pub absolute: SignedDuration,
    /// Failed logins allowed per account from one client address within `window` before 429.
    pub max_failures: usize,
    /// Failed logins allowed per account from all addresses together within `window`.
    pub account_ceiling: usize,
    pub window: SignedDuration,
    /// Login attempts per client address, whatever the account (password spraying).
    pub per_address: crate::rate::RateLimit,
    hashing: Arc<Semaphore>,
    failures: Arc<Mutex<Failures>>,
}

impl Default for Auth {
    fn default() -> Self {
        Auth {
            idle: SignedDuration::from_mins(30),
            absolute: SignedDuration::from_hours(12),
            max_failures: 5,
            account_ceiling: 100,
            window: SignedDuration::from_mins(15),
            // a centre's office may share one address: 30 attempts a minute, bursts of 30
            per_address: crate::rate::RateLimit::new(30, SignedDuration::from_mins(1), 30),
            // two hashes at a time: 2 × 19 MiB, and the runtime keeps its workers
            hashing: Arc::new(Semaphore::new(2)),
            failures: Arc::new(Mutex::new(HashMap::new())),
        }
    }
}

/// Per account: its recent failures, each with the client address it came from.
type Failures = HashMap<String, Vec<(Timestamp, Option<IpAddr>)>>;

/// The longest wait between two tries from one address, however many failures.
const MAX_STEP_SECS: i64 = 60;

impl Auth {
    /// Seconds `username` must wait before trying again from `address`, if any.
    fn throttled(&self, username: &str, address: Option<IpAddr>, now: Timestamp) -> Option<u64> {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let recent = failures.entry(username.to_string()).or_default();
        recent.retain(|(t, _)| now.duration_since(*t) < self.window);
        let until_window_ends = |oldest: Timestamp| {
            let left = self.window - now.duration_since(oldest);
            left.as_secs().max(1) as u64
        };
        let here: Vec<Timestamp> = recent
            .iter()
            .filter(|(_, a)| *a == address)
            .map(|(t, _)| *t)
            .collect();
        if here.len() >= self.max_failures {
            return here.iter().min().copied().map(until_window_ends);
        }
        if let (Some(last), true) = (here.iter().max(), here.len() >= 2) {
            // a mistyped password may be typed again at once; then 1, 2, 4 … seconds after
            // the 2nd, 3rd, 4th … failure from here
            let step = (1i64 << (here.len() - 2).min(16)).min(MAX_STEP_SECS);
            let waited = now.duration_since(*last).as_secs();
            if waited < step {
                return Some((step - waited).max(1) as u64);
            }
        }
        if recent.len() >= self.account_ceiling {
            return recent.iter().map(|(t, _)| *t).min().map(until_window_ends);
        }
        None
    }

    fn failed(&self, username: &str, address: Option<IpAddr>, now: Timestamp) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() > 100_000 {
            // guessing at random names must not grow this without bound
            let window = self.window;
            failures.retain(|_, ts| ts.iter().any(|(t, _)| now.duration_since(*t) < window));
        }
        failures
            .entry(username.to_string())
            .or_default()
            .push((now, address));
    }

    /// The right password from `address` forgets that address's failures only.
    fn succeeded(&self, username: &str, address: Option<IpAddr>) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(recent) = failures.get_mut(username) {
            recent.retain(|(_, a)| *a != address);
        }
    }
}

fn bad_credentials() -> AppError {
    AppError::Unauthorized {
        code: "bad_credentials",
        zh: "用户名或密码不正确".into(),
        en: "wrong user name or password".into(),
    }
}

fn not_logged_in() -> AppError {
    AppError::Unauthorized {
        code: "not_logged_in",
        zh: "请先登录".into(),
        en: "log in first".into(),
    }
}

/// Appends an event about an account to the audit chain (subject `account:NAME`).
async fn record(
    state: &AppState,
    username: &str,
    actor: String,
    kind: &str,
    payload: serde_json::Value,
) -> Result<(), AppError> {
    state
        .store
        .record_event(kuaiwei_store::RecordedEvent {
            subject: format!("account:{username}"),
            event: kuaiwei_store::NewEvent {
                actor,
                kind: kind.into(),
                payload,
                reason: None,
            },
            at: state.clock.now(),
        })
        .await?;
    Ok(())
}

fn actor_of(a: &Account) -> String {
    format!("{}:{}", a.role, a.username)
}

pub fn principal(a: &Account) -> Option<Principal> {
    Some(Principal {
        username: a.username.clone(),
        role: Role::parse(&a.role)?,
        agency: a.agency.clone(),
    })
}

/// Checks the credentials and opens a new session (a new token every time: a session id
/// planted before login is never adopted). Returns the account and the cookie token.
pub async fn login(
    state: &AppState,
    address: Option<std::net::IpAddr>,
    username: &str,
    secret: String,
) -> Result<(Account, String), AppError> {
    let now = state.clock.now();
    if let Some(ip) = address {
        state
            .auth
            .per_address
            .check(&ip.to_string(), now)
            .map_err(|secs| AppError::TooManyRequests {
                retry_after_secs: secs,
            })?;
    }
    let name = kuaiwei_access::username(username).unwrap_or_else(|_| username.trim().into());
    if let Some(secs) = state.auth.throttled(&name, address, now) {
        return Err(AppError::TooManyRequests {
            retry_after_secs: secs,
        });
    }
    // a name with a NUL (a form's field; JSON bodies with one are refused before) is never
    // looked up, and fails as an unknown one does: PostgreSQL refuses a NUL in text
    let account = if name.contains('\0') {
        None
    } else {
        state.store.account(&name).await?
    };
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let permit = state
        .auth
        .hashing
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let secret_for_hash = secret.clone();
    let verified = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        match stored {
            Some(h) => password::verify(&secret_for_hash, &h),
            None => password::verify_unknown(&secret_for_hash),
        }
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let account = match (account, verified) {
        (Some(a), Verified::Yes { rehash }) if a.disabled_at.is_none() => {
            if rehash {
                let fresh = tokio::task::spawn_blocking(move || password::hash(&secret))
                    .await
                    .map_err(|e| AppError::Internal(e.to_string()))?
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                state.store.set_password(&a.username, &fresh, now).await?;
                tracing::info!(user = %a.username, "password hash upgraded to the current policy");
            }
            a
        }
        (known, _) => {
            state.auth.failed(&name, address, now);
            tracing::warn!(user = %name, "failed login");
            // on the chain for real accounts (someone is trying one); unknown names only in the
            // log, so that guessing names cannot flood the chain
            if let Some(a) = known {
                let disabled = a.disabled_at.is_some();
                record(
                    state,
                    &a.username,
                    "anonymous".into(),
                    "login_failed",
                    serde_json::json!({"disabled": disabled}),
                )
                .await?;
            }
            return Err(bad_credentials());
        }
    };
    state.auth.succeeded(&name, address);
    let cookie_token = token::new_token().map_err(|e| AppError::Internal(e.to_string()))?;
    state
        .store
        .create_session(&Session {
            token_hash: hex::encode(token::hash(&cookie_token)),
            username: account.username.clone(),
            created_at: now,
            last_seen_at: now,
            expires_at: now + state.auth.absolute,
        })
        .await?;
    record(
        state,
        &account.username,
        actor_of(&account),
        "login",
        serde_json::json!({}),
    )
    .await?;
    tracing::info!(user = %account.username, "logged in");
    Ok((account, cookie_token))
}

/// The session cookie's token, if the request carries one.
fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.trim().to_string())
}

/// The account behind the request's session: 401 when there is none, or it has ended (idle,
/// absolute end, logged out, account disabled). A live session is marked as used.
pub async fn current(state: &AppState, headers: &HeaderMap) -> Result<Account, AppError> {
    let token = cookie_token(headers).ok_or_else(not_logged_in)?;
    let hash = hex::encode(token::hash(&token));
    let session = state
        .store
        .session(&hash)
        .await?
        .ok_or_else(not_logged_in)?;
    let now = state.clock.now();
    if now >= session.expires_at || now.duration_since(session.last_seen_at) >= state.auth.idle {
        state.store.delete_session(&hash).await?;
        return Err(not_logged_in());
    }
    let account = state
        .store
        .account(&session.username)
        .await?
        .filter(|a| a.disabled_at.is_none())
        .ok_or_else(not_logged_in)?;
    // a write per request would be wasted: a minute's precision is plenty for a 30-minute idle end
    if now.duration_since(session.last_seen_at) >= SignedDuration::from_mins(1) {
        state.store.touch_session(&hash, now).await?;
    }
    Ok(account)
}

/// Ends the request's session, if any.
pub async fn logout(state: &AppState, headers: &HeaderMap) -> Result<(), AppError> {
    let Some(token) = cookie_token(headers) else {
        return Ok(());
    };
    let hash = hex::encode(token::hash(&token));
    if let Some(session) = state.store.session(&hash).await? {
        state.store.delete_session(&hash).await?;
        let actor = match state.store.account(&session.username).await? {
            Some(a) => actor_of(&a),
            None => session.username.clone(),
        };
        record(
            state,
            &session.username,
            actor,
            "logout",
            serde_json::json!({}),
        )
        .await?;
    }
    Ok(())
}

/// `Set-Cookie` for a new session: host-only, HTTPS only, not readable by scripts, not sent on
/// cross-site requests.
pub fn set_cookie(token: &str, auth: &Auth) -> String {
    format!(
        "{COOKIE}={token}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={}",
        auth.absolute.as_secs()
    )
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_cookie() -> String {
    format!("{COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// Refuses a state-changing browser request made by another site (CSRF), without tokens: the
/// browser says where a request comes from (`Sec-Fetch-Site`, else `Origin`). It matters only
/// where the browser adds credentials by itself (the session cookie) and for the login form
/// (login CSRF); requests of other clients (curl, platforms, the intake app) carry neither
/// header nor cookie and pass.
pub async fn csrf_guard(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::Method;
    use axum::response::IntoResponse;
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let guarded = cookie_token(req.headers()).is_some()
        || matches!(req.uri().path(), "/api/v1/session" | "/login");
    if !safe && guarded && cross_site(req.headers()) {
        tracing::warn!(path = %req.uri().path(), "cross-site request refused");
        return AppError::CrossSite.into_response();
    }
    next.run(req).await
}

fn cross_site(headers: &HeaderMap) -> bool {
    let text = |name: axum::http::HeaderName| {
        headers
            .get(name)
            .map(|v| v.to_str().unwrap_or("invalid").trim().to_ascii_lowercase())
    };
    if let Some(site) = text(axum::http::HeaderName::from_static("sec-fetch-site")) {
        return !matches!(site.as_str(), "same-origin" | "none");
    }
    match (
        text(axum::http::header::ORIGIN),
        text(axum::http::header::HOST),
    ) {
        (None, _) => false,
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_none_or(|(_, authority)| authority != host),
        (Some(_), None) => true,
    }
}

/// The file the first administrator's password is written to.
pub const INITIAL_PASSWORD_FILE: &str = "initial-admin-password";

/// On a store with no account at all: creates the administrator `admin` with a random password
/// and writes it to `DATA_DIR/initial-admin-password` (owner-only), never to the log. Returns
/// the file's path when it did.
pub async fn bootstrap_admin(
    store: &dyn kuaiwei_store::Store,
    data_dir: &std::path::Path,
    now: Timestamp,
) -> Result<Option<std::path::PathBuf>, String> {
    if !store
        .accounts()
        .await
        .map_err(|e| e.to_string())?
        .is_empty()
    {
        return Ok(None);
    }
    let secret = token::new_token().map_err(|e| e.to_string())?;
    let hash = tokio::task::spawn_blocking({
        let secret = secret.clone();
        move || password::hash(&secret)
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())?;
    let path = data_dir.join(INITIAL_PASSWORD_FILE);
    std::fs::create_dir_all(data_dir).map_err(|e| format!("{}: {e}", data_dir.display()))?;
    write_private(&path, &format!("{secret}\n")).map_err(|e| format!("{}: {e}", path.display()))?;
    let created = store
        .create_account(&Account {
            username: "admin".into(),
            display_name: "系统管理员".into(),
            role: Role::Administrator.key().into(),
            agency: None,
            password_hash: hash,
            created_at: now,
            password_changed_at: now,
            disabled_at: None,
            contact: Default::default(),
        })
        .await;
    match created {
        Ok(()) => {
            store
                .record_event(kuaiwei_store::RecordedEvent {
                    subject: "account:admin".into(),
                    event: kuaiwei_store::NewEvent {
                        actor: "system".into(),
                        kind: "account_created".into(),
                        payload: serde_json::json!({"role": "administrator", "first_start": true}),
                        reason: None,
                    },
                    at: now,
                })
                .await
                .map_err(|e| e.to_string())?;
            Ok(Some(path))
        }
        // another node created the first account meanwhile: ours is not needed
        Err(kuaiwei_store::StoreError::Conflict(_)) => {
            let _ = std::fs::remove_file(&path);
            Ok(None)
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Creates (or replaces) a file only its owner can read.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// The scope of API keys that may file complaints.
pub const INTAKE_SCOPE: &str = "intake";

/// Makes an API key for a machine client (an e-commerce platform): returns the stored record
/// and the key, which is shown once and kept nowhere else.
pub fn new_api_token(
    name: &str,
    at: jiff::Timestamp,
) -> Result<(kuaiwei_store::ApiToken, String), AppError> {
    let key = format!(
        "kw_{}",
        token::new_token().map_err(|e| AppError::Internal(e.to_string()))?
    );
    let record = kuaiwei_store::ApiToken {
        name: name.to_string(),
        token_hash: hex::encode(token::hash(&key)),
        scope: INTAKE_SCOPE.into(),
        created_at: at,
        revoked_at: None,
    };
    Ok((record, key))
}

/// The machine client behind a request's `Authorization: Bearer` key, if it sent one. An
/// unknown or revoked key, or one without `scope`, is 401: a client that meant to be known is
/// never silently treated as anonymous.
pub async fn api_client(
    state: &AppState,
    headers: &HeaderMap,
    scope: &str,
) -> Result<Option<kuaiwei_store::ApiToken>, AppError> {
    let Some(value) = headers.get(axum::http::header::AUTHORIZATION) else {
        return Ok(None);
    };
    let refused = || AppError::Unauthorized {
        code: "bad_api_key",
        zh: "API 密钥无效、已停用或无此权限".into(),
        en: "unknown or revoked API key, or one without this scope".into(),
    };
    let key = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(refused)?;
    let found = state
        .store
        .api_token(&hex::encode(token::hash(key)))
        .await?;
    match found {
        Some(t) if t.revoked_at.is_none() && t.scope == scope => Ok(Some(t)),
        _ => {
            tracing::warn!("request with an unknown or revoked API key refused");
            Err(refused())
        }
    }
}

/// The logged-in caller of a request, from its session cookie (401 without a live session).
pub struct Caller {
    pub principal: Principal,
    pub account: Account,
}

impl axum::extract::FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Caller, AppError> {
        let account = current(state, &parts.headers).await?;
        let principal = principal(&account).ok_or_else(|| {
            AppError::Internal(format!("account {} has an unknown role", account.username))
        })?;
        Ok(Caller { principal, account })
    }
}

impl Caller {
    /// 403 unless the caller's role allows `action` on an object of `agency`; a refusal is an
    /// audit event.
    pub async fn require(
        &self,
        state: &AppState,
        action: kuaiwei_access::Action,
        agency: Option<&str>,
    ) -> Result<(), AppError> {
        if kuaiwei_access::can(&self.principal, action, agency) {
            return Ok(());
        }
        Err(self.refuse(state, action, agency, "").await)
    }

    /// Records a refusal of `action` on `subject` (of `agency`) and returns the 403 to answer,
    /// or the error that kept it from being recorded.
    pub async fn refuse(
        &self,
        state: &AppState,
        action: kuaiwei_access::Action,
        agency: Option<&str>,
        subject: &str,
    ) -> AppError {
        tracing::warn!(user = %self.principal.username, ?action, ?agency, subject, "refused");
        let mut payload = serde_json::json!({"action": action, "agency": agency});
        if !subject.is_empty() {
            payload["subject"] = subject.into();
        }
        if let Err(e) = record(
            state,
            &self.principal.username,
            self.actor(),
            "refused",
            payload,
        )
        .await
        {
            return e;
        }
        AppError::Forbidden {
            zh: format!("{}无权执行此操作", self.principal.role.zh()),
            en: format!("the {} role may not do this", self.principal.role.key()),
        }
    }

    /// Like [`Caller::require`] for an object that exists (`subject`, e.g. a case number): when
    /// the role holds `action` for some agency but not for this object's, the answer is 404, the
    /// same as for a missing object, so that other agencies' objects are not disclosed. The
    /// refusal is an audit event either way.
    pub async fn require_or_hide(
        &self,
        state: &AppState,
        action: kuaiwei_access::Action,
        agency: Option<&str>,
        subject: &str,
    ) -> Result<(), AppError> {
        if kuaiwei_access::can(&self.principal, action, agency) {
            return Ok(());
        }
        match self.refuse(state, action, agency, subject).await {
            AppError::Forbidden { .. } if kuaiwei_access::holds(self.principal.role, action) => {
                Err(AppError::NotFound)
            }
            e => Err(e),
        }
    }

    /// The agency the caller's view is limited to: an officer's or agency supervisor's own;
    /// `None` for the centre's roles.
    pub fn scope(&self) -> Option<String> {
        self.principal.agency.clone()
    }

    /// The actor recorded in events: `role:username`.
    pub fn actor(&self) -> String {
        format!("{}:{}", self.principal.role.key(), self.principal.username)
    }
}
