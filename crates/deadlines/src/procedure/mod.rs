//! Statutory procedures as data (`data/procedures.toml`): what starts each clock, its limit,
//! the extensions allowed and the excluded periods that stop it, each with its legal basis.

mod parse;

use serde::{Deserialize, Serialize};

use crate::error::ProcedureError;
use crate::unit::Amount;

const BUNDLED: &str = include_str!("../../data/procedures.toml");

/// How far a figure has been checked (legal-deadlines.md: ✅ / ◐ / ❌).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verification {
    /// ✅ the article text was read in a retrieved source
    Verified,
    /// ◐ secondary material only, or the article number or wording not confirmed
    Partly,
    /// ❌ recalled, not found in any retrieved source
    Unverified,
}

impl Verification {
    pub fn glyph(self) -> &'static str {
        match self {
            Verification::Verified => "✅",
            Verification::Partly => "◐",
            Verification::Unverified => "❌",
        }
    }

    pub(crate) fn from_glyph(s: &str) -> Option<Self> {
        match s.trim() {
            "✅" => Some(Verification::Verified),
            "◐" => Some(Verification::Partly),
            "❌" => Some(Verification::Unverified),
            _ => None,
        }
    }
}

/// Kinds of excluded period that stop a clock, each named by the rule that excludes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionKind {
    /// 中止
    Suspension,
    /// 听证
    Hearing,
    /// 公告
    Notice,
    /// 检测、检验、检疫、检定
    Testing,
    /// 鉴定
    Appraisal,
    /// 权利人辨认或者鉴别
    RightsHolderIdentification,
    /// 责令退还多收价款
    RefundOrder,
    /// 担保
    Bond,
    /// 在途时间
    Transit,
    /// 公证、认证
    Notarisation,
}

impl ExclusionKind {
    pub const ALL: [ExclusionKind; 10] = [
        ExclusionKind::Suspension,
        ExclusionKind::Hearing,
        ExclusionKind::Notice,
        ExclusionKind::Testing,
        ExclusionKind::Appraisal,
        ExclusionKind::RightsHolderIdentification,
        ExclusionKind::RefundOrder,
        ExclusionKind::Bond,
        ExclusionKind::Transit,
        ExclusionKind::Notarisation,
    ];

    /// The machine key used in data files and on the command line.
    pub fn key(self) -> &'static str {
        match self {
            ExclusionKind::Suspension => "suspension",
            ExclusionKind::Hearing => "hearing",
            ExclusionKind::Notice => "notice",
            ExclusionKind::Testing => "testing",
            ExclusionKind::Appraisal => "appraisal",
            ExclusionKind::RightsHolderIdentification => "rights_holder_identification",
            ExclusionKind::RefundOrder => "refund_order",
            ExclusionKind::Bond => "bond",
            ExclusionKind::Transit => "transit",
            ExclusionKind::Notarisation => "notarisation",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            ExclusionKind::Suspension => "中止",
            ExclusionKind::Hearing => "听证",
            ExclusionKind::Notice => "公告",
            ExclusionKind::Testing => "检测、检验、检疫",
            ExclusionKind::Appraisal => "鉴定",
            ExclusionKind::RightsHolderIdentification => "权利人辨认或者鉴别",
            ExclusionKind::RefundOrder => "责令退还多收价款",
            ExclusionKind::Bond => "担保",
            ExclusionKind::Transit => "在途时间",
            ExclusionKind::Notarisation => "公证、认证",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == key.trim())
    }
}

/// A law and article a procedure rests on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalBasis {
    pub law: String,
    pub article: Option<String>,
    pub mark: Verification,
    pub source: Option<String>,
    pub note: Option<String>,
}

/// The event that starts a clock: a machine key (`received`, `opened`, `detention` ...) and text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    pub key: String,
    pub zh: String,
    pub en: String,
}

/// What one extension rule grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleGrant {
    /// Up to this amount per extension.
    Fixed(Amount),
    /// Open-ended: a collective decision fixes the length of each extension.
    Collective,
}

/// One kind of extension a procedure allows; rules are used in order (M2: +30 days first,
/// then collective decisions).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionRule {
    pub grant: RuleGrant,
    /// How many times the rule may be used; `None`: no limit.
    pub max_count: Option<u32>,
    pub approver_zh: String,
    pub approver_en: String,
}

/// One statutory time limit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Procedure {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub trigger: Trigger,
    pub limit: Amount,
    pub extensions: Vec<ExtensionRule>,
    pub excluded: Vec<ExclusionKind>,
    /// At most this much excluded time stops the clock in total, in working days (E1: 20,
    /// 最高法 批复 2020 item 3; legal-deadlines.md §8.3); excluded time beyond it counts.
    #[serde(default)]
    pub excluded_cap: Option<Amount>,
    pub basis: Vec<LegalBasis>,
    /// The clock a case's closing (结案, or the decision that ends it) is measured against: what
    /// the on-time closure rate (按期结案率) counts.
    #[serde(default)]
    pub closes_case: bool,
    pub note: Option<String>,
}

impl Procedure {
    /// Whether an excluded period of `kind` stops this clock.
    pub fn allows(&self, kind: ExclusionKind) -> bool {
        self.excluded.contains(&kind)
    }

    /// The legal basis in one line: `《…》 Art. 18 ✅; …`.
    pub fn citation(&self) -> String {
        let parts: Vec<String> = self
            .basis
            .iter()
            .map(|b| match &b.article {
                Some(a) => format!("{} {} {}", b.law, a, b.mark.glyph()),
                None => format!("{} {}", b.law, b.mark.glyph()),
            })
            .collect();
        parts.join("; ")
    }
}

/// A validated set of procedures, looked up by id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Procedures {
    list: Vec<Procedure>,
}

impl Procedures {
    /// The procedures compiled into the crate from `data/procedures.toml`.
    pub fn bundled() -> Self {
        // the bundled file is checked by `the_bundled_procedures_parse` below
        Self::parse(BUNDLED).expect("bundled procedures data is valid")
    }

    /// Parses and validates a procedures file; every error names its line and text.
    pub fn parse(text: &str) -> Result<Self, ProcedureError> {
        parse::parse(text).map(|list| Procedures { list })
    }

    /// These procedures with each of `other` added, replacing any of the same id.
    pub fn with_overrides(mut self, other: Procedures) -> Self {
        for p in other.list {
            match self
                .list
                .iter_mut()
                .find(|q| q.id.eq_ignore_ascii_case(&p.id))
            {
                Some(q) => *q = p,
                None => self.list.push(p),
            }
        }
        self
    }

    /// The procedure with this id (ASCII case-insensitive).
    pub fn get(&self, id: &str) -> Option<&Procedure> {
        let id = id.trim();
        self.list.iter().find(|p| p.id.eq_ignore_ascii_case(id))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Procedure> {
        self.list.iter()
    }

    pub fn ids(&self) -> Vec<&str> {
        self.list.iter().map(|p| p.id.as_str()).collect()
    }
}

#[cfg(test)]
mod tests;
