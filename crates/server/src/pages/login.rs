//! `/login` and `/logout` for staff: the same sessions, throttling and cross-site rules as
//! `POST /api/v1/session` (crate::auth), as a form. After logging in the browser goes back to
//! where it was sent from (`next`, a local address only).

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use super::work::see_other;
use super::{Ctx, error_page, query_pairs, render};
use crate::{AppError, AppState, auth};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    p: Ctx,
    username: String,
    next: String,
    error: Option<String>,
    /// Shown when the browser was sent here from a page (the session ended or never began).
    ended: bool,
}

/// Where to go after logging in: a local path (never `//host` or a scheme: no open redirect),
/// else the workbench.
fn local(next: &str) -> String {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control())
        && !next.starts_with("/login");
    if ok { next.to_string() } else { "/work".into() }
}

/// `GET /login?next=…`: the form.
pub async fn page(req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let p = Ctx::of(&parts);
    let next = query_pairs(parts.uri.query())
        .into_iter()
        .find(|(k, _)| k == "next")
        .map(|(_, v)| v);
    render(
        StatusCode::OK,
        &LoginPage {
            p,
            username: String::new(),
            ended: next.is_some(),
            next: local(next.as_deref().unwrap_or("/work")),
            error: None,
        },
        true,
    )
}

/// `POST /login` (urlencoded `username`, `password`, `next`): a new session, then `303` to
/// `next`; the form again with the reason otherwise (the same words for an unknown name, a
/// wrong password and a disabled account).
pub async fn submit(State(state): State<AppState>, req: Request) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip());
    let (parts, body) = req.into_parts();
    let p = Ctx::of(&parts);
    let fields = match super::track::read_fields(Request::from_parts(parts.clone(), body)).await {
        Ok(f) => f,
        Err(e) => return error_page(p, e, "/login"),
    };
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let username = field("username").trim().to_string();
    let next = local(&field("next"));
    let address =
        crate::rate::client_address(&state.intake_limits.trusted_proxies, peer, &parts.headers);
    match auth::login(&state, address, &username, field("password")).await {
        Ok((_, token)) => {
            let mut res = see_other(&next);
            if let Ok(v) = HeaderValue::from_str(&auth::set_cookie(&token, &state.auth)) {
                res.headers_mut().insert(header::SET_COOKIE, v);
            }
            res
        }
        Err(e) => {
            let status = match &e {
                AppError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
                AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
                _ => return error_page(p, e, "/login"),
            };
            let (_, zh, en) = e.status_and_messages();
            let message = match p.lang {
                super::Lang::Zh => zh,
                super::Lang::En => en,
            };
            render(
                status,
                &LoginPage {
                    p,
                    username,
                    next,
                    error: Some(message),
                    ended: false,
                },
                true,
            )
        }
    }
}

/// `POST /logout`: the session ends on the server, the cookie is cleared, back to the login.
pub async fn logout(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    if let Err(e) = auth::logout(&state, &parts.headers).await {
        return error_page(Ctx::of(&parts), e, "/");
    }
    let mut res = see_other("/login");
    if let Ok(v) = HeaderValue::from_str(&auth::clear_cookie()) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::local;

    #[test]
    fn only_local_addresses_are_followed_after_login() {
        assert_eq!(
            local("/work/cases/KW-2026-000001"),
            "/work/cases/KW-2026-000001"
        );
        assert_eq!(
            local("/work?tab=overdue&page=2"),
            "/work?tab=overdue&page=2"
        );
        for bad in [
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil.example",
            "",
            "work",
            "/login?next=/work",
            "/work\r\nSet-Cookie: x=y",
        ] {
            assert_eq!(local(bad), "/work", "{bad:?}");
        }
    }
}
