//! Evidence files of a case: the original (each download a custody event on the case's audit
//! chain) and previews, for staff under the case's access rules and for the complainant through
//! the tracking token. Another agency's case answers 404, as a missing one does.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use kuaiwei_evidence::PreviewSize;
use serde::Deserialize;

use crate::auth::Caller;
use crate::evidence::{self, Reader};
use crate::{AppError, AppState};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PreviewQuery {
    /// `thumb` (320 pixels on the longer side, the default) or `screen` (1,600).
    #[param(pattern = "^(thumb|screen)$")]
    size: Option<String>,
}

fn size_of(q: Result<Query<PreviewQuery>, QueryRejection>) -> Result<PreviewSize, AppError> {
    let q = crate::routes::reports::query(q)?;
    match q.size.as_deref() {
        None => Ok(PreviewSize::Thumb),
        Some(s) => PreviewSize::parse(s).ok_or_else(|| {
            AppError::field(
                "size",
                "unknown_size",
                format!("预览尺寸“{s}”无效：只能是 thumb 或 screen"),
                format!("unknown preview size {s:?}: thumb or screen"),
            )
        }),
    }
}

/// The case `number` as `caller` may read it, and its evidence file `sha256` (404 otherwise).
async fn staff_file(
    state: &AppState,
    caller: &Caller,
    number: &str,
    sha256: &str,
) -> Result<(kuaiwei_store::CaseRecord, kuaiwei_store::EvidenceRef), AppError> {
    let case = crate::cases::readable(state, caller, number).await?;
    let record = state
        .store
        .complaint_of_case(number)
        .await?
        .ok_or(AppError::NotFound)?;
    let file = evidence::find(&record, sha256)?.clone();
    Ok((case, file))
}

/// The complainant's case (by the tracking token in the headers) and its file `sha256`.
async fn complainant_file(
    state: &AppState,
    number: &str,
    headers: &HeaderMap,
    sha256: &str,
) -> Result<(String, kuaiwei_store::EvidenceRef), AppError> {
    let (number, hash) = crate::routes::complaints::complainant(number, headers)?;
    let record = state
        .store
        .complaint_for_complainant(&number, &hash)
        .await?
        .ok_or(AppError::NotFound)?;
    let file = evidence::find(&record, sha256)?.clone();
    Ok((number, file))
}

/// An evidence file of a case, byte for byte as filed, as a download. Every download is a
/// `evidence_downloaded` event on the case's audit chain (who, when, which digest).
#[utoipa::path(
    get,
    path = "/api/v1/cases/{case_number}/evidence/{sha256}",
    tag = "cases",
    params(
        ("case_number" = String, Path, example = "KW-2026-000123"),
        ("sha256" = String, Path, pattern = "^[0-9a-f]{64}$", description = "the file's SHA-256 digest (lower-case hex), as listed with the case"),
    ),
    responses(
        (status = 200, description = "the original file, with its own media type, as an attachment; `X-Content-Type-Options: nosniff` and a sandboxing Content-Security-Policy", content(([u8] = "image/jpeg"), ([u8] = "image/png"), ([u8] = "image/webp"), ([u8] = "image/heic"), ([u8] = "application/pdf"))),
        (status = 401, description = "not logged in", body = crate::error::ErrorBody),
        (status = 403, description = "a photo with EXIF (capture time, device, position), for a reader outside the agency handling the case", body = crate::error::ErrorBody),
        (status = 404, description = "no such case or file, or another agency's case", body = crate::error::ErrorBody),
    )
)]
pub async fn case_original(
    State(state): State<AppState>,
    caller: Caller,
    Path((number, sha256)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (case, file) = staff_file(&state, &caller, &number, &sha256).await?;
    // a photo's original carries where and when it was taken: for the agency handling the
    // case, as its EXIF in the case view is; the others read the preview
    let m = &file.meta;
    let exif = m.captured_at.is_some() || m.device.is_some() || m.gps_e6.is_some();
    if exif
        && !kuaiwei_access::can_read_personal_data(
            &caller.principal,
            case.agency.as_deref(),
            case.officer.as_deref(),
        )
    {
        return Err(AppError::Forbidden {
            zh: "此照片原件含拍摄时间、设备或位置，仅承办部门可下载；请查看预览".into(),
            en: "this photo's original carries its capture time, device or position: only the agency handling the case downloads it; read the preview".into(),
        });
    }
    evidence::original(&state, &number, &file, Reader::Staff(&caller.actor())).await
}

/// A preview of a photo of a case: re-encoded from its pixels, without any metadata (no EXIF,
/// no GPS), upright. PDFs and HEIC photos have none (404 `no_preview`).
#[utoipa::path(
    get,
    path = "/api/v1/cases/{case_number}/evidence/{sha256}/preview",
    tag = "cases",
    params(
        ("case_number" = String, Path, example = "KW-2026-000123"),
        ("sha256" = String, Path, pattern = "^[0-9a-f]{64}$", description = "the file's SHA-256 digest (lower-case hex), as listed with the case"),
        PreviewQuery,
    ),
    responses(
        (status = 200, description = "a JPEG", content_type = "image/jpeg"),
        (status = 401, description = "not logged in", body = crate::error::ErrorBody),
        (status = 404, description = "no such case or file, another agency's case, or no preview for this type (`no_preview`)", body = crate::error::ErrorBody),
        (status = 422, description = "an unknown size", body = crate::error::ErrorBody),
    )
)]
pub async fn case_preview(
    State(state): State<AppState>,
    caller: Caller,
    Path((number, sha256)): Path<(String, String)>,
    query: Result<Query<PreviewQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let size = size_of(query)?;
    let (_, file) = staff_file(&state, &caller, &number, &sha256).await?;
    evidence::preview(&state, &file, size).await
}

