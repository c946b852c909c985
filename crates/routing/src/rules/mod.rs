//! The rule set: thresholds, per-channel prepended clocks and ordered rules; [`RuleSet::route`]
//! evaluates the rules in order and the first that matches decides.

mod matching;
mod parse;
#[cfg(test)]
mod parse_tests;
mod parse_threshold;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod threshold_tests;

use kuaiwei_domain::RightKind;
use serde::{Deserialize, Serialize};

use crate::agency::Agency;
use crate::error::{NoRoute, RulesError};
use crate::input::{ChannelKind, RoutingInput};
use crate::threshold::ThresholdSet;

const BUNDLED: &str = include_str!("../../data/rules.toml");

/// Routing rules as loaded from a rules file. Build with [`RuleSet::bundled`] or
/// [`RuleSet::parse`]; an administrator's file replaces the bundled one as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet {
    thresholds: Vec<ThresholdSet>,
    prepends: Vec<Prepend>,
    rules: Vec<Rule>,
}

/// Clocks that run before any agency's own for complaints from some channels (the fair desk's
/// 24 hours, 《展会知识产权保护办法》(2006) Art. 11).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepend {
    pub channels: Vec<ChannelKind>,
    pub procedures: Vec<String>,
    pub zh: String,
    pub en: String,
    pub basis: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: String,
    pub zh: String,
    pub en: String,
    pub basis: String,
    pub when: Match,
    pub outcome: Outcome,
}

/// The conditions of a rule, ANDed; a list holds when any entry does; an empty list or `None`
/// is no condition. The parser refuses a match with no condition unless it says `always`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Match {
    pub always: bool,
    pub rights: Vec<RightKind>,
    pub channels: Vec<ChannelKind>,
    pub border: Option<BorderMatch>,
    /// The id of a [`ThresholdSet`] whose version in force the amounts must reach.
    pub threshold: Option<String>,
    pub repeat_infringer: Option<bool>,
    pub counterfeit_patent_marking: Option<bool>,
    /// Substrings of the input's location (`海珠区`, `广州市`).
    pub locations: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BorderMatch {
    Any,
    Import,
    Export,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Agency {
        agency: Agency,
        procedures: Vec<String>,
        transfer_to_police: bool,
    },
    /// No single authority can be named from the facts: a caseworker routes the complaint.
    ManualTriage,
}

/// Where a complaint goes, the clocks to run in order, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    pub agency: Agency,
    /// Procedure ids of the procedures file, in the order their clocks run (F1 first at a fair).
    pub procedures: Vec<String>,
    pub rule_id: String,
    /// The rule and the facts that matched, e.g. `金额 ¥52,000.00 达到…`.
    pub reason_zh: String,
    pub reason_en: String,
    pub legal_basis: String,
    pub transfer_to_police: bool,
}

impl RuleSet {
    /// The rules compiled into the binary (`data/rules.toml`).
    pub fn bundled() -> RuleSet {
        // checked, procedure ids included, by `the_bundled_rules_parse_against_the_bundled_procedures`
        parse::parse(BUNDLED, None).expect("bundled routing rules are valid")
    }

    /// The bundled file's text, for an administrator to copy and edit.
    pub fn bundled_text() -> &'static str {
        BUNDLED
    }

    /// Parses and validates a rules file; every procedure id must be one of `known_procedures`.
    pub fn parse(text: &str, known_procedures: &[&str]) -> Result<RuleSet, RulesError> {
        parse::parse(text, Some(known_procedures))
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn thresholds(&self) -> &[ThresholdSet] {
        &self.thresholds
    }

    pub fn prepends(&self) -> &[Prepend] {
        &self.prepends
    }

    pub fn threshold(&self, id: &str) -> Option<&ThresholdSet> {
        self.thresholds.iter().find(|t| t.id == id)
    }

    /// The first matching rule's route, with the channel's prepended clocks first. `Err` when
    /// no rule matches or the matching rule asks for manual triage.
    pub fn route(&self, input: &RoutingInput) -> Result<Route, NoRoute> {
        let prepends: Vec<&Prepend> = self
            .prepends
            .iter()
            .filter(|p| p.channels.contains(&input.channel))
            .collect();
        let mut procedures: Vec<String> = Vec::new();
        for id in prepends.iter().flat_map(|p| &p.procedures) {
            push_unique(&mut procedures, id);
        }
        let (pre_zh, pre_en, pre_basis) = prepend_text(&prepends);

        for rule in &self.rules {
            let Some(m) = matching::check(&rule.when, input, self) else {
                continue;
            };
            let reason_zh = format!("规则「{}」{}：{}{pre_zh}", rule.id, rule.zh, m.zh());
            let reason_en = format!("rule `{}` ({}): {}{pre_en}", rule.id, rule.en, m.en());
            let mut basis = vec![rule.basis.clone()];
            basis.extend(m.basis);
            basis.extend(pre_basis.iter().cloned());
            let legal_basis = basis.join("; ");
            return match &rule.outcome {
                Outcome::Agency {
                    agency,
                    procedures: own,
                    transfer_to_police,
                } => {
                    for id in own {
                        push_unique(&mut procedures, id);
                    }
                    Ok(Route {
                        agency: *agency,
                        procedures,
                        rule_id: rule.id.clone(),
                        reason_zh,
                        reason_en,
                        legal_basis,
                        transfer_to_police: *transfer_to_police,
                    })
                }
                Outcome::ManualTriage => Err(NoRoute {
                    rule_id: Some(rule.id.clone()),
                    reason_zh,
                    reason_en,
                    legal_basis,
                    procedures,
                }),
            };
        }
        let (zh, en) = matching::describe_input(input);
        Err(NoRoute {
            rule_id: None,
            reason_zh: format!("没有规则匹配（{zh}）{pre_zh}"),
            reason_en: format!("no rule matched ({en}){pre_en}"),
            legal_basis: pre_basis.join("; "),
            procedures,
        })
    }
}

fn push_unique(list: &mut Vec<String>, id: &str) {
    if !list.iter().any(|p| p == id) {
        list.push(id.to_owned());
    }
}

/// The prepended clocks as reason suffixes and their bases.
fn prepend_text(prepends: &[&Prepend]) -> (String, String, Vec<String>) {
    let (mut zh, mut en) = (String::new(), String::new());
    for p in prepends {
        let ids = p.procedures.join(", ");
        zh.push_str(&format!("；{}（{ids}）", p.zh));
        en.push_str(&format!("; {} ({ids})", p.en));
    }
    let basis = prepends.iter().map(|p| p.basis.clone()).collect();
    (zh, en, basis)
}
