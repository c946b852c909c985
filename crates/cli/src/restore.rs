//! `kuaiwei restore SRC`: a backup made by `kuaiwei backup` put back into the configured data
//! directory and database, then verified.
//!
//! Nothing is written until both checks pass: the target is empty (no complaint in its
//! database, no file in its evidence folder), and every file the manifest lists is in the
//! backup with its SHA-256 and size. Then the database is restored (SQLite: the file copied;
//! PostgreSQL: `pg_restore` in one transaction), the evidence files copied (and hashed again on
//! the way), and the result verified as an operator would: the audit chain walked as `kuaiwei
//! audit verify` walks it, the counts and chain head compared with the manifest, and every
//! evidence row of the restored database checked against its file. A failed verification is
//! reported loudly and the command exits non-zero.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use indicatif::ProgressBar;

use crate::StoreArgs;
use crate::backup::{
    self, AuditHead, Counts, FORMAT, FileEntry, MANIFEST, Manifest, StoreKind, Target,
    evidence_path, hash_file, is_config_path, progress, step,
};
use crate::config::FileConfig;

/// `kuaiwei restore SRC`.
pub async fn run(src: &Path, args: &StoreArgs, file: &FileConfig, data_dir: &Path) -> Result<()> {
    let started = std::time::Instant::now();
    let manifest = read_manifest(src)?;
    let target = Target::of(args, file, data_dir)?;
    if manifest.store != target.kind() {
        bail!(
            "备份来自 {}，而配置的存储是 {}：恢复只能在同类存储之间进行（从 SQLite 迁往 PostgreSQL 见 docs/operations.md）/ the backup is of a {} store but the configured store is {}: restore into the same kind (moving from SQLite to PostgreSQL: see docs/operations.md)",
            manifest.store,
            target.kind(),
            manifest.store,
            target.kind()
        );
    }

    // Before anything is written: an empty target, and a complete, intact backup.
    refuse_non_empty_target(&target, data_dir).await?;
    step("校验备份 / checking the backup …");
    verify_backup(src, &manifest).await?;

    // The database.
    step("恢复数据库 / restoring the database …");
    match &target {
        Target::Sqlite(db) => restore_sqlite(src, &manifest.database, db)?,
        Target::Postgres(url) => {
            let args = vec![
                "--single-transaction".to_string(),
                "--exit-on-error".into(),
                "--no-owner".into(),
                "--no-privileges".into(),
                "--no-password".into(),
                // a database kuaiwei has only migrated (no complaint) gets the backup's schema
                "--clean".into(),
                "--if-exists".into(),
                format!("--dbname={url}"),
                src.join(&manifest.database.path).display().to_string(),
            ];
            tokio::task::spawn_blocking(move || backup::pg_tool("pg_restore", &args)).await??;
        }
    }

    // The evidence files, and the configuration the target does not have yet.
    let total: u64 = manifest.evidence.iter().map(|e| e.size).sum();
    let bar = progress(total, "证据文件 / evidence");
    for e in &manifest.evidence {
        install(&src.join(&e.path), &data_dir.join(&e.path), e, &bar)?;
    }
    bar.finish_and_clear();
    let mut kept = Vec::new();
    let mut set_aside = Vec::new();
    for c in &manifest.config {
        let to = data_dir.join(&c.path);
        // the anchors are about the chain being restored: the target's own, about another
        // chain (or a later state of this one), are set aside, never lost
        if backup::ANCHOR_FILES.contains(&c.path.as_str()) && to.exists() {
            let (sha256, _) = hash_file(&to, &ProgressBar::hidden())?;
            if sha256 != c.sha256 {
                let aside = to.with_file_name(format!(
                    "{}.before-restore-{}",
                    c.path,
                    jiff::Timestamp::now().as_second()
                ));
                fs::rename(&to, &aside)
                    .with_context(|| format!("无法改名 / cannot rename {}", to.display()))?;
                set_aside.push(aside);
            }
        }
        if to.exists() {
            let (sha256, _) = hash_file(&to, &ProgressBar::hidden())?;
            if sha256 != c.sha256 {
                kept.push(c.path.clone());
            }
            continue;
        }
        install(&src.join(&c.path), &to, c, &ProgressBar::hidden())?;
    }

    // The server's saved copy of the clocks is of the old history: it would be refused at the
    // next start (its change-log entry differs), but it is not kept to be sure.
    match fs::remove_file(data_dir.join(crate::REPORT_COPY)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(e).with_context(|| {
                format!(
                    "无法删除旧的报表副本 {} / cannot remove the old saved copy of the clocks {}",
                    crate::REPORT_COPY,
                    crate::REPORT_COPY
                )
            });
        }
        _ => {}
    }

    // Verification of what now stands.
    step("校验恢复结果 / verifying the restored store …");
    let problems = verify_restored(&manifest, args, file, data_dir).await?;
    if !problems.is_empty() {
        eprintln!("!!! 恢复后校验失败 / RESTORE VERIFICATION FAILED:");
        for p in &problems {
            eprintln!("!!!   {p}");
        }
        bail!(
            "恢复后校验失败，发现 {} 处问题，请勿使用此数据 / restore verification failed with {} problem(s): do not serve this data",
            problems.len(),
            problems.len()
        );
    }
    for a in &set_aside {
        eprintln!(
            "数据目录中原有的审计锚定文件已移至 {}，改用备份中的 / the data directory's own audit anchor file was set aside as {}; the backup's is used",
            a.display(),
            a.display()
        );
    }
    for k in &kept {
        eprintln!(
            "保留了数据目录中已有的 {k}，与备份中的不同；备份中的副本在 {} / kept the existing {k}, which differs from the backup's copy at {}",
            src.join(k).display(),
            src.join(k).display()
        );
    }
    println!(
        "ok: 恢复完成并已校验 / restored and verified in {:.1} s: {} complaints, {} cases, {} audit events (chain intact, head {}), {} evidence files (every digest checked), {} config files; 请运行 / now run `kuaiwei reindex` to rebuild the search index",
        started.elapsed().as_secs_f64(),
        manifest.counts.complaints,
        manifest.counts.cases,
        manifest.counts.audit_events,
        manifest
            .audit_head
            .as_ref()
            .map(|h| h.seq.to_string())
            .unwrap_or_else(|| "—".into()),
        manifest.counts.evidence_files,
        manifest.config.len() - kept.len(),
    );
    Ok(())
}

