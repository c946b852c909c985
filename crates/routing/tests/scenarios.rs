//! The routing scenarios of `scenarios.toml`, written from legal-deadlines.md rather than from
//! the rules: each complaint is built as the API receives it, validated, and routed by the
//! bundled rules on its filing date. Every rule of the bundled file must be reached by some
//! scenario.

use std::collections::BTreeSet;

use jiff::civil::Date;
use kuaiwei_domain::ComplaintInput;
use kuaiwei_routing::{RoutingInput, RuleSet};
mod common {
    pub mod scenario;
}

use common::scenario::{Scenario, complaint, scenarios};

fn filed(s: &Scenario) -> Date {
    s.filed_on().parse().unwrap()
}

#[test]
fn every_scenario_routes_as_the_law_says() {
    let rules = RuleSet::bundled();
    let list = scenarios();
    assert!(list.len() >= 60, "{} scenarios", list.len());
    let mut failures = Vec::new();
    for (i, s) in list.iter().enumerate() {
        let input: ComplaintInput = serde_json::from_value(complaint(s, i)).unwrap();
        let c = input
            .validate_on(filed(s))
            .unwrap_or_else(|e| panic!("{}: {e:?}", s.name));
        let routing = rules.route_all(&RoutingInput::from_complaint(
            &c,
            s.repeat_infringer,
            None,
            filed(s),
            filed(s),
        ));
        let got: Vec<(String, Vec<String>, String)> = routing
            .routes
            .iter()
            .map(|r| {
                (
                    r.agency.key().to_string(),
                    r.procedures.clone(),
                    r.rule_id.clone(),
                )
            })
            .collect();
        let want: Vec<(String, Vec<String>, String)> = s
            .expect
            .iter()
            .map(|e| (e.agency.clone(), e.procedures.clone(), e.rule.clone()))
            .collect();
        let left: Vec<String> = routing
            .unrouted
            .iter()
            .flat_map(|n| n.rights.iter().map(|k| k.key().to_string()))
            .collect();
        let reviews: Vec<&str> = routing
            .reviews
            .iter()
            .map(|r| r.threshold.as_str())
            .collect();
        let review_ok = match &s.review {
            Some(t) => reviews.contains(&t.as_str()),
            None => reviews.is_empty(),
        };
        if got != want || left != s.unrouted || !review_ok {
            failures.push(format!(
                "{} ({}):\n  routes  {got:?}\n  wanted  {want:?}\n  unrouted {left:?} (wanted {:?})\n  reviews {reviews:?} (wanted {:?})",
                s.name, s.law, s.unrouted, s.review
            ));
        }
        // every decision says which facts it used
        assert!(
            routing.facts.iter().any(|f| f.key == "conduct_on"),
            "{}",
            s.name
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_of_the_bundled_file_is_reached_by_some_scenario() {
    let rules = RuleSet::bundled();
    let mut reached: BTreeSet<String> = BTreeSet::new();
    for (i, s) in scenarios().into_iter().enumerate() {
        let input: ComplaintInput = serde_json::from_value(complaint(&s, i)).unwrap();
        let c = input.validate_on(filed(&s)).unwrap();
        let routing = rules.route_all(&RoutingInput::from_complaint(
            &c,
            s.repeat_infringer,
            None,
            filed(&s),
            filed(&s),
        ));
        reached.extend(routing.routes.iter().map(|r| r.rule_id.clone()));
        reached.extend(routing.unrouted.iter().filter_map(|n| n.rule_id.clone()));
        // a merged route names its first rule; the merged reasons name the others
        for r in &routing.routes {
            for rule in rules.rules() {
                if r.reason_zh.contains(&format!("规则「{}」", rule.id)) {
                    reached.insert(rule.id.clone());
                }
            }
        }
    }
    let never: Vec<&str> = rules
        .rules()
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| !reached.contains(*id))
        .collect();
    assert!(never.is_empty(), "rules no scenario reaches: {never:?}");
}
