//! Excluded periods and extensions, with the rule that allows each beside the case.

use jiff::SignedDuration;
use jiff::civil::date;

use super::tests::{at, extend, pause, procedure, run, ts};
use super::*;
use crate::calendar::Calendar;
use crate::error::ClockError;
use crate::procedure::{ExclusionKind, Procedures};
use crate::unit::{Amount, Unit};

#[test]
fn a_suspension_pushes_a_month_clock_and_the_next_years_schedule_settles_it() {
    // P3 from 2026-09-28: +3 months = 2026-12-28, +11 days suspended = 2027-01-08
    let mut input = ClockInput::new(at("2026-09-28"), at("2026-10-30"));
    input.exclusions.push(pause(
        ExclusionKind::Suspension,
        "2026-10-12T10:00:00+08:00",
        Some("2026-10-23T10:00:00+08:00"),
    ));
    // 2027 not published: computed on the provisional schedule, and marked so
    let provisional = run("P3", &input).expect("provisional");
    assert_eq!(provisional.due_date, date(2027, 1, 8));
    assert_eq!(provisional.provisional, vec![2027]);
    assert!(provisional.explanation.iter().any(|s| {
        s.en.starts_with("provisional: the 2027 holiday schedule is not yet published")
    }));

    // once a 2027 schedule is loaded the same inputs compute
    let y2027 = "year = 2027\nnotice = \"test\"\n[[holiday]]\nname_zh = \"元旦\"\nname_en = \"New Year's Day\"\nrest = [\"2027-01-01..=2027-01-03\"]\n";
    let cal = Calendar::bundled().with_year(Calendar::parse_year(y2027).expect("valid"));
    let s = compute_clock(&cal, &procedure("P3"), &input).expect("computed");
    assert_eq!(s.due_date, date(2027, 1, 8));
    assert!(!s.is_provisional());
    assert_eq!(s.nominal_due_date, date(2026, 12, 28));
    assert_eq!(s.excluded_days, 11);
    assert!(s.depends_on_year(2027) && !s.depends_on_year(2025));
    let en: Vec<&str> = s.explanation.iter().map(|s| s.en.as_str()).collect();
    assert!(en[1].starts_with("+3 months -> 2026-12-28"), "{en:?}");
    assert!(
        en[2].starts_with("+11 days excluded (suspension 2026-10-12..=2026-10-22)"),
        "{en:?}"
    );
}

#[test]
fn an_extension_lengthens_the_month_period_from_the_start() {
    // 《专利行政执法办法》(2015): 3 months + 1 month with the head's approval
    let mut input = ClockInput::new(at("2026-05-29"), at("2026-06-01"));
    input.extensions.push(extend("1m"));
    let s = run("P3", &input).expect("computed");
    // nominal: Aug 29 (Sat) rolled to Aug 31; extended: Sep 29 (Tue)
    assert_eq!(s.nominal_due_date, date(2026, 8, 31));
    assert_eq!(s.due_date, date(2026, 9, 29));
    assert_eq!(s.extended_by, vec![Amount::new(1, Unit::Months)]);
}

#[test]
fn extensions_beyond_what_the_procedure_allows_are_refused() {
    let start = at("2026-03-02");
    let with = |id: &str, exts: &[&str]| {
        let mut input = ClockInput::new(start, start);
        input.extensions = exts.iter().map(|e| extend(e)).collect();
        run(id, &input)
    };
    let p3 = || "P3".to_owned();
    assert_eq!(
        with("P3", &["1m", "1m"]),
        Err(ClockError::TooManyExtensions { procedure: p3() })
    );
    assert!(matches!(
        with("P3", &["2m"]),
        Err(ClockError::ExtensionTooLong { .. })
    ));
    assert!(matches!(
        with("P3", &["30d"]),
        Err(ClockError::ExtensionUnit { .. })
    ));
    // 《行政处罚法》 Art. 60 itself grants no extension
    assert_eq!(
        with("M3", &["30d"]),
        Err(ClockError::NoExtensionAllowed {
            procedure: "M3".into()
        })
    );
    // 程序规定 Art. 18: 15 wd once
    assert!(matches!(
        with("M1", &["15wd", "15wd"]),
        Err(ClockError::TooManyExtensions { .. })
    ));
}

#[test]
fn samr_cases_take_thirty_days_then_open_ended_collective_extensions() {
    // 程序规定: 90 + 30 (head) + 20 (collective decision) = 140 days from 2026-01-05
    let mut input = ClockInput::new(at("2026-01-05"), at("2026-01-05"));
    input.extensions = vec![extend("30d"), extend("20d"), extend("10d")];
    let s = run("M2", &input).expect("computed");
    assert_eq!(s.due_date, date(2026, 6, 4));
    input.extensions.truncate(2);
    assert_eq!(run("M2", &input).map(|s| s.due_date), Ok(date(2026, 5, 25)));
    // a collective extension must state its length
    input.extensions[1].grant = ExtensionGrant::Rule {
        index: 1,
        amount: None,
    };
    assert!(matches!(
        run("M2", &input),
        Err(ClockError::CollectiveNeedsAmount { .. })
    ));
}

#[test]
fn a_working_day_clock_does_not_count_excluded_working_days() {
    // 程序规定 Art. 18: 检测 time is not counted; Oct 12 and 13 2026 are excluded
    let mut input = ClockInput::new(at("2026-09-28"), at("2026-09-28"));
    assert_eq!(
        run("M1", &input).map(|s| s.due_date),
        Ok(date(2026, 10, 23))
    );
    input.exclusions.push(pause(
        ExclusionKind::Testing,
        "2026-10-12T09:00:00+08:00",
        Some("2026-10-14T17:00:00+08:00"),
    ));
    let s = run("M1", &input).expect("computed");
    assert_eq!(s.due_date, date(2026, 10, 27));
    assert_eq!(s.excluded_days, 2);
}

