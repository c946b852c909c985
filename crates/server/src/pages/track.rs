//! `/track`: the complainant's view of their case, reached by case number and tracking token
//! sent in a POST body (never the address: tokens must not reach logs, Referers or search
//! engines). The QR link `/track#n=…&t=…` fills the form through the script. While a supplement
//! is asked for, the answer is sent from the same page to `/track/supplement`, which takes it
//! through the same complainant supplement service as the API.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use kuaiwei_domain::{CaseNumber, CaseState};
use kuaiwei_routing::{Agency, MaterialKind};

use super::{Ctx, Lang, error_page, render};
use crate::routes::complaints::{StatusView, status_view};
use crate::{AppError, AppState, intake, token};

#[derive(Template)]
#[template(path = "track.html")]
struct TrackForm {
    p: Ctx,
    number: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "status.html")]
struct StatusPage {
    p: Ctx,
    number: String,
    token: String,
    received: String,
    state_text: String,
    agency: Option<String>,
    /// The other authorities acting on the complaint (linked cases): number, authority, state.
    linked: Vec<(String, String, String)>,
    /// Each asked material in words, the reason, when asked.
    asked: Vec<String>,
    asked_reason: Option<String>,
    asked_at: Option<String>,
    refusal_reason: Option<String>,
    can_supplement: bool,
    /// The files the complainant sent, with a thumbnail of each photo.
    files: Vec<FileLine>,
    /// Shown after a supplement was sent.
    sent: bool,
    supplement_error: Option<String>,
    /// How the complainant is told of each step: channel, masked address, stopped.
    notices: Vec<(String, String, bool)>,
    /// Shown after a channel was stopped.
    stopped: bool,
}

/// One file on the status page.
struct FileLine {
    name: String,
    size: String,
    /// A `data:` URI of the photo's thumbnail (no metadata): the page is reached by a POST with
    /// the token, so an `<img>` could not fetch it by address.
    thumb: Option<String>,
}

/// Most thumbnails inlined in one page (a thumbnail is about 12 KB).
const THUMBS: usize = 24;

async fn file_lines(state: &AppState, v: &StatusView, lang: Lang) -> Vec<FileLine> {
    use base64::Engine;
    let mut out = Vec::with_capacity(v.evidence.len());
    for e in &v.evidence {
        let media = kuaiwei_evidence::MediaType::from_mime(&e.media_type);
        let mut thumb = None;
        if let Some(m) = media.filter(|m| m.has_preview())
            && out.iter().filter(|f: &&FileLine| f.thumb.is_some()).count() < THUMBS
            && let Some(path) = state
                .evidence
                .preview_path(&e.sha256, kuaiwei_evidence::PreviewSize::Thumb)
        {
            if !tokio::fs::try_exists(&path).await.unwrap_or(false)
                && let Err(err) = state.evidence.previews(&e.sha256, m).await
            {
                tracing::warn!(error = %err, sha256 = %e.sha256, "thumbnail not made");
            }
            if let Ok(bytes) = tokio::fs::read(&path).await {
                thumb = Some(format!(
                    "data:image/jpeg;base64,{}",
                    base64::engine::general_purpose::STANDARD.encode(bytes)
                ));
            }
        }
        out.push(FileLine {
            name: e
                .filename
                .clone()
                .unwrap_or_else(|| e.sha256[..12].to_string()),
            size: lang.size(e.size),
            thumb,
        });
    }
    out
}

/// `GET /track`: the form.
pub async fn page(req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let p = Ctx::of(&parts);
    render(
        StatusCode::OK,
        &TrackForm {
            p,
            number: String::new(),
            error: None,
        },
        false,
    )
}

