//! The rule set: thresholds, per-channel prepended clocks and ordered rules; [`RuleSet::route_all`]
//! evaluates the rules in order, the first that matches deciding for the rights it covers.

mod matching;
mod parse;
#[cfg(test)]
mod parse_tests;
mod parse_threshold;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod threshold_tests;

use jiff::civil::Date;
use kuaiwei_domain::{RightKind, Supply};
use serde::{Deserialize, Serialize};

use crate::agency::Agency;
use crate::error::{NoRoute, RulesError};
use crate::input::{ChannelKind, RoutingInput};
use crate::threshold::{Compared, Metric, ThresholdSet};

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
    /// The rights this rule routes are also checked against the later police rules (goods held
    /// at the border stay with customs while a crime goes to the police as well).
    pub also_police: bool,
}

/// The conditions of a rule, ANDed; a list holds when any entry does; an empty list or `None`
/// is no condition. The parser refuses a match with no condition unless it says `always`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Match {
    pub always: bool,
    /// The rights the rule routes: it covers those of the complaint's rights of these kinds
    /// (every remaining right when empty).
    pub rights: Vec<RightKind>,
    pub channels: Vec<ChannelKind>,
    pub border: Option<BorderMatch>,
    /// The id of a [`ThresholdSet`] whose applying versions the amounts must reach.
    pub threshold: Option<String>,
    pub repeat_infringer: Option<bool>,
    pub prior_penalty: Option<bool>,
    pub counterfeit_patent_marking: Option<bool>,
    pub patent_dispute: Option<bool>,
    /// Goods or services concerned (any entry).
    pub supply: Vec<Supply>,
    pub customs_holds_goods: Option<bool>,
    pub customs_recorded: Option<bool>,
    /// The complaint was filed on or after this date (procedure versions, §8.9).
    pub filed_from: Option<Date>,
    /// The complaint was filed before this date.
    pub filed_before: Option<Date>,
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

/// Where (part of) a complaint goes, the clocks to run in order, and why.
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
    /// The rights this route acts on (a complaint naming a trademark and a design patent goes
    /// to two authorities, each for its own).
    #[serde(default)]
    pub rights: Vec<RightKind>,
    /// The thresholds compared, version by version, with the figure reached if any.
    #[serde(default, skip_deserializing)]
    pub compared: Vec<ThresholdCompared>,
}

/// A threshold set compared by a rule, for the record of a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThresholdCompared {
    pub threshold: String,
    pub reached: bool,
    pub versions: Vec<Compared>,
}

/// Amounts a supervisor must weigh for a transfer to the police (legal-deadlines §8.7): below
/// a threshold whose in-force figures are not confirmed, at or above the lowest figure any
/// version names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    pub rule_id: String,
    pub threshold: String,
    pub metric: Metric,
    pub amount: i64,
    /// The band: from `lowest` to below `threshold` (`None`: the version names no figure).
    pub lowest: i64,
    pub threshold_figure: Option<i64>,
    pub reason_zh: String,
    pub reason_en: String,
    pub legal_basis: String,
    pub versions: Vec<Compared>,
}

/// Every authority a complaint needs, and what is left to a caseworker or a supervisor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Routing {
    /// One per authority; the first carries the channel's prepended clocks (the fair desk's F1)
    /// and is the case's own route, the others open linked cases.
    pub routes: Vec<Route>,
    /// Rights no rule routes, or that a rule leaves to a caseworker. When `routes` is empty, the
    /// prepended clocks are on the first of these.
    pub unrouted: Vec<NoRoute>,
    /// Amounts a supervisor must weigh for a transfer (§8.7).
    pub reviews: Vec<Review>,
    /// The facts the rules looked at, in words.
    pub facts: Vec<Fact>,
}

/// One fact the rules used: a machine key, and the fact in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    pub key: &'static str,
    pub zh: String,
    pub en: String,
}

impl Routing {
    /// The case's own route, or why there is none (the old single answer).
    pub fn primary(&self) -> Result<&Route, &NoRoute> {
        match (self.routes.first(), self.unrouted.first()) {
            (Some(r), _) => Ok(r),
            (None, Some(n)) => Err(n),
            (None, None) => unreachable!("a routing has a route or an unrouted part"),
        }
    }
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

    /// The case's own route (the first authority of [`RuleSet::route_all`]), with the channel's
    /// prepended clocks first; `Err` when no rule routes any right of the complaint.
    pub fn route(&self, input: &RoutingInput) -> Result<Route, Box<NoRoute>> {
        let all = self.route_all(input);
        all.primary().cloned().map_err(|no| Box::new(no.clone()))
    }

