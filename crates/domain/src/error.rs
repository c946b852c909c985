//! Field errors: a path into the submitted document, a stable code, and a message in zh-CN and en.

use serde::Serialize;

/// One bad field. `path` uses the JSON shape of the request (`rights[0].number`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub path: String,
    pub code: &'static str,
    pub message_zh: String,
    pub message_en: String,
}

/// Every field error found in one document: validation never stops at the first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn push(
        &mut self,
        path: impl Into<String>,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) {
        self.0.push(FieldError {
            path: path.into(),
            code,
            message_zh: zh.into(),
            message_en: en.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn codes(&self) -> Vec<(&str, &str)> {
        self.0.iter().map(|e| (e.path.as_str(), e.code)).collect()
    }

    /// Keeps the value when `result` is Ok; records the error under `path` otherwise.
    pub fn take<T>(&mut self, path: &str, result: Result<T, IdError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(path, e.code, e.zh, e.en);
                None
            }
        }
    }
}

impl std::fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {} ({})", e.path, e.message_en, e.code)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// Why one identifier or value was refused, before it is placed at a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdError {
    pub code: &'static str,
    pub zh: String,
    pub en: String,
}

impl IdError {
    pub fn new(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        IdError {
            code,
            zh: zh.into(),
            en: en.into(),
        }
    }
}
