//! The figures of an on-time report, each a count of classified clocks, so that every number can
//! be listed as the cases behind it ([`OnTimeReport::trace`]).
//!
//! Definition (also carried in the report itself, [`DEFINITION_ZH`] / [`DEFINITION_EN`];
//! legal-deadlines.md §8.8), for a period P = `[from, to)` seen at `as_of` = min(now, to):
//! - each clock **counts once**, in exactly one period: **on time** in the period it was
//!   closed in, if closed no later than its effective due date (the stored due date already
//!   includes lawful extensions and excluded periods); **late** in the period its due date
//!   passed in, if it was not closed by then: **closed late** if it has been closed since,
//!   **overdue open** if still running at `as_of`;
//! - the **on-time rate** (按期结案率) is on time ÷ (on time + late), over the closing clocks;
//! - **pending**: due later in P and still running; **undetermined**: no due date could be
//!   computed, never guessed;
//! - **overdue at end**: every clock still running at `as_of` past its due date, whenever due;
//! - **at risk**: running at `as_of` and due within 7 / 30 days of it;
//! - **opened / closed**: clocks started / stopped in P; for closing clocks, 立案 and 结案, whose
//!   ratio is the plain 结案率;
//! - **durations**: of clocks closed in P, in days, net of excluded periods (median, p90);
//! - **extensions**: approved extensions on the clocks counted in P.
//!
//! Until 2026-12 (definition 1) a clock counted in P if closed in P *or* due in P, so a case
//! closed early counted on time twice and a late one late twice; a report frozen under it says
//! so (`definition.version`) and is shown beside a recomputation.

use std::collections::{BTreeMap, HashMap};

use jiff::{SignedDuration, Timestamp};
use kuaiwei_deadlines::{ClockInputs, Procedures};
use serde::{Deserialize, Serialize};

use crate::facts::{ABSENT, Fact, Facts, instant};
use crate::{Period, ReportError};

/// The definition the reports are computed under: 2 since 2026-12 (each clock counted once,
/// legal-deadlines.md §8.8); 1 before (due in the period or closed in it).
pub const DEFINITION_VERSION: u32 = 2;

pub const DEFINITION_ZH: &str = "按期结案率 = 按期办结数 ÷（按期办结数 + 超期数）。每个结案时限只在一个统计期（上海时间自然月；\
季、年为其各月之和）计入一次：在有效届满日（已计入依法延长与不计入期间）之前（含当日）办结的，计入办结当期，为按期办结；\
届满时仍未办结的，计入届满当期，为超期（期末仍未办结的为超期未结，其后办结的为超期办结）。\
例：10月12日届满、7月5日办结的案件只计入7月（按期）；9月1日届满、10月5日办结的案件只计入9月（超期）。\
另列：期内届满但尚未到期的案件、期末仍未办结且已超期的案件、7日及30日内将到期的案件、期内立案数与结案数（结案率）、\
扣除不计入期间后的办理时长（中位数、90分位）、计入案件中经延长的案件数；届满日所依年度的国务院放假安排尚未发布的，按法定节假日暂定计算，另列其数。每类时限（如展会24小时移交、专利纠纷5个工作日内立案）均单独统计。";

pub const DEFINITION_EN: &str = "On-time closure rate = closed on time ÷ (closed on time + late). \
Each closing clock counts once, in exactly one period (calendar month in Asia/Shanghai; a quarter or \
a year is the sum of its months): on time in the period it was closed in, if closed no later than its \
effective due date (after lawful extensions and excluded periods); late in the period its due date \
passed in, if it was not closed by then (overdue and open at the period's end, or closed late \
afterwards). Example: a case due on 12 October and closed on 5 July counts in July only, on time; a \
case due on 1 September and closed on 5 October counts in September only, late. Also reported: \
cases due later in the period and still running; cases still open and overdue at the end of the \
period; cases due within 7 and 30 days (at risk); cases opened and closed in the period (the plain \
closure rate); durations net of excluded periods (median, p90); counted cases that were extended; \
cases whose due date falls in a year whose holiday schedule is not yet published (provisional, \
counted on the statutory holidays), counted apart. \
Every clock type is reported separately, e.g. the fair's 24-hour hand-over and the 5-working-day \
decision to open a patent dispute.";

