//! A deterministic generator of cases with their statutory clocks, for the report benchmark:
//! complaints filed evenly from January 2024 to November 2026, at fairs (with the fair's 24-hour
//! hand-over), online and at the border, routed as the rules route them (trademark: market
//! regulation M1 + M2; patents: the IP office P1 + P3; copyright: M3; border: customs C1 + C2),
//! opened within the decision limit, then closed mostly on time, some late, some still open;
//! a few suspended or extended. Due dates are computed with the real deadline engine and the
//! bundled calendar, so clocks due in a year whose notice is not published are counted on the
//! provisional schedule (legal-deadlines.md §8.6), as in production.

use jiff::{SignedDuration, Timestamp, tz::TimeZone};
use kuaiwei_deadlines::{
    Calendar, ClockInput, ClockInputs, Exclusion, ExclusionKind, Extension, ExtensionGrant,
    Procedures, compute_clock,
};
use kuaiwei_store::{ClockStanding, StoredClock, SyntheticCase};

/// The instant the generated history ends (clocks are judged as of then).
pub const NOW: &str = "2026-11-28T00:00:00Z";
const FIRST: &str = "2024-01-02T00:00:00Z";

/// Fair labels as the server writes them from a filed complaint (`fair_name session`).
const FAIRS: [&str; 6] = [
    "中国进出口商品交易会 第一期",
    "中国进出口商品交易会 第二期",
    "中国进出口商品交易会 第三期",
    "海峡两岸经贸交易会",
    "中国（汕头）国际玩具礼品博览会",
    "中国义乌国际小商品（标准）博览会",
];

/// splitmix64: a fast, well-mixed, reproducible stream.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

fn hours(h: f64) -> SignedDuration {
    SignedDuration::from_secs((h * 3600.0) as i64)
}

pub struct Generator {
    calendar: Calendar,
    procedures: Procedures,
    now: Timestamp,
    first: Timestamp,
    total: u64,
    seed: u64,
    /// One case in this many carries a body.
    page_every: u64,
    /// Per-year sequence of case numbers, by the year of the case.
    next_serial: std::collections::BTreeMap<i16, u32>,
}

/// How many cases have their respondent resolved by the server's start-up backfill, spread
/// evenly: the case pages timed, each against the same hard sample whatever the store's size.
pub const BODIED: u64 = 1000;

/// The complaint of case `i` as stored (`Complaint` as JSON), of the given channel, right and
/// fair: a realistic complaint (`kuaiwei_search::corpus::realistic`: full company and fair
/// names, right numbers, 300-1,500 characters of description), filed as intake files one.
/// `respondent`: one of 50 respondents instead of the drawn company, each with a history of
/// some cases, as a repeat infringer would have (the timed case pages).
pub fn complaint_body(
    seed: u64,
    i: u64,
    channel: &str,
    right: &str,
    fair: Option<&str>,
    respondent: Option<u64>,
) -> String {
    use kuaiwei_search::corpus::realistic::{self, Place, Shape};
    let fair = fair.map(|f| match f.split_once(' ') {
        Some((name, session)) => (name, Some(session)),
        None => (f, None),
    });
    let mut c = realistic::shaped(
        seed,
        i,
        Some(Shape {
            channel,
            fair,
            right_kind: right,
        }),
    );
    if let Some(k) = respondent {
        let name = format!("佛山市某某{k}号电器有限公司");
        c.description = c.description.replace(&c.respondent, &name);
        c.respondent = name;
    }
    let (channel, booth, measure) = match &c.place {
        Place::Fair {
            name,
            session,
            hall,
            booth,
            ..
        } => (
            serde_json::json!({"kind": "fair", "fair_name": name,
                "session": fair.and_then(|f| f.1).map(|_| session),
                "hall": hall, "booth": booth}),
            Some(booth.clone()),
            "withdraw_exhibits",
        ),
        Place::Online {
            platform,
            shop,
            url,
        } => (
            serde_json::json!({"kind": "ecommerce", "platform": platform, "shop_name": shop,
                "listing_urls": [url]}),
            None,
            "take_down_listings",
        ),
        Place::Border {
            port,
            declaration,
            export,
        } => (
            serde_json::json!({"kind": "border", "port": port, "declaration_number": declaration,
                "direction": if *export { "export" } else { "import" }}),
            None,
            "detain_goods",
        ),
    };
    let input: kuaiwei_domain::ComplaintInput = serde_json::from_value(serde_json::json!({
        "channel": channel,
        "complainant": {"kind": "organisation", "name": c.complainant, "mobile": c.mobile},
        "rights": [{"kind": c.right.kind, "number": c.right.number, "title": c.right.title,
                    "holder": c.complainant}],
        "respondent": {"name": c.respondent, "booth": booth},
        "description": c.description,
        "goods": c.goods,
        "requested_measures": [measure],
    }))
    .expect("a generated complaint parses");
    let complaint = input
        .validate()
        .unwrap_or_else(|e| panic!("generated complaint {i} is invalid: {e:?}"));
    serde_json::to_string(&complaint).expect("a complaint serializes")
}

