//! `kuaiwei backup DEST`: an online, consistent copy of a kuaiwei installation.
//!
//! Order matters. The database is copied first, as one snapshot (SQLite: `vacuum into` in one
//! read transaction; PostgreSQL: `pg_dump` importing a snapshot exported by a repeatable-read
//! transaction, which reads the manifest's counts and evidence list at the same instant). The
//! evidence files the snapshot references are copied after it: an evidence file is made durable
//! under its digest before the row that references it commits, and is never deleted, so every
//! file the snapshot references is on disk by the time we look (files written later are simply
//! not copied). Copying the folder first, as operators used to, loses the files of every
//! complaint filed in between. Each file is hashed while it is copied and must match its digest.
//!
//! The audit anchor key and log (`audit-anchor.key`, `audit-anchors.log`, when they are in the
//! data directory) travel with the backup's configuration, and the log is copied before the
//! snapshot: every anchor in it then anchors a head the snapshot holds, so the restore can hold
//! the restored chain against them (docs/operations.md).
//!
//! Everything is written into `DEST.partial`, fsynced, and renamed to `DEST` only when complete,
//! so an interrupted backup never looks like a finished one. The search index is not copied:
//! `kuaiwei reindex` rebuilds it from the store.

use std::fs::{self, File};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use indicatif::{ProgressBar, ProgressStyle};
use kuaiwei_store::Inventory;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::StoreArgs;
use crate::config::FileConfig;

/// The manifest's format; a restore refuses a format it does not know.
pub const FORMAT: u32 = 1;
pub const MANIFEST: &str = "manifest.json";
pub const SQLITE_FILE: &str = "kuaiwei.db";
pub const PG_DUMP_FILE: &str = "kuaiwei.pgdump";

/// `DEST/manifest.json`: what the backup holds, with a SHA-256 for every file.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub kuaiwei_version: String,
    /// `sqlite` or `postgres`
    pub store: StoreKind,
    /// UTC, RFC 3339
    pub created_at: String,
    pub database: FileEntry,
    /// The audit chain's recorded end in the snapshot.
    pub audit_head: Option<AuditHead>,
    pub counts: Counts,
    /// Every evidence file the snapshot references, at `evidence/sha256/ab/<digest>`.
    pub evidence: Vec<FileEntry>,
    /// The data directory's local configuration (calendar years, procedures, routing rules,
    /// kuaiwei.toml), where present.
    pub config: Vec<FileEntry>,
    /// What is deliberately left out, for the operator reading the file.
    pub not_included: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    Sqlite,
    Postgres,
}

impl std::fmt::Display for StoreKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StoreKind::Sqlite => "SQLite",
            StoreKind::Postgres => "PostgreSQL",
        })
    }
}

/// A file of the backup, by its path relative to the backup's root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub complaints: u64,
    pub cases: u64,
    pub audit_events: u64,
    pub evidence_files: u64,
}

impl Counts {
    pub fn of(inv: &Inventory) -> Counts {
        Counts {
            complaints: inv.complaints,
            cases: inv.cases,
            audit_events: inv.audit_events,
            evidence_files: inv.evidence.len() as u64,
        }
    }
}

/// The configured store: a PostgreSQL URL, or SQLite in the data directory (the choice
/// `open_store` makes).
pub enum Target {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Target {
    pub fn of(args: &StoreArgs, file: &FileConfig, data_dir: &Path) -> Result<Target> {
        match args
            .database_url
            .clone()
            .or_else(|| file.database_url.clone())
        {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Target::Postgres(url))
            }
            Some(url) => bail!(
                "数据库地址应以 postgres:// 开头 / the database URL must start with postgres:// (got {:?})",
                url.split(':').next().unwrap_or("")
            ),
            None => Ok(Target::Sqlite(data_dir.join(SQLITE_FILE))),
        }
    }

    pub fn kind(&self) -> StoreKind {
        match self {
            Target::Sqlite(_) => StoreKind::Sqlite,
            Target::Postgres(_) => StoreKind::Postgres,
        }
    }
}