/// The dimensions figures are broken down by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Procedure,
    Agency,
    Channel,
    RightType,
    Fair,
    Officer,
}

impl Dimension {
    pub const ALL: [Dimension; 6] = [
        Dimension::Procedure,
        Dimension::Agency,
        Dimension::Channel,
        Dimension::RightType,
        Dimension::Fair,
        Dimension::Officer,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Dimension::Procedure => "procedure",
            Dimension::Agency => "agency",
            Dimension::Channel => "channel",
            Dimension::RightType => "right_type",
            Dimension::Fair => "fair",
            Dimension::Officer => "officer",
        }
    }

    pub fn parse(s: &str) -> Option<Dimension> {
        Self::ALL.into_iter().find(|d| d.key() == s.trim())
    }

    pub fn zh(self) -> &'static str {
        match self {
            Dimension::Procedure => "时限类型",
            Dimension::Agency => "承办机关",
            Dimension::Channel => "投诉渠道",
            Dimension::RightType => "权利类型",
            Dimension::Fair => "展会",
            Dimension::Officer => "承办人",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Dimension::Procedure => "clock",
            Dimension::Agency => "agency",
            Dimension::Channel => "channel",
            Dimension::RightType => "right type",
            Dimension::Fair => "fair",
            Dimension::Officer => "officer",
        }
    }

    /// The key of a line under this dimension; `none` where the case has none (not routed,
    /// not a fair complaint, not opened).
    pub fn of(self, l: &Line) -> &str {
        let v = match self {
            Dimension::Procedure => Some(l.procedure.as_str()),
            Dimension::Agency => l.agency.as_deref(),
            Dimension::Channel => Some(l.channel.as_str()),
            Dimension::RightType => l.right_type.as_deref(),
            Dimension::Fair => l.fair.as_deref(),
            Dimension::Officer => l.officer.as_deref(),
        };
        v.unwrap_or(NONE)
    }
}

/// The key of lines without a value under a dimension.
pub const NONE: &str = "none";

/// How a clock stands against its due date in the period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Category {
    OnTime,
    Late,
    OverdueOpen,
    Pending,
    Undetermined,
}

/// Every figure of a group is one of these counts (or derived from them); each lists its cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    Counted,
    OnTime,
    Late,
    OverdueOpen,
    Pending,
    Undetermined,
    OverdueAtEnd,
    Due7,
    Due30,
    Opened,
    Closed,
    Extended,
    Provisional,
}

impl Measure {
    pub const ALL: [Measure; 13] = [
        Measure::Counted,
        Measure::OnTime,
        Measure::Late,
        Measure::OverdueOpen,
        Measure::Pending,
        Measure::Undetermined,
        Measure::OverdueAtEnd,
        Measure::Due7,
        Measure::Due30,
        Measure::Opened,
        Measure::Closed,
        Measure::Extended,
        Measure::Provisional,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Measure::Counted => "counted",
            Measure::OnTime => "on_time",
            Measure::Late => "late",
            Measure::OverdueOpen => "overdue_open",
            Measure::Pending => "pending",
            Measure::Undetermined => "undetermined",
            Measure::OverdueAtEnd => "overdue_at_end",
            Measure::Due7 => "due_7",
            Measure::Due30 => "due_30",
            Measure::Opened => "opened",
            Measure::Closed => "closed",
            Measure::Extended => "extended",
            Measure::Provisional => "provisional",
        }
    }

    pub fn parse(s: &str) -> Option<Measure> {
        Self::ALL.into_iter().find(|m| m.key() == s.trim())
    }

    pub fn zh(self) -> &'static str {
        match self {
            Measure::Counted => "应计数",
            Measure::OnTime => "按期办结",
            Measure::Late => "超期办结",
            Measure::OverdueOpen => "超期未结",
            Measure::Pending => "期内未到期",
            Measure::Undetermined => "无法计算期限",
            Measure::OverdueAtEnd => "期末超期未结",
            Measure::Due7 => "7日内到期",
            Measure::Due30 => "30日内到期",
            Measure::Opened => "立案（起算）",
            Measure::Closed => "结案（停止）",
            Measure::Extended => "经延长",
            Measure::Provisional => "届满日暂定",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Measure::Counted => "counted",
            Measure::OnTime => "on time",
            Measure::Late => "closed late",
            Measure::OverdueOpen => "overdue, open",
            Measure::Pending => "not yet due",
            Measure::Undetermined => "undetermined",
            Measure::OverdueAtEnd => "overdue at end",
            Measure::Due7 => "due in 7 days",
            Measure::Due30 => "due in 30 days",
            Measure::Opened => "opened (started)",
            Measure::Closed => "closed (stopped)",
            Measure::Extended => "extended",
            Measure::Provisional => "due date provisional",
        }
    }

    /// Whether a line is counted by this measure.
    pub fn holds(self, l: &Line) -> bool {
        match self {
            Measure::Counted => matches!(
                l.category,
                Some(Category::OnTime | Category::Late | Category::OverdueOpen)
            ),
            Measure::OnTime => l.category == Some(Category::OnTime),
            Measure::Late => l.category == Some(Category::Late),
            Measure::OverdueOpen => l.category == Some(Category::OverdueOpen),
            Measure::Pending => l.category == Some(Category::Pending),
            Measure::Undetermined => l.category == Some(Category::Undetermined),
            Measure::OverdueAtEnd => l.overdue_at_end,
            Measure::Due7 => l.due_within_days.is_some_and(|d| d <= 7),
            Measure::Due30 => l.due_within_days.is_some_and(|d| d <= 30),
            Measure::Opened => l.started_in_period,
            Measure::Closed => l.closed_in_period,
            // only the clocks counted in the period (§8.8), not pending or undetermined ones
            Measure::Extended => Measure::Counted.holds(l) && l.extensions > 0,
            // counted or pending against a due date that depends on an unpublished schedule
            Measure::Provisional => {
                l.provisional && (Measure::Counted.holds(l) || Measure::Pending.holds(l))
            }
        }
    }
}

