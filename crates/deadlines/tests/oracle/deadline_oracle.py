#!/usr/bin/env python3
"""Independent oracle for `crates/deadlines/tests/hand_computed.rs` (issue #20 item 7).

This script is how the table of hand-computed due dates was produced. It is written from the
shared reference `legal-deadlines.md` only, never from the Rust code under test (it does not read
`crates/deadlines/src`, import or call it):

- §4, the State Council holiday schedules of 2024, 2025 and 2026: rest days (放假) and the
  adjusted working weekend days (调休上班), typed in below from the doc's tables and checked
  against the doc's own lists of "weekday rest days";
- §3, the counting rules:
  - hours (h): exact, from the event, across nights, weekends and holidays, never rolled;
  - calendar days (cd): start the next day; last day = start date + N; if it is not a working day,
    roll forward to the next working day;
  - months (m): the corresponding day N months on, or the last day of that month if there is
    none (民法典 Art. 202); then rolled forward like calendar days;
  - working days (wd): the N-th working day after the trigger day (weekends and holidays do not
    count, 调休上班 days do); never rolled, it is a working day by construction;
  - a day-based clock is due at 24:00 Shanghai of its last day, written 00:00+08:00 of the next day;
- §8.1, extensions: the extension is a new period counted from the UNROLLED nominal last day of
  the period it extends, in its own unit, and only the end of the extended period is rolled.

The procedure limits come from §1 (and agree with crates/deadlines/data/procedures.toml, the law
as data, which `--check` cross-reads; that file is data, not the code under test).

Only cases whose whole computation stays inside 2024-2026 are emitted: any look-up of a date
outside the published years raises, so a case that needs 2023 or 2027 fails loudly here.

Usage:
    python3 deadline_oracle.py            # print the Rust rows of CASES
    python3 deadline_oracle.py --check    # also compare with hand_computed.rs and procedures.toml
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

SHANGHAI = timezone(timedelta(hours=8))
HERE = Path(__file__).resolve().parent
TEST_FILE = HERE.parent / "hand_computed.rs"
PROCEDURES_TOML = HERE.parent.parent / "data" / "procedures.toml"

# ---------------------------------------------------------------------------------------------
# §4: the holiday schedules, typed from the doc's tables: (name, first rest day, last rest day,
# adjusted working days 调休上班).
# ---------------------------------------------------------------------------------------------

SCHEDULES: dict[int, list[tuple[str, str, str, list[str]]]] = {
    # 国办发明电〔2023〕7号
    2024: [
        ("元旦", "2024-01-01", "2024-01-01", []),
        ("春节", "2024-02-10", "2024-02-17", ["2024-02-04", "2024-02-18"]),
        ("清明", "2024-04-04", "2024-04-06", ["2024-04-07"]),
        ("劳动节", "2024-05-01", "2024-05-05", ["2024-04-28", "2024-05-11"]),
        ("端午", "2024-06-10", "2024-06-10", []),
        ("中秋", "2024-09-15", "2024-09-17", ["2024-09-14"]),
        ("国庆", "2024-10-01", "2024-10-07", ["2024-09-29", "2024-10-12"]),
    ],
    # 国办发明电〔2024〕12号
    2025: [
        ("元旦", "2025-01-01", "2025-01-01", []),
        ("春节", "2025-01-28", "2025-02-04", ["2025-01-26", "2025-02-08"]),
        ("清明", "2025-04-04", "2025-04-06", []),
        ("劳动节", "2025-05-01", "2025-05-05", ["2025-04-27"]),
        ("端午", "2025-05-31", "2025-06-02", []),
        ("国庆中秋", "2025-10-01", "2025-10-08", ["2025-09-28", "2025-10-11"]),
    ],
    # 国务院办公厅通知 2025-11-04
    2026: [
        ("元旦", "2026-01-01", "2026-01-03", ["2026-01-04"]),
        ("春节", "2026-02-15", "2026-02-23", ["2026-02-14", "2026-02-28"]),
        ("清明", "2026-04-04", "2026-04-06", []),
        ("劳动节", "2026-05-01", "2026-05-05", ["2026-05-09"]),
        ("端午", "2026-06-19", "2026-06-21", []),
        ("中秋", "2026-09-25", "2026-09-27", []),
        ("国庆", "2026-10-01", "2026-10-07", ["2026-09-20", "2026-10-10"]),
    ],
}

# The doc's own summary lines ("Weekday rest days in 2025: ..."), used to check the typing above.
# 2024 has no such line in the doc; it is derived here and checked by eye in the report.
WEEKDAY_REST_DAYS_IN_DOC = {
    2025: "01-01 01-28 01-29 01-30 01-31 02-03 02-04 04-04 05-01 05-02 05-05 06-02 "
    "10-01 10-02 10-03 10-06 10-07 10-08",
    2026: "01-01 01-02 02-16 02-17 02-18 02-19 02-20 02-23 04-06 05-01 05-04 05-05 06-19 "
    "09-25 10-01 10-02 10-05 10-06 10-07",
}

FIRST_YEAR, LAST_YEAR = 2024, 2026
WEEKDAY = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def d(text: str) -> date:
    return date.fromisoformat(text)


REST: dict[date, str] = {}  # date -> "春节 2025"
ADJUSTED: dict[date, str] = {}  # date -> "春节 2025"
BLOCKS: list[tuple[str, date, date, list[date]]] = []  # ("春节 2025", first, last, adjusted)
for _year, _rows in SCHEDULES.items():
    for _name, _first, _last, _adjusted in _rows:
        _label = f"{_name} {_year}"
        _a, _b = d(_first), d(_last)
        BLOCKS.append((_label, _a, _b, [d(x) for x in _adjusted]))
        _day = _a
        while _day <= _b:
            assert _day not in REST, _day
            REST[_day] = _label
            _day += timedelta(days=1)
        for _x in _adjusted:
            assert d(_x).weekday() >= 5, f"调休上班 {_x} is not a weekend day"
            ADJUSTED[d(_x)] = _label


class OutsidePublishedYears(Exception):
    pass


def is_working(day: date) -> bool:
    """§3: Mon-Fri work, Sat-Sun rest; a holiday is a rest day; a 调休上班 day is a working day."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise OutsidePublishedYears(day)
    if day in ADJUSTED:
        return True
    if day in REST:
        return False
    return day.weekday() < 5


