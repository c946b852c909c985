//! Refusals of a rules file: each names its line, the text, and says what is wrong in zh and en.

use super::*;
use crate::error::Issue;

const KNOWN: &[&str] = &["F1", "P1", "P3", "M1", "M2", "T1", "T2"];

/// A file whose rule starts on line 2; `extra` is appended after its `[rule.match]` (line 9).
fn rule(outcome: &str, extra: &str) -> String {
    format!(
        "# routing\n[[rule]]\nid = \"r1\"\nzh = \"规则\"\nen = \"rule\"\nbasis = \"《商标法》 Art. 60\"\n{outcome}\n[rule.match]\n{extra}\n"
    )
}

const AGENCY: &str = "agency = \"market_regulation\"\nprocedures = [\"M1\", \"M2\"]";

fn refused(text: &str) -> RulesError {
    match RuleSet::parse(text, KNOWN) {
        Err(e) => e,
        Ok(r) => panic!("expected a refusal, got {r:?}"),
    }
}

#[test]
fn a_good_rule_parses() {
    let set = RuleSet::parse(&rule(AGENCY, "rights = [\"trademark\"]"), KNOWN).expect("valid");
    assert_eq!(set.rules()[0].id, "r1");
}

#[test]
fn an_unknown_key_is_refused_at_its_line_in_both_languages() {
    let e = refused(&rule(
        AGENCY,
        "rights = [\"trademark\"]\nright_kinds = [\"patent\"]",
    ));
    assert_eq!(e.line, 11);
    assert!(matches!(e.issue, Issue::Syntax(_)), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("第 11 行") && msg.contains("line 11"), "{msg}");
    assert!(
        msg.contains("格式错误") && msg.contains("invalid toml"),
        "{msg}"
    );
}

#[test]
fn an_unknown_agency_is_refused_at_its_line() {
    let e = refused(&rule(
        "agency = \"fair_desk\"\nprocedures = [\"M1\"]",
        "rights = [\"trademark\"]",
    ));
    assert_eq!(
        (e.line, e.text.as_str(), e.issue.clone()),
        (7, "fair_desk", Issue::UnknownAgency)
    );
    assert!(e.to_string().contains("未知的主管部门"), "{e}");
}

#[test]
fn an_unknown_procedure_id_is_refused() {
    let e = refused(&rule(
        "agency = \"customs\"\nprocedures = [\"C1\", \"C9\"]",
        "border = \"any\"",
    ));
    assert_eq!(
        (e.line, e.text.as_str(), e.issue),
        (8, "C1", Issue::UnknownProcedure)
    );
    let e = refused(&rule(
        "agency = \"customs\"\nprocedures = [\"M1\",\n  \"X1\"]",
        "border = \"any\"",
    ));
    assert_eq!((e.line, e.text.as_str()), (9, "X1"));
}

#[test]
fn a_duplicate_rule_id_is_refused_at_the_second() {
    let one = rule(AGENCY, "rights = [\"trademark\"]");
    let text = format!("{one}{}", one.replacen("# routing\n", "", 1));
    let e = refused(&text);
    assert_eq!((e.line, e.issue), (12, Issue::DuplicateRuleId));
}

#[test]
fn a_rule_without_conditions_is_refused() {
    let e = refused(&rule(AGENCY, ""));
    assert_eq!(
        (e.line, e.text.as_str(), e.issue),
        (3, "r1", Issue::EmptyMatch)
    );
    let no_table = "[[rule]]\nid = \"r1\"\nzh = \"z\"\nen = \"e\"\nbasis = \"b\"\nagency = \"police\"\nprocedures = [\"T1\"]\n";
    assert_eq!(refused(no_table).issue, Issue::EmptyMatch);
    let e = refused(&rule(AGENCY, "rights = []"));
    assert_eq!((e.line, e.issue), (10, Issue::EmptyList));
    let e = refused(&rule(AGENCY, "always = true\nchannels = [\"fair\"]"));
    assert_eq!((e.line, e.issue), (10, Issue::AlwaysWithConditions));
}

