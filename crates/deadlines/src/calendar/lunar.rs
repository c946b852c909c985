//! Astronomy for the Chinese calendar of [`super::provisional`]: the instants of new moons and of
//! solar terms, and the Beijing dates (UTC+8) they fall on.
//!
//! After Meeus, *Astronomical Algorithms* (2nd ed.): new moons from ch. 49 with all its periodic
//! and planetary terms (within a minute); the sun from the VSOP87 series of appendix III with
//! nutation (ch. 22, low accuracy), the FK5 correction and aberration (ch. 25), about 1″ or 25 s
//! of time; ΔT = TT − UT from the Espenak–Meeus polynomials, an extrapolation that may be a minute
//! or two off by 2100. An event within a few minutes of Beijing midnight may therefore be dated a
//! day off: `provisional`'s tests move every instant by 3 minutes to find such dates.

use std::f64::consts::PI;

use jiff::Span;
use jiff::civil::Date;

const J2000: f64 = 2_451_545.0;
/// Beijing time is UTC+8 (of a day).
const BEIJING: f64 = 8.0 / 24.0;
const SYNODIC_MONTH: f64 = 29.530_588_861;
const TROPICAL_YEAR: f64 = 365.242_2;

/// The instant 1 January of `year` begins in Beijing, as a Julian day (ΔT aside: a minute).
pub(super) fn year_start(year: i16) -> f64 {
    day_number(year, 1, 1) as f64 - 0.5 - BEIJING
}

/// The Julian day number of a Gregorian date (Fliegel & Van Flandern).
fn day_number(year: i16, month: i8, day: i8) -> i64 {
    let (y, m, d) = (i64::from(year), i64::from(month), i64::from(day));
    let a = (14 - m) / 12;
    let (y, m) = (y + 4800 - a, m + 12 * a - 3);
    d + (153 * m + 2) / 5 + 365 * y + y / 4 - y / 100 + y / 400 - 32045
}

/// ΔT = TT − UT in seconds at `year` (Espenak & Meeus 2006, NASA eclipse pages).
fn delta_t(year: f64) -> f64 {
    let t = year - 2000.0;
    if year < 2005.0 {
        63.86 + 0.3345 * t - 0.060374 * t.powi(2)
            + 0.0017275 * t.powi(3)
            + 0.000651814 * t.powi(4)
            + 0.00002373599 * t.powi(5)
    } else if year < 2050.0 {
        62.92 + 0.32217 * t + 0.005589 * t * t
    } else {
        -20.0 + 32.0 * ((year - 1820.0) / 100.0).powi(2) - 0.5628 * (2150.0 - year)
    }
}

/// The Julian day number of the Beijing date of the instant `jde` (TT).
pub(super) fn beijing_day(jde: f64) -> i64 {
    let ut = jde - delta_t(2000.0 + (jde - J2000) / 365.25) / 86_400.0;
    (ut + 0.5 + BEIJING).floor() as i64
}

/// The civil date of a Julian day number.
pub(super) fn date_of(day: i64) -> Option<Date> {
    let epoch = Date::new(2000, 1, 1).ok()?; // JDN 2451545
    let span = Span::new().try_days(day - 2_451_545).ok()?;
    epoch.checked_add(span).ok()
}

/// The first instant after `jde` at which the sun's apparent longitude is `longitude` degrees.
pub(super) fn next_term(jde: f64, longitude: f64) -> f64 {
    let ahead = |jde| (longitude - sun_longitude(jde)).rem_euclid(360.0);
    let mut t = jde + ahead(jde) * TROPICAL_YEAR / 360.0;
    for _ in 0..8 {
        let step = ((ahead(t) + 180.0).rem_euclid(360.0) - 180.0) * TROPICAL_YEAR / 360.0;
        t += step;
        if step.abs() < 1e-7 {
            break;
        }
    }
    t
}

/// The sun's apparent geocentric longitude in degrees at `jde` (Meeus ch. 25, 32 and 22).
fn sun_longitude(jde: f64) -> f64 {
    let tau = (jde - J2000) / 365_250.0;
    let series = |terms: &[(f64, f64, f64)]| -> f64 {
        terms.iter().map(|&(a, b, c)| a * (b + c * tau).cos()).sum()
    };
    let earth = EARTH_L
        .iter()
        .rev()
        .fold(0.0, |acc, terms| acc * tau + series(terms))
        * 1e-8;
    let t = tau * 10.0;
    let node = (125.04452 - 1934.136261 * t).to_radians();
    let sun = (280.4665 + 36000.7698 * t).to_radians();
    let moon = (218.3165 + 481_267.881_3 * t).to_radians();
    let nutation = -17.20 * node.sin() - 1.32 * (2.0 * sun).sin() - 0.23 * (2.0 * moon).sin()
        + 0.21 * (2.0 * node).sin();
    let radius = 1.000_139_89
        + 0.016_707 * (3.098_463_5 + 6_283.075_85 * tau).cos()
        + 0.000_139_56 * (3.055_25 + 12_566.151_7 * tau).cos();
    let arcsec = -0.09033 + nutation - 20.4898 / radius;
    (earth.to_degrees() + 180.0 + arcsec / 3600.0).rem_euclid(360.0)
}

