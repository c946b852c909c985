//! The default rule table, rule order, the fair desk's clock and the bundled file.

use kuaiwei_domain::{Channel, Direction, RightKind as K};

use super::*;
use crate::fixture::{AFTER_2025, border, complaint, ecommerce, fair, input, walk_in};

enum Expect {
    To(Agency, &'static [&'static str], &'static str),
    Manual(&'static str),
}

struct Row {
    facts: &'static str,
    input: RoutingInput,
    expect: Expect,
    statute: &'static str,
}

fn row(
    facts: &'static str,
    channel: Channel,
    kinds: &[K],
    change: impl FnOnce(&mut RoutingInput),
    expect: Expect,
    statute: &'static str,
) -> Row {
    let mut input = input(&complaint(channel, kinds), AFTER_2025);
    change(&mut input);
    Row {
        facts,
        input,
        expect,
        statute,
    }
}

#[test]
fn the_default_rules_route_each_kind_of_complaint_to_its_authority() {
    use Agency::*;
    use Expect::*;
    let rows = [
        row(
            "trademark, ¥52,000 of business",
            walk_in(),
            &[K::Trademark],
            |i| i.amounts.illegal_business_volume_fen = Some(5_200_000),
            To(Police, &["T1", "T2", "T3"], "criminal_trademark"),
            "移送规定 Arts. 3, 5; 《刑法》Art. 213",
        ),
        row(
            "counterfeit patent marking, ¥100,000 of gains",
            walk_in(),
            &[K::InventionPatent],
            |i| {
                i.counterfeit_patent_marking = true;
                i.amounts.illegal_gains_fen = Some(10_000_000);
            },
            To(Police, &["T1", "T2", "T3"], "criminal_counterfeit_patent"),
            "移送规定 Arts. 3, 5; 《刑法》Art. 216",
        ),
        row(
            "design patent, goods imported: the holder applies to detain them",
            border(Direction::Import),
            &[K::DesignPatent],
            |_| {},
            To(Customs, &["C3"], "border_application"),
            "《知识产权海关保护条例》 Arts. 12-15, 24(1); legal-deadlines §8.10",
        ),
        row(
            "design patent, goods customs already holds",
            border(Direction::Import),
            &[K::DesignPatent],
            |i| i.customs_holds_goods = true,
            To(Customs, &["C1", "C2"], "border_goods_held"),
            "《知识产权海关保护条例》 Arts. 16, 20; legal-deadlines §8.10",
        ),
        row(
            "counterfeit patent marking, small amounts",
            ecommerce(),
            &[K::InventionPatent],
            |i| {
                i.counterfeit_patent_marking = true;
                i.patent_dispute = false;
            },
            To(
                MarketRegulation,
                &["M1", "P7"],
                "counterfeit_patent_marking",
            ),
            "国知办函保字〔2021〕701号",
        ),
        row(
            "utility model, filed after 2025-02-01",
            walk_in(),
            &[K::UtilityModel],
            |_| {},
            To(IpOffice, &["P1", "P4"], "patent_dispute_order_81"),
            "《专利法》Art. 65; CNIPA order no. 81; legal-deadlines §8.9",
        ),
        row(
            "utility model, filed before 2025-02-01",
            walk_in(),
            &[K::UtilityModel],
            |i| i.filed_on = jiff::civil::date(2025, 1, 31),
            To(IpOffice, &["P1", "P3"], "patent_dispute"),
            "《专利法》Art. 65; 《专利行政执法办法》(2015); legal-deadlines §8.9",
        ),
        row(
            "trademark, no amounts",
            ecommerce(),
            &[K::Trademark],
            |_| {},
            To(MarketRegulation, &["M1", "M2"], "trademark"),
            "《商标法》Arts. 60-61",
        ),
        row(
            "geographical indication",
            walk_in(),
            &[K::GeographicalIndication],
            |_| {},
            To(MarketRegulation, &["M1", "M2"], "geographical_indication"),
            "《商标法》Art. 16",
        ),
        row(
            "copyright, ¥1,000,000 of gains: Art. 218's ¥100,000 reached too",
            ecommerce(),
            &[K::Copyright],
            |i| i.amounts.illegal_gains_fen = Some(100_000_000),
            To(Police, &["T1", "T2", "T3"], "criminal_copyright_sale"),
            "移送规定 Arts. 3, 5; 《刑法》Art. 218; 法释〔2004〕19号 Art. 6",
        ),
        row(
            "copyright, ¥50,000 of business exactly",
            walk_in(),
            &[K::Copyright],
            |i| i.amounts.illegal_business_volume_fen = Some(5_000_000),
            To(Police, &["T1", "T2", "T3"], "criminal_copyright"),
            "法释〔2004〕19号 Art. 5: 非法经营数额 ≥ ¥50,000",
        ),
        row(
            "copyright, ¥29,999.99 of gains (one fen below)",
            ecommerce(),
            &[K::Copyright],
            |i| i.amounts.illegal_gains_fen = Some(2_999_999),
            To(Copyright, &["M3"], "copyright"),
            "法释〔2004〕19号 Art. 5: 违法所得 ≥ ¥30,000 not reached",
        ),
        row(
            "copyright",
            ecommerce(),
            &[K::Copyright],
            |_| {},
            To(Copyright, &["M3"], "copyright"),
            "《行政处罚法》Art. 60 (no dedicated limit)",
        ),
        row(
            "other right",
            walk_in(),
            &[K::Other],
            |_| {},
            Manual("other_rights"),
            "no single authority: caseworker",
        ),
    ];
    let rules = RuleSet::bundled();
    for r in rows {
        let got = rules.route(&r.input);
        match (r.expect, got) {
            (To(agency, procedures, rule), Ok(route)) => {
                assert_eq!(
                    (
                        route.agency,
                        route.procedures.as_slice(),
                        route.rule_id.as_str()
                    ),
                    (
                        agency,
                        &procedures.iter().map(|p| p.to_string()).collect::<Vec<_>>()[..],
                        rule
                    ),
                    "{} ({})",
                    r.facts,
                    r.statute
                );
                assert_eq!(route.transfer_to_police, agency == Police, "{}", r.facts);
                assert!(!route.legal_basis.is_empty(), "{}", r.facts);
            }
            (Manual(rule), Err(no)) => {
                assert_eq!(no.rule_id.as_deref(), Some(rule), "{}", r.facts);
            }
            (_, got) => panic!("{} ({}): got {got:?}", r.facts, r.statute),
        }
    }
}

#[test]
fn the_first_matching_rule_wins() {
    let rules = RuleSet::bundled();
    // a patent and a trademark: the patent rule comes first
    let c = complaint(walk_in(), &[K::Trademark, K::DesignPatent]);
    let route = rules.route(&input(&c, AFTER_2025)).expect("routed");
    assert_eq!(route.rule_id, "patent_dispute_order_81");
    // counterfeit goods at the border above the threshold: customs keeps the goods (§8.10) and
    // the duty to transfer sends the crime to the police as well
    let mut c = complaint(border(Direction::Export), &[K::Trademark]);
    c.amounts.illegal_gains_fen = Some(3_000_000);
    let all = rules.route_all(&input(&c, AFTER_2025));
    let got: Vec<(&str, Agency)> = all
        .routes
        .iter()
        .map(|r| (r.rule_id.as_str(), r.agency))
        .collect();
    assert_eq!(
        got,
        [
            ("border_application", Agency::Customs),
            ("criminal_trademark", Agency::Police)
        ]
    );
    // the same rules in the other order give the other answer
    let text = r#"
[[rule]]
id = "trademark"
zh = "商标"
en = "trademark"
basis = "《商标法》 Arts. 60-61"
agency = "market_regulation"
procedures = ["M1"]
[rule.match]
rights = ["trademark"]

[[rule]]
id = "patent"
zh = "专利"
en = "patent"
basis = "《专利法》 Art. 65"
agency = "ip_office"
procedures = ["P1"]
[rule.match]
rights = ["design_patent"]
"#;
    let swapped = RuleSet::parse(text, &["M1", "P1"]).expect("valid");
    let c = complaint(walk_in(), &[K::Trademark, K::DesignPatent]);
    assert_eq!(
        swapped.route(&input(&c, AFTER_2025)).map(|r| r.rule_id),
        Ok("trademark".into())
    );
}

#[test]
fn fair_complaints_get_the_fair_desks_24_hours_first() {
    let rules = RuleSet::bundled();
    let tm = rules
        .route(&input(&complaint(fair(), &[K::Trademark]), AFTER_2025))
        .expect("routed");
    assert_eq!(tm.procedures, ["F1", "M1", "M2"]);
    assert!(
        tm.reason_zh.contains("24小时内移交主管部门（F1）"),
        "{}",
        tm.reason_zh
    );
    assert!(
        tm.legal_basis
            .contains("《展会知识产权保护办法》(2006) Art. 11")
    );
    let patent = rules
        .route(&input(
            &complaint(fair(), &[K::InventionPatent]),
            AFTER_2025,
        ))
        .expect("routed");
    // filed after 2025-02-01: CNIPA order no. 81 (§8.9)
    assert_eq!(patent.procedures, ["F1", "P1", "P4"]);
    // manual triage still runs the fair desk's clock
    let other = rules
        .route(&input(&complaint(fair(), &[K::Other]), AFTER_2025))
        .expect_err("manual");
    assert_eq!(other.procedures, ["F1"]);
    // outside a fair there is no F1
    let walk = rules
        .route(&input(&complaint(walk_in(), &[K::Trademark]), AFTER_2025))
        .expect("routed");
    assert_eq!(walk.procedures, ["M1", "M2"]);
}

#[test]
fn a_complaint_no_rule_matches_is_refused_with_its_facts() {
    let no = RuleSet::bundled()
        .route(&input(&complaint(ecommerce(), &[]), AFTER_2025))
        .expect_err("no rule");
    assert_eq!(no.rule_id, None);
    assert!(
        no.reason_zh
            .contains("没有规则匹配（渠道：电子商务；权利类型：无）"),
        "{}",
        no.reason_zh
    );
    assert!(
        no.to_string()
            .contains("manual triage needed: no rule matched"),
        "{no}"
    );
}

#[test]
fn location_and_repeat_infringement_rules_match_as_written() {
    let text = r#"
[[rule]]
id = "haizhu_repeat"
zh = "海珠区重复侵权"
en = "repeat infringer in Haizhu"
basis = "local rule"
agency = "market_regulation"
procedures = ["M1"]
[rule.match]
repeat_infringer = true
locations = ["海珠区", "番禺区"]

[[rule]]
id = "rest"
zh = "其余"
en = "the rest"
basis = "local rule"
agency = "ip_office"
procedures = ["P1"]
[rule.match]
always = true
"#;
    let rules = RuleSet::parse(text, &["M1", "P1"]).expect("valid");
    let c = complaint(walk_in(), &[K::Trademark]);
    let route = |repeat: bool, at: Option<&str>| {
        let i = RoutingInput::from_complaint(&c, repeat, at, AFTER_2025, AFTER_2025);
        rules.route(&i).expect("routed")
    };
    let hit = route(true, Some("广州市海珠区琶洲展馆"));
    assert_eq!(hit.rule_id, "haizhu_repeat");
    assert!(
        hit.reason_zh
            .contains("地点“广州市海珠区琶洲展馆”属于“海珠区”"),
        "{}",
        hit.reason_zh
    );
    assert!(
        hit.reason_zh.contains("被投诉人为重复侵权人"),
        "{}",
        hit.reason_zh
    );
    assert_eq!(route(false, Some("广州市海珠区")).rule_id, "rest");
    // without a location, the respondent's address (佛山市顺德区) is used
    assert_eq!(route(true, None).rule_id, "rest");
    assert_eq!(route(true, Some("  ")).rule_id, "rest");
}

#[test]
fn the_routing_channel_is_the_domains_channel_key() {
    for ch in [fair(), ecommerce(), border(Direction::Import), walk_in()] {
        assert_eq!(ChannelKind::of(&ch).key(), ch.key());
    }
}

#[test]
fn the_bundled_rules_parse_against_the_bundled_procedures() {
    let procedures = kuaiwei_deadlines::Procedures::bundled();
    let ids = procedures.ids();
    let rules = RuleSet::parse(RuleSet::bundled_text(), &ids).expect("bundled rules are valid");
    assert_eq!(rules, RuleSet::bundled());
    assert_eq!(rules.rules().len(), 17);
    assert_eq!(
        rules
            .threshold("trademark_counterfeiting")
            .map(|t| t.versions.len()),
        Some(2)
    );
}
