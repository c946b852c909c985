use super::*;
use crate::error::{DataError, Issue};
use crate::unit::Unit;

fn bundled() -> Procedures {
    Procedures::bundled()
}

#[test]
fn the_bundled_procedures_parse() {
    Procedures::parse(BUNDLED).expect("bundled procedures parse");
}

#[test]
fn every_required_procedure_ships_with_the_limit_the_statute_sets() {
    use Unit::*;
    let table: [(&str, u32, Unit, &str); 16] = [
        ("F1", 24, Hours, "《展会知识产权保护办法》(2006) Art. 11"),
        ("P1", 5, WorkingDays, "《专利行政执法办法》(2015)"),
        ("P3", 3, Months, "《专利行政执法办法》(2015)"),
        ("P4", 3, Months, "《专利纠纷行政裁决和调解办法》"),
        ("P7", 90, CalendarDays, "国知办函保字〔2021〕701号"),
        (
            "M1",
            15,
            WorkingDays,
            "《市场监督管理行政处罚程序规定》 Art. 18",
        ),
        (
            "M2",
            90,
            CalendarDays,
            "《市场监督管理行政处罚程序规定》 Art. 64",
        ),
        ("M3", 90, CalendarDays, "《行政处罚法》(2021) Art. 60"),
        (
            "C1",
            3,
            WorkingDays,
            "《知识产权海关保护条例》(as amended 2010/2018) Art. 16",
        ),
        (
            "C2",
            30,
            WorkingDays,
            "《知识产权海关保护条例》(as amended 2010/2018) Art. 20",
        ),
        (
            "C3",
            20,
            WorkingDays,
            "《知识产权海关保护条例》(as amended 2010/2018) Art. 24(1)",
        ),
        (
            "C4",
            50,
            WorkingDays,
            "《知识产权海关保护条例》(as amended 2010/2018) Art. 24(2)",
        ),
        (
            "T1",
            3,
            CalendarDays,
            "《行政执法机关移送涉嫌犯罪案件的规定》(2020) Art. 5",
        ),
        (
            "T2",
            24,
            Hours,
            "《行政执法机关移送涉嫌犯罪案件的规定》(2020) Art. 5",
        ),
        (
            "T3",
            3,
            CalendarDays,
            "《行政执法机关移送涉嫌犯罪案件的规定》(2020) Art. 8",
        ),
        ("E1", 15, CalendarDays, "《电子商务法》 Art. 43(2)"),
    ];
    let all = bundled();
    for (id, amount, unit, cites) in table {
        let p = all.get(id).unwrap_or_else(|| panic!("{id} is bundled"));
        assert_eq!(p.limit, Amount::new(amount, unit), "{id}");
        assert!(
            p.citation().contains(cites),
            "{id}: {} lacks {cites}",
            p.citation()
        );
    }
}

#[test]
fn extensions_follow_the_rules_order_and_limits() {
    let all = bundled();
    let fixed = |id: &str| -> Vec<(RuleGrant, Option<u32>)> {
        all.get(id)
            .map(|p| {
                p.extensions
                    .iter()
                    .map(|e| (e.grant, e.max_count))
                    .collect()
            })
            .unwrap_or_default()
    };
    let one = |n, u| (RuleGrant::Fixed(Amount::new(n, u)), Some(1));
    // 《专利行政执法办法》(2015): 3 months + 1 month
    assert_eq!(fixed("P3"), vec![one(1, Unit::Months)]);
    // P4: "at most 5 months" ◐, configurable
    assert_eq!(fixed("P4"), vec![one(2, Unit::Months)]);
    // 《市场监督管理行政处罚程序规定》: +30 days, then collective decisions without a count
    for id in ["M2", "P7"] {
        assert_eq!(
            fixed(id),
            vec![one(30, Unit::CalendarDays), (RuleGrant::Collective, None)],
            "{id}"
        );
    }
    // 程序规定 Art. 18: 15 + 15 working days
    assert_eq!(fixed("M1"), vec![one(15, Unit::WorkingDays)]);
    for id in [
        "F1", "P1", "M3", "C1", "C2", "C3", "C4", "T1", "T2", "T3", "E1",
    ] {
        assert!(fixed(id).is_empty(), "{id} allows no extension");
    }
}

#[test]
fn excluded_periods_are_those_the_rules_name() {
    use ExclusionKind::*;
    let all = bundled();
    let kinds = |id: &str| all.get(id).map(|p| p.excluded.clone()).unwrap_or_default();
    // 程序规定 Art. 18
    assert_eq!(
        kinds("M1"),
        vec![Testing, Appraisal, RightsHolderIdentification]
    );
    // 程序规定 (M2): 中止, 听证, 公告, 检测, 检验, 检疫, 鉴定, 权利人辨认或者鉴别, 责令退还多收价款
    assert_eq!(
        kinds("M2"),
        vec![
            Suspension,
            Hearing,
            Notice,
            Testing,
            Appraisal,
            RightsHolderIdentification,
            RefundOrder
        ]
    );
    assert_eq!(kinds("P7"), kinds("M2"));
    assert!(kinds("M3").is_empty());
    assert!(kinds("F1").is_empty());
}

