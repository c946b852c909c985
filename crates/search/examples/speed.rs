//! A first look at speed (not the benchmark): indexes N generated complaints in memory
//! and times the 200 benchmark queries. `cargo run --release -p kuaiwei-search --example speed -- 200000`
use std::time::Instant;

use kuaiwei_search::{Document, Request, SearchIndex, Synonyms, corpus};

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let index = SearchIndex::in_memory(Synonyms::default(), 2).unwrap();
    let t = Instant::now();
    let at: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    for chunk in (0..n).collect::<Vec<_>>().chunks(10_000) {
        let docs: Vec<Document> = chunk
            .iter()
            .map(|&i| {
                let g = corpus::complaint(7, i);
                Document {
                    case_number: format!("KW-2026-{i:06}"),
                    fields: g.fields,
                    shown: String::new(),
                    received_at: at,
                    next_due_at: None,
                    open: true,
                    channel: g.channel.into(),
                    right_types: vec![g.right_type.into()],
                    agency: None,
                    state: "received".into(),
                    fair: g.fair,
                }
            })
            .collect();
        index.upsert(&docs).unwrap();
    }
    index.commit(n as i64).unwrap();
    index.settle().unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!("indexed {n} in {secs:.1} s: {:.0}/s", n as f64 / secs);
    if let Some(n) = std::env::var("SPLIT_AT").ok().and_then(|v| v.parse().ok()) {
        index.set_split_at(n);
    }
    let mut times = Vec::new();
    // SLOW=1: print every query over 10 ms (SLOW_MS=n: over n ms)
    let slow_ms: f64 = std::env::var("SLOW_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10.0);
    // Q=text: time that one query 50 times instead (for a profiler); SPANNING=1: the terms cut
    // across fields and sentence marks instead of the corpus queries
    let queries = match std::env::var("Q") {
        Ok(q) => vec![q; 50],
        Err(_) if std::env::var_os("SPANNING").is_some() => corpus::spanning_queries(7, n, 200),
        Err(_) => corpus::queries(7, n, 200),
    };
    for q in queries {
        let t = Instant::now();
        let r = index
            .search(&Request {
                text: q.clone(),
                limit: 20,
                ..Request::default()
            })
            .unwrap();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        if std::env::var_os("SLOW").is_some() && ms > slow_ms {
            println!("{ms:.1} ms, {} hits: {q}", r.total);
        }
        times.push(ms);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{} queries: p50 {:.2} ms, p99 {:.2} ms",
        times.len(),
        times[times.len() / 2],
        times[times.len() * 99 / 100]
    );
}
