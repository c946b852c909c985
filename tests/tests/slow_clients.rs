//! The slow-client drill: a real server on port 0 with short timeouts, and many connections
//! that send their headers a byte at a time, stall in the middle of an upload's body, or sit
//! idle after a request. Each is closed by the server, a stalled upload answered 408, uploads
//! over the cap refused at once with 503 and Retry-After, and a normal client is served
//! throughout.

use std::time::Duration;

use kuaiwei_e2e::{Backend, Multipart, Options, complaint, jpeg, on_every_backend, spawn_app_with};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SETTINGS: kuaiwei_server::HttpSettings = kuaiwei_server::HttpSettings {
    header_read: Duration::from_secs(1),
    keep_alive_idle: Duration::from_secs(1),
    body_idle: Duration::from_secs(1),
    body: Duration::from_secs(3),
    max_concurrent_uploads: 2,
};

/// How long the server is given to close a connection whose timeout is one second: generous,
/// so that a loaded machine does not fail the drill, and far below the 40 s the issue saw.
const CLOSED_WITHIN: Duration = Duration::from_secs(8);

/// Reads until the server closes the connection; what it sent, or `None` if it did not close
/// within [`CLOSED_WITHIN`].
async fn until_closed(mut s: TcpStream) -> Option<String> {
    let mut got = Vec::new();
    match tokio::time::timeout(CLOSED_WITHIN, s.read_to_end(&mut got)).await {
        Ok(_) => Some(String::from_utf8_lossy(&got).into_owned()),
        Err(_) => None,
    }
}

/// Sends a request head one byte every 200 ms, never finishing it.
async fn trickle_headers(address: std::net::SocketAddr) -> Option<String> {
    let mut s = TcpStream::connect(address).await.unwrap();
    let head = b"GET /healthz HTTP/1.1\r\nHost: kuaiwei\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let (mut read, mut write) = s.split();
    let writer = async {
        for b in head {
            if write.write_all(&[*b]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        // never finished: wait for the server to close
        std::future::pending::<std::convert::Infallible>().await
    };
    let reader = async {
        let mut got = Vec::new();
        let _ = read.read_to_end(&mut got).await;
        String::from_utf8_lossy(&got).into_owned()
    };
    tokio::time::timeout(CLOSED_WITHIN, async {
        tokio::select! {
            never = writer => match never {},
            got = reader => got,
        }
    })
    .await
    .ok()
}

/// Starts an upload whose body promises 100,000 bytes and sends a few.
async fn stall_upload(address: std::net::SocketAddr) -> Option<String> {
    let mut s = TcpStream::connect(address).await.unwrap();
    s.write_all(
        b"POST /api/v1/complaints HTTP/1.1\r\nHost: kuaiwei\r\n\
          Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 100000\r\n\r\n--XyZ\r\n",
    )
    .await
    .unwrap();
    until_closed(s).await
}

async fn slow_clients_are_cut_off_while_a_normal_client_is_served(backend: Backend) {
    let options = Options {
        http: SETTINGS,
        ..Options::default()
    };
    let Some(app) = spawn_app_with(backend, options).await else {
        return;
    };
    let address = app.address;
    let trickling: Vec<_> = (0..100)
        .map(|_| tokio::spawn(trickle_headers(address)))
        .collect();
    let stalled: Vec<_> = (0..50)
        .map(|_| tokio::spawn(stall_upload(address)))
        .collect();

    // meanwhile, a normal client is served
    tokio::time::sleep(Duration::from_millis(300)).await;
    let health = app.get("/healthz", &[]).await;
    assert_eq!(health.status, 200);

    for t in trickling {
        let got = t.await.unwrap();
        // closed by the header-read timeout, without a response to a head never finished
        assert!(
            got.as_deref().is_some_and(|g| !g.contains("200 OK")),
            "{got:?}"
        );
    }
    let (mut timed_out, mut busy) = (0, 0);
    for t in stalled {
        let got = t.await.unwrap().expect("a stalled upload is closed");
        if got.starts_with("HTTP/1.1 408") {
            assert!(got.contains("request_timeout"), "{got}");
            timed_out += 1;
        } else {
            assert!(got.starts_with("HTTP/1.1 503"), "{got}");
            assert!(got.to_ascii_lowercase().contains("retry-after: 5"), "{got}");
            assert!(
                got.contains("uploads_busy") && got.contains("重试"),
                "{got}"
            );
            busy += 1;
        }
    }
    // the two upload slots went to stalled uploads, which the body timeout ended; the rest
    // were refused at once
    assert!(
        timed_out >= 2 && busy >= 1,
        "{timed_out} timed out, {busy} busy"
    );

    // the slots are free again: a normal filing goes through, and is kept
    let photo = jpeg(600);
    let form = Multipart::new()
        .complaint(&complaint(1))
        .evidence("booth.jpg", &photo);
    let res = app.post_multipart("/api/v1/complaints", form, &[]).await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let number = res.json()["case_number"].as_str().unwrap().to_string();
    assert!(app.store.case(&number).await.unwrap().is_some());
}

async fn an_idle_kept_alive_connection_is_closed(backend: Backend) {
    let options = Options {
        http: SETTINGS,
        ..Options::default()
    };
    let Some(app) = spawn_app_with(backend, options).await else {
        return;
    };
    let mut s = TcpStream::connect(app.address).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: kuaiwei\r\n\r\n")
        .await
        .unwrap();
    // the answer comes, the connection stays open for the next request, then is closed idle
    let got = until_closed(s)
        .await
        .expect("the idle connection is closed");
    assert!(got.starts_with("HTTP/1.1 200"), "{got}");
}

on_every_backend!(backend:
    slow_clients_are_cut_off_while_a_normal_client_is_served,
    an_idle_kept_alive_connection_is_closed,
);
