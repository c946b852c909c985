//! The October 2026 on-time report over real HTTP, on SQLite and on PostgreSQL, with every
//! figure computed by hand below: eight cases walked through the workflow on a server clock the
//! test moves, across the National Day holiday (rest 1-7 October, 10 October a working
//! Saturday), with suspensions and an approved extension. Then the month is frozen, an
//! extension asked for after D's period ran out is refused (legal-deadlines.md §8.2), and the
//! frozen figures read the same with nothing to correct; the CSV and XLSX downloads say what
//! the JSON says; the page and the case lists link every figure.
//!
//! The server's calendar holds the 2026 notice only, so that a clock due in 2027 is counted on
//! the provisional 2027 schedule (statutory holidays and weekends, no 调休; legal-deadlines.md
//! §8.6) and marked provisional, whatever years are bundled later.
//!
//! Hand computation (Asia/Shanghai; a day-based period starts the next day and ends at 24:00;
//! M2 is 90 calendar days from 立案, rolled past rest days; P4 (a patent dispute filed from
//! 2025-02-01 runs under CNIPA order no. 81, legal-deadlines §8.9) is 3 months; M1 15 working days;
//! F1 24 hours):
//!
//! | case | clock | started | due (by hand) | closed | October |
//! |---|---|---|---|---|---|
//! | D | M2 | 06-22 16:00 | 06-22 + 90 = 09-20 (a working Sunday), +30 extension = 10-20 | open | overdue open, 1 extension |
//! | A | M2 | 07-03 16:00 | 07-03 + 90 = 10-01, a holiday: rolled to 10-08 | 10-08 15:00 | on time, 96 d 23 h = 97.0 d |
//! | H | P4 | 07-08 16:00 | 07-08 + 3 m = 10-08, + 11 suspended days (09-28..10-08) = 10-19 | 10-19 17:00 | on time, 103 d 1 h - 11 d = 92.0 d |
//! | B | M2 | 07-10 16:00 | 07-10 + 90 = 10-08 | 10-09 09:00 | late, 90 d 17 h = 90.7 d |
//! | C | M2 | 07-15 16:00 | 07-15 + 90 = 10-13, + 10 suspended days (08-03..08-12) = 10-23 | 10-20 11:00 | on time, 96 d 19 h - 10 d = 86.8 d |
//! | E | M2 | 08-10 16:00 | 08-10 + 90 = 11-08, a Sunday: 11-09 | open | not counted; due in 9 days (at risk, 30) |
//! | G | F1 | 10-09 10:30 (filed; F1 runs from the receipt of the materials, §8.4, not the acceptance at 11:00) | 10-10 10:30 | 10-10 12:00 | late (hand-over after 25.5 h), 1.1 d |
//! | G | M1 | 10-10 12:00 | 15 working days from 10-12: 10-30 | 10-20 10:00 | on time |
//! | G | M2 | 10-20 10:00 | 10-20 + 90 = 2027-01-18 (Mon; provisional 2027, no holiday near) | 10-28 10:00 | on time, provisional, 8.0 d; opened and closed in October |
//! | J | M2 | 07-20 16:00 | 07-20 + 90 = 10-18, a Sunday: 10-19 | 09-15 10:00 | not counted: on time in September, where it closed |
//!
//! Each clock counts once (legal-deadlines.md §8.8): on time in the month it closed in, late in
//! the month its due date passed in. J fell due in October but closed early in September: it is
//! September's (on time), and October does not count it again (the definition used until
//! 2026-12 did, giving October one more counted, on time). B fell due and closed late in October.
//!
//! Closing clocks (M2, P4): counted 6 = on time 4 (A, C, G, H) + late 1 (B) + overdue open 1 (D);
//! rate 4/6 = 0.6667; provisional 1 (G); undetermined 0; overdue at the end 1 (D); due within 30 days 1 (E), within 7
//! days 0; opened 1 (G), closed 5 (A, B, C, G, H); durations 8.0, 86.8, 90.7, 92.0, 97.0: median
//! 90.7, p90 97.0 (nearest rank); extended 1 (D).

use std::io::Read;