def describe(day: date) -> str:
    """`2025-01-31 Fri (春节 2025 rest)` style text for the why column."""
    wd = WEEKDAY[day.weekday()]
    if day in REST:
        return f"{day} {wd} ({REST[day]} rest)"
    if day in ADJUSTED:
        return f"{day} {wd} (调休上班 {ADJUSTED[day]})"
    if day.weekday() >= 5:
        return f"{day} {wd} (weekend)"
    return f"{day} {wd}"


# ---------------------------------------------------------------------------------------------
# §3 counting rules
# ---------------------------------------------------------------------------------------------


def add_months(start: date, n: int) -> tuple[date, bool]:
    """民法典 Art. 202: the corresponding day n months on, else the month's last day.
    Returns (day, clipped)."""
    month0 = start.month - 1 + n
    year, month = start.year + month0 // 12, month0 % 12 + 1
    # last day of (year, month)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    last = (nxt - timedelta(days=1)).day
    if start.day > last:
        return date(year, month, last), True
    return date(year, month, start.day), False


def nth_working_day_after(start: date, n: int) -> tuple[date, list[date]]:
    """行政处罚法 Art. 85 style: the n-th working day after `start` (not counting `start`).
    Returns (day, counted days)."""
    counted: list[date] = []
    day = start
    while len(counted) < n:
        day += timedelta(days=1)
        if is_working(day):
            counted.append(day)
    return day, counted


def roll_forward(day: date) -> date:
    """民诉法 Art. 85(3), 民法典 Art. 203: a last day that is not a working day moves to the next."""
    while not is_working(day):
        day += timedelta(days=1)
    return day


UNIT_TEXT = {"h": "h", "cd": "cd", "m": "m", "wd": "wd"}


@dataclass(frozen=True)
class Procedure:
    id: str
    amount: int
    unit: str  # h | cd | m | wd
    extension: tuple[int, str] | None  # the fixed extension rule, if any (§1)


