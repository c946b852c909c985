//! Criminal prosecution thresholds (立案追诉标准) as dated data (legal-deadlines.md §2.6): a named
//! set has versions by effective date, each with tiers of figures (fen, or counts of copies and
//! labels).
//!
//! Which versions apply (§8.12): the one in force when the conduct took place, unless a later one
//! issued by the routing date is more lenient; a complaint reaches the threshold only when it
//! reaches every version from the conduct's to the routing date's. Where the figures in force are
//! not confirmed (a version marked ◐ or ❌, or one whose later change is unverified), amounts from
//! the lowest figure any version of the set names up to the threshold are flagged for a
//! supervisor's decision on a transfer (§8.7, 移送规定 Art. 3(2)) instead of being decided.

use jiff::civil::Date;
use kuaiwei_domain::{Amounts, RightKind};
use serde::Serialize;

use crate::input::RoutingInput;
use crate::text::{grouped, yuan, yuan_round};

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
    /// A later text changed these figures and the new ones are not confirmed here: amounts below
    /// them may still reach the law in force (§8.7).
    pub later_figures_unverified: bool,
    pub tiers: Vec<Tier>,
}

impl ThresholdVersion {
    /// Whether the figures in force are confirmed (§8.7): marked ✅ and not known to be changed.
    pub fn confirmed(&self) -> bool {
        self.mark == Mark::Verified && !self.later_figures_unverified
    }
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
    /// In [`Metric::ALL`] order, at least one.
    pub figures: Vec<(Metric, i64)>,
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

    fn zh(self) -> &'static str {
        match self {
            TierCondition::Any => "",
            TierCondition::MultipleRights => "两项以上权利；",
            TierCondition::PriorPenalty => "两年内曾受处罚；",
        }
    }

    fn en(self) -> &'static str {
        match self {
            TierCondition::Any => "",
            TierCondition::MultipleRights => "two or more rights; ",
            TierCondition::PriorPenalty => "penalised within two years; ",
        }
    }
}

/// What a complaint states, compared with a threshold: an amount in fen or a count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// 非法经营数额
    IllegalBusinessVolume,
    /// 违法所得数额
    IllegalGains,
    /// 给权利人造成的损失
    Loss,
    /// 销售金额
    Sales,
    /// 尚未销售的货值金额
    UnsoldValue,
    /// 已销售金额与尚未销售的货值金额合计
    SalesAndUnsold,
    /// 复制品数量
    Copies,
    /// 注册商标标识数量
    Labels,
}

impl Metric {
    pub const ALL: [Metric; 8] = [
        Metric::IllegalBusinessVolume,
        Metric::IllegalGains,
        Metric::Loss,
        Metric::Sales,
        Metric::UnsoldValue,
        Metric::SalesAndUnsold,
        Metric::Copies,
        Metric::Labels,
    ];

    /// The key in a rules file's tier (`illegal_gains_fen`, `copies` …).
    pub fn key(self) -> &'static str {
        match self {
            Metric::IllegalBusinessVolume => "illegal_business_volume_fen",
            Metric::IllegalGains => "illegal_gains_fen",
            Metric::Loss => "loss_fen",
            Metric::Sales => "sales_fen",
            Metric::UnsoldValue => "unsold_value_fen",
            Metric::SalesAndUnsold => "sales_and_unsold_fen",
            Metric::Copies => "copies",
            Metric::Labels => "labels",
        }
    }

    pub fn is_count(self) -> bool {
        matches!(self, Metric::Copies | Metric::Labels)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Metric::IllegalBusinessVolume => "非法经营数额",
            Metric::IllegalGains => "违法所得数额",
            Metric::Loss => "给权利人造成的损失",
            Metric::Sales => "销售金额",
            Metric::UnsoldValue => "尚未销售的货值金额",
            Metric::SalesAndUnsold => "已销售与尚未销售的货值合计",
            Metric::Copies => "复制品数量",
            Metric::Labels => "注册商标标识数量",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Metric::IllegalBusinessVolume => "illegal business volume",
            Metric::IllegalGains => "illegal gains",
            Metric::Loss => "loss to the right-holder",
            Metric::Sales => "sales",
            Metric::UnsoldValue => "value of goods not yet sold",
            Metric::SalesAndUnsold => "sales and unsold goods together",
            Metric::Copies => "number of copies",
            Metric::Labels => "number of labels",
        }
    }

    /// The complaint's figure; sales and unsold goods together only when goods are unsold.
    pub fn of(self, a: &Amounts) -> Option<i64> {
        match self {
            Metric::IllegalBusinessVolume => a.illegal_business_volume_fen,
            Metric::IllegalGains => a.illegal_gains_fen,
            Metric::Loss => a.loss_fen,
            Metric::Sales => a.sales_fen,
            Metric::UnsoldValue => a.unsold_value_fen,
            Metric::SalesAndUnsold => a
                .unsold_value_fen
                .map(|u| u.saturating_add(a.sales_fen.unwrap_or(0))),
            Metric::Copies => a.copies,
            Metric::Labels => a.labels,
        }
    }

    /// `¥52,000.00`, or `1,200 件` for a count.
    pub fn show(self, n: i64) -> String {
        if self.is_count() {
            format!("{} 件", grouped(n.unsigned_abs()))
        } else {
            yuan(n)
        }
    }

    fn show_round(self, n: i64) -> String {
        if self.is_count() {
            format!("{} 件", grouped(n.unsigned_abs()))
        } else {
            yuan_round(n)
        }
    }

    fn show_en(self, n: i64) -> String {
        if self.is_count() {
            grouped(n.unsigned_abs())
        } else {
            yuan(n)
        }
    }

    fn show_round_en(self, n: i64) -> String {
        if self.is_count() {
            grouped(n.unsigned_abs())
        } else {
            yuan_round(n)
        }
    }
}

