//! Evidence as people read it: files served under the case's access rules with a custody event
//! for every original downloaded, previews made once, photos that look alike across
//! complaints, and the housekeeping a crash can make necessary (orphans swept at start).

use std::collections::HashSet;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use kuaiwei_evidence::{MediaType, PreviewSize, SweepReport};
use kuaiwei_store::{ComplaintRecord, EvidenceRef, NewEvent, RecordedEvent};
use serde::Serialize;

use crate::{AppError, AppState};

/// Files no committed complaint references are removed once they are older than this: no
/// request stays in flight anywhere near as long (an upload of the largest file over a slow
/// line included), so a file this old without a complaint is a crash's leftover.
pub const ORPHAN_AGE: Duration = Duration::from_secs(60 * 60);

/// Who reads a file, for the custody record.
pub enum Reader<'a> {
    Staff(&'a str),
    Complainant,
}

/// The evidence file `sha256` of `record`, or 404 (a digest of another case answers as a
/// missing file: no probing other cases' files through this one).
pub fn find<'a>(record: &'a ComplaintRecord, sha256: &str) -> Result<&'a EvidenceRef, AppError> {
    record
        .evidence
        .iter()
        .find(|e| e.sha256 == sha256)
        .ok_or(AppError::NotFound)
}

/// The original, byte for byte, as a download; its reading is recorded on the case's audit
/// chain first (who, when, which digest).
pub async fn original(
    state: &AppState,
    case_number: &str,
    file: &EvidenceRef,
    reader: Reader<'_>,
) -> Result<Response, AppError> {
    let path = state
        .evidence
        .path_of(&file.sha256)
        .ok_or(AppError::NotFound)?;
    let handle = match tokio::fs::File::open(&path).await {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            tracing::error!(sha256 = %file.sha256, case = case_number, "evidence file missing on disk");
            return Err(AppError::Internal(format!(
                "evidence file {} is missing on disk (run `kuaiwei evidence verify`)",
                file.sha256
            )));
        }
        Err(e) => return Err(AppError::Internal(format!("evidence file: {e}"))),
    };
    let actor = match reader {
        Reader::Staff(a) => a.to_string(),
        Reader::Complainant => "complainant".to_string(),
    };
    state
        .store
        .record_event(RecordedEvent {
            subject: case_number.to_string(),
            event: NewEvent {
                actor,
                kind: "evidence_downloaded".into(),
                payload: serde_json::json!({
                    "sha256": file.sha256,
                    "size": file.size,
                    "filename": file.filename,
                }),
                reason: None,
            },
            at: state.clock.now(),
        })
        .await?;
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(handle));
    let name = file
        .filename
        .clone()
        .unwrap_or_else(|| format!("{}.{}", &file.sha256[..16], extension(&file.media_type)));
    Ok(file_response(
        body,
        &file.media_type,
        Some(&name),
        file.size,
    ))
}

/// A preview of a photo (made now if the background task has not yet made it). 404 with
/// `no_preview` for a type kuaiwei does not decode (PDF, HEIC).
pub async fn preview(
    state: &AppState,
    file: &EvidenceRef,
    size: PreviewSize,
) -> Result<Response, AppError> {
    let media = MediaType::from_mime(&file.media_type).filter(|m| m.has_preview());
    let Some(media) = media else {
        return Err(AppError::NotFoundWith {
            code: "no_preview",
            zh: "此类文件（PDF、HEIC）没有预览，请下载原件查看".into(),
            en: "no preview for this type of file (PDF, HEIC): download the original".into(),
        });
    };
    let path = state
        .evidence
        .preview_path(&file.sha256, size)
        .ok_or(AppError::NotFound)?;
    if !tokio::fs::try_exists(&path).await.unwrap_or(false) {
        state
            .evidence
            .previews(&file.sha256, media)
            .await
            .map_err(|e| AppError::Internal(format!("making a preview: {e}")))?;
    }
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| AppError::Internal(format!("reading a preview: {e}")))?;
    let len = bytes.len() as u64;
    let mut r = file_response(Body::from(bytes), "image/jpeg", None, len);
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=86400, immutable"),
    );
    Ok(r)
}