/// One clock of one case, classified for the period: the unit every figure counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Line {
    pub case_number: String,
    pub procedure: String,
    pub closes_case: bool,
    pub agency: Option<String>,
    pub channel: String,
    pub right_type: Option<String>,
    pub fair: Option<String>,
    pub officer: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub started_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub due_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub closed_at: Option<Timestamp>,
    /// Where it stands in the on-time count; `None` when the period does not count it.
    pub category: Option<Category>,
    pub overdue_at_end: bool,
    /// Running at `as_of` and due within this many (whole, rounded up) days: 1-30.
    pub due_within_days: Option<u32>,
    pub started_in_period: bool,
    pub closed_in_period: bool,
    /// For a clock closed in the period: days from start to close, net of excluded periods.
    pub net_days: Option<f64>,
    pub extensions: u32,
    /// The due date falls in a year whose holiday notice is not yet published: computed on the
    /// provisional schedule (legal-deadlines.md §8.6) and recomputed when it is loaded.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub provisional: bool,
}

/// The figures of one group of lines.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    pub counted: u64,
    pub on_time: u64,
    pub late: u64,
    pub overdue_open: u64,
    pub pending: u64,
    pub undetermined: u64,
    /// on_time ÷ counted; `None` when nothing counts.
    pub on_time_rate: Option<f64>,
    pub overdue_at_end: u64,
    pub due_7: u64,
    pub due_30: u64,
    pub opened: u64,
    pub closed: u64,
    /// closed ÷ opened (the plain 结案率); `None` when nothing was opened.
    pub closure_rate: Option<f64>,
    pub median_days: Option<f64>,
    pub p90_days: Option<f64>,
    /// Counted clocks that were extended, and the extensions they carry.
    pub extended: u64,
    pub extensions: u64,
    /// Counted or pending clocks whose due date is provisional (a holiday schedule not yet
    /// published, legal-deadlines.md §8.6): their standing may change when it is loaded.
    #[serde(default)]
    pub provisional: u64,
}