# §1 (the procedures the project encodes in data/procedures.toml)
PROCEDURES = {
    p.id: p
    for p in [
        Procedure("F1", 24, "h", None),
        Procedure("P1", 5, "wd", None),
        Procedure("P3", 3, "m", (1, "m")),
        Procedure("P4", 3, "m", (2, "m")),
        Procedure("P6", 15, "cd", None),
        Procedure("P7", 90, "cd", (30, "cd")),
        Procedure("M1", 15, "wd", (15, "wd")),
        Procedure("M2", 90, "cd", (30, "cd")),
        Procedure("M3", 90, "cd", None),
        Procedure("M4", 7, "wd", None),
        Procedure("M5", 45, "wd", None),
        Procedure("C1", 3, "wd", None),
        Procedure("C2", 30, "wd", None),
        Procedure("C3", 20, "wd", None),
        Procedure("C4", 50, "wd", None),
        Procedure("C5", 30, "wd", None),
        Procedure("T1", 3, "cd", None),
        Procedure("T2", 24, "h", None),
        Procedure("T3", 3, "cd", None),
        Procedure("T7", 3, "cd", None),
        Procedure("E1", 15, "cd", None),
    ]
}

RUST_UNIT = {"h": "h", "cd": "d", "m": "m", "wd": "wd"}  # Amount's FromStr suffixes


def parse_amount(text: str) -> tuple[int, str]:
    m = re.fullmatch(r"(\d+)(h|d|cd|m|wd)", text)
    assert m, text
    unit = {"d": "cd"}.get(m.group(2), m.group(2))
    return int(m.group(1)), unit


def count(start: date, amount: int, unit: str) -> tuple[date, str]:
    """One period from `start`, unrolled. Returns (last day, how)."""
    if unit == "cd":
        end = start + timedelta(days=amount)
        return end, f"{amount}cd from {start} -> {describe(end)}"
    if unit == "m":
        end, clipped = add_months(start, amount)
        note = " (no corresponding day: month end)" if clipped else ""
        return end, f"{amount}m from {start} -> {describe(end)}{note}"
    if unit == "wd":
        end, counted = nth_working_day_after(start, amount)
        span = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]
        skipped = list(dict.fromkeys(REST[x] for x in span if x in REST))  # in date order
        adj = [x for x in counted if x in ADJUSTED]
        how = f"{amount}wd after {start} -> {describe(end)}"
        if amount <= 7:
            how += "; counted " + ",".join(x.strftime("%m-%d") for x in counted)
        if skipped:
            how += "; skips " + ", ".join(skipped)
        if adj:
            how += "; counts 调休 " + ",".join(
                f"{x.strftime('%m-%d')} {WEEKDAY[x.weekday()]}" for x in adj
            )
        return end, how
    raise ValueError(unit)


@dataclass
class Result:
    due: datetime
    why: str
    dates: tuple[date, date]  # first and last local date the computation looked at


def compute(proc_id: str, start: datetime, extension: str | None) -> Result:
    p = PROCEDURES[proc_id]
    local = start.astimezone(SHANGHAI)
    if p.unit == "h":
        assert extension is None
        due = local + timedelta(hours=p.amount)
        is_working(local.date())  # range check only
        is_working(due.date())
        crossed = sorted(
            {
                REST[x]
                for x in (local.date() + timedelta(days=i) for i in range((due.date() - local.date()).days + 1))
                if x in REST
            }
        )
        why = f"{p.amount}h exact from {local:%m-%d %H:%M}, never rolled (§3 h)"
        if crossed:
            why += ", runs through " + ", ".join(crossed)
        return Result(due, why, (local.date(), due.date()))

    start_day = local.date()
    is_working(start_day)
    last, why = count(start_day, p.amount, p.unit)
    if extension is not None:
        amount, unit = parse_amount(extension)
        assert p.extension is not None, f"{proc_id} has no extension rule"
        assert unit == p.extension[1] and amount <= p.extension[0], (proc_id, extension)
        last, how = count(last, amount, unit)
        why += f"; ext §8.1 from the unrolled end: {how}"
    if p.unit in ("cd", "m"):
        rolled = roll_forward(last)
        if rolled != last:
            why += f"; rolled to {describe(rolled)}"
        else:
            why += "; working day, no roll"
        last = rolled
    due = datetime(last.year, last.month, last.day, tzinfo=SHANGHAI) + timedelta(days=1)
    return Result(due, why + "; due 24:00", (start_day, last))


# ---------------------------------------------------------------------------------------------
# The cases. Start instants are Shanghai local; helpers place a start so that the nominal last
# day lands on a chosen day (the oracle's own arithmetic, written out in the table as dates).
# ---------------------------------------------------------------------------------------------


