//! `kuaiwei-bench report`: the on-time report of one month over a large generated history, as a
//! client sees it. For each backend: a fresh `kuaiwei serve` (fresh data directory or
//! database), N generated cases written straight into its store ([`crate::synth`]), the server
//! started again over them (as after an upgrade or a reboot: it loads its copy of the clocks,
//! and reports read their window from the store meanwhile), then, once the server is idle,
//! `GET /api/v1/reports/on-time` timed over repeated requests: the month computed afresh each
//! time (the target), the same month served again with no case changed since, the month with
//! every case line, and the year with its monthly roll-up.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use kuaiwei_store::SyntheticCase;

use crate::Backend;
use crate::client::Conn;
use crate::server::{self, ServerSpec};
use crate::synth::Generator;

pub struct Spec {
    pub cases: u64,
    pub seed: u64,
    pub batch: usize,
    pub repeat: usize,
    pub month: String,
    /// Timed requests of each workbench page.
    pub page_repeat: usize,
}

/// One timed query: its latencies (sorted), the size of the answer and what it said.
pub struct Timing {
    pub name: String,
    pub millis: Vec<f64>,
    pub bytes: usize,
    pub counted: u64,
    pub on_time_rate: Option<f64>,
}

impl Timing {
    /// Nearest rank.
    pub fn percentile(&self, p: f64) -> f64 {
        let rank = ((p / 100.0) * self.millis.len() as f64).ceil() as usize;
        self.millis[rank.clamp(1, self.millis.len()) - 1]
    }
}

pub struct Outcome {
    pub backend: Backend,
    pub seed_secs: f64,
    pub clocks: usize,
    /// The first report after the restart (read from the store's window while the server's
    /// copy of the clocks loads).
    pub first_ms: f64,
    /// The server's resident memory after the timed queries, in MB (Linux): in all, and its
    /// own (not mapped files).
    pub rss_mb: Option<(f64, f64)>,
    /// The same right after the first report (while the copy of the clocks loads).
    pub rss_first_mb: Option<(f64, f64)>,
    /// The same once the copy is loaded and the server idle, before the timed queries.
    pub rss_loaded_mb: Option<(f64, f64)>,
    /// Seconds from the first report until the search index held every seeded case.
    pub indexed_secs: f64,
    pub timings: Vec<Timing>,
    /// The start after that: the server saved its copy when it stopped and reads it back.
    pub again: Option<SavedStart>,
}

/// A start over a saved copy of the clocks (docs/reports.md, "The saved copy").
pub struct SavedStart {
    /// Whether the server read its copy from the file (its log says so).
    pub from_saved: bool,
    /// Saving it when the server stopped, by its log: milliseconds and MB.
    pub saved_ms: Option<f64>,
    pub saved_mb: Option<f64>,
    /// Reading it back, by the new server's log.
    pub read_ms: Option<f64>,
    /// The first report after the start, and the next ones (sorted).
    pub first_ms: f64,
    pub next_ms: Vec<f64>,
    /// The server's memory after the first report, and once idle (MB: in all, own).
    pub rss_first_mb: Option<(f64, f64)>,
    pub rss_idle_mb: Option<(f64, f64)>,
}

enum Loader {
    Sqlite(kuaiwei_store_sqlite::SqliteStore),
    Postgres(kuaiwei_store_postgres::PostgresStore),
}

impl Loader {
    async fn open(spec: &ServerSpec) -> Result<Loader> {
        Ok(match spec.backend {
            Backend::Sqlite => Loader::Sqlite(
                kuaiwei_store_sqlite::SqliteStore::open(
                    &spec.data_dir.join("kuaiwei.db"),
                    kuaiwei_store_sqlite::WriteOptions::default(),
                )
                .await?,
            ),
            Backend::Postgres => Loader::Postgres(
                kuaiwei_store_postgres::PostgresStore::connect(
                    &server::with_database(&spec.postgres_url, &spec.postgres_db),
                    kuaiwei_store_postgres::WriteOptions::default(),
                )
                .await?,
            ),
        })
    }