/// `evidence/sha256/ab/<digest>` for a well-formed digest (64 lowercase hex digits): a digest
/// read from a database or a manifest never becomes a path outside the evidence folder.
pub fn evidence_path(sha256: &str) -> Option<String> {
    let ok = sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    ok.then(|| format!("evidence/sha256/{}/{sha256}", &sha256[..2]))
}

/// The data directory's configuration files that a backup carries, as relative paths.
pub fn config_files(data_dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let calendar = data_dir.join("calendar");
    if calendar.is_dir() {
        let mut years = Vec::new();
        for entry in fs::read_dir(&calendar)
            .with_context(|| format!("无法读取 / cannot read {}", calendar.display()))?
        {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type()?.is_file() && is_calendar_name(&name) {
                years.push(format!("calendar/{name}"));
            }
        }
        years.sort();
        out.extend(years);
    }
    for name in ["procedures.toml", "routing.toml", "kuaiwei.toml"] {
        if data_dir.join(name).is_file() {
            out.push(name.to_string());
        }
    }
    Ok(out)
}

/// The audit anchor files a backup carries (those in the data directory), as relative paths.
pub fn anchor_files(data_dir: &Path) -> Vec<String> {
    ANCHOR_FILES
        .iter()
        .filter(|name| data_dir.join(name).is_file())
        .map(|name| name.to_string())
        .collect()
}

/// The anchor key and log, by their names in the data directory.
pub const ANCHOR_FILES: [&str; 2] = [
    kuaiwei_server::audit::anchor::KEY_FILE,
    kuaiwei_server::audit::anchor::LOG_FILE,
];

/// A path a manifest may name as configuration: never one that leaves the data directory.
pub fn is_config_path(path: &str) -> bool {
    match path.split_once('/') {
        Some(("calendar", name)) => is_calendar_name(name),
        Some(_) => false,
        None => {
            matches!(path, "procedures.toml" | "routing.toml" | "kuaiwei.toml")
                || ANCHOR_FILES.contains(&path)
        }
    }
}

/// `2027.toml` and the like; not hidden files (`calendar load` writes `.2027.toml.tmp` first).
fn is_calendar_name(name: &str) -> bool {
    name.ends_with(".toml")
        && !name.starts_with('.')
        && !name.contains('/')
        && !name.contains('\\')
        && name != ".."
}

/// SHA-256 (hex) and size of a file.
pub fn hash_file(path: &Path, progress: &ProgressBar) -> std::io::Result<(String, u64)> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        size += n as u64;
        progress.inc(n as u64);
    }
    Ok((hex::encode(h.finalize()), size))
}

/// Copies `src` to the new file `dst`, hashing on the way, and fsyncs it; returns the digest
/// and size of what was written.
pub fn copy_hashed(src: &Path, dst: &Path, progress: &ProgressBar) -> Result<(String, u64)> {
    let mut from =
        File::open(src).with_context(|| format!("无法读取 / cannot read {}", src.display()))?;
    if let Some(dir) = dst.parent() {
        fs::create_dir_all(dir)
            .with_context(|| format!("无法创建目录 / cannot create {}", dir.display()))?;
    }
    let mut to = File::create_new(dst)
        .with_context(|| format!("无法创建 / cannot create {}", dst.display()))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = from
            .read(&mut buf)
            .with_context(|| format!("无法读取 / cannot read {}", src.display()))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        to.write_all(&buf[..n])
            .with_context(|| format!("无法写入 / cannot write {}", dst.display()))?;
        size += n as u64;
        progress.inc(n as u64);
    }
    to.sync_all()
        .with_context(|| format!("无法写入 / cannot write {}", dst.display()))?;
    Ok((hex::encode(h.finalize()), size))
}

