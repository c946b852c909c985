//! `POST /api/v1/complaints` and `GET /api/v1/complaints/{case_number}`.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use kuaiwei_domain::{
    Action, CaseNumber, CaseState, Complaint, ComplaintInput, ComplaintStatus, Outcome,
};
use kuaiwei_store::{EvidenceRef, Receipt};
use serde::Serialize;

use crate::{AppError, AppState, intake, token};

/// What the complainant gets at once: the case number and the token to follow it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReceiptView {
    #[schema(example = "KW-2026-000123")]
    pub case_number: String,
    /// Keep it: with the case number it shows the case's status. Shown only here.
    pub tracking_token: String,
    #[schema(value_type = String, format = DateTime)]
    pub received_at: Timestamp,
    pub status: ComplaintStatus,
    pub status_zh: &'static str,
    pub evidence: Vec<FiledEvidence>,
    /// Where to read the status, with the header `X-Tracking-Token`.
    pub status_url: String,
}

/// An evidence file as its complainant sees it (staff see more: `EvidenceView` of a case).
#[derive(Serialize, utoipa::ToSchema)]
pub struct FiledEvidence {
    /// SHA-256 of the file as received: proof of what was filed.
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    pub filename: Option<String>,
    /// The material kind it was filed as (`infringement_evidence` unless tagged).
    pub material: String,
}

impl From<EvidenceRef> for FiledEvidence {
    fn from(e: EvidenceRef) -> Self {
        FiledEvidence {
            sha256: e.sha256,
            size: e.size,
            media_type: e.media_type,
            filename: e.filename,
            material: e.material,
        }
    }
}

impl From<Receipt> for ReceiptView {
    fn from(r: Receipt) -> Self {
        ReceiptView {
            status_url: format!("/api/v1/complaints/{}", r.case_number),
            case_number: r.case_number.to_string(),
            tracking_token: r.tracking_token,
            received_at: r.received_at,
            status: r.status,
            status_zh: r.status.label_zh(),
            evidence: r.evidence.into_iter().map(Into::into).collect(),
        }
    }
}

/// The complainant's view of their own case.
#[derive(Serialize, utoipa::ToSchema)]
pub struct StatusView {
    pub case_number: String,
    #[schema(value_type = String, format = DateTime)]
    pub received_at: Timestamp,
    pub status: ComplaintStatus,
    pub status_zh: &'static str,
    /// Where the case stands now (received, supplement_requested, routed, closed …).
    pub case_state: CaseState,
    pub case_state_zh: &'static str,
    /// While a supplement (补正) is asked for: what is missing and why; send it to
    /// `POST /api/v1/complaints/{case_number}/supplement`.
    pub supplement_requested: Option<SupplementAsk>,
    /// The authority handling the case once routed (`market_regulation` …), with its name.
    pub agency: Option<String>,
    pub agency_zh: Option<&'static str>,
    /// How the case ended, once closed.
    pub outcome: Option<Outcome>,
    pub outcome_zh: Option<&'static str>,
    /// Why the complaint was refused (不予受理), once refused.
    pub refusal_reason: Option<String>,
    /// The other authorities acting on the complaint: a route to several authorities (a
    /// trademark and a design patent) or a transfer (to the police) opens a linked case each.
    pub linked: Vec<LinkedStatus>,
    pub complaint: Complaint,
    pub evidence: Vec<FiledEvidence>,
}

/// A linked case as its complainant sees it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LinkedStatus {
    pub case_number: String,
    pub agency: Option<String>,
    pub agency_zh: Option<&'static str>,
    pub agency_en: Option<&'static str>,
    pub case_state: CaseState,
    pub case_state_zh: &'static str,
    pub outcome: Option<Outcome>,
    pub outcome_zh: Option<&'static str>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SupplementAsk {
    pub missing: Vec<String>,
    pub reason: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub asked_at: Timestamp,
}