impl Figures {
    pub fn of<'a>(lines: impl Iterator<Item = &'a Line>) -> Figures {
        let mut f = Figures::default();
        let mut days = Vec::new();
        for l in lines {
            let count = |m: Measure| u64::from(m.holds(l));
            f.on_time += count(Measure::OnTime);
            f.late += count(Measure::Late);
            f.overdue_open += count(Measure::OverdueOpen);
            f.pending += count(Measure::Pending);
            f.undetermined += count(Measure::Undetermined);
            f.overdue_at_end += count(Measure::OverdueAtEnd);
            f.due_7 += count(Measure::Due7);
            f.due_30 += count(Measure::Due30);
            f.opened += count(Measure::Opened);
            f.closed += count(Measure::Closed);
            f.provisional += count(Measure::Provisional);
            if Measure::Extended.holds(l) {
                f.extended += 1;
                f.extensions += u64::from(l.extensions);
            }
            if let Some(d) = l.net_days.filter(|_| l.closed_in_period) {
                days.push(d);
            }
        }
        f.counted = f.on_time + f.late + f.overdue_open;
        f.on_time_rate = ratio(f.on_time, f.counted);
        f.closure_rate = ratio(f.closed, f.opened);
        days.sort_by(f64::total_cmp);
        f.median_days = quantile(&days, 0.5);
        f.p90_days = quantile(&days, 0.9);
        f
    }

    pub fn count(&self, m: Measure) -> u64 {
        match m {
            Measure::Counted => self.counted,
            Measure::OnTime => self.on_time,
            Measure::Late => self.late,
            Measure::OverdueOpen => self.overdue_open,
            Measure::Pending => self.pending,
            Measure::Undetermined => self.undetermined,
            Measure::OverdueAtEnd => self.overdue_at_end,
            Measure::Due7 => self.due_7,
            Measure::Due30 => self.due_30,
            Measure::Opened => self.opened,
            Measure::Closed => self.closed,
            Measure::Extended => self.extended,
            Measure::Provisional => self.provisional,
        }
    }
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| round(a as f64 / b as f64, 4))
}

fn round(x: f64, places: i32) -> f64 {
    let k = 10f64.powi(places);
    (x * k).round() / k
}

/// Nearest-rank quantile of sorted values, to one decimal.
fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(round(sorted[rank - 1], 1))
}

/// A group of a breakdown: its key, a label, and its figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Group {
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    pub figures: Figures,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Breakdown {
    pub dimension: Dimension,
    /// Closing clocks only, except the breakdown by clock type, which covers every clock.
    pub closing_clocks_only: bool,
    pub groups: Vec<Group>,
}

/// One month's headline inside a quarter or a year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthFigures {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-10"))]
    pub period: Period,
    pub figures: Figures,
    /// The same month per agency (what an agency's own view of the quarter or year shows).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_agency: BTreeMap<String, Figures>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Definition {
    /// Which definition the figures follow ([`DEFINITION_VERSION`]); a report frozen before
    /// versions were kept carries none and was computed under definition 1.
    #[serde(default = "first_definition")]
    pub version: u32,
    pub zh: String,
    pub en: String,
}

fn first_definition() -> u32 {
    1
}

impl Definition {
    /// The definition reports are computed under today.
    pub fn current() -> Definition {
        Definition {
            version: DEFINITION_VERSION,
            zh: DEFINITION_ZH.into(),
            en: DEFINITION_EN.into(),
        }
    }

    pub fn is_current(&self) -> bool {
        self.version == DEFINITION_VERSION
    }
}

/// The on-time report of a period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OnTimeReport {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-10"))]
    pub period: Period,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub from: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub to: Timestamp,
    /// The instant the figures describe: the period's end, or now while it runs.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub as_of: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub generated_at: Timestamp,
    /// Whether the period has ended.
    pub complete: bool,
    pub definition: Definition,
    /// The target on-time rate (1.0 = 100 %).
    pub target: f64,
    /// Closing clocks of every case.
    pub headline: Figures,
    /// For a quarter or a year: the headline of each month, each with its own definition window.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub months: Vec<MonthFigures>,
    pub breakdowns: Vec<Breakdown>,
    /// The classified clocks behind every figure; left out of the summary JSON unless asked
    /// for, always kept in a frozen report.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<Line>,
}

