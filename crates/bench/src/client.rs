//! A minimal HTTP/1.1 keep-alive client: one TCP connection, one request at a time, as a
//! browser or a mobile app talks to the server.

use std::net::SocketAddr;

use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

pub struct Conn {
    addr: SocketAddr,
    sender: SendRequest<Full<Bytes>>,
}

impl Conn {
    /// Opens a connection and starts its driver task.
    pub async fn open(addr: SocketAddr) -> Result<Conn> {
        let stream = TcpStream::connect(addr)
            .await
            .with_context(|| format!("cannot connect to {addr}"))?;
        stream.set_nodelay(true).context("cannot set TCP_NODELAY")?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .context("HTTP/1.1 handshake failed")?;
        tokio::spawn(async move {
            // Ends when the sender is dropped or the server closes the connection; a failure
            // surfaces on the next request sent.
            let _ = connection.await;
        });
        Ok(Conn { addr, sender })
    }

    /// `POST path` with a body of `content_type`; the status and the whole response body.
    pub async fn post(
        &mut self,
        path: &str,
        content_type: &str,
        body: Bytes,
    ) -> Result<(StatusCode, Bytes)> {
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header("host", self.addr.to_string())
            .header("content-type", content_type)
            .body(Full::new(body))
            .context("cannot build the request")?;
        self.send(req).await
    }

    /// `GET path`; the status and the whole response body.
    pub async fn get(&mut self, path: &str) -> Result<(StatusCode, Bytes)> {
        self.get_with(path, &[]).await
    }

    /// `GET path` with extra headers.
    pub async fn get_with(
        &mut self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> Result<(StatusCode, Bytes)> {
        let mut req = Request::builder()
            .method(Method::GET)
            .uri(path)
            .header("host", self.addr.to_string());
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req
            .body(Full::new(Bytes::new()))
            .context("cannot build the request")?;
        self.send(req).await
    }

    /// Logs in; the session cookie (`name=value`) to send with later requests.
    pub async fn log_in(&mut self, username: &str, password: &str) -> Result<String> {
        let body = serde_json::json!({"username": username, "password": password}).to_string();
        let req = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/session")
            .header("host", self.addr.to_string())
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body)))
            .context("cannot build the request")?;
        let (status, headers, _) = self.exchange(req).await?;
        let cookie = headers
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next());
        match cookie {
            Some(c) if status.is_success() => Ok(c.to_string()),
            _ => anyhow::bail!("login as {username} answered {status}"),
        }
    }

    async fn send(&mut self, req: Request<Full<Bytes>>) -> Result<(StatusCode, Bytes)> {
        let (status, _, body) = self.exchange(req).await?;
        Ok((status, body))
    }

    /// One request and its whole answer.
    async fn exchange(
        &mut self,
        req: Request<Full<Bytes>>,
    ) -> Result<(StatusCode, hyper::HeaderMap, Bytes)> {
        self.sender
            .ready()
            .await
            .context("the connection is closed")?;
        let resp = self
            .sender
            .send_request(req)
            .await
            .context("request failed")?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp
            .into_body()
            .collect()
            .await
            .context("cannot read the response body")?
            .to_bytes();
        Ok((status, headers, body))
    }
}
