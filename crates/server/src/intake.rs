//! Complaint intake: read a JSON or multipart request within its limits, validate the
//! complaint, stream evidence files to disk, and hand the whole to the store in one piece.
//! Nothing is stored unless everything was accepted.

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{HeaderMap, header};
use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use kuaiwei_domain::{Complaint, ComplaintInput};
use kuaiwei_evidence::{EvidenceError, Hold, InspectError, Inspection, MediaType, SealedFile};
use kuaiwei_routing::completeness::MaterialKind;
use kuaiwei_store::{EvidenceMeta, EvidenceRef, IdempotencyKey, NewComplaint, Receipt};
use sha2::{Digest, Sha256};

use crate::{AppError, AppState, json, token};

/// A request read and checked, its files sealed but not yet visible.
pub struct Upload {
    complaint: Complaint,
    files: Vec<Sealed>,
    request_hash: [u8; 32],
}

/// One evidence file as received: sealed, with the client's name and its material kind.
pub struct Sealed {
    file: SealedFile,
    filename: Option<String>,
    material: MaterialKind,
    inspection: Inspection,
}

/// A complainant's supplement (补正): a note and more evidence.
pub struct Supplement {
    pub note: Option<String>,
    files: Vec<Sealed>,
}

/// The material kind a multipart part name carries: `evidence` (or `evidence[]`) is evidence of
/// the infringement; `evidence.<kind>` or `evidence[<kind>]` tags it, e.g.
/// `evidence.right_certificate`, `evidence[power_of_attorney]`. `None` for other names.
fn evidence_part(name: &str) -> Option<Result<MaterialKind, AppError>> {
    let tag = match name {
        "evidence" | "evidence[]" => return Some(Ok(MaterialKind::InfringementEvidence)),
        n => n.strip_prefix("evidence.").or_else(|| {
            n.strip_prefix("evidence[")
                .and_then(|t| t.strip_suffix(']'))
        })?,
    };
    Some(MaterialKind::from_key(tag).ok_or_else(|| {
        let known = MaterialKind::ALL
            .iter()
            .map(|m| m.key())
            .collect::<Vec<_>>()
            .join(", ");
        AppError::bad_request(
            "unknown_material",
            format!("未知的材料类型“{tag}”，可用：{known}"),
            format!("unknown material kind {tag:?}; known: {known}"),
        )
    }))
}

/// The `Idempotency-Key` header, if any: 1 to 255 visible ASCII characters.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, AppError> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    check_idempotency_key(v.to_str().unwrap_or("")).map(Some)
}

/// An idempotency key from any source (the header, or a filing page's hidden field): 1 to 255
/// visible ASCII characters.
pub fn check_idempotency_key(s: &str) -> Result<String, AppError> {
    if (1..=255).contains(&s.len()) && s.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        Ok(s.to_string())
    } else {
        Err(AppError::bad_request(
            "bad_idempotency_key",
            "Idempotency-Key 应为1至255个可见 ASCII 字符",
            "Idempotency-Key must be 1 to 255 visible ASCII characters",
        ))
    }
}

pub async fn read(state: &AppState, req: Request) -> Result<Upload, AppError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match mime.as_str() {
        "application/json" => {
            let bytes = read_limited(req.into_body(), state.limits.json_bytes).await?;
            let complaint = parse_complaint(&bytes, state.clock.now())?;
            let mut h = Sha256::new();
            h.update(b"json\0");
            h.update(&bytes);
            Ok(Upload {
                complaint,
                files: Vec::new(),
                request_hash: h.finalize().into(),
            })
        }
        "multipart/form-data" => read_multipart(state, req).await,
        _ => Err(AppError::unsupported(
            "请以 application/json 或 multipart/form-data 提交投诉",
            "send the complaint as application/json or multipart/form-data",
        )),
    }
}