impl OnTimeReport {
    /// The report as one agency sees it: its own case lines only, with the headline and every
    /// breakdown added up again from them, and the months of a quarter or a year from their
    /// per-agency figures (left out for a report frozen before those were kept).
    pub fn scoped_to(&self, agency: &str) -> OnTimeReport {
        let nothing = Figures::of(std::iter::empty());
        let lines: Vec<Line> = self
            .lines
            .iter()
            .filter(|l| l.agency.as_deref() == Some(agency))
            .cloned()
            .collect();
        let breakdowns = self
            .breakdowns
            .iter()
            .map(|b| {
                let mut groups: BTreeMap<&str, Vec<&Line>> = BTreeMap::new();
                for l in lines
                    .iter()
                    .filter(|l| !b.closing_clocks_only || l.closes_case)
                {
                    groups.entry(b.dimension.of(l)).or_default().push(l);
                }
                Breakdown {
                    dimension: b.dimension,
                    closing_clocks_only: b.closing_clocks_only,
                    groups: groups
                        .into_iter()
                        .map(|(key, ls)| {
                            // every key here was in the whole report, with its labels
                            let (label_zh, label_en) = b
                                .groups
                                .iter()
                                .find(|g| g.key == key)
                                .map(|g| (g.label_zh.clone(), g.label_en.clone()))
                                .unwrap_or_else(|| (key.to_string(), key.to_string()));
                            Group {
                                key: key.to_string(),
                                label_zh,
                                label_en,
                                figures: Figures::of(ls.into_iter()),
                            }
                        })
                        .collect(),
                }
            })
            .collect();
        OnTimeReport {
            headline: Figures::of(lines.iter().filter(|l| l.closes_case)),
            months: self
                .months
                .iter()
                // a month with figures but none per agency was frozen before they were kept
                .filter(|m| !m.by_agency.is_empty() || m.figures == nothing)
                .map(|m| MonthFigures {
                    period: m.period,
                    figures: m.by_agency.get(agency).cloned().unwrap_or(nothing.clone()),
                    by_agency: BTreeMap::new(),
                })
                .collect(),
            breakdowns,
            lines,
            ..self.without_lines()
        }
    }

    /// The report without its case lines (the summary JSON), without copying them.
    pub fn without_lines(&self) -> OnTimeReport {
        OnTimeReport {
            period: self.period,
            from: self.from,
            to: self.to,
            as_of: self.as_of,
            generated_at: self.generated_at,
            complete: self.complete,
            definition: self.definition.clone(),
            target: self.target,
            headline: self.headline.clone(),
            months: self.months.clone(),
            breakdowns: self.breakdowns.clone(),
            lines: Vec::new(),
        }
    }
}

/// What to compute a report from.
pub struct Inputs<'a> {
    pub period: Period,
    pub now: Timestamp,
    /// The clocks: at least every one the period's window holds ([`crate::window`]); the
    /// others are classified too and left out, as they concern the period in no way.
    pub facts: &'a Facts,
    /// For the procedures' names.
    pub procedures: &'a Procedures,
    /// Labels of agency keys (`ip_office` → 知识产权局 / IP office).
    pub agency_label: &'a dyn Fn(&str) -> Option<(String, String)>,
    /// The start of the first year whose holiday notice is not yet published: a clock due after
    /// it has a provisional due date. `None`: every due date is final.
    pub provisional_from: Option<Timestamp>,
}

/// Classifies the clocks and adds them up. Refuses a period that has not begun.
pub fn compute(i: Inputs<'_>) -> Result<OnTimeReport, ReportError> {
    let (from, to) = i.period.bounds();
    if i.now < from {
        return Err(ReportError::NotStarted(i.period.to_string()));
    }
    let as_of = whole_micros(i.now).min(to);
    let months = month_figures(&i);
    let window = Window::of(from, to, as_of, i.provisional_from);
    let facts = i.facts;
    let mut hits: Vec<(&Fact, Standing)> = facts
        .live()
        .filter_map(|f| {
            let standing = Standing::of(f, &window);
            standing.matters().then_some((f, standing))
        })
        .collect();
    // by case number, then clock: sealed facts are in that order already, so this sort only
    // places the cases changed since (a stable sort merges runs)
    hits.sort_by(|(a, _), (b, _)| {
        facts
            .cmp_cases(a, b)
            .then_with(|| facts.procedure(a).id.cmp(&facts.procedure(b).id))
    });
    let facts_of: Vec<&Fact> = hits.iter().map(|(f, _)| *f).collect();
    let lines: Vec<Line> = hits
        .into_iter()
        .map(|(f, standing)| standing.into_line(f, facts))
        .collect();
    let closing = || lines.iter().filter(|l| l.closes_case);
    let headline = Figures::of(closing());
    let breakdowns = Dimension::ALL
        .into_iter()
        .map(|d| breakdown(d, &lines, &facts_of, &i))
        .collect();
    Ok(OnTimeReport {
        period: i.period,
        from,
        to,
        as_of,
        generated_at: i.now,
        complete: i.now >= to,
        definition: Definition::current(),
        target: 1.0,
        headline,
        months,
        breakdowns,
        lines,
    })
}

