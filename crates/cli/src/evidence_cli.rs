//! `kuaiwei evidence sweep` and `kuaiwei evidence verify`: the evidence directory against the
//! database.

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use kuaiwei_evidence::EvidenceStore;
use kuaiwei_store::Store;

use crate::StoreArgs;

#[derive(Subcommand)]
pub enum EvidenceCmd {
    /// Remove evidence files no committed complaint references (left by a crash between
    /// storing a file and committing its complaint), older than --older-than-minutes; the
    /// server does this at every start
    Sweep(SweepArgs),
    /// Re-hash every evidence file the database lists; exit 1 naming any missing or changed
    Verify(StoreArgs),
}

impl EvidenceCmd {
    pub fn store_args(&self) -> &StoreArgs {
        match self {
            EvidenceCmd::Sweep(a) => &a.store,
            EvidenceCmd::Verify(a) => a,
        }
    }
}

#[derive(Args)]
pub struct SweepArgs {
    /// Only files older than this (a request still in flight on a running server is younger);
    /// 0 removes every unreferenced file: only with every server of this data stopped
    #[arg(long, default_value_t = 60)]
    older_than_minutes: u64,
    #[command(flatten)]
    store: StoreArgs,
}

pub async fn run(cmd: EvidenceCmd, store: &dyn Store, data_dir: &Path) -> Result<()> {
    let evidence = EvidenceStore::open(&data_dir.join("evidence"))
        .await
        .context("cannot open the evidence directory")?;
    let inventory = store
        .inventory()
        .await
        .map_err(|e| anyhow::anyhow!("reading the database: {e}"))?;
    match cmd {
        EvidenceCmd::Sweep(a) => {
            let referenced: HashSet<String> =
                inventory.evidence.into_iter().map(|e| e.sha256).collect();
            let older = Duration::from_secs(a.older_than_minutes * 60);
            let r =
                tokio::task::spawn_blocking(move || evidence.sweep(&referenced, older)).await??;
            for d in &r.removed {
                println!("removed {d}");
            }
            println!(
                "已检查 / checked {} files; 已删除无投诉引用的文件 / removed {} unreferenced ({} bytes); 因较新而保留 / kept {} recent unreferenced",
                r.checked,
                r.removed.len(),
                r.removed_bytes,
                r.kept_recent
            );
            Ok(())
        }
        EvidenceCmd::Verify(_) => {
            let expected: Vec<(String, u64)> = inventory
                .evidence
                .into_iter()
                .map(|e| (e.sha256, e.size))
                .collect();
            let r = tokio::task::spawn_blocking(move || evidence.verify(&expected)).await??;
            for d in &r.missing {
                println!("missing {d}");
            }
            for d in &r.changed {
                println!("changed {d}");
            }
            println!(
                "已校验 / verified {} files ({} bytes); 缺失 / missing {}; 内容已变 / changed {}",
                r.checked,
                r.bytes,
                r.missing.len(),
                r.changed.len()
            );
            if r.missing.is_empty() && r.changed.is_empty() {
                Ok(())
            } else {
                anyhow::bail!(
                    "证据文件与数据库不符 / evidence files do not match the database: {} missing, {} changed",
                    r.missing.len(),
                    r.changed.len()
                )
            }
        }
    }
}
