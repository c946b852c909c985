//! Table tests per procedure, with the statute beside each case.

use jiff::civil::{Date, date};
use jiff::{SignedDuration, Timestamp};

use super::*;
use crate::calendar::Calendar;
use crate::error::{CalendarError, ClockError};
use crate::procedure::{ExclusionKind, Procedure, Procedures};

pub(super) fn ts(s: &str) -> Timestamp {
    s.parse().expect("test literal")
}

/// 10:00 Asia/Shanghai on a `YYYY-MM-DD`.
pub(super) fn at(d: &str) -> Timestamp {
    ts(&format!("{d}T10:00:00+08:00"))
}

pub(super) fn procedure(id: &str) -> Procedure {
    Procedures::bundled()
        .get(id)
        .cloned()
        .expect("bundled procedure")
}

pub(super) fn run(id: &str, input: &ClockInput) -> Result<ClockState, ClockError> {
    compute_clock(&Calendar::bundled(), &procedure(id), input)
}

pub(super) fn due_date(id: &str, start: &str) -> Result<Date, ClockError> {
    run(id, &ClockInput::new(at(start), at(start))).map(|s| s.due_date)
}

pub(super) fn pause(kind: ExclusionKind, from: &str, to: Option<&str>) -> Exclusion {
    Exclusion {
        kind,
        from: ts(from),
        to: to.map(ts),
        reason: "test".into(),
    }
}

pub(super) fn extend(amount: &str) -> Extension {
    Extension {
        approved_at: at("2026-01-01"),
        approver: "处长".into(),
        grant: ExtensionGrant::Amount(amount.parse().expect("amount")),
    }
}

#[test]
fn each_procedure_lands_on_the_day_its_statute_and_the_holiday_notice_give() {
    let table: [(&str, &str, Date, &str); 17] = [
        // 《专利行政执法办法》(2015), 5 wd: Sep 29, 30, (国庆节 Oct 1-7), Oct 8, 9, 10 (Sat, 调休)
        ("P1", "2026-09-28", date(2026, 10, 10), "5 wd across 国庆节"),
        // 《专利行政执法办法》(2015), 3 months; 民法典 Art. 202 corresponding day
        ("P3", "2026-09-28", date(2026, 12, 28), "corresponding day"),
        // 民法典 Art. 202: no Feb 30 -> Feb 28 2026, a Saturday made a working day (调休)
        (
            "P3",
            "2025-11-30",
            date(2026, 2, 28),
            "month end on an adjusted Saturday",
        ),
        // 民法典 Art. 203: Jan 3 2026 is 元旦 -> Jan 4 (Sun, 调休上班)
        (
            "P3",
            "2025-10-03",
            date(2026, 1, 4),
            "rolled onto an adjusted Sunday",
        ),
        // 《专利纠纷行政裁决和调解办法》 (◐), 3 months: Feb 16 2026 is 春节 -> Feb 24
        ("P4", "2025-11-16", date(2026, 2, 24), "rolled past 春节"),
        // 国知办函保字〔2021〕701号 -> SAMR limits, 90 cd (2024 leap year)
        ("P7", "2024-03-07", date(2024, 6, 5), "90 cd"),
        // 《市场监督管理行政处罚程序规定》 Art. 18, 15 wd with 调休 Sep 28 and Oct 11 2025
        (
            "M1",
            "2025-09-26",
            date(2025, 10, 23),
            "15 wd across 国庆节、中秋节",
        ),
        // 程序规定 (Art. 64 ◐), 90 cd: Oct 1 2026 -> rolled to Oct 8
        (
            "M2",
            "2026-07-03",
            date(2026, 10, 8),
            "90 cd rolled past 国庆节",
        ),
        (
            "M2",
            "2025-12-31",
            date(2026, 3, 31),
            "90 cd across a year end",
        ),
        // 《行政处罚法》(2021) Art. 60, 90 cd: Sat Aug 30 2025 -> Mon Sep 1
        (
            "M3",
            "2025-06-01",
            date(2025, 9, 1),
            "rolled past a weekend",
        ),
        // 《知识产权海关保护条例》 Art. 16, 3 wd: Feb 14 2026 (Sat, 调休), 春节, Feb 24, 25
        ("C1", "2026-02-13", date(2026, 2, 25), "3 wd across 春节"),
        // 条例 Art. 20, 30 wd across 劳动节 (May 11 2024 调休) and 端午节 (Jun 10)
        ("C2", "2024-04-30", date(2024, 6, 14), "30 wd"),
        // 条例 Art. 24(1), 20 wd across 春节 2025 with 调休 Jan 26 and Feb 8
        ("C3", "2025-01-24", date(2025, 2, 27), "20 wd"),
        // 条例 Art. 24(2), 50 wd across 中秋节 and 国庆节 2024 with three 调休 days
        ("C4", "2024-09-13", date(2024, 11, 28), "50 wd"),
        // 移送规定 (2020) Art. 5, 3 days counted as cd: May 3 2026 (劳动节) -> May 6
        ("T1", "2026-04-30", date(2026, 5, 6), "rolled past 劳动节"),
        // 移送规定 (2020) Art. 8; 公安程序规定 Art. 180: 3 cd across a year end
        ("T3", "2024-12-30", date(2025, 1, 2), "3 cd"),
        // 《电子商务法》 Art. 43(2), 15 cd: Feb 4 2025 (春节) -> Feb 5
        ("E1", "2025-01-20", date(2025, 2, 5), "rolled past 春节"),
    ];
    for (id, start, want, why) in table {
        assert_eq!(due_date(id, start), Ok(want), "{id} from {start}: {why}");
    }
}