/// One version's verdict on a complaint: the figure reached, or that none was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Compared {
    #[serde(serialize_with = "date_text")]
    pub effective_from: Date,
    pub basis: String,
    pub mark: &'static str,
    /// The first figure reached under this version, if any.
    pub reached: Option<Figure>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Figure {
    pub metric: Metric,
    pub amount: i64,
    pub threshold: i64,
    #[serde(serialize_with = "condition_key")]
    pub condition: TierCondition,
}

fn date_text<S: serde::Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

fn condition_key<S: serde::Serializer>(c: &TierCondition, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(c.key())
}

/// A threshold reached under every version that applies, with what is needed to explain it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reached {
    /// The figure reached under the version in force at the conduct (or the earliest applying).
    pub figure: Figure,
    pub effective_from: Date,
    pub basis: String,
    pub mark: Mark,
    pub note: Option<String>,
    /// Every version compared, the conduct's first.
    pub compared: Vec<Compared>,
}

/// Amounts in the band a supervisor decides (§8.7): at or above the lowest figure any version
/// of the set names, below the threshold of the version that applies, whose figures are not
/// confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Band {
    pub metric: Metric,
    pub amount: i64,
    /// The lowest figure for this metric in any tier of any version.
    pub lowest: i64,
    /// The figure of the version that applies, for the tier the complaint is in (if it names one).
    pub threshold: Option<i64>,
    pub basis: String,
    pub mark: Mark,
    pub note: Option<String>,
    pub compared: Vec<Compared>,
}

impl ThresholdSet {
    /// The version in force on `on`, if any was yet.
    pub fn in_force(&self, on: Date) -> Option<&ThresholdVersion> {
        self.versions.iter().rev().find(|v| v.effective_from <= on)
    }

    /// The versions that decide (§8.12): the one in force at the conduct and every later one
    /// in force by the routing date; when none was in force at the conduct, the later ones.
    pub fn applying(&self, input: &RoutingInput) -> Vec<&ThresholdVersion> {
        let conduct = input.conduct_on.min(input.on);
        let first = self.in_force(conduct);
        let mut out: Vec<&ThresholdVersion> = first.into_iter().collect();
        out.extend(
            self.versions
                .iter()
                .filter(|v| v.effective_from > conduct && v.effective_from <= input.on),
        );
        out
    }

    fn counted(&self, input: &RoutingInput) -> usize {
        input
            .rights
            .iter()
            .filter(|k| self.counts.contains(k))
            .count()
    }

    fn holds(&self, c: TierCondition, input: &RoutingInput) -> bool {
        match c {
            TierCondition::Any => true,
            TierCondition::MultipleRights => self.counted(input) >= 2,
            TierCondition::PriorPenalty => input.prior_penalty,
        }
    }

    /// The first tier (in file order) and figure the input reaches under `version`.
    fn figure(&self, version: &ThresholdVersion, input: &RoutingInput) -> Option<Figure> {
        version
            .tiers
            .iter()
            .filter(|t| self.holds(t.applies, input))
            .find_map(|tier| {
                tier.figures.iter().find_map(|&(metric, threshold)| {
                    let amount = metric.of(&input.amounts)?;
                    (amount >= threshold).then_some(Figure {
                        metric,
                        amount,
                        threshold,
                        condition: tier.applies,
                    })
                })
            })
    }

    fn compare(&self, input: &RoutingInput) -> Vec<(&ThresholdVersion, Compared)> {
        self.applying(input)
            .into_iter()
            .map(|v| {
                let c = Compared {
                    effective_from: v.effective_from,
                    basis: v.basis.clone(),
                    mark: v.mark.glyph(),
                    reached: self.figure(v, input),
                };
                (v, c)
            })
            .collect()
    }

