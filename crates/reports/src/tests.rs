use jiff::Timestamp;
use kuaiwei_deadlines::{ClockInputs, Exclusion, ExclusionKind, Procedures};
use kuaiwei_store::ReportClock;

use super::*;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// 10:00 Shanghai on a date.
fn at(d: &str) -> Timestamp {
    ts(&format!("{d}T10:00:00+08:00"))
}

fn clock(
    case: &str,
    p: &str,
    started: &str,
    due: Option<&str>,
    closed: Option<&str>,
) -> ReportClock {
    ReportClock {
        case_number: case.into(),
        procedure_id: p.into(),
        started_at: Some(at(started)),
        closed_at: closed.map(at),
        due_at: due.map(at),
        inputs: "{}".into(),
        agency: Some("ip_office".into()),
        channel: "fair".into(),
        right_type: Some("design_patent".into()),
        fair: Some("第140届广交会 第二期".into()),
        officer: Some("officer:li".into()),
    }
}

fn report(clocks: &[ReportClock], period: &str, now: &str) -> OnTimeReport {
    let procedures = Procedures::bundled();
    let label = |_: &str| None;
    compute(Inputs {
        period: Period::parse(period).unwrap(),
        now: ts(now),
        facts: &Facts::from_clocks(clocks.to_vec(), &procedures),
        procedures: &procedures,
        agency_label: &label,
        provisional_from: None,
    })
    .unwrap()
}