/// Documents the supplement form: an optional note and evidence parts.
#[derive(utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct SupplementForm {
    /// What the complainant says about the supplement (1-2,000 characters).
    note: Option<String>,
    /// Files, tagged by part name as in a complaint (`evidence.right_certificate` …).
    #[schema(value_type = Vec<String>, format = Binary)]
    evidence: Vec<Vec<u8>>,
}

/// Documents the multipart form: one `complaint` part and up to 20 `evidence` files.
#[derive(utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ComplaintForm {
    /// The complaint, as the JSON document of `ComplaintInput`.
    complaint: ComplaintInput,
    /// Photos and documents: JPEG, PNG, WebP, HEIC or PDF, each at most 20 MiB. A part named
    /// `evidence` is evidence of the infringement; name it `evidence.<material>` to say what
    /// else it is: right_certificate, patent_legal_status, identity_proof, power_of_attorney,
    /// agent_identity, respondent_details, infringement_evidence, authenticity_appraisal,
    /// undertaking, recordal_number, shipping_documents, goods_description, notarisation, other.
    #[schema(value_type = Vec<String>, format = Binary)]
    evidence: Vec<Vec<u8>>,
}

/// File a complaint.
///
/// Send the complaint as JSON, or as multipart with evidence files. The receipt is sent only
/// after the complaint and its files are durably stored. Retry with the same `Idempotency-Key`
/// to get the same receipt without filing twice.
#[utoipa::path(
    post,
    path = "/api/v1/complaints",
    tag = "complaints",
    params(
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes retries safe: the same key and body return the first receipt for 72 hours"),
        ("Authorization" = Option<String>, Header, description = "`Bearer kw_…`: a platform's API key (kuaiwei token add); the complaint records the platform as its source, and the key has a rate bucket of its own"),
    ),
    request_body(
        content(
            (ComplaintInput = "application/json"),
            (ComplaintForm = "multipart/form-data"),
        ),
    ),
    responses(
        (status = 201, description = "filed", body = ReceiptView,
         headers(("Idempotent-Replayed" = String, description = "true when this answers a retry"))),
        (status = 400, description = "malformed JSON or multipart", body = crate::error::ErrorBody),
        (status = 401, description = "an unknown or revoked API key", body = crate::error::ErrorBody),
        (status = 413, description = "a body, file or file count over its limit", body = crate::error::ErrorBody),
        (status = 415, description = "not JSON/multipart, or an evidence file of an unaccepted type", body = crate::error::ErrorBody),
        (status = 422, description = "fields to correct (all listed), or an Idempotency-Key reused for another request", body = crate::error::ErrorBody),
        (status = 429, description = "too many filings from this address or by this complainant; see Retry-After", body = crate::error::ErrorBody),
    )
)]
pub async fn submit(State(state): State<AppState>, req: Request) -> Result<Response, AppError> {
    // checked before the body is read: a flood costs no upload
    let (mut parts, body) = req.into_parts();
    let peer = ConnectInfo::<SocketAddr>::from_request_parts(&mut parts, &state).await;
    let client = crate::auth::api_client(&state, &parts.headers, crate::auth::INTAKE_SCOPE).await?;
    // a platform's key has a bucket of its own; everyone else, their address's
    let address = crate::rate::client_address(
        &state.intake_limits.trusted_proxies,
        peer.ok().map(|ConnectInfo(a)| a.ip()),
        &parts.headers,
    );
    let bucket = match (&client, address) {
        (Some(t), _) => Some(format!("api:{}", t.name)),
        (None, Some(ip)) => Some(ip.to_string()),
        (None, None) => None,
    };
    let req = Request::from_parts(parts, body);
    if let Some(bucket) = bucket {
        state
            .intake_limits
            .per_address
            .check(&bucket, state.clock.now())
            .map_err(|secs| AppError::TooManyRequests {
                retry_after_secs: secs,
            })?;
    }
    let key = intake::idempotency_key(req.headers())?;
    // the complainant's messages are written in the language the request asks for
    let lang = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(kuaiwei_notify::Lang::Zh, kuaiwei_notify::Lang::from_key);
    let upload = intake::read(&state, req).await?;
    let source = client.map(|t| format!("api:{}", t.name));
    let receipt = intake::submit(&state, upload, key, source, lang).await?;
    let replayed = receipt.replayed;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::LOCATION,
        HeaderValue::from_str(&format!("/api/v1/complaints/{}", receipt.case_number))
            .map_err(|e| AppError::Internal(e.to_string()))?,
    );
    if replayed {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok((
        StatusCode::CREATED,
        headers,
        Json(ReceiptView::from(receipt)),
    )
        .into_response())
}