fn form_value(fields: &[(String, String)], name: &str) -> String {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

/// `POST /track` (urlencoded or multipart): the case's status, or the form again with a
/// message that never says whether the number or the token was wrong.
pub async fn show(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let p = Ctx::of(&parts);
    let fields = match read_fields(Request::from_parts(parts, body)).await {
        Ok(f) => f,
        Err(e) => return error_page(p, e, "/track"),
    };
    let number = form_value(&fields, "case_number").to_ascii_uppercase();
    let tracking_token = form_value(&fields, "tracking_token").to_ascii_lowercase();
    status(&state, p, number, tracking_token, false, None).await
}

/// A urlencoded body of at most 4 KiB.
pub(super) async fn read_fields(req: Request) -> Result<Vec<(String, String)>, AppError> {
    let axum::Form(fields) =
        <axum::Form<Vec<(String, String)>> as axum::extract::FromRequest<()>>::from_request(
            req,
            &(),
        )
        .await
        .map_err(|e| AppError::bad_request("bad_form", "表单格式错误", e.body_text()))?;
    Ok(fields)
}

async fn status(
    state: &AppState,
    p: Ctx,
    number: String,
    tracking_token: String,
    sent: bool,
    supplement_error: Option<String>,
) -> Response {
    status_with(
        state,
        p,
        number,
        tracking_token,
        sent,
        supplement_error,
        false,
    )
    .await
}

/// The status page; `stopped`: after the complainant stopped a channel.
async fn status_with(
    state: &AppState,
    p: Ctx,
    number: String,
    tracking_token: String,
    sent: bool,
    supplement_error: Option<String>,
    stopped: bool,
) -> Response {
    let lang = p.lang;
    let view = match CaseNumber::parse(&number) {
        Ok(n) => status_view(state, n.as_str(), &token::hash(&tracking_token)).await,
        Err(_) => Err(AppError::NotFound),
    };
    let view = match view {
        Ok(v) => v,
        Err(AppError::NotFound) => {
            return render(
                StatusCode::NOT_FOUND,
                &TrackForm {
                    error: Some(lang.t("track.not_found").into()),
                    number,
                    p,
                },
                true,
            );
        }
        Err(e) => return error_page(p, e, "/track"),
    };
    let files = file_lines(state, &view, p.lang).await;
    let notices = state
        .store
        .case_messages(&number)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|m| m.channel != "webhook" && m.notice["kind"] == "received")
        .map(|m| (m.channel, m.shown_to, m.opted_out_at.is_some()))
        .collect();
    let mut page = status_page(p, &view, tracking_token, sent, supplement_error);
    page.files = files;
    page.notices = notices;
    page.stopped = stopped;
    render(StatusCode::OK, &page, true)
}

