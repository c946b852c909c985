//! `kuaiwei calendar ...` and `kuaiwei deadline ...`: the working-day calendar and the case
//! clock on the command line, for officers and for scripts (output forms are fixed: scripts
//! rely on them). The calendar is the bundled years plus every `DATA_DIR/calendar/*.toml`, which
//! replaces a bundled year of the same number; procedures are the bundled set, overridden by id
//! by `DATA_DIR/procedures.toml` if present.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use clap::{ArgGroup, Args, Subcommand};
use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use kuaiwei_deadlines::{
    Amount, Calendar, ClockInput, Exclusion, ExclusionKind, Extension, ExtensionGrant, Procedure,
    Procedures, compute_clock, shanghai,
};

/// `kuaiwei calendar ...`
#[derive(Debug, Subcommand)]
pub enum CalendarCmd {
    /// Print `working` or `rest` for a date (YYYY-MM-DD)
    Check {
        /// the date, YYYY-MM-DD
        date: String,
    },
    /// Add working days, calendar days or months to a date and print the resulting YYYY-MM-DD
    Add(AddArgs),
    /// Validate a year file and install it as DATA_DIR/calendar/YEAR.toml
    Load {
        /// a year file in the format of the bundled data/calendar/YEAR.toml
        file: PathBuf,
    },
    /// List the loaded years and where each comes from
    Years,
}

/// `kuaiwei calendar add DATE (--working-days N | --days N | --months N)`
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("period").required(true).args(["working_days", "days", "months"])))]
pub struct AddArgs {
    /// the start date, YYYY-MM-DD (not itself counted)
    pub date: String,
    /// the N-th working day after DATE
    #[arg(long)]
    pub working_days: Option<u32>,
    /// DATE + N calendar days, rolled forward to a working day
    #[arg(long)]
    pub days: Option<u32>,
    /// the corresponding day N months on (or the month's last day), rolled forward
    #[arg(long)]
    pub months: Option<u32>,
}

/// `kuaiwei deadline ...`: prints the due instant (RFC 3339, +08:00), then the explanation.
#[derive(Debug, Args)]
pub struct DeadlineArgs {
    /// procedure id, e.g. P3, M2, C4
    #[arg(long)]
    pub procedure: String,
    /// when the clock starts: RFC 3339, local `YYYY-MM-DDTHH:MM` (Asia/Shanghai) or YYYY-MM-DD
    #[arg(long)]
    pub start: String,
    /// an excluded period `[KIND=]FROM/TO`; an empty TO is still running; KIND defaults to the
    /// procedure's first excluded kind (e.g. suspension, testing)
    #[arg(long = "pause", value_name = "[KIND=]FROM/TO")]
    pub pauses: Vec<String>,
    /// an approved extension, e.g. 1m, 30d, 15wd, 24h
    #[arg(long = "extension", value_name = "AMOUNT_UNIT")]
    pub extensions: Vec<String>,
    /// when the case was closed
    #[arg(long)]
    pub closed: Option<String>,
    /// the moment to judge the status at (default: the current time)
    #[arg(long)]
    pub now: Option<String>,
    /// language of the explanation
    #[arg(long, default_value = "zh", value_parser = ["zh", "en"])]
    pub lang: String,
}

/// Where a loaded year comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    Bundled,
    File(PathBuf),
}

pub fn run_calendar(cmd: CalendarCmd, data_dir: &Path) -> Result<()> {
    match cmd {
        CalendarCmd::Check { date } => {
            let cal = load_calendar(data_dir)?;
            let date = parse_date(&date)?;
            let working = cal.is_working_day(date)?;
            println!("{}", if working { "working" } else { "rest" });
            provisional_note(&cal, date.year(), date.year());
        }
        CalendarCmd::Add(args) => {
            let cal = load_calendar(data_dir)?;
            let date = parse_date(&args.date)?;
            let due = match (args.working_days, args.days, args.months) {
                (Some(n), _, _) => cal.add_working_days(date, n)?,
                (_, Some(n), _) => cal.add_days(date, n)?,
                (_, _, Some(n)) => cal.add_months(date, n)?,
                _ => bail!(
                    "须指定 --working-days、--days 或 --months 之一 / give one of --working-days, --days or --months"
                ),
            };
            println!("{due}");
            provisional_note(&cal, date.year(), due.year());
        }
        CalendarCmd::Load { file } => install(&file, data_dir)?,
        CalendarCmd::Years => {
            let (_, sources) = load_with_sources(data_dir)?;
            for (year, source) in &sources {
                match source {
                    Source::Bundled => println!("{year}\tbundled"),
                    Source::File(path) => println!("{year}\tfile {}", path.display()),
                }
            }
            if let Some(next) = sources.keys().last().map(|y| y + 1) {
                println!(
                    "{next}-\tprovisional (statutory holidays and weekends, no 调休, until the notice is loaded)"
                );
            }
        }
    }
    Ok(())
}

