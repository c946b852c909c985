use crate::{PenaltyKind, Supply};
use serde_json::json;

use super::*;

fn fair_complaint() -> serde_json::Value {
    json!({
        "channel": {"kind": "fair", "fair_name": "第138届广交会", "session": "第一期",
                    "hall": "16.1", "booth": "16.1K7", "starts_on": "2026-10-15", "ends_on": "2026-10-19"},
        "complainant": {"kind": "organisation", "name": "耐克创新有限合伙公司",
                        "uscc": "91350100M000100Y43", "mobile": "+86 138 1234 5678"},
        "agent": {"name": "广州某知识产权代理有限公司", "power_of_attorney_ref": "POA-2026-001"},
        "rights": [{"kind": "trademark", "number": "第 1234567 号", "nice_classes": [25, 25, 18]}],
        "respondent": {"name": "某某鞋业有限公司", "booth": "16.1K7"},
        "description": "展位16.1K7展出的运动鞋使用了与注册商标相同的标识。",
        "amounts": {"illegal_business_volume": 52000.5},
        "requested_measures": ["withdraw_exhibits", "withdraw_exhibits"]
    })
}

fn parse(v: serde_json::Value) -> Result<Complaint, ValidationErrors> {
    serde_json::from_value::<ComplaintInput>(v)
        .unwrap()
        .validate()
}

#[test]
fn a_complete_fair_complaint_is_normalised() {
    let c = parse(fair_complaint()).unwrap();
    assert_eq!(c.channel.key(), "fair");
    assert_eq!(c.complainant.mobile.unwrap().as_str(), "13812345678");
    assert_eq!(c.rights[0].number.as_deref(), Some("1234567"));
    assert_eq!(c.rights[0].nice_classes, vec![25, 18]);
    assert_eq!(c.amounts.illegal_business_volume_fen, Some(5_200_050));
    assert_eq!(
        c.requested_measures,
        vec![RequestedMeasure::WithdrawExhibits]
    );
}

#[test]
fn every_bad_field_is_reported_at_once_with_its_path() {
    let mut v = fair_complaint();
    v["channel"]["booth"] = json!("  ");
    v["channel"]["ends_on"] = json!("2026-10-01");
    v["complainant"]["uscc"] = json!("91350100M000100Y44");
    v["rights"] = json!([{"kind": "design_patent", "number": "ZL202310123456.6"},
                         {"kind": "trademark", "nice_classes": [46]}]);
    v["description"] = json!("");
    let errs = parse(v).unwrap_err();
    let codes = errs.codes();
    for expected in [
        ("channel.booth", "required"),
        ("channel.ends_on", "date_order"),
        ("complainant.uscc", "uscc_check"),
        ("rights[0].number", "patent_kind_mismatch"),
        ("rights[1].number", "required"),
        ("rights[1].nice_classes[0]", "nice_class"),
        ("description", "required"),
    ] {
        assert!(
            codes.contains(&expected),
            "missing {expected:?} in {codes:?}"
        );
    }
    assert!(
        errs.0
            .iter()
            .all(|e| !e.message_zh.is_empty() && !e.message_en.is_empty())
    );
}

#[test]
fn fields_of_another_channel_are_refused() {
    let mut v = fair_complaint();
    v["channel"]["platform"] = json!("淘宝");
    let errs = parse(v).unwrap_err();
    assert_eq!(
        errs.codes(),
        vec![("channel.platform", "field_not_for_channel")]
    );
}

#[test]
fn unknown_fields_are_refused_by_the_parser() {
    let mut v = fair_complaint();
    v["status"] = json!("closed");
    assert!(serde_json::from_value::<ComplaintInput>(v).is_err());
}

#[test]
fn ecommerce_needs_between_one_and_three_hundred_good_urls() {
    let base = json!({
        "channel": {"kind": "ecommerce", "platform": "淘宝", "listing_urls": []},
        "complainant": {"kind": "person", "name": "张三", "email": "zs@example.com"},
        "rights": [{"kind": "copyright", "number": "国作登字-2020-F-00012345"}],
        "respondent": {"shop_id": "12345678"},
        "description": "店铺销售盗版图书"
    });
    assert_eq!(
        parse(base.clone()).unwrap_err().codes(),
        vec![("channel.listing_urls", "count")]
    );
    let mut v = base.clone();
    v["channel"]["listing_urls"] = json!(["https://item.taobao.com/item.htm?id=1", "ftp://x.y/z"]);
    assert_eq!(
        parse(v).unwrap_err().codes(),
        vec![("channel.listing_urls[1]", "url_format")]
    );
    let mut v = base;
    let many: Vec<String> = (0..301)
        .map(|i| format!("https://shop.example.com/{i}"))
        .collect();
    v["channel"]["listing_urls"] = json!(many);
    assert_eq!(
        parse(v).unwrap_err().codes(),
        vec![("channel.listing_urls", "count")]
    );
}

#[test]
fn a_complainant_needs_some_way_to_be_reached() {
    let mut v = fair_complaint();
    v["complainant"]["mobile"] = json!(null);
    assert_eq!(
        parse(v).unwrap_err().codes(),
        vec![("complainant.mobile", "contact_required")]
    );
}

#[test]
fn amounts_must_be_non_negative_yuan_with_two_decimals() {
    for bad in [json!(-1), json!(1.234)] {
        let mut v = fair_complaint();
        v["amounts"]["illegal_gains"] = bad;
        assert_eq!(
            parse(v).unwrap_err().codes(),
            vec![("amounts.illegal_gains", "amount")]
        );
    }
}

#[test]
fn an_agent_must_name_a_power_of_attorney() {
    let mut v = fair_complaint();
    v["agent"]["power_of_attorney_ref"] = json!(null);
    assert_eq!(
        parse(v).unwrap_err().codes(),
        vec![("agent.power_of_attorney_ref", "required")]
    );
}