#[test]
fn overlapping_excluded_periods_are_counted_once() {
    // M2 from 2026-03-02: 90 days = May 31 (Sun); suspension Mar 10-19 and hearing Mar 15-24
    // overlap: 15 days, not 20 -> Jun 15 (Mon)
    let mut input = ClockInput::new(at("2026-03-02"), at("2026-03-02"));
    input.exclusions = vec![
        pause(
            ExclusionKind::Suspension,
            "2026-03-10T09:00:00+08:00",
            Some("2026-03-20T09:00:00+08:00"),
        ),
        pause(
            ExclusionKind::Hearing,
            "2026-03-15T09:00:00+08:00",
            Some("2026-03-25T09:00:00+08:00"),
        ),
    ];
    let s = run("M2", &input).expect("computed");
    assert_eq!(s.excluded_days, 15);
    assert_eq!(s.due_date, date(2026, 6, 15));
}

#[test]
fn an_open_pause_counts_to_now_and_pauses_the_clock() {
    let mut input = ClockInput::new(at("2026-03-02"), ts("2026-04-11T12:00:00+08:00"));
    input.exclusions.push(pause(
        ExclusionKind::Suspension,
        "2026-04-01T10:00:00+08:00",
        None,
    ));
    let s = run("M2", &input).expect("computed");
    // Apr 1..10 excluded (10 days): May 31 -> Jun 10
    assert_eq!(s.due_date, date(2026, 6, 10));
    assert_eq!(s.status, ClockStatus::Paused);
}

#[test]
fn a_pause_after_the_period_ran_out_changes_nothing() {
    // P3 from 2026-01-05: Apr 5 (清明节) rolls to Apr 7; a suspension from Apr 8 is too late
    let mut input = ClockInput::new(at("2026-01-05"), at("2026-04-20"));
    input.exclusions.push(pause(
        ExclusionKind::Suspension,
        "2026-04-08T10:00:00+08:00",
        Some("2026-04-15T10:00:00+08:00"),
    ));
    let s = run("P3", &input).expect("computed");
    assert_eq!(s.due_date, date(2026, 4, 7));
    assert_eq!(s.status, ClockStatus::Overdue);
    assert!(s.explanation.iter().any(|st| st.en.contains("no effect")));
}

#[test]
fn an_hours_clock_is_pushed_by_the_exact_paused_time() {
    let text = "[[procedure]]\nid = \"H1\"\nname_zh = \"测试\"\nname_en = \"test\"\ntrigger = { key = \"received\", zh = \"收到\", en = \"received\" }\nlimit = { amount = 24, unit = \"hours\" }\nexcluded = [\"transit\"]\n";
    let p = Procedures::parse(text).expect("valid");
    let mut input = ClockInput::new(
        ts("2026-01-01T10:00:00+08:00"),
        ts("2026-01-01T10:00:00+08:00"),
    );
    input.exclusions = vec![
        pause(
            ExclusionKind::Transit,
            "2026-01-01T12:00:00+08:00",
            Some("2026-01-01T15:30:00+08:00"),
        ),
        pause(
            ExclusionKind::Transit,
            "2026-01-01T14:00:00+08:00",
            Some("2026-01-01T15:00:00+08:00"),
        ),
    ];
    let s = compute_clock(&Calendar::empty(), p.get("H1").expect("parsed"), &input)
        .expect("hours need no calendar");
    assert_eq!(s.due, ts("2026-01-02T13:30:00+08:00"));
    assert_eq!(s.excluded_time, SignedDuration::from_mins(210));
}

#[test]
fn excluded_periods_the_procedure_does_not_know_or_that_run_backwards_are_refused() {
    let mut input = ClockInput::new(at("2026-03-02"), at("2026-03-02"));
    input.exclusions.push(pause(
        ExclusionKind::Suspension,
        "2026-03-03T10:00:00+08:00",
        None,
    ));
    // 程序规定 Art. 18 names 检测、检验、检疫、鉴定、权利人辨认或者鉴别, not 中止
    assert!(matches!(
        run("M1", &input),
        Err(ClockError::ExclusionNotAllowed { .. })
    ));
    input.exclusions[0] = pause(
        ExclusionKind::Testing,
        "2026-03-05T10:00:00+08:00",
        Some("2026-03-04T10:00:00+08:00"),
    );
    assert!(matches!(
        run("M1", &input),
        Err(ClockError::ExclusionReversed { .. })
    ));
}

#[test]
fn a_pause_that_starts_while_the_last_day_is_being_rolled_forward_is_passed_over() {
    // P3 from 2026-01-05: Apr 5 (清明节) would roll to Apr 7 (民法典 Art. 203); a suspension
    // from Apr 6 to Apr 10 starts before that rolled last day, so the roll passes it: Apr 10
    let mut input = ClockInput::new(at("2026-01-05"), at("2026-04-20"));
    input.exclusions.push(pause(
        ExclusionKind::Suspension,
        "2026-04-06T10:00:00+08:00",
        Some("2026-04-10T10:00:00+08:00"),
    ));
    let s = run("P3", &input).expect("computed");
    assert_eq!(s.unrolled_due_date, date(2026, 4, 5));
    assert_eq!(s.due_date, date(2026, 4, 10));
}