fn status_page(
    p: Ctx,
    v: &StatusView,
    token: String,
    sent: bool,
    supplement_error: Option<String>,
) -> StatusPage {
    let lang = p.lang;
    let agency = v
        .agency
        .as_deref()
        .and_then(Agency::from_key)
        .map(|a| match lang {
            Lang::Zh => a.zh().to_string(),
            Lang::En => a.en().to_string(),
        });
    let agency_text = agency
        .clone()
        .unwrap_or_else(|| lang.t("track.agency_unknown").into());
    let state_text = match v.case_state {
        CaseState::Received => lang.t("state.received").to_string(),
        CaseState::SupplementRequested => lang.t("state.supplement_requested").to_string(),
        CaseState::Accepted => lang.t("state.accepted").to_string(),
        CaseState::Routed
        | CaseState::Opened
        | CaseState::Suspended
        | CaseState::ExtensionPending => lang.tf("state.routed", &[("agency", &agency_text)]),
        CaseState::Transferred => lang.tf("state.transferred", &[("agency", &agency_text)]),
        CaseState::Refused => lang.t("state.refused").to_string(),
        CaseState::Closed => {
            let outcome = v
                .outcome
                .map(|o| lang.t(&format!("outcome.{}", outcome_key(o))).to_string())
                .unwrap_or_else(|| lang.t("outcome.other").into());
            lang.tf("state.closed", &[("outcome", &outcome)])
        }
    };
    let ask = v.supplement_requested.as_ref();
    StatusPage {
        number: v.case_number.clone(),
        token,
        received: lang.time(v.received_at),
        state_text,
        agency,
        linked: v
            .linked
            .iter()
            .map(|l| {
                let a = match (lang, l.agency_zh, l.agency_en) {
                    (Lang::Zh, Some(a), _) | (Lang::En, _, Some(a)) => a.to_string(),
                    _ => lang.t("track.agency_unknown").to_string(),
                };
                let state = match l.case_state {
                    CaseState::Closed => lang.t("status.linked_closed"),
                    CaseState::Refused => lang.t("state.refused"),
                    CaseState::Transferred => lang.t("status.linked_transferred"),
                    CaseState::Opened | CaseState::Suspended | CaseState::ExtensionPending => {
                        lang.t("status.linked_opened")
                    }
                    _ => lang.t("status.linked_routed"),
                };
                (l.case_number.clone(), a, state.to_string())
            })
            .collect(),
        asked: ask
            .map(|a| {
                a.missing
                    .iter()
                    .map(|m| match MaterialKind::from_key(m) {
                        Some(k) => lang.t(&format!("material.{}", k.key())).to_string(),
                        None => m.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        asked_reason: ask.and_then(|a| a.reason.clone()),
        asked_at: ask.map(|a| lang.time(a.asked_at)),
        refusal_reason: v.refusal_reason.clone(),
        can_supplement: v.case_state == CaseState::SupplementRequested,
        files: Vec::new(),
        sent,
        supplement_error,
        p,
        notices: Vec::new(),
        stopped: false,
    }
}

fn outcome_key(o: kuaiwei_domain::Outcome) -> String {
    serde_json::to_value(o)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "other".into())
}

/// `POST /track/opt-out` (`case_number`, `tracking_token`, `channel`): the complainant stops
/// the e-mails or the text messages of the case; the status page again, saying so.
pub async fn opt_out(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let p = Ctx::of(&parts);
    let fields = match read_fields(Request::from_parts(parts, body)).await {
        Ok(f) => f,
        Err(e) => return error_page(p, e, "/track"),
    };
    let number = form_value(&fields, "case_number").to_ascii_uppercase();
    let tracking_token = form_value(&fields, "tracking_token").to_ascii_lowercase();
    let channel = form_value(&fields, "channel");
    if !matches!(channel.as_str(), "email" | "sms") {
        return error_page(
            p,
            AppError::field(
                "channel",
                "unknown_value",
                "未知的通知方式",
                "unknown channel",
            ),
            "/track",
        );
    }
    let allowed = match CaseNumber::parse(&number) {
        Ok(n) => state
            .store
            .complaint_for_complainant(n.as_str(), &token::hash(&tracking_token))
            .await
            .map(|c| c.is_some()),
        Err(_) => Ok(false),
    };
    match allowed {
        Ok(true) => {
            if let Err(e) = state
                .store
                .opt_out(&number, &channel, state.clock.now())
                .await
            {
                return error_page(p, e.into(), "/track");
            }
            status_with(&state, p, number, tracking_token, false, None, true).await
        }
        Ok(false) => status(&state, p, number, tracking_token, false, None).await,
        Err(e) => error_page(p, e.into(), "/track"),
    }
}

/// `POST /track/supplement` (multipart: `case_number`, `tracking_token`, `note`, evidence parts):
/// the complainant's answer to a supplement request, then the status page again.
pub async fn supplement(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let p = Ctx::of(&parts);
    let form = match intake::read_page_form(&state, Request::from_parts(parts, body)).await {
        Ok(f) => f,
        Err(e) => return error_page(p, e, "/track"),
    };
    let number = form.value("case_number").unwrap_or("").to_ascii_uppercase();
    let tracking_token = form
        .value("tracking_token")
        .unwrap_or("")
        .to_ascii_lowercase();
    let Ok(case_number) = CaseNumber::parse(&number) else {
        return status(&state, p, number, tracking_token, false, None).await;
    };
    let hash = token::hash(&tracking_token);
    let result = match form.supplement() {
        Ok(s) => crate::cases::complainant_supplement(&state, case_number.as_str(), &hash, s).await,
        Err(e) => Err(e),
    };
    let lang = p.lang;
    match result {
        Ok(()) => status(&state, p, number, tracking_token, true, None).await,
        Err(AppError::NotFound) => status(&state, p, number, tracking_token, false, None).await,
        Err(AppError::Validation(v)) => {
            let detail =
                v.0.iter()
                    .map(|f| super::form::message(lang, f))
                    .collect::<Vec<_>>()
                    .join(" ");
            status(&state, p, number, tracking_token, false, Some(detail)).await
        }
        Err(
            e @ (AppError::StateConflict { .. }
            | AppError::IllegalAction(_)
            | AppError::TooLarge { .. }
            | AppError::UnsupportedMediaType { .. }),
        ) => {
            let (_, zh, en) = e.status_and_messages();
            let detail = match &lang {
                Lang::Zh => zh,
                Lang::En => en,
            };
            status(&state, p, number, tracking_token, false, Some(detail)).await
        }
        Err(e) => error_page(p, e, "/track"),
    }
}
