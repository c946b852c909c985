//! Figures and the printed report: the machine, the command line, one row per configuration
//! (its median run by throughput, with the min and max over the runs) and the ratio of group
//! commit to one-commit-per-request.

use std::time::Duration;

use crate::cpu::Split;
use crate::{Backend, Mode};

/// One run's raw result.
pub struct Outcome {
    pub sent: usize,
    pub acked: usize,
    pub errors: usize,
    pub wall: Duration,
    /// Every request's latency, sorted ascending
    pub latencies_us: Vec<u32>,
    /// CPU use during the measured part (warm-up excluded)
    pub cpu: Split,
    /// After the last answer, until every filing had its respondent (the respondent pass
    /// caught up); `None`: not seen (an older server without the gauge, or not within the
    /// limit).
    pub respondents_settled: Option<Duration>,
}

impl Outcome {
    pub fn acked_per_sec(&self) -> f64 {
        self.acked as f64 / self.wall.as_secs_f64().max(1e-9)
    }

    /// Nearest-rank percentile, in milliseconds.
    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * self.latencies_us.len() as f64).ceil() as usize;
        let i = rank.clamp(1, self.latencies_us.len()) - 1;
        f64::from(self.latencies_us[i]) / 1000.0
    }
}

/// One configuration over its repeated runs.
pub struct Summary {
    backend: Backend,
    mode: Mode,
    clients: usize,
    median: Outcome,
    min_rate: f64,
    max_rate: f64,
    runs: usize,
}

impl Summary {
    pub fn new(backend: Backend, mode: Mode, clients: usize, mut runs: Vec<Outcome>) -> Summary {
        runs.sort_by(|a, b| a.acked_per_sec().total_cmp(&b.acked_per_sec()));
        let n = runs.len();
        let min_rate = runs.first().map_or(0.0, Outcome::acked_per_sec);
        let max_rate = runs.last().map_or(0.0, Outcome::acked_per_sec);
        // The lower median when the count is even.
        let median = runs.swap_remove((n - 1) / 2);
        Summary {
            backend,
            mode,
            clients,
            median,
            min_rate,
            max_rate,
            runs: n,
        }
    }
}

/// The machine and the exact command line.
pub fn print_header() {
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map_or_else(|_| "unknown".into(), |s| s.trim().to_string());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    println!("machine: nproc={nproc}, kernel {kernel}, cpu {cpu}");
    let args: Vec<String> = std::env::args().map(|a| shell_quote(&a)).collect();
    println!("command: {}", args.join(" "));
}

/// The table, as Markdown, then the batched/per-request ratio per backend.
pub fn print_table(rows: &[Summary]) {
    println!();
    println!(
        "| backend | mode | requests | clients | acked/s (median) | min–max acked/s | p50 ms | p99 ms | errors | CPU % server / bench / rest | respondents done after |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|");
    for r in rows {
        let m = &r.median;
        println!(
            "| {} | {} | {} | {} | {:.0} | {:.0}–{:.0} | {:.1} | {:.1} | {} | {:.0} / {:.0} / {:.0} | {} |",
            r.backend.name(),
            r.mode.name(),
            m.sent,
            r.clients,
            m.acked_per_sec(),
            r.min_rate,
            r.max_rate,
            m.percentile_ms(50.0),
            m.percentile_ms(99.0),
            m.errors,
            m.cpu.server,
            m.cpu.bench,
            m.cpu.rest,
            settled(m.respondents_settled)
        );
    }
    if let Some(r) = rows.first() {
        println!(
            "\n(median of {} runs per configuration, by acked/s; CPU in % of one core during the \
             measured part: the server, this bench, everything else incl. PostgreSQL)",
            r.runs
        );
    }
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let rate = |mode| {
            rows.iter()
                .find(|r| r.backend == backend && r.mode == mode)
                .map(|r| r.median.acked_per_sec())
        };
        if let (Some(b), Some(p)) = (rate(Mode::Batched), rate(Mode::PerRequest)) {
            println!(
                "{}: batched / per-request = {:.1}×",
                backend.name(),
                b / p.max(1e-9)
            );
        }
    }
}

fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,@%+".contains(&b));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// "1.2 s", or "–" when not seen.
pub fn settled(d: Option<Duration>) -> String {
    d.map_or_else(|| "–".into(), |d| format!("{:.1} s", d.as_secs_f64()))
}