#[test]
fn p4s_unverified_figure_is_marked_and_can_be_overridden() {
    let p4 = bundled().get("P4").cloned().expect("bundled");
    assert_eq!(p4.basis[0].mark, Verification::Partly);
    let text = r#"
[[procedure]]
id = "P4"
name_zh = "专利纠纷行政裁决：结案"
name_en = "patent dispute adjudication: close"
trigger = { key = "opened", zh = "立案", en = "case opened" }
limit = { amount = 3, unit = "months" }
[[procedure.extension]]
max_count = 2
amount = 1
unit = "months"
approver_zh = "负责人"
approver_en = "head"
"#;
    let all = bundled().with_overrides(Procedures::parse(text).expect("valid"));
    let p4 = all.get("p4").expect("case-insensitive lookup");
    assert_eq!(p4.extensions[0].max_count, Some(2));
    assert_eq!(all.ids().len(), bundled().ids().len());
}

fn error_of(text: &str) -> DataError {
    match Procedures::parse(text) {
        Err(ProcedureError::Invalid(e)) => e,
        Ok(_) => panic!("expected an error"),
    }
}

const ONE: &str = r#"[[procedure]]
id = "X1"
name_zh = "测试"
name_en = "test"
trigger = { key = "opened", zh = "立案", en = "opened" }
limit = { amount = 3, unit = "months" }
"#;

#[test]
fn a_duplicate_id_is_refused_at_its_line() {
    let e = error_of(&format!("{ONE}{}", ONE.replace("X1", "x1")));
    assert_eq!(
        (e.line, e.text.as_str(), e.issue),
        (8, "x1", Issue::DuplicateId)
    );
}

#[test]
fn an_unknown_unit_or_exclusion_kind_is_refused_at_its_line() {
    let e = error_of(&ONE.replace("\"months\"", "\"weeks\""));
    assert_eq!(e.line, 6);
    assert!(matches!(e.issue, Issue::Syntax(_)), "{e}");
    let e = error_of(&format!(
        "{ONE}excluded = [\"suspension\",\n \"holiday\"]\n"
    ));
    assert_eq!(e.line, 8, "{e}");
}

#[test]
fn a_bad_mark_a_zero_amount_and_an_incomplete_extension_are_refused() {
    let e = error_of(&format!(
        "{ONE}[[procedure.basis]]\nlaw = \"《法》\"\nmark = \"?\"\n"
    ));
    assert_eq!((e.line, e.issue), (9, Issue::BadMark));
    let e = error_of(&ONE.replace("amount = 3", "amount = 0"));
    assert_eq!((e.line, e.issue), (6, Issue::ZeroAmount));
    let e = error_of(&format!(
        "{ONE}[[procedure.extension]]\nmax_count = 1\napprover_zh = \"负责人\"\napprover_en = \"head\"\n"
    ));
    assert_eq!(e.issue, Issue::ExtensionNeedsAmount);
    assert_eq!(e.line, 7, "{e}");
    let e = error_of(&format!(
        "{ONE}[[procedure.extension]]\nmax_count = 1\namount = 30\nunit = \"calendar_days\"\napprover_zh = \"负责人\"\napprover_en = \"head\"\n"
    ));
    assert_eq!(
        (e.line, e.issue),
        (
            10,
            Issue::ExtensionUnitDiffers {
                limit: Unit::Months
            }
        )
    );
}

#[test]
fn a_collective_extension_needs_an_approver_and_no_preset_length() {
    let e = error_of(&format!(
        "{ONE}[[procedure.extension]]\ncollective = true\napprover_zh = \"\"\napprover_en = \"heads\"\n"
    ));
    assert_eq!((e.line, e.issue), (9, Issue::Empty));
    let e = error_of(&format!(
        "{ONE}[[procedure.extension]]\ncollective = true\namount = 30\nunit = \"months\"\napprover_zh = \"集体\"\napprover_en = \"heads\"\n"
    ));
    assert_eq!(e.issue, Issue::CollectiveWithAmount);
}

#[test]
fn the_closing_clocks_are_those_that_end_a_case() {
    let p = Procedures::bundled();
    let closing: Vec<&str> = p
        .iter()
        .filter(|p| p.closes_case)
        .map(|p| p.id.as_str())
        .collect();
    assert_eq!(closing, ["P3", "P4", "P7", "M2", "M3", "C2"]);
}
