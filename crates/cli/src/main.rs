//! The `kuaiwei` binary: parses the command line and config, starts tracing, picks the store
//! backend and hands over to the server or the calculator.

#![forbid(unsafe_code)]

mod backup;
mod calendar_cli;
mod config;
mod evidence_cli;
mod migrate_store;
mod notify_cli;
mod restore;
mod token_cli;
mod user_cli;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use kuaiwei_reports::{Period, Reports};
use kuaiwei_server::AppState;
use kuaiwei_store::Store;

use crate::config::FileConfig;

#[derive(Parser)]
#[command(
    name = "kuaiwei",
    version,
    about = "快维: complaint intake, routing and statutory deadlines for IP rights-protection centres"
)]
struct Cli {
    /// Data directory: the SQLite database, evidence files, local calendar years [default: ./data]
    #[arg(long, env = "KUAIWEI_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// Config file (TOML); flags and KUAIWEI_* variables override it
    #[arg(long, env = "KUAIWEI_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve the API (SQLite in the data directory unless a PostgreSQL URL is given)
    Serve(ServeArgs),
    /// Create or upgrade the database schema, then exit
    Migrate(StoreArgs),
    /// The working-day calendar: check a date, add a period, load next year's schedule
    Calendar {
        #[command(subcommand)]
        cmd: calendar_cli::CalendarCmd,
    },
    /// Compute a statutory deadline and show how it was computed
    Deadline(calendar_cli::DeadlineArgs),
    /// Recompute the stored due dates of open cases against the current calendar (after
    /// `calendar load`; kuaiwei also does this at every start)
    Recompute(StoreArgs),
    /// Rebuild the search index from the store, with progress (stop the server first)
    Reindex(StoreArgs),
    /// Reports: `on-time` prints the on-time closure report (按期结案率) of a month, quarter or
    /// year; `freeze` keeps a finished period's report for good; `watch` prints the deadline
    /// digest
    Report {
        #[command(subcommand)]
        cmd: ReportCmd,
    },
    /// Telling staff: `digest` writes today's deadline digest (期限预警) to each officer and
    /// supervisor with an e-mail address, once a day (deploy/kuaiwei-watch.timer)
    Notify {
        #[command(subcommand)]
        cmd: notify_cli::NotifyCmd,
    },
    /// Staff accounts: add, list, contact, disable, reset-password
    User {
        #[command(subcommand)]
        cmd: user_cli::UserCmd,
    },
    /// API keys for platforms that file complaints: add (printed once), list, revoke
    Token {
        #[command(subcommand)]
        cmd: token_cli::TokenCmd,
    },
    /// The audit trail: `verify` walks the hash chain and names the first broken event
    Audit {
        #[command(subcommand)]
        cmd: AuditCmd,
    },
    /// Back up the database, the evidence files it references and the local configuration into
    /// DEST, with a manifest of SHA-256 digests (online: the server may keep writing)
    Backup(BackupArgs),
    /// Restore a backup into an empty data directory and database, then verify the audit chain
    /// and every evidence file
    Restore(RestoreArgs),
    /// Move the data directory's SQLite store into an empty PostgreSQL database (stop the
    /// server first), every row as it stands, then verify the audit chain and evidence
    MigrateStore(MigrateStoreArgs),
    /// Evidence files: `sweep` removes files no complaint references (a crash's leftovers),
    /// `verify` re-hashes every stored file against the database
    Evidence {
        #[command(subcommand)]
        cmd: evidence_cli::EvidenceCmd,
    },
}

#[derive(Args)]
struct BackupArgs {
    /// A new (or empty) directory; written as DEST.partial and renamed when complete
    dest: PathBuf,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Args)]
struct MigrateStoreArgs {
    /// The PostgreSQL database to move into (postgres://…): created empty (createdb), or
    /// migrated by `kuaiwei migrate` and nothing else
    #[arg(long, value_name = "URL")]
    to: String,
}

#[derive(Args)]
struct RestoreArgs {
    /// A directory written by `kuaiwei backup`
    src: PathBuf,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Subcommand)]