/// Fsyncs a directory and every directory below it, so that the names of the files just
/// written survive a power cut.
pub fn sync_tree(dir: &Path) -> Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            sync_tree(&entry.path())?;
        }
    }
    File::open(dir)?.sync_all()?;
    Ok(())
}

/// A byte-counting bar on a terminal; nothing at all when stderr is not one (cron, CI, pipes).
pub fn progress(total: u64, what: &'static str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ({eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_message(what);
    bar
}

/// A line on stderr when it is a terminal: what the command is doing now.
pub fn step(text: &str) {
    if std::io::stderr().is_terminal() {
        eprintln!("{text}");
    }
}

/// `kuaiwei backup DEST`.
pub async fn run(dest: &Path, args: &StoreArgs, file: &FileConfig, data_dir: &Path) -> Result<()> {
    let started = std::time::Instant::now();
    let target = Target::of(args, file, data_dir)?;
    if let Target::Sqlite(db) = &target
        && !db.is_file()
    {
        bail!(
            "数据目录中没有数据库 {}：请用 --data-dir 指定数据目录 / no database at {}: point --data-dir at the data directory",
            db.display(),
            db.display()
        );
    }
    refuse_non_empty(dest)?;
    let partial = partial_path(dest)?;
    if partial.exists() {
        eprintln!(
            "删除上次中断的备份 {} / removing {} left by an interrupted backup",
            partial.display(),
            partial.display()
        );
        fs::remove_dir_all(&partial)
            .with_context(|| format!("无法删除 / cannot remove {}", partial.display()))?;
    }
    fs::create_dir_all(&partial).with_context(|| {
        format!(
            "无法创建备份目录 / cannot create the backup directory {}",
            partial.display()
        )
    })?;
    match write_backup(&target, &partial, dest, data_dir, started).await {
        Ok(()) => Ok(()),
        Err(e) => {
            // an incomplete backup is not left to be mistaken for anything
            let _ = fs::remove_dir_all(&partial);
            Err(e)
        }
    }
}

