//! A complaint as kuaiwei holds it once validated: channel, complainant (and agent), rights,
//! respondent, the facts, and what the complainant asks for.

pub mod input;
mod keys;
mod names;
mod validate;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::ids::{Email, MobileNumber, PatentNumber, TrademarkNumber, Uscc};

pub use input::ComplaintInput;
pub use keys::{MatchKey, MatchKind, aliases_of, normalize_url};
pub use names::{FoldedName, deletions, divisions_compatible, fold_company_name};
pub use validate::validate_facts;

/// Bounds on free text and lists, shared by validation and the API description.
pub mod limits {
    pub const DESCRIPTION_CHARS: usize = 5_000;
    pub const SHORT_TEXT_CHARS: usize = 200;
    pub const GOODS_CHARS: usize = 1_000;
    pub const LISTING_URLS: usize = 300;
    pub const URL_CHARS: usize = 2_048;
    pub const RIGHTS: usize = 20;
    /// Amounts are held in fen; 10¹² yuan is far above any real case and keeps i64 safe.
    pub const AMOUNT_MAX_FEN: i64 = 100_000_000_000_000;
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Complaint {
    pub channel: Channel,
    pub complainant: Complainant,
    pub agent: Option<Agent>,
    pub rights: Vec<Right>,
    pub respondent: Respondent,
    pub description: String,
    pub goods: Option<String>,
    pub amounts: Amounts,
    pub requested_measures: Vec<RequestedMeasure>,
    /// What the routing rules need beyond the parties and rights (all optional; a caseworker
    /// may complete them at triage). Complaints stored before these facts existed read as none.
    #[serde(default)]
    pub facts: Facts,
}

/// Where the infringement was met; each channel carries what its authority needs to act.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Channel {
    Fair {
        fair_name: String,
        session: Option<String>,
        hall: Option<String>,
        booth: String,
        #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
        starts_on: Option<Date>,
        #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
        ends_on: Option<Date>,
    },
    Ecommerce {
        platform: String,
        shop_name: Option<String>,
        shop_id: Option<String>,
        listing_urls: Vec<String>,
    },
    Border {
        port: String,
        declaration_number: Option<String>,
        waybill_number: Option<String>,
        direction: Direction,
    },
    WalkIn {
        note: Option<String>,
    },
    Hotline {
        note: Option<String>,
    },
    Other {
        note: Option<String>,
    },
}

impl Channel {
    /// The fair and session as filed (`第138届广交会 第一期`), for a fair complaint: what the
    /// reports break figures down by.
    pub fn fair_label(&self) -> Option<String> {
        match self {
            Channel::Fair {
                fair_name, session, ..
            } => Some(match session.as_deref().map(str::trim) {
                Some(s) if !s.is_empty() => format!("{} {s}", fair_name.trim()),
                _ => fair_name.trim().to_string(),
            }),
            _ => None,
        }
    }

    pub fn key(&self) -> &'static str {
        match self {
            Channel::Fair { .. } => "fair",
            Channel::Ecommerce { .. } => "ecommerce",
            Channel::Border { .. } => "border",
            Channel::WalkIn { .. } => "walk_in",
            Channel::Hotline { .. } => "hotline",
            Channel::Other { .. } => "other",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Import,
    Export,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ComplainantKind {
    Organisation,
    Person,
}

/// The rights holder (权利人) who complains, or on whose behalf an agent complains.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Complainant {
    pub kind: ComplainantKind,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub uscc: Option<Uscc>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub mobile: Option<MobileNumber>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub email: Option<Email>,
    pub address: Option<String>,
}

/// An agent acting for the rights holder; a power of attorney (授权委托书) is required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agent {
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub uscc: Option<Uscc>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub mobile: Option<MobileNumber>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub email: Option<Email>,
    pub power_of_attorney_ref: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RightKind {
    InventionPatent,
    UtilityModel,
    DesignPatent,
    Trademark,
    Copyright,
    GeographicalIndication,
    Other,
}

impl RightKind {
    /// The machine key, as in the API (`invention_patent`, `trademark` …).
    pub fn key(self) -> &'static str {
        match self {
            RightKind::InventionPatent => "invention_patent",
            RightKind::UtilityModel => "utility_model",
            RightKind::DesignPatent => "design_patent",
            RightKind::Trademark => "trademark",
            RightKind::Copyright => "copyright",
            RightKind::GeographicalIndication => "geographical_indication",
            RightKind::Other => "other",
        }
    }