async fn read_limited(body: Body, limit: usize) -> Result<Bytes, AppError> {
    let mut buf = BytesMut::new();
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| match crate::http::BodyTimeout::find(&e) {
            Some(t) => AppError::RequestTimeout(t.to_string()),
            None => AppError::bad_request("body_read", "读取请求内容失败", e.to_string()),
        })?;
        if let Ok(data) = frame.into_data() {
            if buf.len() + data.len() > limit {
                return Err(json_too_large(limit));
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(buf.freeze())
}

fn json_too_large(limit: usize) -> AppError {
    let (zh, en) = size_text(limit as u64);
    AppError::too_large(
        format!("投诉内容（JSON）超过{zh}上限"),
        format!("the complaint JSON is over the {en} limit"),
    )
}

/// A byte limit as people read it, in zh and en: `20MB`/`20 MiB`, `64KB`/`64 KiB`, or bytes.
/// Exact, never rounded: a limit of 64 KiB must not read "0 MiB".
fn size_text(bytes: u64) -> (String, String) {
    const KIB: u64 = 1 << 10;
    const MIB: u64 = 1 << 20;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        (format!("{}MB", bytes / MIB), format!("{} MiB", bytes / MIB))
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        (format!("{}KB", bytes / KIB), format!("{} KiB", bytes / KIB))
    } else {
        (format!("{bytes}字节"), format!("{bytes} bytes"))
    }
}

/// Parses and validates a complaint document filed at `now` (no fact dated after that day).
pub fn parse_complaint(bytes: &[u8], now: jiff::Timestamp) -> Result<Complaint, AppError> {
    let today = kuaiwei_deadlines::local_date(now);
    Ok(json::parse::<ComplaintInput>(bytes)?.validate_on(today)?)
}

async fn read_multipart(state: &AppState, req: Request) -> Result<Upload, AppError> {
    let parts = read_parts(state, req, Form::Complaint).await?;
    let Some((complaint, bytes)) = parts.complaint else {
        return Err(AppError::field(
            "complaint",
            "required",
            "缺少 complaint 部分（投诉内容 JSON）",
            "the complaint part (the complaint as JSON) is missing",
        ));
    };
    let mut h = Sha256::new();
    h.update(b"multipart\0");
    h.update(&bytes);
    hash_files(&mut h, &parts.files);
    Ok(Upload {
        complaint,
        files: parts.files,
        request_hash: h.finalize().into(),
    })
}

fn hash_files(h: &mut Sha256, files: &[Sealed]) {
    for f in files {
        h.update(b"\0file\0");
        h.update(f.file.sha256.as_bytes());
        h.update(f.filename.as_deref().unwrap_or("").as_bytes());
        h.update(b"\0");
        h.update(f.material.key().as_bytes());
    }
}

/// Reads a complainant's supplement: an optional `note` part (at most 2,000 characters) and
/// evidence parts tagged as in a complaint; at least one of them.
pub async fn read_supplement(state: &AppState, req: Request) -> Result<Supplement, AppError> {
    let parts = read_parts(state, req, Form::Supplement).await?;
    supplement_of(parts.note, parts.files)
}

fn supplement_of(note: Option<String>, files: Vec<Sealed>) -> Result<Supplement, AppError> {
    if note.is_none() && files.is_empty() {
        return Err(AppError::field(
            "evidence",
            "required",
            "请上传补充材料或填写说明",
            "send the supplementary files or a note",
        ));
    }
    Ok(Supplement { note, files })
}

/// A supplement's note: UTF-8 text of 1-2,000 characters once trimmed.
fn check_note(bytes: &[u8]) -> Result<String, AppError> {
    std::str::from_utf8(bytes)
        .ok()
        .map(str::trim)
        .filter(|n| (1..=2000).contains(&n.chars().count()))
        .map(str::to_string)
        .ok_or_else(|| {
            AppError::field(
                "note",
                "note_format",
                "说明应为1至2000字的 UTF-8 文本",
                "the note is UTF-8 text of 1-2000 characters",
            )
        })
}