impl Generator {
    pub fn new(total: u64, seed: u64) -> Generator {
        Generator {
            calendar: Calendar::bundled(),
            procedures: Procedures::bundled(),
            now: NOW.parse().expect("NOW parses"),
            first: FIRST.parse().expect("FIRST parses"),
            total,
            seed,
            page_every: (total / BODIED).max(1),
            next_serial: Default::default(),
        }
    }

    /// Case `i` of `total` (call in order of `i`: case numbers follow filing order).
    pub fn case(&mut self, i: u64) -> SyntheticCase {
        let mut r = Rng(self.seed ^ i.wrapping_mul(0xd6e8_feb8_6659_fd93));
        let span = self.now.duration_since(self.first).as_secs() as f64;
        let at = self.first
            + SignedDuration::from_secs((span * (i as f64 + r.unit()) / self.total as f64) as i64);
        let year = at.to_zoned(TimeZone::fixed(jiff::tz::offset(8))).year();
        let serial = self.next_serial.entry(year).or_insert(0);
        *serial += 1;
        let case_number = format!("KW-{year}-{serial:06}");

        let channel = match r.below(100) {
            0..55 => "fair",
            55..90 => "ecommerce",
            _ => "border",
        };
        let right = match r.below(100) {
            0..50 => "trademark",
            50..70 => "design_patent",
            70..80 => "utility_model",
            80..85 => "invention_patent",
            85..95 => "copyright",
            _ => "other",
        };
        let (agency, procedures): (&str, &[&str]) = match (channel, right) {
            ("border", _) => ("customs", &["C1", "C2"]),
            (_, "design_patent" | "utility_model" | "invention_patent") => {
                ("ip_office", &["P1", "P3"])
            }
            (_, "copyright") => ("copyright", &["M3"]),
            _ => ("market_regulation", &["M1", "M2"]),
        };
        let fair = (channel == "fair").then(|| FAIRS[r.below(FAIRS.len() as u64) as usize]);
        let officer = format!("officer:{agency}-{:02}", r.below(25));

        let mut clocks = Vec::new();
        let accepted = at + hours(1.0);
        // the fair desk hands over within 24 hours, nearly always
        let routed = if channel == "fair" {
            let handover = if r.chance(0.03) {
                24.0 + 24.0 * r.unit()
            } else {
                2.0 + 20.0 * r.unit()
            };
            let routed = accepted + hours(handover);
            clocks.push(self.clock("F1", accepted, Some(routed), ClockInputs::default()));
            routed
        } else {
            accepted + hours(1.0 + 4.0 * r.unit())
        };
        let mut state = "routed";
        let mut outcome = None;
        let mut opened_by = None;
        if let [decide, close] = procedures {
            if agency == "customs" {
                // C1 (holder's bond, 3 working days) and C2 (determination) both run from
                // the detention
                let bond = routed + hours(24.0 * (0.5 + 4.0 * r.unit()));
                clocks.push(self.clock("C1", routed, Some(bond), ClockInputs::default()));
                let (end, inputs) = self.closing(&mut r, "C2", routed);
                clocks.push(self.clock("C2", routed, end, inputs));
                if end.is_some() {
                    state = "closed";
                    outcome = Some("infringement_confirmed");
                }
                opened_by = Some(officer);
            } else {
                let days = if r.chance(0.02) {
                    25.0
                } else {
                    1.0 + 12.0 * r.unit()
                };
                let opened = routed + hours(24.0 * days);
                if opened < self.now {
                    clocks.push(self.clock(decide, routed, Some(opened), ClockInputs::default()));
                    let (end, inputs) = self.closing(&mut r, close, opened);
                    clocks.push(self.clock(close, opened, end, inputs));
                    state = if end.is_some() { "closed" } else { "opened" };
                    if end.is_some() {
                        outcome = Some(if r.chance(0.7) {
                            "infringement_confirmed"
                        } else {
                            "withdrawn"
                        });
                    }
                    opened_by = Some(officer);
                } else {
                    clocks.push(self.clock(decide, routed, None, ClockInputs::default()));
                }
            }
        } else {
            // one clock from 立案 (copyright: M3)
            let opened = routed + hours(24.0 * (1.0 + 5.0 * r.unit()));
            if opened < self.now {
                let (end, inputs) = self.closing(&mut r, procedures[0], opened);
                clocks.push(self.clock(procedures[0], opened, end, inputs));
                state = if end.is_some() { "closed" } else { "opened" };
                outcome = end.map(|_| "withdrawn");
                opened_by = Some(officer);
            }
        }
        let next_due_at = clocks
            .iter()
            .filter(|c| c.closed_at.is_none())
            .filter_map(|c| c.due_at)
            .min();
        let respondent_pending = i.is_multiple_of(self.page_every);
        SyntheticCase {
            case_number,
            received_at: at,
            channel: channel.into(),
            right_type: Some(right.into()),
            fair: fair.map(str::to_string),
            state: state.into(),
            agency: Some(agency.into()),
            outcome: outcome.map(str::to_string),
            officer: opened_by,
            next_due_at,
            body: complaint_body(
                self.seed,
                i,
                channel,
                right,
                fair,
                respondent_pending.then_some((i / self.page_every) % 50),
            ),
            respondent_pending,
            clocks,
        }
    }