/// A stored file's response: its own type, never sniffed, never run as a page in kuaiwei's
/// origin (a sandboxing policy with nothing allowed), downloaded under its name when named.
fn file_response(body: Body, media_type: &str, download: Option<&str>, len: u64) -> Response {
    let mut r = Response::new(body);
    *r.status_mut() = StatusCode::OK;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(media_type)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    let disposition = match download {
        Some(name) => format!(
            "attachment; filename=\"{}\"; filename*=UTF-8''{}",
            ascii_fallback(name),
            percent_encode(name)
        ),
        None => "inline".to_string(),
    };
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

fn extension(media_type: &str) -> &'static str {
    match media_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "image/heic" => "heic",
        "application/pdf" => "pdf",
        _ => "bin",
    }
}

/// The name for clients that read only `filename=`: printable ASCII, the rest as `_`.
fn ascii_fallback(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// RFC 8187 value characters: letters, digits and `!#$&+-.^_`|~` as they are.
fn percent_encode(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A photo of another case that looks like one of this case's.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SimilarPhoto {
    pub case_number: String,
    /// This case's photo and the other case's, by digest.
    pub sha256: String,
    pub other_sha256: String,
    /// Bits in which their 64-bit perceptual hashes differ (0: the same picture, recompressed
    /// or resized; the threshold is `[triage] photo_distance`).
    pub distance: u32,
}

/// Other cases with a photo within the configured distance of one of `record`'s, nearest
/// first; `own` is this case's number (left out).
pub async fn similar_photos(
    state: &AppState,
    own: &str,
    record: &ComplaintRecord,
) -> Result<Vec<SimilarPhoto>, AppError> {
    let distance = state.triage.photo_distance;
    let mut pairs: Vec<(String, String, u32)> = Vec::new();
    for e in &record.evidence {
        if let Some(h) = e.meta.phash {
            for (other, d) in state.evidence.similar(&e.sha256, h as u64, distance) {
                pairs.push((e.sha256.clone(), other, d));
            }
        }
    }
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let digests: Vec<String> = pairs
        .iter()
        .map(|(_, o, _)| o.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let cases = state.store.cases_with_evidence(&digests).await?;
    let mut out: Vec<SimilarPhoto> = Vec::new();
    for (mine, other, d) in &pairs {
        for (case, sha) in cases.iter().filter(|(c, s)| s == other && c != own) {
            out.push(SimilarPhoto {
                case_number: case.clone(),
                sha256: mine.clone(),
                other_sha256: sha.clone(),
                distance: *d,
            });
        }
    }
    out.sort_by(|a, b| {
        a.distance
            .cmp(&b.distance)
            .then_with(|| b.case_number.cmp(&a.case_number))
    });
    // each other case's photo once, at its nearest (the list is sorted nearest first)
    let mut seen = HashSet::new();
    out.retain(|p| seen.insert((p.case_number.clone(), p.other_sha256.clone())));
    Ok(out)
}

/// At start, before any request is taken: the files a crash left without a complaint are
/// removed: all of them when this server is the only one receiving files (SQLite), those older
/// than [`ORPHAN_AGE`] otherwise (another server may be receiving some now).
pub async fn sweep_at_start(state: &AppState) {
    let age = if state.evidence.is_exclusive() {
        Duration::ZERO
    } else {
        ORPHAN_AGE
    };
    match sweep(state, age).await {
        Ok(r) if !r.removed.is_empty() => tracing::warn!(
            removed = r.removed.len(),
            bytes = r.removed_bytes,
            "evidence files no complaint references were removed (left by a crash)"
        ),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "evidence sweep failed"),
    }
}

/// The photo hashes into memory, for near-duplicates (in the background: a million take a
/// few seconds).
pub async fn load_hashes(state: AppState) {
    match state.store.evidence_hashes().await {
        Ok(hashes) => {
            for (sha, h) in &hashes {
                state.evidence.remember_hash(sha, *h as u64);
            }
            tracing::info!(photos = hashes.len(), "photo hashes loaded");
        }
        Err(e) => tracing::warn!(error = %e, "photo hashes not loaded: no near-duplicates shown"),
    }
}

/// Removes the files no committed complaint references, older than `older_than`.
pub async fn sweep(state: &AppState, older_than: Duration) -> Result<SweepReport, AppError> {
    let inventory = state.store.inventory().await?;
    let referenced: HashSet<String> = inventory.evidence.into_iter().map(|e| e.sha256).collect();
    let evidence = state.evidence.clone();
    tokio::task::spawn_blocking(move || evidence.sweep(&referenced, older_than))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(format!("evidence sweep: {e}")))
}
