//! The staff workbench's frame and its home, the queue (docs/pages.md, "Staff"): every staff
//! page is reached with the session cookie; without a live session the browser is sent to
//! `/login` and, once logged in, back to where it was. The navigation shows what the role
//! works with, with counts of what waits.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use kuaiwei_access::{Action, Role};
use kuaiwei_domain::CaseState;
use kuaiwei_routing::Agency;
use kuaiwei_store::QueueFilter;

use super::{Ctx, Lang, error_page, render};
use crate::auth::{self, Caller};
use crate::{AppError, AppState};

/// Rows on one queue page.
const PAGE_ROWS: u32 = 50;

/// A logged-in member of staff on a page: who, in which language, and the navigation.
pub struct Staff {
    pub caller: Caller,
    pub p: Ctx,
    pub nav: Nav,
}

/// The workbench's navigation for one role.
pub struct Nav {
    pub name: String,
    pub role: &'static str,
    pub links: Vec<NavLink>,
}

pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    /// What waits there, as shown (`3`, `50+`), if anything.
    pub count: Option<String>,
    pub current: bool,
}

impl Staff {
    /// The staff member behind the request, or the response to send instead: a redirect to
    /// the login page (which comes back here) when there is no live session.
    pub async fn of(state: &AppState, parts: &Parts) -> Result<Staff, Response> {
        let p = Ctx::of(parts);
        let account = match auth::current(state, &parts.headers).await {
            Ok(a) => a,
            Err(AppError::Unauthorized { .. }) => return Err(to_login(parts)),
            Err(e) => return Err(error_page(p, e, "/")),
        };
        let Some(principal) = auth::principal(&account) else {
            return Err(error_page(
                p,
                AppError::Internal(format!("account {} has an unknown role", account.username)),
                "/",
            ));
        };
        let caller = Caller { principal, account };
        let nav = match nav(state, &caller, p.lang, parts.uri.path()).await {
            Ok(n) => n,
            Err(e) => return Err(error_page(p, e, "/")),
        };
        Ok(Staff { caller, p, nav })
    }

    pub fn lang(&self) -> Lang {
        self.p.lang
    }

    /// [`Staff::of`] for a page that needs a permission not about a case (accounts, the
    /// calendar): the refusal page (403, audited) for a role without it.
    pub async fn with(state: &AppState, parts: &Parts, action: Action) -> Result<Staff, Response> {
        let staff = Staff::of(state, parts).await?;
        if let Err(e) = staff.caller.require(state, action, None).await {
            return Err(error_page(staff.p, e, "/work"));
        }
        Ok(staff)
    }
}

/// `303` to the login page, which returns to this address (path and query) afterwards.
pub fn to_login(parts: &Parts) -> Response {
    let back = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/work");
    see_other(&format!(
        "/login?next={}",
        kuaiwei_reports::query_value(back)
    ))
}

/// A `303 See Other` to a local address.
pub fn see_other(to: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// How many cases match, as a navigation count: exact up to 99, else `99+` (one indexed
/// read of at most 100 rows, whatever the store's size).
async fn count(state: &AppState, filter: &QueueFilter) -> Result<Option<String>, AppError> {
    let n = state.store.queue(filter, 100, 0).await?.len();
    Ok(match n {
        0 => None,
        n if n >= 100 => Some("99+".into()),
        n => Some(n.to_string()),
    })
}

async fn nav(state: &AppState, caller: &Caller, lang: Lang, path: &str) -> Result<Nav, AppError> {
    let p = &caller.principal;
    let agency = p.agency.clone();
    let link = |href: &'static str, key: &str, count: Option<String>| NavLink {
        href,
        label: lang.t(key),
        count,
        current: path == href
            || (href != "/work" && href != "/work/admin" && path.starts_with(href)),
    };
    let mut links = Vec::new();
    match p.role {
        Role::Caseworker => {
            let waiting = count(
                state,
                &QueueFilter {
                    state: Some(CaseState::Received),
                    ..QueueFilter::default()
                },
            )
            .await?;
            links.push(link("/work", "work.nav.triage", waiting));
            links.push(link("/work/respondents", "work.nav.respondents", None));
            links.push(link("/work/stations", "work.nav.stations", None));
        }
        Role::Officer => {
            let overdue = count(
                state,
                &QueueFilter {
                    agency: agency.clone(),
                    due_before: Some(state.clock.now()),
                    ..QueueFilter::default()
                },
            )
            .await?;
            links.push(link("/work", "work.nav.queue", overdue));
        }
        Role::Supervisor => {
            let pending = count(
                state,
                &QueueFilter {
                    agency: agency.clone(),
                    state: Some(CaseState::ExtensionPending),
                    ..QueueFilter::default()
                },
            )
            .await?;
            links.push(link("/work", "work.nav.approvals", pending));
            links.push(link("/work/stations", "work.nav.stations", None));
        }
        Role::Administrator => {
            links.push(link("/work/admin", "work.nav.accounts", None));
            links.push(link("/work/admin/keys", "work.nav.keys", None));
            links.push(link("/work/admin/messages", "work.nav.messages", None));
            links.push(link("/work/admin/calendar", "work.nav.calendar", None));
            links.push(link("/work/admin/audit", "work.nav.audit", None));
        }
    }
    if kuaiwei_access::holds(p.role, Action::Search) {
        links.push(link("/work/search", "work.nav.search", None));
    }
    if kuaiwei_access::holds(p.role, Action::ReadReports) {
        links.push(link("/watch", "work.nav.watch", None));
        links.push(link("/reports/on-time", "work.nav.report", None));
    }
    links.push(link("/work/rules", "work.nav.rules", None));
    Ok(Nav {
        name: caller.account.display_name.clone(),
        role: lang.t(&format!("role.{}", p.role.key())),
        links,
    })
}