/// Everything after DEST.partial was created; `DEST` appears only at the very end.
async fn write_backup(
    target: &Target,
    partial: &Path,
    dest: &Path,
    data_dir: &Path,
    started: std::time::Instant,
) -> Result<()> {
    let created_at = jiff::Timestamp::now();

    // 0. The audit anchors, before the snapshot (see the module's comment).
    let mut config = Vec::new();
    for rel in anchor_files(data_dir) {
        let (sha256, size) = copy_hashed(
            &data_dir.join(&rel),
            &partial.join(&rel),
            &ProgressBar::hidden(),
        )?;
        config.push(FileEntry {
            path: rel,
            sha256,
            size,
        });
    }

    // 1. The database, as one snapshot, and what that snapshot holds.
    step("数据库快照 / database snapshot …");
    let (db_name, inventory) = match target {
        Target::Sqlite(db) => {
            let out = partial.join(SQLITE_FILE);
            kuaiwei_store_sqlite::backup::snapshot_into(db, &out).await?;
            let inv = kuaiwei_store_sqlite::backup::file_inventory(&out).await?;
            (SQLITE_FILE, inv)
        }
        Target::Postgres(url) => {
            let out = partial.join(PG_DUMP_FILE);
            (PG_DUMP_FILE, pg_dump(url, &out).await?)
        }
    };
    let (sha256, size) = hash_file(&partial.join(db_name), &ProgressBar::hidden())
        .with_context(|| format!("无法读取 / cannot read {db_name}"))?;
    File::open(partial.join(db_name))?.sync_all()?;
    let database = FileEntry {
        path: db_name.into(),
        sha256,
        size,
    };

    // 2. The evidence files the snapshot references, each checked against its digest.
    let evidence = copy_evidence(&inventory, data_dir, partial)?;

    // 3. Local configuration.
    for rel in config_files(data_dir)? {
        let (sha256, size) = copy_hashed(
            &data_dir.join(&rel),
            &partial.join(&rel),
            &ProgressBar::hidden(),
        )?;
        config.push(FileEntry {
            path: rel,
            sha256,
            size,
        });
    }

    let manifest = Manifest {
        format: FORMAT,
        kuaiwei_version: env!("CARGO_PKG_VERSION").into(),
        store: target.kind(),
        created_at: created_at.to_string(),
        database,
        audit_head: inventory
            .audit_head
            .clone()
            .map(|(seq, hash)| AuditHead { seq, hash }),
        counts: Counts::of(&inventory),
        evidence,
        config,
        not_included: vec![
            "search-index: rebuilt by `kuaiwei reindex` after a restore".into(),
            "report-facts.bin: the server's copy of the clocks, loaded from the store at the next start".into(),
            "evidence/tmp: uploads in progress, not yet part of any complaint".into(),
            "files of evidence no complaint in the snapshot references (filed later)".into(),
        ],
    };
    let mut text = serde_json::to_string_pretty(&manifest)?;
    text.push('\n');
    let mut m = File::create_new(partial.join(MANIFEST))?;
    m.write_all(text.as_bytes())?;
    m.sync_all()?;
    drop(m);
    sync_tree(partial)?;

    // 4. Complete: only now does DEST appear.
    fs::rename(partial, dest).with_context(|| {
        format!(
            "无法将 {} 改名为 {} / cannot rename {} to {}",
            partial.display(),
            dest.display(),
            partial.display(),
            dest.display()
        )
    })?;
    if let Some(parent) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
        File::open(parent)?.sync_all()?;
    }
    let bytes: u64 = manifest.evidence.iter().map(|e| e.size).sum();
    println!(
        "ok: 备份完成 / backup complete in {:.1} s: {} ({}, {} bytes), {} complaints, {} cases, \
         {} audit events (head {}), {} evidence files ({} bytes), {} config files -> {}",
        started.elapsed().as_secs_f64(),
        manifest.database.path,
        manifest.store,
        manifest.database.size,
        manifest.counts.complaints,
        manifest.counts.cases,
        manifest.counts.audit_events,
        manifest
            .audit_head
            .as_ref()
            .map(|h| h.seq.to_string())
            .unwrap_or_else(|| "—".into()),
        manifest.counts.evidence_files,
        bytes,
        manifest.config.len(),
        dest.display()
    );
    Ok(())
}

/// DEST must not exist, or be an empty directory.
fn refuse_non_empty(dest: &Path) -> Result<()> {
    if !dest.exists() {
        return Ok(());
    }
    let empty_dir = dest.is_dir()
        && fs::read_dir(dest)
            .with_context(|| format!("无法读取 / cannot read {}", dest.display()))?
            .next()
            .is_none();
    if !empty_dir {
        bail!(
            "备份目标 {} 已存在且不为空，不会覆盖 / the backup destination {} exists and is not empty; it is never overwritten",
            dest.display(),
            dest.display()
        );
    }
    Ok(())
}

/// `DEST.partial`, beside DEST.
fn partial_path(dest: &Path) -> Result<PathBuf> {
    let name = dest.file_name().ok_or_else(|| {
        anyhow!(
            "备份目标须是目录名 / the backup destination must name a directory: {}",
            dest.display()
        )
    })?;
    let mut partial = name.to_os_string();
    partial.push(".partial");
    Ok(dest.with_file_name(partial))
}

