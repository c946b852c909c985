//! Whether a rule's conditions hold for an input, and the facts that made them hold.

use kuaiwei_domain::{Direction, PenaltyKind};

use super::{BorderMatch, Fact, Match, RuleSet, ThresholdCompared};
use crate::input::{
    RoutingInput, direction_en, direction_zh, gi_form_en, gi_form_zh, right_en, right_zh,
    supply_en, supply_zh,
};
use crate::threshold::Metric;

/// The facts behind a match, in the order of the conditions, and any basis they add.
pub(super) struct Matched {
    facts: Vec<(String, String)>,
    pub(super) basis: Vec<String>,
    pub(super) compared: Vec<ThresholdCompared>,
}

impl Matched {
    pub(super) fn zh(&self) -> String {
        let f: Vec<&str> = self.facts.iter().map(|(zh, _)| zh.as_str()).collect();
        f.join("；")
    }

    pub(super) fn en(&self) -> String {
        let f: Vec<&str> = self.facts.iter().map(|(_, en)| en.as_str()).collect();
        f.join("; ")
    }
}

/// `Some` with the matching facts when every condition of `m` holds.
pub(super) fn check(m: &Match, input: &RoutingInput, set: &RuleSet) -> Option<Matched> {
    let mut out = Matched {
        facts: Vec::new(),
        basis: Vec::new(),
        compared: Vec::new(),
    };
    if m.always {
        out.facts.push(("兜底规则".into(), "catch-all rule".into()));
    }
    if let Some(id) = &m.threshold {
        let t = set.threshold(id)?;
        let r = t.reached(input)?;
        out.facts.push((r.describe_zh(t), r.describe_en(t)));
        out.compared.push(ThresholdCompared {
            threshold: t.id.clone(),
            reached: true,
            versions: r.compared.clone(),
        });
        let mut basis = format!("{} {}", r.basis, r.mark.glyph());
        if let Some(note) = &r.note {
            basis.push_str(&format!(" ({note})"));
        }
        out.basis.push(basis);
    }
    if let Some(want) = m.counterfeit_patent_marking {
        if input.counterfeit_patent_marking != want {
            return None;
        }
        out.facts.push(if want {
            (
                "涉嫌假冒专利（冒用专利标识）".into(),
                "suspected counterfeit patent marking".into(),
            )
        } else {
            (
                "不涉及假冒专利".into(),
                "no counterfeit patent marking".into(),
            )
        });
    }
    if !m.rights.is_empty() {
        let hit: Vec<_> = m
            .rights
            .iter()
            .copied()
            .filter(|k| input.rights.contains(k))
            .collect();
        if hit.is_empty() {
            return None;
        }
        let zh: Vec<&str> = hit.iter().map(|k| right_zh(*k)).collect();
        let en: Vec<&str> = hit.iter().map(|k| right_en(*k)).collect();
        out.facts.push((
            format!("权利类型：{}", zh.join("、")),
            format!("right kind: {}", en.join(", ")),
        ));
    }
    if !m.channels.is_empty() {
        if !m.channels.contains(&input.channel) {
            return None;
        }
        out.facts.push((
            format!("渠道：{}", input.channel.zh()),
            format!("channel: {}", input.channel.en()),
        ));
    }
    if let Some(border) = m.border {
        let d = input.border?;
        let holds = match border {
            BorderMatch::Any => true,
            BorderMatch::Import => d == Direction::Import,
            BorderMatch::Export => d == Direction::Export,
        };
        if !holds {
            return None;
        }
        out.facts.push((
            format!("进出口货物（{}）", direction_zh(d)),
            format!("goods crossing the border ({})", direction_en(d)),
        ));
    }
    if let Some(want) = m.repeat_infringer {
        if input.repeat_infringer != want {
            return None;
        }
        out.facts.push(if want {
            (
                "被投诉人为重复侵权人".into(),
                "the respondent is a repeat infringer".into(),
            )
        } else {
            (
                "被投诉人不是重复侵权人".into(),
                "the respondent is not a repeat infringer".into(),
            )
        });
    }
    if let Some(want) = m.prior_penalty {
        if input.prior_penalty != want {
            return None;
        }
        out.facts.push(if want {
            (
                "两年内曾因同类行为受过处罚".into(),
                "penalised for the same kind of conduct within two years".into(),
            )
        } else {
            (
                "两年内未因同类行为受过处罚".into(),
                "not penalised for the same kind of conduct within two years".into(),
            )
        });
    }
    if let Some(want) = m.patent_dispute {
        if input.patent_dispute != want {
            return None;
        }
        out.facts.push(if want {
            ("专利侵权纠纷".into(), "patent infringement dispute".into())
        } else {
            (
                "不是专利侵权纠纷".into(),
                "not a patent infringement dispute".into(),
            )
        });
    }
    if !m.supply.is_empty() {
        let hit = m.supply.iter().find(|s| input.supply.contains(s))?;
        out.facts.push((
            format!("涉及{}", supply_zh(*hit)),
            format!("concerning {}", supply_en(*hit)),
        ));
    }
    if let Some(want) = m.customs_holds_goods {
        if input.customs_holds_goods != want {
            return None;
        }
        out.facts.push(if want {
            (
                "海关已扣留货物（依职权）".into(),
                "customs already holds the goods (ex officio)".into(),
            )
        } else {
            (
                "权利人申请海关扣留".into(),
                "the right-holder applies for detention".into(),
            )
        });
    }
    if let Some(want) = m.customs_recorded {
        if input.customs_recorded != Some(want) {
            return None;
        }
        out.facts.push(if want {
            (
                "权利已在海关备案".into(),
                "the right is recorded with customs".into(),
            )
        } else {
            (
                "权利未在海关备案".into(),
                "the right is not recorded with customs".into(),
            )
        });
    }
    if let Some(from) = m.filed_from {
        if input.filed_on < from {
            return None;
        }
        out.facts.push((
            format!("{} 提出（{from}起）", input.filed_on),
            format!("filed on {} (from {from})", input.filed_on),
        ));
    }
    if let Some(before) = m.filed_before {
        if input.filed_on >= before {
            return None;
        }
        out.facts.push((
            format!("{} 提出（{before}前）", input.filed_on),
            format!("filed on {} (before {before})", input.filed_on),
        ));
    }
    if !m.locations.is_empty() {
        let at = input.location.as_deref()?;
        let hit = m.locations.iter().find(|l| at.contains(l.as_str()))?;
        out.facts.push((
            format!("地点“{at}”属于“{hit}”"),
            format!("location \"{at}\" is in \"{hit}\""),
        ));
    }
    Some(out)
}

