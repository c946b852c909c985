//! One error type for the whole API, and the one JSON shape every error has:
//! `{"error": {"status", "code", "message_zh", "message_en", "fields"?, "request_id"?}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kuaiwei_domain::{FieldError, ValidationErrors};
use kuaiwei_store::StoreError;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 422: the document parsed but fields are wrong; all of them are named.
    #[error("validation failed: {0}")]
    Validation(ValidationErrors),
    /// 400: the body is not JSON at all.
    #[error("malformed JSON at line {line} column {column}: {detail}")]
    MalformedJson {
        line: usize,
        column: usize,
        detail: String,
    },
    /// 400: some other malformed request (header, multipart framing, query).
    #[error("bad request: {en}")]
    BadRequest {
        code: &'static str,
        zh: String,
        en: String,
    },
    /// 413: a body, a file or the number of files over its limit.
    #[error("payload too large: {en}")]
    TooLarge { zh: String, en: String },
    /// 415: a content type (of the request or of an evidence file) that is not accepted.
    #[error("unsupported media type: {en}")]
    UnsupportedMediaType { zh: String, en: String },
    /// 404: missing, or not yours to see; the two are never told apart.
    #[error("not found")]
    NotFound,
    /// 404 for something that exists but has no such representation (a PDF's preview).
    #[error("not found: {en}")]
    NotFoundWith {
        code: &'static str,
        zh: String,
        en: String,
    },
    /// 422: an idempotency key reused for a different request.
    #[error("idempotency key reused with a different request")]
    IdempotencyKeyReused,
    /// 409: the step is not allowed from where the case stands; the allowed steps are listed.
    #[error("illegal step: {0}")]
    IllegalAction(kuaiwei_domain::IllegalAction),
    /// 409: the case changed while the request was being decided.
    #[error("the case changed meanwhile")]
    Conflict,
    /// 409: the request does not fit where the case stands (e.g. a supplement nobody asked for).
    #[error("conflict: {en}")]
    StateConflict {
        code: &'static str,
        zh: String,
        en: String,
    },
    /// 401: not logged in, or the credentials are wrong (never saying which part).
    #[error("unauthorized: {en}")]
    Unauthorized {
        code: &'static str,
        zh: String,
        en: String,
    },
    /// 403: logged in, but the role does not allow this.
    #[error("forbidden: {en}")]
    Forbidden { zh: String, en: String },
    /// 403: a state-changing browser request from another site (CSRF).
    #[error("cross-site request refused")]
    CrossSite,
    /// 429: too many attempts; try again after this many seconds (sent as Retry-After).
    #[error("too many requests, retry after {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    /// 408: the request body did not arrive in time (`[http] body_idle_secs`, `body_secs`).
    #[error("request timeout: {0}")]
    RequestTimeout(String),
    /// 503: every upload slot is taken (`[http] max_concurrent_uploads`); nothing of this
    /// request was read or kept. Sent with Retry-After.
    #[error("busy, retry after {retry_after_secs} s")]
    Busy { retry_after_secs: u64 },
    /// 503: the store is not taking requests (shutting down, database unreachable).
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// 500: a fault of ours; the details go to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub status: u16,
    /// A stable machine-readable code, e.g. `validation_failed`.
    pub code: &'static str,
    pub message_zh: String,
    pub message_en: String,
    /// For 422: every bad field, with its path.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    /// For an illegal step (409): the steps allowed from the case's current state.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed: Vec<&'static str>,
}

