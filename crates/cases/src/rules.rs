//! The case core's statutory rules as data (`data/case_rules.toml`, each with its legal basis):
//! which step starts the clocks that wait for a later trigger, the fair hand-over clock, the
//! transfer report's clocks, the default clocks of a transfer and the repeat-infringer finding.

use std::sync::LazyLock;

use kuaiwei_deadlines::{Procedure, Procedures};
use kuaiwei_domain::Action;
use kuaiwei_routing::Agency;
use serde::Deserialize;

/// The bundled rules.
pub const BUNDLED: &str = include_str!("../data/case_rules.toml");

/// The step that starts the clocks whose procedure has `trigger`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wait {
    pub trigger: String,
    pub step: String,
    pub basis: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Handover {
    pub procedure: String,
    pub basis: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferReport {
    /// Started by `propose_transfer`.
    pub proposal: String,
    /// Started by `approve_transfer`, which stops the proposal's clock.
    pub approved: String,
    pub basis: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferDefault {
    pub to: String,
    pub procedures: Vec<String>,
    pub basis: String,
}

/// 重复侵权: at least `min_upheld` upheld cases closed within `window_days` of today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct RepeatRule {
    pub min_upheld: u32,
    pub window_days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RepeatEntry {
    min_upheld: u32,
    window_days: u32,
    basis: String,
}

/// The rules, read from [`BUNDLED`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseRules {
    pub waits: Vec<Wait>,
    pub handover: Handover,
    pub transfer_report: TransferReport,
    pub transfer_default: Vec<TransferDefault>,
    repeat_infringer: RepeatEntry,
}

impl CaseRules {
    /// Reads and checks a rules file: every step and agency named must exist, and a
    /// trigger is listed once.
    pub fn parse(text: &str) -> Result<CaseRules, String> {
        let rules: CaseRules = toml::from_str(text).map_err(|e| e.to_string())?;
        for w in &rules.waits {
            if action(&w.step).is_none() {
                return Err(format!("waits: unknown step `{}`", w.step));
            }
            if rules
                .waits
                .iter()
                .filter(|o| o.trigger == w.trigger)
                .count()
                > 1
            {
                return Err(format!("waits: trigger `{}` listed twice", w.trigger));
            }
        }
        for t in &rules.transfer_default {
            if Agency::from_key(&t.to).is_none() {
                return Err(format!("transfer_default: unknown agency `{}`", t.to));
            }
        }
        if rules.repeat_infringer.min_upheld == 0 || rules.repeat_infringer.window_days == 0 {
            return Err("repeat_infringer: min_upheld and window_days must be above 0".into());
        }
        Ok(rules)
    }

    /// Every procedure named here is in `procedures`, and every waiting trigger is some
    /// procedure's: a typo would otherwise start a clock at the wrong step.
    pub fn check_against(&self, procedures: &Procedures) -> Result<(), String> {
        let named = std::iter::once(&self.handover.procedure)
            .chain([
                &self.transfer_report.proposal,
                &self.transfer_report.approved,
            ])
            .chain(self.transfer_default.iter().flat_map(|t| &t.procedures));
        for id in named {
            if procedures.get(id).is_none() {
                return Err(format!("unknown procedure `{id}`"));
            }
        }
        for w in &self.waits {
            if !procedures.iter().any(|p| p.trigger.key == w.trigger) {
                return Err(format!(
                    "waits: no procedure has the trigger `{}`",
                    w.trigger
                ));
            }
        }
        Ok(())
    }

    /// The step that starts `p`'s clock, when it is not the routing (or the transfer) itself.
    pub fn waits_for(&self, p: &Procedure) -> Option<Action> {
        self.waits
            .iter()
            .find(|w| w.trigger == p.trigger.key)
            .and_then(|w| action(&w.step))
    }

    /// Whether `step` starts `p`'s waiting clock.
    pub fn started_by(&self, p: &Procedure, step: Action) -> bool {
        self.waits_for(p) == Some(step)
    }

    /// The receiving side's clocks of a transfer to `to` that names none.
    pub fn transfer_default(&self, to: Agency) -> Vec<String> {
        self.transfer_default
            .iter()
            .find(|t| t.to == to.key())
            .map(|t| t.procedures.clone())
            .unwrap_or_default()
    }

    pub fn repeat(&self) -> RepeatRule {
        RepeatRule {
            min_upheld: self.repeat_infringer.min_upheld,
            window_days: self.repeat_infringer.window_days,
        }
    }

    pub fn repeat_basis(&self) -> &str {
        &self.repeat_infringer.basis
    }
}

fn action(key: &str) -> Option<Action> {
    Action::ALL.into_iter().find(|a| a.key() == key)
}

/// The bundled rules (checked by the tests; a bad bundled file is a build defect).
pub fn bundled() -> &'static CaseRules {
    static RULES: LazyLock<CaseRules> = LazyLock::new(|| {
        CaseRules::parse(BUNDLED).unwrap_or_else(|e| panic!("data/case_rules.toml: {e}"))
    });
    &RULES
}