#[test]
fn unknown_right_kinds_channels_and_directions_are_refused() {
    for (extra, issue) in [
        (
            "rights = [\"trademark\", \"patent\"]",
            Issue::UnknownRightKind,
        ),
        ("channels = [\"booth\"]", Issue::UnknownChannel),
        ("border = \"both\"", Issue::UnknownBorder),
        ("threshold = \"theft\"", Issue::UnknownThreshold),
        (
            "rights = [\"trademark\", \"trademark\"]",
            Issue::DuplicateEntry,
        ),
    ] {
        let e = refused(&rule(AGENCY, extra));
        assert_eq!((e.line, e.issue), (10, issue), "{extra}");
    }
}

#[test]
fn a_rule_needs_an_agency_or_manual_triage_but_not_both() {
    let e = refused(&rule("agency = \"police\"", "rights = [\"trademark\"]"));
    assert_eq!((e.line, e.issue), (3, Issue::MissingOutcome));
    let e = refused(&rule(
        "manual_triage = true\nagency = \"police\"",
        "rights = [\"other\"]",
    ));
    assert_eq!((e.line, e.issue), (8, Issue::ManualWithAgency));
    let ok = RuleSet::parse(&rule("manual_triage = true", "rights = [\"other\"]"), KNOWN);
    assert_eq!(
        ok.map(|s| s.rules()[0].outcome.clone()),
        Ok(Outcome::ManualTriage)
    );
}

fn threshold(version: &str) -> String {
    format!(
        "[[threshold]]\nid = \"tm\"\nzh = \"商标\"\nen = \"trademark\"\n{version}\n{}",
        rule(AGENCY, "threshold = \"tm\"")
    )
}

const V2004: &str = "[[threshold.version]]\neffective_from = \"2004-12-22\"\nbasis = \"法释〔2004〕19号\"\nmark = \"✅\"\n[[threshold.version.tier]]\napplies = \"any\"\nillegal_gains_fen = 3_000_000\n";

#[test]
fn a_threshold_with_a_malformed_date_is_refused_at_its_line() {
    let e = refused(&threshold(&V2004.replace("2004-12-22", "2004-12-32")));
    assert_eq!(
        (e.line, e.text.as_str(), e.issue.clone()),
        (6, "2004-12-32", Issue::MalformedDate)
    );
    assert!(e.to_string().contains("日期格式错误"), "{e}");
}

#[test]
fn threshold_versions_must_be_dated_in_order_with_figures() {
    let later = V2004.replace("2004-12-22", "2025-04-26");
    let e = refused(&threshold(&format!("{later}{V2004}")));
    assert_eq!((e.line, e.issue), (13, Issue::VersionsOutOfOrder));
    let e = refused(&threshold(&format!("{V2004}{V2004}")));
    assert_eq!((e.line, e.issue), (13, Issue::DuplicateEffectiveDate));
    let e = refused(&threshold(
        &V2004.replace("illegal_gains_fen = 3_000_000", ""),
    ));
    assert_eq!((e.line, e.issue), (10, Issue::NoFigures));
    let e = refused(&threshold(&V2004.replace("3_000_000", "-1")));
    assert_eq!((e.line, e.issue), (11, Issue::AmountOutOfRange));
    let e = refused(&threshold(&V2004.replace("✅", "ok")));
    assert_eq!((e.line, e.issue), (8, Issue::BadMark));
    let e = refused(&threshold(""));
    assert_eq!((e.line, e.issue), (2, Issue::NoVersions));
}

#[test]
fn a_toml_syntax_error_carries_its_line() {
    let e = refused("[[rule]\nid = \"x\"\n");
    assert_eq!(e.line, 1);
    assert!(matches!(e.issue, Issue::Syntax(_)));
}
