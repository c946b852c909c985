//! Every 2024-2026 rest day and adjusted working day of legal-deadlines.md §4, written here
//! independently of the data files and checked against them day by day.

use jiff::civil::{Date, Weekday, date};

use super::Calendar;

/// (holiday name, first rest day, last rest day), from the §4 tables.
type Rest = (&'static str, (i8, i8), (i8, i8));

struct Expected {
    year: i16,
    rest: &'static [Rest],
    /// 调休上班 (adjusted working days), from the §4 tables.
    work: &'static [(i8, i8)],
    /// Weekday rest days, as §4 lists them (2024 worked out from its table).
    weekday_rest: &'static [(i8, i8)],
}

const Y2024: Expected = Expected {
    // 国办发明电〔2023〕7号
    year: 2024,
    rest: &[
        ("元旦", (1, 1), (1, 1)),
        ("春节", (2, 10), (2, 17)),
        ("清明节", (4, 4), (4, 6)),
        ("劳动节", (5, 1), (5, 5)),
        ("端午节", (6, 10), (6, 10)),
        ("中秋节", (9, 15), (9, 17)),
        ("国庆节", (10, 1), (10, 7)),
    ],
    work: &[
        (2, 4),
        (2, 18),
        (4, 7),
        (4, 28),
        (5, 11),
        (9, 14),
        (9, 29),
        (10, 12),
    ],
    weekday_rest: &[
        (1, 1),
        (2, 12),
        (2, 13),
        (2, 14),
        (2, 15),
        (2, 16),
        (4, 4),
        (4, 5),
        (5, 1),
        (5, 2),
        (5, 3),
        (6, 10),
        (9, 16),
        (9, 17),
        (10, 1),
        (10, 2),
        (10, 3),
        (10, 4),
        (10, 7),
    ],
};

const Y2025: Expected = Expected {
    // 国办发明电〔2024〕12号
    year: 2025,
    rest: &[
        ("元旦", (1, 1), (1, 1)),
        ("春节", (1, 28), (2, 4)),
        ("清明节", (4, 4), (4, 6)),
        ("劳动节", (5, 1), (5, 5)),
        ("端午节", (5, 31), (6, 2)),
        ("国庆节、中秋节", (10, 1), (10, 8)),
    ],
    work: &[(1, 26), (2, 8), (4, 27), (9, 28), (10, 11)],
    weekday_rest: &[
        (1, 1),
        (1, 28),
        (1, 29),
        (1, 30),
        (1, 31),
        (2, 3),
        (2, 4),
        (4, 4),
        (5, 1),
        (5, 2),
        (5, 5),
        (6, 2),
        (10, 1),
        (10, 2),
        (10, 3),
        (10, 6),
        (10, 7),
        (10, 8),
    ],
};

const Y2026: Expected = Expected {
    // 国务院办公厅通知, 2025-11-04
    year: 2026,
    rest: &[
        ("元旦", (1, 1), (1, 3)),
        ("春节", (2, 15), (2, 23)),
        ("清明节", (4, 4), (4, 6)),
        ("劳动节", (5, 1), (5, 5)),
        ("端午节", (6, 19), (6, 21)),
        ("中秋节", (9, 25), (9, 27)),
        ("国庆节", (10, 1), (10, 7)),
    ],
    work: &[(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)],
    weekday_rest: &[
        (1, 1),
        (1, 2),
        (2, 16),
        (2, 17),
        (2, 18),
        (2, 19),
        (2, 20),
        (2, 23),
        (4, 6),
        (5, 1),
        (5, 4),
        (5, 5),
        (6, 19),
        (9, 25),
        (10, 1),
        (10, 2),
        (10, 5),
        (10, 6),
        (10, 7),
    ],
};

fn day(year: i16, (m, d): (i8, i8)) -> Date {
    date(year, m, d)
}

fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn check(e: &Expected) {
    let cal = Calendar::bundled();
    for &(name, from, to) in e.rest {
        let (mut d, last) = (day(e.year, from), day(e.year, to));
        while d <= last {
            assert_eq!(cal.is_working_day(d), Ok(false), "{d} is a {name} rest day");
            assert_eq!(
                cal.holiday_name(d).map(|n| n.0),
                Some(name),
                "{d} lands on {name}"
            );
            d = d.tomorrow().expect("in range");
        }
    }
    for &w in e.work {
        let d = day(e.year, w);
        assert!(is_weekend(d), "{d}: §4 lists only weekends as 调休上班");
        assert_eq!(
            cal.is_working_day(d),
            Ok(true),
            "{d} is an adjusted working day"
        );
    }
    // every other day of the year: a weekday works unless §4 lists it as a weekday rest day,
    // a weekend rests unless it is an adjusted working day
    let weekday_rest: Vec<Date> = e.weekday_rest.iter().map(|&x| day(e.year, x)).collect();
    let work: Vec<Date> = e.work.iter().map(|&x| day(e.year, x)).collect();
    let mut d = date(e.year, 1, 1);
    while d.year() == e.year {
        let expected = if is_weekend(d) {
            work.contains(&d)
        } else {
            !weekday_rest.contains(&d)
        };
        assert_eq!(cal.is_working_day(d), Ok(expected), "{d}");
        d = d.tomorrow().expect("in range");
    }
}

#[test]
fn every_2024_rest_day_and_adjusted_working_day_matches_the_notice() {
    check(&Y2024);
}

#[test]
fn every_2025_rest_day_and_adjusted_working_day_matches_the_notice() {
    check(&Y2025);
}

#[test]
fn every_2026_rest_day_and_adjusted_working_day_matches_the_notice() {
    check(&Y2026);
}

#[test]
fn the_2024_new_years_eve_friday_was_officially_a_working_day() {
    // 2024 除夕 (Feb 9, Fri) was a working day; employers were only "encouraged" to give it off
    assert_eq!(
        Calendar::bundled().is_working_day(date(2024, 2, 9)),
        Ok(true)
    );
}
