//! The audit chain anchored outside the database. Anyone who can write to the database can
//! rewrite the chain's tail and recompute every hash after it, or empty it, and the chain alone
//! cannot tell. A key kept outside the database MACs (HMAC-SHA256) the chain's head, and the
//! MACed head is appended to a log file beside it, and optionally handed to a command that
//! carries it further (a remote syslog, a ticket, a notary: a witness the database's owner
//! does not control). `kuaiwei audit verify` then holds the chain against every anchor:
//! a head below an anchored sequence number is a truncation (or the removal of everything), a
//! different hash at an anchored sequence number is a rewritten tail, and a log line whose MAC
//! does not verify is a tampered log.
//!
//! The log is one line per anchor, `v1 SEQ HASH AT MAC`, opened for appending only; nothing in
//! kuaiwei ever rewrites it.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use hmac::{KeyInit, Mac};
use jiff::Timestamp;
use kuaiwei_store::Store;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// The file name of the key in the data directory, unless the config names another path.
pub const KEY_FILE: &str = "audit-anchor.key";
/// The file name of the anchor log in the data directory, unless the config names another path.
pub const LOG_FILE: &str = "audit-anchors.log";

/// What can go wrong with the key or the log, each naming the file.
#[derive(Debug, thiserror::Error)]
pub enum AnchorError {
    #[error(
        "锚定密钥 {0} 格式错误（应为 64 个十六进制字符）/ the anchor key {0} is malformed (expected 64 hex digits)"
    )]
    MalformedKey(PathBuf),
    #[error(
        "锚定日志 {log} 已有记录，但密钥 {key} 不存在：请放回原密钥（备份中有）/ the anchor log {log} has entries but the key {key} is missing: put the original key back (a backup holds it)"
    )]
    KeyMissing { key: PathBuf, log: PathBuf },
    #[error("无法读写 {path} / cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] kuaiwei_store::StoreError),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> AnchorError + '_ {
    move |source| AnchorError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Where the key and the log are, and who else hears of each anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorConfig {
    pub key: PathBuf,
    pub log: PathBuf,
    /// A program and its arguments, given each anchor line on standard input.
    pub command: Vec<String>,
}

impl AnchorConfig {
    /// The key and the log in the data directory, no witness command.
    pub fn in_data_dir(data_dir: &Path) -> AnchorConfig {
        AnchorConfig {
            key: data_dir.join(KEY_FILE),
            log: data_dir.join(LOG_FILE),
            command: Vec::new(),
        }
    }
}

/// One anchored head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
    pub at: Timestamp,
}

/// The log as read: the anchors whose MAC verifies, and the lines that do not (1-based).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct AnchorLog {
    pub anchors: Vec<Anchor>,
    pub bad_lines: Vec<usize>,
}

/// The secret; never printed, never stored in the database.
#[derive(Clone)]
pub struct AnchorKey([u8; 32]);

impl AnchorKey {
    pub fn from_bytes(bytes: [u8; 32]) -> AnchorKey {
        AnchorKey(bytes)
    }

    fn mac(&self, seq: i64, hash: &str, at: &str) -> HmacSha256 {
        let mut m = HmacSha256::new_from_slice(&self.0).expect("HMAC takes any key length");
        m.update(format!("kuaiwei-audit-anchor/v1 {seq} {hash} {at}").as_bytes());
        m
    }

    /// The log line of an anchor, with its newline.
    pub fn line(&self, a: &Anchor) -> String {
        let at = a.at.to_string();
        let mac = hex::encode(self.mac(a.seq, &a.hash, &at).finalize().into_bytes());
        format!("v1 {} {} {at} {mac}\n", a.seq, a.hash)
    }

    /// One line back into an anchor, if its MAC verifies.
    fn parse_line(&self, line: &str) -> Option<Anchor> {
        let mut parts = line.split(' ');
        let (Some("v1"), Some(seq), Some(hash), Some(at), Some(mac), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        let seq: i64 = seq.parse().ok()?;
        let mac = hex::decode(mac).ok()?;
        self.mac(seq, hash, at).verify_slice(&mac).ok()?;
        Some(Anchor {
            seq,
            hash: hash.to_string(),
            at: at.parse().ok()?,
        })
    }

    /// Every line of a log's text: the good anchors and the numbers of the bad lines.
    pub fn read_log(&self, text: &str) -> AnchorLog {
        let mut log = AnchorLog::default();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match self.parse_line(line) {
                Some(a) => log.anchors.push(a),
                None => log.bad_lines.push(i + 1),
            }
        }
        log
    }
}