enum ReportCmd {
    /// Print the report (the frozen one for a frozen period, with corrections since)
    OnTime(OnTimeArgs),
    /// Freeze a finished period's report (figures and every case behind them, hashed)
    Freeze(FreezeArgs),
    /// The deadline watch (期限预警): open cases overdue or due soon, per agency and officer,
    /// as text, JSON or a page (each officer's and supervisor's own by e-mail: `notify digest`)
    Watch(WatchArgs),
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum WatchFormat {
    Text,
    Json,
    Html,
}

#[derive(Args)]
struct WatchArgs {
    /// How far ahead "due soon" looks, in days (1-90)
    #[arg(long, default_value_t = 7)]
    days: u32,
    /// Only this agency (ip_office, market_regulation, copyright, customs, police)
    #[arg(long)]
    agency: Option<String>,
    /// Only the cases this officer opened
    #[arg(long)]
    officer: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: WatchFormat,
    /// English (text and html)
    #[arg(long)]
    en: bool,
    /// Write to this file instead of standard output
    #[arg(long, short)]
    output: Option<PathBuf>,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ReportFormat {
    Json,
    Csv,
    Xlsx,
    Html,
}

#[derive(Args)]
struct OnTimeArgs {
    /// The month (2026-10), quarter (2026-Q4) or year (2026), in Asia/Shanghai
    #[arg(long, alias = "period", value_name = "PERIOD")]
    month: String,
    #[arg(long, value_enum, default_value = "json")]
    format: ReportFormat,
    /// JSON and CSV: the classified clocks behind the figures, one per case and clock
    #[arg(long)]
    cases: bool,
    /// English page (html only)
    #[arg(long)]
    en: bool,
    /// Write to this file instead of standard output (required for xlsx)
    #[arg(long, short)]
    output: Option<PathBuf>,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Args)]
struct FreezeArgs {
    /// The finished month (2026-10), quarter (2026-Q4) or year (2026)
    #[arg(long, alias = "period", value_name = "PERIOD")]
    month: String,
    /// Who freezes it: the user name of an enabled account that may (a centre supervisor),
    /// recorded in the frozen report as the API records it (`supervisor:NAME`)
    #[arg(long, value_name = "USERNAME")]
    actor: String,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Walk the whole chain; exit 1 naming the first event that was edited, removed or reordered.
    /// The result is recorded on the chain, for the administrator's audit page
    Verify(StoreArgs),
}

#[derive(Args)]
pub struct StoreArgs {
    /// PostgreSQL URL (postgres://…); without it, SQLite in the data directory
    #[arg(long, env = "KUAIWEI_DATABASE_URL")]
    database_url: Option<String>,
    /// Most complaints committed in one transaction (1: one transaction and fsync each)
    #[arg(long, env = "KUAIWEI_COMMIT_BATCH", value_parser = clap::value_parser!(u32).range(1..=4096))]
    commit_batch: Option<u32>,
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "KUAIWEI_LISTEN")]
    listen: Option<SocketAddr>,
    #[command(flatten)]
    store: StoreArgs,
}

