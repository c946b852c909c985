//! Properties that must hold for every input, not just the tabled ones.

use std::sync::LazyLock;

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

use super::*;
use crate::calendar::Calendar;
use crate::procedure::{ExclusionKind, Procedures};
use crate::tz::local_date;

static CAL: LazyLock<Calendar> = LazyLock::new(Calendar::bundled);
static PROCS: LazyLock<Procedures> = LazyLock::new(|| {
    let extra = "[[procedure]]\nid = \"H1\"\nname_zh = \"测试\"\nname_en = \"test\"\ntrigger = { key = \"received\", zh = \"收到\", en = \"received\" }\nlimit = { amount = 24, unit = \"hours\" }\nexcluded = [\"suspension\"]\n";
    Procedures::bundled().with_overrides(Procedures::parse(extra).expect("valid"))
});

/// 2024-01-01T00:00+08:00
const ORIGIN: i64 = 1_704_038_400;
const HOUR: i64 = 3600;

fn instant(secs: i64) -> Timestamp {
    Timestamp::from_second(ORIGIN + secs).expect("in range")
}

fn ids() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "F1", "P1", "P3", "P4", "P6", "P7", "M1", "M2", "M3", "M4", "M5", "C1", "C2", "C3", "C4",
        "C5", "T1", "T2", "T3", "T7", "E1",
    ])
}

/// Procedures that some excluded period stops, with that period's kind.
fn pausable() -> impl Strategy<Value = (&'static str, ExclusionKind)> {
    prop::sample::select(vec![
        ("P3", ExclusionKind::Suspension),
        ("P4", ExclusionKind::Suspension),
        ("M2", ExclusionKind::Hearing),
        ("P7", ExclusionKind::Notice),
        ("M1", ExclusionKind::Testing),
        ("M5", ExclusionKind::Appraisal),
        ("E1", ExclusionKind::Notarisation),
        ("H1", ExclusionKind::Suspension),
    ])
}

/// (offset from the start, length), in hours.
fn periods() -> impl Strategy<Value = Vec<(i64, i64)>> {
    prop::collection::vec((0i64..2400, 0i64..600), 0..4)
}

fn input(start: Timestamp, kind: ExclusionKind, periods: &[(i64, i64)]) -> ClockInput {
    let mut input = ClockInput::new(start, start);
    input.exclusions = periods
        .iter()
        .map(|&(off, len)| {
            let from = start + SignedDuration::from_secs(off * HOUR);
            Exclusion {
                kind,
                from,
                to: Some(from + SignedDuration::from_secs(len * HOUR)),
                reason: String::new(),
            }
        })
        .collect();
    input
}

fn clock(id: &str, input: &ClockInput) -> Option<ClockState> {
    let p = PROCS.get(id).expect("known id");
    match compute_clock(&CAL, p, input) {
        Ok(s) => Some(s),
        Err(e) => {
            // the only acceptable failure here is a date beyond the loaded years
            assert!(e.missing_year().is_some(), "{id}: {e}");
            None
        }
    }
}

fn date_from(days: i64) -> Date {
    local_date(instant(days * 24 * HOUR))
}

proptest! {
    #[test]
    fn a_due_date_is_never_before_its_start(id in ids(), secs in 0i64..(900 * 24 * HOUR)) {
        let start = instant(secs);
        if let Some(s) = clock(id, &ClockInput::new(start, start)) {
            prop_assert!(s.due >= start);
            prop_assert!(s.due_date >= local_date(start));
            prop_assert!(s.nominal_due <= s.due);
        }
    }

    #[test]
    fn day_based_due_dates_always_fall_on_working_days(
        (id, kind) in pausable(),
        secs in 0i64..(900 * 24 * HOUR),
        ps in periods(),
    ) {
        let p = PROCS.get(id).expect("known id");
        prop_assume!(p.limit.unit.is_day_based());
        if let Some(s) = clock(id, &input(instant(secs), kind, &ps)) {
            prop_assert_eq!(CAL.is_working_day(s.due_date), Ok(true));
        }
        if let Some(s) = clock(id, &ClockInput::new(instant(secs), instant(secs))) {
            prop_assert_eq!(CAL.is_working_day(s.due_date), Ok(true));
        }
    }

    #[test]
    fn more_excluded_time_never_makes_a_due_date_earlier(
        (id, kind) in pausable(),
        secs in 0i64..(900 * 24 * HOUR),
        ps in periods(),
        extra in (0i64..2400, 0i64..600),
        longer in 0i64..300,
    ) {
        // Not for a cap counted in working days on a calendar-day clock (E1, §8.3): a longer
        // early period reaches the cap sooner and cuts off a later one, which may have held
        // more rest days per working day (a 春节 week), so fewer calendar days are excluded.
        prop_assume!(PROCS.get(id).is_some_and(|p| p.excluded_cap.is_none()));
        let start = instant(secs);
        let base = clock(id, &input(start, kind, &ps));
        let mut more = ps.clone();
        more.push(extra);
        let added = clock(id, &input(start, kind, &more));
        let stretched: Vec<(i64, i64)> = ps.iter().map(|&(o, l)| (o, l + longer)).collect();
        let stretched = clock(id, &input(start, kind, &stretched));
        if let (Some(a), Some(b)) = (&base, &added) {
            prop_assert!(b.due >= a.due, "{} -> {}", a.due, b.due);
        }
        if let (Some(a), Some(b)) = (&base, &stretched) {
            prop_assert!(b.due >= a.due, "{} -> {}", a.due, b.due);
        }
    }

    #[test]
    fn more_days_never_make_a_due_date_earlier(
        day in 0i64..900,
        n in 0u32..120,
        k in 0u32..60,
    ) {
        let d = date_from(day);
        type Add = fn(&Calendar, Date, u32) -> Result<Date, crate::CalendarError>;
        let adds: [Add; 3] = [Calendar::add_days, Calendar::add_working_days, Calendar::add_months];
        for (i, add) in adds.iter().enumerate() {
            let n = if i == 2 { n % 12 } else { n };
            if let (Ok(a), Ok(b)) = (add(&CAL, d, n), add(&CAL, d, n + k % 12)) {
                prop_assert!(b >= a, "{i}: {d} + {n} = {a}, + {} = {b}", n + k % 12);
                prop_assert!(a >= d);
            }
        }
    }

    #[test]
    fn an_extension_never_makes_a_due_date_earlier(
        secs in 0i64..(700 * 24 * HOUR),
        days in 1u32..=30,
    ) {
        let start = instant(secs);
        let mut with = ClockInput::new(start, start);
        with.extensions.push(Extension {
            approved_at: start,
            approver: "x".into(),
            grant: ExtensionGrant::Amount(crate::Amount::new(days, crate::Unit::CalendarDays)),
        });
        if let (Some(a), Some(b)) = (clock("M2", &ClockInput::new(start, start)), clock("M2", &with)) {
            prop_assert!(b.due >= a.due);
        }
    }
}
