//! `kuaiwei-bench search`: kuaiwei's index against SQLite FTS5 (trigram, LIKE for terms under
//! three characters) and a substring scan (the oracle), in one process on one generated corpus
//! and its 200 queries of 1-3 terms. For each: build time, size on disk, query latency (median
//! and p99), and recall and precision against the scan.

use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

use anyhow::Result;
use kuaiwei_search::{Document, Request, SearchIndex, Synonyms, corpus, folded_string, query_term};

pub struct Spec {
    pub docs: u64,
    pub queries: usize,
    pub seed: u64,
    pub dir: std::path::PathBuf,
}

struct Engine {
    name: &'static str,
    build_secs: f64,
    bytes: u64,
    times_ms: Vec<f64>,
    found: usize,
    relevant_found: usize,
}

fn dir_size(p: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(p) else {
        return std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    };
    entries
        .filter_map(|e| e.ok())
        .map(|e| {
            let p = e.path();
            if p.is_dir() {
                dir_size(&p)
            } else {
                e.metadata().map(|m| m.len()).unwrap_or(0)
            }
        })
        .sum()
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 * p) as usize).min(v.len() - 1)]
}

pub async fn run(spec: Spec) -> Result<()> {
    std::fs::create_dir_all(&spec.dir)?;
    let t = Instant::now();
    let at: jiff::Timestamp = "2026-01-01T00:00:00Z".parse()?;
    let texts: Vec<(String, String, corpus::Generated)> = (0..spec.docs)
        .map(|i| {
            let g = corpus::complaint(spec.seed, i);
            (format!("KW-2026-{:07}", i + 1), g.text.clone(), g)
        })
        .collect();
    eprintln!(
        "generated {} complaints in {:.1} s",
        spec.docs,
        t.elapsed().as_secs_f64()
    );
    let queries = corpus::queries(spec.seed, spec.docs, spec.queries);

    // the oracle: folded substring scan
    let folded: Vec<String> = texts.iter().map(|(_, t, _)| folded_string(t)).collect();
    let mut truth: Vec<HashSet<usize>> = Vec::with_capacity(queries.len());
    let mut scan = Engine {
        name: "substring scan",
        build_secs: 0.0,
        bytes: 0,
        times_ms: vec![],
        found: 0,
        relevant_found: 0,
    };
    for q in &queries {
        let terms: Vec<String> = q.split_whitespace().map(query_term).collect();
        let t = Instant::now();
        let hits: HashSet<usize> = folded
            .iter()
            .enumerate()
            .filter(|(_, d)| terms.iter().all(|term| d.contains(term.as_str())))
            .map(|(i, _)| i)
            .collect();
        scan.times_ms.push(t.elapsed().as_secs_f64() * 1e3);
        scan.found += hits.len();
        scan.relevant_found += hits.len();
        truth.push(hits);
    }
    let relevant: usize = truth.iter().map(HashSet::len).sum();
    let index_of = |n: &str| -> usize { n[8..].parse::<usize>().unwrap_or(0) - 1 };

    // kuaiwei
    let dir = spec.dir.join("kuaiwei-index");
    let _ = std::fs::remove_dir_all(&dir);
    let t = Instant::now();
    let index = SearchIndex::open(&dir, Synonyms::default(), 2)?;
    for chunk in texts.chunks(20_000) {
        let docs: Vec<Document> = chunk
            .iter()
            .map(|(n, text, g)| Document {
                case_number: n.clone(),
                text: text.clone(),
                shown: String::new(),
                received_at: at,
                next_due_at: None,
                open: true,
                channel: g.channel.into(),
                right_types: vec![g.right_type.into()],
                agency: None,
                state: "received".into(),
                fair: g.fair.clone(),
            })
            .collect();
        index.upsert(&docs)?;
    }
    index.commit(spec.docs as i64)?;
    // build = until every complaint is searchable; then the background merges are waited for,
    // so that the queries meet the index in its final shape (reported apart)
    let searchable = t.elapsed().as_secs_f64();
    index.settle()?;
    eprintln!(
        "kuaiwei: searchable after {searchable:.1} s, merges done after {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let mut kw = Engine {
        name: "kuaiwei (bigram + gram index)",
        build_secs: searchable,
        bytes: dir_size(&dir),
        times_ms: vec![],
        found: 0,
        relevant_found: 0,
    };
    eprintln!("kuaiwei indexed in {:.1} s", kw.build_secs);
    // one untimed search first: the first touches the term dictionaries and starts the
    // search threads
    index.search(&Request {
        text: "投诉".into(),
        limit: 20,
        ..Request::default()
    })?;
    for (q, want) in queries.iter().zip(&truth) {
        let t = Instant::now();
        let r = index.search(&Request {
            text: q.clone(),
            limit: 20,
            ..Request::default()
        })?;
        kw.times_ms.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(r);
        let all = index.matching(q, &[])?;
        kw.found += all.len();
        kw.relevant_found += all.iter().filter(|n| want.contains(&index_of(n))).count();
    }

    // SQLite FTS5, trigram
    let db = spec.dir.join("fts5.db");
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
    }
    let t = Instant::now();
    let fts = kuaiwei_store_sqlite::fts::Fts5::create(&db).await?;
    for chunk in texts.chunks(20_000) {
        let rows: Vec<(String, String)> = chunk
            .iter()
            .map(|(n, t, _)| (n.clone(), t.clone()))
            .collect();
        fts.insert(&rows).await?;
    }
    let mut ft = Engine {
        name: "SQLite FTS5 trigram (+LIKE)",
        build_secs: t.elapsed().as_secs_f64(),
        bytes: 0,
        times_ms: vec![],
        found: 0,
        relevant_found: 0,
    };
    ft.bytes = ["", "-wal"]
        .iter()
        .map(|e| {
            std::fs::metadata(format!("{}{e}", db.display()))
                .map(|m| m.len())
                .unwrap_or(0)
        })
        .sum();
    eprintln!("FTS5 built in {:.1} s", ft.build_secs);
    let mut fts_empty = 0;
    for (q, want) in queries.iter().zip(&truth) {
        let terms: Vec<String> = q.split_whitespace().map(str::to_string).collect();
        let t = Instant::now();
        let all = fts.search(&terms).await?;
        ft.times_ms.push(t.elapsed().as_secs_f64() * 1e3);
        fts_empty += usize::from(all.is_empty() && !want.is_empty());
        ft.found += all.len();
        ft.relevant_found += all.iter().filter(|n| want.contains(&index_of(n))).count();
    }

    println!(
        "search benchmark: {} complaints (seed {}), {} queries of 1-3 terms; oracle: substring scan of the folded text ({} relevant hits in all)",
        spec.docs,
        spec.seed,
        queries.len(),
        relevant
    );
    println!("| engine | build | size | p50 | p99 | recall | precision |");
    println!("|---|---|---|---|---|---|---|");
    for e in [&mut kw, &mut ft, &mut scan] {
        let recall = if relevant == 0 {
            1.0
        } else {
            e.relevant_found as f64 / relevant as f64
        };
        let precision = if e.found == 0 {
            1.0
        } else {
            e.relevant_found as f64 / e.found as f64
        };
        let p50 = pct(&mut e.times_ms, 0.5);
        let p99 = pct(&mut e.times_ms, 0.99);
        println!(
            "| {} | {:.1} s ({:.0}/s) | {:.0} MB | {p50:.2} ms | {p99:.2} ms | {recall:.4} | {precision:.4} |",
            e.name,
            e.build_secs,
            if e.build_secs > 0.0 {
                spec.docs as f64 / e.build_secs
            } else {
                0.0
            },
            e.bytes as f64 / 1e6,
        );
    }
    println!("FTS5 found nothing for {fts_empty} queries that have hits");
    println!(
        "kuaiwei times a real request (top 20 with snippets, total, facets); FTS5 and the scan return every match"
    );
    Ok(())
}