/// mimalloc rather than the system allocator: intake is a fifth faster with it (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let file = FileConfig::load(cli.config.as_deref())?;
    let data_dir = cli
        .data_dir
        .or_else(|| file.data_dir.clone())
        .unwrap_or_else(|| PathBuf::from("data"));
    match cli.cmd {
        Cmd::Calendar { cmd } => calendar_cli::run_calendar(cmd, &data_dir),
        Cmd::Deadline(args) => calendar_cli::run_deadline(args, &data_dir),
        Cmd::Migrate(args) => runtime()?.block_on(async {
            open_store(&args, &file, &data_dir).await?;
            println!("schema up to date");
            Ok(())
        }),
        Cmd::Audit {
            cmd: AuditCmd::Verify(args),
        } => runtime()?.block_on(async {
            let store = existing_store(&args, &file, &data_dir).await?;
            verify_audit(store.as_ref(), &file, &data_dir, true, true).await
        }),
        Cmd::Report { cmd } => runtime()?.block_on(run_report(cmd, &file, &data_dir)),
        Cmd::Notify { cmd } => runtime()?.block_on(notify_cli::run(cmd, &file, &data_dir)),
        Cmd::Backup(a) => runtime()?.block_on(backup::run(&a.dest, &a.store, &file, &data_dir)),
        Cmd::Restore(a) => runtime()?.block_on(restore::run(&a.src, &a.store, &file, &data_dir)),
        Cmd::MigrateStore(a) => runtime()?.block_on(migrate_store::run(&a.to, &file, &data_dir)),
        Cmd::User { cmd } => runtime()?.block_on(async {
            let store = if matches!(cmd, user_cli::UserCmd::List(_)) {
                existing_store(cmd.store_args(), &file, &data_dir).await?
            } else {
                open_store(cmd.store_args(), &file, &data_dir).await?
            };
            user_cli::run(cmd, store.as_ref()).await
        }),
        Cmd::Evidence { cmd } => runtime()?.block_on(async {
            let store = existing_store(cmd.store_args(), &file, &data_dir).await?;
            evidence_cli::run(cmd, store.as_ref(), &data_dir).await
        }),
        Cmd::Token { cmd } => runtime()?.block_on(async {
            let store = if matches!(cmd, token_cli::TokenCmd::List(_)) {
                existing_store(cmd.store_args(), &file, &data_dir).await?
            } else {
                open_store(cmd.store_args(), &file, &data_dir).await?
            };
            token_cli::run(cmd, store.as_ref()).await
        }),
        Cmd::Reindex(args) => runtime()?.block_on(reindex(args, file, data_dir)),
        Cmd::Recompute(args) => runtime()?.block_on(async {
            let store = existing_store(&args, &file, &data_dir).await?;
            let cases = case_service(store, &file, &data_dir)?;
            let since = kuaiwei_cases::start_recompute_since(&cases.calendar.current());
            let r = cases
                .recompute_after_calendar_change(since)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "已检查 / checked {} cases (open, and closed ones due from {since}); 已更新 / updated {}; 仍无法计算的时限 / clocks still not computable: {}",
                r.checked, r.updated, r.still_not_computable
            );
            Ok(())
        }),
        Cmd::Serve(args) => {
            init_tracing(std::env::var("KUAIWEI_LOG_FORMAT").ok().as_deref())?;
            runtime()?.block_on(serve(args, file, data_dir))
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// The server's log: `KUAIWEI_LOG` filters (default `info`), `KUAIWEI_LOG_FORMAT` is `text`
/// (the default) or `json` (one object per line, for a log collector); colours only on a
/// terminal.
fn init_tracing(format: Option<&str>) -> Result<()> {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_env("KUAIWEI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stdout().is_terminal());
    match format.map(str::trim) {
        None | Some("") | Some("text") => builder.init(),
        Some("json") => builder.json().flatten_event(true).init(),
        Some(other) => anyhow::bail!(
            "KUAIWEI_LOG_FORMAT={other:?}：日志格式只能是 text 或 json / the log format is text or json"
        ),
    }
    Ok(())
}

/// The account `username` as the actor of a freeze (`role:name`, as the API records it): it
/// must exist, be enabled and be allowed to freeze the centre's report.
async fn freezer(store: &dyn Store, username: &str) -> Result<String> {
    let account = store
        .account(username)
        .await?
        .filter(|a| a.disabled_at.is_none())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "--actor {username:?}：没有这个启用中的账号 / no enabled account of that name \
                 (kuaiwei user list)"
            )
        })?;
    let role = kuaiwei_access::Role::parse(&account.role).ok_or_else(|| {
        anyhow::anyhow!(
            "账号 {username} 的角色无法识别 / unknown role {:?}",
            account.role
        )
    })?;
    let who = kuaiwei_access::Principal {
        username: account.username.clone(),
        role,
        agency: account.agency.clone(),
    };
    if !kuaiwei_access::can(&who, kuaiwei_access::Action::FreezeReport, None) {
        anyhow::bail!(
            "--actor {username}：只有中心的主管可以封存报告 / only a centre supervisor freezes \
             the centre's report ({} is {})",
            username,
            role.key()
        );
    }
    Ok(format!("{}:{}", role.key(), account.username))
}

