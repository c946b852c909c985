//! `kuaiwei-bench search`: kuaiwei's index against SQLite FTS5 (trigram, LIKE for terms under
//! three characters) and a substring scan (the oracle, `kuaiwei_search::oracle`: field by
//! field), in one process on one generated corpus of complaints of several fields, with two
//! sets of queries: its 200 queries of 1-3 terms, and terms cut across a field boundary or a
//! sentence mark (`corpus::spanning_queries`), where only precision can suffer. For each
//! engine: build time, size on disk, and per set query latency (median and p99), recall and
//! precision against the scan.

use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

use anyhow::Result;
use kuaiwei_search::{Document, Request, SearchIndex, Synonyms, corpus, oracle};

pub struct Spec {
    pub docs: u64,
    pub queries: usize,
    /// Queries cut across a field boundary or a sentence mark.
    pub spanning: usize,
    pub seed: u64,
    pub dir: std::path::PathBuf,
}

struct Engine {
    name: &'static str,
    build_secs: f64,
    bytes: u64,
    /// One per set of queries.
    sets: Vec<Tally>,
}

/// What an engine did with one set of queries.
#[derive(Default)]
struct Tally {
    times_ms: Vec<f64>,
    found: usize,
    relevant_found: usize,
    /// Queries with hits for which it found nothing.
    empty: usize,
}

impl Tally {
    /// Counts one query's answer against the oracle's.
    fn add(&mut self, ms: f64, found: impl IntoIterator<Item = usize>, want: &HashSet<usize>) {
        self.times_ms.push(ms);
        let mut n = 0;
        for i in found {
            n += 1;
            self.relevant_found += usize::from(want.contains(&i));
        }
        self.found += n;
        self.empty += usize::from(n == 0 && !want.is_empty());
    }
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
    let complaints: Vec<(String, corpus::Generated)> = (0..spec.docs)
        .map(|i| {
            (
                format!("KW-2026-{:07}", i + 1),
                corpus::complaint(spec.seed, i),
            )
        })
        .collect();
    eprintln!(
        "generated {} complaints in {:.1} s",
        spec.docs,
        t.elapsed().as_secs_f64()
    );
    let sets = [
        (
            "corpus queries",
            corpus::queries(spec.seed, spec.docs, spec.queries),
        ),
        (
            "terms across a field boundary or a sentence mark",
            corpus::spanning_queries(spec.seed, spec.docs, spec.spanning),
        ),
    ];

    // the oracle: a substring scan of each folded field
    let folded: Vec<Vec<String>> = complaints
        .iter()
        .map(|(_, g)| g.fields.iter().map(|f| oracle::folded(f)).collect())
        .collect();
    let mut scan = Engine {
        name: "substring scan, per field",
        build_secs: 0.0,
        bytes: 0,
        sets: Vec::new(),
    };
    let mut truth: Vec<Vec<HashSet<usize>>> = Vec::new();
    for (_, queries) in &sets {
        let mut tally = Tally::default();
        let mut wants = Vec::new();
        for q in queries {
            let terms = oracle::terms(q);
            let t = Instant::now();
            let hits: HashSet<usize> = folded
                .iter()
                .enumerate()
                .filter(|(_, fields)| oracle::holds(fields, &terms))
                .map(|(i, _)| i)
                .collect();
            tally.add(t.elapsed().as_secs_f64() * 1e3, hits.iter().copied(), &hits);
            wants.push(hits);
        }
        scan.sets.push(tally);
        truth.push(wants);
    }
    let index_of = |n: &str| -> usize { n[8..].parse::<usize>().unwrap_or(0) - 1 };

    // kuaiwei
    let dir = spec.dir.join("kuaiwei-index");
    let _ = std::fs::remove_dir_all(&dir);
    let t = Instant::now();
    let index = SearchIndex::open(&dir, Synonyms::default(), 2)?;
    for chunk in complaints.chunks(20_000) {
        let docs: Vec<Document> = chunk
            .iter()
            .map(|(n, g)| Document {
                case_number: n.clone(),
                fields: g.fields.clone(),
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
        sets: Vec::new(),
    };
    // one untimed search first: the first touches the term dictionaries and starts the
    // search threads
    index.search(&Request {
        text: "投诉".into(),
        limit: 20,
        ..Request::default()
    })?;
    for ((_, queries), wants) in sets.iter().zip(&truth) {
        let mut tally = Tally::default();
        for (q, want) in queries.iter().zip(wants) {
            let t = Instant::now();
            let r = index.search(&Request {
                text: q.clone(),
                limit: 20,
                ..Request::default()
            })?;
            let ms = t.elapsed().as_secs_f64() * 1e3;
            std::hint::black_box(r);
            let all = index.matching(q, &[])?;
            tally.add(ms, all.iter().map(|n| index_of(n)), want);
        }
        kw.sets.push(tally);
    }

    // SQLite FTS5, trigram, over the fields joined
    let db = spec.dir.join("fts5.db");
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
    }
    let t = Instant::now();
    let fts = kuaiwei_store_sqlite::fts::Fts5::create(&db).await?;
    for chunk in complaints.chunks(20_000) {
        let rows: Vec<(String, String)> =
            chunk.iter().map(|(n, g)| (n.clone(), g.text())).collect();
        fts.insert(&rows).await?;
    }
    let mut ft = Engine {
        name: "SQLite FTS5 trigram (+LIKE)",
        build_secs: t.elapsed().as_secs_f64(),
        bytes: 0,
        sets: Vec::new(),
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
    for ((_, queries), wants) in sets.iter().zip(&truth) {
        let mut tally = Tally::default();
        for (q, want) in queries.iter().zip(wants) {
            let terms: Vec<String> = q.split_whitespace().map(str::to_string).collect();
            let t = Instant::now();
            let all = fts.search(&terms).await?;
            let ms = t.elapsed().as_secs_f64() * 1e3;
            tally.add(ms, all.iter().map(|n| index_of(n)), want);
        }
        ft.sets.push(tally);
    }

    println!(
        "search benchmark: {} complaints (seed {}); oracle: substring scan of each folded field",
        spec.docs, spec.seed,
    );
    for (k, (name, queries)) in sets.iter().enumerate() {
        let relevant: usize = truth[k].iter().map(HashSet::len).sum();
        println!();
        println!("{} {name} ({relevant} relevant hits in all)", queries.len());
        println!("| engine | build | size | p50 | p99 | recall | precision |");
        println!("|---|---|---|---|---|---|---|");
        for e in [&mut kw, &mut ft, &mut scan] {
            let tally = &mut e.sets[k];
            let recall = if relevant == 0 {
                1.0
            } else {
                tally.relevant_found as f64 / relevant as f64
            };
            let precision = if tally.found == 0 {
                1.0
            } else {
                tally.relevant_found as f64 / tally.found as f64
            };
            let p50 = pct(&mut tally.times_ms, 0.5);
            let p99 = pct(&mut tally.times_ms, 0.99);
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
        println!(
            "FTS5 found nothing for {} queries that have hits; kuaiwei for {}",
            ft.sets[k].empty, kw.sets[k].empty
        );
    }
    println!(
        "kuaiwei times a real request (top 20 with snippets, total, facets); FTS5 and the scan return every match"
    );
    Ok(())
}