impl Default for RepeatRule {
    fn default() -> Self {
        bundled().repeat()
    }
}

impl RepeatRule {
    /// Whether `upheld` cases closed within the window make a repeat infringer.
    pub fn is_repeat(&self, upheld: usize) -> bool {
        upheld >= self.min_upheld as usize
    }

    /// The start of the window, counted back from `now`.
    pub fn since(&self, now: jiff::Timestamp) -> jiff::Timestamp {
        now - jiff::SignedDuration::from_hours(i64::from(self.window_days) * 24)
    }

    /// The upheld cases of `cases` (infringement found, exhibits withdrawn, listings taken
    /// down) closed within the window.
    pub fn upheld<'a>(
        &self,
        cases: &'a [kuaiwei_store::RespondentCase],
        now: jiff::Timestamp,
    ) -> impl Iterator<Item = &'a kuaiwei_store::RespondentCase> {
        let since = self.since(now);
        cases
            .iter()
            .filter(|c| c.outcome.is_some_and(|o| o.upheld()))
            .filter(move |c| c.closed_at.is_some_and(|t| t >= since))
    }

    /// The finding, in zh and en, with its legal basis.
    pub fn rule_zh(&self) -> String {
        format!(
            "{}天内认定侵权（含撤展、删除链接）结案不少于{}件即为重复侵权（商标法第六十条第二款）",
            self.window_days, self.min_upheld
        )
    }

    pub fn rule_en(&self) -> String {
        format!(
            "a repeat infringer has at least {} cases closed with infringement found (incl. exhibits withdrawn, listings taken down) within {} days (Trademark Law Art. 60 ¶2)",
            self.min_upheld, self.window_days
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_rules_name_only_known_steps_procedures_and_triggers() {
        let rules = CaseRules::parse(BUNDLED).unwrap();
        rules.check_against(&Procedures::bundled()).unwrap();
        let procedures = Procedures::bundled();
        let p3 = procedures.get("P3").unwrap();
        assert_eq!(rules.waits_for(p3), Some(Action::Open));
        let t3 = procedures.get("T3").unwrap();
        assert_eq!(rules.waits_for(t3), Some(Action::AcceptTransfer));
        assert_eq!(rules.waits_for(procedures.get("P1").unwrap()), None);
        assert_eq!(rules.transfer_default(Agency::Police), ["T3"]);
        assert!(rules.transfer_default(Agency::IpOffice).is_empty());
        assert_eq!(
            rules.repeat(),
            RepeatRule {
                min_upheld: 2,
                window_days: 1826
            }
        );
        assert!(rules.repeat_basis().contains("第六十条"));
    }

    #[test]
    fn a_rules_file_naming_what_does_not_exist_is_refused_by_name() {
        let bad_step = BUNDLED.replace("step = \"open\"", "step = \"opne\"");
        assert!(CaseRules::parse(&bad_step).unwrap_err().contains("opne"));
        let bad_agency = BUNDLED.replace("to = \"police\"", "to = \"polise\"");
        assert!(
            CaseRules::parse(&bad_agency)
                .unwrap_err()
                .contains("polise")
        );
        let bad_procedure = BUNDLED.replace("procedure = \"F1\"", "procedure = \"F9\"");
        let rules = CaseRules::parse(&bad_procedure).unwrap();
        assert!(
            rules
                .check_against(&Procedures::bundled())
                .unwrap_err()
                .contains("F9")
        );
        let bad_trigger = BUNDLED.replace("trigger = \"opened\"", "trigger = \"openned\"");
        let rules = CaseRules::parse(&bad_trigger).unwrap();
        assert!(
            rules
                .check_against(&Procedures::bundled())
                .unwrap_err()
                .contains("openned")
        );
        let unknown_field = format!("{BUNDLED}\n[extra]\nx = 1\n");
        assert!(CaseRules::parse(&unknown_field).is_err());
    }

    #[test]
    fn two_upheld_cases_in_five_years_make_a_repeat_infringer() {
        let r = RepeatRule::default();
        assert!(!r.is_repeat(1));
        assert!(r.is_repeat(2));
    }
}