#[test]
fn a_clock_counts_on_time_in_the_month_it_closed_and_late_in_the_month_it_fell_due() {
    let clocks = [
        // due in October, closed the day before: on time
        clock(
            "KW-2026-000001",
            "P3",
            "2026-07-01",
            Some("2026-10-12"),
            Some("2026-10-11"),
        ),
        // due in October, closed after it in October: late
        clock(
            "KW-2026-000002",
            "P3",
            "2026-07-02",
            Some("2026-10-13"),
            Some("2026-10-20"),
        ),
        // due in October, closed in November: overdue and open at the end of October
        clock(
            "KW-2026-000003",
            "P3",
            "2026-07-03",
            Some("2026-10-14"),
            Some("2026-11-03"),
        ),
        // due in December, closed in October: on time in October (and not again in December)
        clock(
            "KW-2026-000004",
            "M2",
            "2026-09-20",
            Some("2026-12-19"),
            Some("2026-10-25"),
        ),
        // due in September, closed late in October: late in September, not counted in October
        clock(
            "KW-2026-000005",
            "M2",
            "2026-06-01",
            Some("2026-09-01"),
            Some("2026-10-05"),
        ),
        // due in November, running: at risk within 30 days, not counted
        clock(
            "KW-2026-000006",
            "P3",
            "2026-08-20",
            Some("2026-11-20"),
            None,
        ),
        // due in August, still running: overdue at the end of October, not counted in October
        clock(
            "KW-2026-000007",
            "P3",
            "2026-05-20",
            Some("2026-08-20"),
            None,
        ),
        // not a closing clock: in the procedure breakdown only
        clock(
            "KW-2026-000008",
            "P1",
            "2026-10-09",
            Some("2026-10-16"),
            Some("2026-10-15"),
        ),
    ];
    // Worked by hand under legal-deadlines.md §8.8: on time 000001, 000004 (closed in October
    // on or before their due dates); late 000002 (due and closed late in October) and 000003
    // (due in October, open at its end); 000005 fell due in September and counts there only.
    let r = report(&clocks, "2026-10", "2026-11-22T00:00:00Z");
    let h = &r.headline;
    assert_eq!((h.on_time, h.late, h.overdue_open), (2, 1, 1));
    assert_eq!(h.counted, 4);
    assert_eq!(h.on_time_rate, Some(0.5));
    assert_eq!(h.overdue_at_end, 2, "000003 and 000007");
    assert_eq!(h.due_30, 1, "000006");
    assert_eq!(h.closed, 4, "000001, 000002, 000004, 000005");
    assert!(r.complete);
    let numbers = |m| {
        r.trace(None, m)
            .iter()
            .map(|l| l.case_number.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        numbers(Measure::OnTime),
        ["KW-2026-000001", "KW-2026-000004"]
    );
    assert_eq!(numbers(Measure::Late), ["KW-2026-000002"]);
    assert_eq!(numbers(Measure::OverdueOpen), ["KW-2026-000003"]);
    let september = report(&clocks, "2026-09", "2026-11-22T00:00:00Z");
    let s = &september.headline;
    // 000005 was still open at the end of September
    assert_eq!((s.on_time, s.late, s.overdue_open), (0, 0, 1));
    let december = report(&clocks, "2026-12", "2027-01-05T00:00:00Z");
    assert_eq!(
        december.headline.counted, 0,
        "000004 closed early is not counted again when its due date comes"
    );
    let p1 = r
        .breakdown(Dimension::Procedure)
        .unwrap()
        .groups
        .iter()
        .find(|g| g.key == "P1")
        .unwrap();
    assert_eq!((p1.figures.on_time, p1.figures.counted), (1, 1));
    assert_eq!(
        r.trace(Some((Dimension::Procedure, "P1")), Measure::OnTime)
            .len(),
        1
    );
}

#[test]
fn a_running_month_is_seen_as_of_now_and_a_future_due_date_is_pending() {
    let clocks = [
        clock(
            "KW-2026-000001",
            "P3",
            "2026-08-01",
            Some("2026-11-25"),
            None,
        ),
        clock(
            "KW-2026-000002",
            "P3",
            "2026-08-01",
            Some("2026-11-10"),
            None,
        ),
    ];
    let r = report(&clocks, "2026-11", "2026-11-22T00:00:00Z");
    assert!(!r.complete);
    assert_eq!(r.headline.pending, 1);
    assert_eq!(r.headline.overdue_open, 1);
    assert_eq!(r.headline.due_7, 1);
    assert_eq!(r.headline.on_time_rate, Some(0.0));
}

#[test]
fn a_report_for_a_period_not_begun_is_refused_and_bad_periods_name_the_text() {
    let procedures = Procedures::bundled();
    let label = |_: &str| None;
    let e = compute(Inputs {
        period: Period::parse("2027-01").unwrap(),
        now: ts("2026-11-22T00:00:00Z"),
        facts: &Facts::default(),
        procedures: &procedures,
        agency_label: &label,
        provisional_from: None,
    })
    .unwrap_err();
    assert!(matches!(e, ReportError::NotStarted(_)));
    let (zh, en) = Period::parse("2026-13").unwrap_err().zh_en();
    assert!(zh.contains("2026-13") && en.contains("2026-13"));
}

#[test]
fn net_days_leave_out_overlapping_excluded_periods_once() {
    let x = |from: &str, to: Option<&str>| Exclusion {
        kind: ExclusionKind::Suspension,
        from: at(from),
        to: to.map(at),
        reason: "t".into(),
    };
    let inputs = ClockInputs {
        exclusions: vec![
            x("2026-10-05", Some("2026-10-10")),
            x("2026-10-08", Some("2026-10-12")),
            x("2026-09-01", Some("2026-10-02")),
        ],
        extensions: Vec::new(),
    };
    // 30 days, less 7 (5th-12th) and 1 (1st-2nd, clipped to the start)
    assert_eq!(net_days(at("2026-10-01"), at("2026-10-31"), &inputs), 22.0);
    assert_eq!(
        net_days(at("2026-10-01"), at("2026-10-31"), &ClockInputs::default()),
        30.0
    );
}

#[test]
fn median_and_p90_are_nearest_rank() {
    let clocks: Vec<ReportClock> = (1..=10)
        .map(|d| {
            clock(
                &format!("KW-2026-{d:06}"),
                "P3",
                "2026-10-01",
                Some("2026-12-30"),
                Some(&format!("2026-10-{:02}", 1 + d)),
            )
        })
        .collect();
    let r = report(&clocks, "2026-10", "2026-11-22T00:00:00Z");
    assert_eq!(r.headline.median_days, Some(5.0));
    assert_eq!(r.headline.p90_days, Some(9.0));
}

#[test]
fn csv_has_a_bom_and_neutralises_formulas() {
    let mut c = clock(
        "KW-2026-000001",
        "P3",
        "2026-07-01",
        Some("2026-10-12"),
        Some("2026-10-11"),
    );
    c.officer = Some("=HYPERLINK(\"x\")".into());
    c.fair = Some("+86 fair".into());
    let r = report(&[c], "2026-10", "2026-11-22T00:00:00Z");
    let bytes = figures_csv(&r).unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("'=HYPERLINK"), "{text}");
    assert!(text.contains("'+86 fair"), "{text}");
    assert!(!text.contains(",=HYPERLINK") && !text.contains(",\"=HYPERLINK"));
    let lines = String::from_utf8(lines_csv(r.lines.iter()).unwrap()).unwrap();
    assert_eq!(lines.lines().count(), 2);
}