def landing_cd(target: str, n: int, hhmm: str = "09:30") -> str:
    """A start n calendar days before `target` (so n cd end on `target`)."""
    return f"{d(target) - timedelta(days=n)}T{hhmm}"


@dataclass(frozen=True)
class Case:
    proc: str
    start: str  # "YYYY-MM-DDTHH:MM" Shanghai local
    ext: str | None
    aim: str  # what the case is for


C = Case
CASES: list[Case] = [
    # --- F1 / T2: 24 hours, exact, never rolled (§3 h) ---------------------------------------
    C("F1", "2024-02-09T23:59", None, "除夕 2024 (a working day) into 春节"),
    C("F1", "2025-10-01T00:00", None, "midnight start on 国庆 2025"),
    C("F1", "2026-01-01T23:59", None, "23:59 start on 元旦 2026"),
    C("F1", "2024-09-14T18:30", None, "调休上班 Sat 2024-09-14 into 中秋"),
    C("F1", "2026-06-18T12:00", None, "eve of 端午 2026"),
    C("T2", "2024-04-03T16:00", None, "eve of 清明 2024"),
    C("T2", "2025-05-01T00:00", None, "midnight start on 劳动节 2025"),
    C("T2", "2026-09-25T23:59", None, "23:59 start on 中秋 2026"),
    C("T2", "2024-12-31T23:59", None, "New Year's Eve 2024 into 元旦 2025"),
    C("T2", "2026-02-14T00:00", None, "调休上班 Sat 2026-02-14 into 春节 2026"),
    # --- T1 / T3 / T7: 3 days, counted as calendar days (§2.6), rolled ------------------------
    C("T1", "2024-02-06T10:00", None, "ends on 除夕 2024, a working day"),
    C("T1", "2025-09-28T09:00", None, "starts on 调休上班 Sun, ends in 国庆中秋 2025"),
    C("T1", "2026-09-17T23:59", None, "ends on 调休上班 Sun 2026-09-20"),
    C("T1", "2025-05-29T00:00", None, "ends in 端午 2025"),
    C("T1", "2024-12-29T09:00", None, "ends on 元旦 2025"),
    C("T3", "2024-02-07T15:00", None, "ends in 春节 2024, rolls to 调休上班 Sun"),
    C("T3", "2024-04-01T00:00", None, "ends on 清明 2024, rolls to 调休上班 Sun"),
    C("T3", "2026-02-12T09:00", None, "ends in 春节 2026 (9 days)"),
    C("T3", "2024-09-26T10:00", None, "ends on 调休上班 Sun 2024-09-29"),
    C("T3", "2026-04-30T23:59", None, "ends in 劳动节 2026"),
    C("T3", "2025-04-01T00:00", None, "ends on 清明 2025"),
    C("T7", "2024-05-02T09:00", None, "ends in 劳动节 2024"),
    C("T7", "2025-01-25T11:00", None, "ends on 除夕 2025"),
    C("T7", "2026-10-07T09:00", None, "ends on 调休上班 Sat 2026-10-10"),
    C("T7", "2024-06-07T17:00", None, "ends on 端午 2024"),
    C("T7", "2025-12-29T23:59", None, "ends on 元旦 2026, rolls to 调休上班 Sun"),
    # --- E1 / P6: 15 calendar days -----------------------------------------------------------
    C("E1", "2024-01-27T10:00", None, "ends in 春节 2024, rolls to 调休上班 Sun"),
    C("E1", "2024-09-01T10:00", None, "ends in 中秋 2024"),
    C("E1", "2025-03-20T10:00", None, "ends on 清明 2025"),
    C("E1", "2026-09-05T00:00", None, "ends on 调休上班 Sun 2026-09-20"),
    C("E1", "2025-12-17T23:59", None, "ends on 元旦 2026"),
    C("E1", "2026-06-04T14:00", None, "ends on 端午 2026"),
    C("P6", "2024-02-02T10:00", None, "ends on the last day of 春节 2024"),
    C("P6", "2024-04-12T10:00", None, "ends on a Sat, rolls to 调休上班 Sun 2024-04-28"),
    C("P6", "2025-09-13T10:00", None, "ends on 调休上班 Sun 2025-09-28"),
    C("P6", "2025-05-17T10:00", None, "ends in 端午 2025"),
    C("P6", "2026-04-20T10:00", None, "ends in 劳动节 2026"),
    C("P6", "2024-12-17T10:00", None, "ends on 元旦 2025"),
    # --- P7 / M2 / M3: 90 calendar days (+30) ------------------------------------------------
    C("P7", landing_cd("2024-10-01", 90), None, "ends on 国庆 2024"),
    C("P7", landing_cd("2025-01-01", 90), None, "starts in 国庆 2024, ends on 元旦 2025"),
    C("P7", landing_cd("2026-02-15", 90), None, "ends in 春节 2026"),
    C("P7", landing_cd("2026-02-15", 90), "30d", "ext from the unrolled 02-15, not the rolled 02-24"),
    C("P7", landing_cd("2026-09-25", 90), None, "ends on 中秋 2026"),
    C("P7", landing_cd("2026-09-25", 90), "30d", "ext from 中秋 2026 ends on a Sun"),
    C("M2", "2024-10-30T09:30", None, "ends on 除夕 2025"),
    C("M2", "2024-10-30T09:30", "30d", "ext from the unrolled 除夕 2025"),
    C("M2", landing_cd("2025-05-01", 90), None, "starts in 春节 2025, ends on 劳动节 2025"),
    C("M2", landing_cd("2026-10-10", 90, "23:59"), None, "ends on 调休上班 Sat 2026-10-10"),
    C("M2", landing_cd("2026-10-10", 90), "30d", "ext from 调休上班 Sat 2026-10-10"),
    C("M2", landing_cd("2024-09-14", 90), None, "ends on 调休上班 Sat 2024-09-14"),
    C("M2", landing_cd("2026-10-01", 120), "30d", "extended period ends on 国庆 2026"),
    C("M3", "2024-02-01T09:30", None, "ends on 劳动节 2024"),
    C("M3", landing_cd("2025-10-06", 90), None, "ends on 中秋 2025 (inside 国庆)"),
    C("M3", landing_cd("2026-04-05", 90), None, "ends on 清明 2026"),
    C("M3", "2024-02-29T00:00", None, "starts on Feb 29 2024"),
    C("M3", landing_cd("2026-02-28", 90), None, "ends on 调休上班 Sat 2026-02-28"),
    # --- P1 / M4 / C1: short working-day clocks ----------------------------------------------
    C("P1", "2024-01-01T09:00", None, "starts on 元旦 2024"),
    C("P1", "2025-01-24T23:59", None, "counts 调休上班 Sun 2025-01-26, skips 春节 2025"),
    C("P1", "2024-09-27T10:00", None, "counts 调休上班 Sun 2024-09-29, skips 国庆 2024"),
    C("P1", "2026-05-08T10:00", None, "counts 调休上班 Sat 2026-05-09"),
    C("P1", "2025-05-30T00:00", None, "skips 端午 2025"),
    C("M4", "2024-01-01T23:59", None, "starts on 元旦 2024"),
    C("M4", "2024-04-30T10:00", None, "skips 劳动节 2024, counts 调休上班 Sat 05-11"),
    C("M4", "2025-04-01T10:00", None, "skips 清明 2025"),
    C("M4", "2026-02-13T10:00", None, "counts both 春节 2026 调休上班 Saturdays"),
    C("M4", "2024-06-06T10:00", None, "skips 端午 2024"),
    C("C1", "2024-02-02T10:00", None, "counts 调休上班 Sun 2024-02-04"),
    C("C1", "2024-02-04T10:00", None, "starts on 调休上班 Sun 2024-02-04"),
    C("C1", "2025-01-26T00:00", None, "starts on 调休上班 Sun 2025-01-26, skips 春节 2025"),
    C("C1", "2026-09-18T23:59", None, "counts 调休上班 Sun 2026-09-20"),
    C("C1", "2026-10-09T10:00", None, "counts 调休上班 Sat 2026-10-10"),
    C("C1", "2024-06-07T10:00", None, "skips 端午 2024"),
    C("C1", "2024-04-03T23:59", None, "skips 清明 2024, counts 调休上班 Sun 04-07"),
    # --- M1 (15 wd + 15 wd), M5 (45 wd) ------------------------------------------------------
    C("M1", "2025-01-20T10:00", None, "across 春节 2025 and both its 调休上班 days"),
    C("M1", "2024-09-10T10:00", None, "across 中秋 2024 and 国庆 2024"),
    C("M1", "2026-09-15T10:00", "15wd", "ext across 中秋 and 国庆 2026"),
    C("M1", "2024-04-01T10:00", "15wd", "ext across 清明 and 劳动节 2024"),
    C("M1", "2026-04-24T10:00", None, "across 劳动节 2026, 调休上班 Sat 05-09"),
    C("M1", "2025-12-15T10:00", "15wd", "ext across 元旦 2026 and 调休上班 Sun 01-04"),
    C("M5", "2024-01-15T10:00", None, "across 春节 2024"),
    C("M5", "2025-09-01T10:00", None, "across 国庆中秋 2025"),
    C("M5", "2026-04-01T10:00", None, "across 清明 and 劳动节 2026"),
    C("M5", "2024-08-15T10:00", None, "across 中秋 and 国庆 2024"),
    # --- C2 / C3 / C4 / C5: customs working-day clocks ---------------------------------------
    C("C2", "2024-01-22T10:00", None, "across 春节 2024"),
    C("C2", "2025-09-15T10:00", None, "across 国庆中秋 2025"),
    C("C2", "2026-01-05T10:00", None, "ends on 调休上班 Sat 2026-02-14, eve of 春节 2026"),
    C("C2", "2024-04-01T10:00", None, "across 清明 and 劳动节 2024"),
    C("C3", "2024-02-01T10:00", None, "across 春节 2024"),
    C("C3", "2025-04-20T10:00", None, "across 劳动节 2025 and 调休上班 Sun 04-27"),
    C("C3", "2026-05-25T10:00", None, "across 端午 2026"),
    C("C3", "2025-01-02T10:00", None, "across 春节 2025"),
    C("C3", "2026-09-01T23:59", None, "across 中秋 2026 and 调休上班 Sun 09-20"),
    C("C4", "2024-08-20T10:00", None, "across 中秋 and 国庆 2024"),
    C("C4", "2025-03-01T10:00", None, "starts on a Sat, across 清明 and 劳动节 2025"),
    C("C4", "2026-08-17T10:00", None, "across 中秋 and 国庆 2026"),
    C("C4", "2025-12-01T10:00", None, "across 元旦 2026, ends before 春节 2026"),
    C("C5", "2024-05-20T10:00", None, "across 端午 2024"),
    C("C5", "2025-12-10T10:00", None, "across 元旦 2026"),
    C("C5", "2024-12-10T10:00", None, "across 元旦 2025"),
    C("C5", "2026-03-20T10:00", None, "across 清明 and 劳动节 2026"),
    # --- P3 (2015 Measures, cases filed before 2025-02-01, §8.9): 3 months + 1 -----------------
    C("P3", "2024-01-04T10:00", None, "ends on 清明 2024, rolls to 调休上班 Sun"),
    C("P3", "2024-01-28T10:00", None, "ends on 调休上班 Sun 2024-04-28"),
    C("P3", "2024-03-10T10:00", None, "ends on 端午 2024"),
    C("P3", "2024-06-15T10:00", None, "ends on 中秋 2024"),
    C("P3", "2024-07-04T10:00", None, "ends in 国庆 2024"),
    C("P3", "2024-11-01T10:00", None, "ends in 春节 2025"),
    C("P3", "2025-01-26T09:00", None, "starts on 调休上班 Sun, ends on a Sat, rolls to 调休上班 Sun"),
    C("P3", "2024-01-01T00:00", None, "starts at midnight on 元旦 2024"),
    C("P3", "2024-02-29T10:00", None, "starts on Feb 29 2024"),
    C("P3", "2024-02-29T10:00", "1m", "Feb 29 2024 + 3m + 1m"),
    C("P3", "2024-10-31T23:59", None, "Jan 31 2025 is in 春节 2025"),
    C("P3", "2024-10-31T23:59", "1m", "ext from the unrolled Jan 31 2025 (Jan 31 + 1 month)"),
    C("P3", "2024-01-31T10:00", "1m", "Jan 31 + 3m = Apr 30, + 1m = May 30 (§8.1)"),
    C("P3", "2025-01-31T10:00", "1m", "the §8.1 example"),
    C("P3", "2024-08-31T10:00", "1m", "Aug 31 + 3m = Nov 30 (Sat), + 1m from the unrolled day"),
    C("P3", "2024-11-30T10:00", "1m", "Nov 30 + 3m = Feb 28 2025, + 1m = Mar 28"),
    C("P3", "2024-11-29T10:00", "1m", "Nov 29 + 3m = Feb 28 2025 (no Feb 29), + 1m = Mar 28"),
    C("P3", "2024-02-01T10:00", "1m", "ends on 劳动节 2024, ext from the unrolled May 1"),
    # --- P4 (CNIPA order no. 81, filed from 2025-02-01, §8.9): 3 months + 2 -------------------
    C("P4", "2025-02-01T10:00", None, "starts in 春节 2025, ends on 劳动节 2025"),
    C("P4", "2025-03-02T10:00", None, "ends on 端午 2025"),
    C("P4", "2025-07-04T10:00", None, "ends in 国庆中秋 2025"),
    C("P4", "2025-10-01T00:00", None, "starts on 国庆 2025, ends on 元旦 2026"),
    C("P4", "2025-11-15T10:00", None, "ends in 春节 2026 (9 days)"),
    C("P4", "2026-01-04T00:00", None, "starts on 调休上班 Sun, ends in 清明 2026"),
    C("P4", "2026-02-01T10:00", None, "ends on 劳动节 2026"),
    C("P4", "2026-03-19T10:00", None, "ends on 端午 2026"),
    C("P4", "2026-06-25T10:00", None, "ends on 中秋 2026"),
    C("P4", "2026-07-01T10:00", None, "ends on 国庆 2026"),
    C("P4", "2026-07-10T23:59", None, "ends on 调休上班 Sat 2026-10-10"),
    C("P4", "2025-11-30T10:00", None, "Nov 30 + 3m = Feb 28 2026, 调休上班 Sat"),
    C("P4", "2025-11-30T10:00", "2m", "Feb 28 2026 + 2m = Apr 28 (§8.1)"),
    C("P4", "2025-08-31T10:00", "2m", "Aug 31 + 3m = Nov 30 (Sun), + 2m from the unrolled day"),
    C("P4", "2025-05-31T10:00", "2m", "May 31 + 3m = Aug 31 (Sun), + 2m = Oct 31"),
    C("P4", "2025-12-31T10:00", "2m", "Dec 31 + 3m = Mar 31, + 2m = May 31 (Sun)"),
    C("P4", "2025-07-31T10:00", "1m", "a partial extension: Oct 31 + 1m = Nov 30 (Sun)"),
    C("P4", "2025-03-31T10:00", "2m", "Jun 30 + 2m = Aug 30 (Sat)"),
    C("P4", "2026-04-30T10:00", "2m", "Jul 30 + 2m = Sep 30, eve of 国庆 2026"),
]


