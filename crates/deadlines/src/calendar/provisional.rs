//! A provisional schedule for a year whose State Council holiday notice is not yet published
//! (legal-deadlines.md §8.6): the statutory holidays of 《全国年节及纪念日放假办法》 as revised on
//! 2024-11-10 (in force 2025-01-01), Art. 2, and nothing else: no make-up day for a holiday on a
//! weekend (Art. 6) and no 调休 working weekend (Art. 7), since only the notice fixes those.
//!
//! The lunar dates follow GB/T 33661-2017 《农历的编算和颁行》: dates are Beijing dates; a month
//! begins on the day of a new moon; the month holding the winter solstice (冬至) is month 11; when
//! 13 months begin from one month 11 to the next, the first of them holding no major solar term
//! (中气, the sun's apparent longitude a multiple of 30°) is the leap month (闰月), numbered like
//! the month before it. The instants come from [`super::lunar`].

use std::collections::BTreeSet;
use std::ops::RangeInclusive;

use jiff::ToSpan;
use jiff::civil::Date;

use super::lunar::{beijing_day, date_of, lunation_near, new_moon, next_term, year_start};
use super::{Holiday, YearData};

/// The years a provisional schedule is computed for.
const YEARS: RangeInclusive<i16> = 2024..=2100;
/// The years lunar dates are computed for (the ΔT polynomials are fitted from 1986 to 2150).
const LUNAR_YEARS: RangeInclusive<i16> = 2000..=2100;

const NOTICE: &str = "暂定：依《全国年节及纪念日放假办法》推算（国务院放假安排尚未发布）";

/// The statutory holidays of 《全国年节及纪念日放假办法》 (as revised 2024-11-10, in force
/// 2025-01-01) for `year`, with no 调休 working weekends: legal-deadlines.md §8.6. `None` outside
/// 2024..=2100. A day that is the statutory day of two holidays (中秋 on 1-3 October: 2028, 2031,
/// 2039 ...) is listed once, under 国庆节 whose dates the law fixes; 中秋节 then keeps no rest day.
pub(crate) fn provisional_year(year: i16) -> Option<YearData> {
    if !YEARS.contains(&year) {
        return None;
    }
    let on = |month, day| Date::new(year, month, day).ok();
    let new_year = lunar_date(year, 1, 1, 0.0)?; // 正月初一
    // Art. 2: (1) 元旦 1 day; (2) 春节 4 days, 除夕 and 正月初一 to 初三; (3) 清明节 1 day, the day
    // of the 清明 term (sun at 15°); (4) 劳动节 2 days, 1-2 May; (5) 端午节 1 day, 五月初五;
    // (6) 中秋节 1 day, 八月十五; (7) 国庆节 3 days, 1-3 October
    let spans: [(&str, &str, Date, usize); 7] = [
        ("元旦", "New Year's Day", on(1, 1)?, 1),
        ("春节", "Spring Festival", new_year.yesterday().ok()?, 4),
        ("清明节", "Qingming Festival", qingming(year, 0.0)?, 1),
        ("劳动节", "Labour Day", on(5, 1)?, 2),
        (
            "端午节",
            "Dragon Boat Festival",
            lunar_date(year, 5, 5, 0.0)?,
            1,
        ),
        (
            "中秋节",
            "Mid-Autumn Festival",
            lunar_date(year, 8, 15, 0.0)?,
            1,
        ),
        ("国庆节", "National Day", on(10, 1)?, 3),
    ];
    // from the last holiday back, so that a day two holidays share stays with the later one
    let mut listed = BTreeSet::new();
    let mut holidays: Vec<Holiday> = spans
        .iter()
        .rev()
        .map(|&(zh, en, first, days)| Holiday {
            name_zh: zh.to_owned(),
            name_en: en.to_owned(),
            rest: first
                .series(1.day())
                .take(days)
                .filter(|d| d.year() == year && listed.insert(*d))
                .collect(),
            work: Vec::new(),
        })
        .collect();
    holidays.reverse();
    Some(YearData {
        year,
        notice: NOTICE.to_owned(),
        holidays,
    })
}

