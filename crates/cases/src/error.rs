//! Why a step is refused, in zh-CN and en, typed so that each front end maps it once (the API to
//! a status code, a page to a message beside the field).

/// A refused step. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// A field of the step is wrong or missing (422): `path` names it.
    #[error("{path}: {zh} / {en}")]
    Field {
        path: String,
        code: &'static str,
        zh: String,
        en: String,
    },
    /// The step is lawful in form but not now (409): an expired period, nothing to change.
    #[error("{code}: {zh} / {en}")]
    Conflict {
        code: &'static str,
        zh: String,
        en: String,
    },
    /// The life-cycle does not allow the step from the case's state (409), with the steps it
    /// allows.
    #[error("{0}")]
    Illegal(kuaiwei_domain::IllegalAction),
    /// Facts or amounts given with the step fail validation (422, each field named).
    #[error("{0:?}")]
    Invalid(kuaiwei_domain::ValidationErrors),
    /// The case or its complaint is not there (404).
    #[error("no such case")]
    NotFound,
    /// The store refused or failed; a version conflict means the case changed meanwhile (409).
    #[error(transparent)]
    Store(#[from] kuaiwei_store::StoreError),
}

impl CaseError {
    pub fn field(
        path: &str,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> CaseError {
        CaseError::Field {
            path: path.to_string(),
            code,
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn conflict(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> CaseError {
        CaseError::Conflict {
            code,
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// A reason that must be given: present, at most 2000 characters.
    pub(crate) fn required(path: &str) -> CaseError {
        CaseError::field(
            path,
            "required",
            "此项为必填项（最多2000字）",
            "required, at most 2000 characters",
        )
    }
}