# ---------------------------------------------------------------------------------------------
# Self-checks
# ---------------------------------------------------------------------------------------------


def self_check() -> None:
    # the typed schedules agree with the doc's own weekday-rest-day lists
    for year, text in WEEKDAY_REST_DAYS_IN_DOC.items():
        want = {d(f"{year}-{md}") for md in text.split()}
        got = {x for x in REST if x.year == year and x.weekday() < 5}
        assert got == want, (year, sorted(got ^ want))
    # 2024: 除夕 (Feb 9, Fri) was a working day
    assert is_working(d("2024-02-09"))
    # §8.1's example: P3 from 立案 2025-01-31 with a 1-month extension -> 2025-05-30 (Fri)
    r = compute("P3", datetime(2025, 1, 31, 10, 0, tzinfo=SHANGHAI), "1m")
    assert r.due == datetime(2025, 5, 31, tzinfo=SHANGHAI), r
    # and "start + 4 months" would give 05-31 -> rolled to 06-03 (the doc's counter-example)
    assert roll_forward(add_months(d("2025-01-31"), 4)[0]) == d("2025-06-03")
    # the adjusted weekends named in the brief are working days
    for x in ["2026-09-20", "2026-10-10", "2025-01-26", "2024-02-04"]:
        assert is_working(d(x)) and d(x).weekday() >= 5, x


