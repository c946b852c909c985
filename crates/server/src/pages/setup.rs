//! The administrator's other pages: API keys for platforms that file complaints (made and
//! revoked through the same service as `kuaiwei token`; a new key is shown once), and the
//! routing rules and procedures in use, read-only, with their legal basis (for every member of
//! staff: no case data).

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use kuaiwei_access::Action;
use kuaiwei_routing::Outcome as RouteOutcome;

use super::work::{Nav, Staff, agency_name, see_other};
use super::{Ctx, Lang, error_page, query_pairs, render};
use crate::{AppError, AppState, accounts};

#[derive(Template)]
#[template(path = "work_keys.html")]
struct KeysPage {
    p: Ctx,
    nav: Nav,
    keys: Vec<KeyLine>,
    /// A key just made: its name and the key, shown this once.
    made: Option<(String, String)>,
    name: String,
    error: Option<String>,
    flash: Option<String>,
}

struct KeyLine {
    name: String,
    scope: String,
    created: String,
    revoked: Option<String>,
}

async fn admin(state: &AppState, parts: &axum::http::request::Parts) -> Result<Staff, Response> {
    Staff::with(state, parts, Action::ManageAccounts).await
}

async fn keys_page(
    state: &AppState,
    staff: Staff,
    made: Option<(String, String)>,
    name: String,
    failed: Option<AppError>,
    flash: Option<String>,
) -> Response {
    let lang = staff.lang();
    let now = state.clock.now();
    let keys = match state.store.api_tokens().await {
        Ok(k) => k,
        Err(e) => return error_page(staff.p, e.into(), "/work"),
    };
    let (status, error) = match failed {
        None => (StatusCode::OK, None),
        Some(e) => {
            let (status, text) = super::message_line(lang, e);
            (status, Some(text))
        }
    };
    render(
        status,
        &KeysPage {
            keys: keys
                .into_iter()
                .map(|k| KeyLine {
                    created: lang.short_time(k.created_at, now),
                    revoked: k.revoked_at.map(|t| lang.short_time(t, now)),
                    name: k.name,
                    scope: k.scope,
                })
                .collect(),
            made,
            name,
            error,
            flash,
            p: staff.p,
            nav: staff.nav,
        },
        true,
    )
}

#[derive(Template)]
#[template(path = "work_messages.html")]
struct MessagesPage {
    p: Ctx,
    nav: Nav,
    messages: Vec<FailedLine>,
}

struct FailedLine {
    /// None for a message of no one case (the daily digest).
    case: Option<String>,
    channel: &'static str,
    to: String,
    what: String,
    attempts: u32,
    at: String,
    detail: String,
}