    /// The closing clock's end (None: still open) and its inputs: 4 % suspended, 5 % extended;
    /// closed at a fraction of its limit: 90 % on time, 6 % late, 4 % left open.
    fn closing(
        &self,
        r: &mut Rng,
        procedure: &str,
        start: Timestamp,
    ) -> (Option<Timestamp>, ClockInputs) {
        let p = self.procedures.get(procedure).expect("a bundled procedure");
        let mut inputs = ClockInputs::default();
        if r.chance(0.04) && p.excluded.contains(&ExclusionKind::Suspension) {
            let from = start + hours(24.0 * (3.0 + 20.0 * r.unit()));
            let to = from + hours(24.0 * (5.0 + 25.0 * r.unit()));
            inputs.exclusions.push(Exclusion {
                kind: ExclusionKind::Suspension,
                from,
                to: (to < self.now).then_some(to),
                reason: "等待鉴定意见".into(),
            });
        }
        if r.chance(0.05) && !p.extensions.is_empty() {
            inputs.extensions.push(Extension {
                approved_at: start + hours(24.0 * 30.0),
                approver: "supervisor:bench".into(),
                grant: ExtensionGrant::Rule {
                    index: 0,
                    amount: None,
                },
            });
        }
        let due = self.due(procedure, start, &inputs);
        let fraction = match r.below(100) {
            0..90 => 0.2 + 0.78 * r.unit(),
            90..96 => 1.0 + 0.3 * r.unit(),
            _ => return (None, inputs),
        };
        // without a computable due date, close within 90 days or so
        let limit = due.map_or(SignedDuration::from_hours(24 * 90), |d| {
            d.duration_since(start)
        });
        let end = start + SignedDuration::from_secs((limit.as_secs() as f64 * fraction) as i64);
        let still_suspended = inputs.exclusions.iter().any(|x| x.to.is_none());
        ((end < self.now && !still_suspended).then_some(end), inputs)
    }

    fn due(&self, procedure: &str, start: Timestamp, inputs: &ClockInputs) -> Option<Timestamp> {
        let mut input = ClockInput::new(start, self.now);
        input.exclusions = inputs.exclusions.clone();
        input.extensions = inputs.extensions.clone();
        let p = self.procedures.get(procedure)?;
        compute_clock(&self.calendar, p, &input).ok().map(|s| s.due)
    }