use jiff::Timestamp;
use kuaiwei_deadlines::Calendar;
use kuaiwei_e2e::{Backend, Options, TestApp, TestResponse};
use kuaiwei_reports::{Facts, Inputs, Period, ReportFacts, Reports, compute, window};
use serde_json::{Value, json};

kuaiwei_e2e::on_every_backend!(
    backend:
    the_october_report_matches_the_hand_computed_figures_and_stays_frozen,
);

/// Shanghai local time, `2026-10-08T15:00`.
fn t(local: &str) -> Timestamp {
    format!("{local}:00+08:00").parse().unwrap()
}

fn ok(res: &TestResponse) -> Value {
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    res.json()
}

fn fair(mark: &str, fair_name: &str, session: Option<&str>) -> Value {
    json!({
        "channel": {"kind": "fair", "fair_name": fair_name, "session": session, "booth": "9.1C18"},
        "complainant": {"kind": "organisation", "name": "某某玩具有限公司", "mobile": "13812345678"},
        "rights": [{"kind": "trademark", "number": mark, "nice_classes": [28]}],
        "respondent": {"name": "汕头某某塑胶玩具厂", "booth": "9.1C18"},
        "description": "展位展出的玩具使用了与注册商标相同的标识"
    })
}

fn online_design() -> Value {
    json!({
        "channel": {"kind": "ecommerce", "platform": "淘宝", "shop_name": "某某家居旗舰店",
                    "listing_urls": ["https://item.taobao.com/item.htm?id=700000000001"]},
        "complainant": {"kind": "organisation", "name": "某某家居用品有限公司", "mobile": "13912345678"},
        "rights": [{"kind": "design_patent", "number": "ZL202330123456.7"}],
        "respondent": {"name": "某某家居旗舰店"},
        "description": "网店销售的收纳盒与外观设计专利相同"
    })
}

struct Script<'a> {
    app: &'a TestApp,
}

impl Script<'_> {
    async fn file(&self, when: &str, complaint: &Value) -> String {
        self.app.clock.set(t(when));
        let receipt = self.app.file_complaint_json(complaint).await;
        receipt["case_number"].as_str().unwrap().to_string()
    }

    async fn act(&self, when: &str, case: &str, body: Value) -> Value {
        self.app.clock.set(t(when));
        ok(&self.app.act(case, body).await)
    }

    /// Files at 10:00 on `day`, accepts at 11:00 and routes by the rules at 12:00; opens at
    /// 16:00 on `open_day` by `officer`.
    async fn walk(&self, day: &str, complaint: &Value, open_day: &str, officer: &str) -> String {
        let n = self.file(&format!("{day}T10:00"), complaint).await;
        let caseworker = json!({"actor": "caseworker:chen", "reason": "现场核对原件，先行受理"});
        let with = |action: &str| {
            let mut b = caseworker.clone();
            b["action"] = json!(action);
            b
        };
        self.act(&format!("{day}T11:00"), &n, with("accept")).await;
        self.act(&format!("{day}T12:00"), &n, with("route")).await;
        self.act(
            &format!("{open_day}T16:00"),
            &n,
            json!({"action": "open", "actor": officer}),
        )
        .await;
        n
    }
}