/// Day `day` of month `month` (正月 = 1 … 腊月 = 12, never the leap month of that number) of the
/// Chinese year whose 正月 begins in `year`; `None` for a day the month does not have. Every new
/// moon and solar term is moved by `skew` days before it is dated (0 but in tests).
fn lunar_date(year: i16, month: u8, day: u8, skew: f64) -> Option<Date> {
    if !LUNAR_YEARS.contains(&year) || !(1..=12).contains(&month) || day == 0 {
        return None;
    }
    // months 1-10 lie between the solstices of year - 1 and year; 11 and 12 after the latter
    let months = months_from_solstice(if month < 11 { year } else { year + 1 }, skew);
    let m = months.iter().find(|m| m.number == month && !m.leap)?;
    if i64::from(day) > m.days {
        return None;
    }
    date_of(m.first + i64::from(day) - 1)
}

/// The day of the 清明 term in `year`, the sun's apparent longitude at 15°.
fn qingming(year: i16, skew: f64) -> Option<Date> {
    if !LUNAR_YEARS.contains(&year) {
        return None;
    }
    date_of(beijing_day(next_term(year_start(year), 15.0) + skew))
}

/// A month of the Chinese calendar, its first day as a Julian day number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Month {
    number: u8,
    leap: bool,
    first: i64,
    days: i64,
}

/// The months from the one holding the winter solstice of `year - 1` (month 11) to the one
/// holding the winter solstice of `year` (month 11 again), both included.
fn months_from_solstice(year: i16, skew: f64) -> Vec<Month> {
    let day = |jde: f64| beijing_day(jde + skew);
    let solstice = |y: i16| next_term(year_start(y) + 334.0, 270.0);
    let (ws1, ws2) = (solstice(year - 1), solstice(year));
    let (k1, k2) = (
        new_moon_on_or_before(day(ws1), skew),
        new_moon_on_or_before(day(ws2), skew),
    );
    let starts: Vec<i64> = (k1..=k2 + 1).map(|k| day(new_moon(k))).collect();
    let leap = if k2 - k1 == 13 {
        // the 中气 from ws1 (270°) to ws2, each searched from 20 days after the one before
        let mut jde = ws1;
        let mut terms = vec![day(ws1)];
        for longitude in (300..=630).step_by(30) {
            jde = next_term(jde + 20.0, f64::from(longitude));
            terms.push(day(jde));
        }
        let has_term = |i: usize| terms.iter().any(|&t| starts[i] <= t && t < starts[i + 1]);
        // some month from 1 to 12 has none: 11 terms (ws1 and ws2 aside) fall in those 12 months
        (1..13).find(|&i| !has_term(i))
    } else {
        None
    };
    let mut number = 10;
    starts
        .windows(2)
        .enumerate()
        .map(|(i, w)| {
            let is_leap = leap == Some(i);
            if !is_leap {
                number = number % 12 + 1;
            }
            Month {
                number,
                leap: is_leap,
                first: w[0],
                days: w[1] - w[0],
            }
        })
        .collect()
}

