//! Reading and validating a rules file; every refusal names its line and text.

use std::ops::Range;

use jiff::civil::Date;
use kuaiwei_domain::{RightKind, Supply};
use serde::Deserialize;
use toml::Spanned;

use super::parse_threshold::{RawThreshold, threshold};
use super::{BorderMatch, Match, Outcome, Prepend, Rule, RuleSet};
use crate::agency::Agency;
use crate::error::{Issue, RulesError};
use crate::input::{ChannelKind, right_from_key};
use crate::text::{located, parse_date, syntax};
use crate::threshold::ThresholdSet;

pub(super) type List = Spanned<Vec<Spanned<String>>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    threshold: Vec<RawThreshold>,
    #[serde(default)]
    prepend: Vec<RawPrepend>,
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrepend {
    channels: List,
    procedures: List,
    zh: Spanned<String>,
    en: Spanned<String>,
    basis: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    zh: Spanned<String>,
    en: Spanned<String>,
    basis: Spanned<String>,
    agency: Option<Spanned<String>>,
    procedures: Option<List>,
    transfer_to_police: Option<Spanned<bool>>,
    manual_triage: Option<Spanned<bool>>,
    also_police: Option<Spanned<bool>>,
    #[serde(rename = "match")]
    when: Option<RawMatch>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatch {
    always: Option<Spanned<bool>>,
    rights: Option<List>,
    channels: Option<List>,
    border: Option<Spanned<String>>,
    threshold: Option<Spanned<String>>,
    repeat_infringer: Option<bool>,
    prior_penalty: Option<bool>,
    counterfeit_patent_marking: Option<bool>,
    patent_dispute: Option<bool>,
    supply: Option<List>,
    customs_holds_goods: Option<bool>,
    customs_recorded: Option<bool>,
    filed_from: Option<Spanned<String>>,
    filed_before: Option<Spanned<String>>,
    locations: Option<List>,
}

pub(super) struct Ctx<'a> {
    pub(super) text: &'a str,
    pub(super) known_procedures: Option<&'a [&'a str]>,
}

impl Ctx<'_> {
    pub(super) fn err(&self, span: Range<usize>, shown: &str, issue: Issue) -> RulesError {
        located(self.text, span, shown, issue)
    }

    /// A required text field, trimmed; empty is refused.
    pub(super) fn text_of(&self, s: &Spanned<String>) -> Result<String, RulesError> {
        let t = s.get_ref().trim();
        if t.is_empty() {
            return Err(self.err(s.span(), s.get_ref(), Issue::Empty));
        }
        Ok(t.to_owned())
    }

    /// An id: lowercase ASCII letters, digits and underscores.
    pub(super) fn id_of(&self, s: &Spanned<String>) -> Result<String, RulesError> {
        let id = self.text_of(s)?;
        if !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(self.err(s.span(), &id, Issue::BadId));
        }
        Ok(id)
    }

    /// A non-empty list without repeats, each entry read by `read` or refused with `unknown`.
    pub(super) fn list<T: PartialEq>(
        &self,
        list: &List,
        unknown: Issue,
        read: impl Fn(&str) -> Option<T>,
    ) -> Result<Vec<T>, RulesError> {
        if list.get_ref().is_empty() {
            return Err(self.err(list.span(), "[]", Issue::EmptyList));
        }
        let mut out = Vec::with_capacity(list.get_ref().len());
        for item in list.get_ref() {
            let s = item.get_ref().trim();
            let v = read(s).ok_or_else(|| self.err(item.span(), s, unknown.clone()))?;
            if out.contains(&v) {
                return Err(self.err(item.span(), s, Issue::DuplicateEntry));
            }
            out.push(v);
        }
        Ok(out)
    }

    pub(super) fn procedures(&self, list: &List) -> Result<Vec<String>, RulesError> {
        self.list(list, Issue::UnknownProcedure, |s| {
            let known = self.known_procedures.is_none_or(|k| k.contains(&s));
            (known && !s.is_empty()).then(|| s.to_owned())
        })
    }

    pub(super) fn amount(&self, n: &Option<Spanned<i64>>) -> Result<Option<i64>, RulesError> {
        let Some(n) = n else { return Ok(None) };
        let v = *n.get_ref();
        if v <= 0 || v > kuaiwei_domain::limits::AMOUNT_MAX_FEN {
            return Err(self.err(n.span(), &v.to_string(), Issue::AmountOutOfRange));
        }
        Ok(Some(v))
    }
}

