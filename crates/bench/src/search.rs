//! `kuaiwei-bench search`: kuaiwei's index against SQLite FTS5 (trigram, LIKE for terms under
//! three characters) and a substring scan (the oracle, `kuaiwei_search::oracle`: field by
//! field), in one process, on one or both generated corpora:
//! - `realistic` (`corpus::realistic`, #22): complaints of about 1,500 bytes with full company
//!   and fair names, right numbers and legal prose; queries in five classes (long names, legal
//!   phrases, very common terms, short terms, numbers);
//! - `template` (`corpus`): the ~100-character templates of the first benchmark and their 200
//!   queries of 1-3 terms.
//!
//! Each corpus also gets terms cut across a field boundary or a sentence mark
//! (`corpus::spanning_from`), where only precision can suffer. kuaiwei indexes with the
//! server's commit cadence (a commit every `COMMIT_EVERY` documents, as its indexer commits
//! every batch of changes). For each engine: build time and rate, size on disk and per
//! document; per class of queries: latency (median, p99), recall and precision against the
//! scan; then the two corpora side by side.

use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

use anyhow::Result;
use kuaiwei_search::corpus::{self, realistic};
use kuaiwei_search::{Document, Request, SearchIndex, Synonyms, oracle};

/// Which generated corpus.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Corpus {
    Realistic,
    Template,
}

impl Corpus {
    fn name(self) -> &'static str {
        match self {
            Corpus::Realistic => "realistic",
            Corpus::Template => "template",
        }
    }
}

pub struct Spec {
    pub docs: u64,
    /// Template: queries in all; realistic: queries per class.
    pub queries: usize,
    /// Queries cut across a field boundary or a sentence mark.
    pub spanning: usize,
    pub seed: u64,
    pub dir: std::path::PathBuf,
    pub corpora: Vec<Corpus>,
    /// Documents per commit while indexing.
    pub commit_every: usize,
    /// Also build and query SQLite FTS5.
    pub fts5: bool,
}

/// One generated document: its fields and facets.
struct Doc {
    fields: Vec<String>,
    channel: &'static str,
    right_type: &'static str,
    fair: Option<String>,
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

