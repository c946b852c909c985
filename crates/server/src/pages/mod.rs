//! Server-rendered pages for complainants (docs/pages.md): the front page, filing, the
//! receipt, tracking and the supplement. Templates are askama (checked at compile time,
//! auto-escaped) in `templates/`; every string comes from the zh-CN or en catalogue; pages work
//! without JavaScript, and one small script (`static/kuaiwei.js`) makes them better.
//!
//! Pages file and supplement through the same intake service as the JSON API
//! ([`crate::intake`]): one validation, one idempotency rule, the same field paths.

mod admin;
mod assets;
mod calendar;
mod case;
mod file;
mod form;
mod i18n;
mod login;
mod receipt;
pub(crate) mod report;
mod respondent;
mod search;
mod setup;
mod stations;
mod track;
mod work;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::compression::CompressionLayer;

use crate::AppState;
pub use i18n::Lang;

/// A query string's pairs, decoded.
pub fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

/// The pages' Content-Security-Policy: only our own files, no inline script or style, never
/// framed, forms post only to us.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The page routes, to be merged into the API router (which adds the state).
pub fn router(
    upload_limit: usize,
    uploads: std::sync::Arc<tokio::sync::Semaphore>,
) -> Router<AppState> {
    let slot = |slots: std::sync::Arc<tokio::sync::Semaphore>| {
        axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                crate::http::upload_slot(slots.clone(), req, next)
            },
        )
    };
    Router::new()
        .route("/", get(home))
        .route(
            "/file",
            get(file::page).merge(
                post(file::submit)
                    .layer(DefaultBodyLimit::max(upload_limit))
                    .layer(slot(uploads.clone())),
            ),
        )
        .route("/receipt", get(receipt::page))
        .route("/track", get(track::page).post(track::show))
        .route("/track/opt-out", post(track::opt_out))
        .route(
            "/track/supplement",
            post(track::supplement)
                .layer(DefaultBodyLimit::max(upload_limit))
                .layer(slot(uploads)),
        )
        .route("/static/{name}", get(assets::serve))
        .route("/api/docs", get(api_docs))
        .route("/login", get(login::page).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/work", get(work::queue))
        .route("/work/cases/{case_number}", get(case::page))
        .route("/work/cases/{case_number}/step", post(case::step))
        .route("/work/search", get(search::page))
        .route("/work/admin", get(admin::page))
        .route("/work/admin/accounts", post(admin::create))
        .route("/work/admin/accounts/{username}", post(admin::change))
        .route("/work/admin/keys", get(setup::keys).post(setup::create))
        .route("/work/admin/keys/{name}/revoke", post(setup::revoke))
        .route("/work/admin/messages", get(setup::messages))
        .route("/work/admin/audit", get(setup::audit).post(setup::verify))
        .route("/work/rules", get(setup::rules))
        .route("/work/stations", get(stations::page).post(stations::create))
        .route("/work/stations/{id}", get(stations::session))
        .route("/reports/on-time", get(report::page))
        .route("/reports/on-time/cases", get(report::cases))
        .route("/watch", get(report::watch))
        .route("/work/respondents", get(respondent::proposals))
        .route(
            "/work/respondents/{id}",
            get(respondent::page).post(respondent::act),
        )
        .route(
            "/work/admin/calendar",
            get(calendar::page).post(calendar::submit),
        )
        .layer(axum::middleware::from_fn(security_headers))
        .layer(CompressionLayer::new())
}

/// What every page's frame needs: the language, the address of the same page in the other
/// language, and the static files.
pub struct Ctx {
    pub lang: Lang,
    pub switch_href: String,
    pub css: String,
    pub js: String,
}

impl Ctx {
    /// For a request to `path` with `query`: the language (see [`Lang::choose`]).
    pub fn new(path: &str, query: Option<&str>, headers: &HeaderMap) -> Ctx {
        let (lang, _) = Lang::choose(query, headers);
        let mut kept: Vec<&str> = query
            .unwrap_or("")
            .split('&')
            .filter(|kv| !kv.is_empty() && !kv.starts_with("lang="))
            .collect();
        let other = format!("lang={}", lang.other().tag());
        kept.push(&other);
        Ctx {
            lang,
            switch_href: format!("{path}?{}", kept.join("&")),
            css: assets::href("kuaiwei.css"),
            js: assets::href("kuaiwei.js"),
        }
    }