/// The store of a command that only reads it (or works on what is there): on SQLite the
/// database must exist, so that a command run in the wrong directory says so instead of making
/// an empty `./data` and answering from it.
async fn existing_store(
    args: &StoreArgs,
    file: &FileConfig,
    data_dir: &Path,
) -> Result<Arc<dyn Store>> {
    let url = args.database_url.as_ref().or(file.database_url.as_ref());
    let db = data_dir.join("kuaiwei.db");
    if url.is_none() && !db.is_file() {
        anyhow::bail!(
            "没有找到数据库 {}：请在 kuaiwei 的数据目录所在处运行，或用 --data-dir（或配置文件、--database-url）指定 / \
             no database at {}: run this where kuaiwei's data directory is, or name it with \
             --data-dir (or the config file, or --database-url)",
            db.display(),
            db.display()
        );
    }
    open_store(args, file, data_dir).await
}

async fn open_store(
    args: &StoreArgs,
    file: &FileConfig,
    data_dir: &Path,
) -> Result<Arc<dyn Store>> {
    let batch = args
        .commit_batch
        .map(|b| b as usize)
        .or(file.commit_batch)
        .unwrap_or(256);
    match args
        .database_url
        .clone()
        .or_else(|| file.database_url.clone())
    {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            let opts = kuaiwei_store_postgres::WriteOptions { max_batch: batch };
            let store = kuaiwei_store_postgres::PostgresStore::connect(&url, opts).await?;
            Ok(Arc::new(store))
        }
        Some(url) => anyhow::bail!(
            "数据库地址应以 postgres:// 开头 / the database URL must start with postgres:// (got {:?})",
            url.split(':').next().unwrap_or("")
        ),
        None => {
            std::fs::create_dir_all(data_dir).with_context(|| {
                format!(
                    "无法创建数据目录 / cannot create data directory {}",
                    data_dir.display()
                )
            })?;
            let opts = kuaiwei_store_sqlite::WriteOptions { max_batch: batch };
            let store =
                kuaiwei_store_sqlite::SqliteStore::open(&data_dir.join("kuaiwei.db"), opts).await?;
            Ok(Arc::new(store))
        }
    }
}

/// Verifies the chain, every complaint and evidence file against it, and the chain against
/// the anchors kept outside the database (docs/operations.md). With `record`, the result is
/// recorded on the chain (by `cli:<the operator's login name>`), so the administrator's audit
/// page shows the last verification, whoever ran it and wherever; with `anchor`, an intact
/// chain's head is then anchored. A restore verifies without recording (the restored data must
/// equal its manifest) and anchors the restored head.
async fn verify_audit(
    store: &dyn Store,
    file: &FileConfig,
    data_dir: &Path,
    record: bool,
    anchor: bool,
) -> Result<()> {
    let (anchors, _) = file.anchor(data_dir)?;
    let anchoring = kuaiwei_server::audit::anchor::Anchoring::open(anchors)?;
    let log = anchoring.read()?;
    let evidence = kuaiwei_evidence::EvidenceStore::open(&data_dir.join("evidence")).await?;
    let report = kuaiwei_server::audit::verify_all(store, &evidence, &log)
        .await
        .map_err(|e| anyhow::anyhow!(e.message()))?;
    if record {
        let operator = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "operator".into());
        kuaiwei_server::audit::record(
            store,
            &format!("cli:{operator}"),
            &kuaiwei_server::audit::Verification {
                events: report.events,
                broken: report.problems.first().cloned(),
            },
            jiff::Timestamp::now(),
        )
        .await
        .map_err(|e| anyhow::anyhow!(e.message()))?;
    }
    if !report.problems.is_empty() {
        for p in &report.problems {
            eprintln!("!!! {p}");
        }
        anyhow::bail!(
            "审计校验失败，发现 {} 处问题 / audit verification failed with {} problem(s); docs/operations.md says what to do",
            report.problems.len(),
            report.problems.len()
        );
    }
    println!("ok: {} events, chain intact", report.events);
    println!(
        "投诉 / complaints: {} 件与提交时的摘要一致 / match their filing digest; {} 件早于投诉摘要，无法核对内容 / filed before complaint digests, content not checkable; {} 件早于审计链 / filed before the chain",
        report.complaints, report.without_digest, report.before_chain
    );
    println!(
        "证据 / evidence: {} 个文件与摘要一致 / files match their digests",
        report.files
    );
    let anchored = if anchor {
        anchoring.anchor(store, jiff::Timestamp::now()).await?
    } else {
        None
    };
    println!(
        "锚定 / anchors: {} 条与审计链一致 / agree with the chain ({}){}",
        report.anchors,
        anchoring.config().log.display(),
        anchored
            .map(|a| format!(
                "; 已锚定至第 {} 号事件 / anchored now at event {}",
                a.seq, a.seq
            ))
            .unwrap_or_default()
    );
    Ok(())
}