#[test]
fn hour_clocks_run_through_holidays_without_rolling() {
    // 《展会知识产权保护办法》(2006) Art. 11: 24 h, even into 国庆节
    let s = run(
        "F1",
        &ClockInput::new(ts("2026-09-30T15:00:00+08:00"), at("2026-09-30")),
    )
    .expect("computed");
    assert_eq!(s.due, ts("2026-10-01T15:00:00+08:00"));
    assert_eq!(s.due_date, date(2026, 10, 1));
    // 移送规定 Art. 5: 24 h after approval, across 春节
    let s = run(
        "T2",
        &ClockInput::new(ts("2026-02-14T09:00:00+08:00"), at("2026-02-14")),
    )
    .expect("computed");
    assert_eq!(s.due, ts("2026-02-15T09:00:00+08:00"));
}

#[test]
fn a_day_based_due_ends_at_local_midnight_after_the_due_date() {
    let s = run("P1", &ClockInput::new(at("2026-09-28"), at("2026-09-28"))).expect("computed");
    assert_eq!(s.due, ts("2026-10-11T00:00:00+08:00"));
    assert_eq!(s.nominal_due, s.due);
}

#[test]
fn the_status_follows_now_and_the_close() {
    let start = ts("2026-09-30T15:00:00+08:00");
    let status = |now: &str, closed: Option<&str>, soon: i64| {
        let mut input = ClockInput::new(start, ts(now));
        input.closed_at = closed.map(ts);
        input.due_soon = SignedDuration::from_hours(soon);
        run("F1", &input).map(|s| s.status)
    };
    let due = "2026-10-01T15:00:00+08:00";
    assert_eq!(
        status("2026-09-30T16:00:00+08:00", None, 1),
        Ok(ClockStatus::Running)
    );
    assert_eq!(
        status("2026-10-01T10:00:00+08:00", None, 72),
        Ok(ClockStatus::DueSoon)
    );
    assert_eq!(
        status("2026-10-01T15:00:01+08:00", None, 1),
        Ok(ClockStatus::Overdue)
    );
    assert_eq!(
        status("2026-10-02T00:00:00+08:00", Some(due), 1),
        Ok(ClockStatus::ClosedOnTime)
    );
    assert_eq!(
        status(
            "2026-10-02T00:00:00+08:00",
            Some("2026-10-01T15:00:01+08:00"),
            1
        ),
        Ok(ClockStatus::ClosedLate)
    );
    assert_eq!(
        status(due, Some("2026-09-30T14:00:00+08:00"), 1),
        Err(ClockError::ClosedBeforeStart)
    );
}

#[test]
fn closing_during_the_last_day_is_on_time_and_after_midnight_is_late() {
    let mut input = ClockInput::new(at("2026-09-28"), at("2026-10-20"));
    input.closed_at = Some(ts("2026-10-10T23:59:59+08:00"));
    assert_eq!(
        run("P1", &input).map(|s| s.status),
        Ok(ClockStatus::ClosedOnTime)
    );
    input.closed_at = Some(ts("2026-10-11T00:00:01+08:00"));
    let s = run("P1", &input).expect("computed");
    assert_eq!(s.status, ClockStatus::ClosedLate);
    assert_eq!(s.time_left, SignedDuration::from_secs(-1));
}

#[test]
fn a_clock_that_runs_into_an_unpublished_year_is_provisional_and_before_2025_refused() {
    // 程序规定: 2026-11-01 + 90 days = 2027-01-30 (Sat), rolled to Mon 02-01 on the provisional
    // 2027 schedule (legal-deadlines.md §8.6)
    let s = run("M2", &ClockInput::new(at("2026-11-01"), at("2026-11-01"))).expect("computed");
    assert_eq!(s.due_date, date(2027, 2, 1));
    assert_eq!(s.provisional, vec![2027]);
    // an hours clock is never provisional: no holiday moves it
    let f1 = run("F1", &ClockInput::new(at("2026-12-31"), at("2026-12-31"))).expect("computed");
    assert!(!f1.is_provisional());
    // a clock within published years is not provisional
    assert!(
        !run("M2", &ClockInput::new(at("2026-03-01"), at("2026-03-01")))
            .expect("computed")
            .is_provisional()
    );
    // 条例 Art. 16: counting working days from 2023-12-28 needs the 2023 schedule, which came
    // before the revised law: refused, never guessed
    assert_eq!(
        due_date("C1", "2023-12-28"),
        Err(ClockError::Calendar(CalendarError::YearNotLoaded {
            year: 2023
        }))
    );
}