#[test]
fn an_unidentified_respondent_is_refused() {
    let mut v = fair_complaint();
    v["respondent"] = json!({"address": "广州"});
    assert_eq!(
        parse(v).unwrap_err().codes(),
        vec![("respondent", "respondent_unidentified")]
    );
}

#[test]
fn text_is_bounded_and_free_of_control_characters() {
    let mut v = fair_complaint();
    v["description"] = json!("侵".repeat(limits::DESCRIPTION_CHARS + 1));
    v["goods"] = json!("鞋\u{0007}");
    assert_eq!(
        parse(v).unwrap_err().codes(),
        vec![("description", "too_long"), ("goods", "control_characters")]
    );
}

#[test]
fn border_complaints_need_a_direction() {
    let v = json!({
        "channel": {"kind": "border", "port": "黄埔海关", "direction": "sideways"},
        "complainant": {"kind": "organisation", "name": "某品牌", "email": "ip@brand.example.com"},
        "rights": [{"kind": "trademark", "number": "7654321"}],
        "respondent": {"name": "某贸易公司"},
        "description": "出口货物涉嫌侵犯商标权"
    });
    assert_eq!(
        parse(v).unwrap_err().codes(),
        vec![("channel.direction", "unknown_value")]
    );
}

#[test]
fn the_routing_facts_and_new_amounts_are_read_and_typed() {
    let mut v = fair_complaint();
    v["amounts"] =
        json!({"sales": 52000.5, "unsold_value": 150000, "copies": 600, "labels": 20000});
    v["facts"] = json!({
        "conduct_on": "2026-10-16",
        "prior_penalty": {"kind": "administrative", "decided_on": "2025-06-01"},
        "supply": "goods"
    });
    let today = jiff::civil::date(2026, 10, 17);
    let c = serde_json::from_value::<ComplaintInput>(v)
        .unwrap()
        .validate_on(today)
        .unwrap();
    assert_eq!(c.amounts.sales_fen, Some(5_200_050));
    assert_eq!(c.amounts.unsold_value_fen, Some(15_000_000));
    assert_eq!(
        (c.amounts.copies, c.amounts.labels),
        (Some(600), Some(20_000))
    );
    assert_eq!(c.facts.conduct_on, Some(jiff::civil::date(2026, 10, 16)));
    let p = c.facts.prior_penalty.unwrap();
    assert_eq!(p.kind, PenaltyKind::Administrative);
    assert_eq!(p.decided_on, jiff::civil::date(2025, 6, 1));
    assert_eq!(c.facts.supply, Some(Supply::Goods));
}

#[test]
fn facts_that_do_not_fit_the_complaint_are_each_named() {
    let mut v = fair_complaint();
    v["amounts"] = json!({"copies": -1, "labels": 1.5e12 as i64, "sales": -3});
    v["facts"] = json!({
        "conduct_on": "2026-10-18",
        "prior_penalty": {"kind": "fine", "decided_on": "2026-10-18"},
        "patent_matters": ["infringement_dispute", "bogus"],
        "customs_holds_goods": true,
        "gi_form": "collective_mark",
        "supply": "both"
    });
    let today = jiff::civil::date(2026, 10, 17);
    let errs = serde_json::from_value::<ComplaintInput>(v)
        .unwrap()
        .validate_on(today)
        .unwrap_err();
    let codes = errs.codes();
    for expected in [
        ("amounts.copies", "count"),
        ("amounts.labels", "count"),
        ("amounts.sales", "amount"),
        ("facts.conduct_on", "date_range"),
        ("facts.prior_penalty.kind", "unknown_value"),
        ("facts.prior_penalty.decided_on", "date_range"),
        ("facts.patent_matters[1]", "unknown_value"),
        ("facts.patent_matters", "not_for_rights"),
        ("facts.customs_holds_goods", "field_not_for_channel"),
        ("facts.gi_form", "not_for_rights"),
        ("facts.supply", "unknown_value"),
    ] {
        assert!(
            codes.contains(&expected),
            "{expected:?} missing from {codes:?}"
        );
    }
    // every message is in both languages
    for f in &errs.0 {
        assert!(
            !f.message_zh.is_empty() && !f.message_en.is_empty(),
            "{f:?}"
        );
    }
}

#[test]
fn a_prior_penalty_after_the_conduct_is_not_prior() {
    let mut v = fair_complaint();
    v["facts"] = json!({
        "conduct_on": "2025-03-01",
        "prior_penalty": {"kind": "criminal", "decided_on": "2025-04-01"}
    });
    let errs = parse(v).unwrap_err();
    assert!(
        errs.codes()
            .contains(&("facts.prior_penalty.decided_on", "after_conduct")),
        "{:?}",
        errs.codes()
    );
    // and a penalty without its date is incomplete
    let mut v = fair_complaint();
    v["facts"] = json!({"prior_penalty": {"kind": "criminal"}});
    assert!(
        parse(v)
            .unwrap_err()
            .codes()
            .contains(&("facts.prior_penalty.decided_on", "required"))
    );
}

#[test]
fn a_complaint_stored_before_the_facts_existed_still_reads() {
    let c = parse(fair_complaint()).unwrap();
    let mut stored = serde_json::to_value(&c).unwrap();
    stored.as_object_mut().unwrap().remove("facts");
    for k in ["sales_fen", "unsold_value_fen", "copies", "labels"] {
        stored["amounts"].as_object_mut().unwrap().remove(k);
    }
    let back: Complaint = serde_json::from_value(stored).unwrap();
    assert_eq!(back, c);
    assert!(back.facts.is_empty());
}