/// The number of a lunation beginning near the Beijing day `day` (0 is the new moon of
/// 2000-01-06), to start a search from.
pub(super) fn lunation_near(day: i64) -> i64 {
    ((day as f64 - 2_451_550.1) / SYNODIC_MONTH).floor() as i64
}

/// The instant (TT) of new moon number `k` (Meeus ch. 49).
pub(super) fn new_moon(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let jde = 2_451_550.097_66 + SYNODIC_MONTH * k + 0.000_154_37 * t * t
        - 0.000_000_150 * t.powi(3)
        + 0.000_000_000_73 * t.powi(4);
    let e = 1.0 - 0.002_516 * t - 0.000_007_4 * t * t;
    let m = 2.5534 + 29.105_356_70 * k - 0.000_001_4 * t * t - 0.000_000_11 * t.powi(3);
    let mp = 201.5643 + 385.816_935_28 * k + 0.010_758_2 * t * t + 0.000_012_38 * t.powi(3)
        - 0.000_000_058 * t.powi(4);
    let f = 160.7108 + 390.670_502_84 * k - 0.001_611_8 * t * t - 0.000_002_27 * t.powi(3)
        + 0.000_000_011 * t.powi(4);
    let node = 124.7746 - 1.563_755_88 * k + 0.002_067_2 * t * t + 0.000_002_15 * t.powi(3);
    let periodic: f64 = NEW_MOON_TERMS
        .iter()
        .map(|&(c, ep, a, b, d, n)| {
            let arg = a * m + b * mp + d * f + n * node;
            c * e.powi(ep) * arg.to_radians().sin()
        })
        .sum();
    let planetary: f64 = PLANETARY_TERMS
        .iter()
        .enumerate()
        .map(|(i, &(c, a0, rate))| {
            let a1 = if i == 0 { -0.009_173 * t * t } else { 0.0 };
            c * (a0 + rate * k + a1).to_radians().sin()
        })
        .sum();
    jde + periodic + planetary
}

/// Meeus table 49.A, new moon: coefficient, power of E, multiples of M, M′, F and Ω.
#[rustfmt::skip]
const NEW_MOON_TERMS: [(f64, i32, f64, f64, f64, f64); 25] = [
    (-0.40720, 0, 0.0, 1.0, 0.0, 0.0), (0.17241, 1, 1.0, 0.0, 0.0, 0.0),
    (0.01608, 0, 0.0, 2.0, 0.0, 0.0), (0.01039, 0, 0.0, 0.0, 2.0, 0.0),
    (0.00739, 1, -1.0, 1.0, 0.0, 0.0), (-0.00514, 1, 1.0, 1.0, 0.0, 0.0),
    (0.00208, 2, 2.0, 0.0, 0.0, 0.0), (-0.00111, 0, 0.0, 1.0, -2.0, 0.0),
    (-0.00057, 0, 0.0, 1.0, 2.0, 0.0), (0.00056, 1, 1.0, 2.0, 0.0, 0.0),
    (-0.00042, 0, 0.0, 3.0, 0.0, 0.0), (0.00042, 1, 1.0, 0.0, 2.0, 0.0),
    (0.00038, 1, 1.0, 0.0, -2.0, 0.0), (-0.00024, 1, -1.0, 2.0, 0.0, 0.0),
    (-0.00017, 0, 0.0, 0.0, 0.0, 1.0), (-0.00007, 0, 2.0, 1.0, 0.0, 0.0),
    (0.00004, 0, 0.0, 2.0, -2.0, 0.0), (0.00004, 0, 3.0, 0.0, 0.0, 0.0),
    (0.00003, 0, 1.0, 1.0, -2.0, 0.0), (0.00003, 0, 0.0, 2.0, 2.0, 0.0),
    (-0.00003, 0, 1.0, 1.0, 2.0, 0.0), (0.00003, 0, -1.0, 1.0, 2.0, 0.0),
    (-0.00002, 0, -1.0, 1.0, -2.0, 0.0), (-0.00002, 0, 1.0, 3.0, 0.0, 0.0),
    (0.00002, 0, 0.0, 4.0, 0.0, 0.0),
];