pub fn run_deadline(args: DeadlineArgs, data_dir: &Path) -> Result<()> {
    let cal = load_calendar(data_dir)?;
    let procedures = load_procedures(data_dir)?;
    let procedure = procedures.get(&args.procedure).ok_or_else(|| {
        anyhow!(
            "未知程序 `{0}`，可用：{1} / unknown procedure `{0}`; known: {1}",
            args.procedure,
            procedures.ids().join(", ")
        )
    })?;
    let now = match &args.now {
        Some(s) => parse_instant(s, "--now")?,
        None => Timestamp::now(),
    };
    let mut input = ClockInput::new(parse_instant(&args.start, "--start")?, now);
    input.closed_at = args
        .closed
        .as_deref()
        .map(|s| parse_instant(s, "--closed"))
        .transpose()?;
    for p in &args.pauses {
        input.exclusions.push(parse_pause(p, procedure)?);
    }
    for e in &args.extensions {
        let amount: Amount = e.parse()?;
        input.extensions.push(Extension {
            approved_at: now,
            approver: "kuaiwei deadline".into(),
            grant: ExtensionGrant::Amount(amount),
        });
    }
    let state = compute_clock(&cal, procedure, &input)?;
    println!(
        "{}",
        state
            .due
            .to_zoned(shanghai())
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
    );
    for step in &state.explanation {
        println!("{}", step.text(&args.lang));
    }
    Ok(())
}

/// The bundled years plus every `DATA_DIR/calendar/*.toml` (replacing bundled years of the same
/// number). A bad file is an error naming the file and the line.
pub fn load_calendar(data_dir: &Path) -> Result<Calendar> {
    load_with_sources(data_dir).map(|(cal, _)| cal)
}

