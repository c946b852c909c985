//! `kuaiwei notify digest`: the daily deadline watch (期限预警) written to the outbox, one e-mail
//! per officer and supervisor whose account has an address and who has cases overdue or due
//! within `--days`; the running server's delivery worker sends them (deploy/kuaiwei-watch.timer
//! runs it every morning). Run twice on one day, it writes nothing new.

use std::path::Path;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};

use crate::StoreArgs;
use crate::config::FileConfig;

#[derive(Subcommand)]
pub enum NotifyCmd {
    /// Write today's deadline digest for each officer and supervisor with an e-mail address
    /// (once a day: a second run the same day writes nothing)
    Digest(DigestArgs),
}

#[derive(Args)]
pub struct DigestArgs {
    /// How far ahead "due soon" looks, in days (1-90)
    #[arg(long, default_value_t = 7)]
    days: u32,
    #[command(flatten)]
    store: StoreArgs,
}

pub async fn run(cmd: NotifyCmd, file: &FileConfig, data_dir: &Path) -> Result<()> {
    let NotifyCmd::Digest(a) = cmd;
    if file.notify()?.is_none_or(|c| c.email.is_none()) {
        bail!(
            "配置项 [notify.email] 未设置：期限预警通过电子邮件发送 / [notify.email] is not \
             configured: the digest goes by e-mail (docs/operations.md, Notifications)"
        );
    }
    let store = crate::existing_store(&a.store, file, data_dir).await?;
    let (reports, calendar) = crate::reports_of(store.clone(), data_dir)?;
    let now = jiff::Timestamp::now();
    let watch = reports
        .watch(a.days, None, None, now, &calendar)
        .await
        .map_err(crate::report_error)?;
    let run = kuaiwei_notify::digest::write(store.as_ref(), &watch, now).await?;
    println!(
        "期限预警 / deadline watch {}: {} 位收件人 / recipients, 新写入 / newly written {}",
        kuaiwei_deadlines::local_date(now),
        run.recipients,
        run.written
    );
    Ok(())
}