/// A form as a browser sends it from a page (docs/pages.md): text fields named by their API
/// paths (`channel.booth`, `rights[0].number` …) and the same evidence parts as the API. A file
/// input left empty arrives as a part with an empty file name and no bytes: it is skipped.
pub struct PageForm {
    pub fields: Vec<(String, String)>,
    files: Vec<Sealed>,
}

/// The most text fields a page form may carry.
const PAGE_FIELDS: usize = 100;

impl PageForm {
    /// The first value of field `name`, trimmed; `None` when absent or blank.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    pub fn file_count(&self) -> usize {
        self.files.len()
    }

    /// The upload of `complaint` (built from the fields and validated by the caller through
    /// [`ComplaintInput::validate`], as the API's is) with this form's files. The request hash
    /// covers every field except those named in `unhashed` (the idempotency key itself), so a
    /// form sent again as it was replays its receipt.
    pub fn upload(self, complaint: Complaint, unhashed: &[&str]) -> Upload {
        let mut h = Sha256::new();
        h.update(b"page\0");
        for (name, value) in self
            .fields
            .iter()
            .filter(|(n, _)| !unhashed.contains(&n.as_str()))
        {
            h.update(name.as_bytes());
            h.update(b"\0");
            h.update(value.as_bytes());
            h.update(b"\0");
        }
        hash_files(&mut h, &self.files);
        Upload {
            complaint,
            files: self.files,
            request_hash: h.finalize().into(),
        }
    }

    /// The supplement this form carries: its files and the field `note`, under the API's rules.
    pub fn supplement(self) -> Result<Supplement, AppError> {
        let note = self
            .value("note")
            .map(|n| check_note(n.as_bytes()))
            .transpose()?;
        supplement_of(note, self.files)
    }
}

/// Reads a page's form (see [`PageForm`]) within the same limits as the API's multipart.
pub async fn read_page_form(state: &AppState, req: Request) -> Result<PageForm, AppError> {
    let parts = read_parts(state, req, Form::Page).await?;
    Ok(PageForm {
        fields: parts.fields,
        files: parts.files,
    })
}

#[derive(PartialEq)]
enum Form {
    Complaint,
    Supplement,
    Page,
}

struct Parts {
    complaint: Option<(Complaint, Bytes)>,
    note: Option<String>,
    fields: Vec<(String, String)>,
    files: Vec<Sealed>,
}