def coverage(results: list[tuple[Case, Result]]) -> dict[str, list[str]]:
    """For each holiday block, the cases that start, count through or end near it."""
    out: dict[str, list[str]] = {b[0]: [] for b in BLOCKS}
    for case, r in results:
        a, z = r.dates
        unit = PROCEDURES[case.proc].unit
        for label, first, last, adjusted in BLOCKS:
            days = [first + timedelta(days=i) for i in range((last - first).days + 1)] + adjusted
            near_start = any(abs((x - a).days) <= 3 for x in days)
            near_end = any(-7 <= (x - z).days <= 3 for x in days)
            inside = unit in ("wd", "h") and any(a <= x <= z for x in days)
            if near_start or near_end or inside:
                out[label].append(f"{case.proc}@{case.start[:10]}")
    return out


def rust_rows(results: list[tuple[Case, Result]]) -> list[str]:
    rows = []
    for case, r in results:
        start = f"{case.start}:00+08:00"
        ext = f'Some("{case.ext}")' if case.ext else "None"
        due = r.due.isoformat()
        why = f"{case.aim}: {r.why}".replace('"', "'")
        rows.append(f'    ("{case.proc}", "{start}", {ext}, "{due}", "{why}"),')
    return rows


def check_against_files(rows: list[str]) -> None:
    # the limits typed above agree with the law-as-data file
    data = tomllib.loads(PROCEDURES_TOML.read_text(encoding="utf-8"))
    unit_key = {"hours": "h", "calendar_days": "cd", "months": "m", "working_days": "wd"}
    for p in data["procedure"]:
        mine = PROCEDURES.get(p["id"])
        assert mine is not None, f"{p['id']} is in procedures.toml but not in the oracle"
        assert (mine.amount, mine.unit) == (p["limit"]["amount"], unit_key[p["limit"]["unit"]]), p["id"]
        fixed = [e for e in p.get("extension", []) if not e.get("collective")]
        want = (fixed[0]["amount"], unit_key[fixed[0]["unit"]]) if fixed else None
        assert mine.extension == want, p["id"]
    # the table in hand_computed.rs is exactly the oracle's output (trailing comments aside)
    text = TEST_FILE.read_text(encoding="utf-8")
    table = [
        re.sub(r"\s*// code gap:.*$", "", line.rstrip())
        for line in text.splitlines()
        if line.lstrip().startswith('("')
    ]
    norm = lambda s: re.sub(r"\s+", " ", s.strip())  # noqa: E731 (cargo fmt may rewrap)
    if [norm(x) for x in table] != [norm(x) for x in rows]:
        for i, (a, b) in enumerate(zip(table, rows)):
            if norm(a) != norm(b):
                sys.exit(f"row {i} differs:\n  file:   {a.strip()}\n  oracle: {b.strip()}")
        sys.exit(f"row count differs: file {len(table)}, oracle {len(rows)}")
    print(f"ok: {len(rows)} rows in {TEST_FILE.name} match the oracle", file=sys.stderr)