    /// Reached when every applying version is reached (the more lenient one wins, §8.12).
    pub fn reached(&self, input: &RoutingInput) -> Option<Reached> {
        let compared = self.compare(input);
        let (first, c) = compared.first()?;
        let figure = c.reached?;
        if compared.iter().any(|(_, c)| c.reached.is_none()) {
            return None;
        }
        Some(Reached {
            figure,
            effective_from: first.effective_from,
            basis: first.basis.clone(),
            mark: first.mark,
            note: first.note.clone(),
            compared: compared.into_iter().map(|(_, c)| c).collect(),
        })
    }

    /// Not reached, but in the band a supervisor decides (§8.7).
    pub fn band(&self, input: &RoutingInput) -> Option<Band> {
        if self.reached(input).is_some() {
            return None;
        }
        let compared = self.compare(input);
        // the version that decided "not reached": the first applying one not reached
        let (deciding, _) = compared.iter().find(|(_, c)| c.reached.is_none())?;
        if deciding.confirmed() {
            return None;
        }
        Metric::ALL.into_iter().find_map(|metric| {
            let amount = metric.of(&input.amounts)?;
            let lowest = self
                .versions
                .iter()
                .flat_map(|v| &v.tiers)
                .flat_map(|t| &t.figures)
                .filter(|(m, _)| *m == metric)
                .map(|&(_, f)| f)
                .min()?;
            let threshold = deciding
                .tiers
                .iter()
                .filter(|t| self.holds(t.applies, input))
                .flat_map(|t| &t.figures)
                .filter(|(m, _)| *m == metric)
                .map(|&(_, f)| f)
                .min();
            (amount >= lowest).then(|| Band {
                metric,
                amount,
                lowest,
                threshold,
                basis: deciding.basis.clone(),
                mark: deciding.mark,
                note: deciding.note.clone(),
                compared: compared.iter().map(|(_, c)| c.clone()).collect(),
            })
        })
    }
}

impl Reached {
    /// `非法经营数额 ¥52,000.00 达到假冒注册商标罪立案追诉标准 ¥50,000（法释〔2025〕5号，2025-04-26起）`
    pub fn describe_zh(&self, set: &ThresholdSet) -> String {
        let f = &self.figure;
        let mut s = format!(
            "{} {} 达到{} {}（{}{}，{}起）",
            f.metric.zh(),
            f.metric.show(f.amount),
            set.zh,
            f.metric.show_round(f.threshold),
            f.condition.zh(),
            self.basis,
            self.effective_from
        );
        for c in self.compared.iter().skip(1) {
            if let Some(l) = &c.reached {
                s.push_str(&format!(
                    "；亦达到其后施行的{}（{}起）{} {}",
                    c.basis,
                    c.effective_from,
                    l.metric.zh(),
                    l.metric.show_round(l.threshold)
                ));
            }
        }
        s
    }

    pub fn describe_en(&self, set: &ThresholdSet) -> String {
        let f = &self.figure;
        let mut s = format!(
            "{} {} reaches the {} of {} ({}{}, from {})",
            f.metric.en(),
            f.metric.show_en(f.amount),
            set.en,
            f.metric.show_round_en(f.threshold),
            f.condition.en(),
            self.basis,
            self.effective_from
        );
        for c in self.compared.iter().skip(1) {
            if let Some(l) = &c.reached {
                s.push_str(&format!(
                    "; also the later {} (from {}): {} {}",
                    c.basis,
                    c.effective_from,
                    l.metric.en(),
                    l.metric.show_round_en(l.threshold)
                ));
            }
        }
        s
    }
}

impl Band {
    pub fn describe_zh(&self, set: &ThresholdSet) -> String {
        let m = self.metric;
        let upper = match self.threshold {
            Some(t) => format!("低于{} {}", self.basis, m.show_round(t)),
            None => format!("{}未就此项定数额", self.basis),
        };
        format!(
            "{} {} 在{}的待定区间（各版本最低数额 {} 起，{}；该标准{}，在施行数额未经核实），请主管领导决定是否移送（移送规定 Art. 3(2)；legal-deadlines §8.7）",
            m.zh(),
            m.show(self.amount),
            set.zh,
            m.show_round(self.lowest),
            upper,
            self.mark.glyph()
        )
    }

    pub fn describe_en(&self, set: &ThresholdSet) -> String {
        let m = self.metric;
        let upper = match self.threshold {
            Some(t) => format!("below {} of {}", m.show_round_en(t), self.basis),
            None => format!("{} names no figure for it", self.basis),
        };
        format!(
            "{} {} is in the undecided band of the {} (from the lowest figure of any version, {}, {}; marked {}, the figures in force are unconfirmed): a supervisor decides on a transfer (移送规定 Art. 3(2); legal-deadlines §8.7)",
            m.en(),
            m.show_en(self.amount),
            set.en,
            m.show_round_en(self.lowest),
            upper,
            self.mark.glyph()
        )
    }
}