    fn merged<'a>(all: impl IntoIterator<Item = &'a Tally>) -> Tally {
        let mut out = Tally::default();
        for t in all {
            out.times_ms.extend(&t.times_ms);
            out.found += t.found;
            out.relevant_found += t.relevant_found;
            out.empty += t.empty;
        }
        out
    }

    fn recall(&self, relevant: usize) -> f64 {
        if relevant == 0 {
            1.0
        } else {
            self.relevant_found as f64 / relevant as f64
        }
    }

    fn precision(&self) -> f64 {
        if self.found == 0 {
            1.0
        } else {
            self.relevant_found as f64 / self.found as f64
        }
    }

    fn pct(&self, p: f64) -> f64 {
        let mut v = self.times_ms.clone();
        v.sort_by(f64::total_cmp);
        v.get(((v.len() as f64 * p) as usize).min(v.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
    }
}

struct Engine {
    name: &'static str,
    build_secs: f64,
    bytes: u64,
    /// One per set of queries.
    sets: Vec<Tally>,
}

/// What one corpus gave, for the side-by-side tables.
struct Outcome {
    corpus: Corpus,
    text_bytes: u64,
    searchable_secs: f64,
    settled_secs: f64,
    index_bytes: u64,
    /// (set name, queries, relevant hits, kuaiwei's tally)
    sets: Vec<(String, usize, usize, Tally)>,
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

/// The documents and the sets of queries of `corpus`.
fn generate(corpus: Corpus, spec: &Spec) -> (Vec<Doc>, Vec<(String, Vec<String>)>) {
    let (seed, n) = (spec.seed, spec.docs);
    match corpus {
        Corpus::Realistic => {
            let docs = (0..n)
                .map(|i| {
                    let c = realistic::complaint(seed, i);
                    Doc {
                        fields: c.fields(),
                        channel: c.channel(),
                        right_type: c.right.kind,
                        fair: c.fair().map(str::to_string),
                    }
                })
                .collect();
            let mut sets: Vec<(String, Vec<String>)> = realistic::queries(seed, n, spec.queries)
                .into_iter()
                .map(|c| (c.name.to_string(), c.queries))
                .collect();
            sets.push((
                "across a field or a sentence mark".into(),
                corpus::spanning_from(
                    |i| realistic::complaint(seed, i).fields(),
                    seed,
                    n,
                    spec.spanning,
                ),
            ));
            (docs, sets)
        }
        Corpus::Template => {
            let docs = (0..n)
                .map(|i| {
                    let g = corpus::complaint(seed, i);
                    Doc {
                        fields: g.fields,
                        channel: g.channel,
                        right_type: g.right_type,
                        fair: g.fair,
                    }
                })
                .collect();
            let sets = vec![
                ("1-3 terms".into(), corpus::queries(seed, n, spec.queries)),
                (
                    "across a field or a sentence mark".into(),
                    corpus::spanning_queries(seed, n, spec.spanning),
                ),
            ];
            (docs, sets)
        }
    }
}

/// The documents matching `query` by the scan, on two threads.
fn scan(folded: &[Vec<String>], query: &str) -> HashSet<usize> {
    let terms = oracle::terms(query);
    let half = folded.len() / 2;
    let (a, b) = folded.split_at(half);
    let part = |docs: &[Vec<String>], base: usize| -> Vec<usize> {
        docs.iter()
            .enumerate()
            .filter(|(_, fields)| oracle::holds(fields, &terms))
            .map(|(i, _)| base + i)
            .collect()
    };
    std::thread::scope(|s| {
        let other = s.spawn(|| part(b, half));
        let mut hits: HashSet<usize> = part(a, 0).into_iter().collect();
        hits.extend(other.join().expect("the scan thread ends"));
        hits
    })
}

pub async fn run(spec: Spec) -> Result<()> {
    std::fs::create_dir_all(&spec.dir)?;
    let mut outcomes = Vec::new();
    for &corpus in &spec.corpora {
        outcomes.push(run_one(corpus, &spec).await?);
    }
    print_side_by_side(&outcomes, &spec);
    Ok(())
}

async fn run_one(corpus: Corpus, spec: &Spec) -> Result<Outcome> {
    let name = corpus.name();
    let t = Instant::now();
    let (docs, sets) = generate(corpus, spec);
    let text_bytes: u64 = docs
        .iter()
        .map(|d| d.fields.iter().map(|f| f.len() as u64).sum::<u64>())
        .sum();
    eprintln!(
        "{name}: generated {} complaints ({:.0} bytes each on average) in {:.1} s",
        spec.docs,
        text_bytes as f64 / spec.docs.max(1) as f64,
        t.elapsed().as_secs_f64()
    );
    let number = |i: usize| format!("KW-2026-{:07}", i + 1);
    let index_of = |n: &str| -> usize { n[8..].parse::<usize>().unwrap_or(0) - 1 };

    // the oracle: a substring scan of each folded field
    let folded: Vec<Vec<String>> = docs
        .iter()
        .map(|d| d.fields.iter().map(|f| oracle::folded(f)).collect())
        .collect();
    let mut scanned = Engine {
        name: "substring scan, per field (2 threads)",
        build_secs: 0.0,
        bytes: 0,
        sets: Vec::new(),
    };
    let mut truth: Vec<Vec<HashSet<usize>>> = Vec::new();
    for (_, queries) in &sets {
        let mut tally = Tally::default();
        let mut wants = Vec::new();
        for q in queries {
            let t = Instant::now();
            let hits = scan(&folded, q);
            tally.add(t.elapsed().as_secs_f64() * 1e3, hits.iter().copied(), &hits);
            wants.push(hits);
        }
        scanned.sets.push(tally);
        truth.push(wants);
    }
    drop(folded);
    eprintln!("{name}: the scan answered every query");

    // kuaiwei, committed as the server's indexer commits
    let at: jiff::Timestamp = "2026-01-01T00:00:00Z".parse()?;
    let dir = spec.dir.join(format!("kuaiwei-index-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    let t = Instant::now();
    let index = SearchIndex::open(&dir, Synonyms::default(), 2)?;
    let mut done = 0;
    for chunk in docs.chunks(spec.commit_every.max(1)) {
        let batch: Vec<Document> = chunk
            .iter()
            .enumerate()
            .map(|(k, d)| Document {
                case_number: number(done + k),
                fields: d.fields.clone(),
                shown: String::new(),
                received_at: at,
                next_due_at: None,
                open: true,
                channel: d.channel.into(),
                right_types: vec![d.right_type.into()],
                agency: None,
                state: "received".into(),
                fair: d.fair.clone(),
            })
            .collect();
        index.upsert(&batch)?;
        done += chunk.len();
        index.commit(done as i64)?;
    }
    // searchable = until every complaint is committed; then the background merges are waited
    // for, so that the queries meet the index in its final shape (reported apart)
    let searchable_secs = t.elapsed().as_secs_f64();
    index.settle()?;
    let settled_secs = t.elapsed().as_secs_f64();
    eprintln!(
        "{name}: kuaiwei searchable after {searchable_secs:.1} s ({:.0}/s), merges done after {settled_secs:.1} s",
        spec.docs as f64 / searchable_secs
    );
    let mut kw = Engine {
        name: "kuaiwei (bigram + gram index)",
        build_secs: searchable_secs,
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
    drop(index);

    let mut engines = vec![kw];
    if spec.fts5 {
        engines.push(fts5(&docs, &sets, &truth, spec, name, &index_of).await?);
    }
    engines.push(scanned);

    println!(
        "\n## {name} corpus: {} complaints (seed {}), {:.0} bytes of text each",
        spec.docs,
        spec.seed,
        text_bytes as f64 / spec.docs.max(1) as f64
    );
    for (k, (set, queries)) in sets.iter().enumerate() {
        let relevant: usize = truth[k].iter().map(HashSet::len).sum();
        println!();
        println!(
            "{} queries, {set} ({relevant} relevant hits in all)",
            queries.len()
        );
        println!("| engine | build | size | p50 | p99 | recall | precision |");
        println!("|---|---|---|---|---|---|---|");
        for e in &engines {
            let tally = &e.sets[k];
            println!(
                "| {} | {:.1} s ({:.0}/s) | {:.0} MB | {:.2} ms | {:.2} ms | {:.4} | {:.4} |",
                e.name,
                e.build_secs,
                if e.build_secs > 0.0 {
                    spec.docs as f64 / e.build_secs
                } else {
                    0.0
                },
                e.bytes as f64 / 1e6,
                tally.pct(0.5),
                tally.pct(0.99),
                tally.recall(relevant),
                tally.precision(),
            );
        }
        let empty: Vec<String> = engines
            .iter()
            .map(|e| format!("{} {}", e.name, e.sets[k].empty))
            .collect();
        println!(
            "found nothing for queries that have hits: {}",
            empty.join(", ")
        );
    }
    let kw = engines.swap_remove(0);
    Ok(Outcome {
        corpus,
        text_bytes,
        searchable_secs,
        settled_secs,
        index_bytes: kw.bytes,
        sets: sets
            .iter()
            .zip(&truth)
            .zip(kw.sets)
            .map(|(((set, q), wants), tally)| {
                (
                    set.clone(),
                    q.len(),
                    wants.iter().map(HashSet::len).sum(),
                    tally,
                )
            })
            .collect(),
    })
}

/// SQLite FTS5 (trigram) over the fields joined, and its answers to every set.
async fn fts5(
    docs: &[Doc],
    sets: &[(String, Vec<String>)],
    truth: &[Vec<HashSet<usize>>],
    spec: &Spec,
    name: &str,
    index_of: &dyn Fn(&str) -> usize,
) -> Result<Engine> {
    let db = spec.dir.join(format!("fts5-{name}.db"));
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
    }
    let t = Instant::now();
    let fts = kuaiwei_store_sqlite::fts::Fts5::create(&db).await?;
    for (c, chunk) in docs.chunks(20_000).enumerate() {
        let rows: Vec<(String, String)> = chunk
            .iter()
            .enumerate()
            .map(|(k, d)| {
                (
                    format!("KW-2026-{:07}", c * 20_000 + k + 1),
                    d.fields.join(" "),
                )
            })
            .collect();
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
    eprintln!("{name}: FTS5 built in {:.1} s", ft.build_secs);
    for ((_, queries), wants) in sets.iter().zip(truth) {
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
    Ok(ft)
}

/// kuaiwei on every corpus of the run: indexing, then each class of queries and all together.
fn print_side_by_side(outcomes: &[Outcome], spec: &Spec) {
    println!(
        "\n## kuaiwei, corpora side by side: {} complaints each, a commit every {} documents",
        spec.docs, spec.commit_every
    );
    println!(
        "\n| corpus | text bytes/doc | searchable after | documents/s | merges done after | index size | index bytes/doc |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let n = spec.docs.max(1) as f64;
    for o in outcomes {
        println!(
            "| {} | {:.0} | {:.1} s | {:.0} | {:.1} s | {} bytes ({:.2} GB) | {:.0} |",
            o.corpus.name(),
            o.text_bytes as f64 / n,
            o.searchable_secs,
            n / o.searchable_secs,
            o.settled_secs,
            o.index_bytes,
            o.index_bytes as f64 / 1e9,
            o.index_bytes as f64 / n,
        );
    }
    println!(
        "\n| corpus | queries | n | mean hits | p50 | p99 | max | recall | precision |\n|---|---|---:|---:|---:|---:|---:|---:|---:|"
    );
    for o in outcomes {
        let all = Tally::merged(o.sets.iter().map(|s| &s.3));
        let queries: usize = o.sets.iter().map(|s| s.1).sum();
        let relevant: usize = o.sets.iter().map(|s| s.2).sum();
        let rows = o
            .sets
            .iter()
            .map(|(name, q, rel, t)| (name.as_str(), *q, *rel, t))
            .chain([("all", queries, relevant, &all)]);
        for (set, q, rel, t) in rows {
            println!(
                "| {} | {set} | {q} | {:.0} | {:.2} ms | {:.2} ms | {:.2} ms | {:.4} | {:.4} |",
                o.corpus.name(),
                rel as f64 / q.max(1) as f64,
                t.pct(0.5),
                t.pct(0.99),
                t.pct(1.0),
                t.recall(rel),
                t.precision(),
            );
        }
    }
    println!(
        "\nkuaiwei times a real request (top 20 with snippets, total, facets); recall and precision count every match (`matching`) against the scan"
    );
}