#[test]
fn corrections_list_what_changed_since_the_freeze() {
    let before = report(
        &[clock(
            "KW-2026-000001",
            "P3",
            "2026-07-01",
            Some("2026-10-12"),
            Some("2026-10-11"),
        )],
        "2026-10",
        "2026-11-01T00:00:00Z",
    );
    let after = report(
        &[
            clock(
                "KW-2026-000001",
                "P3",
                "2026-07-01",
                Some("2026-10-12"),
                Some("2026-10-14"),
            ),
            clock(
                "KW-2026-000002",
                "P3",
                "2026-07-01",
                Some("2026-10-20"),
                Some("2026-10-14"),
            ),
        ],
        "2026-10",
        "2026-11-20T00:00:00Z",
    );
    let c = corrections(&before.lines, &after.lines);
    assert_eq!(c.len(), 2);
    assert_eq!(
        c[0].frozen.as_ref().unwrap().category,
        Some(Category::OnTime)
    );
    assert_eq!(c[0].now.as_ref().unwrap().category, Some(Category::Late));
    assert!(c[1].frozen.is_none());
    let body = freeze_body(&before);
    assert_eq!(hash_body(&body), hash_body(&freeze_body(&before)));
    let back: OnTimeReport = serde_json::from_str(&body).unwrap();
    assert_eq!(back, before);
}

#[test]
fn xlsx_opens_and_holds_the_figures() {
    use std::io::Read;
    let r = report(
        &[clock(
            "KW-2026-000001",
            "P3",
            "2026-07-01",
            Some("2026-10-12"),
            Some("2026-10-11"),
        )],
        "2026-10",
        "2026-11-22T00:00:00Z",
    );
    let bytes = xlsx(&r).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut strings = String::new();
    zip.by_name("xl/sharedStrings.xml")
        .unwrap()
        .read_to_string(&mut strings)
        .unwrap();
    assert!(strings.contains("KW-2026-000001"));
    assert!(strings.contains("on_time_rate_pct"));
    assert!(zip.by_name("xl/worksheets/sheet2.xml").is_ok());
}

#[test]
fn a_clock_due_on_the_last_day_belongs_to_that_month_and_is_overdue_once_it_ends() {
    let end_of = |d: &str| kuaiwei_deadlines::day_end(d.parse().unwrap()).unwrap();
    let mut due_oct_31 = clock("KW-2026-000001", "M2", "2026-08-02", None, None);
    due_oct_31.due_at = Some(end_of("2026-10-31"));
    let mut due_sep_30 = clock("KW-2026-000002", "M2", "2026-07-02", None, None);
    due_sep_30.due_at = Some(end_of("2026-09-30"));
    let clocks = [due_oct_31, due_sep_30];

    let october = report(&clocks, "2026-10", "2026-11-22T00:00:00Z");
    let lines: Vec<_> = october
        .lines
        .iter()
        .filter(|l| l.category.is_some())
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].case_number, "KW-2026-000001");
    assert_eq!(lines[0].category, Some(Category::OverdueOpen));
    assert_eq!(october.headline.overdue_at_end, 2);

    // On the last afternoon it is still pending, due within a day.
    let during = report(&clocks, "2026-10", "2026-10-31T08:00:00Z");
    assert_eq!(during.headline.pending, 1);
    assert_eq!(during.headline.due_7, 1);
    assert_eq!(during.headline.overdue_at_end, 1);

    let september = report(&clocks, "2026-09", "2026-11-22T00:00:00Z");
    assert_eq!(september.headline.overdue_open, 1);
    assert_eq!(september.lines[0].case_number, "KW-2026-000002");
}

