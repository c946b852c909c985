//! The deadline watch (期限预警): the daily digest of open cases already overdue and those
//! falling due within the next days, per agency and, inside each agency, per officer. Built from
//! the due dates stored on cases; the same digest is served as JSON, as a page and as plain text
//! (for mail or a chat webhook).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use kuaiwei_store::QueueItem;
use serde::{Deserialize, Serialize};

use crate::html::Lang;

/// The digest as of one instant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Watch {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub as_of: Timestamp,
    /// How far ahead "due soon" looks, in days.
    pub days: u32,
    pub overdue: u64,
    pub due_soon: u64,
    /// One entry per agency with something overdue or due soon, by agency key; unrouted cases
    /// under `null`, first.
    pub agencies: Vec<AgencyWatch>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgencyWatch {
    pub agency: Option<String>,
    pub label_zh: String,
    pub label_en: String,
    /// Most overdue first.
    pub overdue: Vec<WatchLine>,
    /// Soonest first.
    pub due_soon: Vec<WatchLine>,
    /// The same cases counted per officer who opened them; cases not yet opened under `null`.
    pub officers: Vec<OfficerCount>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfficerCount {
    pub officer: Option<String>,
    pub overdue: u64,
    pub due_soon: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WatchLine {
    pub case_number: String,
    /// Case state key (`routed`, `opened`, `suspended` …).
    pub state: String,
    pub state_zh: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub due: Timestamp,
    /// The due instant as a Beijing-time wall clock, `2026-10-31 24:00` for the end of a day.
    pub due_local: String,
    /// Whole days overdue (rounded up), or days left (rounded up) when due soon.
    pub days: u32,
    pub officer: Option<String>,
    pub supervised: bool,
    /// The due date depends on a holiday schedule not yet published (legal-deadlines.md §8.6).
    #[serde(default)]
    pub provisional: bool,
}

impl AgencyWatch {
    /// One officer's lines (`None`: cases not yet opened), overdue first; `true` when overdue.
    pub fn lines_of<'a>(
        &'a self,
        officer: &'a Option<String>,
    ) -> impl Iterator<Item = (&'a WatchLine, bool)> + 'a {
        self.overdue
            .iter()
            .map(|l| (l, true))
            .chain(self.due_soon.iter().map(|l| (l, false)))
            .filter(move |(l, _)| &l.officer == officer)
    }
}

/// Groups the open cases due before `now + days`: overdue when due before `now`.
/// Terminal cases and cases with no due date are left out.
pub fn watch(
    items: Vec<QueueItem>,
    now: Timestamp,
    days: u32,
    agency_label: &dyn Fn(&str) -> Option<(String, String)>,
    provisional: &dyn Fn(Timestamp) -> bool,
) -> Watch {
    let mut agencies: BTreeMap<Option<String>, AgencyWatch> = BTreeMap::new();
    let (mut overdue, mut due_soon) = (0, 0);
    for item in items.into_iter().filter(|i| !i.state.is_terminal()) {
        let Some(due) = item.next_due_at else {
            continue;
        };
        let entry = agencies.entry(item.agency.clone()).or_insert_with(|| {
            let (label_zh, label_en) = match &item.agency {
                None => ("未分派".to_string(), "not routed".to_string()),
                Some(key) => agency_label(key).unwrap_or_else(|| (key.clone(), key.clone())),
            };
            AgencyWatch {
                agency: item.agency.clone(),
                label_zh,
                label_en,
                overdue: Vec::new(),
                due_soon: Vec::new(),
                officers: Vec::new(),
            }
        });
        let late = due < now;
        let secs = if late {
            now.duration_since(due).as_secs()
        } else {
            due.duration_since(now).as_secs()
        };
        let line = WatchLine {
            case_number: item.case_number.to_string(),
            state: item.state.key().to_string(),
            state_zh: item.state.zh().to_string(),
            due,
            due_local: local(due),
            days: ((secs + 86_399) / 86_400).max(1) as u32,
            officer: item.officer,
            supervised: item.supervised,
            provisional: provisional(due),
        };
        if late {
            overdue += 1;
            entry.overdue.push(line);
        } else {
            due_soon += 1;
            entry.due_soon.push(line);
        }
    }
    let agencies = agencies
        .into_values()
        .map(|mut a| {
            a.overdue
                .sort_by(|x, y| (x.due, &x.case_number).cmp(&(y.due, &y.case_number)));
            a.due_soon
                .sort_by(|x, y| (x.due, &x.case_number).cmp(&(y.due, &y.case_number)));
            let mut officers: BTreeMap<Option<String>, OfficerCount> = BTreeMap::new();
            for (l, late) in a
                .overdue
                .iter()
                .map(|l| (l, true))
                .chain(a.due_soon.iter().map(|l| (l, false)))
            {
                let c = officers
                    .entry(l.officer.clone())
                    .or_insert_with(|| OfficerCount {
                        officer: l.officer.clone(),
                        overdue: 0,
                        due_soon: 0,
                    });
                if late {
                    c.overdue += 1;
                } else {
                    c.due_soon += 1;
                }
            }
            a.officers = officers.into_values().collect();
            a
        })
        .collect();
    Watch {
        as_of: now,
        days,
        overdue,
        due_soon,
        agencies,
    }
}

/// A Beijing-time wall clock; a local midnight reads as 24:00 of the day before, the way a
/// statutory day ends.
fn local(t: Timestamp) -> String {
    let z = t.to_zoned(TimeZone::get("Asia/Shanghai").unwrap_or(TimeZone::UTC));
    if (z.hour(), z.minute(), z.second()) == (0, 0, 0) {
        let day = z.date().yesterday().unwrap_or(z.date());
        format!("{day} 24:00")
    } else {
        z.strftime("%Y-%m-%d %H:%M").to_string()
    }
}

fn officer_label(o: &Option<String>, lang: Lang) -> String {
    match o {
        Some(o) => o.clone(),
        None => lang.pick("未立案", "not opened").to_string(),
    }
}

/// The digest as plain text, one language: for mail, a chat webhook or a terminal.
pub fn watch_text(w: &Watch, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {}",
        lang.pick("期限预警", "Deadline watch"),
        local(w.as_of)
    );
    let _ = writeln!(
        out,
        "{}",
        match lang {
            Lang::Zh => format!(
                "已超期 {} 件；{} 天内到期 {} 件",
                w.overdue, w.days, w.due_soon
            ),
            Lang::En => format!(
                "{} overdue; {} due within {} days",
                w.overdue, w.due_soon, w.days
            ),
        }
    );
    for a in &w.agencies {
        let _ = writeln!(out, "\n== {} ==", lang.pick(&a.label_zh, &a.label_en));
        for c in &a.officers {
            let _ = writeln!(
                out,
                "-- {} ({} {}, {} {})",
                officer_label(&c.officer, lang),
                lang.pick("超期", "overdue"),
                c.overdue,
                lang.pick("将到期", "due soon"),
                c.due_soon
            );
            for (l, late) in a.lines_of(&c.officer) {
                let _ = writeln!(
                    out,
                    "  {} {} {} {} ({} {}){}",
                    l.case_number,
                    match late {
                        true => lang.pick("已超期", "overdue by"),
                        false => lang.pick("剩余", "due in"),
                    },
                    l.days,
                    lang.pick("天", "days"),
                    lang.pick("应于", "due"),
                    if l.provisional {
                        format!("{}{}", l.due_local, lang.pick("（暂定）", " (provisional)"))
                    } else {
                        l.due_local.clone()
                    },
                    if l.supervised {
                        lang.pick(" [督办]", " [supervised]")
                    } else {
                        ""
                    }
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kuaiwei_domain::{CaseNumber, CaseState};

    fn item(
        n: u32,
        state: CaseState,
        agency: Option<&str>,
        officer: Option<&str>,
        due: Option<&str>,
    ) -> QueueItem {
        QueueItem {
            case_number: CaseNumber::parse(&format!("KW-2026-{n:06}")).unwrap(),
            state,
            agency: agency.map(str::to_string),
            received_at: "2026-10-01T00:00:00Z".parse().unwrap(),
            next_due_at: due.map(|d| d.parse().unwrap()),
            supervised: n == 2,
            officer: officer.map(str::to_string),
        }
    }

    fn label(key: &str) -> Option<(String, String)> {
        (key == "ip_office").then(|| ("知识产权局".to_string(), "IP office".to_string()))
    }

    /// 2026-11-20 10:00 in Beijing.
    const NOW: &str = "2026-11-20T02:00:00Z";

    fn sample() -> Watch {
        let items = vec![
            // due 24:00 on 11-17 Beijing: two days and ten hours late → 3 days
            item(
                1,
                CaseState::Opened,
                Some("ip_office"),
                Some("officer:李"),
                Some("2026-11-17T16:00:00Z"),
            ),
            // due in 1 h → 1 day left
            item(
                2,
                CaseState::Routed,
                Some("ip_office"),
                None,
                Some("2026-11-20T03:00:00Z"),
            ),
            // due 24:00 on 11-22 Beijing: 2 days 14 hours → 3 days left
            item(
                3,
                CaseState::Opened,
                Some("ip_office"),
                Some("officer:李"),
                Some("2026-11-22T16:00:00Z"),
            ),
            item(
                4,
                CaseState::Suspended,
                Some("customs"),
                Some("officer:周"),
                Some("2026-11-01T00:00:00Z"),
            ),
            item(
                5,
                CaseState::Received,
                None,
                None,
                Some("2026-11-21T02:00:00Z"),
            ),
            // closed and undated cases are not watched
            item(
                6,
                CaseState::Closed,
                Some("customs"),
                Some("officer:周"),
                Some("2026-11-01T00:00:00Z"),
            ),
            item(
                7,
                CaseState::Opened,
                Some("customs"),
                Some("officer:周"),
                None,
            ),
        ];
        watch(items, NOW.parse().unwrap(), 7, &label, &|_| false)
    }

    #[test]
    fn cases_are_grouped_by_agency_then_counted_per_officer() {
        let w = sample();
        assert_eq!((w.overdue, w.due_soon), (2, 3));
        let keys: Vec<Option<&str>> = w.agencies.iter().map(|a| a.agency.as_deref()).collect();
        assert_eq!(keys, [None, Some("customs"), Some("ip_office")]);
        let ip = &w.agencies[2];
        assert_eq!(
            (ip.label_zh.as_str(), ip.label_en.as_str()),
            ("知识产权局", "IP office")
        );
        assert_eq!(
            w.agencies[1].label_en, "customs",
            "an unlabelled key stands for itself"
        );
        assert_eq!(w.agencies[0].label_zh, "未分派");
        let numbers = |ls: &[WatchLine]| -> Vec<String> {
            ls.iter().map(|l| l.case_number.clone()).collect()
        };
        assert_eq!(numbers(&ip.overdue), ["KW-2026-000001"]);
        assert_eq!(numbers(&ip.due_soon), ["KW-2026-000002", "KW-2026-000003"]);
        assert_eq!(
            ip.officers,
            [
                OfficerCount {
                    officer: None,
                    overdue: 0,
                    due_soon: 1
                },
                OfficerCount {
                    officer: Some("officer:李".into()),
                    overdue: 1,
                    due_soon: 1
                },
            ]
        );
        assert!(ip.due_soon[0].supervised);
        assert_eq!(ip.due_soon[0].state, "routed");
        assert_eq!(ip.due_soon[0].state_zh, CaseState::Routed.zh());
    }

    #[test]
    fn days_are_whole_days_rounded_up_and_due_dates_read_as_beijing_wall_clock() {
        let w = sample();
        let ip = &w.agencies[2];
        assert_eq!(ip.overdue[0].days, 3);
        assert_eq!(ip.overdue[0].due_local, "2026-11-17 24:00");
        assert_eq!(ip.due_soon[0].days, 1);
        assert_eq!(ip.due_soon[0].due_local, "2026-11-20 11:00");
        assert_eq!(ip.due_soon[1].days, 3);
        assert_eq!(ip.due_soon[1].due_local, "2026-11-22 24:00");
    }

    #[test]
    fn the_text_digest_names_every_case_under_its_agency_and_officer() {
        let w = sample();
        let zh = watch_text(&w, Lang::Zh);
        assert!(zh.contains("已超期 2 件；7 天内到期 3 件"), "{zh}");
        let ip = zh.find("== 知识产权局 ==").unwrap();
        let li = zh[ip..].find("-- officer:李 (超期 1, 将到期 1)").unwrap() + ip;
        assert!(
            zh[li..].contains("KW-2026-000001 已超期 3 天 (应于 2026-11-17 24:00)"),
            "{zh}"
        );
        assert!(
            zh.contains("KW-2026-000002 剩余 1 天 (应于 2026-11-20 11:00) [督办]"),
            "{zh}"
        );
        let en = watch_text(&w, Lang::En);
        assert!(en.contains("2 overdue; 3 due within 7 days"), "{en}");
        assert!(en.contains("-- not opened (overdue 0, due soon 1)"), "{en}");
    }
}