#[test]
fn the_explanation_names_the_holiday_and_the_roll_in_both_languages() {
    let s = run("P3", &ClockInput::new(at("2025-10-03"), at("2025-10-03"))).expect("computed");
    let zh: Vec<&str> = s.explanation.iter().map(|s| s.zh.as_str()).collect();
    let en: Vec<&str> = s.explanation.iter().map(|s| s.en.as_str()).collect();
    assert!(zh[0].starts_with("立案 2025-10-03"), "{zh:?}");
    assert!(zh[1].starts_with("加3个月 -> 2026-01-03"), "{zh:?}");
    assert!(
        zh[2].contains("落在元旦") && zh[2].contains("顺延至下一个工作日 2026-01-04"),
        "{zh:?}"
    );
    assert!(
        en[2].contains("lands on New Year's Day") && en[2].contains("2026-01-04"),
        "{en:?}"
    );
    assert!(zh[3].starts_with("期限届满：2026-01-04"), "{zh:?}");
    assert!(en[4].starts_with("status: running"), "{en:?}");
    assert_eq!(zh.len(), en.len());
}

#[test]
fn the_working_day_explanation_lists_skipped_holidays_and_adjusted_days() {
    let s = run("P1", &ClockInput::new(at("2026-09-28"), at("2026-09-28"))).expect("computed");
    let step = &s.explanation[1];
    assert!(
        step.zh.contains("国庆节 2026-10-01至2026-10-07"),
        "{}",
        step.zh
    );
    assert!(step.zh.contains("计入调休上班日 2026-10-10"), "{}", step.zh);
    assert!(
        step.en.starts_with("+5 working days -> 2026-10-10 (Sat)"),
        "{}",
        step.en
    );
}

#[test]
fn e1_excluded_notarisation_time_stops_the_clock_for_twenty_working_days_at_most() {
    // 电子商务法 Art. 43(2), 15 calendar days from 2026-03-02; 最高法 批复 (2020) item 3 caps
    // the excluded notarisation time at 20 working days (legal-deadlines.md §8.3): Mar 3-6, 9-13,
    // 16-20, 23-27 and 30 are 20 working days, so Mar 3-30 (28 dates) stop the clock and the
    // rest of the period (to Apr 14) counts. 03-17 + 28 = 04-14 (Tue), due 24:00.
    let mut input = ClockInput::new(at("2026-03-02"), at("2026-05-01"));
    input.exclusions = vec![pause(
        ExclusionKind::Notarisation,
        "2026-03-03T10:00:00+08:00",
        Some("2026-04-14T10:00:00+08:00"),
    )];
    let state = run("E1", &input).expect("E1 computes");
    assert_eq!(state.due_date, date(2026, 4, 14));
    assert_eq!(state.excluded_days, 28);
    let capped = state
        .explanation
        .iter()
        .find(|s| s.en.contains("capped at 20 working days"))
        .expect("the explanation says the cap applied");
    assert!(capped.zh.contains("2026-03-30"), "{capped:?}");

    // under the cap nothing is cut: Mar 3 ..< Mar 10 excludes 7 dates
    input.exclusions = vec![pause(
        ExclusionKind::Notarisation,
        "2026-03-03T10:00:00+08:00",
        Some("2026-03-10T10:00:00+08:00"),
    )];
    let state = run("E1", &input).expect("E1 computes");
    assert_eq!(state.excluded_days, 7);
    assert!(!state.explanation.iter().any(|s| s.en.contains("capped")));
}

#[test]
fn an_extension_of_a_month_period_runs_from_the_nominal_end_of_the_period_it_extends() {
    // legal-deadlines.md §8.1: P3 from 立案 2025-01-31: 3 months -> 04-30; + 1 month -> 05-30
    // (Fri), not 01-31 + 4 months = 05-31 (a 端午 rest day) rolled to 06-03.
    let mut input = ClockInput::new(at("2025-01-31"), at("2025-03-01"));
    input.extensions = vec![Extension {
        approved_at: at("2025-03-01"),
        approver: "局长".into(),
        grant: ExtensionGrant::Amount("1m".parse().expect("amount")),
    }];
    let state = run("P3", &input).expect("P3 computes");
    assert_eq!(state.due_date, date(2025, 5, 30));
    let step = state
        .explanation
        .iter()
        .find(|s| s.en.contains("extension"))
        .expect("an extension step");
    assert!(step.en.contains("approved by 局长"), "{step:?}");
    assert!(step.en.contains("from the end of the period it extends"));
}
