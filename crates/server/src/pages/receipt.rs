//! `/receipt`: what the complainant sees right after filing. The filing page redirects here
//! (Post/Redirect/Get) with the case number and tracking token in a short-lived cookie sent only
//! to this path, so the token never appears in an address, a log line or a Referer; the page
//! can be reloaded and printed. The QR code carries the tracking link with the token in the
//! fragment (`/track#n=…&t=…`), which browsers never send to any server.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use kuaiwei_domain::Channel;
use qrcode::QrCode;
use qrcode::render::svg;

use super::{Ctx, error_page, render};
use crate::{AppError, AppState, token};

const COOKIE: &str = "kw_receipt";

/// The cookie that carries a fresh receipt to `GET /receipt` (one day, this path only).
pub fn cookie(case_number: &str, tracking_token: &str) -> String {
    format!(
        "{COOKIE}={case_number}.{tracking_token}; Path=/receipt; Secure; HttpOnly; SameSite=Strict; Max-Age=86400"
    )
}

fn from_cookie(headers: &HeaderMap) -> Option<(String, String)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .and_then(|(_, v)| v.split_once('.'))
        .map(|(n, t)| (n.to_string(), t.to_string()))
}

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptPage {
    p: Ctx,
    case_number: String,
    token: String,
    received: String,
    next: String,
    qr_svg: String,
    files: usize,
}

/// `GET /receipt`: the receipt of the complaint filed from this browser, or the tracking page.
pub async fn page(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let p = Ctx::of(&parts);
    let Some((number, tracking_token)) = from_cookie(&parts.headers) else {
        return Redirect::to("/track").into_response();
    };
    let record = match state
        .store
        .complaint_for_complainant(&number, &token::hash(&tracking_token))
        .await
    {
        Ok(Some(r)) => r,
        Ok(None) => return Redirect::to("/track").into_response(),
        Err(e) => return error_page(p, AppError::from(e), "/"),
    };
    let lang = p.lang;
    let next = match &record.complaint.channel {
        // 《展会知识产权保护办法》(2006) Art. 11: handed over within 24 hours of receipt
        Channel::Fair { .. } => lang.tf(
            "receipt.next_fair",
            &[(
                "by",
                &lang.time(record.received_at + jiff::SignedDuration::from_hours(24)),
            )],
        ),
        _ => lang.t("receipt.next_other").to_string(),
    };
    let link = format!(
        "{}/track#n={}&t={}",
        origin(&parts.headers),
        record.case_number,
        tracking_token
    );
    let qr_svg = qr_svg(&link);
    let page = ReceiptPage {
        case_number: record.case_number.to_string(),
        token: tracking_token,
        received: lang.time(record.received_at),
        next,
        qr_svg,
        files: record.evidence.len(),
        p,
    };
    render(StatusCode::OK, &page, true)
}

/// `text` as a QR code in inline SVG (empty, logged, if it cannot be made).
pub(super) fn qr_svg(text: &str) -> String {
    match QrCode::new(text.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<svg::Color<'_>>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build();
            // inline in the page: the XML declaration belongs to files only
            match svg.split_once("?>") {
                Some((_, rest)) => rest.to_string(),
                None => svg,
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "a QR code could not be made");
            String::new()
        }
    }
}

/// The address the browser reached us at: its `Host`, with the scheme a proxy says it served
/// (`X-Forwarded-Proto`), else http.
pub(super) fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let scheme = match headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
    {
        Some("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{host}")
}