/// For a quarter or a year: the headline of each month begun, each with its own window.
fn month_figures(i: &Inputs<'_>) -> Vec<MonthFigures> {
    if let Period::Month { .. } = i.period {
        return Vec::new();
    }
    let closing: Vec<&Fact> = i
        .facts
        .live()
        .filter(|f| i.facts.procedure(f).closes_case)
        .collect();
    i.period
        .months()
        .into_iter()
        .filter(|m| m.bounds().0 <= i.now)
        .map(|m| {
            let (f, t) = m.bounds();
            let window = Window::of(f, t, whole_micros(i.now).min(t), i.provisional_from);
            // each line with its clock's agency (the line itself carries no names)
            let lines: Vec<(&str, Line)> = closing
                .iter()
                .filter_map(|c| {
                    let standing = Standing::of(c, &window);
                    standing.matters().then(|| {
                        let agency = i.facts.name(i.facts.profile(c).agency).unwrap_or(NONE);
                        (agency, standing.figures_line())
                    })
                })
                .collect();
            let mut agencies: BTreeMap<&str, Vec<&Line>> = BTreeMap::new();
            for (agency, l) in &lines {
                agencies.entry(agency).or_default().push(l);
            }
            MonthFigures {
                period: m,
                figures: Figures::of(lines.iter().map(|(_, l)| l)),
                by_agency: agencies
                    .into_iter()
                    .map(|(a, ls)| (a.to_string(), Figures::of(ls.into_iter())))
                    .collect(),
            }
        })
        .collect()
}

/// The breakdown of the lines by a dimension. `facts[k]` is line `k`'s fact: lines are grouped
/// by the fact's number for the name first (no text compared), then by the name.
fn breakdown(d: Dimension, lines: &[Line], facts: &[&Fact], i: &Inputs<'_>) -> Breakdown {
    let closing_only = d != Dimension::Procedure;
    let mut by_number: HashMap<u32, Vec<&Line>> = HashMap::new();
    for (l, f) in lines.iter().zip(facts) {
        if closing_only && !l.closes_case {
            continue;
        }
        let p = i.facts.profile(f);
        let number = match d {
            Dimension::Procedure => u32::from(f.procedure),
            Dimension::Agency => p.agency,
            Dimension::Channel => p.channel,
            Dimension::RightType => p.right_type,
            Dimension::Fair => p.fair,
            Dimension::Officer => p.officer,
        };
        by_number.entry(number).or_default().push(l);
    }
    // the key as `Dimension::of` gives it, from any line of the group
    let mut groups: BTreeMap<&str, Vec<&Line>> = BTreeMap::new();
    for ls in by_number.into_values() {
        groups.entry(d.of(ls[0])).or_default().extend(ls);
    }
    Breakdown {
        dimension: d,
        closing_clocks_only: closing_only,
        groups: groups
            .into_iter()
            .map(|(key, ls)| {
                let (label_zh, label_en) = label(d, key, i);
                Group {
                    key: key.to_string(),
                    label_zh,
                    label_en,
                    figures: Figures::of(ls.into_iter()),
                }
            })
            .collect(),
    }
}

