//! `kuaiwei-bench`: measures how many complaints per second a real `kuaiwei serve` process
//! acknowledges (HTTP 201, sent only after the commit reached the disk), and at what latency
//! (`intake`); and how fast it answers the monthly on-time report over a million generated
//! cases (`report`).
//!
//! For each backend × commit mode it starts a fresh server on a fresh data directory (and, for
//! PostgreSQL, a fresh database), warms it up, drives it with concurrent keep-alive HTTP/1.1
//! clients, stops it with SIGTERM and prints one table. See BENCHMARKS.md at the repo root.

mod client;
mod cpu;
mod evidence;
mod load;
mod ontime;
mod pages;
mod report;
mod search;
mod server;
mod synth;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::load::LoadSpec;
use crate::report::{Outcome, Summary};
use crate::server::ServerSpec;

#[derive(Parser)]
#[command(name = "kuaiwei-bench", about = "benchmarks for the kuaiwei server")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Complaint intake: acknowledged complaints per second and their latency
    Intake(IntakeArgs),
    /// The on-time report of a month over generated cases: latency of the JSON answer
    Report(ReportArgs),
    /// Search: kuaiwei's index against SQLite FTS5 (trigram) and a substring scan
    Search(SearchArgs),
    /// Evidence: checking phone photos at intake against only storing them, previews per
    /// second, near-duplicate look-ups among a million photo hashes
    Evidence(EvidenceArgs),
    /// The complainants' pages: the filing page's weight, server answer times, and the filing
    /// form on a slow 3G connection in Debian's chromium
    Pages(PagesArgs),
}

#[derive(Args)]
struct PagesArgs {
    /// The kuaiwei binary to start
    #[arg(long, default_value = "target/release/kuaiwei")]
    kuaiwei: PathBuf,
    /// Timed requests of each page
    #[arg(long, default_value_t = 2_000)]
    requests: usize,
    /// Cold-cache loads of the filing page per network profile
    #[arg(long, default_value_t = 7)]
    loads: usize,
    /// The chromium to drive (Debian's; never a downloaded one)
    #[arg(long, default_value = "/usr/bin/chromium")]
    chromium: PathBuf,
}

#[derive(Args)]
struct EvidenceArgs {
    /// Phone-like photos (4,000 × 3,000 JPEG, about 4 MB) for the intake and preview figures
    #[arg(long, default_value_t = 16)]
    photos: usize,
    /// Photo hashes in the near-duplicate index
    #[arg(long, default_value_t = 1_000_000)]
    hashes: usize,
    #[arg(long, default_value_t = 10_000)]
    lookups: usize,
    /// Hamming distance of the look-ups (the server's default `[triage] photo_distance`)
    #[arg(long, default_value_t = 6)]
    distance: u32,
    /// Scratch directory (removed and rebuilt each run)
    #[arg(long, default_value = "target/bench-evidence")]
    dir: PathBuf,
}

#[derive(Args)]
struct SearchArgs {
    /// Generated complaints (of each corpus)
    #[arg(long, default_value_t = 100_000)]
    docs: u64,
    /// Queries: in all for the template corpus, per class for the realistic one
    #[arg(long, default_value_t = 200)]
    queries: usize,
    /// Corpora to measure, side by side: realistic (complaints of ~1,500 bytes, long names,
    /// legal phrases) and template (the first benchmark's ~100-character texts)
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "realistic,template"
    )]
    corpus: Vec<search::Corpus>,
    /// Documents per commit while indexing (the server's indexer commits every batch of this
    /// many changes)
    #[arg(long, default_value_t = kuaiwei_search::COMMIT_EVERY as usize)]
    commit_every: usize,
    /// Leave SQLite FTS5 out (it takes long to build on large corpora)
    #[arg(long)]
    no_fts5: bool,
    /// Terms cut across a field boundary or a sentence mark (a second set of queries)
    #[arg(long, default_value_t = 50)]
    spanning: usize,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Where the index and the FTS5 database are built (removed and rebuilt each run)
    #[arg(long, default_value = "target/bench-search")]
    dir: PathBuf,
}

#[derive(Args)]
struct ReportArgs {
    /// The kuaiwei binary to start
    #[arg(long, default_value = "target/release/kuaiwei")]
    kuaiwei: PathBuf,
    /// Generated cases (filed evenly from January 2024 to November 2026)
    #[arg(long, default_value_t = 1_000_000)]
    cases: u64,
    /// Seed of the generator (the same seed, the same cases)
    #[arg(long, default_value_t = 20261022)]
    seed: u64,
    /// Cases written per transaction while seeding
    #[arg(long, default_value_t = 20_000)]
    batch: usize,
    /// Timed requests of the month report (a third as many for the other queries)
    #[arg(long, default_value_t = 15)]
    repeat: usize,
    /// The month to report
    #[arg(long, default_value = "2026-10")]
    month: String,
    /// Timed requests of each workbench page (the queue tabs and case pages), 0 for none
    #[arg(long, default_value_t = 100)]
    page_repeat: usize,
    /// Keep the seeded data directory and database afterwards (to inspect query plans)
    #[arg(long)]
    keep: bool,
    /// PostgreSQL server to create the scratch database on
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    postgres_url: String,
    /// Backends to measure
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "sqlite,postgres"
    )]
    backends: Vec<Backend>,
}

