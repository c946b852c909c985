//! `/api/v1/session`: log in (POST), who am I (GET), log out (DELETE).

use axum::Json;
use axum::body::Bytes;
use std::net::SocketAddr;

use axum::extract::rejection::ExtensionRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::{AppError, AppState, auth};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    username: String,
    password: String,
}

/// Who is logged in.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub username: String,
    pub display_name: String,
    /// `caseworker`, `officer`, `supervisor` or `administrator`.
    pub role: String,
    pub agency: Option<String>,
    /// Where the account is told of what concerns it, masked (set by an administrator).
    pub notices: super::accounts::Notices,
}

fn me(a: kuaiwei_store::Account) -> Me {
    Me {
        notices: super::accounts::Notices::of(&a.contact),
        username: a.username,
        display_name: a.display_name,
        role: a.role,
        agency: a.agency,
    }
}

/// Logs in: a new session in a `__Host-sid` cookie (Secure, HttpOnly, SameSite=Strict).
/// Unknown user, wrong password and disabled account get the same 401; too many failures for
/// one account within 15 minutes, or too many attempts from one address (30 a minute), get
/// 429 with Retry-After.
#[utoipa::path(
    post,
    path = "/api/v1/session",
    tag = "session",
    request_body = LoginBody,
    responses(
        (status = 200, body = Me, description = "logged in; the cookie is set"),
        (status = 400, description = "malformed JSON, or not JSON", body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody),
        (status = 429, body = crate::error::ErrorBody),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    peer: Result<ConnectInfo<SocketAddr>, ExtensionRejection>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let b: LoginBody = crate::json::parse(&body)?;
    let address = crate::rate::client_address(
        &state.intake_limits.trusted_proxies,
        peer.ok().map(|ConnectInfo(a)| a.ip()),
        &headers,
    );
    let (account, token) = auth::login(&state, address, &b.username, b.password).await?;
    Ok((
        [(header::SET_COOKIE, auth::set_cookie(&token, &state.auth))],
        Json(me(account)),
    )
        .into_response())
}

/// The account behind the session cookie; 401 without a live session.
#[utoipa::path(
    get,
    path = "/api/v1/session",
    tag = "session",
    responses((status = 200, body = Me), (status = 401, body = crate::error::ErrorBody))
)]
pub async fn whoami(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Me>, AppError> {
    Ok(Json(me(auth::current(&state, &headers).await?)))
}

/// Logs out: the session is deleted on the server (the cookie alone opens nothing after).
#[utoipa::path(
    delete,
    path = "/api/v1/session",
    tag = "session",
    responses((status = 204, description = "logged out (also when there was no session)"))
)]
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    auth::logout(&state, &headers).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, auth::clear_cookie())],
    )
        .into_response())
}