/// What holding the chain against the anchors found: problems in words (none: all agree).
pub fn compare(
    log: &AnchorLog,
    chain_end: Option<i64>,
    hash_at: &BTreeMap<i64, String>,
) -> Vec<String> {
    let mut problems = Vec::new();
    if !log.bad_lines.is_empty() {
        problems.push(format!(
            "锚定日志第 {lines} 行的 MAC 不符（日志被改动，或由另一密钥写入）/ anchor log line(s) {lines}: the MAC does not verify (the log was edited, or written with another key)",
            lines = join(&log.bad_lines)
        ));
    }
    let end = chain_end.unwrap_or(0);
    if let Some(highest) = log.anchors.iter().max_by_key(|a| a.seq)
        && highest.seq > end
    {
        problems.push(if chain_end.is_none() {
            format!(
                "数据库中没有任何审计事件，但 {at} 的锚定记录显示审计链已到第 {seq} 号事件（全部被删除）/ the database holds no audit event, but an anchor of {at} saw the chain at event {seq} (everything was deleted)",
                at = highest.at,
                seq = highest.seq
            )
        } else {
            format!(
                "审计链止于第 {end} 号事件，但 {at} 的锚定记录显示已到第 {seq} 号（尾部事件被删除）/ the chain ends at event {end}, but an anchor of {at} saw event {seq} (events were removed from its end)",
                at = highest.at,
                seq = highest.seq
            )
        });
    }
    let mut anchors: Vec<&Anchor> = log.anchors.iter().filter(|a| a.seq <= end).collect();
    anchors.sort_by_key(|a| a.seq);
    if let Some(a) = anchors
        .iter()
        .find(|a| hash_at.get(&a.seq).is_none_or(|h| *h != a.hash))
    {
        problems.push(format!(
            "第 {seq} 号事件的哈希与 {at} 的锚定记录不符（审计链自此或更早处被改写）/ event {seq}: its hash differs from the anchor of {at} (the chain was rewritten from there or before)",
            seq = a.seq,
            at = a.at
        ));
    }
    problems
}

fn join(lines: &[usize]) -> String {
    let mut text: Vec<String> = lines.iter().take(10).map(|l| l.to_string()).collect();
    if lines.len() > 10 {
        text.push(format!("… ({})", lines.len()));
    }
    text.join(", ")
}

/// The key and the log of one installation, and the last sequence number anchored.
pub struct Anchoring {
    key: AnchorKey,
    config: AnchorConfig,
    last: Mutex<Option<i64>>,
}

impl Anchoring {
    /// Loads the key, creating it (owner-only, 0600) when there is none and the log is empty
    /// too; a log with entries but no key is refused, since a new key would make every entry
    /// look forged.
    pub fn open(config: AnchorConfig) -> Result<Anchoring, AnchorError> {
        let key = match std::fs::read_to_string(&config.key) {
            Ok(text) => {
                parse_key(text.trim()).ok_or(AnchorError::MalformedKey(config.key.clone()))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let log_has_entries = std::fs::metadata(&config.log).is_ok_and(|m| m.len() > 0);
                if log_has_entries {
                    return Err(AnchorError::KeyMissing {
                        key: config.key.clone(),
                        log: config.log.clone(),
                    });
                }
                create_key(&config.key)?
            }
            Err(e) => return Err(io(&config.key)(e)),
        };
        let anchoring = Anchoring {
            key,
            config,
            last: Mutex::new(None),
        };
        let last = anchoring.read()?.anchors.iter().map(|a| a.seq).max();
        *anchoring.last.lock().unwrap_or_else(|p| p.into_inner()) = last;
        Ok(anchoring)
    }

    pub fn config(&self) -> &AnchorConfig {
        &self.config
    }