/// `GET /work/admin/messages`: the messages given up on, for the administrator to act on.
pub async fn messages(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let staff = match admin(&state, &parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let lang = staff.lang();
    let now = state.clock.now();
    let failed = match state.store.failed_messages(200).await {
        Ok(m) => m,
        Err(e) => return error_page(staff.p, e.into(), "/work"),
    };
    let messages = failed
        .into_iter()
        .map(|m| {
            let kind = m.notice["kind"].as_str().unwrap_or_default().to_string();
            FailedLine {
                case: m.case_number.map(|c| c.to_string()),
                channel: match m.channel.as_str() {
                    "email" => "E-mail",
                    "sms" => "SMS",
                    _ => "Webhook",
                },
                to: m.shown_to,
                what: super::work::step_label(lang, &kind)
                    .or_else(|| lang.get(&format!("event.{kind}")))
                    .map_or(kind.clone(), str::to_string),
                attempts: m.attempts,
                at: lang.short_time(m.next_attempt_at, now),
                detail: m.last_detail.unwrap_or_default(),
            }
        })
        .collect();
    render(
        StatusCode::OK,
        &MessagesPage {
            messages,
            p: staff.p,
            nav: staff.nav,
        },
        true,
    )
}

/// `GET /work/admin/keys`
pub async fn keys(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let staff = match admin(&state, &parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let flash = query_pairs(parts.uri.query())
        .into_iter()
        .find(|(k, _)| k == "revoked")
        .map(|(_, n)| staff.lang().tf("keys.revoked", &[("name", &n)]));
    keys_page(&state, staff, None, String::new(), None, flash).await
}

/// `POST /work/admin/keys` (`name`): a new key, shown on the answering page only.
pub async fn create(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let staff = match admin(&state, &parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let fields = match super::track::read_fields(Request::from_parts(parts, body)).await {
        Ok(f) => f,
        Err(e) => return error_page(staff.p, e, "/work/admin/keys"),
    };
    let name = fields
        .iter()
        .find(|(k, _)| k == "name")
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    let actor = staff.caller.actor();
    match accounts::create_api_key(&*state.store, &actor, &name, state.clock.now()).await {
        Ok((token, key)) => {
            keys_page(
                &state,
                staff,
                Some((token.name, key)),
                String::new(),
                None,
                None,
            )
            .await
        }
        Err(e) => keys_page(&state, staff, None, name, Some(e), None).await,
    }
}

/// `POST /work/admin/keys/{name}/revoke`
pub async fn revoke(
    State(state): State<AppState>,
    Path(name): Path<String>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let staff = match admin(&state, &parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let actor = staff.caller.actor();
    match accounts::revoke_api_key(&*state.store, &actor, &name, state.clock.now()).await {
        Ok(()) => see_other(&format!(
            "/work/admin/keys?revoked={}",
            kuaiwei_reports::query_value(name.trim())
        )),
        Err(e) => keys_page(&state, staff, None, String::new(), Some(e), None).await,
    }
}

#[derive(Template)]
#[template(path = "work_rules.html")]
struct RulesPage {
    p: Ctx,
    nav: Nav,
    prepends: Vec<RuleLine>,
    rules: Vec<RuleLine>,
    procedures: Vec<ProcedureLine>,
}

struct RuleLine {
    id: String,
    text: String,
    to: String,
    basis: String,
}

struct ProcedureLine {
    id: String,
    name: String,
    trigger: String,
    limit: String,
    extensions: String,
    excluded: String,
    basis: String,
}

/// `GET /work/admin/rules`: the routing rules in the order they are tried, the clocks put
/// before them per channel, and every procedure's limit, extensions and legal basis.
pub async fn rules(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let staff = match Staff::of(&state, &parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let lang = staff.lang();
    let pick = |zh: &str, en: &str| match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    };
    let amount = |a: &kuaiwei_deadlines::Amount| match lang {
        Lang::Zh => a.zh(),
        Lang::En => a.en(),
    };
    let page = RulesPage {
        prepends: state
            .rules
            .prepends()
            .iter()
            .map(|p| RuleLine {
                id: p
                    .channels
                    .iter()
                    .map(|c| format!("{c:?}").to_lowercase())
                    .collect::<Vec<_>>()
                    .join(", "),
                text: pick(&p.zh, &p.en),
                to: p.procedures.join("、"),
                basis: p.basis.clone(),
            })
            .collect(),
        rules: state
            .rules
            .rules()
            .iter()
            .map(|r| RuleLine {
                id: r.id.clone(),
                text: pick(&r.zh, &r.en),
                to: match &r.outcome {
                    RouteOutcome::Agency {
                        agency, procedures, ..
                    } => format!(
                        "{} · {}",
                        agency_name(lang, Some(agency.key())),
                        procedures.join("、")
                    ),
                    RouteOutcome::ManualTriage => lang.t("work.route.manual").into(),
                },
                basis: r.basis.clone(),
            })
            .collect(),
        procedures: state
            .procedures
            .iter()
            .map(|p| ProcedureLine {
                id: p.id.clone(),
                name: pick(&p.name_zh, &p.name_en),
                trigger: pick(&p.trigger.zh, &p.trigger.en),
                limit: amount(&p.limit),
                extensions: p
                    .extensions
                    .iter()
                    .map(|e| {
                        let grant = match &e.grant {
                            kuaiwei_deadlines::RuleGrant::Fixed(a) => amount(a),
                            kuaiwei_deadlines::RuleGrant::Collective => {
                                lang.t("rules.collective").into()
                            }
                        };
                        format!("+{grant}（{}）", pick(&e.approver_zh, &e.approver_en))
                    })
                    .collect::<Vec<_>>()
                    .join("；"),
                excluded: p
                    .excluded
                    .iter()
                    .map(|k| lang.t(&format!("exclusion.{}", k.key())))
                    .collect::<Vec<_>>()
                    .join("、"),
                basis: p.citation(),
            })
            .collect(),
        p: staff.p,
        nav: staff.nav,
    };
    render(StatusCode::OK, &page, false)
}

/// A verification of the chain running in this process (one at a time).
static VERIFYING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

#[derive(Template)]
#[template(path = "work_audit.html")]
struct AuditPage {
    p: Ctx,
    nav: Nav,
    head: Option<(i64, String)>,
    /// When, by whom, how many events, and the break if any.
    last: Option<(String, String, usize, Option<String>)>,
    running: bool,
    flash: Option<String>,
}

/// `GET /work/admin/audit`: the chain's head and its last verification.
pub async fn audit(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let staff = match admin(&state, &parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let lang = staff.lang();
    let read = async {
        let head = state.store.audit_head().await?;
        let last = crate::audit::last(&*state.store).await?;
        Ok::<_, AppError>((head, last))
    }
    .await;
    let (head, last) = match read {
        Ok(x) => x,
        Err(e) => return error_page(staff.p, e, "/work"),
    };
    let flash = query_pairs(parts.uri.query())
        .into_iter()
        .any(|(k, _)| k == "started")
        .then(|| lang.t("audit.started").to_string());
    render(
        StatusCode::OK,
        &AuditPage {
            head: head.map(|(seq, hash)| (seq, hash.chars().take(16).collect())),
            last: last.map(|(at, actor, v)| (lang.time(at), actor, v.events, v.broken)),
            running: VERIFYING.load(std::sync::atomic::Ordering::SeqCst),
            flash,
            p: staff.p,
            nav: staff.nav,
        },
        true,
    )
}

/// `POST /work/admin/audit`: walks the chain in the background and records what it found.
pub async fn verify(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let staff = match admin(&state, &parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    use std::sync::atomic::Ordering;
    if VERIFYING
        .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
        .is_ok()
    {
        let actor = staff.caller.actor();
        let st = state.clone();
        tokio::spawn(async move {
            let clock = st.clock.clone();
            match crate::audit::verify_and_record(&*st.store, &actor, || clock.now()).await {
                Ok(v) if v.broken.is_some() => {
                    tracing::error!(broken = ?v.broken, events = v.events, "audit chain broken")
                }
                Ok(v) => tracing::info!(events = v.events, "audit chain verified intact"),
                Err(e) => tracing::warn!(error = %e, "verifying the audit chain failed"),
            }
            VERIFYING.store(false, Ordering::SeqCst);
        });
    }
    see_other("/work/admin/audit?started=1")
}