fn label(d: Dimension, key: &str, i: &Inputs<'_>) -> (String, String) {
    if key == NONE {
        let (zh, en) = match d {
            Dimension::Agency => ("未分派", "not routed"),
            Dimension::Fair => ("非展会投诉", "not at a fair"),
            Dimension::Officer => ("未立案", "not opened"),
            _ => ("未填", "not given"),
        };
        return (zh.into(), en.into());
    }
    match d {
        Dimension::Procedure => i
            .procedures
            .get(key)
            .map(|p| {
                (
                    format!("{} {}", p.id, p.name_zh),
                    format!("{} {}", p.id, p.name_en),
                )
            })
            .unwrap_or_else(|| (key.into(), key.into())),
        Dimension::Agency => (i.agency_label)(key).unwrap_or_else(|| (key.into(), key.into())),
        Dimension::Channel => {
            let zh = match key {
                "fair" => "展会",
                "ecommerce" => "电商平台",
                "border" => "进出境",
                "walk_in" => "来访",
                "hotline" => "热线",
                _ => "其他",
            };
            (zh.into(), key.replace('_', " "))
        }
        Dimension::RightType => {
            let zh = match key {
                "invention_patent" => "发明专利",
                "utility_model" => "实用新型",
                "design_patent" => "外观设计",
                "trademark" => "商标",
                "copyright" => "著作权",
                "geographical_indication" => "地理标志",
                _ => "其他",
            };
            (zh.into(), key.replace('_', " "))
        }
        Dimension::Fair | Dimension::Officer => (key.into(), key.into()),
    }
}

/// An instant to the microsecond below: the precision of every stored instant, so that a
/// report seen at `now` is the report seen at the microsecond it falls in.
fn whole_micros(t: Timestamp) -> Timestamp {
    Timestamp::from_microsecond(t.as_microsecond()).unwrap_or(t)
}

/// A period's bounds and the instant it is seen at, as microseconds (see [`crate::facts`]).
struct Window {
    from: i64,
    to: i64,
    as_of: i64,
    /// A due instant after this is provisional (`i64::MAX`: none is).
    provisional_from: i64,
}

impl Window {
    fn of(
        from: Timestamp,
        to: Timestamp,
        as_of: Timestamp,
        provisional_from: Option<Timestamp>,
    ) -> Window {
        Window {
            from: from.as_microsecond(),
            to: to.as_microsecond(),
            as_of: as_of.as_microsecond(),
            provisional_from: provisional_from.map_or(i64::MAX, |t| t.as_microsecond()),
        }
    }

    fn holds(&self, t: i64) -> bool {
        t != ABSENT && self.from <= t && t < self.to
    }

    /// Whether a running clock due at `due` is overdue at `as_of`: past it, or due at the very
    /// end of a period that is over (still running at 24:00 of its last day).
    fn past(&self, due: i64) -> bool {
        due < self.as_of || (due == self.as_of && self.as_of == self.to)
    }
}

/// Where a clock stands in a period, before anything is copied.
struct Standing {
    started: i64,
    due: i64,
    closed: i64,
    category: Option<Category>,
    overdue_at_end: bool,
    due_within_days: Option<u32>,
    started_in_period: bool,
    closed_in_period: bool,
    net_tenths: i32,
    extensions: u16,
    provisional: bool,
}

impl Standing {
    fn of(c: &Fact, w: &Window) -> Standing {
        // What was known at `as_of`: a close after it had not happened yet.
        let closed = if c.closed <= w.as_of {
            c.closed
        } else {
            ABSENT
        };
        let started = if c.started <= w.as_of {
            c.started
        } else {
            ABSENT
        };
        let closed_in_period = w.holds(closed);
        let running = started != ABSENT && closed == ABSENT;
        let due = c.due;
        let category = if started == ABSENT {
            None
        } else if due == ABSENT {
            (closed_in_period || running).then_some(Category::Undetermined)
        } else {
            // A day-based clock is due at 24:00 of its last day, the next local midnight: a
            // clock due on the last day of the period is due at `to` and belongs to it, one
            // due on the day before the period began is due at `from` and does not.
            let due_in_period = w.from < due && due <= w.to;
            if closed != ABSENT && closed <= due {
                // on time: counted in the period it was closed in, and only there (§8.8)
                closed_in_period.then_some(Category::OnTime)
            } else if due_in_period && w.past(due) {
                // late: counted in the period its due date passed in, and only there, whether
                // it was closed later (by `as_of`) or is still running
                Some(if closed != ABSENT {
                    Category::Late
                } else {
                    Category::OverdueOpen
                })
            } else if due_in_period && closed == ABSENT {
                Some(Category::Pending)
            } else {
                None
            }
        };
        let overdue_at_end = running && due != ABSENT && w.past(due);
        let due_within_days = (running && due != ABSENT && !w.past(due))
            .then(|| {
                let secs = (due - w.as_of) / 1_000_000;
                let days = (secs + 86_399) / 86_400;
                (days <= 30).then_some(days.max(1) as u32)
            })
            .flatten();
        Standing {
            started,
            due,
            closed,
            category,
            overdue_at_end,
            due_within_days,
            started_in_period: w.holds(started),
            closed_in_period,
            net_tenths: c.net_tenths,
            extensions: c.extensions,
            // due at 24:00 of 31 December is that year's, not the next one's
            provisional: due != ABSENT && due > w.provisional_from,
        }
    }