/// Meeus ch. 49, the planetary arguments A1-A14: coefficient, A at k = 0, rate per lunation.
#[rustfmt::skip]
const PLANETARY_TERMS: [(f64, f64, f64); 14] = [
    (0.000325, 299.77, 0.107408), (0.000165, 251.88, 0.016321), (0.000164, 251.83, 26.651886),
    (0.000126, 349.42, 36.412478), (0.000110, 84.66, 18.206239), (0.000062, 141.74, 53.303771),
    (0.000060, 207.14, 2.453732), (0.000056, 154.84, 7.306860), (0.000047, 34.52, 27.261239),
    (0.000042, 207.19, 0.121824), (0.000040, 291.34, 1.844379), (0.000037, 161.72, 24.198154),
    (0.000035, 239.56, 25.513099), (0.000023, 331.55, 3.592518),
];

/// VSOP87 heliocentric longitude of the Earth, series L0-L5 (Meeus appendix III), in 1e-8 rad;
/// the phases Meeus prints as 3.142 and 3.14 are π.
#[rustfmt::skip]
const EARTH_L: [&[(f64, f64, f64)]; 6] = [
    &[(175347046.0, 0.0, 0.0), (3341656.0, 4.6692568, 6283.07585), (34894.0, 4.6261, 12566.1517),
      (3497.0, 2.7441, 5753.3849), (3418.0, 2.8289, 3.5231), (3136.0, 3.6277, 77713.7715),
      (2676.0, 4.4181, 7860.4194), (2343.0, 6.1352, 3930.2097), (1324.0, 0.7425, 11506.7698),
      (1273.0, 2.0371, 529.691), (1199.0, 1.1096, 1577.3435), (990.0, 5.233, 5884.927),
      (902.0, 2.045, 26.298), (857.0, 3.508, 398.149), (780.0, 1.179, 5223.694),
      (753.0, 2.533, 5507.553), (505.0, 4.583, 18849.228), (492.0, 4.205, 775.523),
      (357.0, 2.92, 0.067), (317.0, 5.849, 11790.629), (284.0, 1.899, 796.298),
      (271.0, 0.315, 10977.079), (243.0, 0.345, 5486.778), (206.0, 4.806, 2544.314),
      (205.0, 1.869, 5573.143), (202.0, 2.458, 6069.777), (156.0, 0.833, 213.299),
      (132.0, 3.411, 2942.463), (126.0, 1.083, 20.775), (115.0, 0.645, 0.98),
      (103.0, 0.636, 4694.003), (102.0, 0.976, 15720.839), (102.0, 4.267, 7.114),
      (99.0, 6.21, 2146.17), (98.0, 0.68, 155.42), (86.0, 5.98, 161000.69), (85.0, 1.3, 6275.96),
      (85.0, 3.67, 71430.7), (80.0, 1.81, 17260.15), (79.0, 3.04, 12036.46), (75.0, 1.76, 5088.63),
      (74.0, 3.5, 3154.69), (74.0, 4.68, 801.82), (70.0, 0.83, 9437.76), (62.0, 3.98, 8827.39),
      (61.0, 1.82, 7084.9), (57.0, 2.78, 6286.6), (56.0, 4.39, 14143.5), (56.0, 3.47, 6279.55),
      (52.0, 0.19, 12139.55), (52.0, 1.33, 1748.02), (51.0, 0.28, 5856.48), (49.0, 0.49, 1194.45),
      (41.0, 5.37, 8429.24), (41.0, 2.4, 19651.05), (39.0, 6.17, 10447.39), (37.0, 6.04, 10213.29),
      (37.0, 2.57, 1059.38), (36.0, 1.71, 2352.87), (36.0, 1.78, 6812.77), (33.0, 0.59, 17789.85),
      (30.0, 0.44, 83996.85), (30.0, 2.74, 1349.87), (25.0, 3.16, 4690.48)],
    &[(628331966747.0, 0.0, 0.0), (206059.0, 2.678235, 6283.07585), (4303.0, 2.6351, 12566.1517),
      (425.0, 1.59, 3.523), (119.0, 5.796, 26.298), (109.0, 2.966, 1577.344), (93.0, 2.59, 18849.23),
      (72.0, 1.14, 529.69), (68.0, 1.87, 398.15), (67.0, 4.41, 5507.55), (59.0, 2.89, 5223.69),
      (56.0, 2.17, 155.42), (45.0, 0.4, 796.3), (36.0, 0.47, 775.52), (29.0, 2.65, 7.11),
      (21.0, 5.34, 0.98), (19.0, 1.85, 5486.78), (19.0, 4.97, 213.3), (17.0, 2.99, 6275.96),
      (16.0, 0.03, 2544.31), (16.0, 1.43, 2146.17), (15.0, 1.21, 10977.08), (12.0, 2.83, 1748.02),
      (12.0, 3.26, 5088.63), (12.0, 5.27, 1194.45), (12.0, 2.08, 4694.0), (11.0, 0.77, 553.57),
      (10.0, 1.3, 6286.6), (10.0, 4.24, 1349.87), (9.0, 2.7, 242.73), (9.0, 5.64, 951.72),
      (8.0, 5.3, 2352.87), (6.0, 2.65, 9437.76), (6.0, 4.67, 4690.48)],
    &[(52919.0, 0.0, 0.0), (8720.0, 1.0721, 6283.0758), (309.0, 0.867, 12566.152),
      (27.0, 0.05, 3.52), (16.0, 5.19, 26.3), (16.0, 3.68, 155.42), (10.0, 0.76, 18849.23),
      (9.0, 2.06, 77713.77), (7.0, 0.83, 775.52), (5.0, 4.66, 1577.34), (4.0, 1.03, 7.11),
      (4.0, 3.44, 5573.14), (3.0, 5.14, 796.3), (3.0, 6.05, 5507.55), (3.0, 1.19, 242.73),
      (3.0, 6.12, 529.69), (3.0, 0.31, 398.15), (3.0, 2.28, 553.57), (2.0, 4.38, 5223.69),
      (2.0, 3.75, 0.98)],
    &[(289.0, 5.844, 6283.076), (35.0, 0.0, 0.0), (17.0, 5.49, 12566.15), (3.0, 5.2, 155.42),
      (1.0, 4.72, 3.52), (1.0, 5.3, 18849.23), (1.0, 5.97, 242.73)],
    &[(114.0, PI, 0.0), (8.0, 4.13, 6283.08), (1.0, 3.84, 12566.15)],
    &[(1.0, PI, 0.0)],
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worked_examples_of_meeus_are_reproduced() {
        // example 49.a: the new moon of 1977 February, JDE 2443192.65118
        assert!((new_moon(-283) - 2_443_192.651_18).abs() < 1e-5);
        // example 25.b: 1992-10-13 0h TD, apparent longitude 199°54′21.818″ (with the full
        // nutation; the low-accuracy one used here is within 0.5″)
        let expected = 199.0 + 54.0 / 60.0 + 21.818 / 3600.0;
        assert!((sun_longitude(2_448_908.5) - expected).abs() < 0.5 / 3600.0);
    }

    #[test]
    fn julian_day_numbers_and_dates_agree() {
        for (y, m, d, jdn) in [
            (2000, 1, 1, 2_451_545),
            (1977, 2, 18, 2_443_193),
            (2100, 3, 1, 2_488_129),
        ] {
            assert_eq!(day_number(y, m, d), jdn);
            assert_eq!(date_of(jdn), Date::new(y, m, d).ok());
        }
    }

    /// The UTC date and minute of the day of `jde`.
    fn utc(jde: f64) -> (Option<Date>, i64) {
        let ut = jde - delta_t(2000.0 + (jde - J2000) / 365.25) / 86_400.0 + 0.5;
        (
            date_of(ut.floor() as i64),
            (ut.fract() * 1440.0).round() as i64,
        )
    }

    #[test]
    fn published_instants_of_2024_are_matched_within_a_minute() {
        // USNO / timeanddate.com: March equinox 03:06, December solstice 09:20 (09:20:34), new
        // moons 11:57 on 11 January and 22:59 on 9 February (正月初一 2024-02-10 in Beijing)
        let on = |m, d| Date::new(2024, m, d).ok();
        let start = year_start(2024);
        let k = lunation_near(day_number(2024, 1, 11));
        let cases = [
            (next_term(start, 0.0), on(3, 20), 3 * 60 + 6),
            (next_term(start, 270.0), on(12, 21), 9 * 60 + 20),
            (new_moon(k), on(1, 11), 11 * 60 + 57),
            (new_moon(k + 1), on(2, 9), 22 * 60 + 59),
        ];
        for (jde, day, minute) in cases {
            let (got_day, got_minute) = utc(jde);
            assert_eq!(got_day, day);
            assert!(
                (got_minute - minute).abs() <= 1,
                "{day:?}: {got_minute} min"
            );
        }
        assert_eq!(date_of(beijing_day(new_moon(k + 1))), on(2, 10));
    }
}
