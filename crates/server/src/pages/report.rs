//! The on-time report (按期结案率) and the deadline watch (期限预警) as workbench pages, with the
//! same templates, stylesheet, navigation and headers as every other page: every figure links
//! to the page listing its cases, every case to its case page, times in Beijing time, tables
//! that scroll sideways on a phone. The same templates write the self-contained HTML file of
//! `kuaiwei report on-time --format html` and `kuaiwei report watch --format html` (the
//! stylesheet inlined), so there is one way to render a report.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::Timestamp;
use kuaiwei_access::Action;
use kuaiwei_reports::{
    Correction, Dimension, Figures, FreezeInfo, Line, Measure, OnTimeReport, TABLE_MEASURES, Watch,
};

use super::work::{Nav, Staff};
use super::{Ctx, Lang, error_page, render};
use crate::routes::reports::{PageQuery, TraceQuery, page_period, traced};
use crate::{AppError, AppState};

const BASE: &str = "/reports/on-time";

/// One cell of a figures table: its text, the page of its cases, a class.
pub struct Cell {
    text: String,
    href: Option<String>,
    class: &'static str,
}

pub struct Row {
    label: String,
    href: Option<String>,
    cells: Vec<Cell>,
}

pub struct Table {
    caption: String,
    head: Vec<String>,
    rows: Vec<Row>,
}