fn read_manifest(src: &Path) -> Result<Manifest> {
    let path = src.join(MANIFEST);
    if !src.is_dir() {
        bail!(
            "找不到备份目录 {} / no backup directory at {}",
            src.display(),
            src.display()
        );
    }
    let text = fs::read_to_string(&path).with_context(|| {
        format!(
            "备份中没有可读的清单 {}（备份不完整？）/ cannot read the manifest {} (an incomplete backup?)",
            path.display(),
            path.display()
        )
    })?;
    let m: Manifest = serde_json::from_str(&text).map_err(|e| {
        anyhow!(
            "清单 {} 已损坏 / the manifest {} is corrupt: {e}",
            path.display(),
            path.display()
        )
    })?;
    if m.format != FORMAT {
        bail!(
            "清单格式 {} 不受支持（本版本读取格式 {FORMAT}）/ manifest format {} is not supported (this kuaiwei reads format {FORMAT})",
            m.format,
            m.format
        );
    }
    if version(&m.kuaiwei_version) > version(env!("CARGO_PKG_VERSION")) {
        bail!(
            "备份由较新的 kuaiwei {} 制作，本程序为 {}：请用同版本或更新版本恢复 / the backup was made by kuaiwei {}, newer than this {}: restore with that version or a later one",
            m.kuaiwei_version,
            env!("CARGO_PKG_VERSION"),
            m.kuaiwei_version,
            env!("CARGO_PKG_VERSION")
        );
    }
    // Paths come from a file anyone could have edited: each must stay inside the backup and
    // inside the data directory.
    let db_ok = match m.store {
        StoreKind::Sqlite => m.database.path == backup::SQLITE_FILE,
        StoreKind::Postgres => m.database.path == backup::PG_DUMP_FILE,
    };
    if !db_ok {
        bail!(
            "清单中的数据库文件名无效 / the manifest names an invalid database file {:?}",
            m.database.path
        );
    }
    for e in &m.evidence {
        if evidence_path(&e.sha256).as_deref() != Some(e.path.as_str()) {
            bail!(
                "清单中的证据条目无效 / the manifest holds an invalid evidence entry {:?}",
                e.path
            );
        }
    }
    for c in &m.config {
        if !is_config_path(&c.path) {
            bail!(
                "清单中的配置文件路径无效 / the manifest names an invalid configuration path {:?}",
                c.path
            );
        }
    }
    Ok(m)
}

