//! The report as a server-rendered page in zh-CN or en: the definition, the headline, an SVG
//! chart of each agency's on-time rate against the 100 % line, and tables in which every number
//! links to the list of its cases. No scripts, no external assets.

use std::fmt::Write;

use crate::{Correction, Dimension, Figures, FreezeInfo, Line, Measure, OnTimeReport};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn parse(s: Option<&str>) -> Lang {
        match s.map(str::trim) {
            Some(l) if l.eq_ignore_ascii_case("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    fn key(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub(crate) fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a query value.
pub fn q(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

fn pct(r: Option<f64>) -> String {
    r.map(|r| format!("{:.2}%", r * 100.0))
        .unwrap_or_else(|| "—".into())
}

const STYLE: &str = "body{font-family:system-ui,'PingFang SC','Noto Sans CJK SC',sans-serif;margin:1.5rem;color:#222}\
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}\
th:first-child,td:first-child{text-align:left}.late{color:#b00020}.ok{color:#1b5e20}.note{color:#555;max-width:60rem}\
nav a{margin-right:1rem}";

pub(crate) fn page(lang: Lang, title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title>\
<style>{STYLE}</style></head><body>{body}</body></html>",
        lang.key(),
        esc(title)
    )
}

struct Links<'a> {
    period: String,
    lang: Lang,
    base: &'a str,
}

impl Links<'_> {
    fn cases(&self, group: Option<(Dimension, &str)>, m: Measure) -> String {
        let mut href = format!(
            "{}/cases?period={}&measure={}",
            self.base,
            q(&self.period),
            m.key()
        );
        if let Some((d, key)) = group {
            let _ = write!(href, "&dimension={}&key={}", d.key(), q(key));
        }
        if self.lang == Lang::En {
            href.push_str("&lang=en");
        }
        href
    }

    fn number(&self, f: &Figures, group: Option<(Dimension, &str)>, m: Measure) -> String {
        let n = f.count(m);
        if n == 0 {
            "0".into()
        } else {
            format!("<a href=\"{}\">{n}</a>", esc(&self.cases(group, m)))
        }
    }
}

const TABLE_MEASURES: [Measure; 11] = [
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
];

fn header(lang: Lang, first: &str) -> String {
    let mut h = format!("<tr><th>{}</th>", esc(first));
    for m in TABLE_MEASURES {
        let _ = write!(h, "<th>{}</th>", esc(lang.pick(m.zh(), m.en())));
    }
    let _ = write!(
        h,
        "<th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        lang.pick("按期结案率", "on-time rate"),
        lang.pick("结案率", "closure rate"),
        lang.pick("时长中位数（日）", "median days"),
        lang.pick("时长P90（日）", "p90 days"),
        lang.pick("延长次数", "extensions"),
    );
    h
}

fn row(links: &Links<'_>, label: &str, f: &Figures, group: Option<(Dimension, &str)>) -> String {
    let mut r = format!("<tr><td>{}</td>", esc(label));
    for m in TABLE_MEASURES {
        let _ = write!(r, "<td>{}</td>", links.number(f, group, m));
    }
    let class = match f.on_time_rate {
        Some(x) if x < 1.0 => "late",
        Some(_) => "ok",
        None => "",
    };
    let days = |d: Option<f64>| d.map(|d| format!("{d:.1}")).unwrap_or_else(|| "—".into());
    let _ = write!(
        r,
        "<td class=\"{class}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        pct(f.on_time_rate),
        pct(f.closure_rate),
        days(f.median_days),
        days(f.p90_days),
        f.extensions
    );
    r
}

/// One horizontal bar per agency, the 100 % target as a vertical line.
fn chart(r: &OnTimeReport, lang: Lang) -> String {
    let Some(b) = r.breakdown(Dimension::Agency) else {
        return String::new();
    };
    let groups: Vec<_> = b
        .groups
        .iter()
        .filter(|g| g.figures.on_time_rate.is_some())
        .collect();
    if groups.is_empty() {
        return format!(
            "<p class=\"note\">{}</p>",
            lang.pick("本期无应计案件。", "No case counts in this period.")
        );
    }
    let (left, width, bar, gap) = (180.0, 420.0, 22.0, 10.0);
    let height = 30.0 + groups.len() as f64 * (bar + gap);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{w}\" height=\"{height}\" \
viewBox=\"0 0 {w} {height}\"><title>{}</title>",
        esc(lang.pick("各承办机关按期结案率", "On-time rate by agency")),
        w = left + width + 80.0
    );
    for (i, g) in groups.iter().enumerate() {
        let rate = g.figures.on_time_rate.unwrap_or(0.0);
        let y = 20.0 + i as f64 * (bar + gap);
        let fill = if rate >= r.target {
            "#2e7d32"
        } else {
            "#ef6c00"
        };
        let label = lang.pick(&g.label_zh, &g.label_en);
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"13\">{}</text>\
<rect x=\"{left}\" y=\"{y}\" width=\"{:.1}\" height=\"{bar}\" fill=\"{fill}\"/>\
<text x=\"{:.1}\" y=\"{}\" font-size=\"12\">{}</text>",
            left - 6.0,
            y + bar * 0.7,
            esc(label),
            rate * width,
            left + rate * width + 4.0,
            y + bar * 0.7,
            pct(Some(rate)),
        );
    }
    let _ = write!(
        s,
        "<line x1=\"{x}\" y1=\"10\" x2=\"{x}\" y2=\"{height}\" stroke=\"#b00020\" stroke-dasharray=\"4 3\"/>\
<text x=\"{x}\" y=\"10\" font-size=\"11\" text-anchor=\"middle\">100%</text></svg>",
        x = left + width * r.target
    );
    s
}

