//! Criminal prosecution thresholds (立案追诉标准) as dated data (legal-deadlines.md §2.6): a named
//! set has versions by effective date, each with tiers of figures in fen. On a routing date the
//! version in force is the one with the latest `effective_from` not after it.

use jiff::civil::Date;
use kuaiwei_domain::{Amounts, RightKind};

use crate::input::RoutingInput;
use crate::text::{yuan, yuan_round};

/// A named set, e.g. `trademark_counterfeiting` (《刑法》Art. 213).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThresholdSet {
    pub id: String,
    pub zh: String,
    pub en: String,
    /// The right kinds counted for [`TierCondition::MultipleRights`].
    pub counts: Vec<RightKind>,
    /// Sorted by `effective_from`, strictly increasing.
    pub versions: Vec<ThresholdVersion>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThresholdVersion {
    pub effective_from: Date,
    /// The interpretation or standard, e.g. `法释〔2025〕5号`.
    pub basis: String,
    pub mark: Mark,
    pub note: Option<String>,
    pub tiers: Vec<Tier>,
}

/// How far a figure has been checked (legal-deadlines.md's marks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Verified,
    PartlyVerified,
    Unverified,
}

impl Mark {
    pub fn glyph(self) -> &'static str {
        match self {
            Mark::Verified => "✅",
            Mark::PartlyVerified => "◐",
            Mark::Unverified => "❌",
        }
    }

    pub fn from_glyph(s: &str) -> Option<Mark> {
        [Mark::Verified, Mark::PartlyVerified, Mark::Unverified]
            .into_iter()
            .find(|m| m.glyph() == s.trim())
    }
}

/// Figures of one tier; the tier is reached when any figure is (the standards say "或者").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tier {
    pub applies: TierCondition,
    pub illegal_business_volume_fen: Option<i64>,
    pub illegal_gains_fen: Option<i64>,
    pub loss_fen: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierCondition {
    Any,
    /// Two or more rights of the set's `counts` (两种以上注册商标 / 两项以上专利).
    MultipleRights,
    /// A penalty for the same kind of conduct within two years (法释〔2025〕5号).
    PriorPenalty,
}

impl TierCondition {
    pub fn key(self) -> &'static str {
        match self {
            TierCondition::Any => "any",
            TierCondition::MultipleRights => "multiple_rights",
            TierCondition::PriorPenalty => "prior_penalty",
        }
    }

    pub fn from_key(key: &str) -> Option<TierCondition> {
        [
            TierCondition::Any,
            TierCondition::MultipleRights,
            TierCondition::PriorPenalty,
        ]
        .into_iter()
        .find(|c| c.key() == key)
    }
}

/// The amount a complaint states, compared with a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// 非法经营数额
    IllegalBusinessVolume,
    /// 违法所得数额
    IllegalGains,
    /// 给权利人造成的损失
    Loss,
}

impl Metric {
    pub fn zh(self) -> &'static str {
        match self {
            Metric::IllegalBusinessVolume => "非法经营数额",
            Metric::IllegalGains => "违法所得数额",
            Metric::Loss => "给权利人造成的损失",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Metric::IllegalBusinessVolume => "illegal business volume",
            Metric::IllegalGains => "illegal gains",
            Metric::Loss => "loss to the right-holder",
        }
    }

    fn of(self, amounts: &Amounts) -> Option<i64> {
        match self {
            Metric::IllegalBusinessVolume => amounts.illegal_business_volume_fen,
            Metric::IllegalGains => amounts.illegal_gains_fen,
            Metric::Loss => amounts.loss_fen,
        }
    }

    fn of_tier(self, tier: &Tier) -> Option<i64> {
        match self {
            Metric::IllegalBusinessVolume => tier.illegal_business_volume_fen,
            Metric::IllegalGains => tier.illegal_gains_fen,
            Metric::Loss => tier.loss_fen,
        }
    }
}

/// A threshold reached, with what is needed to explain it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reached {
    pub metric: Metric,
    pub amount_fen: i64,
    pub threshold_fen: i64,
    pub condition: TierCondition,
    pub effective_from: Date,
    pub basis: String,
    pub mark: Mark,
    pub note: Option<String>,
}

impl ThresholdSet {
    /// The version in force on `on`, if any was yet.
    pub fn in_force(&self, on: Date) -> Option<&ThresholdVersion> {
        self.versions.iter().rev().find(|v| v.effective_from <= on)
    }

    /// The first tier (in file order) and figure the input reaches, under the version in force.
    pub fn reached(&self, input: &RoutingInput) -> Option<Reached> {
        let version = self.in_force(input.on)?;
        let counted = input
            .rights
            .iter()
            .filter(|k| self.counts.contains(k))
            .count();
        let applies = |c: TierCondition| match c {
            TierCondition::Any => true,
            TierCondition::MultipleRights => counted >= 2,
            TierCondition::PriorPenalty => input.prior_penalty,
        };
        let metrics = [
            Metric::IllegalBusinessVolume,
            Metric::IllegalGains,
            Metric::Loss,
        ];
        version
            .tiers
            .iter()
            .filter(|t| applies(t.applies))
            .find_map(|tier| {
                metrics.into_iter().find_map(|m| {
                    let (amount, threshold) = (m.of(&input.amounts)?, m.of_tier(tier)?);
                    (amount >= threshold).then(|| Reached {
                        metric: m,
                        amount_fen: amount,
                        threshold_fen: threshold,
                        condition: tier.applies,
                        effective_from: version.effective_from,
                        basis: version.basis.clone(),
                        mark: version.mark,
                        note: version.note.clone(),
                    })
                })
            })
    }
}

impl Reached {
    /// `非法经营数额 ¥52,000.00 达到假冒注册商标罪立案追诉标准 ¥50,000（法释〔2025〕5号，2025-04-26起）`
    pub fn describe_zh(&self, set: &ThresholdSet) -> String {
        let tier = match self.condition {
            TierCondition::Any => "",
            TierCondition::MultipleRights => "两项以上权利；",
            TierCondition::PriorPenalty => "两年内曾受处罚；",
        };
        format!(
            "{} {} 达到{} {}（{tier}{}，{}起）",
            self.metric.zh(),
            yuan(self.amount_fen),
            set.zh,
            yuan_round(self.threshold_fen),
            self.basis,
            self.effective_from
        )
    }

    pub fn describe_en(&self, set: &ThresholdSet) -> String {
        let tier = match self.condition {
            TierCondition::Any => "",
            TierCondition::MultipleRights => "two or more rights; ",
            TierCondition::PriorPenalty => "penalised within two years; ",
        };
        format!(
            "{} {} reaches the {} of {} ({tier}{}, from {})",
            self.metric.en(),
            yuan(self.amount_fen),
            set.en,
            yuan_round(self.threshold_fen),
            self.basis,
            self.effective_from
        )
    }
}
