//! Request ids: every response carries `x-request-id`, and 5xx bodies name it so that a user's
//! report can be matched to the log line that holds the details.

use std::time::Instant;

use axum::body::Body;
use axum::http::{HeaderValue, Request, header};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::request_id::{MakeRequestId, RequestId};

#[derive(Clone, Copy, Default)]
pub struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).ok()?;
        HeaderValue::from_str(&hex::encode(b))
            .ok()
            .map(RequestId::new)
    }
}

/// The largest error body rewritten to carry its request id.
const ERROR_BODY_MAX: usize = 64 * 1024;

/// One access-log line per request (target `kuaiwei::access`): the request id, method, path
/// (never the query, which may hold search terms or names), status and milliseconds; and the
/// request's metrics, by route pattern. Health
/// checks log at debug. A 5xx JSON error answer gets `error.request_id`, so that what a user
/// reports can be matched to this line and the error logged before it.
pub async fn access_log(req: Request<Body>, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .cloned();
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let res = next.run(req).await;
    let status = res.status().as_u16();
    let took = started.elapsed();
    crate::metrics::http_request(&method, route.as_ref(), status, took);
    let ms = took.as_secs_f64() * 1000.0;
    if res.status().is_server_error() {
        tracing::warn!(target: "kuaiwei::access", request_id = %id, %method, %path, status, ms, "request");
    } else if path == "/healthz" || path == "/readyz" {
        tracing::debug!(target: "kuaiwei::access", request_id = %id, %method, %path, status, ms, "request");
    } else {
        tracing::info!(target: "kuaiwei::access", request_id = %id, %method, %path, status, ms, "request");
    }
    if res.status().is_server_error() && !id.is_empty() {
        return with_request_id(res, &id).await;
    }
    res
}

/// `error.request_id` added to a JSON error body.
async fn with_request_id(res: Response, id: &str) -> Response {
    let json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, ERROR_BODY_MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(mut v) if v["error"].is_object() => {
            v["error"]["request_id"] = serde_json::Value::String(id.to_string());
            let out = serde_json::to_vec(&v).unwrap_or_else(|_| bytes.to_vec());
            parts.headers.remove(header::CONTENT_LENGTH);
            Body::from(out)
        }
        _ => Body::from(bytes),
    };
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::routing::get;
    use tower::ServiceExt;
    use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};

    use super::*;

    fn app() -> Router {
        let id = axum::http::HeaderName::from_static("x-request-id");
        Router::new()
            .route(
                "/boom",
                get(|| async { crate::AppError::Internal("the store is gone".into()) }),
            )
            .route("/missing", get(|| async { crate::AppError::NotFound }))
            .layer(axum::middleware::from_fn(access_log))
            .layer(PropagateRequestIdLayer::new(id.clone()))
            .layer(SetRequestIdLayer::new(id, RandomRequestId))
    }

    async fn call(path: &str) -> (Response, serde_json::Value) {
        let res = app()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let (parts, body) = res.into_parts();
        let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
        let json = serde_json::from_slice(&bytes).unwrap();
        (Response::from_parts(parts, Body::empty()), json)
    }

    #[tokio::test]
    async fn a_server_error_names_its_request_id_and_others_do_not_need_it() {
        let (res, body) = call("/boom").await;
        assert_eq!(res.status(), 500);
        let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
        assert_eq!(id.len(), 16);
        assert_eq!(body["error"]["request_id"], id.as_str());
        assert_eq!(body["error"]["code"], "internal");
        let (res, body) = call("/missing").await;
        assert_eq!(res.status(), 404);
        assert!(body["error"].get("request_id").is_none(), "{body}");
    }
}