/// The report page. `base` is the path the page is served at (links to case lists hang off it).
pub fn report_page(
    r: &OnTimeReport,
    lang: Lang,
    base: &str,
    frozen: Option<&FreezeInfo>,
    corrections: &[Correction],
    recomputed: Option<&OnTimeReport>,
) -> String {
    let period = r.period.to_string();
    let links = Links {
        period: period.clone(),
        lang,
        base,
    };
    let title = format!(
        "{} {period}",
        lang.pick("按期结案率报告", "On-time closure report")
    );
    let mut b = format!("<h1>{}</h1>", esc(&title));
    let other = match lang {
        Lang::Zh => format!("{base}?period={}&lang=en", q(&period)),
        Lang::En => format!("{base}?period={}", q(&period)),
    };
    let _ = write!(
        b,
        "<nav><a href=\"{}\">{}</a>",
        esc(&other),
        lang.pick("English", "中文")
    );
    for (fmt, label) in [("csv", "CSV"), ("xlsx", "XLSX"), ("json", "JSON")] {
        let _ = write!(
            b,
            "<a href=\"/api/v1/reports/on-time?period={}&amp;format={fmt}\">{label}</a>",
            q(&period)
        );
    }
    for up in r.period.roll_ups() {
        let mut href = format!("{base}?period={}", q(&up.to_string()));
        if lang == Lang::En {
            href.push_str("&lang=en");
        }
        let _ = write!(b, "<a href=\"{}\">{}</a>", esc(&href), esc(&up.to_string()));
    }
    b.push_str("</nav>");
    let status = match (frozen, r.complete) {
        (Some(f), _) => format!(
            "{} {} · {} {} · SHA-256 {}{}",
            lang.pick("已封存于", "frozen at"),
            f.frozen_at,
            lang.pick("封存人", "by"),
            esc(&f.frozen_by),
            &f.hash[..16.min(f.hash.len())],
            if f.intact {
                ""
            } else {
                lang.pick(" · 校验失败！", " · HASH MISMATCH!")
            }
        ),
        (None, true) => lang
            .pick("统计期已结束，尚未封存。", "Period ended; not frozen yet.")
            .to_string(),
        (None, false) => format!(
            "{} {}",
            lang.pick(
                "统计期未结束，数据截至",
                "Period still running; figures as of"
            ),
            r.as_of
        ),
    };
    let _ = write!(b, "<p class=\"note\">{status}</p>");
    let _ = write!(
        b,
        "<p class=\"note\">{}</p>",
        esc(lang.pick(&r.definition.zh, &r.definition.en))
    );
    if let Some(now) = recomputed.filter(|_| !r.definition.is_current()) {
        // frozen under an older definition: its text is kept, the current reading beside it
        let h = &now.headline;
        let _ = write!(
            b,
            "<p class=\"note warn\">{} {} {} ({} {}, {} {}). {}</p>",
            esc(&match lang {
                Lang::Zh => format!(
                    "本报告按旧口径（第{}版）封存，原文不变。",
                    r.definition.version
                ),
                Lang::En => format!(
                    "This report was frozen under an earlier definition (version {}) and is kept as frozen.",
                    r.definition.version
                ),
            }),
            lang.pick(
                "按现行口径重算的按期结案率：",
                "Recomputed under the current definition, the on-time rate is"
            ),
            pct(h.on_time_rate),
            lang.pick("按期", "on time"),
            h.on_time,
            lang.pick("超期", "late"),
            h.late + h.overdue_open,
            lang.pick(
                "逐案差异见下方“封存后更正”。",
                "The cases that differ are listed under corrections below."
            ),
        );
    }
    let _ = write!(
        b,
        "<h2>{} {}</h2>",
        lang.pick("按期结案率", "On-time rate"),
        pct(r.headline.on_time_rate)
    );
    if r.headline.provisional > 0 {
        let _ = write!(
            b,
            "<p class=\"note\">{}</p>",
            esc(&match lang {
                Lang::Zh => format!(
                    "其中 {} 件的届满日所依年度放假安排尚未发布，按法定节假日暂定计算，发布后重新计算。",
                    r.headline.provisional
                ),
                Lang::En => format!(
                    "{} of these have a provisional due date: their year's holiday schedule is not yet published; they are recomputed when it is.",
                    r.headline.provisional
                ),
            })
        );
    }
    b.push_str(&chart(r, lang));
    let _ = write!(b, "<table>{}", header(lang, lang.pick("合计", "total")));
    b.push_str(&row(
        &links,
        lang.pick("全部结案时限", "all closing clocks"),
        &r.headline,
        None,
    ));
    b.push_str("</table>");
    if !r.months.is_empty() {
        let _ = write!(
            b,
            "<h2>{}</h2><table>{}",
            lang.pick("分月", "By month"),
            header(lang, lang.pick("月份", "month"))
        );
        for m in &r.months {
            // a month's own figures live on its own page
            let mut href = format!("{base}?period={}", q(&m.period.to_string()));
            if lang == Lang::En {
                href.push_str("&lang=en");
            }
            let _ = write!(
                b,
                "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td colspan=\"12\">{}</td></tr>",
                esc(&href),
                m.period,
                m.figures.counted,
                m.figures.on_time,
                m.figures.late,
                m.figures.overdue_open,
                pct(m.figures.on_time_rate)
            );
        }
        b.push_str("</table>");
    }
    for bd in &r.breakdowns {
        let d = bd.dimension;
        let _ = write!(
            b,
            "<h2>{} {}</h2><table>{}",
            lang.pick("按", "By"),
            esc(lang.pick(d.zh(), d.en())),
            header(lang, lang.pick(d.zh(), d.en()))
        );
        for g in &bd.groups {
            let label = lang.pick(&g.label_zh, &g.label_en);
            b.push_str(&row(&links, label, &g.figures, Some((d, &g.key))));
        }
        b.push_str("</table>");
    }
    if frozen.is_some() {
        let _ = write!(
            b,
            "<h2>{} ({})</h2>",
            lang.pick("封存后更正", "Corrections after the freeze"),
            corrections.len()
        );
        if !corrections.is_empty() {
            let _ = write!(
                b,
                "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
                lang.pick("案件", "case"),
                lang.pick("时限", "clock"),
                lang.pick("封存时", "frozen"),
                lang.pick("现在", "now"),
            );
            let state = |s: &Option<crate::LineState>| {
                s.as_ref()
                    .map(|s| {
                        format!(
                            "{} · {} {}",
                            s.category
                                .and_then(|c| serde_json::to_value(c).ok())
                                .and_then(|v| v.as_str().map(str::to_string))
                                .unwrap_or_else(|| "—".into()),
                            lang.pick("结", "closed"),
                            s.closed_at
                                .map(|t| t.to_string())
                                .unwrap_or_else(|| "—".into())
                        )
                    })
                    .unwrap_or_else(|| "—".into())
            };
            for c in corrections {
                let _ = write!(
                    b,
                    "<tr><td><a href=\"/work/cases/{0}\">{0}</a></td><td>{1}</td><td>{2}</td><td>{3}</td></tr>",
                    esc(&c.case_number),
                    esc(&c.procedure),
                    esc(&state(&c.frozen)),
                    esc(&state(&c.now)),
                );
            }
            b.push_str("</table>");
        }
    }
    page(lang, &title, &b)
}