    /// Every authority the complaint's rights need. The rules are read in order; each rule
    /// routes the rights it covers that no earlier rule routed (a rule without `rights` covers
    /// all that remain), the first match winning for each right. Routes to one agency are
    /// merged. A rule with `also_police` lets the police rules below it route the same rights.
    pub fn route_all(&self, input: &RoutingInput) -> Routing {
        let prepends: Vec<&Prepend> = self
            .prepends
            .iter()
            .filter(|p| p.channels.contains(&input.channel))
            .collect();
        let mut first: Vec<String> = Vec::new();
        for id in prepends.iter().flat_map(|p| &p.procedures) {
            push_unique(&mut first, id);
        }
        let (pre_zh, pre_en, pre_basis) = prepend_text(&prepends);

        let mut remaining = units(input);
        let mut routes: Vec<Route> = Vec::new();
        let mut unrouted: Vec<NoRoute> = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            if remaining.is_empty() {
                break;
            }
            let Some((covered, route)) = self.try_rule(rule, input, &remaining) else {
                continue;
            };
            remaining.retain(|k| !covered.contains(k));
            match route {
                Ok(r) => {
                    let also = rule.also_police;
                    push_route(&mut routes, r);
                    if also {
                        let mut left = covered.clone();
                        for police in self.rules[i + 1..].iter().filter(|r| r.is_police()) {
                            if left.is_empty() {
                                break;
                            }
                            if let Some((c, Ok(r))) = self.try_rule(police, input, &left) {
                                left.retain(|k| !c.contains(k));
                                push_route(&mut routes, r);
                            }
                        }
                    }
                }
                Err(no) => unrouted.push(no),
            }
        }
        if !remaining.is_empty() || (routes.is_empty() && unrouted.is_empty()) {
            let only = part(input, &remaining);
            let (zh, en) = matching::describe_input(&only);
            unrouted.push(NoRoute {
                rule_id: None,
                reason_zh: format!("没有规则匹配（{zh}）"),
                reason_en: format!("no rule matched ({en})"),
                legal_basis: String::new(),
                procedures: Vec::new(),
                rights: kinds(&remaining),
            });
        }
        // the fair desk's clock belongs to the case itself: the first route, or the first
        // part left to a caseworker when nothing is routed
        if let Some(r) = routes.first_mut() {
            r.procedures = first
                .iter()
                .chain(&r.procedures)
                .fold(Vec::new(), |mut v, p| {
                    push_unique(&mut v, p);
                    v
                });
            r.reason_zh.push_str(&pre_zh);
            r.reason_en.push_str(&pre_en);
            join_basis(&mut r.legal_basis, &pre_basis);
        } else if let Some(n) = unrouted.first_mut() {
            n.procedures = first.clone();
            n.reason_zh.push_str(&pre_zh);
            n.reason_en.push_str(&pre_en);
            join_basis(&mut n.legal_basis, &pre_basis);
        }
        let reviews = self.reviews(input, &routes);
        Routing {
            routes,
            unrouted,
            reviews,
            facts: matching::facts_of(input),
        }
    }

    /// `rule` tried on the remaining rights it covers: the rights, and its route or its
    /// referral to a caseworker.
    fn try_rule(
        &self,
        rule: &Rule,
        input: &RoutingInput,
        remaining: &[Unit],
    ) -> Option<(Vec<Unit>, Result<Route, NoRoute>)> {
        let w = &rule.when;
        let covered: Vec<Unit> = remaining
            .iter()
            .copied()
            .filter(|u| w.rights.is_empty() || w.rights.contains(&u.kind))
            // a rule on counterfeit marking routes that matter of a patent, one on disputes the
            // dispute: a patent relied on for both goes to both authorities
            .filter(|u| match (w.counterfeit_patent_marking, w.patent_dispute) {
                (Some(true), _) => u.marking,
                (_, Some(true)) => u.kind.is_patent() && !u.marking,
                _ => true,
            })
            .collect();
        if covered.is_empty() {
            return None;
        }
        let part = part(input, &covered);
        let m = matching::check(&rule.when, &part, self)?;
        let reason_zh = format!("规则「{}」{}：{}", rule.id, rule.zh, m.zh());
        let reason_en = format!("rule `{}` ({}): {}", rule.id, rule.en, m.en());
        let mut basis = vec![rule.basis.clone()];
        basis.extend(m.basis.iter().cloned());
        let legal_basis = basis.join("; ");
        let out = match &rule.outcome {
            Outcome::Agency {
                agency,
                procedures,
                transfer_to_police,
            } => Ok(Route {
                agency: *agency,
                procedures: procedures.clone(),
                rule_id: rule.id.clone(),
                reason_zh,
                reason_en,
                legal_basis,
                transfer_to_police: *transfer_to_police,
                rights: kinds(&covered),
                compared: m.compared,
            }),
            Outcome::ManualTriage => Err(NoRoute {
                rule_id: Some(rule.id.clone()),
                reason_zh,
                reason_en,
                legal_basis,
                procedures: Vec::new(),
                rights: kinds(&covered),
            }),
        };
        Some((covered, out))
    }

    /// §8.7: police rules whose threshold is not reached but whose amounts are in the band of
    /// unconfirmed figures, for rights not already sent to the police.
    fn reviews(&self, input: &RoutingInput, routes: &[Route]) -> Vec<Review> {
        let policed: Vec<RightKind> = routes
            .iter()
            .filter(|r| r.transfer_to_police)
            .flat_map(|r| r.rights.iter().copied())
            .collect();
        let all = units(input);
        let mut out: Vec<Review> = Vec::new();
        for rule in self.rules.iter().filter(|r| r.is_police()) {
            let Some(id) = &rule.when.threshold else {
                continue;
            };
            if out.iter().any(|r| &r.threshold == id) {
                continue;
            }
            let w = &rule.when;
            let mine: Vec<Unit> = all
                .iter()
                .copied()
                .filter(|u| w.rights.is_empty() || w.rights.contains(&u.kind))
                .filter(|u| w.counterfeit_patent_marking != Some(true) || u.marking)
                .filter(|u| !policed.contains(&u.kind))
                .collect();
            if mine.is_empty() {
                continue;
            }
            let part = part(input, &mine);
            let mut without = rule.when.clone();
            without.threshold = None;
            if matching::check(&without, &part, self).is_none() {
                continue;
            }
            let Some(set) = self.threshold(id) else {
                continue;
            };
            let Some(band) = set.band(&part) else {
                continue;
            };
            let mut basis = format!("{} {}", band.basis, band.mark.glyph());
            if let Some(n) = &band.note {
                basis.push_str(&format!(" ({n})"));
            }
            out.push(Review {
                rule_id: rule.id.clone(),
                threshold: id.clone(),
                metric: band.metric,
                amount: band.amount,
                lowest: band.lowest,
                threshold_figure: band.threshold,
                reason_zh: band.describe_zh(set),
                reason_en: band.describe_en(set),
                legal_basis: format!("{}; {basis}", rule.basis),
                versions: band.compared,
            });
        }
        out
    }
}

