//! The routing facts and the amounts the criminal thresholds compare, validated like every
//! other field: each problem named, nothing dropped silently.

use jiff::civil::Date;

use super::{date, fen, required};
use crate::complaint::input::{AmountsInput, FactsInput, PriorPenaltyInput};
use crate::complaint::{
    Amounts, Facts, GiForm, PatentMatter, PenaltyKind, PriorPenalty, Right, RightKind, Supply,
};
use crate::error::ValidationErrors;

/// Counts of copies or labels: whole, not negative, at most a billion.
const COUNT_MAX: i64 = 1_000_000_000;

pub(super) fn amounts(e: &mut ValidationErrors, a: AmountsInput) -> Amounts {
    Amounts {
        illegal_business_volume_fen: fen(
            e,
            "amounts.illegal_business_volume",
            a.illegal_business_volume,
        ),
        illegal_gains_fen: fen(e, "amounts.illegal_gains", a.illegal_gains),
        loss_fen: fen(e, "amounts.loss", a.loss),
        sales_fen: fen(e, "amounts.sales", a.sales),
        unsold_value_fen: fen(e, "amounts.unsold_value", a.unsold_value),
        copies: count(e, "amounts.copies", a.copies),
        labels: count(e, "amounts.labels", a.labels),
    }
}

fn count(e: &mut ValidationErrors, path: &str, n: Option<i64>) -> Option<i64> {
    let n = n?;
    if !(0..=COUNT_MAX).contains(&n) {
        e.push(
            path,
            "count",
            "数量应为0至10亿之间的整数",
            "a count is a whole number from 0 to 1,000,000,000",
        );
        return None;
    }
    Some(n)
}

/// What the facts may say depends on the channel and the rights: customs facts only at the
/// border, patent matters only with a patent, a GI's form only with a GI. `today`, when given,
/// refuses dates after it.
pub(super) fn facts(
    e: &mut ValidationErrors,
    f: FactsInput,
    border: Option<bool>,
    rights: &[Right],
    today: Option<Date>,
) -> Facts {
    let has = |k: fn(RightKind) -> bool| rights.iter().any(|r| k(r.kind));
    let mut out = Facts::default();

    if let Some(list) = f.patent_matters {
        for (i, m) in list.iter().enumerate() {
            let path = format!("facts.patent_matters[{i}]");
            match PatentMatter::from_key(m.trim()) {
                Some(m) if !out.patent_matters.contains(&m) => out.patent_matters.push(m),
                Some(_) => {}
                None => e.push(
                    path,
                    "unknown_value",
                    "未知的专利事项：应为 infringement_dispute（专利侵权纠纷）或 counterfeit_marking（假冒专利）",
                    "unknown patent matter: use infringement_dispute or counterfeit_marking",
                ),
            }
        }
        if !out.patent_matters.is_empty() && !has(RightKind::is_patent) {
            e.push(
                "facts.patent_matters",
                "not_for_rights",
                "只有涉及专利的投诉才需说明专利事项",
                "a patent matter applies only to a complaint that relies on a patent",
            );
        }
    }

    out.conduct_on = past_date(e, "facts.conduct_on", f.conduct_on, today);
    if let Some(p) = f.prior_penalty {
        out.prior_penalty = prior_penalty(e, p, today);
    }
    if let (Some(p), Some(c)) = (out.prior_penalty, out.conduct_on)
        && p.decided_on > c
    {
        e.push(
            "facts.prior_penalty.decided_on",
            "after_conduct",
            "此前受过的处罚应早于本次行为日期",
            "a prior penalty is dated before the conduct complained of",
        );
    }

    out.supply = f
        .supply
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .and_then(|s| {
            let v = Supply::from_key(s);
            if v.is_none() {
                e.push(
                    "facts.supply",
                    "unknown_value",
                    "应为 goods（商品）或 services（服务）",
                    "use goods or services",
                );
            }
            v
        });

    for (path, v) in [
        ("facts.customs_recorded", f.customs_recorded),
        ("facts.customs_holds_goods", f.customs_holds_goods),
    ] {
        if v.is_some() && border == Some(false) {
            e.push(
                path,
                "field_not_for_channel",
                "此项只适用于进出口（海关）渠道",
                "this field applies to the border channel only",
            );
        }
    }
    out.customs_recorded = f.customs_recorded;
    out.customs_holds_goods = f.customs_holds_goods;

    if let Some(g) = f
        .gi_form
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match GiForm::from_key(g) {
            Some(g) if has(|k| k == RightKind::GeographicalIndication) => out.gi_form = Some(g),
            Some(_) => e.push(
                "facts.gi_form",
                "not_for_rights",
                "只有涉及地理标志的投诉才需说明其保护方式",
                "the form of protection applies only to a geographical indication",
            ),
            None => e.push(
                "facts.gi_form",
                "unknown_value",
                "应为 collective_mark（集体商标）、certification_mark（证明商标）或 product_protection（地理标志产品）",
                "use collective_mark, certification_mark or product_protection",
            ),
        }
    }
    out
}

fn prior_penalty(
    e: &mut ValidationErrors,
    p: PriorPenaltyInput,
    today: Option<Date>,
) -> Option<PriorPenalty> {
    let kind = match p.kind.as_deref().map(str::trim).unwrap_or_default() {
        "" => {
            required(e, "facts.prior_penalty.kind");
            None
        }
        k => {
            let v = PenaltyKind::from_key(k);
            if v.is_none() {
                e.push(
                    "facts.prior_penalty.kind",
                    "unknown_value",
                    "应为 administrative（行政处罚）或 criminal（刑事处罚）",
                    "use administrative or criminal",
                );
            }
            v
        }
    };
    let blank = p_blank(&p.decided_on);
    let decided_on = past_date(e, "facts.prior_penalty.decided_on", p.decided_on, today);
    if blank {
        required(e, "facts.prior_penalty.decided_on");
    }
    Some(PriorPenalty {
        kind: kind?,
        decided_on: decided_on?,
    })
}

fn p_blank(s: &Option<String>) -> bool {
    s.as_deref().is_none_or(|s| s.trim().is_empty())
}

/// A date no later than `today` (when known) and not before 1980 (a typo, not a fact).
fn past_date(
    e: &mut ValidationErrors,
    path: &str,
    value: Option<String>,
    today: Option<Date>,
) -> Option<Date> {
    let d = date(e, path, value)?;
    if d.year() < 1980 || today.is_some_and(|t| d > t) {
        e.push(
            path,
            "date_range",
            "日期不能晚于今天，也不能早于1980年",
            "the date cannot be after today or before 1980",
        );
        return None;
    }
    Some(d)
}