impl AppError {
    pub fn bad_request(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        AppError::BadRequest {
            code,
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn too_large(zh: impl Into<String>, en: impl Into<String>) -> Self {
        AppError::TooLarge {
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn unsupported(zh: impl Into<String>, en: impl Into<String>) -> Self {
        AppError::UnsupportedMediaType {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// One field error as a 422.
    pub fn field(
        path: &str,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        let mut e = ValidationErrors::default();
        e.push(path, code, zh, en);
        AppError::Validation(e)
    }

    /// The (path, code) of each field error, for a front end that words its own hints (the
    /// command line names its flags).
    pub fn field_codes(&self) -> Vec<(&str, &str)> {
        match self {
            AppError::Validation(v) => v.codes(),
            _ => Vec::new(),
        }
    }

    /// The error as one line of zh-CN and en text, field errors included: what the command
    /// line prints.
    pub fn message(self) -> String {
        let (_, code, zh, en, fields) = self.parts();
        let mut text = format!("{zh} / {en} ({code})");
        for f in fields {
            text.push_str(&format!(
                "\n  {}: {} / {}",
                f.path, f.message_zh, f.message_en
            ));
        }
        text
    }

    /// The status and the two messages, for a page that shows the error (crate::pages).
    pub(crate) fn status_and_messages(self) -> (StatusCode, String, String) {
        let (status, _, zh, en, _) = self.parts();
        (status, zh, en)
    }

    /// The status, the two messages and the field errors, for a form that shows each message
    /// beside its field (crate::pages).
    pub(crate) fn into_page(self) -> (StatusCode, String, String, Vec<FieldError>) {
        let (status, _, zh, en, fields) = self.parts();
        (status, zh, en, fields)
    }

    fn parts(self) -> (StatusCode, &'static str, String, String, Vec<FieldError>) {
        use StatusCode as S;
        match self {
            AppError::IllegalAction(e) => {
                let allowed = e
                    .allowed
                    .iter()
                    .map(|a| a.key())
                    .collect::<Vec<_>>()
                    .join(", ");
                (
                    S::CONFLICT,
                    "illegal_step",
                    format!(
                        "案件当前为“{}”，不能执行 {}；可执行：{}",
                        e.from.zh(),
                        e.tried.key(),
                        allowed
                    ),
                    format!(
                        "a case that is {} cannot take the step {}; allowed: {}",
                        e.from.key(),
                        e.tried.key(),
                        allowed
                    ),
                    vec![],
                )
            }
            AppError::Conflict => (
                S::CONFLICT,
                "conflict",
                "案件刚被他人更新，请刷新后重试".into(),
                "the case was changed by someone else meanwhile; reload and try again".into(),
                vec![],
            ),
            AppError::StateConflict { code, zh, en } => (S::CONFLICT, code, zh, en, vec![]),
            AppError::NotFoundWith { code, zh, en } => (S::NOT_FOUND, code, zh, en, vec![]),
            AppError::Validation(e) => (
                S::UNPROCESSABLE_ENTITY,
                "validation_failed",
                format!("有{}项内容需要修改", e.0.len()),
                format!("{} field(s) need correcting", e.0.len()),
                e.0,
            ),
            AppError::MalformedJson {
                line,
                column,
                detail,
            } => (
                S::BAD_REQUEST,
                "malformed_json",
                format!("JSON 格式错误（第{line}行第{column}列）"),
                format!("malformed JSON at line {line} column {column}: {detail}"),
                vec![],
            ),
            AppError::BadRequest { code, zh, en } => (S::BAD_REQUEST, code, zh, en, vec![]),
            AppError::TooLarge { zh, en } => {
                (S::PAYLOAD_TOO_LARGE, "payload_too_large", zh, en, vec![])
            }
            AppError::UnsupportedMediaType { zh, en } => (
                S::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                zh,
                en,
                vec![],
            ),
            AppError::NotFound => (
                S::NOT_FOUND,
                "not_found",
                "未找到该案件，或查询码不正确".into(),
                "no such case, or the tracking token does not match".into(),
                vec![],
            ),
            AppError::IdempotencyKeyReused => (
                S::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "该 Idempotency-Key 已用于另一份不同的投诉，请换用新的键".into(),
                "this Idempotency-Key was used for a different request; use a new key".into(),
                vec![],
            ),
            AppError::Unauthorized { code, zh, en } => (S::UNAUTHORIZED, code, zh, en, vec![]),
            AppError::Forbidden { zh, en } => (S::FORBIDDEN, "forbidden", zh, en, vec![]),
            AppError::CrossSite => (
                S::FORBIDDEN,
                "cross_site_request",
                "拒绝来自其他网站的请求".into(),
                "a request from another site is refused".into(),
                vec![],
            ),
            AppError::TooManyRequests { retry_after_secs } => (
                S::TOO_MANY_REQUESTS,
                "too_many_requests",
                format!("尝试次数过多，请在{retry_after_secs}秒后重试"),
                format!("too many attempts; try again in {retry_after_secs} s"),
                vec![],
            ),
            AppError::RequestTimeout(detail) => (
                S::REQUEST_TIMEOUT,
                "request_timeout",
                "请求内容发送超时，未被记录；请在网络较好时重试".into(),
                format!(
                    "the request body did not arrive in time ({detail}); nothing was recorded: try again on a better connection"
                ),
                vec![],
            ),
            AppError::Busy { retry_after_secs } => (
                S::SERVICE_UNAVAILABLE,
                "uploads_busy",
                format!("同时上传的人数较多，本次提交未被记录；请在{retry_after_secs}秒后重试"),
                format!(
                    "too many uploads at once; nothing of this request was recorded: try again in {retry_after_secs} s"
                ),
                vec![],
            ),
            AppError::Unavailable(detail) => {
                tracing::warn!(%detail, "service unavailable");
                (
                    S::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "服务暂时不可用，请稍后重试；您的投诉未被记录".into(),
                    "the service is unavailable; try again shortly. Nothing was recorded".into(),
                    vec![],
                )
            }
            AppError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                (
                    S::INTERNAL_SERVER_ERROR,
                    "internal",
                    "服务器内部错误，请稍后重试".into(),
                    "internal error; try again later".into(),
                    vec![],
                )
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let allowed = match &self {
            AppError::IllegalAction(e) => e.allowed.iter().map(|a| a.key()).collect(),
            _ => Vec::new(),
        };
        let retry_after = match &self {
            AppError::TooManyRequests { retry_after_secs }
            | AppError::Busy { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        };
        let (status, code, message_zh, message_en, fields) = self.parts();
        let body = ErrorBody {
            error: ErrorDetail {
                status: status.as_u16(),
                code,
                message_zh,
                message_en,
                fields,
                allowed,
            },
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}

impl From<kuaiwei_cases::CaseError> for AppError {
    fn from(e: kuaiwei_cases::CaseError) -> Self {
        use kuaiwei_cases::CaseError as E;
        match e {
            E::Field { path, code, zh, en } => AppError::field(&path, code, zh, en),
            E::Conflict { code, zh, en } => AppError::StateConflict { code, zh, en },
            E::Illegal(e) => AppError::IllegalAction(e),
            E::Invalid(e) => AppError::Validation(e),
            E::NotFound => AppError::NotFound,
            E::Store(e) => e.into(),
        }
    }
}

impl AppError {
    /// A NUL character (U+0000) in `path`: refused on both stores, as PostgreSQL cannot hold it.
    pub fn nul_character(path: &str) -> AppError {
        AppError::field(
            path,
            "nul_character",
            "内容含有空字符（NUL，U+0000），无法保存或查询",
            "the request contains a NUL character (U+0000), which cannot be stored or looked up",
        )
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::IdempotencyMismatch => AppError::IdempotencyKeyReused,
            StoreError::Closed => AppError::Unavailable(e.to_string()),
            StoreError::VersionConflict => AppError::Conflict,
            StoreError::NotFound => AppError::NotFound,
            StoreError::Unstorable => AppError::nul_character("request"),
            StoreError::Backend(_) | StoreError::Conflict(_) | StoreError::Corrupt(_) => {
                AppError::Internal(e.to_string())
            }
        }
    }
}

impl From<ValidationErrors> for AppError {
    fn from(e: ValidationErrors) -> Self {
        AppError::Validation(e)
    }
}
