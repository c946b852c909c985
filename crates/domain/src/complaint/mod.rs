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

/// Amounts in fen (分), kept for the criminal-threshold routing rules (§2.6).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Amounts {
    pub illegal_business_volume_fen: Option<i64>,
    pub illegal_gains_fen: Option<i64>,
    pub loss_fen: Option<i64>,
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