/// The file in the data directory the server saves its copy of the clocks in (derived: deleted,
/// it is loaded from the store at the next start).
const REPORT_COPY: &str = "report-facts.bin";

async fn serve(args: ServeArgs, file: FileConfig, data_dir: PathBuf) -> Result<()> {
    let listen = args
        .listen
        .or(file.listen)
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
    let (anchors, anchor_every) = file.anchor(&data_dir)?;
    let http = file.http()?;
    let store = open_store(&args.store, &file, &data_dir).await?;
    // refused before serving: a log whose key is gone would make every anchor look forged
    let anchoring = Arc::new(kuaiwei_server::audit::anchor::Anchoring::open(anchors)?);
    if let Some(path) =
        kuaiwei_server::auth::bootstrap_admin(store.as_ref(), &data_dir, jiff::Timestamp::now())
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "无法创建首个管理员账号 / cannot create the first administrator: {e}"
                )
            })?
    {
        tracing::warn!(
            file = %path.display(),
            "no account existed: created the administrator 'admin'; its password is in this file \
             (owner-only). Log in, set a new one with `kuaiwei user reset-password admin`, then \
             delete the file"
        );
    }
    let mut state = app_state(store, &file, &data_dir).await?;
    let sqlite = args.store.database_url.is_none() && file.database_url.is_none();
    if sqlite {
        // one server per SQLite file: nothing else receives files into this directory, so
        // every temporary and every unreferenced file at start is a crash's leftover
        state.evidence =
            kuaiwei_evidence::EvidenceStore::open_exclusive(&data_dir.join("evidence"))
                .await?
                .with_limits(*state.evidence.limits());
    }
    state.search = Some(open_search(&data_dir)?);
    // read back at the next start instead of loading every clock from the store
    state.report_facts = Some(kuaiwei_server::ReportFacts::saved_in(
        data_dir.join(REPORT_COPY),
    ));
    state.metrics = file.metrics()?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("无法监听 / cannot listen on {listen}"))?;
    tracing::info!(addr = %listener.local_addr()?, data_dir = %data_dir.display(), "kuaiwei is serving");
    let store = state.store.clone();
    let anchor_task = tokio::spawn(kuaiwei_server::audit::anchor::follow(
        anchoring.clone(),
        store.clone(),
        anchor_every,
    ));
    let served = kuaiwei_server::serve_with(listener, state, http, shutdown_signal()).await;
    anchor_task.abort();
    // the last head of this run, whatever the interval left unanchored
    if let Err(e) = anchoring
        .anchor(store.as_ref(), jiff::Timestamp::now())
        .await
    {
        tracing::warn!(error = %e, "anchoring the audit chain at shutdown failed");
    }
    served?;
    tracing::info!("stopped after finishing in-flight requests");
    Ok(())
}

/// Writes a command's output to the file given, or to standard output.
fn emit(output: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match output {
        Some(path) => std::fs::write(path, bytes).with_context(|| {
            format!(
                "写入 {} 失败 / cannot write {}",
                path.display(),
                path.display()
            )
        }),
        None => {
            use std::io::Write;
            std::io::stdout().write_all(bytes)?;
            Ok(())
        }
    }
}

/// The reports of the data directory's store with its procedures, and its calendar: what the
/// report commands compute with (no HTTP state; each report reads its period's window).
fn reports_of(
    store: Arc<dyn Store>,
    data_dir: &Path,
) -> Result<(Reports, kuaiwei_deadlines::Calendar)> {
    let procedures = Arc::new(calendar_cli::load_procedures(data_dir)?);
    let calendar = calendar_cli::load_calendar(data_dir)?;
    Ok((
        Reports::new(store, procedures, kuaiwei_routing::Agency::labels),
        calendar,
    ))
}

/// A report refused or failed, as the command line prints it: in Chinese and in English.
fn report_error(e: impl Into<kuaiwei_reports::ServeError>) -> anyhow::Error {
    let e = e.into();
    let (zh, en) = (e.zh(), e.en());
    if zh == en {
        anyhow::anyhow!("{en}")
    } else {
        anyhow::anyhow!("{zh} / {en}")
    }
}

