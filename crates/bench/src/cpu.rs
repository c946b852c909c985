//! Where the CPU went during a measured run, from Linux's `/proc`: the server process, the
//! bench itself, and everything else on the machine (for PostgreSQL that includes the database
//! server; on a shared machine, also whatever else was running). On two cores the bench's own
//! share is taken from the server, so it is worth printing.

use std::time::Instant;

/// A point-in-time reading of CPU time, in clock ticks.
pub struct Snapshot {
    at: Instant,
    server: u64,
    bench: u64,
    /// All CPUs, busy (everything but idle and iowait)
    machine: u64,
}

/// CPU use over an interval, in percent of one core (200 = both cores of a 2-core machine).
#[derive(Clone, Copy, Default)]
pub struct Split {
    pub server: f64,
    pub bench: f64,
    pub rest: f64,
}

impl Snapshot {
    pub fn take(server_pid: u32) -> Snapshot {
        Snapshot {
            at: Instant::now(),
            server: process_ticks(&format!("/proc/{server_pid}/stat")).unwrap_or(0),
            bench: process_ticks("/proc/self/stat").unwrap_or(0),
            machine: machine_busy_ticks().unwrap_or(0),
        }
    }

    /// The split between `self` and a later snapshot.
    pub fn split_until(&self, later: &Snapshot) -> Split {
        // USER_HZ is 100 on every mainstream Linux architecture.
        let secs = later.at.duration_since(self.at).as_secs_f64().max(1e-9);
        let pct = |a: u64, b: u64| b.saturating_sub(a) as f64 / 100.0 / secs * 100.0;
        let server = pct(self.server, later.server);
        let bench = pct(self.bench, later.bench);
        let machine = pct(self.machine, later.machine);
        Split {
            server,
            bench,
            rest: (machine - server - bench).max(0.0),
        }
    }
}

/// utime + stime of one process (all its threads).
fn process_ticks(path: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(path).ok()?;
    // The command name may contain spaces; the fields after it are plain.
    let (_, rest) = stat.rsplit_once(") ")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// Busy ticks summed over all CPUs: the `cpu` line of /proc/stat minus idle and iowait.
fn machine_busy_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal (guest is already in user)
    let total: u64 = v.iter().take(8).sum();
    Some(total - v.get(3)? - v.get(4)?)
}

/// Waits until the server and the rest of the machine have been nearly idle (under 15 % of one
/// core) for a second, at most `limit`: start-up work (the server recomputing open cases' due
/// dates, PostgreSQL vacuuming freshly loaded tables) is then done before anything is timed.
/// How long it waited.
pub async fn wait_idle(server_pid: u32, limit: std::time::Duration) -> std::time::Duration {
    let start = Instant::now();
    while start.elapsed() < limit {
        let before = Snapshot::take(server_pid);
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        let split = before.split_until(&Snapshot::take(server_pid));
        if split.server + split.rest < 15.0 {
            break;
        }
    }
    start.elapsed()
}
