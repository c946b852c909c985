//! The complaint as submitted: every field optional and loosely typed, so that validation can
//! name every problem at once instead of failing on the first. Unknown fields are refused.

use serde::Deserialize;

/// A complaint as a phone, a desk or a platform sends it (`POST /api/v1/complaints`).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ComplaintInput {
    pub channel: Option<ChannelInput>,
    pub complainant: Option<PartyInput>,
    pub agent: Option<AgentInput>,
    pub rights: Option<Vec<RightInput>>,
    pub respondent: Option<RespondentInput>,
    /// What happened, in the complainant's words (Chinese free text, at most 5,000 characters).
    pub description: Option<String>,
    /// The goods or services concerned.
    pub goods: Option<String>,
    pub amounts: Option<AmountsInput>,
    /// Any of: withdraw_exhibits, take_down_listings, stop_infringement, detain_goods,
    /// mediation, refer_to_police, other.
    pub requested_measures: Option<Vec<String>>,
    /// Facts the routing rules need (all optional).
    pub facts: Option<FactsInput>,
}

/// `kind` is one of fair, ecommerce, border, walk_in, hotline, other; the other fields belong to
/// one kind each (fair_*: fair; platform, shop_*, listing_urls: ecommerce; port, declaration,
/// waybill, direction: border; note: walk_in, hotline, other).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChannelInput {
    #[cfg_attr(feature = "openapi", schema(example = "fair"))]
    pub kind: Option<String>,
    #[cfg_attr(feature = "openapi", schema(example = "第138届中国进出口商品交易会"))]
    pub fair_name: Option<String>,
    pub session: Option<String>,
    pub hall: Option<String>,
    #[cfg_attr(feature = "openapi", schema(example = "16.1K7"))]
    pub booth: Option<String>,
    #[cfg_attr(feature = "openapi", schema(example = "2026-10-15"))]
    pub starts_on: Option<String>,
    #[cfg_attr(feature = "openapi", schema(example = "2026-10-19"))]
    pub ends_on: Option<String>,
    pub platform: Option<String>,
    pub shop_name: Option<String>,
    pub shop_id: Option<String>,
    pub listing_urls: Option<Vec<String>>,
    pub port: Option<String>,
    pub declaration_number: Option<String>,
    pub waybill_number: Option<String>,
    /// import or export
    pub direction: Option<String>,
    pub note: Option<String>,
}

/// The rights holder. `kind` is organisation or person; a mobile number or an e-mail address is
/// required so that the centre can ask for supplements.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PartyInput {
    #[cfg_attr(feature = "openapi", schema(example = "organisation"))]
    pub kind: Option<String>,
    pub name: Option<String>,
    /// Unified social credit code (统一社会信用代码), checked with its check character.
    pub uscc: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AgentInput {
    pub name: Option<String>,
    pub uscc: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    /// Reference of the power of attorney (授权委托书), required when an agent files.
    pub power_of_attorney_ref: Option<String>,
}

/// `kind` is one of invention_patent, utility_model, design_patent, trademark, copyright,
/// geographical_indication, other.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RightInput {
    #[cfg_attr(feature = "openapi", schema(example = "design_patent"))]
    pub kind: Option<String>,
    /// Patent number (ZL/CN prefixes and dots accepted), trademark registration number, or
    /// copyright registration number.
    #[cfg_attr(feature = "openapi", schema(example = "ZL202330123456.7"))]
    pub number: Option<String>,
    pub title: Option<String>,
    pub holder: Option<String>,
    /// Nice classes 1-45, for trademarks.
    pub nice_classes: Option<Vec<i64>>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
}

/// At least one of name, uscc, booth, shop_id or seller_id.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RespondentInput {
    pub name: Option<String>,
    pub uscc: Option<String>,
    pub booth: Option<String>,
    pub shop_id: Option<String>,
    pub seller_id: Option<String>,
    pub address: Option<String>,
}

/// Amounts in yuan (元) with at most two decimals.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AmountsInput {
    /// 非法经营数额
    pub illegal_business_volume: Option<f64>,
    /// 违法所得
    pub illegal_gains: Option<f64>,
    /// 权利人损失
    pub loss: Option<f64>,
    /// 销售金额: goods sold
    pub sales: Option<f64>,
    /// 尚未销售的货值金额: goods held, not yet sold
    pub unsold_value: Option<f64>,
    /// 复制品数量: number of infringing copies
    pub copies: Option<i64>,
    /// 注册商标标识数量: number of counterfeit labels
    pub labels: Option<i64>,
}

/// Facts for routing. `patent_matters`: infringement_dispute and/or counterfeit_marking (patent
/// rights only); `supply`: goods or services; `customs_*`: border complaints only; `gi_form`:
/// collective_mark, certification_mark or product_protection (geographical indications only);
/// dates as `YYYY-MM-DD`, not in the future.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FactsInput {
    pub patent_matters: Option<Vec<String>>,
    pub prior_penalty: Option<PriorPenaltyInput>,
    #[cfg_attr(feature = "openapi", schema(example = "goods"))]
    pub supply: Option<String>,
    pub customs_recorded: Option<bool>,
    pub customs_holds_goods: Option<bool>,
    pub gi_form: Option<String>,
    #[cfg_attr(feature = "openapi", schema(example = "2026-10-16"))]
    pub conduct_on: Option<String>,
}

/// The respondent's last penalty for the same kind of conduct: `kind` administrative or
/// criminal, `decided_on` the decision's date.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PriorPenaltyInput {
    pub kind: Option<String>,
    pub decided_on: Option<String>,
}
