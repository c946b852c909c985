//! The connection loop of `kuaiwei serve`, with the timeouts `axum::serve` does not offer. At a
//! fair, hundreds of phones share one Wi-Fi and some connections simply stall; a client may
//! also hold connections open on purpose (slowloris). Each connection therefore has:
//!
//! - a header-read timeout (hyper's, with a tokio timer): a request head must be complete within
//!   `header_read` of the connection opening or of the previous response;
//! - a keep-alive idle timeout: a connection with no request in progress on which no byte
//!   arrives for `keep_alive_idle` is closed;
//! - body timeouts ([`TimedBody`]): a request body that sends nothing for `body_idle`, or is
//!   not complete within `body` of its start, ends with an error the handler answers with 408;
//!
//! and uploads (multipart filings and supplements) are capped at `max_concurrent_uploads` at
//! once ([`upload_slot`]): beyond it the request is refused with 503 and Retry-After before a
//! byte of it is read, so nothing is half-accepted.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http_body::{Body as HttpBody, Frame};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

use crate::AppError;

/// How long a client may take, and how many uploads run at once (`[http]` in the config).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpSettings {
    pub header_read: Duration,
    pub keep_alive_idle: Duration,
    pub body_idle: Duration,
    pub body: Duration,
    pub max_concurrent_uploads: u32,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            header_read: Duration::from_secs(10),
            keep_alive_idle: Duration::from_secs(5),
            body_idle: Duration::from_secs(20),
            // 20 MiB at 1 Mbit/s, a congested fair hall, takes under three minutes
            body: Duration::from_secs(300),
            // uploads stream to disk; the cap bounds open files and temporary space, not CPU
            // (decoding has its own limit), so a fair hall of phones on slow Wi-Fi fits
            max_concurrent_uploads: 64,
        }
    }
}

/// Seconds a refused upload is asked to wait.
pub const UPLOAD_RETRY_AFTER_SECS: u64 = 5;

/// Serves `router` on `listener` until `shutdown` resolves, then lets in-flight requests finish.
pub async fn serve_connections(
    listener: TcpListener,
    router: axum::Router,
    settings: HttpSettings,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        while connections.try_join_next().is_some() {}
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // out of file descriptors and the like: wait rather than spin
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        connections.spawn(connection(
            stream,
            peer,
            router.clone(),
            settings,
            stop_rx.clone(),
        ));
    }
    drop(listener);
    let _ = stop_tx.send(true);
    while connections.join_next().await.is_some() {}
    Ok(())
}

/// When the connection last moved a byte, and how many requests are in progress on it.
#[derive(Debug)]
struct Activity {
    epoch: Instant,
    last_ms: AtomicU64,
    in_flight: AtomicUsize,
}

impl Activity {
    fn touch(&self) {
        let ms = self.epoch.elapsed().as_millis() as u64;
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    fn idle_for(&self) -> Duration {
        let last = Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
        self.epoch.elapsed().saturating_sub(last)
    }
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: axum::Router,
    settings: HttpSettings,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let activity = Arc::new(Activity {
        epoch: Instant::now(),
        last_ms: AtomicU64::new(0),
        in_flight: AtomicUsize::new(0),
    });
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: activity.clone(),
    });
    let seen = activity.clone();
    let service =
        hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            let router = router.clone();
            let guard = InFlight::start(seen.clone());
            req.extensions_mut().insert(ConnectInfo(peer));
            let req = req.map(|b| Body::new(TimedBody::new(b, settings.body_idle, settings.body)));
            async move {
                let response = router.oneshot(req).await.unwrap_or_else(|e| match e {});
                // the request stays in progress until its response body has been sent
                Ok::<_, std::convert::Infallible>(response.map(|b| {
                    Body::new(http_body_util::BodyExt::map_frame(b, move |f| {
                        let _ = &guard;
                        f
                    }))
                }))
            }
        });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(settings.header_read)
        .serve_connection(io, service);
    tokio::pin!(conn);
    let mut stopping = false;
    loop {
        let check = if activity.in_flight.load(Ordering::Relaxed) > 0 {
            settings.keep_alive_idle
        } else {
            settings.keep_alive_idle.saturating_sub(activity.idle_for())
        };
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(%peer, error = %e, "connection ended");
                }
                return;
            }
            changed = stop.changed(), if !stopping => {
                stopping = true;
                if changed.is_ok() {
                    conn.as_mut().graceful_shutdown();
                }
            }
            () = tokio::time::sleep(check) => {
                if activity.in_flight.load(Ordering::Relaxed) == 0
                    && activity.idle_for() >= settings.keep_alive_idle
                {
                    tracing::debug!(%peer, "closing an idle connection");
                    return;
                }
            }
        }
    }
}

/// A request in progress on a connection, until dropped.
struct InFlight(Arc<Activity>);

impl InFlight {
    fn start(activity: Arc<Activity>) -> InFlight {
        activity.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(activity)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The socket, noting every byte that moves.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        r
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A request body that took too long.
#[derive(Debug, thiserror::Error)]
pub enum BodyTimeout {
    #[error("the request body sent nothing for {0:?}")]
    Idle(Duration),
    #[error("the request body was not complete within {0:?}")]
    Total(Duration),
}

impl BodyTimeout {
    /// The timeout somewhere in an error's chain of sources, if it is one.
    pub fn find<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a BodyTimeout> {
        let mut next = Some(e);
        while let Some(e) = next {
            if let Some(t) = e.downcast_ref::<BodyTimeout>() {
                return Some(t);
            }
            next = e.source();
        }
        None
    }
}

/// A request body with an idle and a total deadline.
pub struct TimedBody {
    inner: hyper::body::Incoming,
    idle: Duration,
    total: Duration,
    idle_sleep: Pin<Box<Sleep>>,
    total_sleep: Pin<Box<Sleep>>,
}

impl TimedBody {
    fn new(inner: hyper::body::Incoming, idle: Duration, total: Duration) -> TimedBody {
        TimedBody {
            inner,
            idle,
            total,
            idle_sleep: Box::pin(tokio::time::sleep(idle)),
            total_sleep: Box::pin(tokio::time::sleep(total)),
        }
    }
}

impl HttpBody for TimedBody {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        // the whole body's deadline holds even for a client that never pauses
        if this.total_sleep.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(BodyTimeout::Total(this.total).into())));
        }
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                let deadline = Instant::now() + this.idle;
                this.idle_sleep.as_mut().reset(deadline);
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => {
                if this.idle_sleep.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Some(Err(BodyTimeout::Idle(this.idle).into())));
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// Admits an upload if one of the slots is free; otherwise 503 with Retry-After, before the
/// body is read.
pub async fn upload_slot(slots: Arc<Semaphore>, req: Request, next: Next) -> Response {
    match slots.try_acquire_owned() {
        Ok(permit) => {
            let response = next.run(req).await;
            drop(permit);
            response
        }
        Err(_) => AppError::Busy {
            retry_after_secs: UPLOAD_RETRY_AFTER_SECS,
        }
        .into_response(),
    }
}

/// A NUL (`%00`) in the address, path or query, is refused 422 before any handler, on both
/// stores alike (PostgreSQL cannot hold a NUL in text, so no case, account or filter has one).
pub async fn refuse_nul(req: Request, next: Next) -> Response {
    let uri = req.uri();
    if uri.path().contains("%00") || uri.query().is_some_and(|q| q.contains("%00")) {
        return AppError::nul_character("request").into_response();
    }
    next.run(req).await
}
