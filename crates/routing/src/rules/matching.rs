//! Whether a rule's conditions hold for an input, and the facts that made them hold.

use kuaiwei_domain::Direction;

use super::{BorderMatch, Match, RuleSet};
use crate::input::{RoutingInput, direction_en, direction_zh, right_en, right_zh};
use crate::text::yuan;

/// The facts behind a match, in the order of the conditions, and any basis they add.
pub(super) struct Matched {
    facts: Vec<(String, String)>,
    pub(super) basis: Vec<String>,
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
    };
    if m.always {
        out.facts.push(("兜底规则".into(), "catch-all rule".into()));
    }
    if let Some(id) = &m.threshold {
        let t = set.threshold(id)?;
        let r = t.reached(input)?;
        out.facts.push((r.describe_zh(t), r.describe_en(t)));
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
    let zh: Vec<&str> = input.rights.iter().map(|k| right_zh(*k)).collect();
    let en: Vec<&str> = input.rights.iter().map(|k| right_en(*k)).collect();
    let mut facts = vec![
        (
            format!("渠道：{}", input.channel.zh()),
            format!("channel: {}", input.channel.en()),
        ),
        (
            format!("权利类型：{}", or_none_zh(&zh.join("、"))),
            format!("right kind: {}", or_none_en(&en.join(", "))),
        ),
    ];
    if let Some(v) = input.amounts.illegal_business_volume_fen {
        facts.push((
            format!("非法经营数额 {}", yuan(v)),
            format!("illegal business volume {}", yuan(v)),
        ));
    }
    let zh: Vec<String> = facts.iter().map(|(z, _)| z.clone()).collect();
    let en: Vec<String> = facts.into_iter().map(|(_, e)| e).collect();
    (zh.join("；"), en.join("; "))
}

fn or_none_zh(s: &str) -> &str {
    if s.is_empty() { "无" } else { s }
}

fn or_none_en(s: &str) -> &str {
    if s.is_empty() { "none" } else { s }
}