    pub fn of(req: &axum::http::request::Parts) -> Ctx {
        Ctx::new(req.uri.path(), req.uri.query(), &req.headers)
    }

    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    /// The text of `section.key`, for a template looping over keys.
    pub fn ts(&self, section: &str, key: &str) -> &'static str {
        self.lang.t(&format!("{section}.{key}"))
    }
}

/// A rendered page with `status`. Pages that show a tracking token are `no-store`; the others
/// may be kept by the browser but are checked again before reuse.
pub fn render(status: StatusCode, page: &impl Template, private: bool) -> Response {
    match page.render() {
        Ok(html) => {
            let cache = if private {
                "no-store"
            } else {
                "private, no-cache"
            };
            (
                status,
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/html; charset=utf-8"),
                    ),
                    (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
                    (
                        header::VARY,
                        HeaderValue::from_static("Cookie, Accept-Language"),
                    ),
                ],
                html,
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "rendering a page failed");
            crate::AppError::Internal("rendering a page failed".into()).into_response()
        }
    }
}

/// Adds the pages' security headers, and remembers a language chosen with `?lang=`.
async fn security_headers(req: Request, next: Next) -> Response {
    let chosen = i18n::Lang::choose(req.uri().query(), req.headers());
    let mut res = next.run(req).await;
    set_security_headers(res.headers_mut());
    if let (lang, true) = chosen
        && let Ok(v) = HeaderValue::from_str(&format!(
            "{}={}; Path=/; SameSite=Lax; Max-Age=31536000",
            i18n::LANG_COOKIE,
            lang.tag()
        ))
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

fn set_security_headers(h: &mut HeaderMap) {
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    p: Ctx,
}

async fn home(req: Request) -> Response {
    let (parts, _) = req.into_parts();
    render(StatusCode::OK, &Home { p: Ctx::of(&parts) }, false)
}

/// `/api/docs`: Swagger UI, served from the binary, over `/api/v1/openapi.json`.
#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocs {
    p: Ctx,
    ui_css: String,
    ui_js: String,
    init_js: String,
}

async fn api_docs(req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let page = ApiDocs {
        p: Ctx::of(&parts),
        ui_css: assets::href("swagger-ui.css"),
        ui_js: assets::href("swagger-ui-bundle.js"),
        init_js: assets::href("api-docs.js"),
    };
    render(StatusCode::OK, &page, false)
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFound {
    p: Ctx,
}

/// An error shown as a page: what went wrong, in the page's language, and where to go.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub p: Ctx,
    pub message: String,
    pub back: &'static str,
}

/// An [`crate::AppError`] as a page, with its status and its message in the page's language;
/// a fault of ours (5xx) says nothing internal.
pub fn error_page(p: Ctx, e: crate::AppError, back: &'static str) -> Response {
    let (status, zh, en) = e.status_and_messages();
    let message = if status.is_server_error() {
        p.t("error.internal").to_string()
    } else {
        match p.lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    };
    render(status, &ErrorPage { p, message, back }, true)
}

/// An error as one line in the page's language, each field's message after the general one,
/// with its status; a fault of ours (5xx) says nothing internal.
pub fn message_line(lang: Lang, e: crate::AppError) -> (StatusCode, String) {
    let (status, zh, en, fields) = e.into_page();
    if status.is_server_error() {
        return (status, lang.t("error.internal").to_string());
    }
    let mut text = match lang {
        Lang::Zh => zh,
        Lang::En => en,
    };
    for f in fields {
        text.push('：');
        text.push_str(&match lang {
            Lang::Zh => f.message_zh,
            Lang::En => f.message_en,
        });
    }
    (status, text)
}

/// Unknown addresses: JSON under `/api/`, a page for everything else (browsers).
pub async fn fallback(req: Request) -> Response {
    if req.uri().path().starts_with("/api/") {
        return crate::AppError::NotFound.into_response();
    }
    let (parts, _) = req.into_parts();
    let mut res = render(
        StatusCode::NOT_FOUND,
        &NotFound {
            p: Ctx::new("/", parts.uri.query(), &parts.headers),
        },
        false,
    );
    set_security_headers(res.headers_mut());
    res
}

/// The entry `name` of a form's kept values or of its messages per field.
pub(super) fn entry<'a>(list: &'a [(String, String)], name: &str) -> Option<&'a str> {
    list.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}
