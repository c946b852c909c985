//! Reading and validating `procedures.toml`; every refusal names its line and text.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::{
    ExclusionKind, ExtensionRule, LegalBasis, Procedure, RuleGrant, Trigger, Verification,
};
use crate::error::{Issue, ProcedureError};
use crate::text::{located, syntax};
use crate::unit::{Amount, Unit};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    procedure: Vec<RawProcedure>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProcedure {
    id: Spanned<String>,
    name_zh: Spanned<String>,
    name_en: Spanned<String>,
    trigger: RawTrigger,
    limit: RawAmount,
    #[serde(default)]
    excluded: Vec<Spanned<ExclusionKind>>,
    excluded_cap: Option<RawAmount>,
    #[serde(default)]
    basis: Vec<RawBasis>,
    #[serde(default)]
    extension: Vec<Spanned<RawExtension>>,
    #[serde(default)]
    closes_case: bool,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTrigger {
    key: Spanned<String>,
    zh: Spanned<String>,
    en: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAmount {
    amount: Spanned<u32>,
    unit: Unit,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBasis {
    law: Spanned<String>,
    article: Option<String>,
    mark: Spanned<String>,
    source: Option<String>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExtension {
    #[serde(default)]
    collective: bool,
    max_count: Option<Spanned<u32>>,
    amount: Option<Spanned<u32>>,
    unit: Option<Spanned<Unit>>,
    approver_zh: Spanned<String>,
    approver_en: Spanned<String>,
}

struct Ctx<'a> {
    text: &'a str,
}

impl Ctx<'_> {
    fn err(&self, span: Range<usize>, shown: &str, issue: Issue) -> ProcedureError {
        located(self.text, span, shown, issue).into()
    }

    /// A required text field, trimmed; empty is refused.
    fn text_of(&self, s: &Spanned<String>) -> Result<String, ProcedureError> {
        let t = s.get_ref().trim();
        if t.is_empty() {
            return Err(self.err(s.span(), s.get_ref(), Issue::Empty));
        }
        Ok(t.to_owned())
    }

    fn amount(&self, n: &Spanned<u32>, unit: Unit) -> Result<Amount, ProcedureError> {
        if *n.get_ref() == 0 {
            return Err(self.err(n.span(), "0", Issue::ZeroAmount));
        }
        Ok(Amount::new(*n.get_ref(), unit))
    }
}

pub(super) fn parse(text: &str) -> Result<Vec<Procedure>, ProcedureError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| ProcedureError::from(syntax(text, &e)))?;
    let cx = Ctx { text };
    let mut out: Vec<Procedure> = Vec::with_capacity(raw.procedure.len());
    for p in raw.procedure {
        let id = cx.text_of(&p.id)?;
        if out.iter().any(|q| q.id.eq_ignore_ascii_case(&id)) {
            return Err(cx.err(p.id.span(), &id, Issue::DuplicateId));
        }
        let key = cx.text_of(&p.trigger.key)?;
        if !key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            return Err(cx.err(p.trigger.key.span(), &key, Issue::BadTriggerKey));
        }
        let limit = cx.amount(&p.limit.amount, p.limit.unit)?;
        let mut excluded = Vec::with_capacity(p.excluded.len());
        for k in &p.excluded {
            if excluded.contains(k.get_ref()) {
                return Err(cx.err(k.span(), k.get_ref().key(), Issue::DuplicateKind));
            }
            excluded.push(*k.get_ref());
        }
        let excluded_cap = match &p.excluded_cap {
            // only a cap in working days is defined (E1, §8.3)
            Some(c) if c.unit != Unit::WorkingDays => {
                return Err(cx.err(c.amount.span(), c.unit.key(), Issue::BadCapUnit));
            }
            Some(c) => Some(cx.amount(&c.amount, c.unit)?),
            None => None,
        };
        let mut basis = Vec::with_capacity(p.basis.len());
        for b in p.basis {
            let mark = Verification::from_glyph(b.mark.get_ref())
                .ok_or_else(|| cx.err(b.mark.span(), b.mark.get_ref(), Issue::BadMark))?;
            basis.push(LegalBasis {
                law: cx.text_of(&b.law)?,
                article: b
                    .article
                    .map(|a| a.trim().to_owned())
                    .filter(|a| !a.is_empty()),
                mark,
                source: b.source,
                note: b.note,
            });
        }
        let extensions = p
            .extension
            .iter()
            .map(|e| extension(&cx, e, limit.unit))
            .collect::<Result<Vec<_>, _>>()?;
        out.push(Procedure {
            id,
            name_zh: cx.text_of(&p.name_zh)?,
            name_en: cx.text_of(&p.name_en)?,
            trigger: Trigger {
                key,
                zh: cx.text_of(&p.trigger.zh)?,
                en: cx.text_of(&p.trigger.en)?,
            },
            limit,
            extensions,
            excluded,
            excluded_cap,
            basis,
            closes_case: p.closes_case,
            note: p.note,
        });
    }
    Ok(out)
}

/// A fixed rule needs `max_count`, `amount` and `unit` (the limit's unit: an extension lengthens
/// the same period); a collective rule presets no length and needs its approver.
fn extension(
    cx: &Ctx<'_>,
    raw: &Spanned<RawExtension>,
    limit: Unit,
) -> Result<ExtensionRule, ProcedureError> {
    let e = raw.get_ref();
    let head = cx
        .text
        .get(raw.span())
        .unwrap_or("")
        .lines()
        .next()
        .unwrap_or("");
    let approver_zh = cx.text_of(&e.approver_zh)?;
    let approver_en = cx.text_of(&e.approver_en)?;
    let max_count = match &e.max_count {
        Some(n) if *n.get_ref() == 0 => return Err(cx.err(n.span(), "0", Issue::ZeroCount)),
        Some(n) => Some(*n.get_ref()),
        None => None,
    };
    let grant = if e.collective {
        if e.amount.is_some() || e.unit.is_some() {
            return Err(cx.err(raw.span(), head, Issue::CollectiveWithAmount));
        }
        RuleGrant::Collective
    } else {
        let (Some(n), Some(unit), Some(_)) = (&e.amount, &e.unit, max_count) else {
            return Err(cx.err(raw.span(), head, Issue::ExtensionNeedsAmount));
        };
        if *unit.get_ref() != limit {
            let (span, shown) = (unit.span(), unit.get_ref().key());
            return Err(cx.err(span, shown, Issue::ExtensionUnitDiffers { limit }));
        }
        RuleGrant::Fixed(cx.amount(n, *unit.get_ref())?)
    };
    Ok(ExtensionRule {
        grant,
        max_count,
        approver_zh,
        approver_en,
    })
}