/// The bundled procedures, overridden by id by `DATA_DIR/procedures.toml` if it exists.
pub fn load_procedures(data_dir: &Path) -> Result<Procedures> {
    let path = data_dir.join("procedures.toml");
    let bundled = Procedures::bundled();
    if !path.exists() {
        return Ok(bundled);
    }
    let text = read(&path)?;
    let local = Procedures::parse(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    let procedures = bundled.with_overrides(local);
    // the case core starts clocks by their triggers: an override must keep what it names
    kuaiwei_cases::rules::bundled()
        .check_against(&procedures)
        .map_err(|e| {
            anyhow!(
                "{}: 与案件规则不符（{e}） / does not fit the case rules: {e}",
                path.display()
            )
        })?;
    Ok(procedures)
}

fn load_with_sources(data_dir: &Path) -> Result<(Calendar, BTreeMap<i16, Source>)> {
    let mut cal = Calendar::bundled();
    let mut sources: BTreeMap<i16, Source> = cal
        .loaded_years()
        .into_iter()
        .map(|y| (y, Source::Bundled))
        .collect();
    let dir = data_dir.join("calendar");
    if !dir.is_dir() {
        return Ok((cal, sources));
    }
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .with_context(|| format!("无法读取目录 / cannot read directory {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    for path in files {
        let data =
            Calendar::parse_year(&read(&path)?).map_err(|e| anyhow!("{}: {e}", path.display()))?;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if let Ok(named) = stem.parse::<i16>()
            && named != data.year
        {
            bail!(
                "{}: 文件名为 {named} 年，内容为 {} 年 / the file is named {named} but holds {}",
                path.display(),
                data.year,
                data.year
            );
        }
        sources.insert(data.year, Source::File(path));
        cal.insert_year(data);
    }
    Ok((cal, sources))
}

/// Validates `file` and installs it atomically (temp file, then rename) as
/// `DATA_DIR/calendar/YEAR.toml`; a bad file installs nothing.
fn install(file: &Path, data_dir: &Path) -> Result<()> {
    let text = read(file)?;
    let data = kuaiwei_server::calendar::parse(&text)
        .map_err(|e| anyhow!("{}: {}", file.display(), e.message()))?;
    let target = kuaiwei_server::calendar::install(&data_dir.join("calendar"), &text, &data)
        .map_err(|e| anyhow!(e.message()))?;
    let rest: usize = data.holidays.iter().map(|h| h.rest.len()).sum();
    let work: usize = data.holidays.iter().map(|h| h.work.len()).sum();
    println!(
        "已安装 / installed {} -> {} ({}; holidays: {}, rest days: {rest}, adjusted working days: {work})",
        data.year,
        target.display(),
        data.notice,
        data.holidays.len()
    );
    println!(
        "运行中的 kuaiwei 将在30秒内采用新安排并重新计算受影响案件（含已结案件）的期限；未运行时于下次启动时计算，或立即运行 `kuaiwei recompute` / a running kuaiwei takes the schedule within 30 seconds and recomputes the due dates it moves, closed cases included; a stopped one does so at its next start, or now with `kuaiwei recompute`"
    );
    Ok(())
}

/// Says on stderr (stdout stays the bare answer) when an answer rests on a provisional year.
fn provisional_note(cal: &Calendar, from: i16, to: i16) {
    let years = cal.provisional_years(from, to);
    if !years.is_empty() {
        let list = years
            .iter()
            .map(i16::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        eprintln!(
            "暂定 / provisional: {list} 年放假安排尚未发布，按法定节假日和周末推算（不含调休） / the {list} holiday schedule is not yet published; counted on the statutory holidays and weekends (no adjusted working days)"
        );
    }
}

fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path)
        .with_context(|| format!("无法读取文件 / cannot read file {}", path.display()))
}

fn parse_date(s: &str) -> Result<Date> {
    let bad =
        || anyhow!("无效日期 `{s}`，应为 YYYY-MM-DD / invalid date `{s}`, expected YYYY-MM-DD");
    if s.trim().len() != 10 {
        return Err(bad());
    }
    s.trim().parse::<Date>().map_err(|_| bad())
}

/// RFC 3339 (`2026-09-28T10:00:00+08:00`), or a local Asia/Shanghai date-time or date.
fn parse_instant(s: &str, what: &str) -> Result<Timestamp> {
    let t = s.trim();
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Ok(ts);
    }
    let local = t
        .parse::<DateTime>()
        .ok()
        .filter(|_| t.len() > 10)
        .or_else(|| {
            parse_date(t)
                .ok()
                .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
        });
    local
        .and_then(|dt| dt.to_zoned(shanghai()).ok())
        .map(|z| z.timestamp())
        .ok_or_else(|| {
            anyhow!(
                "{what} 时间无效 `{s}`，应为 RFC 3339（如 2026-09-28T10:00:00+08:00）或 YYYY-MM-DD / {what}: invalid time `{s}`, expected RFC 3339 (e.g. 2026-09-28T10:00:00+08:00) or YYYY-MM-DD"
            )
        })
}

/// The kind a `--pause` without `KIND=` gets: 中止 (suspension) if the procedure knows it,
/// else its first excluded kind.
fn preferred_kind(procedure: &Procedure) -> Option<ExclusionKind> {
    if procedure.allows(ExclusionKind::Suspension) {
        return Some(ExclusionKind::Suspension);
    }
    procedure.excluded.first().copied()
}