/// The complainant's own evidence file, with the tracking token in `X-Tracking-Token`; each
/// download is a custody event as for staff.
#[utoipa::path(
    get,
    path = "/api/v1/complaints/{case_number}/evidence/{sha256}",
    tag = "complaints",
    params(
        ("case_number" = String, Path, example = "KW-2026-000123"),
        ("sha256" = String, Path, pattern = "^[0-9a-f]{64}$", description = "the file's SHA-256 digest (lower-case hex), as listed with the case"),
        ("X-Tracking-Token" = String, Header, pattern = "^[0-9A-Za-z]{32}$", description = "the 32-character token from the receipt"),
    ),
    responses(
        (status = 200, description = "the original file, with its own media type, as an attachment", content(([u8] = "image/jpeg"), ([u8] = "image/png"), ([u8] = "image/webp"), ([u8] = "image/heic"), ([u8] = "application/pdf"))),
        (status = 400, description = "no tracking token", body = crate::error::ErrorBody),
        (status = 404, description = "no such case or file, or the token does not match", body = crate::error::ErrorBody),
    )
)]
pub async fn complainant_original(
    State(state): State<AppState>,
    Path((number, sha256)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (number, file) = complainant_file(&state, &number, &headers, &sha256).await?;
    evidence::original(&state, &number, &file, Reader::Complainant).await
}

/// A preview of the complainant's own photo (no metadata), with the tracking token.
#[utoipa::path(
    get,
    path = "/api/v1/complaints/{case_number}/evidence/{sha256}/preview",
    tag = "complaints",
    params(
        ("case_number" = String, Path, example = "KW-2026-000123"),
        ("sha256" = String, Path, pattern = "^[0-9a-f]{64}$", description = "the file's SHA-256 digest (lower-case hex), as listed with the case"),
        ("X-Tracking-Token" = String, Header, pattern = "^[0-9A-Za-z]{32}$", description = "the 32-character token from the receipt"),
        PreviewQuery,
    ),
    responses(
        (status = 200, description = "a JPEG", content_type = "image/jpeg"),
        (status = 400, description = "no tracking token", body = crate::error::ErrorBody),
        (status = 404, description = "no such case or file, the token does not match, or no preview for this type", body = crate::error::ErrorBody),
        (status = 422, description = "an unknown size", body = crate::error::ErrorBody),
    )
)]
pub async fn complainant_preview(
    State(state): State<AppState>,
    Path((number, sha256)): Path<(String, String)>,
    headers: HeaderMap,
    query: Result<Query<PreviewQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let size = size_of(query)?;
    let (_, file) = complainant_file(&state, &number, &headers, &sha256).await?;
    evidence::preview(&state, &file, size).await
}
