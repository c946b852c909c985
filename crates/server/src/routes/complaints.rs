//! `POST /api/v1/complaints` and `GET /api/v1/complaints/{case_number}`.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use kuaiwei_domain::{CaseNumber, Complaint, ComplaintInput, ComplaintStatus};
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
    pub evidence: Vec<EvidenceView>,
    /// Where to read the status, with the header `X-Tracking-Token`.
    pub status_url: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EvidenceView {
    /// SHA-256 of the file as received: proof of what was filed.
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    pub filename: Option<String>,
}

impl From<EvidenceRef> for EvidenceView {
    fn from(e: EvidenceRef) -> Self {
        EvidenceView {
            sha256: e.sha256,
            size: e.size,
            media_type: e.media_type,
            filename: e.filename,
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
    pub complaint: Complaint,
    pub evidence: Vec<EvidenceView>,
}

/// Documents the multipart form: one `complaint` part and up to 20 `evidence` files.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ComplaintForm {
    /// The complaint, as the JSON document of `ComplaintInput`.
    complaint: ComplaintInput,
    /// Photos and documents: JPEG, PNG, WebP, HEIC or PDF, each at most 20 MiB.
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
    params(("Idempotency-Key" = Option<String>, Header, description = "makes retries safe: the same key and body return the first receipt for 72 hours")),
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
        (status = 413, description = "a body, file or file count over its limit", body = crate::error::ErrorBody),
        (status = 415, description = "not JSON/multipart, or an evidence file of an unaccepted type", body = crate::error::ErrorBody),
        (status = 422, description = "fields to correct (all listed), or an Idempotency-Key reused for another request", body = crate::error::ErrorBody),
    )
)]
pub async fn submit(State(state): State<AppState>, req: Request) -> Result<Response, AppError> {
    let key = intake::idempotency_key(req.headers())?;
    let upload = intake::read(&state, req).await?;
    let receipt = intake::submit(&state, upload, key).await?;
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
        ("X-Tracking-Token" = String, Header, description = "the token from the receipt"),
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
    let number = CaseNumber::parse(&case_number).map_err(|_| AppError::NotFound)?;
    let record = state
        .store
        .complaint_for_complainant(number.as_str(), &token::hash(token))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(StatusView {
        case_number: record.case_number.to_string(),
        received_at: record.received_at,
        status: record.status,
        status_zh: record.status.label_zh(),
        complaint: record.complaint,
        evidence: record.evidence.into_iter().map(Into::into).collect(),
    }))
}