async fn read_parts(state: &AppState, req: Request, form: Form) -> Result<Parts, AppError> {
    let limits = state.limits;
    let mut multipart = Multipart::from_request(req, &()).await.map_err(|e| {
        AppError::bad_request("bad_multipart", "multipart 请求格式错误", e.body_text())
    })?;
    let mut parts = Parts {
        complaint: None,
        note: None,
        fields: Vec::new(),
        files: Vec::new(),
    };
    let mut page_bytes = 0;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or("").to_string();
        if form == Form::Page && field.file_name() == Some("") {
            // a file input left empty: no file was chosen
            while field.chunk().await.map_err(multipart_error)?.is_some() {}
            continue;
        }
        if form == Form::Page && field.file_name().is_none() {
            let mut buf = BytesMut::new();
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                page_bytes += chunk.len();
                if page_bytes > limits.json_bytes {
                    return Err(json_too_large(limits.json_bytes));
                }
                buf.extend_from_slice(&chunk);
            }
            if parts.fields.len() == PAGE_FIELDS {
                return Err(AppError::bad_request(
                    "too_many_fields",
                    format!("表单字段最多{PAGE_FIELDS}个"),
                    format!("at most {PAGE_FIELDS} form fields"),
                ));
            }
            let value = String::from_utf8(buf.to_vec()).map_err(|_| {
                AppError::bad_request(
                    "bad_multipart",
                    format!("表单字段“{name}”不是 UTF-8 文本"),
                    format!("form field {name:?} is not UTF-8 text"),
                )
            })?;
            parts.fields.push((name, value));
            continue;
        }
        if let Some(material) = evidence_part(&name) {
            let material = material?;
            let index = parts.files.len();
            if index == limits.files {
                return Err(AppError::too_large(
                    format!("证据文件最多{}个", limits.files),
                    format!("at most {} evidence files per request", limits.files),
                ));
            }
            let filename = field.file_name().map(clean_filename);
            let mut processing = None;
            let received = async {
                let mut pending = state
                    .evidence
                    .receive(limits.file_bytes)
                    .await
                    .map_err(io)?;
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    pending
                        .write(&chunk)
                        .await
                        .map_err(|e| file_error(e, index, &filename))?;
                }
                // processing time is ours, not the client's upload
                processing = Some(std::time::Instant::now());
                let file = pending
                    .seal()
                    .await
                    .map_err(|e| file_error(e, index, &filename))?;
                // read whole before anything is stored: a bomb or a disguised file is refused here
                let inspection = state
                    .evidence
                    .inspect(&file)
                    .await
                    .map_err(|e| inspect_error(e, file.media_type, index, &filename))?;
                Ok((file, inspection))
            }
            .await;
            crate::metrics::evidence_file(&received, processing.map(|t| t.elapsed()));
            let (file, inspection) = received?;
            parts.files.push(Sealed {
                file,
                filename,
                material,
                inspection,
            });
            continue;
        }
        let single = match (name.as_str(), &form) {
            ("complaint", Form::Complaint) => parts.complaint.is_none(),
            ("note", Form::Supplement) => parts.note.is_none(),
            (other, _) => {
                let accepted = match form {
                    Form::Complaint => "complaint 和 evidence",
                    Form::Supplement | Form::Page => "note 和 evidence",
                };
                return Err(AppError::bad_request(
                    "unknown_part",
                    format!("未知的表单部分“{other}”：只接受 {accepted}"),
                    format!(
                        "unknown part {other:?}: only {} are accepted",
                        accepted.replace(" 和 ", " and ")
                    ),
                ));
            }
        };
        if !single {
            return Err(AppError::bad_request(
                "duplicate_part",
                format!("只能有一个 {name} 部分"),
                format!("send exactly one {name} part"),
            ));
        }
        let mut buf = BytesMut::new();
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            if buf.len() + chunk.len() > limits.json_bytes {
                return Err(json_too_large(limits.json_bytes));
            }
            buf.extend_from_slice(&chunk);
        }
        let bytes = buf.freeze();
        if form == Form::Complaint {
            // Validate as soon as it arrives: a bad complaint fails before the photos upload.
            parts.complaint = Some((parse_complaint(&bytes, state.clock.now())?, bytes));
        } else {
            parts.note = Some(check_note(&bytes)?);
        }
    }
    Ok(parts)
}

/// The client's file name, kept for display only: last path component, no control characters.
fn clean_filename(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    last.chars().filter(|c| !c.is_control()).take(200).collect()
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> AppError {
    if let Some(t) = crate::http::BodyTimeout::find(&e) {
        return AppError::RequestTimeout(t.to_string());
    }
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::too_large(
            "请求总大小超过上限",
            format!("the request is over its size limit: {}", e.body_text()),
        )
    } else {
        AppError::bad_request("bad_multipart", "multipart 请求格式错误", e.body_text())
    }
}

fn file_error(e: EvidenceError, index: usize, name: &Option<String>) -> AppError {
    let which = name.clone().unwrap_or_else(|| format!("#{}", index + 1));
    match e {
        EvidenceError::TooLarge { limit } => {
            let (zh, en) = size_text(limit);
            AppError::too_large(
                format!("证据文件“{which}”超过{zh}上限"),
                format!("evidence file {which:?} is over the {en} limit"),
            )
        }
        EvidenceError::UnsupportedType => AppError::unsupported(
            format!("证据文件“{which}”的类型不受支持：只接受 JPEG、PNG、WebP、HEIC 照片和 PDF"),
            format!("evidence file {which:?} is not JPEG, PNG, WebP, HEIC or PDF"),
        ),
        EvidenceError::Empty => AppError::field(
            &format!("evidence[{index}]"),
            "empty_file",
            format!("证据文件“{which}”为空"),
            format!("evidence file {which:?} is empty"),
        ),
        EvidenceError::Io(e) => io(EvidenceError::Io(e)),
    }
}