    pub fn is_patent(self) -> bool {
        matches!(
            self,
            RightKind::InventionPatent | RightKind::UtilityModel | RightKind::DesignPatent
        )
    }
}

/// One right relied on. `number` is normalised: a patent number as `YYYYTNNNNNNN.C`, a trademark
/// registration number as digits, other rights as given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Right {
    pub kind: RightKind,
    pub number: Option<String>,
    pub title: Option<String>,
    pub holder: Option<String>,
    pub nice_classes: Vec<u8>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub valid_from: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub valid_until: Option<Date>,
}

impl Right {
    pub fn patent_number(&self) -> Option<PatentNumber> {
        self.number
            .as_deref()
            .filter(|_| self.kind.is_patent())
            .and_then(|n| PatentNumber::parse(n).ok())
    }

    pub fn trademark_number(&self) -> Option<TrademarkNumber> {
        self.number
            .as_deref()
            .filter(|_| self.kind == RightKind::Trademark)
            .and_then(|n| TrademarkNumber::parse(n).ok())
    }
}

/// The party complained about. At least one way to find them is required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Respondent {
    pub name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub uscc: Option<Uscc>,
    pub booth: Option<String>,
    pub shop_id: Option<String>,
    pub seller_id: Option<String>,
    pub address: Option<String>,
}

/// Amounts in fen (分) and counts, kept for the criminal-threshold routing rules (§2.6).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Amounts {
    /// 非法经营数额
    pub illegal_business_volume_fen: Option<i64>,
    /// 违法所得数额
    pub illegal_gains_fen: Option<i64>,
    /// 给权利人造成的损失
    pub loss_fen: Option<i64>,
    /// 销售金额 (goods sold, 《刑法》Arts. 214, 218)
    pub sales_fen: Option<i64>,
    /// 尚未销售的货值金额 (goods held unsold)
    pub unsold_value_fen: Option<i64>,
    /// 复制品数量 (copies, 《刑法》Art. 217)
    pub copies: Option<i64>,
    /// 注册商标标识数量 (labels, 《刑法》Art. 215)
    pub labels: Option<i64>,
}

/// Facts the routing rules need that the parties and rights do not say (legal-deadlines.md
/// §2.6, §8.9-§8.12). Each is optional: absent means not stated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Facts {
    /// For patent rights: an infringement dispute (专利侵权纠纷), counterfeit patent marking
    /// (假冒专利), or both. None stated with a patent right: a dispute.
    pub patent_matters: Vec<PatentMatter>,
    /// The respondent's last criminal or administrative penalty for the same kind of conduct
    /// (not the repeat-infringer finding, which kuaiwei makes from its own cases).
    pub prior_penalty: Option<PriorPenalty>,
    /// Goods or services, when stated; otherwise the trademarks' Nice classes say (35-45:
    /// services).
    pub supply: Option<Supply>,
    /// At the border: the right is recorded with customs (知识产权海关保护备案).
    pub customs_recorded: Option<bool>,
    /// At the border: customs already holds the goods (found them itself and notified).
    pub customs_holds_goods: Option<bool>,
    /// For a geographical indication: protected as a collective or certification mark, or as a
    /// GI product.
    pub gi_form: Option<GiForm>,
    /// When the conduct took place (or ended), if known: it picks the criminal thresholds.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub conduct_on: Option<Date>,
}