/// An agency's name in the page's language.
pub fn agency_name(lang: Lang, key: Option<&str>) -> String {
    match key.and_then(Agency::from_key) {
        Some(a) => match lang {
            Lang::Zh => a.zh().into(),
            Lang::En => a.en().into(),
        },
        None => key.map_or_else(|| lang.t("work.unrouted").into(), str::to_string),
    }
}

/// A case state in the staff's words.
pub fn state_name(lang: Lang, s: CaseState) -> &'static str {
    lang.t(&format!("case_state.{}", s.key()))
}

/// One tab of a role's queue.
struct Tab {
    key: &'static str,
    label: &'static str,
    filter: QueueFilter,
}

fn tabs(caller: &Caller, lang: Lang, now: Timestamp) -> Vec<Tab> {
    let p = &caller.principal;
    let agency = p.agency.clone();
    let transfer = &kuaiwei_cases::rules::bundled().transfer_report;
    let by_state = |key: &'static str, s: CaseState| Tab {
        key,
        label: lang.t(&format!("work.tab.{key}")),
        filter: QueueFilter {
            agency: agency.clone(),
            state: Some(s),
            ..QueueFilter::default()
        },
    };
    let all = |key: &'static str| Tab {
        key,
        label: lang.t(&format!("work.tab.{key}")),
        filter: QueueFilter {
            agency: agency.clone(),
            ..QueueFilter::default()
        },
    };
    match p.role {
        Role::Caseworker => vec![
            by_state("received", CaseState::Received),
            by_state("supplement_requested", CaseState::SupplementRequested),
            by_state("accepted", CaseState::Accepted),
            all("all"),
        ],
        Role::Officer => vec![
            all("all"),
            Tab {
                key: "overdue",
                label: lang.t("work.tab.overdue"),
                filter: QueueFilter {
                    agency: agency.clone(),
                    due_before: Some(now),
                    ..QueueFilter::default()
                },
            },
            by_state("routed", CaseState::Routed),
            by_state("opened", CaseState::Opened),
            by_state("suspended", CaseState::Suspended),
            by_state("extension_pending", CaseState::ExtensionPending),
            Tab {
                key: "mine",
                label: lang.t("work.tab.mine"),
                filter: QueueFilter {
                    agency: agency.clone(),
                    officer: Some(p.username.clone()),
                    ..QueueFilter::default()
                },
            },
        ],
        // the transfer report's clocks (移送规定 Art. 5), as the case core's rules name them
        Role::Supervisor => vec![
            by_state("extension_pending", CaseState::ExtensionPending),
            Tab {
                key: "transfer_proposed",
                label: lang.t("work.tab.transfer_proposed"),
                filter: QueueFilter {
                    agency: agency.clone(),
                    running_clock: Some(transfer.proposal.clone()),
                    ..QueueFilter::default()
                },
            },
            Tab {
                key: "transfer_approved",
                label: lang.t("work.tab.transfer_approved"),
                filter: QueueFilter {
                    agency: agency.clone(),
                    running_clock: Some(transfer.approved.clone()),
                    ..QueueFilter::default()
                },
            },
            Tab {
                key: "supervised",
                label: lang.t("work.tab.supervised"),
                filter: QueueFilter {
                    agency: agency.clone(),
                    supervised: Some(true),
                    ..QueueFilter::default()
                },
            },
            Tab {
                key: "overdue",
                label: lang.t("work.tab.overdue"),
                filter: QueueFilter {
                    agency: agency.clone(),
                    due_before: Some(now),
                    ..QueueFilter::default()
                },
            },
            all("all"),
        ],
        Role::Administrator => Vec::new(),
    }
}

struct TabLink {
    href: String,
    label: &'static str,
    count: Option<String>,
    current: bool,
}