fn inspect_error(
    e: InspectError,
    media: MediaType,
    index: usize,
    name: &Option<String>,
) -> AppError {
    let which = name.clone().unwrap_or_else(|| format!("#{}", index + 1));
    let kind = media.mime();
    match e {
        InspectError::Invalid { kind: k, detail } => AppError::unsupported(
            format!("证据文件“{which}”不是有效的 {k} 文件（内容无法按 {kind} 读取）"),
            format!("evidence file {which:?} is not a valid {k} file: {detail}"),
        ),
        InspectError::TooManyPixels { .. } => AppError::field(
            &format!("evidence[{index}]"),
            "image_too_large",
            format!("证据文件“{which}”的像素尺寸超过上限（每边最多 12000 像素，共 5000 万像素）"),
            format!(
                "evidence file {which:?} has more pixels than allowed (at most 12,000 a side, 50 megapixels)"
            ),
        ),
        InspectError::Io(e) => AppError::Internal(format!("evidence inspection: {e}")),
    }
}

fn io(e: EvidenceError) -> AppError {
    AppError::Internal(format!("evidence storage: {e}"))
}

/// What an inspection found, as the store keeps it.
fn meta_of(i: &Inspection) -> EvidenceMeta {
    let e6 = |v: f64| (v * 1e6).round() as i32;
    EvidenceMeta {
        width: i.width,
        height: i.height,
        pages: i.pages,
        captured_at: i.meta.captured_at.clone(),
        device: i.meta.device.clone(),
        gps_e6: i.meta.gps.map(|(lat, lon)| (e6(lat), e6(lon))),
        phash: i.phash.map(|h| h as i64),
    }
}

/// Files made visible under their digest for a request not yet committed: held against sweeps
/// until dropped; those this request put there are removed again if it is refused
/// ([`Persisted::refused`]).
pub struct Persisted {
    pub evidence: Vec<EvidenceRef>,
    created: Vec<String>,
    _holds: Vec<Hold>,
}

impl Persisted {
    /// The request was refused after its files were made visible: removes those it created
    /// that no committed complaint references and no other request in flight holds.
    pub async fn refused(self, state: &AppState) {
        if self.created.is_empty() {
            return;
        }
        // the holds are kept until the files are gone (EvidenceStore::discard)
        let known = match state.store.evidence_known(&self.created).await {
            Ok(k) => k.into_iter().collect(),
            Err(e) => {
                tracing::warn!(error = %e, "refused request: files left for the sweep");
                return;
            }
        };
        let evidence = state.evidence.clone();
        let Persisted {
            created, _holds, ..
        } = self;
        let removed =
            tokio::task::spawn_blocking(move || evidence.discard(&created, &known, _holds)).await;
        let failed = match removed {
            Ok(Ok(_)) => None,
            Ok(Err(e)) => Some(e.to_string()),
            Err(e) => Some(e.to_string()),
        };
        if let Some(e) = failed {
            tracing::warn!(error = %e, "refused request: files left for the sweep");
        }
    }