#[derive(Args)]
struct IntakeArgs {
    /// The kuaiwei binary to start
    #[arg(long, default_value = "target/release/kuaiwei")]
    kuaiwei: PathBuf,
    /// Complaints sent per run (after the warm-up)
    #[arg(long, default_value_t = 20_000)]
    requests: usize,
    /// Concurrent clients, each with its own keep-alive connection
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// Warm-up requests per run, not counted
    #[arg(long, default_value_t = 200)]
    warmup: usize,
    /// Runs per configuration; the median run (by throughput) is reported
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    /// Threads of the bench's own async runtime (the clients share the machine with the server)
    #[arg(long, default_value_t = 1)]
    client_threads: usize,
    /// Phone-like photos sent with each complaint (4,000 × 3,000 JPEG, about 4 MB each, from a
    /// pool of eight; multipart instead of JSON)
    #[arg(long, default_value_t = 0)]
    photos: usize,
    /// PostgreSQL server to create the scratch databases on
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    postgres_url: String,
    /// Backends to measure
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "sqlite,postgres"
    )]
    backends: Vec<Backend>,
    /// Commit modes to measure
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "batched,per-request"
    )]
    modes: Vec<Mode>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// `batched`: the server's default group commit; `per-request`: `--commit-batch 1`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    Batched,
    PerRequest,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Batched => "batched",
            Mode::PerRequest => "per-request",
        }
    }
}

