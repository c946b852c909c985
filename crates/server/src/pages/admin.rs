//! `/work/admin`: the administrator's accounts page. Adding an account, disabling one, setting
//! a new password and setting where it is told (e-mail, mobile, language of notices) go through
//! the same accounts service as `kuaiwei user` ([`crate::accounts`]): the same checks, the same
//! audit events, the actor being the administrator logged in.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use kuaiwei_access::{Action, Role};
use kuaiwei_routing::Agency;

use super::work::{Nav, Staff, agency_name, see_other};
use super::{Ctx, Lang, error_page, query_pairs, render};
use crate::accounts::{self, NewAccount};
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "work_accounts.html")]
struct AccountsPage {
    p: Ctx,
    nav: Nav,
    accounts: Vec<AccountLine>,
    roles: Vec<(&'static str, &'static str)>,
    agencies: Vec<(&'static str, String)>,
    /// The languages notices are written in: (key, name).
    langs: Vec<(&'static str, &'static str)>,
    /// What was typed into the add form, kept after a refusal (never the password).
    values: Vec<(String, String)>,
    errors: Vec<(String, String)>,
    error: Option<String>,
    flash: Option<String>,
}

impl AccountsPage {
    fn val(&self, name: &str) -> &str {
        super::entry(&self.values, name).unwrap_or("")
    }

