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
    if has_nul_escape(bytes) {
        return Err(AppError::nul_character("body"));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize::<_, T>(&mut de)
        .map_err(|e| error(&e.path().to_string(), e.into_inner()))?;
    de.end().map_err(|e| error(".", e))?;
    Ok(value)
}

/// A `\u0000` escape in valid JSON (a raw NUL byte is a syntax error already): one whose
/// backslash is not itself escaped.
fn has_nul_escape(bytes: &[u8]) -> bool {
    let mut i = 0;
    while let Some(at) = bytes[i..]
        .windows(6)
        .position(|w| w.eq_ignore_ascii_case(b"\\u0000"))
    {
        let start = i + at;
        let backslashes = bytes[..start]
            .iter()
            .rev()
            .take_while(|b| **b == b'\\')
            .count();
        if backslashes % 2 == 0 {
            return true;
        }
        i = start + 6;
    }
    false
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
    use super::{has_nul_escape, parse};
    use crate::AppError;

    #[test]
    fn a_nul_escape_is_found_and_an_escaped_backslash_before_u0000_is_not_one() {
        assert!(has_nul_escape(br#"{"a":"x\u0000y"}"#));
        // an escaped backslash, then the escape
        assert!(has_nul_escape(br#"{"a":"\\\u0000"}"#));
        // an escaped backslash, then the text u0000
        assert!(!has_nul_escape(br#"{"a":"\\u0000"}"#));
        assert!(!has_nul_escape(br#"{"a":"\u0041"}"#));
        assert!(!has_nul_escape(b"{}"));
        let err = parse::<serde_json::Value>(br#"{"a":"x\u0000"}"#).unwrap_err();
        assert!(matches!(err, AppError::Validation(_)), "{err:?}");
    }

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