    fn clock(
        &self,
        procedure: &str,
        start: Timestamp,
        end: Option<Timestamp>,
        inputs: ClockInputs,
    ) -> StoredClock {
        let p = self.procedures.get(procedure).expect("a bundled procedure");
        let mut input = ClockInput::new(start, self.now);
        input.exclusions = inputs.exclusions.clone();
        input.extensions = inputs.extensions.clone();
        input.closed_at = end;
        let (due_at, status) = match compute_clock(&self.calendar, p, &input) {
            Ok(s) => (Some(s.due), ClockStanding::Computed(s.status)),
            Err(_) => (None, ClockStanding::NotComputable),
        };
        StoredClock {
            procedure_id: procedure.into(),
            started_at: Some(start),
            closed_at: end,
            due_at,
            status,
            inputs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kuaiwei_deadlines::ClockStatus;

    #[test]
    fn the_same_seed_makes_the_same_cases_with_unique_numbers() {
        let mut a = Generator::new(2_000, 7);
        let mut b = Generator::new(2_000, 7);
        let xs: Vec<SyntheticCase> = (0..2_000).map(|i| a.case(i)).collect();
        let ys: Vec<SyntheticCase> = (0..2_000).map(|i| b.case(i)).collect();
        assert_eq!(xs, ys);
        let numbers: std::collections::HashSet<&str> =
            xs.iter().map(|c| c.case_number.as_str()).collect();
        assert_eq!(numbers.len(), xs.len());
        // every kind of clock turns up, and some of each standing
        let clocks: Vec<&StoredClock> = xs.iter().flat_map(|c| &c.clocks).collect();
        for p in ["F1", "M1", "M2", "P1", "P3", "M3", "C1", "C2"] {
            assert!(clocks.iter().any(|c| c.procedure_id == p), "{p}");
        }
        for s in [
            ClockStatus::ClosedOnTime,
            ClockStatus::ClosedLate,
            ClockStatus::Overdue,
        ] {
            let s = ClockStanding::Computed(s);
            assert!(clocks.iter().any(|c| c.status == s), "{s}");
        }
        // none is left undated: a year not yet published is provisional, never refused
        assert!(
            clocks
                .iter()
                .all(|c| c.started_at.is_none() || c.due_at.is_some())
        );
        let closed_late = clocks
            .iter()
            .filter(|c| c.status == ClockStanding::Computed(ClockStatus::ClosedLate))
            .count();
        assert!(closed_late * 100 < clocks.len() * 15, "{closed_late}");
    }

    /// Issue #24's check over the report bench's own generated cases (legal-deadlines.md §8.8):
    /// no closing clock is counted in two months, and every month's, quarter's and year's
    /// on-time and late figures agree with a recomputation written from the rule, not from
    /// the report code.
    #[test]
    fn over_the_bench_cases_each_closing_clock_counts_once_and_every_period_agrees_with_the_rule() {
        use kuaiwei_reports::{Category, Facts, Inputs, Measure, Period, compute};
        use std::collections::{BTreeMap, HashMap};

        let mut g = Generator::new(20_000, 11);
        let procedures = Procedures::bundled();
        let clocks: Vec<kuaiwei_store::ReportClock> = (0..20_000)
            .map(|i| g.case(i))
            .flat_map(|c| {
                c.clocks
                    .into_iter()
                    .map(move |k| kuaiwei_store::ReportClock {
                        inputs: k.inputs_json(),
                        case_number: c.case_number.clone(),
                        procedure_id: k.procedure_id,
                        started_at: k.started_at,
                        closed_at: k.closed_at,
                        due_at: k.due_at,
                        agency: c.agency.clone(),
                        channel: c.channel.clone(),
                        right_type: c.right_type.clone(),
                        fair: c.fair.clone(),
                        officer: c.officer.clone(),
                    })
            })
            .collect();
        let now: Timestamp = NOW.parse().unwrap();
        let shanghai = TimeZone::get("Asia/Shanghai").unwrap();
        // the month an instant falls in; a due instant at 24:00 belongs to the day before
        let month_of = |t: Timestamp| {
            let d = t.to_zoned(shanghai.clone());
            format!("{:04}-{:02}", d.year(), d.month())
        };
        // the rule, by hand: month -> (on time, late)
        let mut expected: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for c in &clocks {
            let closes = procedures
                .get(&c.procedure_id)
                .is_some_and(|p| p.closes_case);
            let (true, Some(started), Some(due)) = (closes, c.started_at, c.due_at) else {
                continue;
            };
            if started > now {
                continue;
            }
            match c.closed_at.filter(|t| *t <= now) {
                Some(t) if t <= due => expected.entry(month_of(t)).or_default().0 += 1,
                _ if due <= now => {
                    expected
                        .entry(month_of(due - SignedDuration::from_micros(1)))
                        .or_default()
                        .1 += 1
                }
                _ => {}
            }
        }
        let facts = Facts::from_clocks(clocks, &procedures);
        let label = |_: &str| None;
        let report = |p: &str| {
            compute(Inputs {
                period: Period::parse(p).unwrap(),
                now,
                facts: &facts,
                procedures: &procedures,
                agency_label: &label,
                provisional_from: None,
            })
            .unwrap()
        };
        let mut counted_in: HashMap<(String, String), String> = HashMap::new();
        let mut months = Vec::new();
        for y in 2024..=2026 {
            for m in 1..=12 {
                let p = format!("{y}-{m:02}");
                if Period::parse(&p).unwrap().bounds().0 > now {
                    continue;
                }
                let r = report(&p);
                for l in r
                    .lines
                    .iter()
                    .filter(|l| l.closes_case && Measure::Counted.holds(l))
                {
                    let key = (l.case_number.clone(), l.procedure.clone());
                    if let Some(before) = counted_in.insert(key, p.clone()) {
                        panic!(
                            "{} {} counted in {before} and {p}",
                            l.case_number, l.procedure
                        );
                    }
                    assert!(l.category != Some(Category::Pending));
                }
                let h = &r.headline;
                let got = (h.on_time, h.late + h.overdue_open);
                let want = expected.get(&p).copied().unwrap_or_default();
                assert_eq!(got, want, "{p}");
                months.push((p, got));
            }
        }
        let total: u64 = expected.values().map(|(a, b)| a + b).sum();
        assert!(total > 5_000, "the data counts enough clocks: {total}");
        for p in ["2024", "2025", "2026", "2025-Q3", "2026-Q4"] {
            let h = report(p).headline;
            let sum = months
                .iter()
                .filter(|(m, _)| {
                    m.starts_with(&p[..4])
                        && Period::parse(p)
                            .unwrap()
                            .months()
                            .iter()
                            .any(|x| x.to_string() == *m)
                })
                .fold((0, 0), |(a, b), (_, (x, y))| (a + x, b + y));
            assert_eq!((h.on_time, h.late + h.overdue_open), sum, "{p}");
        }
    }

    /// A store seeded as the report bench seeds it is indexed from its change log (as the
    /// server's indexer and `kuaiwei reindex` do) and searched: each term finds exactly the
    /// cases whose complaint holds it. On SQLite, and on PostgreSQL when
    /// `KUAIWEI_TEST_POSTGRES_URL` is set.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_seeded_store_is_reindexed_and_searched_on_both_backends() {
        let mut g = Generator::new(400, 11);
        let cases: Vec<SyntheticCase> = (0..400).map(|i| g.case(i)).collect();
        let dir = std::env::temp_dir().join(format!("kuaiwei-bench-seeded-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let sqlite = kuaiwei_store_sqlite::SqliteStore::open(
            &dir.join("kuaiwei.db"),
            kuaiwei_store_sqlite::WriteOptions::default(),
        )
        .await
        .unwrap();
        sqlite.insert_synthetic(&cases[..250]).await.unwrap();
        sqlite.insert_synthetic(&cases[250..]).await.unwrap();
        reindexed_and_searched(&sqlite, &cases).await;
        let _ = std::fs::remove_dir_all(&dir);

        let Ok(url) = std::env::var("KUAIWEI_TEST_POSTGRES_URL") else {
            eprintln!(
                "\n!!! SKIPPED the seeded store on PostgreSQL: it is not configured here !!!\n"
            );
            return;
        };
        let db = format!("kuaiwei_t_bench_seeded_{}", std::process::id());
        crate::server::psql(&url, &format!("drop database if exists {db}")).unwrap();
        crate::server::psql(&url, &format!("create database {db}")).unwrap();
        let postgres = kuaiwei_store_postgres::PostgresStore::connect(
            &crate::server::with_database(&url, &db),
            kuaiwei_store_postgres::WriteOptions::default(),
        )
        .await
        .unwrap();
        postgres.insert_synthetic(&cases[..250]).await.unwrap();
        postgres.insert_synthetic(&cases[250..]).await.unwrap();
        reindexed_and_searched(&postgres, &cases).await;
        drop(postgres);
        let _ = crate::server::psql(&url, &format!("drop database if exists {db}"));
    }

    async fn reindexed_and_searched(store: &dyn kuaiwei_store::Store, cases: &[SyntheticCase]) {
        use kuaiwei_search::{SearchIndex, Synonyms};
        let index = SearchIndex::in_memory(Synonyms::default(), 1).unwrap();
        let indexed = kuaiwei_search::catch_up(store, &index).await.unwrap();
        assert_eq!(indexed, cases.len(), "every seeded case is indexed");
        assert_eq!(index.len(), cases.len() as u64);
        let page_case = cases.iter().find(|c| c.respondent_pending).unwrap();
        let respondent: kuaiwei_domain::Complaint = serde_json::from_str(&page_case.body).unwrap();
        for q in [
            "依法处理".to_string(),
            "中国进出口商品交易会".to_string(),
            "涉嫌侵犯外观设计专利权".to_string(),
            respondent.respondent.name.clone().unwrap(),
        ] {
            let mut found = index.matching(&q, &[]).unwrap();
            found.sort();
            let mut want: Vec<String> = cases
                .iter()
                .filter(|c| c.body.contains(q.as_str()))
                .map(|c| c.case_number.clone())
                .collect();
            want.sort();
            assert!(!want.is_empty(), "{q} is in some complaint");
            assert_eq!(found, want, "{q}");
        }
    }
}
