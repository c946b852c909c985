//! Reading JSON bodies with useful errors: a syntax error is a 400 with its line and column; a
//! wrong type, an unknown field or trailing garbage is a 422 naming the field's path.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::error::Category;

use crate::AppError;

pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    // The syntax first: a body cut off after `{"a":` is malformed (400), not an unknown field
    // `a` (which the typed reading would meet before the end).
    let mut check = serde_json::Deserializer::from_slice(bytes);
    serde::de::IgnoredAny::deserialize(&mut check).map_err(|e| error(".", e))?;
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

#[cfg(test)]
mod tests {
    use super::parse;
    use crate::AppError;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        b: u32,
    }

    #[test]
    fn a_cut_off_body_is_malformed_not_an_unknown_field() {
        for cut in [&b"{\"a\":"[..], b"{\"b\": 1", b"{\"b\"", b""] {
            assert!(
                matches!(parse::<Body>(cut), Err(AppError::MalformedJson { .. })),
                "{}",
                String::from_utf8_lossy(cut)
            );
        }
        // whole, but wrong: still the field's problem
        assert!(matches!(
            parse::<Body>(b"{\"a\": 1}"),
            Err(AppError::Validation(_))
        ));
        assert!(matches!(
            parse::<Body>(b"{\"b\": \"x\"}"),
            Err(AppError::Validation(_))
        ));
        assert_eq!(parse::<Body>(b"{\"b\": 7}").unwrap().b, 7);
    }
}