/// Read a case's status, as its complainant.
#[utoipa::path(
    get,
    path = "/api/v1/complaints/{case_number}",
    tag = "complaints",
    params(
        ("case_number" = String, Path, example = "KW-2026-000123"),
        ("X-Tracking-Token" = String, Header, pattern = "^[0-9A-Za-z]{32}$", description = "the 32-character token from the receipt"),
    ),
    responses(
        (status = 200, body = StatusView),
        (status = 400, description = "no tracking token sent", body = crate::error::ErrorBody),
        (status = 404, description = "no such case, or the token does not match", body = crate::error::ErrorBody),
    )
)]
pub async fn status(
    State(state): State<AppState>,
    Path(case_number): Path<String>,
    headers: HeaderMap,
) -> Result<Json<StatusView>, AppError> {
    let (number, hash) = complainant(&case_number, &headers)?;
    Ok(Json(status_view(&state, &number, &hash).await?))
}

/// The case number and the hash of the tracking token a complainant sent.
pub(crate) fn complainant(
    case_number: &str,
    headers: &HeaderMap,
) -> Result<(String, [u8; 32]), AppError> {
    let token = headers
        .get("x-tracking-token")
        .and_then(|v| v.to_str().ok())
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| {
            AppError::bad_request(
                "tracking_token_required",
                "请在 X-Tracking-Token 请求头中提供查询码",
                "send the tracking token in the X-Tracking-Token header",
            )
        })?;
    let number = CaseNumber::parse(case_number).map_err(|_| AppError::NotFound)?;
    Ok((number.to_string(), token::hash(token)))
}

pub(crate) async fn status_view(
    state: &AppState,
    number: &str,
    hash: &[u8; 32],
) -> Result<StatusView, AppError> {
    let record = state
        .store
        .complaint_for_complainant(number, hash)
        .await?
        .ok_or(AppError::NotFound)?;
    let case = state.store.case(number).await?.ok_or(AppError::NotFound)?;
    let events = if matches!(
        case.state,
        CaseState::SupplementRequested | CaseState::Refused
    ) {
        state.store.case_events(number).await?
    } else {
        Vec::new()
    };
    let refusal_reason = if case.state == CaseState::Refused {
        events
            .iter()
            .rev()
            .find(|e| e.kind == Action::Refuse.key())
            .and_then(|e| e.reason.clone())
    } else {
        None
    };
    let agency = case.agency.clone();
    let agency_zh = agency
        .as_deref()
        .and_then(kuaiwei_routing::Agency::from_key)
        .map(|a| a.zh());
    let supplement_requested = if case.state == CaseState::SupplementRequested {
        events
            .iter()
            .rev()
            .find(|e| e.kind == Action::RequestSupplement.key())
            .map(|e| {
                let payload: serde_json::Value =
                    serde_json::from_str(&e.payload).unwrap_or_default();
                SupplementAsk {
                    missing: serde_json::from_value(payload["missing"].clone()).unwrap_or_default(),
                    reason: e.reason.clone(),
                    asked_at: e.at,
                }
            })
    } else {
        None
    };
    let linked = state
        .store
        .linked_cases(number)
        .await?
        .into_iter()
        .map(|c| {
            let a = c
                .agency
                .as_deref()
                .and_then(kuaiwei_routing::Agency::from_key);
            LinkedStatus {
                case_number: c.case_number.to_string(),
                agency: c.agency.clone(),
                agency_zh: a.map(|a| a.zh()),
                agency_en: a.map(|a| a.en()),
                case_state: c.state,
                case_state_zh: c.state.zh(),
                outcome: c.outcome,
                outcome_zh: c.outcome.map(Outcome::zh),
            }
        })
        .collect();
    Ok(StatusView {
        case_number: record.case_number.to_string(),
        received_at: record.received_at,
        status: record.status,
        status_zh: record.status.label_zh(),
        case_state: case.state,
        case_state_zh: case.state.zh(),
        supplement_requested,
        agency,
        agency_zh,
        outcome: case.outcome,
        outcome_zh: case.outcome.map(Outcome::zh),
        refusal_reason,
        linked,
        complaint: record.complaint,
        evidence: record.evidence.into_iter().map(Into::into).collect(),
    })
}