    fn err(&self, name: &str) -> Option<&str> {
        super::entry(&self.errors, name)
    }
}

struct AccountLine {
    username: String,
    name: String,
    role: &'static str,
    agency: String,
    created: String,
    disabled: Option<String>,
    /// Where the account is told, masked (`l***@amr.gov.cn · 139****5678`), or empty.
    told_at: String,
    /// The contact as set, for the form that changes it (the administrator set it).
    email: String,
    mobile: String,
    lang: String,
}

/// The staff member if they may manage accounts; the page to send otherwise.
async fn admin(state: &AppState, parts: &axum::http::request::Parts) -> Result<Staff, Response> {
    Staff::with(state, parts, Action::ManageAccounts).await
}

async fn accounts_page(
    state: &AppState,
    staff: Staff,
    values: Vec<(String, String)>,
    failed: Option<AppError>,
    flash: Option<String>,
) -> Response {
    let lang = staff.lang();
    let now = state.clock.now();
    let list = match state.store.accounts().await {
        Ok(l) => l,
        Err(e) => return error_page(staff.p, e.into(), "/work"),
    };
    let pick = |zh: String, en: String| match lang {
        Lang::Zh => zh,
        Lang::En => en,
    };
    let (status, error, errors) = match failed {
        None => (StatusCode::OK, None, Vec::new()),
        Some(e) => {
            let (status, zh, en, fields) = e.into_page();
            let errors = fields
                .into_iter()
                .map(|f| (f.path, pick(f.message_zh, f.message_en)))
                .collect();
            (status, Some(pick(zh, en)), errors)
        }
    };
    let page = AccountsPage {
        accounts: list
            .into_iter()
            .map(|a| AccountLine {
                role: Role::parse(&a.role).map_or("?", |r| lang.t(&format!("role.{}", r.key()))),
                agency: a
                    .agency
                    .as_deref()
                    .map(|k| agency_name(lang, Some(k)))
                    .unwrap_or_default(),
                created: lang.short_time(a.created_at, now),
                disabled: a.disabled_at.map(|t| lang.short_time(t, now)),
                told_at: [
                    a.contact.email.as_deref().map(kuaiwei_domain::pii::email),
                    a.contact.mobile.as_deref().map(accounts::masked_mobile),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · "),
                email: a.contact.email.clone().unwrap_or_default(),
                mobile: a.contact.mobile.clone().unwrap_or_default(),
                lang: a.contact.lang.clone(),
                username: a.username,
                name: a.display_name,
            })
            .collect(),
        roles: Role::ALL
            .iter()
            .map(|r| (r.key(), lang.t(&format!("role.{}", r.key()))))
            .collect(),
        agencies: Agency::ALL
            .iter()
            .map(|a| (a.key(), agency_name(lang, Some(a.key()))))
            .collect(),
        langs: accounts::NOTICE_LANGS
            .iter()
            .map(|k| (*k, lang.t(&format!("admin.lang_name.{k}"))))
            .collect(),
        values,
        errors,
        error,
        flash,
        p: staff.p,
        nav: staff.nav,
    };
    render(status, &page, true)
}

/// `GET /work/admin`: every account, and the form to add one.
pub async fn page(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let staff = match admin(&state, &parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let lang = staff.lang();
    let flash = query_pairs(parts.uri.query())
        .into_iter()
        .find(|(k, _)| k == "done")
        .and_then(|(_, v)| match v.split_once(':') {
            Some((what, who)) if ["created", "disabled", "password", "contact"].contains(&what) => {
                Some(lang.tf(&format!("admin.done.{what}"), &[("user", who)]))
            }
            _ => None,
        });
    accounts_page(&state, staff, Vec::new(), None, flash).await
}

async fn form(
    req: Request,
) -> Result<(axum::http::request::Parts, Vec<(String, String)>), AppError> {
    let (parts, body) = req.into_parts();
    let fields = super::track::read_fields(Request::from_parts(parts.clone(), body)).await?;
    Ok((parts, fields))
}

fn value<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.trim())
}

/// `POST /work/admin/accounts`: add an account (`username`, `display_name`, `role`, `agency`,
/// `password`).
pub async fn create(State(state): State<AppState>, req: Request) -> Response {
    let (parts, fields) = match form(req).await {
        Ok(f) => f,
        Err(e) => {
            return error_page(
                Ctx::new("/work/admin", None, &axum::http::HeaderMap::new()),
                e,
                "/work/admin",
            );
        }
    };
    let staff = match admin(&state, &parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let new = NewAccount {
        username: value(&fields, "username"),
        display_name: Some(value(&fields, "display_name")),
        role: value(&fields, "role"),
        agency: Some(value(&fields, "agency")),
        password: fields
            .iter()
            .find(|(k, _)| k == "password")
            .map_or("", |(_, v)| v.as_str()),
        contact: contact_fields(&fields),
    };
    match accounts::create(&*state.store, &staff.caller.actor(), new, state.clock.now()).await {
        Ok(a) => see_other(&format!("/work/admin?done=created:{}", a.username)),
        Err(e) => {
            let kept = fields
                .into_iter()
                .filter(|(k, _)| k != "password")
                .collect();
            accounts_page(&state, staff, kept, Some(e), None).await
        }
    }
}

/// The contact fields of a form: `email`, `mobile`, `lang`.
fn contact_fields(fields: &[(String, String)]) -> accounts::ContactInput<'_> {
    accounts::ContactInput {
        email: Some(value(fields, "email")),
        mobile: Some(value(fields, "mobile")),
        lang: Some(value(fields, "lang")),
    }
}

/// `POST /work/admin/accounts/{username}` with `do=disable`, `do=password` and `password`, or
/// `do=contact` and `email`, `mobile`, `lang`.
pub async fn change(
    State(state): State<AppState>,
    Path(username): Path<String>,
    req: Request,
) -> Response {
    let (parts, fields) = match form(req).await {
        Ok(f) => f,
        Err(e) => {
            return error_page(
                Ctx::new("/work/admin", None, &axum::http::HeaderMap::new()),
                e,
                "/work/admin",
            );
        }
    };
    let staff = match admin(&state, &parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let actor = staff.caller.actor();
    let now = state.clock.now();
    let done = match value(&fields, "do") {
        "disable" if username == staff.caller.principal.username => Err(AppError::StateConflict {
            code: "own_account",
            zh: "不能停用自己正在使用的账号".into(),
            en: "you cannot disable the account you are logged in with".into(),
        }),
        "disable" => accounts::disable(&*state.store, &actor, &username, now)
            .await
            .map(|_| "disabled"),
        "password" => {
            let secret = fields
                .iter()
                .find(|(k, _)| k == "password")
                .map_or("", |(_, v)| v.as_str());
            accounts::reset_password(&*state.store, &actor, &username, secret, now)
                .await
                .map(|_| "password")
        }
        "contact" => accounts::set_contact(
            &*state.store,
            &actor,
            &username,
            contact_fields(&fields),
            now,
        )
        .await
        .map(|_| "contact"),
        _ => Err(AppError::bad_request(
            "bad_form",
            "未知的操作",
            "unknown change",
        )),
    };
    match done {
        Ok(what) => see_other(&format!("/work/admin?done={what}:{username}")),
        Err(e) => accounts_page(&state, staff, Vec::new(), Some(e), None).await,
    }
}
