//! `/file`: choose the channel (and the right), then one form with only that channel's fields,
//! the materials to bring told up front, and the files tagged as the API tags them. The form
//! posts multipart here; this handler files through [`crate::intake`] like the API does, and on
//! success redirects to the receipt (Post/Redirect/Get).

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kuaiwei_domain::FieldError;

use super::form::{self, Group, Problem, Upload, Values};
use super::{Ctx, Lang, error_page, render};
use crate::{AppError, AppState, intake, token};

/// The hidden field that carries the draft's idempotency key.
pub const KEY_FIELD: &str = "idempotency_key";

#[derive(Template)]
#[template(path = "file_start.html")]
struct Start {
    p: Ctx,
    channels: Vec<form::Opt>,
    rights: Vec<form::Opt>,
    /// Fair details from a station's QR code, carried to the form.
    prefill: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "file.html")]
struct FilePage {
    p: Ctx,
    action: String,
    channel: &'static str,
    channel_label: &'static str,
    change_href: String,
    key: String,
    groups: Vec<Group>,
    uploads: Vec<Upload>,
    problems: Vec<Problem>,
    /// Files were sent with a form that came back: they must be chosen again.
    files_again: bool,
}

/// `GET /file`: the channel question, or with `?channel=` the form for that channel.
pub async fn page(Query(q): Query<Vec<(String, String)>>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let p = Ctx::of(&parts);
    let get = |k: &str| {
        q.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let prefill: Vec<(&'static str, String)> = form::FAIR_PREFILL
        .iter()
        .map(|(param, _)| (*param, get(param)))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let Some(channel) = form::CHANNELS.into_iter().find(|c| *c == get("channel")) else {
        let lang = p.lang;
        // a station's QR code is at a fair
        let chosen = if prefill.is_empty() { "" } else { "fair" };
        let page = Start {
            channels: form::CHANNELS
                .into_iter()
                .map(|c| opt(lang, "channel", c, c == chosen))
                .collect(),
            rights: form::RIGHTS
                .into_iter()
                .map(|(r, _)| opt(lang, "right", r, false))
                .collect(),
            prefill,
            p,
        };
        return render(StatusCode::OK, &page, false);
    };
    let mut values = vec![("channel.kind".to_string(), channel.to_string())];
    if channel == "fair" {
        for (param, field) in form::FAIR_PREFILL {
            values.push((field.to_string(), get(param)));
        }
    }
    values.push(("rights[0].kind".into(), get("right")));
    match new_key() {
        Ok(key) => form_page(p, StatusCode::OK, Values(values), &[], key, false),
        Err(e) => error_page(p, e, "/"),
    }
}

fn opt(lang: Lang, group: &str, value: &'static str, on: bool) -> form::Opt {
    form::Opt {
        value,
        label: lang.t(&format!("option.{group}.{value}")),
        on,
    }
}

/// A fresh draft's idempotency key: made when the form is drawn, so every retry of this draft
/// carries the same one.
fn new_key() -> Result<String, AppError> {
    token::new_token()
        .map(|t| format!("page-{t}"))
        .map_err(|e| AppError::Internal(e.to_string()))
}

fn form_page(
    p: Ctx,
    status: StatusCode,
    values: Values,
    errors: &[FieldError],
    key: String,
    files_again: bool,
) -> Response {
    let lang = p.lang;
    let channel = values.channel().unwrap_or("walk_in");
    let groups = form::groups(lang, channel, &values, errors);
    let problems = form::problems(lang, &groups, errors);
    let right = values.right();
    let mut change = format!("/file?lang={}", lang.tag());
    if channel == "fair" {
        for (param, field) in form::FAIR_PREFILL {
            let v = values.get(field);
            if !v.is_empty() {
                change.push_str(&format!("&{param}={}", encode(v)));
            }
        }
    }
    let page = FilePage {
        action: format!("/file?lang={}", lang.tag()),
        channel,
        channel_label: lang.t(&format!("option.channel.{channel}")),
        change_href: change,
        key,
        uploads: form::uploads(lang, channel, right.map(|(_, r)| r)),
        groups,
        problems,
        files_again,
        p,
    };
    render(status, &page, false)
}

/// Percent-encodes a query value.
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `POST /file`: file the complaint through the intake service.
pub async fn submit(State(state): State<AppState>, req: Request) -> Response {
    let (mut parts, body) = req.into_parts();
    let p = Ctx::of(&parts);
    // the same address bucket as the API, checked before the body is read
    let peer = ConnectInfo::<SocketAddr>::from_request_parts(&mut parts, &state).await;
    if let Some(ip) = crate::rate::client_address(
        &state.intake_limits.trusted_proxies,
        peer.ok().map(|ConnectInfo(a)| a.ip()),
        &parts.headers,
    ) && let Err(secs) = state
        .intake_limits
        .per_address
        .check(&ip.to_string(), state.clock.now())
    {
        return error_page(
            p,
            AppError::TooManyRequests {
                retry_after_secs: secs,
            },
            "/file",
        );
    }
    let req = Request::from_parts(parts, body);
    let page_form = match intake::read_page_form(&state, req).await {
        Ok(f) => f,
        Err(e) => return error_page(p, e, "/file"),
    };
    let values = Values(page_form.fields.clone());
    let files_sent = page_form.file_count() > 0;
    let key = match page_form
        .value(KEY_FIELD)
        .map(intake::check_idempotency_key)
    {
        Some(Ok(k)) => k,
        Some(Err(e)) => return error_page(p, e, "/file"),
        // a form without its key (drawn by something else) still files, once
        None => match new_key() {
            Ok(k) => k,
            Err(e) => return error_page(p, e, "/file"),
        },
    };
    let (input, mut errors) = form::complaint_input(&values);
    let complaint = match input.validate_on(kuaiwei_deadlines::local_date(state.clock.now())) {
        Ok(c) if errors.is_empty() => c,
        Ok(_) => {
            return form_page(
                p,
                StatusCode::UNPROCESSABLE_ENTITY,
                values,
                &errors,
                key,
                files_sent,
            );
        }
        Err(e) => {
            errors.extend(e.0);
            return form_page(
                p,
                StatusCode::UNPROCESSABLE_ENTITY,
                values,
                &errors,
                key,
                files_sent,
            );
        }
    };
    let upload = page_form.upload(complaint, &[KEY_FIELD]);
    let lang = match p.lang {
        super::i18n::Lang::Zh => kuaiwei_notify::Lang::Zh,
        super::i18n::Lang::En => kuaiwei_notify::Lang::En,
    };
    match intake::submit(&state, upload, Some(key.clone()), None, lang).await {
        Ok(receipt) => {
            let cookie =
                super::receipt::cookie(&receipt.case_number.to_string(), &receipt.tracking_token);
            let mut res = (
                StatusCode::SEE_OTHER,
                [(header::LOCATION, HeaderValue::from_static("/receipt"))],
            )
                .into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                res.headers_mut().insert(header::SET_COOKIE, v);
            }
            res
        }
        Err(AppError::IdempotencyKeyReused) => {
            // this draft was filed already and has been changed since: say so, and give the
            // changed form a key of its own, so that sending it files it as a new complaint
            let message = FieldError {
                path: "form".into(),
                code: "already_filed",
                message_zh: Lang::Zh.t("file.already_filed").into(),
                message_en: Lang::En.t("file.already_filed").into(),
            };
            match new_key() {
                Ok(k) => form_page(
                    p,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    values,
                    &[message],
                    k,
                    files_sent,
                ),
                Err(e) => error_page(p, e, "/file"),
            }
        }
        Err(AppError::Validation(e)) => form_page(
            p,
            StatusCode::UNPROCESSABLE_ENTITY,
            values,
            &e.0,
            key,
            files_sent,
        ),
        Err(e) => error_page(p, e, "/file"),
    }
}
