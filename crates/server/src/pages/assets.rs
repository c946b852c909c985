//! The pages' static files (`static/`: one stylesheet, one small script), compiled into the
//! binary and served under `/static/<name>.<hash>.<ext>`. The hash is the first 10 hex digits of
//! the file's SHA-256, so a name never changes meaning: the files are cached for a year
//! (`immutable`) and a new build simply links new names.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

#[derive(RustEmbed)]
#[folder = "static/"]
struct Static;

struct Asset {
    bytes: &'static [u8],
    mime: &'static str,
}

/// Hashed name -> file, and plain name -> hashed name.
struct Assets {
    by_hashed: HashMap<String, Asset>,
    hashed: HashMap<String, String>,
}

static ASSETS: LazyLock<Assets> = LazyLock::new(|| {
    let mut by_hashed = HashMap::new();
    let mut hashed = HashMap::new();
    for name in Static::iter() {
        let Some(file) = Static::get(&name) else {
            continue;
        };
        let bytes: &'static [u8] = match file.data {
            std::borrow::Cow::Borrowed(b) => b,
            std::borrow::Cow::Owned(v) => Box::leak(v.into_boxed_slice()),
        };
        let digest = hex::encode(Sha256::digest(bytes));
        let (stem, ext) = name.rsplit_once('.').unwrap_or((&name, ""));
        let with_hash = format!("{stem}.{}.{ext}", &digest[..10]);
        let mime = match ext {
            "css" => "text/css; charset=utf-8",
            "js" => "text/javascript; charset=utf-8",
            "svg" => "image/svg+xml",
            "png" => "image/png",
            _ => "application/octet-stream",
        };
        hashed.insert(name.to_string(), with_hash.clone());
        by_hashed.insert(with_hash, Asset { bytes, mime });
    }
    Assets { by_hashed, hashed }
});

/// The address of static file `name` (e.g. `kuaiwei.css`) as pages link it.
/// A static file's text (the stylesheet inlined into a self-contained HTML file).
pub fn text(name: &str) -> &'static str {
    ASSETS
        .hashed
        .get(name)
        .and_then(|h| ASSETS.by_hashed.get(h))
        .and_then(|a| std::str::from_utf8(a.bytes).ok())
        .unwrap_or("")
}

pub fn href(name: &str) -> String {
    match ASSETS.hashed.get(name) {
        Some(h) => format!("/static/{h}"),
        None => format!("/static/{name}"),
    }
}

/// `GET /static/{name}`: a hashed name only; anything else is 404.
pub async fn serve(Path(name): Path<String>) -> Response {
    match ASSETS.by_hashed.get(&name) {
        Some(a) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(a.mime)),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ),
            ],
            a.bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stylesheet_and_the_script_have_hashed_names() {
        for name in ["kuaiwei.css", "kuaiwei.js"] {
            let h = href(name);
            let (stem, ext) = name.rsplit_once('.').unwrap();
            let hashed = h.strip_prefix("/static/").unwrap();
            assert!(
                hashed.starts_with(&format!("{stem}.")) && hashed.ends_with(ext),
                "{h}"
            );
            assert_eq!(hashed.len(), name.len() + 11, "{h}");
        }
    }
}