/// The cases behind one figure.
pub fn cases_page(
    r: &OnTimeReport,
    lang: Lang,
    base: &str,
    group: Option<(Dimension, &str)>,
    measure: Measure,
    lines: &[&Line],
) -> String {
    let period = r.period.to_string();
    let what = match group {
        Some((d, key)) => format!("{} {} · ", lang.pick(d.zh(), d.en()), key),
        None => String::new(),
    };
    let title = format!(
        "{period} · {what}{} ({})",
        lang.pick(measure.zh(), measure.en()),
        lines.len()
    );
    let mut back = format!("{base}?period={}", q(&period));
    if lang == Lang::En {
        back.push_str("&lang=en");
    }
    let mut b = format!(
        "<h1>{}</h1><nav><a href=\"{}\">{}</a></nav><table><tr>",
        esc(&title),
        esc(&back),
        lang.pick("返回报告", "back to the report")
    );
    for h in [
        lang.pick("案件编号", "case"),
        lang.pick("时限", "clock"),
        lang.pick("承办机关", "agency"),
        lang.pick("起算", "started"),
        lang.pick("届满", "due"),
        lang.pick("停止", "closed"),
        lang.pick("净时长（日）", "net days"),
        lang.pick("延长", "extensions"),
    ] {
        let _ = write!(b, "<th>{}</th>", esc(h));
    }
    b.push_str("</tr>");
    let t = |t: Option<jiff::Timestamp>| {
        t.map(|t| {
            t.to_zoned(kuaiwei_deadlines::shanghai())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|| "—".into())
    };
    for l in lines {
        let _ = write!(
            b,
            "<tr><td><a href=\"/work/cases/{0}\">{0}</a></td><td>{1}</td><td>{2}</td><td>{3}</td><td>{4}</td><td>{5}</td><td>{6}</td><td>{7}</td></tr>",
            esc(&l.case_number),
            esc(&l.procedure),
            esc(l.agency.as_deref().unwrap_or("—")),
            t(l.started_at),
            t(l.due_at),
            t(l.closed_at),
            l.net_days
                .map(|d| format!("{d:.1}"))
                .unwrap_or_else(|| "—".into()),
            l.extensions
        );
    }
    b.push_str("</table>");
    page(lang, &title, &b)
}
