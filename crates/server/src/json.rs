//! Reading JSON bodies with useful errors: a syntax error is a 400 with its line and column; a
//! wrong type, an unknown field or trailing garbage is a 422 naming the field's path.

use serde::de::DeserializeOwned;
use serde_json::error::Category;

use crate::AppError;

pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize::<_, T>(&mut de)
        .map_err(|e| error(&e.path().to_string(), e.into_inner()))?;
    de.end().map_err(|e| error(".", e))?;
    Ok(value)
}

fn error(path: &str, e: serde_json::Error) -> AppError {
    if e.classify() != Category::Data {
        return AppError::MalformedJson {
            line: e.line(),
            column: e.column(),
            detail: e.to_string(),
        };
    }
    let text = e.to_string();
    let detail = text.split(" at line ").next().unwrap_or(&text).to_string();
    let path = if path == "." { "body" } else { path };
    if detail.starts_with("unknown field") {
        AppError::field(
            path,
            "unknown_field",
            format!("不接受的字段：{detail}"),
            detail,
        )
    } else {
        AppError::field(
            path,
            "wrong_type",
            format!("字段类型或取值错误：{detail}"),
            detail,
        )
    }
}
