//! An independent check of the case clock (issue #20 item 7): due dates computed by hand from the
//! rules of `legal-deadlines.md` (§3 counting rules, §4 holiday schedules 2024-2026, §8.1
//! extensions from the unrolled nominal end), not by the code under test.
//!
//! The table was produced by `tests/oracle/deadline_oracle.py`, a separate implementation written
//! from the shared doc alone (it neither reads nor calls the Rust code). Each row names the rule and
//! the holiday it exercises. To change a row, change the oracle's case list and regenerate:
//!
//! ```text
//! python3 crates/deadlines/tests/oracle/deadline_oracle.py            # prints the rows
//! python3 crates/deadlines/tests/oracle/deadline_oracle.py --check    # table == oracle output
//! ```
//!
//! An expected value is the law's, never adjusted to the code.

use jiff::{SignedDuration, Timestamp};
use kuaiwei_deadlines::{
    Amount, Calendar, ClockInput, Extension, ExtensionGrant, Procedures, compute_clock, shanghai,
};

/// (procedure id, start instant, approved extension, expected due instant, why)
type Row = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
);

/// Day-based clocks are due at 24:00 Shanghai of their last day, written as 00:00+08:00 of the
/// next day; hour clocks are due at the exact instant. "Nd" = calendar days, "Nm" = months,
/// "Nwd" = working days; an extension is approved one hour after the start.
#[rustfmt::skip]
const CASES: &[Row] = &[
    ("F1", "2024-02-09T23:59:00+08:00", None, "2024-02-10T23:59:00+08:00", "除夕 2024 (a working day) into 春节: 24h exact from 02-09 23:59, never rolled (§3 h), runs through 春节 2024"),
    ("F1", "2025-10-01T00:00:00+08:00", None, "2025-10-02T00:00:00+08:00", "midnight start on 国庆 2025: 24h exact from 10-01 00:00, never rolled (§3 h), runs through 国庆中秋 2025"),
    ("F1", "2026-01-01T23:59:00+08:00", None, "2026-01-02T23:59:00+08:00", "23:59 start on 元旦 2026: 24h exact from 01-01 23:59, never rolled (§3 h), runs through 元旦 2026"),
    ("F1", "2024-09-14T18:30:00+08:00", None, "2024-09-15T18:30:00+08:00", "调休上班 Sat 2024-09-14 into 中秋: 24h exact from 09-14 18:30, never rolled (§3 h), runs through 中秋 2024"),
    ("F1", "2026-06-18T12:00:00+08:00", None, "2026-06-19T12:00:00+08:00", "eve of 端午 2026: 24h exact from 06-18 12:00, never rolled (§3 h), runs through 端午 2026"),
    ("T2", "2024-04-03T16:00:00+08:00", None, "2024-04-04T16:00:00+08:00", "eve of 清明 2024: 24h exact from 04-03 16:00, never rolled (§3 h), runs through 清明 2024"),
    ("T2", "2025-05-01T00:00:00+08:00", None, "2025-05-02T00:00:00+08:00", "midnight start on 劳动节 2025: 24h exact from 05-01 00:00, never rolled (§3 h), runs through 劳动节 2025"),
    ("T2", "2026-09-25T23:59:00+08:00", None, "2026-09-26T23:59:00+08:00", "23:59 start on 中秋 2026: 24h exact from 09-25 23:59, never rolled (§3 h), runs through 中秋 2026"),
    ("T2", "2024-12-31T23:59:00+08:00", None, "2025-01-01T23:59:00+08:00", "New Year's Eve 2024 into 元旦 2025: 24h exact from 12-31 23:59, never rolled (§3 h), runs through 元旦 2025"),
    ("T2", "2026-02-14T00:00:00+08:00", None, "2026-02-15T00:00:00+08:00", "调休上班 Sat 2026-02-14 into 春节 2026: 24h exact from 02-14 00:00, never rolled (§3 h), runs through 春节 2026"),
    ("T1", "2024-02-06T10:00:00+08:00", None, "2024-02-10T00:00:00+08:00", "ends on 除夕 2024, a working day: 3cd from 2024-02-06 -> 2024-02-09 Fri; working day, no roll; due 24:00"),
    ("T1", "2025-09-28T09:00:00+08:00", None, "2025-10-10T00:00:00+08:00", "starts on 调休上班 Sun, ends in 国庆中秋 2025: 3cd from 2025-09-28 -> 2025-10-01 Wed (国庆中秋 2025 rest); rolled to 2025-10-09 Thu; due 24:00"),
    ("T1", "2026-09-17T23:59:00+08:00", None, "2026-09-21T00:00:00+08:00", "ends on 调休上班 Sun 2026-09-20: 3cd from 2026-09-17 -> 2026-09-20 Sun (调休上班 国庆 2026); working day, no roll; due 24:00"),
    ("T1", "2025-05-29T00:00:00+08:00", None, "2025-06-04T00:00:00+08:00", "ends in 端午 2025: 3cd from 2025-05-29 -> 2025-06-01 Sun (端午 2025 rest); rolled to 2025-06-03 Tue; due 24:00"),
    ("T1", "2024-12-29T09:00:00+08:00", None, "2025-01-03T00:00:00+08:00", "ends on 元旦 2025: 3cd from 2024-12-29 -> 2025-01-01 Wed (元旦 2025 rest); rolled to 2025-01-02 Thu; due 24:00"),
    ("T3", "2024-02-07T15:00:00+08:00", None, "2024-02-19T00:00:00+08:00", "ends in 春节 2024, rolls to 调休上班 Sun: 3cd from 2024-02-07 -> 2024-02-10 Sat (春节 2024 rest); rolled to 2024-02-18 Sun (调休上班 春节 2024); due 24:00"),
    ("T3", "2024-04-01T00:00:00+08:00", None, "2024-04-08T00:00:00+08:00", "ends on 清明 2024, rolls to 调休上班 Sun: 3cd from 2024-04-01 -> 2024-04-04 Thu (清明 2024 rest); rolled to 2024-04-07 Sun (调休上班 清明 2024); due 24:00"),
    ("T3", "2026-02-12T09:00:00+08:00", None, "2026-02-25T00:00:00+08:00", "ends in 春节 2026 (9 days): 3cd from 2026-02-12 -> 2026-02-15 Sun (春节 2026 rest); rolled to 2026-02-24 Tue; due 24:00"),
    ("T3", "2024-09-26T10:00:00+08:00", None, "2024-09-30T00:00:00+08:00", "ends on 调休上班 Sun 2024-09-29: 3cd from 2024-09-26 -> 2024-09-29 Sun (调休上班 国庆 2024); working day, no roll; due 24:00"),
    ("T3", "2026-04-30T23:59:00+08:00", None, "2026-05-07T00:00:00+08:00", "ends in 劳动节 2026: 3cd from 2026-04-30 -> 2026-05-03 Sun (劳动节 2026 rest); rolled to 2026-05-06 Wed; due 24:00"),
    ("T3", "2025-04-01T00:00:00+08:00", None, "2025-04-08T00:00:00+08:00", "ends on 清明 2025: 3cd from 2025-04-01 -> 2025-04-04 Fri (清明 2025 rest); rolled to 2025-04-07 Mon; due 24:00"),
    ("T7", "2024-05-02T09:00:00+08:00", None, "2024-05-07T00:00:00+08:00", "ends in 劳动节 2024: 3cd from 2024-05-02 -> 2024-05-05 Sun (劳动节 2024 rest); rolled to 2024-05-06 Mon; due 24:00"),
    ("T7", "2025-01-25T11:00:00+08:00", None, "2025-02-06T00:00:00+08:00", "ends on 除夕 2025: 3cd from 2025-01-25 -> 2025-01-28 Tue (春节 2025 rest); rolled to 2025-02-05 Wed; due 24:00"),
    ("T7", "2026-10-07T09:00:00+08:00", None, "2026-10-11T00:00:00+08:00", "ends on 调休上班 Sat 2026-10-10: 3cd from 2026-10-07 -> 2026-10-10 Sat (调休上班 国庆 2026); working day, no roll; due 24:00"),
    ("T7", "2024-06-07T17:00:00+08:00", None, "2024-06-12T00:00:00+08:00", "ends on 端午 2024: 3cd from 2024-06-07 -> 2024-06-10 Mon (端午 2024 rest); rolled to 2024-06-11 Tue; due 24:00"),
    ("T7", "2025-12-29T23:59:00+08:00", None, "2026-01-05T00:00:00+08:00", "ends on 元旦 2026, rolls to 调休上班 Sun: 3cd from 2025-12-29 -> 2026-01-01 Thu (元旦 2026 rest); rolled to 2026-01-04 Sun (调休上班 元旦 2026); due 24:00"),
    ("E1", "2024-01-27T10:00:00+08:00", None, "2024-02-19T00:00:00+08:00", "ends in 春节 2024, rolls to 调休上班 Sun: 15cd from 2024-01-27 -> 2024-02-11 Sun (春节 2024 rest); rolled to 2024-02-18 Sun (调休上班 春节 2024); due 24:00"),
    ("E1", "2024-09-01T10:00:00+08:00", None, "2024-09-19T00:00:00+08:00", "ends in 中秋 2024: 15cd from 2024-09-01 -> 2024-09-16 Mon (中秋 2024 rest); rolled to 2024-09-18 Wed; due 24:00"),
    ("E1", "2025-03-20T10:00:00+08:00", None, "2025-04-08T00:00:00+08:00", "ends on 清明 2025: 15cd from 2025-03-20 -> 2025-04-04 Fri (清明 2025 rest); rolled to 2025-04-07 Mon; due 24:00"),
    ("E1", "2026-09-05T00:00:00+08:00", None, "2026-09-21T00:00:00+08:00", "ends on 调休上班 Sun 2026-09-20: 15cd from 2026-09-05 -> 2026-09-20 Sun (调休上班 国庆 2026); working day, no roll; due 24:00"),
    ("E1", "2025-12-17T23:59:00+08:00", None, "2026-01-05T00:00:00+08:00", "ends on 元旦 2026: 15cd from 2025-12-17 -> 2026-01-01 Thu (元旦 2026 rest); rolled to 2026-01-04 Sun (调休上班 元旦 2026); due 24:00"),
    ("E1", "2026-06-04T14:00:00+08:00", None, "2026-06-23T00:00:00+08:00", "ends on 端午 2026: 15cd from 2026-06-04 -> 2026-06-19 Fri (端午 2026 rest); rolled to 2026-06-22 Mon; due 24:00"),
    ("P6", "2024-02-02T10:00:00+08:00", None, "2024-02-19T00:00:00+08:00", "ends on the last day of 春节 2024: 15cd from 2024-02-02 -> 2024-02-17 Sat (春节 2024 rest); rolled to 2024-02-18 Sun (调休上班 春节 2024); due 24:00"),
    ("P6", "2024-04-12T10:00:00+08:00", None, "2024-04-29T00:00:00+08:00", "ends on a Sat, rolls to 调休上班 Sun 2024-04-28: 15cd from 2024-04-12 -> 2024-04-27 Sat (weekend); rolled to 2024-04-28 Sun (调休上班 劳动节 2024); due 24:00"),
    ("P6", "2025-09-13T10:00:00+08:00", None, "2025-09-29T00:00:00+08:00", "ends on 调休上班 Sun 2025-09-28: 15cd from 2025-09-13 -> 2025-09-28 Sun (调休上班 国庆中秋 2025); working day, no roll; due 24:00"),
    ("P6", "2025-05-17T10:00:00+08:00", None, "2025-06-04T00:00:00+08:00", "ends in 端午 2025: 15cd from 2025-05-17 -> 2025-06-01 Sun (端午 2025 rest); rolled to 2025-06-03 Tue; due 24:00"),
    ("P6", "2026-04-20T10:00:00+08:00", None, "2026-05-07T00:00:00+08:00", "ends in 劳动节 2026: 15cd from 2026-04-20 -> 2026-05-05 Tue (劳动节 2026 rest); rolled to 2026-05-06 Wed; due 24:00"),
    ("P6", "2024-12-17T10:00:00+08:00", None, "2025-01-03T00:00:00+08:00", "ends on 元旦 2025: 15cd from 2024-12-17 -> 2025-01-01 Wed (元旦 2025 rest); rolled to 2025-01-02 Thu; due 24:00"),
    ("P7", "2024-07-03T09:30:00+08:00", None, "2024-10-09T00:00:00+08:00", "ends on 国庆 2024: 90cd from 2024-07-03 -> 2024-10-01 Tue (国庆 2024 rest); rolled to 2024-10-08 Tue; due 24:00"),
    ("P7", "2024-10-03T09:30:00+08:00", None, "2025-01-03T00:00:00+08:00", "starts in 国庆 2024, ends on 元旦 2025: 90cd from 2024-10-03 -> 2025-01-01 Wed (元旦 2025 rest); rolled to 2025-01-02 Thu; due 24:00"),
    ("P7", "2025-11-17T09:30:00+08:00", None, "2026-02-25T00:00:00+08:00", "ends in 春节 2026: 90cd from 2025-11-17 -> 2026-02-15 Sun (春节 2026 rest); rolled to 2026-02-24 Tue; due 24:00"),
    ("P7", "2025-11-17T09:30:00+08:00", Some("30d"), "2026-03-18T00:00:00+08:00", "ext from the unrolled 02-15, not the rolled 02-24: 90cd from 2025-11-17 -> 2026-02-15 Sun (春节 2026 rest); ext §8.1 from the unrolled end: 30cd from 2026-02-15 -> 2026-03-17 Tue; working day, no roll; due 24:00"),
    ("P7", "2026-06-27T09:30:00+08:00", None, "2026-09-29T00:00:00+08:00", "ends on 中秋 2026: 90cd from 2026-06-27 -> 2026-09-25 Fri (中秋 2026 rest); rolled to 2026-09-28 Mon; due 24:00"),
    ("P7", "2026-06-27T09:30:00+08:00", Some("30d"), "2026-10-27T00:00:00+08:00", "ext from 中秋 2026 ends on a Sun: 90cd from 2026-06-27 -> 2026-09-25 Fri (中秋 2026 rest); ext §8.1 from the unrolled end: 30cd from 2026-09-25 -> 2026-10-25 Sun (weekend); rolled to 2026-10-26 Mon; due 24:00"),
    ("M2", "2024-10-30T09:30:00+08:00", None, "2025-02-06T00:00:00+08:00", "ends on 除夕 2025: 90cd from 2024-10-30 -> 2025-01-28 Tue (春节 2025 rest); rolled to 2025-02-05 Wed; due 24:00"),
    ("M2", "2024-10-30T09:30:00+08:00", Some("30d"), "2025-02-28T00:00:00+08:00", "ext from the unrolled 除夕 2025: 90cd from 2024-10-30 -> 2025-01-28 Tue (春节 2025 rest); ext §8.1 from the unrolled end: 30cd from 2025-01-28 -> 2025-02-27 Thu; working day, no roll; due 24:00"),
    ("M2", "2025-01-31T09:30:00+08:00", None, "2025-05-07T00:00:00+08:00", "starts in 春节 2025, ends on 劳动节 2025: 90cd from 2025-01-31 -> 2025-05-01 Thu (劳动节 2025 rest); rolled to 2025-05-06 Tue; due 24:00"),
    ("M2", "2026-07-12T23:59:00+08:00", None, "2026-10-11T00:00:00+08:00", "ends on 调休上班 Sat 2026-10-10: 90cd from 2026-07-12 -> 2026-10-10 Sat (调休上班 国庆 2026); working day, no roll; due 24:00"),
    ("M2", "2026-07-12T09:30:00+08:00", Some("30d"), "2026-11-10T00:00:00+08:00", "ext from 调休上班 Sat 2026-10-10: 90cd from 2026-07-12 -> 2026-10-10 Sat (调休上班 国庆 2026); ext §8.1 from the unrolled end: 30cd from 2026-10-10 -> 2026-11-09 Mon; working day, no roll; due 24:00"),
    ("M2", "2024-06-16T09:30:00+08:00", None, "2024-09-15T00:00:00+08:00", "ends on 调休上班 Sat 2024-09-14: 90cd from 2024-06-16 -> 2024-09-14 Sat (调休上班 中秋 2024); working day, no roll; due 24:00"),
    ("M2", "2026-06-03T09:30:00+08:00", Some("30d"), "2026-10-09T00:00:00+08:00", "extended period ends on 国庆 2026: 90cd from 2026-06-03 -> 2026-09-01 Tue; ext §8.1 from the unrolled end: 30cd from 2026-09-01 -> 2026-10-01 Thu (国庆 2026 rest); rolled to 2026-10-08 Thu; due 24:00"),
    ("M3", "2024-02-01T09:30:00+08:00", None, "2024-05-07T00:00:00+08:00", "ends on 劳动节 2024: 90cd from 2024-02-01 -> 2024-05-01 Wed (劳动节 2024 rest); rolled to 2024-05-06 Mon; due 24:00"),
    ("M3", "2025-07-08T09:30:00+08:00", None, "2025-10-10T00:00:00+08:00", "ends on 中秋 2025 (inside 国庆): 90cd from 2025-07-08 -> 2025-10-06 Mon (国庆中秋 2025 rest); rolled to 2025-10-09 Thu; due 24:00"),
    ("M3", "2026-01-05T09:30:00+08:00", None, "2026-04-08T00:00:00+08:00", "ends on 清明 2026: 90cd from 2026-01-05 -> 2026-04-05 Sun (清明 2026 rest); rolled to 2026-04-07 Tue; due 24:00"),
    ("M3", "2024-02-29T00:00:00+08:00", None, "2024-05-30T00:00:00+08:00", "starts on Feb 29 2024: 90cd from 2024-02-29 -> 2024-05-29 Wed; working day, no roll; due 24:00"),
    ("M3", "2025-11-30T09:30:00+08:00", None, "2026-03-01T00:00:00+08:00", "ends on 调休上班 Sat 2026-02-28: 90cd from 2025-11-30 -> 2026-02-28 Sat (调休上班 春节 2026); working day, no roll; due 24:00"),
    ("P1", "2024-01-01T09:00:00+08:00", None, "2024-01-09T00:00:00+08:00", "starts on 元旦 2024: 5wd after 2024-01-01 -> 2024-01-08 Mon; counted 01-02,01-03,01-04,01-05,01-08; due 24:00"),
    ("P1", "2025-01-24T23:59:00+08:00", None, "2025-02-08T00:00:00+08:00", "counts 调休上班 Sun 2025-01-26, skips 春节 2025: 5wd after 2025-01-24 -> 2025-02-07 Fri; counted 01-26,01-27,02-05,02-06,02-07; skips 春节 2025; counts 调休 01-26 Sun; due 24:00"),
    ("P1", "2024-09-27T10:00:00+08:00", None, "2024-10-11T00:00:00+08:00", "counts 调休上班 Sun 2024-09-29, skips 国庆 2024: 5wd after 2024-09-27 -> 2024-10-10 Thu; counted 09-29,09-30,10-08,10-09,10-10; skips 国庆 2024; counts 调休 09-29 Sun; due 24:00"),
    ("P1", "2026-05-08T10:00:00+08:00", None, "2026-05-15T00:00:00+08:00", "counts 调休上班 Sat 2026-05-09: 5wd after 2026-05-08 -> 2026-05-14 Thu; counted 05-09,05-11,05-12,05-13,05-14; counts 调休 05-09 Sat; due 24:00"),
    ("P1", "2025-05-30T00:00:00+08:00", None, "2025-06-10T00:00:00+08:00", "skips 端午 2025: 5wd after 2025-05-30 -> 2025-06-09 Mon; counted 06-03,06-04,06-05,06-06,06-09; skips 端午 2025; due 24:00"),
    ("M4", "2024-01-01T23:59:00+08:00", None, "2024-01-11T00:00:00+08:00", "starts on 元旦 2024: 7wd after 2024-01-01 -> 2024-01-10 Wed; counted 01-02,01-03,01-04,01-05,01-08,01-09,01-10; due 24:00"),
    ("M4", "2024-04-30T10:00:00+08:00", None, "2024-05-14T00:00:00+08:00", "skips 劳动节 2024, counts 调休上班 Sat 05-11: 7wd after 2024-04-30 -> 2024-05-13 Mon; counted 05-06,05-07,05-08,05-09,05-10,05-11,05-13; skips 劳动节 2024; counts 调休 05-11 Sat; due 24:00"),
    ("M4", "2025-04-01T10:00:00+08:00", None, "2025-04-12T00:00:00+08:00", "skips 清明 2025: 7wd after 2025-04-01 -> 2025-04-11 Fri; counted 04-02,04-03,04-07,04-08,04-09,04-10,04-11; skips 清明 2025; due 24:00"),
    ("M4", "2026-02-13T10:00:00+08:00", None, "2026-03-03T00:00:00+08:00", "counts both 春节 2026 调休上班 Saturdays: 7wd after 2026-02-13 -> 2026-03-02 Mon; counted 02-14,02-24,02-25,02-26,02-27,02-28,03-02; skips 春节 2026; counts 调休 02-14 Sat,02-28 Sat; due 24:00"),
    ("M4", "2024-06-06T10:00:00+08:00", None, "2024-06-19T00:00:00+08:00", "skips 端午 2024: 7wd after 2024-06-06 -> 2024-06-18 Tue; counted 06-07,06-11,06-12,06-13,06-14,06-17,06-18; skips 端午 2024; due 24:00"),
    ("C1", "2024-02-02T10:00:00+08:00", None, "2024-02-07T00:00:00+08:00", "counts 调休上班 Sun 2024-02-04: 3wd after 2024-02-02 -> 2024-02-06 Tue; counted 02-04,02-05,02-06; counts 调休 02-04 Sun; due 24:00"),
    ("C1", "2024-02-04T10:00:00+08:00", None, "2024-02-08T00:00:00+08:00", "starts on 调休上班 Sun 2024-02-04: 3wd after 2024-02-04 -> 2024-02-07 Wed; counted 02-05,02-06,02-07; due 24:00"),
    ("C1", "2025-01-26T00:00:00+08:00", None, "2025-02-07T00:00:00+08:00", "starts on 调休上班 Sun 2025-01-26, skips 春节 2025: 3wd after 2025-01-26 -> 2025-02-06 Thu; counted 01-27,02-05,02-06; skips 春节 2025; due 24:00"),
    ("C1", "2026-09-18T23:59:00+08:00", None, "2026-09-23T00:00:00+08:00", "counts 调休上班 Sun 2026-09-20: 3wd after 2026-09-18 -> 2026-09-22 Tue; counted 09-20,09-21,09-22; counts 调休 09-20 Sun; due 24:00"),
    ("C1", "2026-10-09T10:00:00+08:00", None, "2026-10-14T00:00:00+08:00", "counts 调休上班 Sat 2026-10-10: 3wd after 2026-10-09 -> 2026-10-13 Tue; counted 10-10,10-12,10-13; counts 调休 10-10 Sat; due 24:00"),
    ("C1", "2024-06-07T10:00:00+08:00", None, "2024-06-14T00:00:00+08:00", "skips 端午 2024: 3wd after 2024-06-07 -> 2024-06-13 Thu; counted 06-11,06-12,06-13; skips 端午 2024; due 24:00"),
    ("C1", "2024-04-03T23:59:00+08:00", None, "2024-04-10T00:00:00+08:00", "skips 清明 2024, counts 调休上班 Sun 04-07: 3wd after 2024-04-03 -> 2024-04-09 Tue; counted 04-07,04-08,04-09; skips 清明 2024; counts 调休 04-07 Sun; due 24:00"),
    ("M1", "2025-01-20T10:00:00+08:00", None, "2025-02-15T00:00:00+08:00", "across 春节 2025 and both its 调休上班 days: 15wd after 2025-01-20 -> 2025-02-14 Fri; skips 春节 2025; counts 调休 01-26 Sun,02-08 Sat; due 24:00"),
    ("M1", "2024-09-10T10:00:00+08:00", None, "2024-10-09T00:00:00+08:00", "across 中秋 2024 and 国庆 2024: 15wd after 2024-09-10 -> 2024-10-08 Tue; skips 中秋 2024, 国庆 2024; counts 调休 09-14 Sat,09-29 Sun; due 24:00"),
    ("M1", "2026-09-15T10:00:00+08:00", Some("15wd"), "2026-11-03T00:00:00+08:00", "ext across 中秋 and 国庆 2026: 15wd after 2026-09-15 -> 2026-10-12 Mon; skips 中秋 2026, 国庆 2026; counts 调休 09-20 Sun,10-10 Sat; ext §8.1 from the unrolled end: 15wd after 2026-10-12 -> 2026-11-02 Mon; due 24:00"),
    ("M1", "2024-04-01T10:00:00+08:00", Some("15wd"), "2024-05-16T00:00:00+08:00", "ext across 清明 and 劳动节 2024: 15wd after 2024-04-01 -> 2024-04-23 Tue; skips 清明 2024; counts 调休 04-07 Sun; ext §8.1 from the unrolled end: 15wd after 2024-04-23 -> 2024-05-15 Wed; skips 劳动节 2024; counts 调休 04-28 Sun,05-11 Sat; due 24:00"),
    ("M1", "2026-04-24T10:00:00+08:00", None, "2026-05-20T00:00:00+08:00", "across 劳动节 2026, 调休上班 Sat 05-09: 15wd after 2026-04-24 -> 2026-05-19 Tue; skips 劳动节 2026; counts 调休 05-09 Sat; due 24:00"),
    ("M1", "2025-12-15T10:00:00+08:00", Some("15wd"), "2026-01-28T00:00:00+08:00", "ext across 元旦 2026 and 调休上班 Sun 01-04: 15wd after 2025-12-15 -> 2026-01-06 Tue; skips 元旦 2026; counts 调休 01-04 Sun; ext §8.1 from the unrolled end: 15wd after 2026-01-06 -> 2026-01-27 Tue; due 24:00"),
    ("M5", "2024-01-15T10:00:00+08:00", None, "2024-03-22T00:00:00+08:00", "across 春节 2024: 45wd after 2024-01-15 -> 2024-03-21 Thu; skips 春节 2024; counts 调休 02-04 Sun,02-18 Sun; due 24:00"),
    ("M5", "2025-09-01T10:00:00+08:00", None, "2025-11-08T00:00:00+08:00", "across 国庆中秋 2025: 45wd after 2025-09-01 -> 2025-11-07 Fri; skips 国庆中秋 2025; counts 调休 09-28 Sun,10-11 Sat; due 24:00"),
    ("M5", "2026-04-01T10:00:00+08:00", None, "2026-06-09T00:00:00+08:00", "across 清明 and 劳动节 2026: 45wd after 2026-04-01 -> 2026-06-08 Mon; skips 清明 2026, 劳动节 2026; counts 调休 05-09 Sat; due 24:00"),
    ("M5", "2024-08-15T10:00:00+08:00", None, "2024-10-24T00:00:00+08:00", "across 中秋 and 国庆 2024: 45wd after 2024-08-15 -> 2024-10-23 Wed; skips 中秋 2024, 国庆 2024; counts 调休 09-14 Sat,09-29 Sun,10-12 Sat; due 24:00"),
    ("C2", "2024-01-22T10:00:00+08:00", None, "2024-03-08T00:00:00+08:00", "across 春节 2024: 30wd after 2024-01-22 -> 2024-03-07 Thu; skips 春节 2024; counts 调休 02-04 Sun,02-18 Sun; due 24:00"),
    ("C2", "2025-09-15T10:00:00+08:00", None, "2025-11-01T00:00:00+08:00", "across 国庆中秋 2025: 30wd after 2025-09-15 -> 2025-10-31 Fri; skips 国庆中秋 2025; counts 调休 09-28 Sun,10-11 Sat; due 24:00"),
    ("C2", "2026-01-05T10:00:00+08:00", None, "2026-02-15T00:00:00+08:00", "ends on 调休上班 Sat 2026-02-14, eve of 春节 2026: 30wd after 2026-01-05 -> 2026-02-14 Sat (调休上班 春节 2026); counts 调休 02-14 Sat; due 24:00"),
    ("C2", "2024-04-01T10:00:00+08:00", None, "2024-05-16T00:00:00+08:00", "across 清明 and 劳动节 2024: 30wd after 2024-04-01 -> 2024-05-15 Wed; skips 清明 2024, 劳动节 2024; counts 调休 04-07 Sun,04-28 Sun,05-11 Sat; due 24:00"),
    ("C3", "2024-02-01T10:00:00+08:00", None, "2024-03-06T00:00:00+08:00", "across 春节 2024: 20wd after 2024-02-01 -> 2024-03-05 Tue; skips 春节 2024; counts 调休 02-04 Sun,02-18 Sun; due 24:00"),
    ("C3", "2025-04-20T10:00:00+08:00", None, "2025-05-21T00:00:00+08:00", "across 劳动节 2025 and 调休上班 Sun 04-27: 20wd after 2025-04-20 -> 2025-05-20 Tue; skips 劳动节 2025; counts 调休 04-27 Sun; due 24:00"),
    ("C3", "2026-05-25T10:00:00+08:00", None, "2026-06-24T00:00:00+08:00", "across 端午 2026: 20wd after 2026-05-25 -> 2026-06-23 Tue; skips 端午 2026; due 24:00"),
    ("C3", "2025-01-02T10:00:00+08:00", None, "2025-02-07T00:00:00+08:00", "across 春节 2025: 20wd after 2025-01-02 -> 2025-02-06 Thu; skips 春节 2025; counts 调休 01-26 Sun; due 24:00"),
    ("C3", "2026-09-01T23:59:00+08:00", None, "2026-09-30T00:00:00+08:00", "across 中秋 2026 and 调休上班 Sun 09-20: 20wd after 2026-09-01 -> 2026-09-29 Tue; skips 中秋 2026; counts 调休 09-20 Sun; due 24:00"),
    ("C4", "2024-08-20T10:00:00+08:00", None, "2024-11-05T00:00:00+08:00", "across 中秋 and 国庆 2024: 50wd after 2024-08-20 -> 2024-11-04 Mon; skips 中秋 2024, 国庆 2024; counts 调休 09-14 Sat,09-29 Sun,10-12 Sat; due 24:00"),
    ("C4", "2025-03-01T10:00:00+08:00", None, "2025-05-15T00:00:00+08:00", "starts on a Sat, across 清明 and 劳动节 2025: 50wd after 2025-03-01 -> 2025-05-14 Wed; skips 清明 2025, 劳动节 2025; counts 调休 04-27 Sun; due 24:00"),
    ("C4", "2026-08-17T10:00:00+08:00", None, "2026-10-31T00:00:00+08:00", "across 中秋 and 国庆 2026: 50wd after 2026-08-17 -> 2026-10-30 Fri; skips 中秋 2026, 国庆 2026; counts 调休 09-20 Sun,10-10 Sat; due 24:00"),
    ("C4", "2025-12-01T10:00:00+08:00", None, "2026-02-11T00:00:00+08:00", "across 元旦 2026, ends before 春节 2026: 50wd after 2025-12-01 -> 2026-02-10 Tue; skips 元旦 2026; counts 调休 01-04 Sun; due 24:00"),
    ("C5", "2024-05-20T10:00:00+08:00", None, "2024-07-03T00:00:00+08:00", "across 端午 2024: 30wd after 2024-05-20 -> 2024-07-02 Tue; skips 端午 2024; due 24:00"),
    ("C5", "2025-12-10T10:00:00+08:00", None, "2026-01-23T00:00:00+08:00", "across 元旦 2026: 30wd after 2025-12-10 -> 2026-01-22 Thu; skips 元旦 2026; counts 调休 01-04 Sun; due 24:00"),
    ("C5", "2024-12-10T10:00:00+08:00", None, "2025-01-23T00:00:00+08:00", "across 元旦 2025: 30wd after 2024-12-10 -> 2025-01-22 Wed; skips 元旦 2025; due 24:00"),
    ("C5", "2026-03-20T10:00:00+08:00", None, "2026-05-08T00:00:00+08:00", "across 清明 and 劳动节 2026: 30wd after 2026-03-20 -> 2026-05-07 Thu; skips 清明 2026, 劳动节 2026; due 24:00"),
    ("P3", "2024-01-04T10:00:00+08:00", None, "2024-04-08T00:00:00+08:00", "ends on 清明 2024, rolls to 调休上班 Sun: 3m from 2024-01-04 -> 2024-04-04 Thu (清明 2024 rest); rolled to 2024-04-07 Sun (调休上班 清明 2024); due 24:00"),
    ("P3", "2024-01-28T10:00:00+08:00", None, "2024-04-29T00:00:00+08:00", "ends on 调休上班 Sun 2024-04-28: 3m from 2024-01-28 -> 2024-04-28 Sun (调休上班 劳动节 2024); working day, no roll; due 24:00"),
    ("P3", "2024-03-10T10:00:00+08:00", None, "2024-06-12T00:00:00+08:00", "ends on 端午 2024: 3m from 2024-03-10 -> 2024-06-10 Mon (端午 2024 rest); rolled to 2024-06-11 Tue; due 24:00"),
    ("P3", "2024-06-15T10:00:00+08:00", None, "2024-09-19T00:00:00+08:00", "ends on 中秋 2024: 3m from 2024-06-15 -> 2024-09-15 Sun (中秋 2024 rest); rolled to 2024-09-18 Wed; due 24:00"),
    ("P3", "2024-07-04T10:00:00+08:00", None, "2024-10-09T00:00:00+08:00", "ends in 国庆 2024: 3m from 2024-07-04 -> 2024-10-04 Fri (国庆 2024 rest); rolled to 2024-10-08 Tue; due 24:00"),
    ("P3", "2024-11-01T10:00:00+08:00", None, "2025-02-06T00:00:00+08:00", "ends in 春节 2025: 3m from 2024-11-01 -> 2025-02-01 Sat (春节 2025 rest); rolled to 2025-02-05 Wed; due 24:00"),
    ("P3", "2025-01-26T09:00:00+08:00", None, "2025-04-28T00:00:00+08:00", "starts on 调休上班 Sun, ends on a Sat, rolls to 调休上班 Sun: 3m from 2025-01-26 -> 2025-04-26 Sat (weekend); rolled to 2025-04-27 Sun (调休上班 劳动节 2025); due 24:00"),
    ("P3", "2024-01-01T00:00:00+08:00", None, "2024-04-02T00:00:00+08:00", "starts at midnight on 元旦 2024: 3m from 2024-01-01 -> 2024-04-01 Mon; working day, no roll; due 24:00"),
    ("P3", "2024-02-29T10:00:00+08:00", None, "2024-05-30T00:00:00+08:00", "starts on Feb 29 2024: 3m from 2024-02-29 -> 2024-05-29 Wed; working day, no roll; due 24:00"),
    ("P3", "2024-02-29T10:00:00+08:00", Some("1m"), "2024-07-02T00:00:00+08:00", "Feb 29 2024 + 3m + 1m: 3m from 2024-02-29 -> 2024-05-29 Wed; ext §8.1 from the unrolled end: 1m from 2024-05-29 -> 2024-06-29 Sat (weekend); rolled to 2024-07-01 Mon; due 24:00"),
    ("P3", "2024-10-31T23:59:00+08:00", None, "2025-02-06T00:00:00+08:00", "Jan 31 2025 is in 春节 2025: 3m from 2024-10-31 -> 2025-01-31 Fri (春节 2025 rest); rolled to 2025-02-05 Wed; due 24:00"),
    ("P3", "2024-10-31T23:59:00+08:00", Some("1m"), "2025-03-01T00:00:00+08:00", "ext from the unrolled Jan 31 2025 (Jan 31 + 1 month): 3m from 2024-10-31 -> 2025-01-31 Fri (春节 2025 rest); ext §8.1 from the unrolled end: 1m from 2025-01-31 -> 2025-02-28 Fri (no corresponding day: month end); working day, no roll; due 24:00"),
    ("P3", "2024-01-31T10:00:00+08:00", Some("1m"), "2024-05-31T00:00:00+08:00", "Jan 31 + 3m = Apr 30, + 1m = May 30 (§8.1): 3m from 2024-01-31 -> 2024-04-30 Tue (no corresponding day: month end); ext §8.1 from the unrolled end: 1m from 2024-04-30 -> 2024-05-30 Thu; working day, no roll; due 24:00"),
    ("P3", "2025-01-31T10:00:00+08:00", Some("1m"), "2025-05-31T00:00:00+08:00", "the §8.1 example: 3m from 2025-01-31 -> 2025-04-30 Wed (no corresponding day: month end); ext §8.1 from the unrolled end: 1m from 2025-04-30 -> 2025-05-30 Fri; working day, no roll; due 24:00"),
    ("P3", "2024-08-31T10:00:00+08:00", Some("1m"), "2024-12-31T00:00:00+08:00", "Aug 31 + 3m = Nov 30 (Sat), + 1m from the unrolled day: 3m from 2024-08-31 -> 2024-11-30 Sat (weekend) (no corresponding day: month end); ext §8.1 from the unrolled end: 1m from 2024-11-30 -> 2024-12-30 Mon; working day, no roll; due 24:00"),
    ("P3", "2024-11-30T10:00:00+08:00", Some("1m"), "2025-03-29T00:00:00+08:00", "Nov 30 + 3m = Feb 28 2025, + 1m = Mar 28: 3m from 2024-11-30 -> 2025-02-28 Fri (no corresponding day: month end); ext §8.1 from the unrolled end: 1m from 2025-02-28 -> 2025-03-28 Fri; working day, no roll; due 24:00"),
    ("P3", "2024-11-29T10:00:00+08:00", Some("1m"), "2025-03-29T00:00:00+08:00", "Nov 29 + 3m = Feb 28 2025 (no Feb 29), + 1m = Mar 28: 3m from 2024-11-29 -> 2025-02-28 Fri (no corresponding day: month end); ext §8.1 from the unrolled end: 1m from 2025-02-28 -> 2025-03-28 Fri; working day, no roll; due 24:00"),
    ("P3", "2024-02-01T10:00:00+08:00", Some("1m"), "2024-06-04T00:00:00+08:00", "ends on 劳动节 2024, ext from the unrolled May 1: 3m from 2024-02-01 -> 2024-05-01 Wed (劳动节 2024 rest); ext §8.1 from the unrolled end: 1m from 2024-05-01 -> 2024-06-01 Sat (weekend); rolled to 2024-06-03 Mon; due 24:00"),
    ("P4", "2025-02-01T10:00:00+08:00", None, "2025-05-07T00:00:00+08:00", "starts in 春节 2025, ends on 劳动节 2025: 3m from 2025-02-01 -> 2025-05-01 Thu (劳动节 2025 rest); rolled to 2025-05-06 Tue; due 24:00"),
    ("P4", "2025-03-02T10:00:00+08:00", None, "2025-06-04T00:00:00+08:00", "ends on 端午 2025: 3m from 2025-03-02 -> 2025-06-02 Mon (端午 2025 rest); rolled to 2025-06-03 Tue; due 24:00"),
    ("P4", "2025-07-04T10:00:00+08:00", None, "2025-10-10T00:00:00+08:00", "ends in 国庆中秋 2025: 3m from 2025-07-04 -> 2025-10-04 Sat (国庆中秋 2025 rest); rolled to 2025-10-09 Thu; due 24:00"),
    ("P4", "2025-10-01T00:00:00+08:00", None, "2026-01-05T00:00:00+08:00", "starts on 国庆 2025, ends on 元旦 2026: 3m from 2025-10-01 -> 2026-01-01 Thu (元旦 2026 rest); rolled to 2026-01-04 Sun (调休上班 元旦 2026); due 24:00"),
    ("P4", "2025-11-15T10:00:00+08:00", None, "2026-02-25T00:00:00+08:00", "ends in 春节 2026 (9 days): 3m from 2025-11-15 -> 2026-02-15 Sun (春节 2026 rest); rolled to 2026-02-24 Tue; due 24:00"),
    ("P4", "2026-01-04T00:00:00+08:00", None, "2026-04-08T00:00:00+08:00", "starts on 调休上班 Sun, ends in 清明 2026: 3m from 2026-01-04 -> 2026-04-04 Sat (清明 2026 rest); rolled to 2026-04-07 Tue; due 24:00"),
    ("P4", "2026-02-01T10:00:00+08:00", None, "2026-05-07T00:00:00+08:00", "ends on 劳动节 2026: 3m from 2026-02-01 -> 2026-05-01 Fri (劳动节 2026 rest); rolled to 2026-05-06 Wed; due 24:00"),
    ("P4", "2026-03-19T10:00:00+08:00", None, "2026-06-23T00:00:00+08:00", "ends on 端午 2026: 3m from 2026-03-19 -> 2026-06-19 Fri (端午 2026 rest); rolled to 2026-06-22 Mon; due 24:00"),
    ("P4", "2026-06-25T10:00:00+08:00", None, "2026-09-29T00:00:00+08:00", "ends on 中秋 2026: 3m from 2026-06-25 -> 2026-09-25 Fri (中秋 2026 rest); rolled to 2026-09-28 Mon; due 24:00"),
    ("P4", "2026-07-01T10:00:00+08:00", None, "2026-10-09T00:00:00+08:00", "ends on 国庆 2026: 3m from 2026-07-01 -> 2026-10-01 Thu (国庆 2026 rest); rolled to 2026-10-08 Thu; due 24:00"),
    ("P4", "2026-07-10T23:59:00+08:00", None, "2026-10-11T00:00:00+08:00", "ends on 调休上班 Sat 2026-10-10: 3m from 2026-07-10 -> 2026-10-10 Sat (调休上班 国庆 2026); working day, no roll; due 24:00"),
    ("P4", "2025-11-30T10:00:00+08:00", None, "2026-03-01T00:00:00+08:00", "Nov 30 + 3m = Feb 28 2026, 调休上班 Sat: 3m from 2025-11-30 -> 2026-02-28 Sat (调休上班 春节 2026) (no corresponding day: month end); working day, no roll; due 24:00"),
    ("P4", "2025-11-30T10:00:00+08:00", Some("2m"), "2026-04-29T00:00:00+08:00", "Feb 28 2026 + 2m = Apr 28 (§8.1): 3m from 2025-11-30 -> 2026-02-28 Sat (调休上班 春节 2026) (no corresponding day: month end); ext §8.1 from the unrolled end: 2m from 2026-02-28 -> 2026-04-28 Tue; working day, no roll; due 24:00"),
    ("P4", "2025-08-31T10:00:00+08:00", Some("2m"), "2026-01-31T00:00:00+08:00", "Aug 31 + 3m = Nov 30 (Sun), + 2m from the unrolled day: 3m from 2025-08-31 -> 2025-11-30 Sun (weekend) (no corresponding day: month end); ext §8.1 from the unrolled end: 2m from 2025-11-30 -> 2026-01-30 Fri; working day, no roll; due 24:00"),
    ("P4", "2025-05-31T10:00:00+08:00", Some("2m"), "2025-11-01T00:00:00+08:00", "May 31 + 3m = Aug 31 (Sun), + 2m = Oct 31: 3m from 2025-05-31 -> 2025-08-31 Sun (weekend); ext §8.1 from the unrolled end: 2m from 2025-08-31 -> 2025-10-31 Fri; working day, no roll; due 24:00"),
    ("P4", "2025-12-31T10:00:00+08:00", Some("2m"), "2026-06-02T00:00:00+08:00", "Dec 31 + 3m = Mar 31, + 2m = May 31 (Sun): 3m from 2025-12-31 -> 2026-03-31 Tue; ext §8.1 from the unrolled end: 2m from 2026-03-31 -> 2026-05-31 Sun (weekend); rolled to 2026-06-01 Mon; due 24:00"),
    ("P4", "2025-07-31T10:00:00+08:00", Some("1m"), "2025-12-02T00:00:00+08:00", "a partial extension: Oct 31 + 1m = Nov 30 (Sun): 3m from 2025-07-31 -> 2025-10-31 Fri; ext §8.1 from the unrolled end: 1m from 2025-10-31 -> 2025-11-30 Sun (weekend) (no corresponding day: month end); rolled to 2025-12-01 Mon; due 24:00"),
    ("P4", "2025-03-31T10:00:00+08:00", Some("2m"), "2025-09-02T00:00:00+08:00", "Jun 30 + 2m = Aug 30 (Sat): 3m from 2025-03-31 -> 2025-06-30 Mon (no corresponding day: month end); ext §8.1 from the unrolled end: 2m from 2025-06-30 -> 2025-08-30 Sat (weekend); rolled to 2025-09-01 Mon; due 24:00"),
    ("P4", "2026-04-30T10:00:00+08:00", Some("2m"), "2026-10-01T00:00:00+08:00", "Jul 30 + 2m = Sep 30, eve of 国庆 2026: 3m from 2026-04-30 -> 2026-07-30 Thu; ext §8.1 from the unrolled end: 2m from 2026-07-30 -> 2026-09-30 Wed; working day, no roll; due 24:00"),
];

