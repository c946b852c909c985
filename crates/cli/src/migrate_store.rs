//! `kuaiwei migrate-store --to postgres://…`: the data directory's SQLite store moved into an
//! empty PostgreSQL database, every row of every table as it stands (identifiers, case numbers,
//! audit events byte for byte), then verified as `kuaiwei audit verify` verifies.
//!
//! The SQLite file is only read and is left as it was; the evidence files, calendar years and
//! the audit anchors stay in the data directory, which the PostgreSQL store goes on using. The
//! copy is one PostgreSQL transaction: a failure anywhere leaves the target as it was.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use indicatif::{ProgressBar, ProgressStyle};
use kuaiwei_store::transfer::TableShape;
use kuaiwei_store_postgres::transfer::Target;
use kuaiwei_store_sqlite::transfer::Source;

use crate::backup::step;
use crate::config::FileConfig;

/// Rows handed to PostgreSQL in one statement.
const CHUNK: usize = 2_000;

/// `kuaiwei migrate-store`.
pub async fn run(to: &str, file: &FileConfig, data_dir: &Path) -> Result<()> {
    let started = std::time::Instant::now();
    if !(to.starts_with("postgres://") || to.starts_with("postgresql://")) {
        bail!(
            "--to 应为 PostgreSQL 地址（postgres://…）/ --to must be a PostgreSQL URL (postgres://…), got {:?}",
            to.split(':').next().unwrap_or("")
        );
    }
    let db = data_dir.join("kuaiwei.db");
    if !db.is_file() {
        bail!(
            "数据目录中没有 SQLite 数据库 {}：请用 --data-dir 指定数据目录 / no SQLite database at {}: point --data-dir at the data directory",
            db.display(),
            db.display()
        );
    }
    // No server may write to the SQLite store while it is copied, nor after (its writes would
    // be left behind): a server on SQLite holds this lock for as long as it runs.
    let evidence = kuaiwei_evidence::EvidenceStore::open_exclusive(&data_dir.join("evidence"))
        .await
        .context("无法打开证据目录 / cannot open the evidence folder")?;
    if !evidence.is_exclusive() {
        bail!(
            "kuaiwei 服务正在使用数据目录 {}：请先停止服务 / a kuaiwei server is using the data directory {}: stop it first",
            data_dir.display(),
            data_dir.display()
        );
    }

    step("升级两个数据库的结构 / bringing both schemas up to date …");
    let opts = kuaiwei_store_sqlite::WriteOptions { max_batch: 1 };
    kuaiwei_store_sqlite::SqliteStore::open(&db, opts)
        .await
        .context("无法打开 SQLite 数据库 / cannot open the SQLite database")?
        .close()
        .await;
    let opts = kuaiwei_store_postgres::WriteOptions { max_batch: 1 };
    kuaiwei_store_postgres::PostgresStore::connect(to, opts)
        .await
        .context("无法打开目标 PostgreSQL 数据库 / cannot open the target PostgreSQL database")?
        .close()
        .await;

    let mut source = Source::open(&db).await?;
    let mut target = Target::open(to).await?;
    let tables = target.tables().await?;
    let source_tables = source.tables().await?;
    check_shapes(&source_tables, tables.iter().map(|t| &t.shape))?;
    target.refuse_non_empty(&tables).await?;

    let mut total = 0;
    for t in &tables {
        total += source.count(&t.shape.name).await?;
    }
    let bar = rows_bar(total);
    let mut copied = Vec::with_capacity(tables.len());
    for t in &tables {
        let columns = &source_tables
            .iter()
            .find(|s| s.name == t.shape.name)
            .expect("check_shapes found every table")
            .columns;
        bar.set_message(t.shape.name.clone());
        target.clear_seeded(&t.shape.name).await?;
        let read = source
            .each_chunk(&t.shape.name, columns, CHUNK, async |rows| {
                let n = rows.len() as u64;
                target.insert(t, columns, rows).await?;
                bar.inc(n);
                Ok(())
            })
            .await?;
        let written = target.count(&t.shape.name).await?;
        if written != read {
            bail!(
                "表 {} 读出 {read} 行，写入后有 {written} 行；未提交任何数据 / table {}: {read} rows read but {written} in the target; nothing was committed",
                t.shape.name,
                t.shape.name
            );
        }
        copied.push((t.shape.name.clone(), read));
    }
    bar.finish_and_clear();
    let expected = source.inventory().clone();
    let got = target.inventory().await?;
    if got != expected {
        bail!(
            "迁入的数据与源数据库不一致，未提交 / the copy does not match the source, nothing was committed: source {}, target {}",
            describe(&expected),
            describe(&got)
        );
    }
    step("提交 / committing …");
    target.finish(&tables).await?;
    source.close().await?;

    step("校验审计链、投诉与证据 / verifying the audit chain, complaints and evidence …");
    let opts = kuaiwei_store_postgres::WriteOptions { max_batch: 256 };
    let store = kuaiwei_store_postgres::PostgresStore::connect(to, opts).await?;
    let verified = crate::verify_audit(&store, file, data_dir, false, false).await;
    store.close().await;
    verified.map_err(|e| {
        anyhow!(
            "!!! MIGRATION VERIFICATION FAILED: {e:#}. 数据已写入目标数据库，但不要使用它；SQLite 数据库未改动 / the rows were committed to the target, but do not serve it; the SQLite database is unchanged"
        )
    })?;

    let rows: u64 = copied.iter().map(|(_, n)| n).sum();
    println!(
        "已迁移 / migrated {rows} rows in {} tables ({} complaints, {} cases, {} audit events, {} evidence files) in {:.1} s",
        copied.len(),
        expected.complaints,
        expected.cases,
        expected.audit_events,
        expected.evidence.len(),
        started.elapsed().as_secs_f64()
    );
    let filled: Vec<String> = copied
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(t, n)| format!("{t} {n}"))
        .collect();
    println!("行数 / rows by table: {}", filled.join(", "));
    println!(
        "下一步 / next: 在配置中设置 database_url（或 KUAIWEI_DATABASE_URL），运行 `kuaiwei reindex`，再启动服务；{} 保持原样，可留作回退 / set database_url in the config (or KUAIWEI_DATABASE_URL), run `kuaiwei reindex`, then start the server; {} is left as it was, as a fallback",
        db.display(),
        db.display()
    );
    Ok(())
}