    async fn insert(&self, cases: &[SyntheticCase]) -> Result<()> {
        match self {
            Loader::Sqlite(s) => s.insert_synthetic(cases).await?,
            Loader::Postgres(s) => s.insert_synthetic(cases).await?,
        }
        Ok(())
    }

    /// A centre supervisor to read the reports as (they need a login).
    async fn supervisor(&self, password: &str) -> Result<()> {
        let now = jiff::Timestamp::now();
        let account = kuaiwei_store::Account {
            username: "bench.supervisor".into(),
            display_name: "bench".into(),
            role: "supervisor".into(),
            agency: None,
            password_hash: kuaiwei_access::password::hash(password)?,
            created_at: now,
            password_changed_at: now,
            disabled_at: None,
            contact: Default::default(),
        };
        use kuaiwei_store::Store;
        match self {
            Loader::Sqlite(s) => s.create_account(&account).await?,
            Loader::Postgres(s) => s.create_account(&account).await?,
        }
        Ok(())
    }

    async fn analyze(&self) -> Result<()> {
        match self {
            Loader::Sqlite(s) => s.analyze().await?,
            Loader::Postgres(s) => s.analyze().await?,
        }
        Ok(())
    }
}

/// Seeds a fresh server's store and times the report queries; the server is stopped (and its
/// data removed) whatever happens.
pub async fn run(server_spec: &ServerSpec, spec: &Spec) -> Result<Outcome> {
    let running = server::start(server_spec).await?;
    let running = match seed(server_spec, spec).await {
        Ok(seeded) => (running.restart(server_spec).await?, seeded),
        Err(e) => {
            let _ = running.stop(Duration::from_secs(30)).await;
            return Err(e);
        }
    };
    let (running, (seed_secs, clocks, page_cases)) = running;
    let result = time(server_spec, spec, &running, &page_cases).await;
    // once more: the server saves its copy of the clocks as it stops and reads it back
    let (running, again) = if result.is_ok() {
        let running = running.restart(server_spec).await?;
        let again = time_saved_start(server_spec, spec, &running).await;
        (running, Some(again))
    } else {
        (running, None)
    };
    let stopped = running.stop(Duration::from_secs(30)).await;
    let (first_ms, [rss_first_mb, rss_loaded_mb, rss_mb], indexed_secs, timings) = result?;
    let again = again.transpose()?;
    stopped?;
    Ok(Outcome {
        backend: server_spec.backend,
        seed_secs,
        clocks,
        first_ms,
        indexed_secs,
        rss_mb,
        rss_first_mb,
        rss_loaded_mb,
        timings,
        again,
    })
}

/// A field `name=value` of the first log line holding `message`, as a number.
fn log_figure(log: &str, message: &str, name: &str) -> Option<f64> {
    let line = log.lines().find(|l| l.contains(message))?;
    let at = line.find(&format!("{name}="))? + name.len() + 1;
    line[at..]
        .split(|c: char| !c.is_ascii_digit() && c != '.')
        .next()?
        .parse()
        .ok()
}