/// `[KIND=]FROM/TO`, TO empty for a period still running.
fn parse_pause(s: &str, procedure: &Procedure) -> Result<Exclusion> {
    let bad = |why: &str| {
        anyhow!("无效的 --pause `{s}`：{why} / invalid --pause `{s}`: expected [KIND=]FROM/TO")
    };
    let (kind, range) = match s.split_once('=') {
        Some((k, r)) => {
            let kind = ExclusionKind::from_key(k).ok_or_else(|| {
                let known: Vec<&str> = ExclusionKind::ALL.iter().map(|k| k.key()).collect();
                anyhow!(
                    "未知的不计入期间类型 `{k}`，可用：{0} / unknown excluded period kind `{k}`; known: {0}",
                    known.join(", ")
                )
            })?;
            (kind, r)
        }
        None => {
            let kind = preferred_kind(procedure).ok_or_else(|| {
                anyhow!(
                    "程序 {0} 没有不计入期间 / procedure {0} has no excluded periods",
                    procedure.id
                )
            })?;
            (kind, s)
        }
    };
    let (from, to) = range.split_once('/').ok_or_else(|| bad("缺少 `/`"))?;
    let from = parse_instant(from, "--pause FROM")?;
    let to = match to.trim() {
        "" => None,
        t => Some(parse_instant(t, "--pause TO")?),
    };
    Ok(Exclusion {
        kind,
        from,
        to,
        reason: "命令行 / command line".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instant_may_be_rfc3339_a_local_date_time_or_a_date() {
        let want: Timestamp = "2026-09-28T02:00:00Z".parse().expect("literal");
        assert_eq!(
            parse_instant("2026-09-28T10:00:00+08:00", "x").ok(),
            Some(want)
        );
        assert_eq!(parse_instant("2026-09-28T10:00", "x").ok(), Some(want));
        let midnight: Timestamp = "2026-09-27T16:00:00Z".parse().expect("literal");
        assert_eq!(parse_instant("2026-09-28", "x").ok(), Some(midnight));
        assert!(parse_instant("28/09/2026", "x").is_err());
    }

    #[test]
    fn a_procedures_override_that_loses_a_trigger_the_case_rules_start_is_refused_by_name() {
        let dir = std::env::temp_dir().join(format!("kw-procs-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("temp dir");
        let t3 = r#"
[[procedure]]
id = "T3"
name_zh = "公安机关对移送案件决定是否立案"
name_en = "police decide whether to open a case on a transferred case"
trigger = { key = "transfer_sent", zh = "移送", en = "sent" }
limit = { amount = 3, unit = "calendar_days" }
excluded = []
[[procedure.basis]]
law = "《行政执法机关移送涉嫌犯罪案件的规定》(2020)"
article = "Art. 8"
mark = "✅"
"#;
        fs::write(dir.join("procedures.toml"), t3).expect("write");
        let e = load_procedures(&dir)
            .expect_err("T3 must keep its trigger")
            .to_string();
        assert!(
            e.contains("transfer_accepted") && e.contains("procedures.toml"),
            "{e}"
        );
        let kept = t3.replace("transfer_sent", "transfer_accepted");
        fs::write(dir.join("procedures.toml"), kept).expect("write");
        assert!(load_procedures(&dir).is_ok());
        fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_pause_without_kind_takes_the_procedures_first_kind() {
        let procedures = Procedures::bundled();
        let p3 = procedures.get("P3").expect("bundled");
        let e = parse_pause("2026-10-12/2026-10-23", p3).expect("valid");
        assert_eq!(e.kind, ExclusionKind::Suspension);
        let m1 = procedures.get("M1").expect("bundled");
        let e = parse_pause("2026-10-12/2026-10-23", m1).expect("valid");
        assert_eq!(e.kind, m1.excluded[0]);
        let open = parse_pause("appraisal=2026-10-12/", p3).expect("valid");
        assert_eq!((open.kind, open.to), (ExclusionKind::Appraisal, None));
        assert!(parse_pause("2026-10-12", p3).is_err());
        assert!(parse_pause("nap=2026-10-12/", p3).is_err());
        let c1 = procedures.get("C1").expect("bundled");
        assert!(parse_pause("2026-10-12/2026-10-13", c1).is_err());
    }

    #[test]
    fn dates_must_be_yyyy_mm_dd() {
        assert!(parse_date("2026-10-10").is_ok());
        assert!(parse_date("2026-10-10T00:00").is_err());
        assert!(parse_date("2026-13-01").is_err());
    }
}