/// `1.12.3` as (1, 12, 3); a part that is not a number counts as 0.
fn version(v: &str) -> (u64, u64, u64) {
    let mut parts = v
        .split(['.', '-', '+'])
        .map(|p| p.parse::<u64>().unwrap_or(0));
    (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}

/// Refuses a target that holds any complaint or any evidence file.
async fn refuse_non_empty_target(target: &Target, data_dir: &Path) -> Result<()> {
    let complaints = match target {
        Target::Sqlite(db) => kuaiwei_store_sqlite::backup::complaints_in(db).await?,
        Target::Postgres(url) => kuaiwei_store_postgres::backup::complaints_in(url).await?,
    };
    if let Some(n) = complaints.filter(|n| *n > 0) {
        let what = match target {
            Target::Sqlite(db) => db.display().to_string(),
            Target::Postgres(_) => "PostgreSQL".to_string(),
        };
        bail!(
            "恢复目标不为空：数据库 {what} 中已有 {n} 件投诉，恢复不会覆盖任何数据 / the restore target is not empty: the database {what} holds {n} complaints, and a restore never overwrites data"
        );
    }
    let evidence = data_dir.join("evidence").join("sha256");
    if let Some(f) = first_file(&evidence)? {
        bail!(
            "恢复目标不为空：证据目录 {} 中已有文件（如 {}）/ the restore target is not empty: the evidence folder {} holds files (e.g. {})",
            evidence.display(),
            f.display(),
            evidence.display(),
            f.display()
        );
    }
    Ok(())
}

fn first_file(dir: &Path) -> Result<Option<std::path::PathBuf>> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(None);
    };
    for entry in entries {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            if let Some(f) = first_file(&entry.path())? {
                return Ok(Some(f));
            }
        } else {
            return Ok(Some(entry.path()));
        }
    }
    Ok(None)
}

/// Every file the manifest lists is present with its size and SHA-256; a SQLite backup's
/// database also references no evidence file the backup lacks.
async fn verify_backup(src: &Path, m: &Manifest) -> Result<()> {
    let files: Vec<&FileEntry> = std::iter::once(&m.database)
        .chain(&m.evidence)
        .chain(&m.config)
        .collect();
    let total: u64 = files.iter().map(|f| f.size).sum();
    let bar = progress(total, "校验 / checking");
    for f in files {
        let path = src.join(&f.path);
        if !path.is_file() {
            bar.abandon();
            bail!(
                "备份不完整：缺少 {} / the backup is incomplete: {} is missing",
                path.display(),
                path.display()
            );
        }
        let (sha256, size) = hash_file(&path, &bar)
            .with_context(|| format!("无法读取 / cannot read {}", path.display()))?;
        if sha256 != f.sha256 || size != f.size {
            bar.abandon();
            bail!(
                "备份文件已被改动或损坏：{} 的 SHA-256 与清单不符 / the backup file {} has been altered or damaged: its SHA-256 does not match the manifest",
                path.display(),
                path.display()
            );
        }
    }
    bar.finish_and_clear();
    if m.store == StoreKind::Sqlite {
        let inv = kuaiwei_store_sqlite::backup::file_inventory(&src.join(&m.database.path)).await?;
        let listed: std::collections::HashSet<&str> =
            m.evidence.iter().map(|e| e.sha256.as_str()).collect();
        if let Some(e) = inv
            .evidence
            .iter()
            .find(|e| !listed.contains(e.sha256.as_str()))
        {
            bail!(
                "备份不完整：数据库引用的证据文件 {} 不在清单中 / the backup is incomplete: the database references evidence {} that the manifest does not list",
                e.sha256,
                e.sha256
            );
        }
        let complaints = inv.complaints;
        let head = inv.audit_head.map(|(seq, hash)| AuditHead { seq, hash });
        if complaints != m.counts.complaints || head != m.audit_head {
            bail!(
                "备份的数据库与清单不符（投诉数或审计链末端不同）/ the backup's database does not match its manifest (complaint count or audit chain head differ)"
            );
        }
    }
    Ok(())
}

