//! Amounts against the criminal thresholds in force on the routing date (§2.6).

use jiff::civil::{Date, date};
use kuaiwei_domain::RightKind as K;

use super::*;
use crate::fixture::{AFTER_2025, complaint, input, walk_in};

#[test]
fn the_reason_names_the_amount_the_threshold_and_the_interpretation_in_force() {
    let mut c = complaint(walk_in(), &[K::Trademark]);
    c.amounts.illegal_business_volume_fen = Some(5_200_000);
    let route = RuleSet::bundled()
        .route(&input(&c, AFTER_2025))
        .expect("routed");
    assert!(
        route.reason_zh.contains(
            "非法经营数额 ¥52,000.00 达到假冒注册商标罪立案追诉标准 ¥50,000（法释〔2025〕5号，2025-04-26起）"
        ),
        "{}",
        route.reason_zh
    );
    assert!(
        route.reason_zh.starts_with("规则「criminal_trademark」"),
        "{}",
        route.reason_zh
    );
    assert!(
        route
            .reason_en
            .contains("illegal business volume ¥52,000.00 reaches"),
        "{}",
        route.reason_en
    );
    assert!(
        route.legal_basis.contains("法释〔2025〕5号 ◐"),
        "{}",
        route.legal_basis
    );
    assert!(
        route.legal_basis.contains("《刑法》Art. 213"),
        "{}",
        route.legal_basis
    );
}

#[test]
fn the_thresholds_switch_to_the_2025_interpretation_on_2025_04_26() {
    let rules = RuleSet::bundled();
    // ¥35,000 of business after a penalty within two years: a crime only under 法释〔2025〕5号
    let mut c = complaint(walk_in(), &[K::Trademark]);
    c.amounts.illegal_business_volume_fen = Some(3_500_000);
    let on = |c: &kuaiwei_domain::Complaint, d: Date| {
        let mut i = input(c, d);
        i.prior_penalty = true;
        rules.route(&i).expect("routed")
    };
    assert_eq!(on(&c, date(2025, 4, 25)).rule_id, "trademark");
    let after = on(&c, date(2025, 4, 26));
    assert_eq!(after.rule_id, "criminal_trademark");
    assert!(
        after.reason_zh.contains("两年内曾受处罚"),
        "{}",
        after.reason_zh
    );
    // ¥52,000 is a crime under both; the interpretation cited changes with the date
    c.amounts.illegal_business_volume_fen = Some(5_200_000);
    let before = on(&c, date(2025, 4, 25)).reason_zh;
    assert!(
        before.contains(
            "法释〔2004〕19号 Art. 1; 《立案追诉标准（二）》(2010) Art. 69，2004-12-22起"
        ),
        "{before}"
    );
    let after = on(&c, date(2025, 4, 26)).reason_zh;
    assert!(after.contains("法释〔2025〕5号，2025-04-26起"), "{after}");
}

#[test]
fn two_or_more_marks_lower_the_threshold() {
    let rules = RuleSet::bundled();
    let amounts =
        |c: &mut kuaiwei_domain::Complaint| c.amounts.illegal_business_volume_fen = Some(3_200_000);
    let mut one = complaint(walk_in(), &[K::Trademark]);
    amounts(&mut one);
    assert_eq!(
        rules.route(&input(&one, AFTER_2025)).map(|r| r.rule_id),
        Ok("trademark".into())
    );
    let mut two = complaint(walk_in(), &[K::Trademark, K::Trademark]);
    amounts(&mut two);
    let route = rules.route(&input(&two, AFTER_2025)).expect("routed");
    assert_eq!(route.rule_id, "criminal_trademark");
    assert!(
        route.reason_zh.contains("两项以上权利"),
        "{}",
        route.reason_zh
    );
}

#[test]
fn counterfeit_patent_figures_carry_the_unverified_2025_note() {
    let mut i = input(&complaint(walk_in(), &[K::InventionPatent]), AFTER_2025);
    i.counterfeit_patent_marking = true;
    i.patent_dispute = false;
    i.amounts.loss_fen = Some(50_000_000);
    let route = RuleSet::bundled().route(&i).expect("routed");
    assert_eq!(route.rule_id, "criminal_counterfeit_patent");
    assert!(
        route.legal_basis.contains("新数额未经核实"),
        "{}",
        route.legal_basis
    );
}

#[test]
fn a_copyright_crime_goes_to_the_police_citing_article_217_and_what_is_unverified() {
    // ¥40,000: above Art. 217's ¥30,000, below Art. 218's ¥100,000
    let mut c = complaint(walk_in(), &[K::Copyright]);
    c.amounts.illegal_gains_fen = Some(4_000_000);
    let route = RuleSet::bundled()
        .route(&input(&c, AFTER_2025))
        .expect("routed");
    assert_eq!(
        (route.rule_id.as_str(), route.agency),
        ("criminal_copyright", Agency::Police)
    );
    assert!(route.transfer_to_police);
    assert!(
        route
            .reason_zh
            .contains("违法所得数额 ¥40,000.00 达到侵犯著作权罪立案追诉标准 ¥30,000"),
        "{}",
        route.reason_zh
    );
    assert!(
        route.legal_basis.contains("《刑法》Art. 217"),
        "{}",
        route.legal_basis
    );
    assert!(
        route
            .legal_basis
            .contains("法释〔2025〕5号是否调整本标准未经核实"),
        "the note on what is unverified: {}",
        route.legal_basis
    );
}