/// Times the first reports after a start over the copy the server saved when it stopped.
async fn time_saved_start(
    server_spec: &ServerSpec,
    spec: &Spec,
    running: &server::Running,
) -> Result<SavedStart> {
    let name = server_spec.backend.name();
    let (addr, pid) = (running.addr, running.pid());
    let mut conn = Conn::open(addr).await?;
    let cookie = conn.log_in("bench.supervisor", PASSWORD).await?;
    let cold: &[(&str, &str)] = &[("cache-control", "no-cache"), ("cookie", &cookie)];
    let path = format!("/api/v1/reports/on-time?month={}", spec.month);
    let t = Instant::now();
    let (status, _) = conn.get_with(&path, cold).await?;
    let first_ms = t.elapsed().as_secs_f64() * 1000.0;
    if !status.is_success() {
        bail!("the first report after the second start answered {status}");
    }
    let rss_first_mb = resident_mb(pid);
    let mut next_ms = Vec::new();
    for _ in 0..spec.repeat.max(1) {
        let t = Instant::now();
        conn.get_with(&path, cold).await?;
        next_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    next_ms.sort_by(f64::total_cmp);
    let log = std::fs::read_to_string(running.log()).unwrap_or_default();
    let saved = "the copy of the clocks saved";
    let read = "report facts loaded from the saved copy";
    let again = SavedStart {
        from_saved: log.contains(read),
        saved_ms: log_figure(&running.previous_log, saved, "ms"),
        saved_mb: log_figure(&running.previous_log, saved, "mb"),
        read_ms: log_figure(&log, read, "ms"),
        first_ms,
        next_ms,
        rss_first_mb,
        rss_idle_mb: {
            crate::cpu::wait_idle(pid, Duration::from_secs(120)).await;
            resident_mb(pid)
        },
    };
    eprintln!(
        "  {name}: after a restart over the saved copy (read from it: {}): first report {first_ms:.0} ms, then median {:.0} ms",
        again.from_saved,
        again.next_ms[again.next_ms.len() / 2]
    );
    Ok(again)
}

/// Writes the generated cases and the supervisor account; the seconds it took and the clocks.
async fn seed(server_spec: &ServerSpec, spec: &Spec) -> Result<(f64, usize, Vec<String>)> {
    let name = server_spec.backend.name();
    let loader = Loader::open(server_spec).await?;
    let mut generator = Generator::new(spec.cases, spec.seed);
    let started = Instant::now();
    let mut clocks = 0;
    let mut i = 0;
    let mut page_cases = Vec::new();
    while i < spec.cases {
        let end = (i + spec.batch as u64).min(spec.cases);
        let batch: Vec<SyntheticCase> = (i..end).map(|k| generator.case(k)).collect();
        page_cases.extend(
            batch
                .iter()
                .filter(|c| c.respondent_pending)
                .map(|c| c.case_number.clone()),
        );
        clocks += batch.iter().map(|c| c.clocks.len()).sum::<usize>();
        loader.insert(&batch).await?;
        i = end;
        eprint!(
            "\r  {name}: seeded {i}/{} cases, {clocks} clocks, {:.0} s",
            spec.cases,
            started.elapsed().as_secs_f64()
        );
    }
    loader.analyze().await?;
    loader.supervisor(PASSWORD).await?;
    drop(loader);
    let seed_secs = started.elapsed().as_secs_f64();
    eprintln!(
        "\r  {name}: seeded {} cases, {clocks} clocks in {seed_secs:.0} s (with ANALYZE)",
        spec.cases
    );
    Ok((seed_secs, clocks, page_cases))
}

const PASSWORD: &str = "bench-supervisor-2026";

/// Times the queries: the first report's milliseconds, the server's memory (after the first
/// report, once the copy is loaded, at the end), the seconds until the search index held every
/// seeded case, the timings.
async fn time(
    server_spec: &ServerSpec,
    spec: &Spec,
    running: &server::Running,
    page_cases: &[String],
) -> Result<(f64, [Option<(f64, f64)>; 3], f64, Vec<Timing>)> {
    let name = server_spec.backend.name();
    let (addr, pid) = (running.addr, running.pid());
    let year = spec.month.get(..4).unwrap_or("2026");
    // Cold: `Cache-Control: no-cache` makes the server read and classify every time (the
    // target). Cached: a finished month nobody has changed since is served as computed.
    let mut conn = Conn::open(addr).await?;
    let cookie = conn.log_in("bench.supervisor", PASSWORD).await?;
    let cold: &[(&str, &str)] = &[("cache-control", "no-cache"), ("cookie", &cookie)];
    let warm: &[(&str, &str)] = &[("cookie", &cookie)];
    let queries = [
        (
            format!("month {} (JSON), computed", spec.month),
            format!("/api/v1/reports/on-time?month={}", spec.month),
            spec.repeat,
            cold,
        ),
        (
            format!("month {} (JSON), unchanged since", spec.month),
            format!("/api/v1/reports/on-time?month={}", spec.month),
            spec.repeat,
            warm,
        ),
        (
            format!("month {} with case lines, computed", spec.month),
            format!("/api/v1/reports/on-time?month={}&cases=true", spec.month),
            spec.repeat.div_ceil(3),
            cold,
        ),
        (
            format!("year {year} with months, computed"),
            format!("/api/v1/reports/on-time?period={year}"),
            spec.repeat.div_ceil(3),
            cold,
        ),
    ];
    let t = Instant::now();
    let (status, _) = conn.get_with(&queries[0].1, cold).await?;
    let first_ms = t.elapsed().as_secs_f64() * 1000.0;
    if !status.is_success() {
        bail!("the first report answered {status}");
    }
    eprintln!("  {name}: first report after the start: {first_ms:.0} ms");
    let rss_first = resident_mb(pid);
    // the timed reports are to be computed from the server's copy of the clocks, not from the
    // store's window that a report reads while the copy loads
    let loading = Instant::now();
    while !std::fs::read_to_string(running.log())
        .unwrap_or_default()
        .contains("report facts loaded")
    {
        if loading.elapsed() > Duration::from_secs(600) {
            bail!("the server had not loaded its copy of the clocks after 10 minutes");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // the seeded cases are in the change log: the restarted server's indexer reads them all
    // into its (empty) search index, which is waited for too (on a new connection: the server
    // closes a keep-alive connection left idle while the copy loaded)
    conn = Conn::open(addr).await?;
    let indexed_secs = wait_indexed(&mut conn, warm, spec.cases).await?;
    eprintln!(
        "  {name}: the search index holds every case {indexed_secs:.0} s after the first report ({:.0} cases/s)",
        spec.cases as f64 / indexed_secs.max(0.001)
    );
    let waited = crate::cpu::wait_idle(pid, Duration::from_secs(180)).await;
    eprintln!(
        "  {name}: waited {:.0} s for the server and the machine to be idle",
        waited.as_secs_f64()
    );
    let rss_loaded = resident_mb(pid);
    // the server closes a keep-alive connection left idle that long
    conn = Conn::open(addr).await?;
    let mut timings = Vec::new();
    for (label, path, repeat, headers) in queries {
        // one warm-up request, not counted (first use of the pool and the page cache)
        conn.get_with(&path, headers).await?;
        let mut millis = Vec::with_capacity(repeat);
        let mut last = None;
        for _ in 0..repeat.max(1) {
            let t = Instant::now();
            let (status, body) = conn.get_with(&path, headers).await?;
            millis.push(t.elapsed().as_secs_f64() * 1000.0);
            if !status.is_success() {
                bail!(
                    "{path} answered {status}: {}",
                    String::from_utf8_lossy(&body)
                );
            }
            last = Some(body);
        }
        let body = last.context("no answer")?;
        let v: serde_json::Value = serde_json::from_slice(&body).context("not JSON")?;
        millis.sort_by(f64::total_cmp);
        let timing = Timing {
            name: label,
            millis,
            bytes: body.len(),
            counted: v["headline"]["counted"].as_u64().unwrap_or(0),
            on_time_rate: v["headline"]["on_time_rate"].as_f64(),
        };
        eprintln!(
            "  {name}: {}: median {:.0} ms, p90 {:.0} ms",
            timing.name,
            timing.percentile(50.0),
            timing.percentile(90.0)
        );
        timings.push(timing);
    }
    timings.extend(time_pages(name, &mut conn, &cookie, spec.page_repeat, page_cases).await?);
    timings.extend(time_search(name, &mut conn, &cookie, spec.page_repeat).await?);
    Ok((
        first_ms,
        [rss_first, rss_loaded, resident_mb(pid)],
        indexed_secs,
        timings,
    ))
}

/// The workbench pages a centre supervisor opens all day, rendered by the server (HTML): the
/// queue tabs (each with the counts of every tab and the navigation) and case pages (with
/// their clocks, triage and timeline), `repeat` times each after one warm-up.
async fn time_pages(
    name: &str,
    conn: &mut Conn,
    cookie: &str,
    repeat: usize,
    page_cases: &[String],
) -> Result<Vec<Timing>> {
    if repeat == 0 {
        return Ok(Vec::new());
    }
    let headers: &[(&str, &str)] = &[("cookie", cookie)];
    let mut pages: Vec<(String, Vec<String>)> = [
        "extension_pending",
        "transfer_proposed",
        "supervised",
        "overdue",
        "all",
    ]
    .iter()
    .map(|t| {
        (
            format!("page /work?tab={t} (queue, counts, navigation)"),
            vec![format!("/work?tab={t}")],
        )
    })
    .collect();
    if !page_cases.is_empty() {
        pages.push((
            format!(
                "page /work/cases/{{n}} ({} different cases)",
                page_cases.len()
            ),
            page_cases
                .iter()
                .map(|n| format!("/work/cases/{n}"))
                .collect(),
        ));
    }
    let mut timings = Vec::new();
    for (label, paths) in pages {
        conn.get_with(&paths[0], headers).await?;
        let mut millis = Vec::with_capacity(repeat);
        let mut bytes = 0;
        for k in 0..repeat {
            let path = &paths[k % paths.len()];
            let t = Instant::now();
            let (status, body) = conn.get_with(path, headers).await?;
            millis.push(t.elapsed().as_secs_f64() * 1000.0);
            if !status.is_success() {
                bail!(
                    "{path} answered {status}: {}",
                    String::from_utf8_lossy(&body)
                );
            }
            bytes = body.len();
        }
        millis.sort_by(f64::total_cmp);
        let timing = Timing {
            name: label,
            millis,
            bytes,
            counted: 0,
            on_time_rate: None,
        };
        eprintln!(
            "  {name}: {}: median {:.1} ms, p99 {:.1} ms",
            timing.name,
            timing.percentile(50.0),
            timing.percentile(99.0)
        );
        timings.push(timing);
    }
    Ok(timings)
}

/// Waits until a search over everything counts `cases` documents (the restarted server's
/// indexer has read the whole change log); the seconds it took.
async fn wait_indexed(conn: &mut Conn, headers: &[(&str, &str)], cases: u64) -> Result<f64> {
    let t = Instant::now();
    loop {
        let (status, body) = conn.get_with("/api/v1/search?limit=1", headers).await?;
        if !status.is_success() {
            bail!(
                "/api/v1/search answered {status}: {}",
                String::from_utf8_lossy(&body)
            );
        }
        let v: serde_json::Value = serde_json::from_slice(&body).context("not JSON")?;
        if v["total"].as_u64() >= Some(cases) {
            return Ok(t.elapsed().as_secs_f64());
        }
        if t.elapsed() > Duration::from_secs(3600) {
            bail!(
                "the search index held {} of {cases} cases after an hour",
                v["total"]
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Searches over the seeded cases (a page of 20 with total and facets), `repeat` times each
/// after one warm-up: a term in nine cases in ten, a fair's full name, a term in every case.
async fn time_search(
    name: &str,
    conn: &mut Conn,
    cookie: &str,
    repeat: usize,
) -> Result<Vec<Timing>> {
    if repeat == 0 {
        return Ok(Vec::new());
    }
    let headers: &[(&str, &str)] = &[("cookie", cookie)];
    let mut timings = Vec::new();
    for q in ["依法处理", "中国进出口商品交易会", "有限公司"] {
        let path = format!("/api/v1/search?limit=20&q={}", percent(q));
        conn.get_with(&path, headers).await?;
        let mut millis = Vec::with_capacity(repeat);
        let mut last = None;
        for _ in 0..repeat {
            let t = Instant::now();
            let (status, body) = conn.get_with(&path, headers).await?;
            millis.push(t.elapsed().as_secs_f64() * 1000.0);
            if !status.is_success() {
                bail!(
                    "{path} answered {status}: {}",
                    String::from_utf8_lossy(&body)
                );
            }
            last = Some(body);
        }
        let body = last.context("no answer")?;
        let v: serde_json::Value = serde_json::from_slice(&body).context("not JSON")?;
        millis.sort_by(f64::total_cmp);
        let timing = Timing {
            name: format!("search {q} (page of 20, total, facets)"),
            millis,
            bytes: body.len(),
            counted: v["total"].as_u64().unwrap_or(0),
            on_time_rate: None,
        };
        eprintln!(
            "  {name}: {}: {} hits, median {:.1} ms, p99 {:.1} ms",
            timing.name,
            timing.counted,
            timing.percentile(50.0),
            timing.percentile(99.0)
        );
        timings.push(timing);
    }
    Ok(timings)
}

/// `text` percent-encoded for a query string.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A process's resident memory in MB, from /proc (Linux only): all of it, and the part that is
/// its own (heap and stacks) rather than mapped files such as the SQLite database.
fn resident_mb(pid: u32) -> Option<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<f64> {
        let kb: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix(name))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kb / 1024.0)
    };
    Some((field("VmRSS:")?, field("RssAnon:")?))
}

/// A Markdown table of the outcomes, one row per backend and query.
pub fn print(outcomes: &[Outcome], spec: &Spec) {
    println!(
        "\n{} generated cases (seed {}), {} requests per month query after one warm-up\n",
        spec.cases, spec.seed, spec.repeat
    );
    println!(
        "| backend | query | runs | median ms | p90 ms | p99 ms | min ms | max ms | answer bytes | counted | on-time rate |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for o in outcomes {
        for t in &o.timings {
            println!(
                "| {} | {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {} | {} | {} |",
                o.backend.name(),
                t.name,
                t.millis.len(),
                t.percentile(50.0),
                t.percentile(90.0),
                t.percentile(99.0),
                t.millis[0],
                t.millis[t.millis.len() - 1],
                t.bytes,
                t.counted,
                t.on_time_rate
                    .map(|r| format!("{:.2} %", r * 100.0))
                    .unwrap_or_else(|| "—".into()),
            );
        }
    }
    println!(
        "\n| backend | clocks | seeding s | first report after the start, ms | search index complete after, s | server memory after the first report, MB (own) | once loaded | at the end |\n|---|---:|---:|---:|---:|---:|---:|---:|"
    );
    let mb =
        |m: Option<(f64, f64)>| m.map_or("—".into(), |(all, own)| format!("{all:.0} ({own:.0})"));
    for o in outcomes {
        println!(
            "| {} | {} | {:.0} | {:.0} | {:.0} | {} | {} | {} |",
            o.backend.name(),
            o.clocks,
            o.seed_secs,
            o.first_ms,
            o.indexed_secs,
            mb(o.rss_first_mb),
            mb(o.rss_loaded_mb),
            mb(o.rss_mb),
        );
    }
    println!(
        "\n| backend | read from the saved copy | saved by the run before, ms (MB) | read back, ms (server log) | first report after the start, ms | next reports, median ms | server memory after the first report, MB (own) | once idle |\n|---|---|---:|---:|---:|---:|---:|---:|"
    );
    let num = |v: Option<f64>| v.map_or("—".into(), |v| format!("{v:.0}"));
    for o in outcomes {
        if let Some(a) = &o.again {
            println!(
                "| {} | {} | {} ({}) | {} | {:.0} | {:.0} | {} | {} |",
                o.backend.name(),
                if a.from_saved { "yes" } else { "no" },
                num(a.saved_ms),
                num(a.saved_mb),
                num(a.read_ms),
                a.first_ms,
                a.next_ms[a.next_ms.len() / 2],
                mb(a.rss_first_mb),
                mb(a.rss_idle_mb),
            );
        }
    }
    if let [a, b] = outcomes
        && let (Some(x), Some(y)) = (a.timings.first(), b.timings.first())
    {
        println!(
            "\nmonth JSON computed, median {} / {}: {:.2}",
            b.backend.name(),
            a.backend.name(),
            y.percentile(50.0) / x.percentile(50.0)
        );
    }
}