def main() -> None:
    self_check()
    results = []
    for case in CASES:
        start = datetime.fromisoformat(case.start).replace(tzinfo=SHANGHAI)
        results.append((case, compute(case.proc, start, case.ext)))
        a, z = results[-1][1].dates
        assert FIRST_YEAR <= a.year and z.year <= LAST_YEAR, case

    # the brief's coverage requirements
    assert len(results) >= 110, len(results)
    per_proc = {p: sum(c.proc == p for c in CASES) for p in PROCEDURES}
    assert all(n >= 3 for n in per_proc.values()), per_proc
    assert sum(c.ext is not None for c in CASES) >= 10
    assert len({(c.proc, c.start, c.ext) for c in CASES}) == len(CASES), "duplicate case"
    cov = coverage(results)
    thin = {k: v for k, v in cov.items() if len(v) < 3}
    assert not thin, thin

    rows = rust_rows(results)
    if "--check" in sys.argv:
        check_against_files(rows)
    else:
        print("\n".join(rows))
    if "--coverage" in sys.argv:
        print(f"{len(results)} cases, {sum(c.ext is not None for c in CASES)} with an extension", file=sys.stderr)
        print("per procedure: " + ", ".join(f"{k} {v}" for k, v in per_proc.items()), file=sys.stderr)
        for k, v in cov.items():
            print(f"  {k}: {len(v)}: {' '.join(v)}", file=sys.stderr)


if __name__ == "__main__":
    main()
