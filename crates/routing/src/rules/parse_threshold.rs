//! Reading the `[[threshold]]` tables of a rules file: dated versions of figures in fen.

use serde::Deserialize;
use toml::Spanned;

use super::parse::{Ctx, List};
use crate::error::{Issue, RulesError};
use crate::input::right_from_key;
use crate::text::parse_date;
use crate::threshold::{Mark, Metric, ThresholdSet, ThresholdVersion, Tier, TierCondition};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawThreshold {
    pub(super) id: Spanned<String>,
    zh: Spanned<String>,
    en: Spanned<String>,
    counts: Option<List>,
    #[serde(default)]
    version: Vec<RawVersion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVersion {
    effective_from: Spanned<String>,
    basis: Spanned<String>,
    mark: Spanned<String>,
    note: Option<String>,
    #[serde(default)]
    later_figures_unverified: bool,
    #[serde(default)]
    tier: Vec<RawTier>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    applies: Spanned<String>,
    illegal_business_volume_fen: Option<Spanned<i64>>,
    illegal_gains_fen: Option<Spanned<i64>>,
    loss_fen: Option<Spanned<i64>>,
    sales_fen: Option<Spanned<i64>>,
    unsold_value_fen: Option<Spanned<i64>>,
    sales_and_unsold_fen: Option<Spanned<i64>>,
    copies: Option<Spanned<i64>>,
    labels: Option<Spanned<i64>>,
}

impl RawTier {
    fn figure(&self, m: Metric) -> &Option<Spanned<i64>> {
        match m {
            Metric::IllegalBusinessVolume => &self.illegal_business_volume_fen,
            Metric::IllegalGains => &self.illegal_gains_fen,
            Metric::Loss => &self.loss_fen,
            Metric::Sales => &self.sales_fen,
            Metric::UnsoldValue => &self.unsold_value_fen,
            Metric::SalesAndUnsold => &self.sales_and_unsold_fen,
            Metric::Copies => &self.copies,
            Metric::Labels => &self.labels,
        }
    }
}

pub(super) fn threshold(cx: &Ctx<'_>, t: &RawThreshold) -> Result<ThresholdSet, RulesError> {
    let id = cx.id_of(&t.id)?;
    let counts = match &t.counts {
        Some(list) => cx.list(list, Issue::UnknownRightKind, right_from_key)?,
        None => Vec::new(),
    };
    if t.version.is_empty() {
        return Err(cx.err(t.id.span(), &id, Issue::NoVersions));
    }
    let mut versions: Vec<ThresholdVersion> = Vec::with_capacity(t.version.len());
    for v in &t.version {
        let shown = v.effective_from.get_ref().trim();
        let bad = |issue| cx.err(v.effective_from.span(), shown, issue);
        let from = parse_date(shown).ok_or_else(|| bad(Issue::MalformedDate))?;
        match versions.last().map(|p| p.effective_from) {
            Some(prev) if prev == from => return Err(bad(Issue::DuplicateEffectiveDate)),
            Some(prev) if prev > from => return Err(bad(Issue::VersionsOutOfOrder)),
            _ => {}
        }
        let mark = Mark::from_glyph(v.mark.get_ref())
            .ok_or_else(|| cx.err(v.mark.span(), v.mark.get_ref(), Issue::BadMark))?;
        if v.tier.is_empty() {
            return Err(bad(Issue::NoTiers));
        }
        let mut tiers = Vec::with_capacity(v.tier.len());
        for raw in &v.tier {
            let key = raw.applies.get_ref().trim();
            let applies = TierCondition::from_key(key)
                .ok_or_else(|| cx.err(raw.applies.span(), key, Issue::UnknownTierCondition))?;
            let mut figures = Vec::new();
            for m in Metric::ALL {
                // counts share the amounts' range check (positive, bounded)
                if let Some(v) = cx.amount(raw.figure(m))? {
                    figures.push((m, v));
                }
            }
            if figures.is_empty() {
                return Err(cx.err(raw.applies.span(), key, Issue::NoFigures));
            }
            let tier = Tier { applies, figures };
            tiers.push(tier);
        }
        versions.push(ThresholdVersion {
            effective_from: from,
            basis: cx.text_of(&v.basis)?,
            mark,
            note: v
                .note
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
            later_figures_unverified: v.later_figures_unverified,
            tiers,
        });
    }
    Ok(ThresholdSet {
        id,
        zh: cx.text_of(&t.zh)?,
        en: cx.text_of(&t.en)?,
        counts,
        versions,
    })
}
