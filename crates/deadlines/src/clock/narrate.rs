//! The bilingual steps of a clock's explanation, one per rule applied.

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

use super::ClockStatus;
use super::resolve::Applied;
use crate::calendar::Walk;
use crate::explain::{Landing, Step, date_en, date_zh, duration_en, duration_zh, instant};
use crate::procedure::{ExclusionKind, ExtensionRule, Procedure};
use crate::ranges::Interval;
use crate::unit::{Amount, Unit};

pub(super) fn start_day(p: &Procedure, start: Timestamp, d: Date) -> Step {
    Step::new(
        format!(
            "{} {}（{}）：当日不计入，自次日起算（民法典第201条）",
            p.trigger.zh,
            date_zh(d),
            instant(start)
        ),
        format!(
            "start {} ({}, {}): that day is not counted, counting begins the next day (民法典 Art. 201)",
            date_en(d),
            p.trigger.en,
            instant(start)
        ),
    )
}

pub(super) fn start_hours(p: &Procedure, start: Timestamp) -> Step {
    Step::new(
        format!(
            "{} {}：按小时计算，跨越夜间、周末和节假日，不顺延（民法典第201条）",
            p.trigger.zh,
            instant(start)
        ),
        format!(
            "start {} ({}): exact hours across nights, weekends and holidays, never rolled (民法典 Art. 201)",
            instant(start),
            p.trigger.en
        ),
    )
}

pub(super) fn limit_hours(limit: Amount, end: Timestamp) -> Step {
    Step::new(
        format!("加{} -> {}", limit.zh(), instant(end)),
        format!("+{} -> {}", limit.en(), instant(end)),
    )
}

pub(super) fn limit_days(start: Date, limit: Amount, end: Date) -> Step {
    let (zh, en) = match limit.unit {
        Unit::Months if end.day() != start.day() => (
            "（该月无对应日，取当月最后一日，民法典第202条）",
            " (no corresponding day in that month: its last day, 民法典 Art. 202)",
        ),
        Unit::Months => (
            "（对应日，民法典第202条）",
            " (corresponding day, 民法典 Art. 202)",
        ),
        _ => ("", ""),
    };
    Step::new(
        format!("加{} -> {}{zh}", limit.zh(), date_zh(end)),
        format!("+{} -> {}{en}", limit.en(), date_en(end)),
    )
}

pub(super) fn limit_working(limit: Amount, walk: &Walk) -> Step {
    let (zh, en) = walk_notes(walk);
    Step::new(
        format!("加{} -> {}{zh}", limit.zh(), date_zh(walk.end)),
        format!("+{} -> {}{en}", limit.en(), date_en(walk.end)),
    )
}

/// "（跳过：国庆节 2026-10-01至2026-10-07、周末2天；计入调休上班日 2026-10-10）"
fn walk_notes(walk: &Walk) -> (String, String) {
    let mut zh: Vec<String> = Vec::new();
    let mut en: Vec<String> = Vec::new();
    let mut holidays: Vec<(&str, &str, Date, Date)> = Vec::new();
    let mut weekends = 0;
    for (d, why) in &walk.skipped {
        match why {
            Landing::Holiday { zh, en } => match holidays.last_mut() {
                Some(h) if h.0 == zh.as_str() => h.3 = *d,
                _ => holidays.push((zh, en, *d, *d)),
            },
            _ => weekends += 1,
        }
    }
    for (hz, he, from, to) in &holidays {
        zh.push(format!("{hz} {from}至{to}"));
        en.push(format!("{he} {from}..={to}"));
    }
    if weekends > 0 {
        zh.push(format!("周末{weekends}天"));
        en.push(format!("{weekends} weekend days"));
    }
    let mut z = if zh.is_empty() {
        String::new()
    } else {
        format!("跳过：{}", zh.join("、"))
    };
    let mut e = if en.is_empty() {
        String::new()
    } else {
        format!("skipping {}", en.join(", "))
    };
    if !walk.adjusted.is_empty() {
        let days: Vec<String> = walk.adjusted.iter().map(Date::to_string).collect();
        let sep = if z.is_empty() { "" } else { "；" };
        z.push_str(&format!("{sep}计入调休上班日 {}", days.join("、")));
        let sep = if e.is_empty() { "" } else { "; " };
        e.push_str(&format!(
            "{sep}counting adjusted working days {}",
            days.join(", ")
        ));
    }
    if z.is_empty() {
        return (String::new(), String::new());
    }
    (format!("（{z}）"), format!(" ({e})"))
}