/// Copies the SQLite file into place under a temporary name, then renames it over whatever
/// empty database was there (its `-wal` and `-shm` files removed first).
fn restore_sqlite(src: &Path, entry: &FileEntry, db: &Path) -> Result<()> {
    if let Some(dir) = db.parent() {
        fs::create_dir_all(dir)
            .with_context(|| format!("无法创建数据目录 / cannot create {}", dir.display()))?;
    }
    let tmp = db.with_extension("db.restoring");
    let _ = fs::remove_file(&tmp);
    let bar = progress(entry.size, "数据库 / database");
    let (sha256, size) = backup::copy_hashed(&src.join(&entry.path), &tmp, &bar)?;
    bar.finish_and_clear();
    if sha256 != entry.sha256 || size != entry.size {
        let _ = fs::remove_file(&tmp);
        bail!(
            "复制中数据库文件发生变化 / the database file changed while it was copied: {}",
            src.join(&entry.path).display()
        );
    }
    for ext in ["db-wal", "db-shm"] {
        let side = db.with_extension(ext);
        if side.exists() {
            fs::remove_file(&side)
                .with_context(|| format!("无法删除 / cannot remove {}", side.display()))?;
        }
    }
    fs::rename(&tmp, db).with_context(|| format!("无法写入 / cannot write {}", db.display()))?;
    if let Some(dir) = db.parent() {
        fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// Copies one file of the backup into the data directory (temporary name, hash checked, then
/// renamed into place).
fn install(from: &Path, to: &Path, entry: &FileEntry, bar: &ProgressBar) -> Result<()> {
    let mut tmp_name = to.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(".restoring");
    let tmp = to.with_file_name(tmp_name);
    let _ = fs::remove_file(&tmp);
    let (sha256, size) = backup::copy_hashed(from, &tmp, bar)?;
    if sha256 != entry.sha256 || size != entry.size {
        let _ = fs::remove_file(&tmp);
        bail!(
            "复制中文件发生变化 / the file changed while it was copied: {}",
            from.display()
        );
    }
    fs::rename(&tmp, to).with_context(|| format!("无法写入 / cannot write {}", to.display()))?;
    if let Some(dir) = to.parent() {
        fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// The restored store checked as `audit verify` checks it, against the manifest, and every
/// evidence row against its file; the problems found (none: all is well).
async fn verify_restored(
    m: &Manifest,
    args: &StoreArgs,
    file: &FileConfig,
    data_dir: &Path,
) -> Result<Vec<String>> {
    let store = crate::open_store(args, file, data_dir).await?;
    let mut problems = Vec::new();
    if let Err(e) = crate::verify_audit(store.as_ref(), file, data_dir, false, true).await {
        problems.push(format!("{e:#}"));
    }
    let inv = store.inventory().await?;
    let got = Counts::of(&inv);
    if got != m.counts {
        problems.push(format!(
            "数量与清单不符 / counts differ from the manifest: restored {got:?}, manifest {:?}",
            m.counts
        ));
    }
    let head = inv
        .audit_head
        .clone()
        .map(|(seq, hash)| AuditHead { seq, hash });
    if head != m.audit_head {
        problems.push(format!(
            "审计链末端与清单不符 / the audit chain head differs from the manifest: restored {head:?}, manifest {:?}",
            m.audit_head
        ));
    }
    let total: u64 = inv.evidence.iter().map(|e| e.size).sum();
    let bar = progress(total, "校验证据 / verifying evidence");
    for e in &inv.evidence {
        let Some(rel) = evidence_path(&e.sha256) else {
            problems.push(format!(
                "证据摘要格式错误 / malformed evidence digest {:?}",
                e.sha256
            ));
            continue;
        };
        let path = data_dir.join(&rel);
        match hash_file(&path, &bar) {
            Ok((sha256, size)) if sha256 == e.sha256 && size == e.size => {}
            Ok(_) => problems.push(format!(
                "证据文件内容与摘要不符 / evidence file does not match its digest: {}",
                path.display()
            )),
            Err(_) => problems.push(format!(
                "证据文件缺失 / evidence file missing: {}",
                path.display()
            )),
        }
    }
    bar.finish_and_clear();
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::version;

    #[test]
    fn versions_compare_by_number_not_by_text() {
        assert!(version("0.10.0") > version("0.9.3"));
        assert!(version("1.0.0") > version("0.99.99"));
        assert_eq!(version("0.1.0"), version("0.1.0-dev"));
    }
}