#[test]
fn due_dates_agree_with_the_hand_computed_table_near_every_holiday_of_2024_to_2026() {
    let calendar = Calendar::bundled();
    let procedures = Procedures::bundled();
    let local = |at: Timestamp| at.to_zoned(shanghai()).datetime().to_string();

    let mut mismatches = Vec::new();
    for &(id, start, extension, expected, why) in CASES {
        let start: Timestamp = start.parse().expect("the table's start is RFC 3339");
        let expected: Timestamp = expected.parse().expect("the table's due is RFC 3339");
        let Some(procedure) = procedures.get(id) else {
            mismatches.push(format!("{id}: no such procedure in procedures.toml"));
            continue;
        };
        let mut input = ClockInput::new(start, start);
        if let Some(amount) = extension {
            let amount: Amount = amount.parse().expect("the table's extension is an amount");
            input.extensions = vec![Extension {
                approved_at: start + SignedDuration::from_hours(1),
                approver: "supervisor:t".into(),
                grant: ExtensionGrant::Amount(amount),
            }];
        }
        let ext = extension.map_or(String::new(), |a| format!(" +{a}"));
        match compute_clock(&calendar, procedure, &input) {
            Ok(state) if state.due == expected => {}
            Ok(state) => mismatches.push(format!(
                "{id} from {}{ext}: expected {}, got {}\n    why: {why}",
                local(start),
                local(expected),
                local(state.due),
            )),
            Err(err) => mismatches.push(format!(
                "{id} from {}{ext}: expected {}, got an error: {err}\n    why: {why}",
                local(start),
                local(expected),
            )),
        }
    }

    assert!(
        CASES.len() >= 110,
        "the table keeps at least 110 hand-computed rows"
    );
    assert!(
        mismatches.is_empty(),
        "{} of {} hand-computed due dates disagree (times are Asia/Shanghai):\n{}",
        mismatches.len(),
        CASES.len(),
        mismatches.join("\n"),
    );
}