/// The input in a few words, for a refusal that no rule matched.
pub(super) fn describe_input(input: &RoutingInput) -> (String, String) {
    let facts: Vec<Fact> = facts_of(input)
        .into_iter()
        .filter(|f| matches!(f.key, "channel" | "rights" | "amount"))
        .collect();
    let zh: Vec<String> = facts.iter().map(|f| f.zh.clone()).collect();
    let en: Vec<String> = facts.into_iter().map(|f| f.en).collect();
    (zh.join("；"), en.join("; "))
}

/// Every fact the rules may look at, in words, for the record of a decision.
pub(super) fn facts_of(input: &RoutingInput) -> Vec<Fact> {
    let mut out = Vec::new();
    let mut push = |key: &'static str, zh: String, en: String| out.push(Fact { key, zh, en });
    push(
        "channel",
        format!("渠道：{}", input.channel.zh()),
        format!("channel: {}", input.channel.en()),
    );
    if let Some(d) = input.border {
        push(
            "border",
            format!("进出口：{}", direction_zh(d)),
            format!("border: {}", direction_en(d)),
        );
    }
    let zh: Vec<&str> = input.rights.iter().map(|k| right_zh(*k)).collect();
    let en: Vec<&str> = input.rights.iter().map(|k| right_en(*k)).collect();
    push(
        "rights",
        format!("权利类型：{}", or_none_zh(&zh.join("、"))),
        format!("right kind: {}", or_none_en(&en.join(", "))),
    );
    if let Some(g) = input.gi_form {
        push(
            "gi_form",
            format!(
                "地理标志保护方式：{}{}",
                gi_form_zh(g),
                if input.gi_as_mark {
                    "（按注册商标）"
                } else {
                    ""
                }
            ),
            format!(
                "geographical indication: {}{}",
                gi_form_en(g),
                if input.gi_as_mark {
                    " (as a registered trademark)"
                } else {
                    ""
                }
            ),
        );
    }
    for m in Metric::ALL {
        if m == Metric::SalesAndUnsold {
            continue;
        }
        if let Some(v) = m.of(&input.amounts) {
            push(
                "amount",
                format!("{} {}", m.zh(), m.show(v)),
                format!("{} {}", m.en(), m.show(v)),
            );
        }
    }
    if input.rights.iter().any(|k| k.is_patent()) {
        let (zh, en) = match (input.patent_dispute, input.counterfeit_patent_marking) {
            (true, true) => (
                "专利侵权纠纷及假冒专利",
                "infringement dispute and counterfeit marking",
            ),
            (false, true) => ("假冒专利", "counterfeit patent marking"),
            _ => ("专利侵权纠纷", "infringement dispute"),
        };
        push(
            "patent_matter",
            format!("专利事项：{zh}"),
            format!("patent matter: {en}"),
        );
    }
    // goods or services matter to the trademark crimes only
    if input.supply_stated || input.rights.contains(&kuaiwei_domain::RightKind::Trademark) {
        let zh: Vec<&str> = input.supply.iter().map(|s| supply_zh(*s)).collect();
        let en: Vec<&str> = input.supply.iter().map(|s| supply_en(*s)).collect();
        push(
            "supply",
            format!(
                "商品或服务：{}{}",
                zh.join("、"),
                if input.supply_stated {
                    ""
                } else {
                    "（按尼斯分类推定）"
                }
            ),
            format!(
                "goods or services: {}{}",
                en.join(", "),
                if input.supply_stated {
                    ""
                } else {
                    " (from the Nice classes)"
                }
            ),
        );
    }
    if let Some(p) = input.prior_penalty_stated {
        let (kzh, ken) = match p.kind {
            PenaltyKind::Administrative => ("行政处罚", "administrative penalty"),
            PenaltyKind::Criminal => ("刑事处罚", "criminal penalty"),
        };
        push(
            "prior_penalty",
            format!(
                "曾受{kzh}（{}）{}",
                p.decided_on,
                if input.prior_penalty {
                    "，在行为前两年内"
                } else {
                    "，不在行为前两年内"
                }
            ),
            format!(
                "prior {ken} ({}){}",
                p.decided_on,
                if input.prior_penalty {
                    ", within two years before the conduct"
                } else {
                    ", not within two years before the conduct"
                }
            ),
        );
    }
    if input.repeat_infringer {
        push(
            "repeat_infringer",
            "被投诉人为重复侵权人（五年内两次以上被认定侵权）".into(),
            "the respondent is a repeat infringer (two upheld cases in five years)".into(),
        );
    }
    if input.border.is_some() {
        push(
            "customs",
            format!(
                "{}；{}",
                if input.customs_holds_goods {
                    "海关已扣留货物"
                } else {
                    "海关尚未扣留货物"
                },
                match input.customs_recorded {
                    Some(true) => "权利已在海关备案",
                    Some(false) => "权利未在海关备案",
                    None => "是否海关备案未说明",
                }
            ),
            format!(
                "{}; {}",
                if input.customs_holds_goods {
                    "customs holds the goods"
                } else {
                    "customs does not hold the goods yet"
                },
                match input.customs_recorded {
                    Some(true) => "recorded with customs",
                    Some(false) => "not recorded with customs",
                    None => "customs recordal not stated",
                }
            ),
        );
    }
    push(
        "conduct_on",
        format!(
            "行为日期：{}{}",
            input.conduct_on,
            if input.conduct_stated {
                ""
            } else {
                "（未说明，按投诉日期）"
            }
        ),
        format!(
            "conduct date: {}{}",
            input.conduct_on,
            if input.conduct_stated {
                ""
            } else {
                " (not stated: the filing date)"
            }
        ),
    );
    push(
        "filed_on",
        format!("投诉日期：{}；分流日期：{}", input.filed_on, input.on),
        format!("filed on {}; routed on {}", input.filed_on, input.on),
    );
    out
}

fn or_none_zh(s: &str) -> &str {
    if s.is_empty() { "无" } else { s }
}

fn or_none_en(s: &str) -> &str {
    if s.is_empty() { "none" } else { s }
}