pub(super) fn extension(a: &Applied, rule: &ExtensionRule, end_zh: &str, end_en: &str) -> Step {
    let at = instant(a.approved_at);
    // the deadline calculator may be asked about an extension without naming who approved it
    let (by_zh, by_en) = match a.approver.trim() {
        "" => (
            format!("批准人未填，{at}"),
            format!("approver not given, at {at}"),
        ),
        who => (
            format!("批准：{who}，{at}"),
            format!("approved by {who} at {at}"),
        ),
    };
    Step::new(
        format!(
            "延长{}（{}；{by_zh}），自原期限届满日起算 -> {end_zh}",
            a.amount.zh(),
            rule.approver_zh,
        ),
        format!(
            "+{} extension ({}; {by_en}), counted from the end of the period it extends -> {end_en}",
            a.amount.en(),
            rule.approver_en,
        ),
    )
}

fn kinds(k: &[ExclusionKind]) -> (String, String) {
    let zh: Vec<&str> = k.iter().map(|k| k.zh()).collect();
    let en: Vec<&str> = k.iter().map(|k| k.key()).collect();
    (zh.join("、"), en.join(", "))
}

fn open_note(open: bool) -> (&'static str, &'static str) {
    if open {
        (
            "（尚未结束，暂计至现在）",
            ", still running, counted to now",
        )
    } else {
        ("", "")
    }
}

/// A span of excluded dates `[from, to)`, shown with its last date.
fn date_span(s: &Interval<Date>) -> (String, String) {
    let (kz, ke) = kinds(&s.kinds);
    let last = s.to.yesterday().unwrap_or(s.to);
    let (oz, oe) = open_note(s.open);
    (
        format!("{kz}期间 {} 至 {last}{oz}", s.from),
        format!("{ke} {}..={last}{oe}", s.from),
    )
}

pub(super) fn excluded_days(s: &Interval<Date>, days: i64, end: Date) -> Step {
    let (z, e) = date_span(s);
    Step::new(
        format!("{z}：{days}日不计入 -> {}", date_zh(end)),
        format!("+{days} days excluded ({e}) -> {}", date_en(end)),
    )
}

pub(super) fn excluded_working(s: &Interval<Date>, days: u32, end: Date) -> Step {
    let (z, e) = date_span(s);
    Step::new(
        format!("{z}：{days}个工作日不计入 -> {}", date_zh(end)),
        format!("{days} working days excluded ({e}) -> {}", date_en(end)),
    )
}

pub(super) fn provisional(years: &[i16]) -> Step {
    let list = years
        .iter()
        .map(i16::to_string)
        .collect::<Vec<_>>()
        .join("、");
    let list_en = list.replace('、', ", ");
    Step::new(
        format!(
            "暂定：{list}年放假安排尚未发布，按《全国年节及纪念日放假办法》的法定节假日和周末推算（不含调休），发布后重新计算"
        ),
        format!(
            "provisional: the {list_en} holiday schedule is not yet published; counted on the statutory holidays and weekends (no adjusted working days), and recomputed when it is"
        ),
    )
}