/// What a rule routes: a kind of right, and for a patent which matter (a patent relied on
/// both as an infringement dispute and for counterfeit marking is two units).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Unit {
    kind: RightKind,
    marking: bool,
}

fn units(input: &RoutingInput) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::new();
    let mut add = |u: Unit| {
        if !out.contains(&u) {
            out.push(u);
        }
    };
    for &kind in &input.rights {
        if kind.is_patent() {
            if input.patent_dispute || !input.counterfeit_patent_marking {
                add(Unit {
                    kind,
                    marking: false,
                });
            }
            if input.counterfeit_patent_marking {
                add(Unit {
                    kind,
                    marking: true,
                });
            }
        } else {
            add(Unit {
                kind,
                marking: false,
            });
        }
    }
    out
}

fn kinds(units: &[Unit]) -> Vec<RightKind> {
    let mut out: Vec<RightKind> = Vec::new();
    for u in units {
        if !out.contains(&u.kind) {
            out.push(u.kind);
        }
    }
    out
}

/// The input as seen by a rule routing `units`: their rights only (each as often as the
/// complaint names it, for the multiple-rights tiers), and the patent matters they carry.
fn part(input: &RoutingInput, units: &[Unit]) -> RoutingInput {
    let mut p = input.clone();
    p.rights.retain(|k| units.iter().any(|u| u.kind == *k));
    p.counterfeit_patent_marking = units.iter().any(|u| u.marking);
    p.patent_dispute = units.iter().any(|u| u.kind.is_patent() && !u.marking);
    p
}

impl Rule {
    fn is_police(&self) -> bool {
        matches!(
            self.outcome,
            Outcome::Agency {
                transfer_to_police: true,
                ..
            }
        )
    }
}

/// Adds `r`, merged into an earlier route to the same agency (its procedures, rights, reasons).
fn push_route(routes: &mut Vec<Route>, r: Route) {
    match routes
        .iter_mut()
        .find(|x| x.agency == r.agency && x.transfer_to_police == r.transfer_to_police)
    {
        Some(x) => {
            for p in &r.procedures {
                push_unique(&mut x.procedures, p);
            }
            for k in r.rights {
                if !x.rights.contains(&k) {
                    x.rights.push(k);
                }
            }
            x.reason_zh = format!("{}；{}", x.reason_zh, r.reason_zh);
            x.reason_en = format!("{}; {}", x.reason_en, r.reason_en);
            join_basis(&mut x.legal_basis, &[r.legal_basis]);
            x.compared.extend(r.compared);
        }
        None => routes.push(r),
    }
}

fn join_basis(basis: &mut String, more: &[String]) {
    for b in more.iter().filter(|b| !b.is_empty()) {
        if !basis.is_empty() {
            basis.push_str("; ");
        }
        basis.push_str(b);
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