#[test]
fn an_agency_sees_its_own_lines_added_up_again_and_nothing_of_the_others() {
    let mut other = clock(
        "KW-2026-000900",
        "M2",
        "2026-09-01",
        Some("2026-10-20"),
        Some("2026-10-25"),
    );
    other.agency = Some("market_regulation".into());
    let mine = clock(
        "KW-2026-000901",
        "P3",
        "2026-08-01",
        Some("2026-10-20"),
        Some("2026-10-10"),
    );
    let whole = report(&[other, mine], "2026-10", "2026-11-02T00:00:00Z");
    assert_eq!((whole.headline.counted, whole.headline.on_time), (2, 1));
    let ip = whole.scoped_to("ip_office");
    assert_eq!((ip.headline.counted, ip.headline.on_time), (1, 1));
    assert!(
        ip.lines
            .iter()
            .all(|l| l.agency.as_deref() == Some("ip_office"))
    );
    let agencies = ip.breakdown(Dimension::Agency).unwrap();
    let keys: Vec<&str> = agencies.groups.iter().map(|g| g.key.as_str()).collect();
    assert_eq!(keys, ["ip_office"]);
    assert_eq!(
        agencies.groups[0].label_zh,
        whole
            .breakdown(Dimension::Agency)
            .unwrap()
            .groups
            .iter()
            .find(|g| g.key == "ip_office")
            .unwrap()
            .label_zh
    );
    assert_eq!(ip.period, whole.period);
    assert_eq!(ip.definition, whole.definition);
    let nobody = whole.scoped_to("police");
    assert_eq!(nobody.headline.counted, 0);
    assert!(nobody.lines.is_empty());
}

#[test]
fn an_agencys_quarter_shows_its_own_monthly_headlines() {
    let mut other = clock(
        "KW-2026-000900",
        "M2",
        "2026-07-01",
        Some("2026-10-20"),
        Some("2026-10-25"),
    );
    other.agency = Some("market_regulation".into());
    let mine_oct = clock(
        "KW-2026-000901",
        "P3",
        "2026-08-01",
        Some("2026-10-20"),
        Some("2026-10-10"),
    );
    let mine_nov = clock(
        "KW-2026-000902",
        "P3",
        "2026-08-02",
        Some("2026-11-20"),
        Some("2026-11-25"),
    );
    let whole = report(
        &[other, mine_oct, mine_nov],
        "2026-Q4",
        "2027-01-05T00:00:00Z",
    );
    let counted = |r: &OnTimeReport| -> Vec<(String, u64, u64)> {
        r.months
            .iter()
            .map(|m| (m.period.to_string(), m.figures.counted, m.figures.on_time))
            .collect()
    };
    assert_eq!(
        counted(&whole),
        [
            ("2026-10".to_string(), 2, 1),
            ("2026-11".into(), 1, 0),
            ("2026-12".into(), 0, 0)
        ]
    );
    let ip = whole.scoped_to("ip_office");
    assert_eq!(
        counted(&ip),
        [
            ("2026-10".to_string(), 1, 1),
            ("2026-11".into(), 1, 0),
            ("2026-12".into(), 0, 0)
        ]
    );
    assert!(
        ip.months.iter().all(|m| m.by_agency.is_empty()),
        "no other agency's figures"
    );
    let market = whole.scoped_to("market_regulation");
    assert_eq!(counted(&market)[0], ("2026-10".to_string(), 1, 0));
    // a report frozen before the months were kept per agency: its agency view has none
    let mut old = whole.clone();
    old.months.iter_mut().for_each(|m| m.by_agency.clear());
    let months = old.scoped_to("ip_office").months;
    assert_eq!(months.len(), 1, "only the empty December: {months:?}");
}

/// The number of generated case `case`: mostly of the usual form (six digits and more), some
/// written otherwise (an import's, a lower-case one), whose order as text mixes them.
fn number_of(case: u32) -> String {
    match case {
        0 => "KW-2026-1000000".into(),
        1 => "legacy/7".into(),
        2 => "kw-2026-000004".into(),
        3 => "KW-2026-0000005".into(),
        _ => format!("KW-2026-{case:06}"),
    }
}