/// Copies every evidence file of the inventory from the data directory into the backup.
fn copy_evidence(inv: &Inventory, data_dir: &Path, partial: &Path) -> Result<Vec<FileEntry>> {
    let total: u64 = inv.evidence.iter().map(|e| e.size).sum();
    let bar = progress(total, "证据文件 / evidence");
    let mut out = Vec::with_capacity(inv.evidence.len());
    for e in &inv.evidence {
        let rel = evidence_path(&e.sha256).ok_or_else(|| {
            anyhow!(
                "数据库中的证据摘要格式错误 / the database holds a malformed evidence digest {:?}",
                e.sha256
            )
        })?;
        let src = data_dir.join(&rel);
        if !src.is_file() {
            bar.abandon();
            bail!(
                "证据文件缺失：{}（数据库引用了它）/ evidence file missing: {} (the database references it)",
                src.display(),
                src.display()
            );
        }
        let (sha256, size) = copy_hashed(&src, &partial.join(&rel), &bar)?;
        if sha256 != e.sha256 || size != e.size {
            bar.abandon();
            bail!(
                "证据文件已损坏：{} 的 SHA-256 为 {sha256}（{size} 字节），与其名称不符 / evidence file corrupt: {} has SHA-256 {sha256} ({size} bytes), not its name",
                src.display(),
                src.display()
            );
        }
        out.push(FileEntry {
            path: rel,
            sha256,
            size,
        });
    }
    bar.finish_and_clear();
    Ok(out)
}

/// `pg_dump --format=custom` of a snapshot exported by a transaction that reads the inventory
/// from the same snapshot.
async fn pg_dump(url: &str, out: &Path) -> Result<Inventory> {
    let mut snapshot = kuaiwei_store_postgres::backup::export_snapshot(url).await?;
    let args = vec![
        "--format=custom".to_string(),
        "--no-password".into(),
        format!("--snapshot={}", snapshot.id()),
        format!("--file={}", out.display()),
        format!("--dbname={url}"),
    ];
    let dump = tokio::task::spawn_blocking(move || pg_tool("pg_dump", &args));
    let inventory = snapshot.inventory().await?;
    // pg_dump imports the snapshot at its start; the transaction stays open until it is done
    dump.await??;
    snapshot.release().await?;
    Ok(inventory)
}

/// Runs a PostgreSQL client tool found on PATH; its stderr becomes the error.
pub fn pg_tool(tool: &str, args: &[String]) -> Result<()> {
    let output = match std::process::Command::new(tool).args(args).output() {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "找不到 {tool}：请安装 PostgreSQL 客户端工具（Debian/Ubuntu: apt-get install postgresql-client），并确保它在 PATH 中 / {tool} not found: install the PostgreSQL client tools (Debian/Ubuntu: apt-get install postgresql-client) and put them on PATH"
        ),
        Err(e) => bail!("无法运行 {tool} / cannot run {tool}: {e}"),
    };
    if !output.status.success() {
        bail!(
            "{tool} 失败 / {tool} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_becomes_a_path_only_when_it_is_64_lowercase_hex_digits() {
        let d = "ab".repeat(32);
        assert_eq!(
            evidence_path(&d).as_deref(),
            Some(format!("evidence/sha256/ab/{d}").as_str())
        );
        assert_eq!(evidence_path("../../etc/passwd"), None);
        assert_eq!(evidence_path(&"AB".repeat(32)), None);
        assert_eq!(evidence_path(&"ab".repeat(31)), None);
    }

    #[test]
    fn a_manifest_names_only_configuration_inside_the_data_directory() {
        assert!(is_config_path("calendar/2027.toml"));
        assert!(is_config_path("routing.toml"));
        assert!(!is_config_path("calendar/../../x.toml"));
        assert!(!is_config_path("calendar/.2027.toml.tmp"));
        assert!(!is_config_path("/etc/kuaiwei.toml"));
        assert!(!is_config_path("evil.toml"));
        assert!(!is_config_path("calendar/sub/2027.toml"));
        assert!(is_config_path("audit-anchors.log"));
        assert!(is_config_path("audit-anchor.key"));
        assert!(!is_config_path("calendar/audit-anchor.key"));
    }

    #[test]
    fn the_partial_directory_sits_beside_the_destination() {
        assert_eq!(
            partial_path(Path::new("/backups/2026-12-01")).unwrap(),
            PathBuf::from("/backups/2026-12-01.partial")
        );
        assert!(partial_path(Path::new("/")).is_err());
    }
}