/// One case in a queue.
pub struct Row {
    pub number: String,
    pub state: &'static str,
    pub agency: String,
    pub received: String,
    pub due: String,
    /// `overdue`, `soon` or empty: a class and words beside the date.
    pub urgency: &'static str,
    pub urgency_text: &'static str,
    pub provisional: bool,
    pub supervised: bool,
    pub officer: String,
}

/// Queue lines as rows for a page (due dates in Beijing time, overdue and due-soon marked).
pub fn rows(
    state: &AppState,
    lang: Lang,
    items: Vec<kuaiwei_store::QueueItem>,
    now: Timestamp,
) -> Vec<Row> {
    let calendar = state.calendar.current();
    let soon = kuaiwei_deadlines::ClockInput::DEFAULT_DUE_SOON;
    items
        .into_iter()
        .map(|i| {
            let (urgency, urgency_text) = match i.next_due_at {
                Some(d) if d <= now => ("overdue", lang.t("work.overdue")),
                Some(d) if d.duration_since(now) <= soon => ("soon", lang.t("work.due_soon")),
                _ => ("", ""),
            };
            Row {
                number: i.case_number.to_string(),
                state: state_name(lang, i.state),
                agency: agency_name(lang, i.agency.as_deref()),
                received: lang.short_time(i.received_at, now),
                due: i
                    .next_due_at
                    .map(|d| lang.short_due(d, now))
                    .unwrap_or_else(|| "—".into()),
                urgency,
                urgency_text,
                provisional: i
                    .next_due_at
                    .is_some_and(|d| crate::cases::due_is_provisional(&calendar, d)),
                supervised: i.supervised,
                officer: i.officer.unwrap_or_default(),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "work_queue.html")]
struct QueuePage {
    p: Ctx,
    nav: Nav,
    title: &'static str,
    tabs: Vec<TabLink>,
    rows: Vec<Row>,
    /// The address of the previous and next page, when there are.
    prev: Option<String>,
    next: Option<String>,
    /// The message after a step that moved the case out of this caller's reach.
    flash: Option<String>,
}

/// `GET /work`: the queue of the caller's role (`?tab=…&page=N`); an administrator goes to
/// the accounts.
pub async fn queue(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let staff = match Staff::of(&state, &parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if staff.caller.principal.role == Role::Administrator {
        return see_other("/work/admin");
    }
    let lang = staff.lang();
    let now = state.clock.now();
    let query = super::query_pairs(parts.uri.query());
    let asked = query
        .iter()
        .find(|(k, _)| k == "tab")
        .map(|(_, v)| v.as_str());
    let page: u32 = query
        .iter()
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.parse().ok())
        .filter(|n| *n >= 1 && *n <= 10_000)
        .unwrap_or(1);
    let all = tabs(&staff.caller, lang, now);
    let chosen = all
        .iter()
        .position(|t| Some(t.key) == asked)
        .unwrap_or_default();
    let mut tab_links = Vec::new();
    for (i, t) in all.iter().enumerate() {
        // "all" is not a count anyone acts on
        let count = if t.key == "all" {
            None
        } else {
            match count(&state, &t.filter).await {
                Ok(c) => c,
                Err(e) => return error_page(staff.p, e, "/work"),
            }
        };
        tab_links.push(TabLink {
            href: format!("/work?tab={}", t.key),
            label: t.label,
            count,
            current: i == chosen,
        });
    }
    let tab = &all[chosen];
    let items = match state
        .store
        .queue(&tab.filter, PAGE_ROWS + 1, (page - 1) * PAGE_ROWS)
        .await
    {
        Ok(i) => i,
        Err(e) => return error_page(staff.p, e.into(), "/work"),
    };
    let more = items.len() > PAGE_ROWS as usize;
    let items = items.into_iter().take(PAGE_ROWS as usize).collect();
    let at = |n: u32| format!("/work?tab={}&page={n}", tab.key);
    let flash = query
        .iter()
        .find(|(k, _)| k == "done")
        .and_then(|(_, v)| step_label(lang, v))
        .map(|step| lang.tf("work.done", &[("step", step)]));
    render(
        StatusCode::OK,
        &QueuePage {
            title: tab.label,
            tabs: tab_links,
            rows: rows(&state, lang, items, now),
            prev: (page > 1).then(|| at(page - 1)),
            next: more.then(|| at(page + 1)),
            flash,
            p: staff.p,
            nav: staff.nav,
        },
        true,
    )
}

/// A step's name (`accept` → 受理), if it is one.
pub fn step_label(lang: Lang, key: &str) -> Option<&'static str> {
    kuaiwei_domain::Action::ALL
        .iter()
        .find(|a| a.key() == key)
        .map(|a| lang.t(&format!("step.{}", a.key())))
}