    /// Whether the period's figures mention the clock at all.
    fn matters(&self) -> bool {
        self.category.is_some()
            || self.overdue_at_end
            || self.due_within_days.is_some()
            || self.started_in_period
            || self.closed_in_period
    }

    fn into_line(self, f: &Fact, facts: &Facts) -> Line {
        let procedure = facts.procedure(f);
        let p = facts.profile(f);
        let name = |i: u32| facts.name(i).map(str::to_string);
        let mut line = self.figures_line();
        line.case_number = facts.case_number(f);
        line.procedure = procedure.id.to_string();
        line.closes_case = procedure.closes_case;
        line.agency = name(p.agency);
        line.channel = facts.name(p.channel).unwrap_or_default().to_string();
        line.right_type = name(p.right_type);
        line.fair = name(p.fair);
        line.officer = name(p.officer);
        line
    }

    /// The line with what its figures need (dates, standing, duration, extensions) and no
    /// names: for the monthly headlines inside a quarter or a year, which list no cases.
    fn figures_line(self) -> Line {
        let net_days = (self.closed_in_period && self.started != ABSENT && self.net_tenths >= 0)
            .then(|| f64::from(self.net_tenths) / 10.0);
        Line {
            case_number: String::new(),
            procedure: String::new(),
            closes_case: true,
            agency: None,
            channel: String::new(),
            right_type: None,
            fair: None,
            officer: None,
            // as known at `as_of`, so that a period reads the same whenever it is computed
            started_at: instant(self.started),
            due_at: instant(self.due),
            closed_at: instant(self.closed),
            category: self.category,
            overdue_at_end: self.overdue_at_end,
            due_within_days: self.due_within_days,
            started_in_period: self.started_in_period,
            closed_in_period: self.closed_in_period,
            net_days,
            extensions: u32::from(self.extensions),
            provisional: self.provisional,
        }
    }
}

/// Days from `start` to `end`, less the excluded periods (merged where they overlap, clipped
/// to the clock's span; a period still open runs to `end`), to one decimal.
pub fn net_days(start: Timestamp, end: Timestamp, inputs: &ClockInputs) -> f64 {
    let mut spans: Vec<(Timestamp, Timestamp)> = inputs
        .exclusions
        .iter()
        .map(|x| (x.from.max(start), x.to.unwrap_or(end).min(end)))
        .filter(|(a, b)| a < b)
        .collect();
    spans.sort();
    let mut excluded = SignedDuration::ZERO;
    let mut cur: Option<(Timestamp, Timestamp)> = None;
    for (a, b) in spans {
        cur = match cur {
            Some((ca, cb)) if a <= cb => Some((ca, cb.max(b))),
            Some((ca, cb)) => {
                excluded += cb.duration_since(ca);
                Some((a, b))
            }
            None => Some((a, b)),
        };
    }
    if let Some((ca, cb)) = cur {
        excluded += cb.duration_since(ca);
    }
    let net = end.duration_since(start) - excluded;
    round(net.as_secs_f64().max(0.0) / 86_400.0, 1)
}

impl OnTimeReport {
    /// The lines behind a figure: a group (or the headline, with `group` `None`) and a measure.
    /// The headline and every breakdown but the clock type's count closing clocks only.
    pub fn trace(&self, group: Option<(Dimension, &str)>, measure: Measure) -> Vec<&Line> {
        self.lines
            .iter()
            .filter(|l| match group {
                None => l.closes_case,
                Some((Dimension::Procedure, key)) => l.procedure.eq_ignore_ascii_case(key),
                Some((d, key)) => l.closes_case && d.of(l) == key,
            })
            .filter(|l| measure.holds(l))
            .collect()
    }

    pub fn breakdown(&self, d: Dimension) -> Option<&Breakdown> {
        self.breakdowns.iter().find(|b| b.dimension == d)
    }
}