impl Facts {
    pub fn is_empty(&self) -> bool {
        *self == Facts::default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PatentMatter {
    /// 专利侵权纠纷 (《专利法》(2020) Art. 65)
    InfringementDispute,
    /// 假冒专利 (《专利法》(2020) Art. 68)
    CounterfeitMarking,
}

impl PatentMatter {
    pub const ALL: [PatentMatter; 2] = [
        PatentMatter::InfringementDispute,
        PatentMatter::CounterfeitMarking,
    ];

    pub fn key(self) -> &'static str {
        match self {
            PatentMatter::InfringementDispute => "infringement_dispute",
            PatentMatter::CounterfeitMarking => "counterfeit_marking",
        }
    }

    pub fn from_key(key: &str) -> Option<PatentMatter> {
        PatentMatter::ALL.into_iter().find(|m| m.key() == key)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriorPenalty {
    pub kind: PenaltyKind,
    /// The date of the penalty decision (or judgment).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub decided_on: Date,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PenaltyKind {
    Administrative,
    Criminal,
}

impl PenaltyKind {
    pub fn key(self) -> &'static str {
        match self {
            PenaltyKind::Administrative => "administrative",
            PenaltyKind::Criminal => "criminal",
        }
    }

    pub fn from_key(key: &str) -> Option<PenaltyKind> {
        [PenaltyKind::Administrative, PenaltyKind::Criminal]
            .into_iter()
            .find(|k| k.key() == key)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Supply {
    Goods,
    Services,
}

impl Supply {
    pub fn key(self) -> &'static str {
        match self {
            Supply::Goods => "goods",
            Supply::Services => "services",
        }
    }

    pub fn from_key(key: &str) -> Option<Supply> {
        [Supply::Goods, Supply::Services]
            .into_iter()
            .find(|s| s.key() == key)
    }
}

/// How a geographical indication is protected (《商标法》(2019) Art. 16; 《地理标志产品保护办法》).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GiForm {
    /// 集体商标
    CollectiveMark,
    /// 证明商标
    CertificationMark,
    /// 地理标志产品保护
    ProductProtection,
}

impl GiForm {
    pub const ALL: [GiForm; 3] = [
        GiForm::CollectiveMark,
        GiForm::CertificationMark,
        GiForm::ProductProtection,
    ];

    pub fn key(self) -> &'static str {
        match self {
            GiForm::CollectiveMark => "collective_mark",
            GiForm::CertificationMark => "certification_mark",
            GiForm::ProductProtection => "product_protection",
        }
    }

    pub fn from_key(key: &str) -> Option<GiForm> {
        GiForm::ALL.into_iter().find(|g| g.key() == key)
    }

    /// Registered as a trademark, so that the trademark crimes apply (《刑法》Art. 213).
    pub fn is_mark(self) -> bool {
        matches!(self, GiForm::CollectiveMark | GiForm::CertificationMark)
    }
}

/// What the complainant asks the authority to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RequestedMeasure {
    /// 撤展 / 遮盖
    WithdrawExhibits,
    /// 删除、屏蔽、断开链接
    TakeDownListings,
    /// 责令停止侵权
    StopInfringement,
    /// 暂扣 / 扣留货物
    DetainGoods,
    /// 调解
    Mediation,
    /// 移送公安
    ReferToPolice,
    Other,
}

/// Where a complaint stands, as the complainant sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ComplaintStatus {
    Received,
}

impl ComplaintStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ComplaintStatus::Received => "received",
        }
    }

    pub fn parse(s: &str) -> Option<ComplaintStatus> {
        match s {
            "received" => Some(ComplaintStatus::Received),
            _ => None,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ComplaintStatus::Received => "已收到",
        }
    }
}

impl Complaint {
    /// The right type a case is reported under: that of the first right relied on.
    pub fn right_type(&self) -> Option<RightKind> {
        self.rights.first().map(|r| r.kind)
    }
}