fn group<'a>(report: &'a Value, dimension: &str, key: &str) -> &'a Value {
    report["breakdowns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["dimension"] == dimension)
        .unwrap_or_else(|| panic!("no {dimension} breakdown"))["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == key)
        .map(|g| &g["figures"])
        .unwrap_or_else(|| panic!("no {dimension} group {key} in {}", report["breakdowns"]))
}

/// Asserts the named counts of a figures object (absent names are not checked).
fn counts(figures: &Value, expected: &[(&str, u64)], what: &str) {
    for (name, n) in expected {
        assert_eq!(figures[*name], json!(n), "{what}: {name} in {figures}");
    }
}

async fn the_october_report_matches_the_hand_computed_figures_and_stays_frozen(backend: Backend) {
    let only_2026 = Calendar::empty().with_year(
        Calendar::bundled()
            .year(2026)
            .expect("2026 is bundled")
            .clone(),
    );
    let options = Options {
        calendar: only_2026.clone(),
        ..Options::at(t("2026-06-22T09:00"))
    };
    let Some(app) = kuaiwei_e2e::spawn_app_with(backend, options).await else {
        return;
    };
    let s = Script { app: &app };
    let canton = |mark| fair(mark, "第139届广交会", Some("第二期"));

    // the cases, in the order things happened
    let d = s
        .walk(
            "2026-06-22",
            &canton("30002001"),
            "2026-06-22",
            "officer:wu",
        )
        .await;
    let a = s
        .walk(
            "2026-07-03",
            &canton("30002002"),
            "2026-07-03",
            "officer:lin",
        )
        .await;
    let h = s
        .walk("2026-07-06", &online_design(), "2026-07-08", "officer:he")
        .await;
    let b = s
        .walk(
            "2026-07-10",
            &canton("30002003"),
            "2026-07-10",
            "officer:lin",
        )
        .await;
    let c = s
        .walk(
            "2026-07-15",
            &canton("30002004"),
            "2026-07-15",
            "officer:wu",
        )
        .await;
    let j = s
        .walk(
            "2026-07-20",
            &canton("30002007"),
            "2026-07-20",
            "officer:lin",
        )
        .await;
    let suspend = |who: &str| json!({"action": "suspend", "actor": who, "reason": "等待鉴定意见"});
    let resume = |who: &str| json!({"action": "resume", "actor": who});
    s.act("2026-08-03T10:00", &c, suspend("officer:wu")).await;
    let e = s
        .walk(
            "2026-08-10",
            &canton("30002005"),
            "2026-08-10",
            "officer:lin",
        )
        .await;
    s.act("2026-08-13T10:00", &c, resume("officer:wu")).await;
    s.act(
        "2026-09-10T10:00",
        &d,
        json!({"action": "request_extension", "actor": "officer:wu", "reason": "案情复杂", "amount": "30d"}),
    )
    .await;
    s.act(
        "2026-09-11T10:00",
        &d,
        json!({"action": "approve_extension", "actor": "supervisor:zhao"}),
    )
    .await;
    let close =
        |who: &str, outcome: &str| json!({"action": "close", "actor": who, "outcome": outcome});
    s.act("2026-09-15T10:00", &j, close("officer:lin", "withdrawn"))
        .await;
    s.act("2026-09-28T10:00", &h, suspend("officer:he")).await;
    s.act(
        "2026-10-08T15:00",
        &a,
        close("officer:lin", "exhibits_withdrawn"),
    )
    .await;
    s.act(
        "2026-10-09T09:00",
        &b,
        close("officer:lin", "exhibits_withdrawn"),
    )
    .await;
    s.act("2026-10-09T10:00", &h, resume("officer:he")).await;
    let g = s
        .file("2026-10-09T10:30", &fair("30002006", "2026海交会", None))
        .await;
    let cw = |action: &str| json!({"action": action, "actor": "caseworker:chen", "reason": "现场核对原件，先行受理"});
    s.act("2026-10-09T11:00", &g, cw("accept")).await;
    s.act("2026-10-10T12:00", &g, cw("route")).await;
    s.act(
        "2026-10-19T17:00",
        &h,
        close("officer:he", "infringement_confirmed"),
    )
    .await;
    s.act(
        "2026-10-20T10:00",
        &g,
        json!({"action": "open", "actor": "officer:wu"}),
    )
    .await;
    s.act(
        "2026-10-20T11:00",
        &c,
        close("officer:wu", "exhibits_withdrawn"),
    )
    .await;
    s.act("2026-10-28T10:00", &g, close("officer:wu", "withdrawn"))
        .await;

    // The due dates the server computed are the ones worked out by hand above.
    let end_of = |day: &str| t(&format!("{day}T00:00")).to_string();
    for (case, procedure, due) in [
        (&d, "M2", Some(end_of("2026-10-21"))),
        (&a, "M2", Some(end_of("2026-10-09"))),
        (&h, "P4", Some(end_of("2026-10-20"))),
        (&b, "M2", Some(end_of("2026-10-09"))),
        (&c, "M2", Some(end_of("2026-10-24"))),
        (&e, "M2", Some(end_of("2026-11-10"))),
        (&g, "F1", Some(t("2026-10-10T10:30").to_string())),
        (&g, "M1", Some(end_of("2026-10-31"))),
        (&g, "M2", Some(end_of("2027-01-19"))),
        (&j, "M2", Some(end_of("2026-10-20"))),
    ] {
        let clocks = app.store.case(case).await.unwrap().unwrap().clocks;
        let clock = clocks
            .iter()
            .find(|c| c.procedure_id == procedure)
            .unwrap_or_else(|| panic!("{case} has no {procedure} clock: {clocks:?}"));
        assert_eq!(
            clock.due_at.map(|d| d.to_string()),
            due,
            "{case} {procedure}"
        );
    }

    // 2 November: the report of October.
    app.clock.set(t("2026-11-02T10:00"));
    app.add_account("zhao", "supervisor", None).await;
    app.log_in("zhao", kuaiwei_e2e::TEST_PASSWORD).await;
    let october = ok(&app
        .get("/api/v1/reports/on-time?month=2026-10&cases=true", &[])
        .await);
    assert_eq!(october["complete"], true);
    assert_eq!(october["as_of"], t("2026-11-01T00:00").to_string());
    assert!(october["frozen"].is_null());
    let headline = &october["headline"];
    counts(
        headline,
        &[
            ("counted", 6),
            ("on_time", 4),
            ("late", 1),
            ("overdue_open", 1),
            ("pending", 0),
            ("undetermined", 0),
            ("provisional", 1),
            ("overdue_at_end", 1),
            ("due_7", 0),
            ("due_30", 1),
            ("opened", 1),
            ("closed", 5),
            ("extended", 1),
            ("extensions", 1),
        ],
        "headline",
    );
    assert_eq!(headline["on_time_rate"], 0.6667);
    // J: on time in September, where it closed, and not counted again in October
    assert!(
        october["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["case_number"] != j.as_str() || l["category"].is_null()),
        "J is not counted in October"
    );
    let september = ok(&app
        .get("/api/v1/reports/on-time?month=2026-09&cases=true", &[])
        .await);
    counts(
        &september["headline"],
        &[
            ("counted", 1),
            ("on_time", 1),
            ("late", 0),
            ("overdue_open", 0),
            ("closed", 1),
        ],
        "september",
    );
    assert_eq!(september["definition"]["version"], 2);
    assert_eq!(headline["closure_rate"], 5.0);
    assert_eq!(headline["median_days"], 90.7);
    assert_eq!(headline["p90_days"], 97.0);

    // every clock type, the closing ones and the others
    counts(
        group(&october, "procedure", "F1"),
        &[("counted", 1), ("late", 1), ("opened", 1), ("closed", 1)],
        "F1",
    );
    assert_eq!(group(&october, "procedure", "F1")["on_time_rate"], 0.0);
    assert_eq!(group(&october, "procedure", "F1")["median_days"], 1.1);
    counts(
        group(&october, "procedure", "M1"),
        &[("counted", 1), ("on_time", 1)],
        "M1",
    );
    counts(
        group(&october, "procedure", "M2"),
        &[
            ("counted", 5),
            ("on_time", 3),
            ("late", 1),
            ("overdue_open", 1),
            ("undetermined", 0),
            ("due_30", 1),
        ],
        "M2",
    );
    counts(
        group(&october, "procedure", "P4"),
        &[("counted", 1), ("on_time", 1)],
        "P4",
    );
    for (dimension, key, counted, on_time, rate) in [
        ("agency", "market_regulation", 5, 3, json!(0.6)),
        ("agency", "ip_office", 1, 1, json!(1.0)),
        ("channel", "fair", 5, 3, json!(0.6)),
        ("channel", "ecommerce", 1, 1, json!(1.0)),
        ("right_type", "trademark", 5, 3, json!(0.6)),
        ("right_type", "design_patent", 1, 1, json!(1.0)),
        ("fair", "第139届广交会 第二期", 4, 2, json!(0.5)),
        ("fair", "2026海交会", 1, 1, json!(1.0)),
        ("fair", "none", 1, 1, json!(1.0)),
        ("officer", "lin", 2, 1, json!(0.5)),
        ("officer", "wu", 3, 2, json!(0.6667)),
        ("officer", "he", 1, 1, json!(1.0)),
    ] {
        let f = group(&october, dimension, key);
        counts(
            f,
            &[("counted", counted), ("on_time", on_time)],
            &format!("{dimension} {key}"),
        );
        assert_eq!(f["on_time_rate"], rate, "{dimension} {key}");
    }

    // each figure lists its cases
    let trace = |query: &str| {
        let app = &app;
        let query = query.to_string();
        async move {
            let v = ok(&app
                .get(
                    &format!("/api/v1/reports/on-time/cases?period=2026-10&{query}"),
                    &[],
                )
                .await);
            let mut cases: Vec<String> = v["lines"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["case_number"].as_str().unwrap().to_string())
                .collect();
            cases.sort();
            assert_eq!(v["count"], cases.len());
            cases
        }
    };
    let sorted = |mut v: Vec<&String>| {
        v.sort();
        v.into_iter().cloned().collect::<Vec<String>>()
    };
    assert_eq!(trace("measure=on_time").await, sorted(vec![&a, &c, &g, &h]));
    assert_eq!(trace("measure=late").await, vec![b.clone()]);
    assert_eq!(trace("measure=overdue_open").await, vec![d.clone()]);
    assert_eq!(trace("measure=due_30").await, vec![e.clone()]);
    assert_eq!(trace("measure=provisional").await, vec![g.clone()]);
    assert!(trace("measure=undetermined").await.is_empty());
    assert_eq!(
        trace("measure=late&dimension=procedure&key=F1").await,
        vec![g.clone()]
    );
    assert_eq!(
        trace("measure=counted&dimension=officer&key=wu").await,
        sorted(vec![&c, &d, &g])
    );

    // the quarter so far holds October as its first month, with the same figures
    let quarter = ok(&app.get("/api/v1/reports/on-time?period=2026-Q4", &[]).await);
    assert_eq!(quarter["complete"], false);
    assert_eq!(quarter["months"][0]["period"], "2026-10");
    assert_eq!(quarter["months"][0]["figures"], *headline);

    // The CSV and the XLSX say what the JSON says.
    let csv_rows = figure_rows_of_csv(
        &app.get("/api/v1/reports/on-time?period=2026-10&format=csv", &[])
            .await,
    );
    assert_eq!(csv_rows[0][..3], ["total", "all", "合计 total"]);
    let mut checked = 0;
    for row in &csv_rows {
        let figures = match row[0].as_str() {
            "total" => headline,
            dimension => group(&october, dimension, &row[1]),
        };
        assert_matches_json(row, figures);
        checked += 1;
    }
    assert!(checked > 15, "{checked} rows");
    let xlsx = app
        .get("/api/v1/reports/on-time?period=2026-10&format=xlsx", &[])
        .await;
    assert_eq!(xlsx.status, 200);
    let sheets = read_xlsx(&xlsx.body);
    assert_same_cells(&sheets[0][1..], &csv_rows, "summary");
    let case_sheet = &sheets[1];
    assert_eq!(
        case_sheet.len() - 1,
        october["lines"].as_array().unwrap().len()
    );
    let lines_csv = app
        .get(
            "/api/v1/reports/on-time?period=2026-10&format=csv&cases=true",
            &[],
        )
        .await;
    assert_same_cells(case_sheet, &read_csv(&lines_csv.body), "cases");

    // The page, in both languages, links each figure to its cases.
    let page = app.get("/reports/on-time?period=2026-10", &[]).await;
    let html = String::from_utf8(page.body.to_vec()).unwrap();
    assert!(html.contains("按期结案率") && html.contains("<svg"));
    assert!(html.contains("66.67%"), "the rate is shown");
    assert!(html.contains("暂定"), "the provisional due date is said");
    assert!(html.contains("/reports/on-time/cases?period=2026-10&#38;measure=late"));
    let en = app
        .get("/reports/on-time?period=2026-10&lang=en", &[])
        .await;
    assert!(String::from_utf8_lossy(&en.body).contains("On-time closure report"));
    let list = app
        .get("/reports/on-time/cases?period=2026-10&measure=late", &[])
        .await;
    assert!(String::from_utf8_lossy(&list.body).contains(&format!("/work/cases/{b}")));

    // Freeze October.
    let frozen = ok(&app
        .post_json(
            "/api/v1/reports/on-time/freeze",
            json!({"period": "2026-10"}).to_string(),
            &[],
        )
        .await);
    assert_eq!(frozen["headline"], *headline);
    assert_eq!(
        frozen["frozen"]["frozen_by"], "supervisor:zhao",
        "the logged-in supervisor"
    );
    let hash = frozen["frozen"]["hash"].clone();

    // 3 November: a collective extension for D is asked for after its period ran out (10-20
    // 24:00): refused, an expired period cannot be extended (legal-deadlines.md §8.2), and D
    // stays late in October.
    app.clock.set(t("2026-11-03T10:00"));
    let refused = app
        .act(
            &d,
            json!({"action": "request_extension", "actor": "officer:wu", "reason": "集体讨论决定延长", "amount": "60d"}),
        )
        .await;
    assert_eq!(
        refused.status,
        409,
        "{}",
        String::from_utf8_lossy(&refused.body)
    );
    assert_eq!(refused.json()["error"]["code"], "period_expired");
    let d_clock = app.store.case(&d).await.unwrap().unwrap().clocks;
    let m2 = d_clock.iter().find(|c| c.procedure_id == "M2").unwrap();
    assert_eq!(m2.due_at.map(|t| t.to_string()), Some(end_of("2026-10-21")));
    // and E closes in November: not a correction of October
    s.act(
        "2026-11-04T10:00",
        &e,
        close("officer:lin", "exhibits_withdrawn"),
    )
    .await;

    // a day and more later: the session has idled out; log in again
    app.log_in("zhao", kuaiwei_e2e::TEST_PASSWORD).await;
    let after = ok(&app.get("/api/v1/reports/on-time?period=2026-10", &[]).await);
    assert_eq!(
        after["headline"], *headline,
        "the frozen month reads the same"
    );
    assert_eq!(after["frozen"]["hash"], hash);
    assert_eq!(after["frozen"]["intact"], true);
    let corrections = after["corrections"].as_array().unwrap();
    assert!(
        corrections.is_empty(),
        "nothing changed October's standing: {corrections:?}"
    );
    let page = app.get("/reports/on-time?period=2026-10", &[]).await;
    assert!(String::from_utf8_lossy(&page.body).contains("封存后更正 (0)"));
    // the frozen text is what the store holds, byte for byte
    let stored = app.store.frozen_report("2026-10").await.unwrap().unwrap();
    assert_eq!(Value::String(stored.hash), hash);
    // and November, not frozen, is live: E closed there, on time
    let november = ok(&app.get("/api/v1/reports/on-time?period=2026-11", &[]).await);
    assert_eq!(november["headline"]["on_time"], 1);

    // The server computes from its copy of every clock, kept current from the change log; the
    // command line reads only the period's window from the store. Both give the same report for
    // every period so far.
    let procedures = kuaiwei_deadlines::Procedures::bundled();
    let mut all = Vec::new();
    app.store
        .all_report_clocks(&mut |page| all.extend(page))
        .await
        .unwrap();
    let everything = Facts::from_clocks(all, &procedures);
    let now = app.clock.now();
    let no_label = |_: &str| None;
    for p in [
        "2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-Q3", "2026-Q4",
        "2026",
    ] {
        let period = Period::parse(p).unwrap();
        let window = app.store.report_clocks(&window(period)).await.unwrap();
        let of = |facts: &Facts| {
            compute(Inputs {
                period,
                now,
                facts,
                procedures: &procedures,
                agency_label: &no_label,
                // the server's calendar holds 2026: 2027 on is provisional
                provisional_from: Some(t("2027-01-01T00:00")),
            })
            .unwrap()
        };
        let from_window = of(&Facts::from_clocks(window, &procedures));
        assert_eq!(from_window, of(&everything), "{p}");
        if p == "2026-Q4" {
            let served = ok(&app.get("/api/v1/reports/on-time?period=2026-Q4", &[]).await);
            assert_eq!(
                served["headline"],
                serde_json::to_value(&from_window.headline).unwrap()
            );
            assert_eq!(
                served["months"],
                serde_json::to_value(&from_window.months).unwrap()
            );
        }
    }

    the_saved_copy_is_read_back_only_against_its_own_history(&app, &only_2026).await;
}

/// A restarted server reads its copy of the clocks from the file it saved, when that file is of
/// the store's history, and reports the same as the store's clocks; a file of another history
/// is refused and the clocks are loaded from the store.
async fn the_saved_copy_is_read_back_only_against_its_own_history(
    app: &TestApp,
    calendar: &Calendar,
) {
    let dir = kuaiwei_e2e::TempDir::new("saved-copy");
    let path = dir.path().join("report-facts.bin");
    let procedures = std::sync::Arc::new(kuaiwei_deadlines::Procedures::bundled());
    let reports_over = |held: &ReportFacts| {
        Reports::new(app.store.clone(), procedures.clone(), |_| None).with_copy(Some(held.clone()))
    };
    let october = Period::parse("2026-10").unwrap();
    let now = app.clock.now();
    let from_window = {
        let reports = Reports::new(app.store.clone(), procedures.clone(), |_| None);
        reports.live(october, true, now, calendar).await.unwrap()
    };

    // the first start: nothing saved, so the clocks are loaded from the store, then saved
    let first = ReportFacts::saved_in(path.clone());
    reports_over(&first).warm();
    wait_for(
        || first.is_ready() && path.exists(),
        "the first copy loaded and saved",
    )
    .await;
    assert!(!first.loaded_from_saved());
    let saved = std::fs::read(&path).unwrap();

    // the next start reads the file; the first report waits for it (it is quick) and is
    // computed from it
    let second = ReportFacts::saved_in(path.clone());
    let reports = reports_over(&second);
    reports.warm();
    let report = reports.live(october, true, now, calendar).await.unwrap();
    assert!(second.is_ready() && second.loaded_from_saved());
    assert_eq!(*report, *from_window);

    // a file whose change-log entry is not the store's (another database, a restore) is
    // refused: the clocks are loaded from the store
    let (mut mark, facts) = Facts::read_saved(&saved[..], saved.len() as u64, &procedures).unwrap();
    mark.entry.as_mut().expect("the scenario logged changes").at += 1;
    let mut other = Vec::new();
    facts.write_saved(&mark, &mut other).unwrap();
    std::fs::write(&path, &other).unwrap();
    let third = ReportFacts::saved_in(path.clone());
    let reports = reports_over(&third);
    reports.warm();
    wait_for(|| third.is_ready(), "the copy loaded from the store").await;
    assert!(!third.loaded_from_saved());
    assert_eq!(
        *reports.live(october, true, now, calendar).await.unwrap(),
        *from_window
    );
    // and saved again, of this history
    let original = Facts::read_saved(&saved[..], saved.len() as u64, &procedures)
        .unwrap()
        .0;
    wait_for(
        || {
            std::fs::read(&path).is_ok_and(|b| {
                Facts::read_saved(&b[..], b.len() as u64, &procedures)
                    .is_ok_and(|(m, _)| m == original)
            })
        },
        "the copy saved again",
    )
    .await;

    // a file of a position the store's log has not reached (a restore) is refused too
    mark = original;
    mark.seq += 1_000;
    let mut ahead = Vec::new();
    facts.write_saved(&mark, &mut ahead).unwrap();
    std::fs::write(&path, &ahead).unwrap();
    let fourth = ReportFacts::saved_in(path.clone());
    reports_over(&fourth).warm();
    wait_for(|| fourth.is_ready(), "the copy loaded from the store").await;
    assert!(!fourth.loaded_from_saved());
}

async fn wait_for(done: impl Fn() -> bool, what: &str) {
    for _ in 0..600 {
        if done() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{what}: not within 30 s");
}

/// The rows of a CSV download after its byte-order mark, header first.
fn read_csv(body: &[u8]) -> Vec<Vec<String>> {
    let text = body
        .strip_prefix("\u{feff}".as_bytes())
        .expect("the CSV starts with a UTF-8 byte-order mark");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn figure_rows_of_csv(res: &TestResponse) -> Vec<Vec<String>> {
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("text/csv; charset=utf-8"));
    let mut rows = read_csv(&res.body);
    let header = rows.remove(0);
    assert_eq!(header[3], "counted");
    rows
}

/// A CSV row of figures against the JSON figures of the same group.
fn assert_matches_json(row: &[String], f: &Value) {
    let int = |name: &str| f[name].as_u64().unwrap().to_string();
    let pct = |name: &str| {
        f[name]
            .as_f64()
            .map(|r| format!("{:.2}", r * 100.0))
            .unwrap_or_default()
    };
    let days = |name: &str| {
        f[name]
            .as_f64()
            .map(|d| format!("{d:.1}"))
            .unwrap_or_default()
    };
    let expected = [
        int("counted"),
        int("on_time"),
        int("late"),
        int("overdue_open"),
        int("pending"),
        int("undetermined"),
        pct("on_time_rate"),
        int("overdue_at_end"),
        int("due_7"),
        int("due_30"),
        int("opened"),
        int("closed"),
        pct("closure_rate"),
        days("median_days"),
        days("p90_days"),
        int("extended"),
        int("extensions"),
        int("provisional"),
    ];
    assert_eq!(row[3..], expected, "{} {}", row[0], row[1]);
}

/// Cell by cell: the same text, or the same number (the XLSX holds 60 where the CSV says 60.00).
fn assert_same_cells(xlsx: &[Vec<String>], csv: &[Vec<String>], what: &str) {
    assert_eq!(xlsx.len(), csv.len(), "{what}: rows");
    for (x, c) in xlsx.iter().zip(csv) {
        assert_eq!(x.len(), c.len(), "{what}: {x:?} / {c:?}");
        for (a, b) in x.iter().zip(c) {
            let same =
                a == b || matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(m), Ok(n)) if m == n);
            assert!(
                same,
                "{what}: {a:?} in the XLSX, {b:?} in the CSV; row {c:?}"
            );
        }
    }
}

/// Every sheet of an XLSX file as rows of cell text.
fn read_xlsx(bytes: &[u8]) -> Vec<Vec<Vec<String>>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let strings: Vec<String> = read("xl/sharedStrings.xml")
        .split("<si>")
        .skip(1)
        .map(|si| unescape(&inner(si, "t").unwrap_or_default()))
        .collect();
    let mut sheets = Vec::new();
    for n in 1..=2 {
        let xml = read(&format!("xl/worksheets/sheet{n}.xml"));
        let mut rows = Vec::new();
        for row in xml.split("<row ").skip(1) {
            let mut cells: Vec<String> = Vec::new();
            for cell in row.split("<c ").skip(1) {
                let r = attr(cell, "r").unwrap();
                let col = r
                    .chars()
                    .take_while(char::is_ascii_alphabetic)
                    .fold(0usize, |acc, ch| {
                        acc * 26 + (ch as usize - 'A' as usize + 1)
                    })
                    - 1;
                let value = inner(cell, "v").unwrap_or_default();
                let text = if attr(cell, "t").as_deref() == Some("s") {
                    strings[value.parse::<usize>().unwrap()].clone()
                } else {
                    value
                };
                cells.resize(col, String::new());
                cells.push(text);
            }
            rows.push(cells);
        }
        sheets.push(rows);
    }
    // Pad each row to the header's width, as the CSV has empty cells.
    for sheet in &mut sheets {
        let width = sheet[0].len();
        for row in sheet.iter_mut() {
            row.resize(width, String::new());
        }
    }
    sheets
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let head = &tag[..tag.find('>')?];
    let start = head.find(&format!("{name}=\""))? + name.len() + 2;
    Some(head[start..start + head[start..].find('"')?].to_string())
}

fn inner(xml: &str, tag: &str) -> Option<String> {
    let open = xml.find(&format!("<{tag}"))?;
    let body = open + xml[open..].find('>')? + 1;
    let close = body + xml[body..].find(&format!("</{tag}>"))?;
    Some(xml[body..close].to_string())
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}