pub(super) fn parse(text: &str, known_procedures: Option<&[&str]>) -> Result<RuleSet, RulesError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| syntax(text, &e))?;
    let cx = Ctx {
        text,
        known_procedures,
    };
    let mut thresholds: Vec<ThresholdSet> = Vec::with_capacity(raw.threshold.len());
    for t in &raw.threshold {
        let set = threshold(&cx, t)?;
        if thresholds.iter().any(|u| u.id == set.id) {
            return Err(cx.err(t.id.span(), &set.id, Issue::DuplicateThresholdId));
        }
        thresholds.push(set);
    }
    let mut prepends = Vec::with_capacity(raw.prepend.len());
    for p in &raw.prepend {
        prepends.push(Prepend {
            channels: cx.list(&p.channels, Issue::UnknownChannel, ChannelKind::from_key)?,
            procedures: cx.procedures(&p.procedures)?,
            zh: cx.text_of(&p.zh)?,
            en: cx.text_of(&p.en)?,
            basis: cx.text_of(&p.basis)?,
        });
    }
    let mut rules: Vec<Rule> = Vec::with_capacity(raw.rule.len());
    for r in &raw.rule {
        let id = cx.id_of(&r.id)?;
        if rules.iter().any(|q| q.id == id) {
            return Err(cx.err(r.id.span(), &id, Issue::DuplicateRuleId));
        }
        let when = match &r.when {
            Some(m) => matcher(&cx, m, &thresholds, &r.id)?,
            None => return Err(cx.err(r.id.span(), &id, Issue::EmptyMatch)),
        };
        let outcome = outcome(&cx, r)?;
        let also_police = match &r.also_police {
            Some(a) if *a.get_ref() => {
                let plain = matches!(
                    outcome,
                    Outcome::Agency {
                        transfer_to_police: false,
                        ..
                    }
                );
                if !plain {
                    return Err(cx.err(a.span(), "also_police", Issue::AlsoPoliceWithoutAgency));
                }
                true
            }
            _ => false,
        };
        rules.push(Rule {
            outcome,
            also_police,
            zh: cx.text_of(&r.zh)?,
            en: cx.text_of(&r.en)?,
            basis: cx.text_of(&r.basis)?,
            when,
            id,
        });
    }
    Ok(RuleSet {
        thresholds,
        prepends,
        rules,
    })
}

fn matcher(
    cx: &Ctx<'_>,
    m: &RawMatch,
    thresholds: &[ThresholdSet],
    rule_id: &Spanned<String>,
) -> Result<Match, RulesError> {
    let rights: Vec<RightKind> = match &m.rights {
        Some(l) => cx.list(l, Issue::UnknownRightKind, right_from_key)?,
        None => Vec::new(),
    };
    let channels = match &m.channels {
        Some(l) => cx.list(l, Issue::UnknownChannel, ChannelKind::from_key)?,
        None => Vec::new(),
    };
    let locations = match &m.locations {
        Some(l) => cx.list(l, Issue::Empty, |s| (!s.is_empty()).then(|| s.to_owned()))?,
        None => Vec::new(),
    };
    let border = match &m.border {
        Some(b) => Some(match b.get_ref().trim() {
            "any" => BorderMatch::Any,
            "import" => BorderMatch::Import,
            "export" => BorderMatch::Export,
            other => return Err(cx.err(b.span(), other, Issue::UnknownBorder)),
        }),
        None => None,
    };
    let threshold = match &m.threshold {
        Some(t) => {
            let id = t.get_ref().trim();
            if !thresholds.iter().any(|s| s.id == id) {
                return Err(cx.err(t.span(), id, Issue::UnknownThreshold));
            }
            Some(id.to_owned())
        }
        None => None,
    };
    let supply = match &m.supply {
        Some(l) => cx.list(l, Issue::UnknownSupply, Supply::from_key)?,
        None => Vec::new(),
    };
    let date = |d: &Option<Spanned<String>>| -> Result<Option<Date>, RulesError> {
        let Some(d) = d else { return Ok(None) };
        let shown = d.get_ref().trim();
        parse_date(shown)
            .map(Some)
            .ok_or_else(|| cx.err(d.span(), shown, Issue::MalformedDate))
    };
    let out = Match {
        always: m.always.as_ref().is_some_and(|a| *a.get_ref()),
        rights,
        channels,
        border,
        threshold,
        repeat_infringer: m.repeat_infringer,
        prior_penalty: m.prior_penalty,
        counterfeit_patent_marking: m.counterfeit_patent_marking,
        patent_dispute: m.patent_dispute,
        supply,
        customs_holds_goods: m.customs_holds_goods,
        customs_recorded: m.customs_recorded,
        filed_from: date(&m.filed_from)?,
        filed_before: date(&m.filed_before)?,
        locations,
    };
    let no_conditions = out
        == Match {
            always: out.always,
            ..Match::default()
        };
    match (&m.always, out.always, no_conditions) {
        (Some(a), true, false) => {
            Err(cx.err(a.span(), "always = true", Issue::AlwaysWithConditions))
        }
        (_, false, true) => Err(cx.err(rule_id.span(), rule_id.get_ref(), Issue::EmptyMatch)),
        _ => Ok(out),
    }
}

fn outcome(cx: &Ctx<'_>, r: &RawRule) -> Result<Outcome, RulesError> {
    if r.manual_triage.as_ref().is_some_and(|m| *m.get_ref()) {
        let clash = r
            .agency
            .as_ref()
            .map(|a| (a.span(), a.get_ref().clone()))
            .or_else(|| {
                r.procedures
                    .as_ref()
                    .map(|p| (p.span(), "procedures".into()))
            })
            .or_else(|| {
                let t = r.transfer_to_police.as_ref()?;
                Some((t.span(), "transfer_to_police".into()))
            });
        return match clash {
            Some((span, shown)) => Err(cx.err(span, &shown, Issue::ManualWithAgency)),
            None => Ok(Outcome::ManualTriage),
        };
    }
    let (Some(agency), Some(procedures)) = (&r.agency, &r.procedures) else {
        return Err(cx.err(r.id.span(), r.id.get_ref(), Issue::MissingOutcome));
    };
    let key = agency.get_ref().trim();
    Ok(Outcome::Agency {
        agency: Agency::from_key(key)
            .ok_or_else(|| cx.err(agency.span(), key, Issue::UnknownAgency))?,
        procedures: cx.procedures(procedures)?,
        transfer_to_police: r.transfer_to_police.as_ref().is_some_and(|t| *t.get_ref()),
    })
}
