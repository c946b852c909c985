//! The complainants' pages as a phone at a fair gets them: what the filing page weighs on the
//! wire (HTML, stylesheet and script, compressed), how long the server takes to answer each
//! public page, and when the filing form is usable on a slow 3G connection, measured in
//! Debian's chromium with the DevTools network throttling, cold cache, at a 390 px phone
//! viewport.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use kuaiwei_browser::Browser;
use serde_json::json;

use crate::client::Conn;
use crate::server::{self, ServerSpec};

pub struct Spec {
    pub server: ServerSpec,
    /// Timed requests per page.
    pub requests: usize,
    /// Cold-cache loads of the filing page per network profile.
    pub loads: usize,
    pub chromium: Option<PathBuf>,
}

/// The filing form as a station's QR code opens it: a fair, its hall and the right chosen.
const FILING: &str = "/file?channel=fair&right=design_patent&fair=%E7%AC%AC138%E5%B1%8A%E4%B8%AD%E5%9B%BD%E8%BF%9B%E5%87%BA%E5%8F%A3%E5%95%86%E5%93%81%E4%BA%A4%E6%98%93%E4%BC%9A&session=2&hall=16.1&lang=zh-CN";

const PAGES: [(&str, &str); 4] = [
    ("filing form (fair, from a station's QR code)", FILING),
    ("filing, first step", "/file?lang=zh-CN"),
    ("front page", "/?lang=zh-CN"),
    ("tracking form", "/track?lang=zh-CN"),
];

/// (name, round-trip latency in ms, throughput in bytes/s both ways).
const PROFILES: [(&str, u64, u64); 2] = [
    ("slow 3G: 400 ms RTT, 400 kbit/s", 400, 50_000),
    (
        "DevTools' \"Slow 3G\" preset: 2,000 ms RTT, 400 kbit/s",
        2_000,
        50_000,
    ),
];

pub async fn run(spec: &Spec) -> Result<()> {
    let running = server::start(&spec.server).await?;
    let result = measure(spec, running.addr).await;
    running.stop(Duration::from_secs(10)).await?;
    result
}

async fn measure(spec: &Spec, addr: std::net::SocketAddr) -> Result<()> {
    let mut conn = Conn::open(addr).await?;

    // what the filing page weighs
    println!("## The filing page on the wire ({FILING})\n");
    println!("| part | raw | gzip | br |\n| --- | ---: | ---: | ---: |");
    let (status, html) = conn.get(FILING).await?;
    if !status.is_success() {
        bail!("GET {FILING} answered {status}");
    }
    let html = String::from_utf8_lossy(&html).into_owned();
    let mut parts = vec![("HTML".to_string(), FILING.to_string())];
    for ext in ["css", "js"] {
        let href = static_href(&html, ext)
            .with_context(|| format!("the filing page links no /static/kuaiwei.*.{ext}"))?;
        parts.push((format!("`{href}`"), href));
    }
    let mut totals = [0usize; 3];
    for (name, path) in &parts {
        let mut sizes = [0usize; 3];
        for (i, enc) in ["identity", "gzip", "br"].iter().enumerate() {
            let (status, body) = conn.get_with(path, &[("accept-encoding", enc)]).await?;
            if !status.is_success() {
                bail!("GET {path} ({enc}) answered {status}");
            }
            sizes[i] = body.len();
            totals[i] += body.len();
        }
        println!(
            "| {name} | {} B | {} B | {} B |",
            sizes[0], sizes[1], sizes[2]
        );
    }
    println!(
        "| **total** | {} B | **{} B** | {} B |\n",
        totals[0], totals[1], totals[2]
    );

    // server render, over one keep-alive connection on loopback
    println!(
        "## Server answer time, {} sequential requests per page (loopback, keep-alive, uncompressed)\n",
        spec.requests
    );
    println!("| page | median | p99 | max |\n| --- | ---: | ---: | ---: |");
    for (name, path) in PAGES {
        for _ in 0..20 {
            conn.get(path).await?;
        }
        let mut ms = Vec::with_capacity(spec.requests);
        for _ in 0..spec.requests {
            let t = Instant::now();
            let (status, _) = conn.get(path).await?;
            ms.push(t.elapsed().as_secs_f64() * 1e3);
            if !status.is_success() {
                bail!("GET {path} answered {status}");
            }
        }
        ms.sort_by(f64::total_cmp);
        println!(
            "| {name} | {:.2} ms | {:.2} ms | {:.2} ms |",
            pct(&ms, 50.0),
            pct(&ms, 99.0),
            ms[ms.len() - 1]
        );
    }
    println!();

    // a phone on a slow connection
    let Some(chromium) = &spec.chromium else {
        println!("(no chromium: the slow-connection loads were not measured)");
        return Ok(());
    };
    let mut b = Browser::launch(chromium).await;
    b.page("Network.enable", json!({})).await;
    b.page("Network.setCacheDisabled", json!({"cacheDisabled": true}))
        .await;
    println!(
        "## The filing form on a slow connection: {} cold-cache loads each, chromium at 390 × 844\n",
        spec.loads
    );
    println!(
        "| network | first paint, median | form usable (script run, DOMContentLoaded), median | max | load event, median |\n| --- | ---: | ---: | ---: | ---: |"
    );
    let url = format!("http://{addr}{FILING}");
    for (name, rtt, bytes) in PROFILES {
        let (mut paint, mut usable, mut loaded) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..spec.loads {
            b.page(
                "Network.emulateNetworkConditions",
                json!({"offline": false, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}),
            )
            .await;
            b.goto("about:blank").await;
            b.wait_for("location.href === 'about:blank'").await;
            b.page(
                "Network.emulateNetworkConditions",
                json!({"offline": false, "latency": rtt, "downloadThroughput": bytes, "uploadThroughput": bytes}),
            )
            .await;
            b.goto(&url).await;
            b.wait_for(
                "location.pathname === '/file' && performance.getEntriesByType('navigation')[0].loadEventEnd > 0",
            )
            .await;
            let t = b
                .eval(
                    "(function () {
                       var n = performance.getEntriesByType('navigation')[0];
                       var p = performance.getEntriesByName('first-contentful-paint')[0];
                       return [p ? p.startTime : -1, n.domContentLoadedEventEnd, n.loadEventEnd,
                               document.querySelector('form[data-draft]') !== null];
                     })()",
                )
                .await;
            if t[3] != json!(true) {
                bail!("the filing form did not load: {t}");
            }
            paint.push(t[0].as_f64().unwrap_or(-1.0));
            usable.push(t[1].as_f64().unwrap_or(-1.0));
            loaded.push(t[2].as_f64().unwrap_or(-1.0));
        }
        for v in [&mut paint, &mut usable, &mut loaded] {
            v.sort_by(f64::total_cmp);
        }
        println!(
            "| {name} | {:.0} ms | **{:.0} ms** | {:.0} ms | {:.0} ms |",
            pct(&paint, 50.0),
            pct(&usable, 50.0),
            usable[usable.len() - 1],
            pct(&loaded, 50.0)
        );
    }
    b.close().await;
    Ok(())
}

/// The hashed address of the page's stylesheet or script.
fn static_href(html: &str, ext: &str) -> Option<String> {
    let start = html.find("/static/kuaiwei.")?;
    let rest = &html[start..];
    let rest_end = rest.find('"')?;
    let first = &rest[..rest_end];
    if first.ends_with(ext) {
        return Some(first.to_string());
    }
    static_href(&html[start + rest_end..], ext)
}

/// Nearest rank of sorted values.
fn pct(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