/// The lunation number of the last new moon on or before the Beijing day `day`.
fn new_moon_on_or_before(day: i64, skew: f64) -> i64 {
    let dated = |k| beijing_day(new_moon(k) + skew);
    let mut k = lunation_near(day);
    while dated(k + 1) <= day {
        k += 1;
    }
    while dated(k) > day {
        k -= 1;
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use jiff::civil::date;

    type MonthDay = (i8, i8);

    /// (year, 正月初一, 端午 五月初五, 中秋 八月十五, 清明), independently known dates (the State
    /// Council notices for 2023-2026, published calendars for the rest); (0, 0) is not checked.
    #[rustfmt::skip]
    const KNOWN: [(i16, MonthDay, MonthDay, MonthDay, MonthDay); 15] = [
        (2020, (1, 25), (0, 0), (0, 0), (0, 0)), (2021, (2, 12), (0, 0), (0, 0), (0, 0)),
        (2022, (2, 1), (0, 0), (0, 0), (0, 0)), (2023, (1, 22), (6, 22), (9, 29), (4, 5)),
        (2024, (2, 10), (6, 10), (9, 17), (4, 4)), (2025, (1, 29), (5, 31), (10, 6), (4, 4)),
        (2026, (2, 17), (6, 19), (9, 25), (4, 5)), (2027, (2, 6), (6, 9), (9, 15), (4, 5)),
        (2028, (1, 26), (5, 28), (10, 3), (4, 4)), (2029, (2, 13), (0, 0), (0, 0), (0, 0)),
        (2030, (2, 3), (0, 0), (0, 0), (0, 0)), (2031, (1, 23), (0, 0), (0, 0), (0, 0)),
        (2032, (2, 11), (0, 0), (0, 0), (0, 0)), (2033, (1, 31), (0, 0), (0, 0), (0, 0)),
        // 2033's leap month follows its winter solstice (闰十一月), so 2034 begins late
        (2034, (2, 19), (0, 0), (0, 0), (0, 0)),
    ];

    #[test]
    fn new_year_dragon_boat_mid_autumn_and_qingming_fall_on_their_known_dates() {
        for (year, new_year, duanwu, zhongqiu, ching) in KNOWN {
            let rows = [
                ("正月初一", lunar_date(year, 1, 1, 0.0), new_year),
                ("端午", lunar_date(year, 5, 5, 0.0), duanwu),
                ("中秋", lunar_date(year, 8, 15, 0.0), zhongqiu),
                ("清明", qingming(year, 0.0), ching),
            ];
            for (what, got, (m, d)) in rows.into_iter().filter(|r| r.2 != (0, 0)) {
                assert_eq!(got, Some(date(year, m, d)), "{what} {year}");
            }
        }
    }

    #[test]
    fn leap_months_are_the_known_ones() {
        // 2033's 闰十一月 lies in the span that ends at 2034's solstice
        let known = [
            (2020, 4),
            (2023, 2),
            (2025, 6),
            (2028, 5),
            (2031, 3),
            (2034, 11),
            (2036, 6),
        ];
        for year in 2020..=2036 {
            let months = months_from_solstice(year, 0.0);
            let leap: Vec<u8> = months.iter().filter(|m| m.leap).map(|m| m.number).collect();
            let expected: Vec<u8> = known.iter().filter(|k| k.0 == year).map(|k| k.1).collect();
            assert_eq!(leap, expected, "{year}");
        }
    }

    #[test]
    fn months_run_from_month_eleven_to_month_eleven_with_29_or_30_days() {
        for year in LUNAR_YEARS {
            let months = months_from_solstice(year, 0.0);
            assert!(matches!(months.len(), 13 | 14), "{year}");
            assert_eq!(
                months.first().map(|m| (m.number, m.leap)),
                Some((11, false))
            );
            assert_eq!(months.last().map(|m| (m.number, m.leap)), Some((11, false)));
            assert!(months.iter().all(|m| matches!(m.days, 29 | 30)), "{year}");
            assert!(
                months
                    .windows(2)
                    .all(|w| w[0].first + w[0].days == w[1].first)
            );
        }
        let months = months_from_solstice(2025, 0.0);
        for m in months
            .iter()
            .filter(|m| (1..=10).contains(&m.number) && !m.leap)
        {
            let last = lunar_date(2025, m.number, 30, 0.0);
            assert_eq!(last.is_some(), m.days == 30, "{}月 2025", m.number);
        }
        assert_eq!(lunar_date(2025, 12, 29, 0.0), Some(date(2026, 2, 16)));
        assert_eq!(lunar_date(1999, 1, 1, 0.0), None);
        assert_eq!(qingming(2101, 0.0), None);
    }

    /// The new moon that begins 八月 2089 comes at 23:57:36 on 4 September by this computation,
    /// nearer midnight than ΔT is known that far ahead: 中秋 2089 is 09-18 here, 09-19 if that
    /// moon is 2.4 minutes later. Nothing else from 2000 to 2100 moves within 3 minutes (nearest:
    /// 正月初一 2027, new moon at 23:56 on 6 February; the new moons at 23:59 on 2057-09-28 and
    /// 2097-08-07 begin months 9 and 7, and 冬至 2021 at 23:59 on 21 December moves no month).
    #[test]
    fn holidays_stay_put_when_every_instant_moves_three_minutes() {
        let dates = |year, skew| {
            [
                lunar_date(year, 1, 1, skew),
                lunar_date(year, 5, 5, skew),
                lunar_date(year, 8, 15, skew),
                qingming(year, skew),
            ]
        };
        let mut moved = Vec::new();
        for year in LUNAR_YEARS {
            let exact = dates(year, 0.0);
            for minutes in [-3.0, 3.0] {
                let other = dates(year, minutes / 1440.0);
                let changed = (0..4).filter(|&i| other[i] != exact[i]);
                moved.extend(changed.map(|i| (year, i, minutes, other[i])));
            }
        }
        assert_eq!(moved, vec![(2089, 2, 3.0, Some(date(2089, 9, 19)))]);
    }

    /// §8.6: every statutory day must be a rest day of the published schedule. 2024 was still
    /// under the old 办法 (春节 from 初一, 劳动节 1 day) and its 除夕, 2024-02-09, was a working day:
    /// that one day is skipped; every other day of the 2024 revision was a rest day anyway.
    #[test]
    fn every_statutory_day_is_a_rest_day_of_the_published_2024_to_2026_schedules() {
        let published = Calendar::bundled();
        for year in 2024..=2026 {
            let provisional = provisional_year(year).expect("supported year");
            let days = provisional.holidays.iter().flat_map(|h| h.rest.iter());
            let checked: Vec<&Date> = days.filter(|d| **d != date(2024, 2, 9)).collect();
            assert_eq!(checked.len(), if year == 2024 { 12 } else { 13 });
            for d in checked {
                assert_eq!(published.is_working_day(*d), Ok(false), "{d}");
            }
        }
    }

    #[test]
    fn the_2026_schedule_lists_the_statutory_days_under_the_published_names() {
        let y = provisional_year(2026).expect("supported year");
        let published = Calendar::bundled();
        let names = |d: &YearData| -> Vec<(String, String)> {
            let h = d.holidays.iter();
            h.map(|h| (h.name_zh.clone(), h.name_en.clone())).collect()
        };
        assert_eq!(Some(names(&y)), published.year(2026).map(names));
        let rest: Vec<Vec<Date>> = y.holidays.iter().map(|h| h.rest.clone()).collect();
        let spring = [16, 17, 18, 19].map(|d| date(2026, 2, d)).to_vec();
        let expected = vec![
            vec![date(2026, 1, 1)],
            spring,
            vec![date(2026, 4, 5)],
            vec![date(2026, 5, 1), date(2026, 5, 2)],
            vec![date(2026, 6, 19)],
            vec![date(2026, 9, 25)],
            vec![date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 3)],
        ];
        assert_eq!(rest, expected);
        assert!(y.notice.starts_with("暂定"));
        assert_eq!(
            (provisional_year(2023), provisional_year(2101)),
            (None, None)
        );
    }

    #[test]
    fn every_supported_year_has_its_13_statutory_days_once_each_and_no_working_weekend() {
        let mut shared = Vec::new();
        for year in YEARS {
            let y = provisional_year(year).expect("supported year");
            assert_eq!((y.year, y.holidays.len()), (year, 7));
            let mut all: Vec<Date> = y.holidays.iter().flat_map(|h| h.rest.clone()).collect();
            assert!(all.iter().all(|d| d.year() == year), "{year}");
            let sorted = |days: &[Date]| days.windows(2).all(|w| w[0] < w[1]);
            assert!(y.holidays.iter().all(|h| sorted(&h.rest)), "{year}");
            all.sort();
            assert!(sorted(&all), "each day once: {year}");
            assert!(y.holidays.iter().all(|h| h.work.is_empty()));
            let spring = &y.holidays[1].rest;
            let new_year = lunar_date(year, 1, 1, 0.0).expect("new year");
            let expected: Vec<Date> = (new_year.yesterday().ok().into_iter())
                .flat_map(|d| d.series(1.day()).take(4))
                .collect();
            assert_eq!(spring, &expected, "除夕 to 初三 {year}");
            let mid_autumn = lunar_date(year, 8, 15, 0.0).expect("mid-autumn");
            if all.len() == 12 {
                // the one shared day: 中秋 on 1-3 October, listed under 国庆节
                assert!(y.holidays[5].rest.is_empty() && y.holidays[6].rest.contains(&mid_autumn));
                shared.push(mid_autumn);
            } else {
                assert_eq!(
                    (all.len(), y.holidays[5].rest.clone()),
                    (13, vec![mid_autumn])
                );
            }
        }
        let expected = [
            (2028, 3),
            (2031, 1),
            (2039, 2),
            (2058, 2),
            (2066, 3),
            (2077, 1),
            (2085, 3),
        ];
        assert_eq!(shared, expected.map(|(y, d)| date(y, 10, d)).to_vec());
    }
}