async fn run_report(cmd: ReportCmd, file: &FileConfig, data_dir: &Path) -> Result<()> {
    match cmd {
        ReportCmd::OnTime(a) => {
            let store = existing_store(&a.store, file, data_dir).await?;
            let (reports, calendar) = reports_of(store, data_dir)?;
            let period = Period::parse(&a.month).map_err(report_error)?;
            let served = reports
                .on_time(period, true, jiff::Timestamp::now(), &calendar)
                .await
                .map_err(report_error)?;
            let bytes = match a.format {
                ReportFormat::Json => {
                    let answer = kuaiwei_reports::Answer::of(&served, a.cases);
                    let mut text = serde_json::to_string_pretty(&answer)?;
                    text.push('\n');
                    text.into_bytes()
                }
                ReportFormat::Csv if a.cases => {
                    kuaiwei_reports::lines_csv(served.report.lines.iter())?
                }
                ReportFormat::Csv => kuaiwei_reports::figures_csv(&served.report)?,
                ReportFormat::Xlsx => kuaiwei_reports::xlsx(&served.report)?,
                ReportFormat::Html => kuaiwei_server::report_file(
                    &served.report,
                    a.en,
                    served.frozen.as_ref(),
                    &served.corrections,
                    served.live.as_deref(),
                )
                .map_err(|e| anyhow::anyhow!(e))?
                .into_bytes(),
            };
            if a.output.is_none() && matches!(a.format, ReportFormat::Xlsx) {
                anyhow::bail!(
                    "XLSX 须写入文件，请加 --output FILE / xlsx is written to a file: add --output FILE"
                );
            }
            emit(a.output.as_deref(), &bytes)
        }
        ReportCmd::Watch(a) => {
            let store = existing_store(&a.store, file, data_dir).await?;
            let (reports, calendar) = reports_of(store, data_dir)?;
            let w = reports
                .watch(
                    a.days,
                    a.agency,
                    a.officer,
                    jiff::Timestamp::now(),
                    &calendar,
                )
                .await
                .map_err(report_error)?;
            let lang = if a.en {
                kuaiwei_reports::Lang::En
            } else {
                kuaiwei_reports::Lang::Zh
            };
            let bytes = match a.format {
                WatchFormat::Text => kuaiwei_reports::watch_text(&w, lang).into_bytes(),
                WatchFormat::Json => {
                    let mut text = serde_json::to_string_pretty(&w)?;
                    text.push('\n');
                    text.into_bytes()
                }
                WatchFormat::Html => kuaiwei_server::watch_file(&w, a.en)
                    .map_err(|e| anyhow::anyhow!(e))?
                    .into_bytes(),
            };
            emit(a.output.as_deref(), &bytes)
        }
        ReportCmd::Freeze(a) => {
            let store = existing_store(&a.store, file, data_dir).await?;
            let (reports, calendar) = reports_of(store.clone(), data_dir)?;
            let period = Period::parse(&a.month).map_err(report_error)?;
            // `supervisor:NAME` (as the API records it, and as this flag once took it) or NAME
            let name = a.actor.trim();
            let name = name.split_once(':').map_or(name, |(_, n)| n);
            let actor = freezer(store.as_ref(), name).await?;
            let served = reports
                .freeze(period, &actor, jiff::Timestamp::now(), &calendar)
                .await
                .map_err(report_error)?;
            let hash = served.frozen.map(|f| f.hash).unwrap_or_default();
            println!(
                "已封存 / frozen {period}: {} 条时限记录 / clock lines, 按期结案率 / on-time rate {}, SHA-256 {hash}",
                served.report.lines.len(),
                served
                    .report
                    .headline
                    .on_time_rate
                    .map(|r| format!("{:.2}%", r * 100.0))
                    .unwrap_or_else(|| "—".into()),
            );
            Ok(())
        }
    }
}

