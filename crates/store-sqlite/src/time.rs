//! Timestamps in SQLite: fixed-width UTC text (`2026-10-15T02:00:00.000000Z`), so that text order
//! is time order and range filters can use plain comparisons.

use jiff::Timestamp;
use kuaiwei_store::StoreError;

pub fn to_db(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S.%6fZ").to_string()
}

pub fn from_db(s: &str) -> Result<Timestamp, StoreError> {
    if let Some(t) = fixed_width(s) {
        return Ok(t);
    }
    s.parse()
        .map_err(|e| StoreError::Corrupt(format!("timestamp {s:?}: {e}")))
}

/// Reads exactly the form [`to_db`] writes, without a general parser: a report reads hundreds
/// of thousands of these. Anything else (or an impossible date) is left to jiff.
fn fixed_width(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if b.len() != 27 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' || b[19] != b'.' || b[26] != b'Z' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i64> {
        b[from..to].iter().try_fold(0i64, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0'))
        })
    };
    let (y, m, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, mi, sec, micros) = (num(11, 13)?, num(14, 16)?, num(17, 19)?, num(20, 26)?);
    let month_days = [
        31,
        28 + i64::from(leap(y)),
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d < 1 || d > month_days[(m - 1) as usize] {
        return None;
    }
    if h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    let secs = days_from_civil(y, m, d) * 86_400 + h * 3600 + mi * 60 + sec;
    Timestamp::new(secs, (micros * 1000) as i32).ok()
}

fn leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

/// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_timestamps_have_one_width_and_read_back_exactly() {
        let a: Timestamp = "2026-10-15T02:00:00Z".parse().unwrap();
        let b: Timestamp = "2026-10-15T02:00:00.5Z".parse().unwrap();
        assert_eq!(to_db(a), "2026-10-15T02:00:00.000000Z");
        assert!(to_db(a) < to_db(b));
        assert_eq!(from_db(&to_db(b)).unwrap(), b);
    }

    #[test]
    fn the_fixed_width_reader_agrees_with_jiff_over_four_centuries() {
        // Every 1,000,003 seconds plus a varying fraction, from 1800 to 2200, leap days included.
        let mut secs = -5_364_662_400i64;
        while secs < 7_258_118_400 {
            let t = Timestamp::new(secs, ((secs.rem_euclid(997)) * 1_000_000 + 123_000) as i32)
                .unwrap();
            let text = to_db(t);
            assert_eq!(fixed_width(&text), Some(t), "{text}");
            assert_eq!(text.parse::<Timestamp>().unwrap(), t);
            secs += 1_000_003;
        }
        for leap_day in ["2024-02-29", "2000-02-29", "2400-02-29"] {
            let text = format!("{leap_day}T23:59:59.999999Z");
            assert_eq!(fixed_width(&text), Some(text.parse().unwrap()));
        }
    }

    #[test]
    fn the_fixed_width_reader_leaves_anything_else_to_jiff() {
        for text in [
            "2026-02-29T00:00:00.000000Z",
            "1900-02-29T00:00:00.000000Z",
            "2026-13-01T00:00:00.000000Z",
            "2026-10-15T24:00:00.000000Z",
            "2026-10-15T02:00:00Z",
            "2026-10-15 02:00:00.000000Z",
            "2026-1x-15T02:00:00.000000Z",
        ] {
            assert_eq!(fixed_width(text), None, "{text}");
        }
        assert!(from_db("2026-02-29T00:00:00.000000Z").is_err());
        assert_eq!(
            from_db("2026-10-15T02:00:00Z").unwrap(),
            "2026-10-15T02:00:00Z".parse::<Timestamp>().unwrap()
        );
    }
}