    /// The request was committed: previews of its photos are made in the background (off the
    /// path that acknowledges it).
    pub fn committed(self, state: &AppState) {
        for e in &self.evidence {
            if let Some(h) = e.meta.phash {
                state.evidence.remember_hash(&e.sha256, h as u64);
            }
        }
        let photos: Vec<(String, MediaType)> = self
            .evidence
            .iter()
            .filter_map(|e| MediaType::from_mime(&e.media_type).map(|m| (e.sha256.clone(), m)))
            .filter(|(_, m)| m.has_preview())
            .collect();
        drop(self);
        if photos.is_empty() {
            return;
        }
        let evidence = state.evidence.clone();
        tokio::spawn(async move {
            for (sha, media) in photos {
                if let Err(e) = evidence.previews(&sha, media).await {
                    tracing::warn!(error = %e, sha256 = %sha, "preview not made; made when first asked for");
                }
            }
        });
    }
}

/// Makes sealed files visible under their digest.
pub async fn persist_supplement(state: &AppState, s: Supplement) -> Result<Persisted, AppError> {
    persist(state, s.files).await
}

async fn persist(state: &AppState, files: Vec<Sealed>) -> Result<Persisted, AppError> {
    let mut out = Persisted {
        evidence: Vec::with_capacity(files.len()),
        created: Vec::new(),
        _holds: Vec::with_capacity(files.len()),
    };
    for f in files {
        // held before it is visible: a sweep never takes it from under this request
        out._holds.push(state.evidence.hold(&f.file.sha256));
        let stored = f.file.persist().await.map_err(io)?;
        if stored.created {
            out.created.push(stored.sha256.clone());
        }
        out.evidence.push(EvidenceRef {
            sha256: stored.sha256,
            size: stored.size,
            media_type: stored.media_type.mime().to_string(),
            filename: f.filename,
            material: f.material.key().to_string(),
            meta: meta_of(&f.inspection),
        });
    }
    Ok(out)
}

/// Makes the files visible, then commits the complaint; the receipt follows the commit.
/// `lang` is the language the complainant filed in: their messages are written in it.
pub async fn submit(
    state: &AppState,
    upload: Upload,
    idempotency_key: Option<String>,
    source: Option<String>,
    lang: kuaiwei_notify::Lang,
) -> Result<Receipt, AppError> {
    state
        .intake_limits
        .per_identity
        .check(&crate::rate::identity(&upload.complaint), state.clock.now())
        .map_err(|secs| AppError::TooManyRequests {
            retry_after_secs: secs,
        })?;
    let persisted = persist(state, upload.files).await?;
    let evidence = persisted.evidence.clone();
    let tracking_token = token::new_token().map_err(|e| AppError::Internal(e.to_string()))?;
    // the receipt and the platform's callback go out with the filing's transaction
    let messages = match &state.notify {
        Some(n) => {
            let sources = n.webhook_sources();
            kuaiwei_notify::receipt(
                &n.configured(&sources),
                &upload.complaint,
                source.as_deref(),
                lang,
                &tracking_token,
            )
        }
        None => Vec::new(),
    };
    let channel = upload.complaint.channel.key();
    let new = NewComplaint {
        complaint: upload.complaint,
        received_at: state.clock.now(),
        token_hash: token::hash(&tracking_token),
        tracking_token,
        idempotency: idempotency_key.map(|key| IdempotencyKey {
            key,
            request_hash: upload.request_hash,
        }),
        evidence,
        source,
        messages,
    };
    match state.store.submit_complaint(new).await {
        Ok(receipt) => {
            persisted.committed(state);
            if !receipt.replayed {
                metrics::counter!("kuaiwei_intake_acknowledged_total", "channel" => channel)
                    .increment(1);
            }
            Ok(receipt)
        }
        Err(e) => {
            persisted.refused(state).await;
            Err(e.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::size_text;

    #[test]
    fn limits_are_written_exactly_in_the_largest_whole_unit() {
        let cases = [
            (20 << 20, "20MB", "20 MiB"),
            (64 << 10, "64KB", "64 KiB"),
            (1536 << 10, "1536KB", "1536 KiB"),
            (1000, "1000字节", "1000 bytes"),
        ];
        for (bytes, zh, en) in cases {
            assert_eq!(size_text(bytes), (zh.to_string(), en.to_string()));
        }
    }
}