/// Everything the report's body shows, in the reader's language.
pub struct ReportView {
    title: String,
    downloads: Vec<(String, &'static str)>,
    rollups: Vec<(String, String)>,
    status: String,
    status_warn: bool,
    definition: String,
    recomputed: Option<String>,
    rate: String,
    provisional: Option<String>,
    /// The SVG chart (numbers and escaped labels only).
    chart: String,
    tables: Vec<Table>,
    corrections: Option<Table>,
}

fn pct(r: Option<f64>) -> String {
    r.map(|r| format!("{:.2}%", r * 100.0))
        .unwrap_or_else(|| "—".into())
}

fn pick<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

fn rlang(lang: Lang) -> kuaiwei_reports::Lang {
    match lang {
        Lang::Zh => kuaiwei_reports::Lang::Zh,
        Lang::En => kuaiwei_reports::Lang::En,
    }
}

fn qv(s: &str) -> String {
    kuaiwei_reports::query_value(s)
}

/// The address of the cases behind a figure.
fn cases_href(period: &str, group: Option<(Dimension, &str)>, m: Measure) -> String {
    let mut href = format!("{BASE}/cases?period={}&measure={}", qv(period), m.key());
    if let Some((d, key)) = group {
        href.push_str(&format!("&dimension={}&key={}", d.key(), qv(key)));
    }
    href
}

fn head(lang: Lang, first: &str) -> Vec<String> {
    let mut h = vec![first.to_string()];
    h.extend(
        TABLE_MEASURES
            .iter()
            .map(|m| pick(lang, m.zh(), m.en()).to_string()),
    );
    h.extend(
        [
            ("按期结案率", "on-time rate"),
            ("结案率", "closure rate"),
            ("时长中位数（日）", "median days"),
            ("时长P90（日）", "p90 days"),
            ("延长次数", "extensions"),
        ]
        .map(|(zh, en)| pick(lang, zh, en).to_string()),
    );
    h
}

fn row(period: &str, label: String, f: &Figures, group: Option<(Dimension, &str)>) -> Row {
    let mut cells: Vec<Cell> = TABLE_MEASURES
        .iter()
        .map(|m| {
            let n = f.count(*m);
            Cell {
                text: n.to_string(),
                href: (n > 0).then(|| cases_href(period, group, *m)),
                class: "",
            }
        })
        .collect();
    let days = |d: Option<f64>| d.map(|d| format!("{d:.1}")).unwrap_or_else(|| "—".into());
    let plain = |text: String| Cell {
        text,
        href: None,
        class: "",
    };
    cells.push(Cell {
        text: pct(f.on_time_rate),
        href: None,
        class: match f.on_time_rate {
            Some(x) if x < 1.0 => "late",
            Some(_) => "ok",
            None => "",
        },
    });
    cells.push(plain(pct(f.closure_rate)));
    cells.push(plain(days(f.median_days)));
    cells.push(plain(days(f.p90_days)));
    cells.push(plain(f.extensions.to_string()));
    Row {
        label,
        href: None,
        cells,
    }
}

/// The report's body for `lang`.
pub fn report_view(
    r: &OnTimeReport,
    lang: Lang,
    frozen: Option<&FreezeInfo>,
    corrections: &[Correction],
    recomputed: Option<&OnTimeReport>,
) -> ReportView {
    let period = r.period.to_string();
    let downloads = [("csv", "CSV"), ("xlsx", "XLSX"), ("json", "JSON")]
        .into_iter()
        .map(|(f, label)| {
            (
                format!("/api/v1/reports/on-time?period={}&format={f}", qv(&period)),
                label,
            )
        })
        .collect();
    let rollups = r
        .period
        .roll_ups()
        .into_iter()
        .map(|up| {
            (
                format!("{BASE}?period={}", qv(&up.to_string())),
                up.to_string(),
            )
        })
        .collect();
    let (status, status_warn) = match (frozen, r.complete) {
        (Some(f), _) => (
            format!(
                "{} {} · {} {} · SHA-256 {}{}",
                pick(lang, "已封存于", "frozen at"),
                lang.time(f.frozen_at),
                pick(lang, "封存人", "by"),
                f.frozen_by,
                &f.hash[..16.min(f.hash.len())],
                if f.intact {
                    ""
                } else {
                    pick(lang, " · 校验失败！", " · HASH MISMATCH!")
                }
            ),
            !f.intact,
        ),
        (None, true) => (
            pick(
                lang,
                "统计期已结束，尚未封存。",
                "Period ended; not frozen yet.",
            )
            .to_string(),
            false,
        ),
        (None, false) => (
            format!(
                "{} {}",
                pick(
                    lang,
                    "统计期未结束，数据截至",
                    "Period still running; figures as of"
                ),
                lang.time(r.as_of)
            ),
            false,
        ),
    };
    let recomputed = recomputed.filter(|_| !r.definition.is_current()).map(|now| {
        let h = &now.headline;
        match lang {
            Lang::Zh => format!(
                "本报告按旧口径（第{}版）封存，原文不变。按现行口径重算的按期结案率：{}（按期 {}，超期 {}）。逐案差异见下方“封存后更正”。",
                r.definition.version,
                pct(h.on_time_rate),
                h.on_time,
                h.late + h.overdue_open
            ),
            Lang::En => format!(
                "This report was frozen under an earlier definition (version {}) and is kept as frozen. Recomputed under the current definition, the on-time rate is {} (on time {}, late {}). The cases that differ are listed under corrections below.",
                r.definition.version,
                pct(h.on_time_rate),
                h.on_time,
                h.late + h.overdue_open
            ),
        }
    });
    let provisional = (r.headline.provisional > 0).then(|| match lang {
        Lang::Zh => format!(
            "其中 {} 件的届满日所依年度放假安排尚未发布，按法定节假日暂定计算，发布后重新计算。",
            r.headline.provisional
        ),
        Lang::En => format!(
            "{} of these have a provisional due date: their year's holiday schedule is not yet published; they are recomputed when it is.",
            r.headline.provisional
        ),
    });
    let mut tables = vec![Table {
        caption: pick(lang, "合计", "Total").into(),
        head: head(lang, pick(lang, "合计", "total")),
        rows: vec![row(
            &period,
            pick(lang, "全部结案时限", "all closing clocks").into(),
            &r.headline,
            None,
        )],
    }];
    if !r.months.is_empty() {
        tables.push(Table {
            caption: pick(lang, "分月", "By month").into(),
            head: head(lang, pick(lang, "月份", "month")),
            rows: r
                .months
                .iter()
                .map(|m| {
                    let month = m.period.to_string();
                    let mut row = row(&month, month.clone(), &m.figures, None);
                    // a month's own figures and their cases live on its own page
                    row.href = Some(format!("{BASE}?period={}", qv(&month)));
                    row
                })
                .collect(),
        });
    }
    for bd in &r.breakdowns {
        let d = bd.dimension;
        tables.push(Table {
            caption: format!("{} {}", pick(lang, "按", "By"), pick(lang, d.zh(), d.en())),
            head: head(lang, pick(lang, d.zh(), d.en())),
            rows: bd
                .groups
                .iter()
                .map(|g| {
                    row(
                        &period,
                        pick(lang, &g.label_zh, &g.label_en).to_string(),
                        &g.figures,
                        Some((d, &g.key)),
                    )
                })
                .collect(),
        });
    }
    let corrections = frozen.map(|_| {
        let state = |s: &Option<kuaiwei_reports::LineState>| {
            s.as_ref()
                .map(|s| {
                    format!(
                        "{} · {} {}",
                        s.category
                            .and_then(|c| serde_json::to_value(c).ok())
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_else(|| "—".into()),
                        pick(lang, "结", "closed"),
                        s.closed_at
                            .map(|t| lang.time(t))
                            .unwrap_or_else(|| "—".into())
                    )
                })
                .unwrap_or_else(|| "—".into())
        };
        Table {
            caption: format!(
                "{} ({})",
                pick(lang, "封存后更正", "Corrections after the freeze"),
                corrections.len()
            ),
            head: [
                ("案件", "case"),
                ("时限", "clock"),
                ("封存时", "frozen"),
                ("现在", "now"),
            ]
            .map(|(zh, en)| pick(lang, zh, en).to_string())
            .to_vec(),
            rows: corrections
                .iter()
                .map(|c| Row {
                    label: c.case_number.clone(),
                    href: Some(format!("/work/cases/{}", c.case_number)),
                    cells: [c.procedure.clone(), state(&c.frozen), state(&c.now)]
                        .map(|text| Cell {
                            text,
                            href: None,
                            class: "",
                        })
                        .into(),
                })
                .collect(),
        }
    });
    ReportView {
        title: format!(
            "{} {period}",
            pick(lang, "按期结案率报告", "On-time closure report")
        ),
        downloads,
        rollups,
        status,
        status_warn,
        definition: pick(lang, &r.definition.zh, &r.definition.en).to_string(),
        recomputed,
        rate: pct(r.headline.on_time_rate),
        provisional,
        chart: kuaiwei_reports::chart_svg(r, rlang(lang)),
        tables,
        corrections,
    }
}

#[derive(Template)]
#[template(path = "work_report.html")]
struct ReportPage {
    p: Ctx,
    nav: Nav,
    r: ReportView,
}

#[derive(Template)]
#[template(path = "report_file.html")]
struct ReportFile {
    p: Ctx,
    css: &'static str,
    r: ReportView,
}

/// The report as one self-contained HTML file (the stylesheet inlined, no script), for
/// `kuaiwei report on-time --format html`.
pub fn report_file(
    r: &OnTimeReport,
    english: bool,
    frozen: Option<&FreezeInfo>,
    corrections: &[Correction],
    recomputed: Option<&OnTimeReport>,
) -> Result<String, String> {
    let lang = if english { Lang::En } else { Lang::Zh };
    ReportFile {
        p: file_ctx(lang),
        css: super::assets::text("kuaiwei.css"),
        r: report_view(r, lang, frozen, corrections, recomputed),
    }
    .render()
    .map_err(|e| e.to_string())
}

fn file_ctx(lang: Lang) -> Ctx {
    let headers = axum::http::HeaderMap::new();
    let mut p = Ctx::new("/", Some(&format!("lang={}", lang.tag())), &headers);
    p.switch_href = String::new();
    p
}

/// `GET /reports/on-time?period=2026-10`
pub async fn page(
    State(state): State<AppState>,
    q: Result<Query<PageQuery>, QueryRejection>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let staff = match Staff::of(&state, &parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let lang = staff.lang();
    let served = async {
        let scope = staff.caller.scope();
        staff
            .caller
            .require(&state, Action::ReadReports, scope.as_deref())
            .await?;
        let p = page_period(q)?;
        Ok::<_, AppError>(
            crate::reports::on_time(&state, p, false)
                .await?
                .scoped(scope.as_deref()),
        )
    }
    .await;
    match served {
        Ok(s) => {
            let r = report_view(
                &s.report,
                lang,
                s.frozen.as_ref(),
                &s.corrections,
                s.live.as_deref(),
            );
            render(
                StatusCode::OK,
                &ReportPage {
                    p: staff.p,
                    nav: staff.nav,
                    r,
                },
                true,
            )
        }
        Err(e) => error_page(staff.p, e, "/work"),
    }
}

struct CaseLine {
    number: String,
    procedure: String,
    agency: String,
    started: String,
    due: String,
    closed: String,
    net_days: String,
    extensions: u32,
}

#[derive(Template)]
#[template(path = "work_report_cases.html")]
struct CasesPage {
    p: Ctx,
    nav: Nav,
    title: String,
    back: String,
    lines: Vec<CaseLine>,
}

/// `GET /reports/on-time/cases?period=…&measure=…[&dimension=…&key=…]`: the cases behind a figure.
pub async fn cases(
    State(state): State<AppState>,
    q: Result<Query<TraceQuery>, QueryRejection>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let staff = match Staff::of(&state, &parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let lang = staff.lang();
    let asked = match crate::routes::reports::query(q) {
        Ok(q) => q,
        Err(e) => return error_page(staff.p, e, BASE),
    };
    let (p, t, s) = match traced(&state, &staff.caller, &asked).await {
        Ok(x) => x,
        Err(e) => return error_page(staff.p, e, "/work"),
    };
    let group = t.group.as_ref().map(|(d, k)| (*d, k.as_str()));
    let lines: Vec<&Line> = s.report.trace(group, t.measure);
    let what = match group {
        Some((d, key)) => format!("{} {} · ", pick(lang, d.zh(), d.en()), key),
        None => String::new(),
    };
    let time = |t: Option<Timestamp>| t.map(|t| lang.due(t)).unwrap_or_else(|| "—".into());
    let page = CasesPage {
        title: format!(
            "{p} · {what}{} ({})",
            pick(lang, t.measure.zh(), t.measure.en()),
            lines.len()
        ),
        back: format!("{BASE}?period={}", qv(&p.to_string())),
        lines: lines
            .iter()
            .map(|l| CaseLine {
                number: l.case_number.clone(),
                procedure: l.procedure.clone(),
                agency: super::work::agency_name(lang, l.agency.as_deref()),
                started: time(l.started_at),
                due: time(l.due_at),
                closed: time(l.closed_at),
                net_days: l
                    .net_days
                    .map(|d| format!("{d:.1}"))
                    .unwrap_or_else(|| "—".into()),
                extensions: l.extensions,
            })
            .collect(),
        p: staff.p,
        nav: staff.nav,
    };
    render(StatusCode::OK, &page, true)
}

/// The watch's lines for one officer of one agency.
pub struct WatchGroup {
    agency: String,
    officer: String,
    lines: Vec<WatchRow>,
}

pub struct WatchRow {
    number: String,
    state: String,
    due: String,
    provisional: bool,
    late: bool,
    days: String,
    supervised: bool,
}

/// The watch's body for `lang`.
pub struct WatchView {
    as_of: String,
    summary: String,
    json: String,
    groups: Vec<WatchGroup>,
}

pub fn watch_view(w: &Watch, lang: Lang, query: &str) -> WatchView {
    let mut groups = Vec::new();
    for a in &w.agencies {
        for c in &a.officers {
            groups.push(WatchGroup {
                agency: pick(lang, &a.label_zh, &a.label_en).to_string(),
                officer: c
                    .officer
                    .clone()
                    .unwrap_or_else(|| pick(lang, "未立案", "not opened").to_string()),
                lines: a
                    .lines_of(&c.officer)
                    .map(|(l, late)| WatchRow {
                        number: l.case_number.clone(),
                        state: CaseStateWords::of(lang, &l.state),
                        due: l.due_local.clone(),
                        provisional: l.provisional,
                        late,
                        days: match (late, lang) {
                            (true, Lang::Zh) => format!("超期 {} 天", l.days),
                            (true, Lang::En) => format!("{} days late", l.days),
                            (false, Lang::Zh) => format!("剩 {} 天", l.days),
                            (false, Lang::En) => format!("{} days left", l.days),
                        },
                        supervised: l.supervised,
                    })
                    .collect(),
            });
        }
    }
    WatchView {
        as_of: lang.time(w.as_of),
        summary: match lang {
            Lang::Zh => format!(
                "已超期 {} 件；{} 天内到期 {} 件。",
                w.overdue, w.days, w.due_soon
            ),
            Lang::En => format!(
                "{} overdue; {} due within {} days.",
                w.overdue, w.due_soon, w.days
            ),
        },
        json: format!("/api/v1/watch?{query}"),
        groups,
    }
}

/// A case state key in the staff's words.
struct CaseStateWords;

impl CaseStateWords {
    fn of(lang: Lang, key: &str) -> String {
        kuaiwei_domain::CaseState::parse(key)
            .map(|s| super::work::state_name(lang, s).to_string())
            .unwrap_or_else(|| key.to_string())
    }
}

#[derive(Template)]
#[template(path = "work_watch.html")]
struct WatchPage {
    p: Ctx,
    nav: Nav,
    w: WatchView,
}

#[derive(Template)]
#[template(path = "watch_file.html")]
struct WatchFile {
    p: Ctx,
    css: &'static str,
    w: WatchView,
}

/// The watch as one self-contained HTML file, for `kuaiwei report watch --format html`.
pub fn watch_file(w: &Watch, english: bool) -> Result<String, String> {
    let lang = if english { Lang::En } else { Lang::Zh };
    WatchFile {
        p: file_ctx(lang),
        css: super::assets::text("kuaiwei.css"),
        w: watch_view(w, lang, ""),
    }
    .render()
    .map_err(|e| e.to_string())
}

/// `GET /watch?days=7&agency=…&officer=…`
pub async fn watch(
    State(state): State<AppState>,
    q: Result<Query<crate::routes::watch::WatchQuery>, QueryRejection>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let staff = match Staff::of(&state, &parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let lang = staff.lang();
    let q = match crate::routes::reports::query(q) {
        Ok(q) => q,
        Err(e) => return error_page(staff.p, e, "/work"),
    };
    let keep = q.kept();
    match crate::routes::watch::digest(&state, &staff.caller, q).await {
        Ok(w) => {
            let w = watch_view(&w, lang, &keep);
            render(
                StatusCode::OK,
                &WatchPage {
                    p: staff.p,
                    nav: staff.nav,
                    w,
                },
                true,
            )
        }
        Err(e) => error_page(staff.p, e, "/work"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kuaiwei_deadlines::Procedures;
    use kuaiwei_reports::{Facts, Inputs, Period, compute};
    use kuaiwei_store::ReportClock;

    fn at(d: &str) -> Timestamp {
        format!("{d}T02:00:00Z").parse().unwrap()
    }

    fn clock(due: &str, closed: &str, officer: &str) -> ReportClock {
        ReportClock {
            case_number: "KW-2026-000001".into(),
            procedure_id: "P3".into(),
            started_at: Some(at("2026-07-01")),
            closed_at: Some(at(closed)),
            due_at: Some(at(due)),
            inputs: "{}".into(),
            agency: Some("ip_office".into()),
            channel: "fair".into(),
            right_type: Some("design_patent".into()),
            fair: Some("第140届广交会 第二期".into()),
            officer: Some(officer.into()),
        }
    }

    fn report(clocks: Vec<ReportClock>, now: &str) -> OnTimeReport {
        let procedures = Procedures::bundled();
        compute(Inputs {
            period: Period::parse("2026-10").unwrap(),
            now: now.parse().unwrap(),
            facts: &Facts::from_clocks(clocks, &procedures),
            procedures: &procedures,
            agency_label: &|_: &str| None,
            provisional_from: None,
        })
        .unwrap()
    }

    #[test]
    fn the_report_links_every_nonzero_figure_to_its_cases_and_escapes_text() {
        let r = report(
            vec![clock("2026-10-12", "2026-10-20", "<script>")],
            "2026-11-22T00:00:00Z",
        );
        let en = report_file(&r, true, None, &[], None).unwrap();
        assert!(
            en.contains("/reports/on-time/cases?period=2026-10&#38;measure=late"),
            "{en}"
        );
        assert!(!en.contains("<script>") && en.contains("&#60;script&#62;"));
        assert!(en.contains("<svg") && en.contains("On-time closure report"));
        let zh = report_file(&r, false, None, &[], None).unwrap();
        assert!(zh.contains("按期结案率报告 2026-10") && zh.contains("<style>"));
    }

    #[test]
    fn a_report_frozen_under_the_old_definition_says_so_and_shows_the_current_rate_beside() {
        let now = report(
            vec![clock("2026-10-19", "2026-09-15", "li")],
            "2026-11-02T00:00:00Z",
        );
        let mut frozen = now.clone();
        frozen.definition.version = 1;
        let en = report_file(&frozen, true, None, &[], Some(&now)).unwrap();
        assert!(en.contains("earlier definition (version 1)"), "{en}");
        let zh = report_file(&frozen, false, None, &[], Some(&now)).unwrap();
        assert!(zh.contains("按旧口径（第1版）封存"), "{zh}");
        let current = report_file(&now, true, None, &[], Some(&now)).unwrap();
        assert!(!current.contains("earlier definition"));
    }

    #[test]
    fn the_watch_escapes_names_and_links_each_case() {
        let line = |n: &str, late: bool| kuaiwei_reports::WatchLine {
            case_number: n.into(),
            state: "opened".into(),
            state_zh: "已立案".into(),
            due: at("2026-11-01"),
            due_local: "2026-11-01 10:00".into(),
            days: if late { 20 } else { 2 },
            officer: Some("<b>周</b>".into()),
            supervised: late,
            provisional: !late,
        };
        let w = Watch {
            as_of: at("2026-11-21"),
            days: 7,
            overdue: 1,
            due_soon: 1,
            agencies: vec![kuaiwei_reports::AgencyWatch {
                agency: Some("customs".into()),
                label_zh: "海关".into(),
                label_en: "Customs".into(),
                overdue: vec![line("KW-2026-000004", true)],
                due_soon: vec![line("KW-2026-000005", false)],
                officers: vec![kuaiwei_reports::OfficerCount {
                    officer: Some("<b>周</b>".into()),
                    overdue: 1,
                    due_soon: 1,
                }],
            }],
        };
        let zh = watch_file(&w, false).unwrap();
        assert!(zh.contains("&#60;b&#62;周&#60;/b&#62;") && !zh.contains("<b>周</b>"));
        assert!(zh.contains("href=\"/work/cases/KW-2026-000004\""));
        assert!(zh.contains("超期 20 天") && zh.contains("剩 2 天"), "{zh}");
        assert!(zh.contains("暂定") && zh.contains("已立案"));
        let empty = Watch {
            agencies: Vec::new(),
            overdue: 0,
            due_soon: 0,
            ..w
        };
        assert!(
            watch_file(&empty, true)
                .unwrap()
                .contains("Nothing is overdue or due soon.")
        );
    }
}