/// Every table and column the target has must come from the source, and the source may hold
/// no table the target lacks: either would lose data or fill columns with nothing.
fn check_shapes<'a>(
    source: &[TableShape],
    target: impl Iterator<Item = &'a TableShape>,
) -> Result<()> {
    let target: Vec<&TableShape> = target.collect();
    let mut problems = Vec::new();
    for t in &target {
        match source.iter().find(|s| s.name == t.name) {
            None => problems.push(format!(
                "源数据库缺少表 / the source lacks table {}",
                t.name
            )),
            Some(s) => {
                for c in t.columns.iter().filter(|c| !s.columns.contains(c)) {
                    problems.push(format!(
                        "源数据库缺少列 / the source lacks column {}.{c}",
                        t.name
                    ));
                }
                for c in s.columns.iter().filter(|c| !t.columns.contains(c)) {
                    problems.push(format!(
                        "目标数据库缺少列 / the target lacks column {}.{c}",
                        t.name
                    ));
                }
            }
        }
    }
    for s in source
        .iter()
        .filter(|s| !target.iter().any(|t| t.name == s.name))
    {
        problems.push(format!(
            "目标数据库缺少表 / the target lacks table {}",
            s.name
        ));
    }
    if problems.is_empty() {
        return Ok(());
    }
    bail!(
        "两个数据库的结构不一致（kuaiwei 版本不同？）/ the two schemas differ (different kuaiwei versions?): {}",
        problems.join("; ")
    )
}

fn describe(inv: &kuaiwei_store::Inventory) -> String {
    format!(
        "{} complaints, {} cases, {} events, head {:?}, {} evidence files",
        inv.complaints,
        inv.cases,
        inv.audit_events,
        inv.audit_head.as_ref().map(|(seq, _)| seq),
        inv.evidence.len()
    )
}

/// A row-counting bar on a terminal; nothing when stderr is not one.
fn rows_bar(total: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{msg:24} [{bar:30}] {pos}/{len} rows {per_sec} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(name: &str, columns: &[&str]) -> TableShape {
        TableShape {
            name: name.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
        }
    }

    #[test]
    fn schemas_that_differ_are_named_table_by_table() {
        let source = [shape("cases", &["id", "state"]), shape("extra", &["x"])];
        let target = [shape("cases", &["id", "due"]), shape("complaints", &["id"])];
        let e = check_shapes(&source, target.iter())
            .unwrap_err()
            .to_string();
        for part in [
            "source lacks column cases.due",
            "target lacks column cases.state",
            "source lacks table complaints",
            "target lacks table extra",
        ] {
            assert!(e.contains(part), "{part} missing from {e}");
        }
        let same = [shape("cases", &["id", "state"])];
        assert!(check_shapes(&same, same.iter()).is_ok());
    }
}