pub(super) fn excluded_capped(cap: Amount, last: Date) -> Step {
    Step::new(
        format!(
            "不计入期间合计以{}为限（最高法 批复 2020 第3项），{}之后的期间照常计算",
            cap.zh(),
            date_zh(last)
        ),
        format!(
            "excluded time is capped at {} in total (SPC reply 2020 item 3): time after {} counts",
            cap.en(),
            date_en(last)
        ),
    )
}

pub(super) fn excluded_after_end(s: &Interval<Date>) -> Step {
    let (z, e) = date_span(s);
    Step::new(
        format!("{z}：开始于期限届满之后，不影响期限"),
        format!("excluded period {e} begins after the period ran out: no effect"),
    )
}

pub(super) fn excluded_time(
    s: &Interval<Timestamp>,
    paused: SignedDuration,
    end: Timestamp,
) -> Step {
    let (kz, ke) = kinds(&s.kinds);
    let (oz, oe) = open_note(s.open);
    let (from, to) = (instant(s.from), instant(s.to));
    Step::new(
        format!(
            "{kz} {from} 至 {to}{oz}：暂停{} -> {}",
            duration_zh(paused),
            instant(end)
        ),
        format!(
            "+{} paused ({ke} {from} to {to}{oe}) -> {}",
            duration_en(paused),
            instant(end)
        ),
    )
}

pub(super) fn excluded_time_after_end(s: &Interval<Timestamp>) -> Step {
    let (kz, ke) = kinds(&s.kinds);
    let (from, to) = (instant(s.from), instant(s.to));
    Step::new(
        format!("{kz} {from} 至 {to}：开始于期限届满之后，不影响期限"),
        format!("excluded period {ke} {from} to {to} begins after the period ran out: no effect"),
    )
}

pub(super) fn rolled(end: Date, why: &Landing, to: Date) -> Step {
    Step::new(
        format!(
            "{} 落在{} -> 顺延至下一个工作日 {}（民事诉讼法第85条第3款；民法典第203条）",
            date_zh(end),
            why.zh(),
            date_zh(to)
        ),
        format!(
            "{} lands on {} -> rolled forward to the next working day {} (民诉法 Art. 85(3); 民法典 Art. 203)",
            date_en(end),
            why.en(),
            date_en(to)
        ),
    )
}

pub(super) fn due_day(d: Date) -> Step {
    Step::new(
        format!(
            "期限届满：{} 24:00（北京时间，民法典第203条第2款）",
            date_zh(d)
        ),
        format!(
            "due {} 24:00 Asia/Shanghai (民法典 Art. 203(2))",
            date_en(d)
        ),
    )
}

pub(super) fn due_exact(t: Timestamp) -> Step {
    Step::new(
        format!("期限届满：{}", instant(t)),
        format!("due {}", instant(t)),
    )
}

pub(super) fn status(s: ClockStatus, left: SignedDuration, closed: Option<Timestamp>) -> Step {
    let (lz, le) = (duration_zh(left.abs()), duration_en(left.abs()));
    match (s, closed) {
        (ClockStatus::ClosedOnTime | ClockStatus::ClosedLate, Some(c)) => {
            let (rz, re) = if left.is_negative() {
                (format!("超期{lz}"), format!("{le} late"))
            } else {
                (format!("距期限尚余{lz}"), format!("{le} before the due"))
            };
            Step::new(
                format!("状态：{}（{}结案，{rz}）", s.zh(), instant(c)),
                format!("status: {} (closed {}, {re})", s.en(), instant(c)),
            )
        }
        (ClockStatus::Overdue, _) => Step::new(
            format!("状态：已超期{lz}"),
            format!("status: overdue by {le}"),
        ),
        (ClockStatus::Paused, _) => Step::new(
            format!("状态：暂停计时，期限为暂计（按现在恢复计算），剩余{lz}"),
            format!("status: paused; the due is provisional (as if resumed now), {le} left"),
        ),
        _ => Step::new(
            format!("状态：{}，剩余{lz}", s.zh()),
            format!("status: {}, {le} left", s.en()),
        ),
    }
}