fn main() -> ExitCode {
    let result = match Cli::parse().cmd {
        Cmd::Intake(args) => intake(args),
        Cmd::Report(args) => report_bench(args),
        Cmd::Search(a) => tokio::runtime::Runtime::new()
            .map_err(anyhow::Error::from)
            .and_then(|rt| {
                rt.block_on(search::run(search::Spec {
                    docs: a.docs,
                    queries: a.queries,
                    spanning: a.spanning,
                    seed: a.seed,
                    dir: a.dir,
                    corpora: a.corpus,
                    commit_every: a.commit_every,
                    fts5: !a.no_fts5,
                }))
            }),
        Cmd::Evidence(a) => tokio::runtime::Runtime::new()
            .map_err(anyhow::Error::from)
            .and_then(|rt| {
                rt.block_on(evidence::run(evidence::Spec {
                    photos: a.photos,
                    hashes: a.hashes,
                    lookups: a.lookups,
                    distance: a.distance,
                    dir: a.dir,
                }))
            }),
        Cmd::Pages(a) => pages_bench(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The binary to start, resolved; a clear error when it has not been built.
fn kuaiwei_binary(path: &std::path::Path) -> Result<PathBuf> {
    if !path.is_file() {
        bail!(
            "no kuaiwei binary at {}: run `cargo build --release -p kuaiwei -p kuaiwei-bench` \
             from the repository root first, or pass --kuaiwei PATH",
            path.display()
        );
    }
    path.canonicalize()
        .with_context(|| format!("cannot resolve {}", path.display()))
}

fn pages_bench(args: PagesArgs) -> Result<()> {
    let kuaiwei = kuaiwei_binary(&args.kuaiwei)?;
    if args.requests == 0 || args.loads == 0 {
        bail!("--requests and --loads must be at least 1");
    }
    let chromium = if args.chromium.is_file() {
        Some(args.chromium)
    } else {
        eprintln!(
            "no chromium at {} (apt-get install chromium, or --chromium PATH): the slow-connection loads are left out",
            args.chromium.display()
        );
        None
    };
    let scratch = std::env::temp_dir().join(format!("kuaiwei-bench-pages-{}", std::process::id()));
    let spec = pages::Spec {
        server: ServerSpec {
            kuaiwei,
            data_dir: scratch.clone(),
            backend: Backend::Sqlite,
            mode: Mode::Batched,
            postgres_url: String::new(),
            postgres_db: String::new(),
            keep: false,
        },
        requests: args.requests,
        loads: args.loads,
        chromium,
    };
    let result = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("cannot start the bench's async runtime")?
        .block_on(pages::run(&spec));
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

fn report_bench(args: ReportArgs) -> Result<()> {
    let kuaiwei = kuaiwei_binary(&args.kuaiwei)?;
    if args.cases == 0 || args.batch == 0 || args.repeat == 0 {
        bail!("--cases, --batch and --repeat must be at least 1");
    }
    if !matches!(args.month.as_bytes(), [_, _, _, _, b'-', _, _]) {
        bail!("--month is a month such as 2026-10; got {:?}", args.month);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("cannot start the bench's async runtime")?;
    let scratch = std::env::temp_dir().join(format!("kuaiwei-bench-report-{}", std::process::id()));
    let spec = ontime::Spec {
        cases: args.cases,
        seed: args.seed,
        batch: args.batch,
        repeat: args.repeat,
        month: args.month.clone(),
        page_repeat: args.page_repeat,
    };
    let mut outcomes = Vec::new();
    for (k, &backend) in args.backends.iter().enumerate() {
        let server = ServerSpec {
            kuaiwei: kuaiwei.clone(),
            data_dir: scratch.join(format!("run{k}")),
            backend,
            mode: Mode::Batched,
            postgres_url: args.postgres_url.clone(),
            postgres_db: format!("kuaiwei_bench_report_{}_{k}", std::process::id()),
            keep: args.keep,
        };
        outcomes.push(runtime.block_on(ontime::run(&server, &spec))?);
    }
    if !args.keep {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    ontime::print(&outcomes, &spec);
    Ok(())
}

fn intake(args: IntakeArgs) -> Result<()> {
    let kuaiwei = kuaiwei_binary(&args.kuaiwei)?;
    if args.requests == 0 || args.clients == 0 || args.repeat == 0 {
        bail!("--requests, --clients and --repeat must be at least 1");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.client_threads.max(1))
        .enable_all()
        .build()
        .context("cannot start the bench's async runtime")?;
    let scratch = std::env::temp_dir().join(format!("kuaiwei-bench-{}", std::process::id()));

    report::print_header();
    let pool: std::sync::Arc<Vec<bytes::Bytes>> = std::sync::Arc::new(if args.photos > 0 {
        eprintln!("making eight phone-like photos (4000 × 3000, JPEG q92) …");
        (0..8u64)
            .map(|i| {
                evidence::jpeg(&evidence::phone_photo(4000, 3000, 7_000 + i), 92).map(Into::into)
            })
            .collect::<Result<_>>()?
    } else {
        Vec::new()
    });
    let mut summaries = Vec::new();
    let mut run_no = 0;
    for &backend in &args.backends {
        for &mode in &args.modes {
            let mut outcomes = Vec::with_capacity(args.repeat);
            for rep in 1..=args.repeat {
                run_no += 1;
                let spec = ServerSpec {
                    kuaiwei: kuaiwei.clone(),
                    data_dir: scratch.join(format!("run{run_no}")),
                    backend,
                    mode,
                    postgres_url: args.postgres_url.clone(),
                    postgres_db: format!("kuaiwei_bench_{}_{run_no}", std::process::id()),
                    keep: false,
                };
                let load = LoadSpec {
                    requests: args.requests,
                    clients: args.clients,
                    warmup: args.warmup,
                    photos: args.photos,
                    pool: pool.clone(),
                };
                let outcome = runtime.block_on(one_run(&spec, &load))?;
                let cpu = outcome.cpu;
                eprintln!(
                    "  {} {} run {rep}/{}: {:.0} acked/s, p50 {:.1} ms, p99 {:.1} ms, {} errors; \
                     CPU % of one core: server {:.0}, bench {:.0}, rest of machine {:.0}; \
                     respondents done {} after the last answer",
                    backend.name(),
                    mode.name(),
                    args.repeat,
                    outcome.acked_per_sec(),
                    outcome.percentile_ms(50.0),
                    outcome.percentile_ms(99.0),
                    outcome.errors,
                    cpu.server,
                    cpu.bench,
                    cpu.rest,
                    report::settled(outcome.respondents_settled)
                );
                outcomes.push(outcome);
            }
            summaries.push(Summary::new(backend, mode, args.clients, outcomes));
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    report::print_table(&summaries);
    Ok(())
}

/// One measured run: fresh server, warm-up, load, stop. The server is stopped (and the scratch
/// database dropped) even when the load fails.
async fn one_run(spec: &ServerSpec, load: &LoadSpec) -> Result<Outcome> {
    let running = server::start(spec).await?;
    let result = load::run(running.addr, running.pid(), load).await;
    // how long the respondent pass takes to give the burst's filings their respondents
    let settled = match &result {
        Ok(_) => {
            server::respondents_settled(
                running.addr,
                std::time::Instant::now(),
                Duration::from_secs(300),
            )
            .await
        }
        Err(_) => Ok(None),
    };
    let stopped = running.stop(Duration::from_secs(30)).await;
    let mut outcome = result?;
    outcome.respondents_settled = settled?;
    stopped?;
    Ok(outcome)
}
