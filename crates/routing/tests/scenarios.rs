//! The routing scenarios of `scenarios.toml`, written from legal-deadlines.md rather than from
//! the rules: each complaint is built as the API receives it, validated, and routed by the
//! bundled rules on its filing date. Every rule of the bundled file must be reached by some
//! scenario.

use std::collections::BTreeSet;

use jiff::civil::Date;
use kuaiwei_domain::ComplaintInput;
use kuaiwei_routing::{RoutingInput, RuleSet};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
struct File {
    scenario: Vec<Scenario>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    name: String,
    law: String,
    channel: String,
    rights: Vec<String>,
    #[serde(default)]
    nice: Vec<u8>,
    filed: Option<String>,
    #[serde(default = "yes")]
    #[allow(dead_code)]
    api: bool,
    #[serde(default)]
    repeat_infringer: bool,
    #[serde(default)]
    amounts: toml::Table,
    #[serde(default)]
    facts: toml::Table,
    review: Option<String>,
    #[serde(default)]
    unrouted: Vec<String>,
    expect: Vec<Expect>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    agency: String,
    procedures: Vec<String>,
    rule: String,
}

fn yes() -> bool {
    true
}

fn scenarios() -> Vec<Scenario> {
    let text = include_str!("scenarios.toml");
    toml::from_str::<File>(text)
        .expect("scenarios.toml")
        .scenario
}

/// The complaint as the API would receive it.
fn complaint(s: &Scenario) -> Value {
    let channel = match s.channel.as_str() {
        "fair" => {
            json!({"kind": "fair", "fair_name": "第140届中国进出口商品交易会", "booth": "9.1J23"})
        }
        "ecommerce" => {
            json!({"kind": "ecommerce", "platform": "淘宝", "shop_id": "88001", "listing_urls": ["https://item.taobao.com/item.htm?id=88001"]})
        }
        "border_import" => json!({"kind": "border", "port": "黄埔海关", "direction": "import"}),
        "border_export" => json!({"kind": "border", "port": "黄埔海关", "direction": "export"}),
        "hotline" => json!({"kind": "hotline"}),
        "walk_in" => json!({"kind": "walk_in"}),
        other => panic!("unknown channel {other}"),
    };
    let rights: Vec<Value> = s
        .rights
        .iter()
        .map(|k| {
            let number = match k.as_str() {
                "invention_patent" => Some("ZL202310123456.6"),
                "utility_model" => Some("ZL202320123456.1"),
                "design_patent" => Some("ZL202330123456.7"),
                "trademark" => Some("30001234"),
                _ => None,
            };
            let mut r = json!({"kind": k, "number": number});
            if k == "trademark" && !s.nice.is_empty() {
                r["nice_classes"] = json!(s.nice);
            }
            r
        })
        .collect();
    json!({
        "channel": channel,
        "complainant": {"kind": "organisation", "name": "广州某某电器有限公司", "mobile": "13812345678"},
        "rights": rights,
        "respondent": {"name": "佛山某某贸易有限公司", "address": "广东省佛山市顺德区"},
        "description": s.name,
        "amounts": s.amounts,
        "facts": s.facts,
    })
}

fn filed(s: &Scenario) -> Date {
    s.filed.as_deref().unwrap_or("2026-11-20").parse().unwrap()
}

#[test]
fn every_scenario_routes_as_the_law_says() {
    let rules = RuleSet::bundled();
    let list = scenarios();
    assert!(list.len() >= 60, "{} scenarios", list.len());
    let mut failures = Vec::new();
    for s in &list {
        let input: ComplaintInput = serde_json::from_value(complaint(s)).unwrap();
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
    for s in scenarios() {
        let input: ComplaintInput = serde_json::from_value(complaint(&s)).unwrap();
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