/// A clock of case `case` from small numbers: days after 2026-08-01 for start, due and close
/// (`None` where absent), a procedure and an agency by index, and whether it was extended.
fn generated(case: u32, k: (u8, Option<u8>, Option<u8>, u8, u8, bool)) -> ReportClock {
    let (start, due, close, procedure, agency, extended) = k;
    let day = |d: u8| Some(at("2026-08-01") + jiff::SignedDuration::from_hours(24 * i64::from(d)));
    let inputs = if extended {
        // an extension and a suspension of ten days from the 5th
        let from = day(start.saturating_add(5)).unwrap();
        serde_json::to_string(&ClockInputs {
            exclusions: vec![Exclusion {
                kind: ExclusionKind::Suspension,
                from,
                to: Some(from + jiff::SignedDuration::from_hours(240)),
                reason: "t".into(),
            }],
            extensions: vec![kuaiwei_deadlines::Extension {
                approved_at: from,
                approver: "supervisor:z".into(),
                grant: kuaiwei_deadlines::ExtensionGrant::Rule {
                    index: 0,
                    amount: None,
                },
            }],
        })
        .unwrap()
    } else {
        "{}".into()
    };
    ReportClock {
        case_number: number_of(case),
        procedure_id: ["F1", "P1", "P3", "M2", "C2"][procedure as usize % 5].into(),
        started_at: day(start),
        due_at: due.and_then(|d| day(start.saturating_add(d))),
        closed_at: close.and_then(|c| day(start.saturating_add(c))),
        inputs,
        agency: ["ip_office", "market_regulation", "customs"]
            .get(agency as usize % 4)
            .map(|a| a.to_string()),
        channel: "fair".into(),
        right_type: Some("trademark".into()),
        fair: None,
        officer: Some(format!("officer:{}", agency % 3)),
    }
}

proptest::proptest! {
    /// The server's copy of the clocks, after any sequence of cases' clocks replaced (in place,
    /// moved, emptied, compacted), gives the report that its clocks as they now stand give.
    #[test]
    fn facts_kept_by_replacing_cases_report_like_the_clocks_themselves(
        steps in proptest::collection::vec(
            (0u32..12, proptest::collection::vec(
                (0u8..120, proptest::option::of(1u8..90), proptest::option::of(0u8..120),
                 0u8..5, 0u8..4, proptest::bool::ANY),
                0..4,
            )),
            1..40,
        ),
        period in proptest::sample::select(vec!["2026-09", "2026-10", "2026-11", "2026-Q4"]),
    ) {
        let procedures = Procedures::bundled();
        let mut kept = Facts::default();
        let mut now: std::collections::BTreeMap<u32, Vec<ReportClock>> = Default::default();
        for (case, clocks) in steps {
            // one clock per procedure, as a case has
            let mut clocks: Vec<ReportClock> =
                clocks.into_iter().map(|k| generated(case, k)).collect();
            clocks.sort_by(|a, b| a.procedure_id.cmp(&b.procedure_id));
            clocks.dedup_by(|a, b| a.procedure_id == b.procedure_id);
            kept.replace(&number_of(case), clocks.clone(), &procedures);
            now.insert(case, clocks);
        }
        let all: Vec<ReportClock> = now.into_values().flatten().collect();
        proptest::prop_assert_eq!(kept.len(), all.len());
        proptest::prop_assert!(kept.heap_bytes() >= kept.len() * 40);
        let label = |_: &str| None;
        let of = |facts: &Facts| compute(Inputs {
            period: Period::parse(period).unwrap(),
            now: ts("2026-11-22T00:00:00Z"),
            facts,
            procedures: &procedures,
            agency_label: &label,
            provisional_from: None,
        }).unwrap();
        let expected = of(&Facts::from_clocks(all, &procedures));
        proptest::prop_assert_eq!(&of(&kept), &expected);
        // saved and read back (as a restarted server reads it), it reports the same, and goes
        // on being kept current
        let mark = SavedMark { seq: 41, entry: Some(mark_entry()) };
        let mut file = Vec::new();
        kept.write_saved(&mark, &mut file).unwrap();
        let (read_mark, mut back) =
            Facts::read_saved(&file[..], file.len() as u64, &procedures).unwrap();
        proptest::prop_assert_eq!(&read_mark, &mark);
        proptest::prop_assert_eq!(back.len(), kept.len());
        proptest::prop_assert_eq!(back.cases(), kept.cases());
        proptest::prop_assert_eq!(&of(&back), &expected);
        let more = vec![generated(3, (10, Some(30), Some(12), 2, 1, true))];
        back.replace(&number_of(3), more.clone(), &procedures);
        kept.replace(&number_of(3), more, &procedures);
        proptest::prop_assert_eq!(of(&back), of(&kept));
    }
}

