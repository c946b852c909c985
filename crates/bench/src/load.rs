//! The load: N distinct complaints, pre-built, sent by C concurrent clients each on its own
//! keep-alive connection, each client sending its next request as soon as the previous one
//! is answered (a closed loop). Only 201s with a case number count as acknowledged.

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use bytes::Bytes;
use hyper::StatusCode;

use crate::client::Conn;
use crate::cpu::{Snapshot, Split};
use crate::report::Outcome;

const INTAKE: &str = "/api/v1/complaints";

pub struct LoadSpec {
    pub requests: usize,
    pub clients: usize,
    pub warmup: usize,
    /// Photos sent with each complaint (multipart), taken in turn from `pool`.
    pub photos: usize,
    pub pool: Arc<Vec<Bytes>>,
}

const BOUNDARY: &str = "kuaiwei-bench-boundary-5b9c0e";

/// How a complaint is sent: JSON alone, or multipart with `photos` from the pool.
#[derive(Clone)]
struct Shape {
    photos: usize,
    pool: Arc<Vec<Bytes>>,
}

impl Shape {
    /// The content type and body of request `i` with the complaint `json`.
    fn body(&self, i: usize, json: &Bytes) -> (&'static str, Bytes) {
        if self.photos == 0 || self.pool.is_empty() {
            return ("application/json", json.clone());
        }
        let mut out = Vec::with_capacity(json.len() + self.photos * (self.pool[0].len() + 200));
        let mut part = |head: String, bytes: &[u8]| {
            out.extend_from_slice(head.as_bytes());
            out.extend_from_slice(bytes);
            out.extend_from_slice(b"\r\n");
        };
        part(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"complaint\"\r\nContent-Type: application/json\r\n\r\n"
            ),
            json,
        );
        for k in 0..self.photos {
            let photo = &self.pool[(i * self.photos + k) % self.pool.len()];
            part(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"IMG_{i}_{k}.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
                ),
                photo,
            );
        }
        out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        (MULTIPART, Bytes::from(out))
    }
}

const MULTIPART: &str = "multipart/form-data; boundary=kuaiwei-bench-boundary-5b9c0e";

/// One valid complaint; `n` makes the booth, the respondent and the description differ.
pub fn complaint(n: usize) -> Bytes {
    let doc = serde_json::json!({
        "channel": {"kind": "fair", "fair_name": "第138届广交会", "booth": format!("16.1K{n}")},
        "complainant": {"kind": "organisation", "name": "耐克创新有限合伙公司", "mobile": "13812345678"},
        "rights": [{"kind": "trademark", "number": "1234567", "nice_classes": [25]}],
        "respondent": {"name": format!("被投诉人{n}号鞋业有限公司")},
        "description": format!("第{n}号投诉：展出的运动鞋使用了与注册商标相同的标识"),
    });
    Bytes::from(doc.to_string())
}

/// What one client saw.
#[derive(Default)]
struct ClientTally {
    latencies_us: Vec<u32>,
    acked: usize,
    errors: BTreeMap<String, usize>,
    case_numbers: Vec<String>,
}

/// Warms the server up (not measured), then runs the measured load.
pub async fn run(addr: SocketAddr, server_pid: u32, spec: &LoadSpec) -> Result<Outcome> {
    let warm: Vec<Bytes> = (0..spec.warmup).map(|i| complaint(1_000_000 + i)).collect();
    let bodies: Vec<Bytes> = (0..spec.requests).map(complaint).collect();
    let shape = Shape {
        photos: spec.photos,
        pool: spec.pool.clone(),
    };
    let warm_out = drive(addr, warm, spec.clients, shape.clone()).await?;
    if warm_out.errors > 0 {
        eprintln!(
            "  warning: {} of {} warm-up requests failed",
            warm_out.errors, spec.warmup
        );
    }
    let before = Snapshot::take(server_pid);
    let mut outcome = drive(addr, bodies, spec.clients, shape).await?;
    outcome.cpu = before.split_until(&Snapshot::take(server_pid));
    Ok(outcome)
}