/// The case service of the data directory's store, procedures, rules and calendar, for the
/// commands that take case steps or recompute clocks (no HTTP state).
fn case_service(
    store: Arc<dyn Store>,
    file: &FileConfig,
    data_dir: &Path,
) -> Result<kuaiwei_cases::CaseService> {
    let procedures = calendar_cli::load_procedures(data_dir)?;
    Ok(kuaiwei_cases::CaseService {
        store,
        rules: Arc::new(load_rules(data_dir, &procedures)?),
        procedures: Arc::new(procedures),
        calendar: shared_calendar(data_dir)?,
        clock: kuaiwei_cases::Clock::system(),
        repeat: file.triage()?.repeat(),
        staff_channels: file.notify()?.map(|c| c.staff()).unwrap_or_default(),
    })
}

/// The data directory's calendar, taking a year an administrator loads while it runs.
fn shared_calendar(data_dir: &Path) -> Result<kuaiwei_cases::SharedCalendar> {
    let dir = data_dir.to_path_buf();
    Ok(kuaiwei_cases::SharedCalendar::reloading(
        calendar_cli::load_calendar(data_dir)?,
        Arc::new(move || calendar_cli::load_calendar(&dir).map_err(|e| format!("{e:#}"))),
        data_dir.join("calendar"),
    ))
}

async fn app_state(store: Arc<dyn Store>, file: &FileConfig, data_dir: &Path) -> Result<AppState> {
    let procedures = calendar_cli::load_procedures(data_dir)?;
    Ok(AppState {
        store,
        evidence: kuaiwei_evidence::EvidenceStore::open(&data_dir.join("evidence")).await?,
        limits: file.limits(),
        calendar: shared_calendar(data_dir)?,
        rules: Arc::new(load_rules(data_dir, &procedures)?),
        procedures: Arc::new(procedures),
        triage: file.triage()?,
        clock: kuaiwei_server::Clock::system(),
        report_cache: Default::default(),
        // a report command reads its period's window; the server keeps every clock
        report_facts: None,
        auth: Default::default(),
        intake_limits: kuaiwei_server::IntakeLimits {
            trusted_proxies: Arc::new(file.trusted_proxies()?),
            ..kuaiwei_server::IntakeLimits::new(
                file.intake_limits()?,
                file.http()?.max_concurrent_uploads,
            )
        },
        // the server opens it (one writer at a time); the other commands do not search
        search: None,
        notify: file.notify()?.map(Arc::new),
        // the server's, when configured (`[metrics]`)
        metrics: Default::default(),
    })
}

fn open_search(data_dir: &Path) -> Result<Arc<kuaiwei_search::SearchIndex>> {
    kuaiwei_search::open_in(data_dir).map_err(|e| {
        anyhow::anyhow!(
            "无法打开检索索引（若服务正在运行，请先停止） / cannot open the search index \
             (stop a running server first): {e}"
        )
    })
}

/// `kuaiwei reindex`: the index rebuilt from the store's change log, with progress.
async fn reindex(args: StoreArgs, file: FileConfig, data_dir: PathBuf) -> Result<()> {
    let store = existing_store(&args, &file, &data_dir).await?;
    let index = open_search(&data_dir)?;
    index.clear()?;
    index.commit(0)?;
    let started = std::time::Instant::now();
    let n = kuaiwei_search::catch_up_with(store.as_ref(), &index, &mut |done| {
        eprint!("\r已索引 / indexed {done} 件案件 / cases");
    })
    .await
    .map_err(|e| anyhow::anyhow!("索引失败 / indexing failed: {e}"))?;
    eprintln!();
    // the background merges finish before the command does, leaving few large segments
    index.settle()?;
    println!(
        "ok: {n} cases indexed in {:.1} s; {} documents",
        started.elapsed().as_secs_f64(),
        index.len()
    );
    Ok(())
}

/// `DATA_DIR/routing.toml` if the administrator wrote one (it replaces the bundled rules whole),
/// checked against the procedures in use; a bad file stops the start with its line.
fn load_rules(
    data_dir: &Path,
    procedures: &kuaiwei_deadlines::Procedures,
) -> Result<kuaiwei_routing::RuleSet> {
    let path = data_dir.join("routing.toml");
    if !path.is_file() {
        return Ok(kuaiwei_routing::RuleSet::bundled());
    }
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "无法读取路由规则 / cannot read routing rules {}",
            path.display()
        )
    })?;
    let ids = procedures.ids();
    kuaiwei_routing::RuleSet::parse(&text, &ids)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}