/// Send what a supplement request (补正) asked for, as the complainant.
///
/// Multipart with an optional `note` and evidence parts (tagged by part name as when filing).
/// Allowed only while the case waits for a supplement; the case then returns to the
/// caseworker's queue as received.
#[utoipa::path(
    post,
    path = "/api/v1/complaints/{case_number}/supplement",
    tag = "complaints",
    params(
        ("case_number" = String, Path, example = "KW-2026-000123"),
        ("X-Tracking-Token" = String, Header, pattern = "^[0-9A-Za-z]{32}$", description = "the 32-character token from the receipt"),
    ),
    request_body(content = SupplementForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "the case after the supplement", body = StatusView),
        (status = 400, description = "no tracking token, or a malformed form", body = crate::error::ErrorBody),
        (status = 404, description = "no such case, or the token does not match", body = crate::error::ErrorBody),
        (status = 409, description = "the case is not waiting for a supplement", body = crate::error::ErrorBody),
        (status = 413, description = "a file or the request over its limit", body = crate::error::ErrorBody),
        (status = 415, description = "an evidence file of an unaccepted type", body = crate::error::ErrorBody),
        (status = 422, description = "neither a file nor a note, or a note over 2,000 characters", body = crate::error::ErrorBody),
    )
)]
pub async fn supplement(
    State(state): State<AppState>,
    Path(case_number): Path<String>,
    req: Request,
) -> Result<Json<StatusView>, AppError> {
    let (number, hash) = complainant(&case_number, req.headers())?;
    // Refuse before reading the files when the token is wrong.
    state
        .store
        .complaint_for_complainant(&number, &hash)
        .await?
        .ok_or(AppError::NotFound)?;
    let form = intake::read_supplement(&state, req).await?;
    crate::cases::complainant_supplement(&state, &number, &hash, form).await?;
    Ok(Json(status_view(&state, &number, &hash).await?))
}

/// What a platform's webhook receives (`[[notify.webhook]]`, one per API key) for each step on
/// a complaint it filed: a signed POST of this JSON with the headers `X-Kuaiwei-Delivery` (the
/// same on every retry: act on it once), `X-Kuaiwei-Timestamp` (seconds since 1970) and
/// `X-Kuaiwei-Signature: sha256=<hex HMAC-SHA256 with the key's secret of
/// "{timestamp}.{delivery}.{body}">`. Refuse a timestamp more than 300 s away; answer 2xx to
/// accept (5xx, 408, 429, a timeout or a redirect is retried; another 4xx gives it up). Never
/// personal data. See docs/operations.md "Notifications".
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // describes the body kuaiwei_notify::template::webhook writes
pub struct WebhookPayload {
    #[schema(example = "KW-2026-000042")]
    case_number: String,
    /// `received`, `request_supplement`, `route`, `open`, `refuse` or `close`.
    event: String,
    /// The state the step led to (`received`, `supplement_requested`, `routed`, `opened`,
    /// `refused`, `closed`).
    state: String,
    #[schema(value_type = String, format = DateTime)]
    at: String,
    /// `request_supplement`: the material keys missing.
    missing: Option<Vec<String>>,
    /// `request_supplement`, `refuse`: why.
    reason: Option<String>,
    /// `route`: the authority's key.
    agency: Option<String>,
    /// `close`: the outcome's key.
    outcome: Option<String>,
}