fn mark_entry() -> MarkEntry {
    MarkEntry {
        entity: "case".into(),
        key: "KW-2026-000007".into(),
        op: "updated".into(),
        at: 1_790_000_000_000_000,
    }
}

/// A small copy saved: a few cases of several procedures, one number written otherwise.
fn saved_file() -> (Facts, Vec<u8>) {
    let procedures = Procedures::bundled();
    let clocks: Vec<ReportClock> = (0..6)
        .flat_map(|case| {
            (0..3u8).map(move |p| {
                generated(case, (case as u8 * 7, Some(40), Some(20 + p), p, p, p == 1))
            })
        })
        .collect();
    let facts = Facts::from_clocks(clocks, &procedures);
    let mut file = Vec::new();
    facts
        .write_saved(
            &SavedMark {
                seq: 7,
                entry: Some(mark_entry()),
            },
            &mut file,
        )
        .unwrap();
    (facts, file)
}

#[test]
fn a_saved_copy_torn_or_damaged_anywhere_is_refused_never_half_read() {
    let procedures = Procedures::bundled();
    let (facts, file) = saved_file();
    let read = |b: &[u8]| Facts::read_saved(b, b.len() as u64, &procedures);
    let (_, back) = read(&file).unwrap();
    assert_eq!(back.len(), facts.len());
    for cut in 0..file.len() {
        assert!(
            read(&file[..cut]).is_err(),
            "cut at {cut} of {}",
            file.len()
        );
    }
    for i in 0..file.len() {
        for bit in [0x01u8, 0x80] {
            let mut bad = file.clone();
            bad[i] ^= bit;
            assert!(read(&bad).is_err(), "byte {i} changed");
        }
    }
    let mut longer = file.clone();
    longer.push(0);
    assert!(matches!(read(&longer), Err(SavedError::Damaged(_))));
    assert!(matches!(
        read(b"not a copy at all"),
        Err(SavedError::NotACopy)
    ));
}

#[test]
fn a_copy_saved_by_another_format_or_version_is_not_read() {
    let procedures = Procedures::bundled();
    let (_, file) = saved_file();
    let read = |b: &[u8]| Facts::read_saved(b, b.len() as u64, &procedures);
    let mut other_format = file.clone();
    other_format[8] = other_format[8].wrapping_add(1);
    assert!(matches!(
        read(&other_format),
        Err(SavedError::Format { .. })
    ));
    // the version's text follows the format: its first byte changed
    let mut other_version = file.clone();
    other_version[16] = b'9';
    assert!(
        matches!(read(&other_version), Err(SavedError::Version { ref found }) if found.starts_with('9')),
        "{:?}",
        read(&other_version).err()
    );
}

#[test]
fn extended_counts_only_the_clocks_counted_in_the_period() {
    // both extended (the generated inputs carry one extension); one pending, one on time
    let pending = generated(1, (60, Some(20), None, 2, 0, true));
    let on_time = generated(2, (60, Some(20), Some(5), 2, 0, true));
    let r = report(&[pending, on_time], "2026-10", "2026-10-15T00:00:00Z");
    assert_eq!((r.headline.on_time, r.headline.pending), (1, 1));
    assert_eq!((r.headline.extended, r.headline.extensions), (1, 1));
}

/// The month (Shanghai) an instant falls in; a clock due at 24:00 belongs to the day before.
fn month_of(t: Timestamp, due: bool) -> String {
    let t = if due {
        t - jiff::SignedDuration::from_micros(1)
    } else {
        t
    };
    let d = t.to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap());
    format!("{:04}-{:02}", d.year(), d.month())
}