    /// The log as it stands (empty when there is none yet).
    pub fn read(&self) -> Result<AnchorLog, AnchorError> {
        match std::fs::read_to_string(&self.config.log) {
            Ok(text) => Ok(self.key.read_log(&text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(AnchorLog::default()),
            Err(e) => Err(io(&self.config.log)(e)),
        }
    }

    /// Anchors the store's head if it moved since the last anchor: the line is appended to the
    /// log (and fsynced), then given to the witness command. `None` when nothing was written.
    pub async fn anchor(
        &self,
        store: &dyn Store,
        now: Timestamp,
    ) -> Result<Option<Anchor>, AnchorError> {
        let Some((seq, hash)) = store.audit_head().await? else {
            return Ok(None);
        };
        if *self.last.lock().unwrap_or_else(|p| p.into_inner()) == Some(seq) {
            return Ok(None);
        }
        let anchor = Anchor { seq, hash, at: now };
        let line = self.key.line(&anchor);
        let log = self.config.log.clone();
        let command = self.config.command.clone();
        tokio::task::spawn_blocking(move || -> Result<(), AnchorError> {
            append(&log, &line)?;
            if !command.is_empty() {
                witness(&command, &line);
            }
            Ok(())
        })
        .await
        .map_err(|e| AnchorError::Io {
            path: self.config.log.clone(),
            source: std::io::Error::other(e.to_string()),
        })??;
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Some(seq);
        Ok(Some(anchor))
    }
}

fn parse_key(text: &str) -> Option<AnchorKey> {
    let bytes = hex::decode(text).ok()?;
    Some(AnchorKey(bytes.try_into().ok()?))
}

/// A new random key, written owner-only before anything can read it.
fn create_key(path: &Path) -> Result<AnchorKey, AnchorError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AnchorError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    })?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path).map_err(io(path))?;
    f.write_all(format!("{}\n", hex::encode(bytes)).as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(io(path))?;
    tracing::info!(key = %path.display(), "created the audit anchor key (owner-only); back it up apart from the database");
    Ok(AnchorKey(bytes))
}

/// Appends one line and fsyncs it.
fn append(path: &Path, line: &str) -> Result<(), AnchorError> {
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(io(path))?;
    f.write_all(line.as_bytes())
        .and_then(|()| f.sync_data())
        .map_err(io(path))
}

/// Hands the line to the witness command; a failure is logged, never fatal (the log has it).
fn witness(command: &[String], line: &str) {
    let run = || -> std::io::Result<std::process::ExitStatus> {
        let mut child = std::process::Command::new(&command[0])
            .args(&command[1..])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(line.as_bytes())?;
        }
        child.wait()
    };
    match run() {
        Ok(status) if status.success() => {}
        Ok(status) => {
            tracing::warn!(command = %command[0], %status, "the audit anchor witness command failed")
        }
        Err(e) => {
            tracing::warn!(command = %command[0], error = %e, "the audit anchor witness command did not run")
        }
    }
}

/// Anchors the head every `interval` when it moved, until the task is aborted.
pub async fn follow(
    anchoring: std::sync::Arc<Anchoring>,
    store: std::sync::Arc<dyn Store>,
    interval: std::time::Duration,
) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = anchoring.anchor(store.as_ref(), Timestamp::now()).await {
            tracing::warn!(error = %e, "anchoring the audit chain failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchor(seq: i64, hash: &str) -> Anchor {
        Anchor {
            seq,
            hash: hash.repeat(64),
            at: "2026-12-01T02:00:00Z".parse().unwrap(),
        }
    }

    fn chain(n: i64) -> BTreeMap<i64, String> {
        (1..=n)
            .map(|s| (s, format!("{:x}", s % 16).repeat(64)))
            .collect()
    }

    #[test]
    fn a_line_reads_back_only_with_its_key_and_unedited() {
        let key = AnchorKey([1; 32]);
        let line = key.line(&anchor(7, "7"));
        assert_eq!(key.read_log(&line).anchors, vec![anchor(7, "7")]);
        assert_eq!(AnchorKey([2; 32]).read_log(&line).bad_lines, vec![1]);
        let edited = line.replacen("v1 7 ", "v1 8 ", 1);
        assert_eq!(key.read_log(&edited).bad_lines, vec![1]);
        let two = format!("{line}garbage\n{}", key.line(&anchor(9, "9")));
        let log = key.read_log(&two);
        assert_eq!((log.anchors.len(), log.bad_lines.clone()), (2, vec![2]));
    }

    #[test]
    fn the_chain_is_held_against_its_anchors() {
        let key = AnchorKey([1; 32]);
        let log = key.read_log(&key.line(&anchor(3, "3")));
        // intact, and grown since
        assert!(compare(&log, Some(5), &chain(5)).is_empty());
        // the tail removed below the anchor
        let p = compare(&log, Some(2), &chain(2));
        assert!(
            p[0].contains("ends at event 2") && p[0].contains("event 3"),
            "{p:?}"
        );
        // everything removed
        let p = compare(&log, None, &BTreeMap::new());
        assert!(p[0].contains("no audit event"), "{p:?}");
        // the tail rewritten with recomputed hashes
        let mut rewritten = chain(5);
        rewritten.insert(3, "e".repeat(64));
        let p = compare(&log, Some(5), &rewritten);
        assert!(
            p[0].contains("event 3") && p[0].contains("rewritten"),
            "{p:?}"
        );
        // a tampered line
        let p = compare(&key.read_log("v1 3 x y z\n"), Some(5), &chain(5));
        assert!(p[0].contains("line(s) 1"), "{p:?}");
    }
}