/// Sends every body once, from `clients` concurrent connections.
async fn drive(
    addr: SocketAddr,
    bodies: Vec<Bytes>,
    clients: usize,
    shape: Shape,
) -> Result<Outcome> {
    let bodies = Arc::new(bodies);
    let next = Arc::new(AtomicUsize::new(0));
    // Connect everybody first, so connection set-up is not part of the measured time.
    let mut conns = Vec::with_capacity(clients);
    for _ in 0..clients {
        conns.push(Conn::open(addr).await?);
    }
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(clients);
    for conn in conns {
        let (bodies, next) = (bodies.clone(), next.clone());
        tasks.push(tokio::spawn(client(
            addr,
            conn,
            bodies,
            next,
            shape.clone(),
        )));
    }
    let mut tally = ClientTally::default();
    for t in tasks {
        let t = t.await.context("a client task panicked")?;
        tally.latencies_us.extend(t.latencies_us);
        tally.acked += t.acked;
        tally.case_numbers.extend(t.case_numbers);
        for (k, v) in t.errors {
            *tally.errors.entry(k).or_default() += v;
        }
    }
    let wall = start.elapsed();
    finish(tally, wall, bodies.len())
}

async fn client(
    addr: SocketAddr,
    mut conn: Conn,
    bodies: Arc<Vec<Bytes>>,
    next: Arc<AtomicUsize>,
    shape: Shape,
) -> ClientTally {
    let mut t = ClientTally::default();
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(json) = bodies.get(i) else { break };
        // built before the clock starts: the bench's own copying is not the server's time
        let (content_type, body) = shape.body(i, json);
        let sent = Instant::now();
        let result = conn.post(INTAKE, content_type, body).await;
        t.latencies_us
            .push(sent.elapsed().as_micros().min(u32::MAX as u128) as u32);
        match result {
            Ok((StatusCode::CREATED, resp)) => match case_number(&resp) {
                Some(cn) => {
                    t.acked += 1;
                    t.case_numbers.push(cn);
                }
                None => {
                    *t.errors
                        .entry("201 without case_number".into())
                        .or_default() += 1
                }
            },
            Ok((status, resp)) => {
                let text = String::from_utf8_lossy(&resp);
                let key = format!("{status}: {}", text.chars().take(160).collect::<String>());
                *t.errors.entry(key).or_default() += 1;
            }
            Err(e) => {
                *t.errors.entry(format!("transport: {e:#}")).or_default() += 1;
                // Start over on a new connection; if even that fails, this client stops.
                match Conn::open(addr).await {
                    Ok(c) => conn = c,
                    Err(e) => {
                        *t.errors.entry(format!("reconnect: {e:#}")).or_default() += 1;
                        break;
                    }
                }
            }
        }
    }
    t
}

fn case_number(resp: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(resp).ok()?;
    Some(v.get("case_number")?.as_str()?.to_string())
}

fn finish(mut tally: ClientTally, wall: Duration, sent: usize) -> Result<Outcome> {
    let distinct: HashSet<&str> = tally.case_numbers.iter().map(String::as_str).collect();
    let duplicates = tally.case_numbers.len() - distinct.len();
    if duplicates > 0 {
        *tally
            .errors
            .entry("duplicate case numbers".into())
            .or_default() += duplicates;
        tally.acked -= duplicates;
    }
    let errors: usize = tally.errors.values().sum();
    for (what, count) in &tally.errors {
        eprintln!("  error ×{count}: {what}");
    }
    tally.latencies_us.sort_unstable();
    Ok(Outcome {
        sent,
        acked: tally.acked,
        errors,
        wall,
        latencies_us: tally.latencies_us,
        cpu: Split::default(),
        respondents_settled: None,
    })
}