proptest::proptest! {
    /// legal-deadlines.md §8.8, checked against a recomputation written from the rule and not
    /// from the code: every closing clock counts in at most one month, on time only in the
    /// month it closed in, late only in the month its due date passed in, and a year's (or a
    /// quarter's) on-time and late figures are the sums of its months'.
    #[test]
    fn each_closing_clock_counts_in_one_month_only_and_years_are_their_months_summed(
        clocks in proptest::collection::vec(
            (0u8..250, proptest::option::of(1u8..120), proptest::option::of(0u8..250),
             2u8..5, 0u8..4, proptest::bool::ANY),
            1..40,
        ),
        now in proptest::sample::select(vec![
            "2026-10-15T04:00:00Z", "2027-03-03T12:00:00Z", "2028-01-02T00:00:00Z",
        ]),
    ) {
        let clocks: Vec<ReportClock> = clocks
            .into_iter()
            .enumerate()
            .map(|(i, k)| generated(i as u32, k))
            .collect();
        let now_t = ts(now);
        // the rule, by hand: (month, case, on time?) for every clock that counts somewhere
        let mut expected: std::collections::BTreeSet<(String, String, bool)> = Default::default();
        for c in clocks.iter().filter(|c| c.procedure_id != "F1" && c.procedure_id != "P1") {
            let (Some(started), Some(due)) = (c.started_at, c.due_at) else { continue };
            if started > now_t {
                continue;
            }
            let closed = c.closed_at.filter(|t| *t <= now_t);
            match closed {
                Some(t) if t <= due => {
                    expected.insert((month_of(t, false), c.case_number.clone(), true));
                }
                _ if due <= now_t => {
                    expected.insert((month_of(due, true), c.case_number.clone(), false));
                }
                _ => {}
            }
        }
        let months: Vec<String> = (2026..=2027)
            .flat_map(|y| (1..=12).map(move |m| format!("{y}-{m:02}")))
            .filter(|m| Period::parse(m).unwrap().bounds().0 <= now_t)
            .collect();
        let mut seen: std::collections::BTreeSet<(String, String, bool)> = Default::default();
        let mut by_month: std::collections::BTreeMap<String, (u64, u64)> = Default::default();
        for m in &months {
            let r = report(&clocks, m, now);
            for l in r.lines.iter().filter(|l| l.closes_case && Measure::Counted.holds(l)) {
                let on_time = l.category == Some(Category::OnTime);
                let fresh = seen.insert((m.clone(), l.case_number.clone(), on_time));
                proptest::prop_assert!(fresh);
                proptest::prop_assert!(
                    !seen.iter().any(|(m2, c, _)| m2 != m && *c == l.case_number),
                    "{} counted in two months", l.case_number
                );
            }
            by_month.insert(m.clone(), (r.headline.on_time, r.headline.late + r.headline.overdue_open));
        }
        proptest::prop_assert_eq!(&seen, &expected);
        for period in ["2026", "2027", "2026-Q4", "2027-Q1"] {
            let p = Period::parse(period).unwrap();
            if p.bounds().0 > now_t {
                continue;
            }
            let r = report(&clocks, period, now);
            let (on_time, late) = p
                .months()
                .iter()
                .filter_map(|m| by_month.get(&m.to_string()))
                .fold((0, 0), |(a, b), (x, y)| (a + x, b + y));
            proptest::prop_assert_eq!(
                (r.headline.on_time, r.headline.late + r.headline.overdue_open),
                (on_time, late),
                "{}", period
            );
            let inner = r.months.iter().fold((0, 0), |(a, b), m| {
                (a + m.figures.on_time, b + m.figures.late + m.figures.overdue_open)
            });
            proptest::prop_assert_eq!(inner, (on_time, late), "{} months", period);
        }
    }
}

#[test]
fn a_fact_takes_forty_bytes() {
    // docs/reports.md and BENCHMARKS.md size the server's copy of the clocks by this
    assert_eq!(std::mem::size_of::<crate::facts::Fact>(), 40);
}
