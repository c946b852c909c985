//! What a complaint still lacks before the authority can act on it: the materials each forum asks
//! for (legal-deadlines.md §2.1-§2.5), by right type and channel, against the documents the
//! caller holds, each tagged with a [`MaterialKind`]. The answer is a list for a supplement
//! request (补正通知, 《展会知识产权保护办法》(2006) Art. 9); the requirements are the table in
//! `table.rs`, one row per material and forum, each citing its article.

mod table;
#[cfg(test)]
mod tests;

use kuaiwei_domain::{Channel, Complaint};
use serde::{Deserialize, Serialize};

use crate::input::ChannelKind;

/// The kind of a material, as a complainant tags an upload; serialised by its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialKind {
    /// 权属证明: patent certificate, trademark registration, copyright proof
    RightCertificate,
    /// 专利法律状态证明 / 专利公告文本
    PatentLegalStatus,
    /// 权利人身份证明 (营业执照, ID card)
    IdentityProof,
    /// 授权委托书
    PowerOfAttorney,
    /// 代理人身份证明
    AgentIdentity,
    /// 被投诉人信息; also satisfied by a respondent name or USCC in the complaint
    RespondentDetails,
    /// 侵权理由和证据
    InfringementEvidence,
    /// 权利人真伪鉴别意见
    AuthenticityAppraisal,
    /// 不实投诉责任承诺书
    Undertaking,
    /// 知识产权海关备案号
    RecordalNumber,
    /// 收发货人、运输信息; also satisfied by a declaration or waybill number
    ShippingDocuments,
    /// 货物情况; also satisfied by the complaint's goods description
    GoodsDescription,
    /// 公证认证 (evidence or identity formed abroad)
    Notarisation,
    Other,
}

impl MaterialKind {
    pub const ALL: [MaterialKind; 14] = [
        MaterialKind::RightCertificate,
        MaterialKind::PatentLegalStatus,
        MaterialKind::IdentityProof,
        MaterialKind::PowerOfAttorney,
        MaterialKind::AgentIdentity,
        MaterialKind::RespondentDetails,
        MaterialKind::InfringementEvidence,
        MaterialKind::AuthenticityAppraisal,
        MaterialKind::Undertaking,
        MaterialKind::RecordalNumber,
        MaterialKind::ShippingDocuments,
        MaterialKind::GoodsDescription,
        MaterialKind::Notarisation,
        MaterialKind::Other,
    ];

    pub fn key(self) -> &'static str {
        match self {
            MaterialKind::RightCertificate => "right_certificate",
            MaterialKind::PatentLegalStatus => "patent_legal_status",
            MaterialKind::IdentityProof => "identity_proof",
            MaterialKind::PowerOfAttorney => "power_of_attorney",
            MaterialKind::AgentIdentity => "agent_identity",
            MaterialKind::RespondentDetails => "respondent_details",
            MaterialKind::InfringementEvidence => "infringement_evidence",
            MaterialKind::AuthenticityAppraisal => "authenticity_appraisal",
            MaterialKind::Undertaking => "undertaking",
            MaterialKind::RecordalNumber => "recordal_number",
            MaterialKind::ShippingDocuments => "shipping_documents",
            MaterialKind::GoodsDescription => "goods_description",
            MaterialKind::Notarisation => "notarisation",
            MaterialKind::Other => "other",
        }
    }

    /// A short name in Chinese, for messages that list materials (the forum's own wording is
    /// in [`Missing::zh`]).
    pub fn zh(self) -> &'static str {
        match self {
            MaterialKind::RightCertificate => "权属证明",
            MaterialKind::PatentLegalStatus => "专利法律状态证明",
            MaterialKind::IdentityProof => "权利人身份证明",
            MaterialKind::PowerOfAttorney => "授权委托书",
            MaterialKind::AgentIdentity => "代理人身份证明",
            MaterialKind::RespondentDetails => "被投诉人信息",
            MaterialKind::InfringementEvidence => "侵权证据",
            MaterialKind::AuthenticityAppraisal => "真伪鉴别意见",
            MaterialKind::Undertaking => "不实投诉责任承诺书",
            MaterialKind::RecordalNumber => "知识产权海关备案号",
            MaterialKind::ShippingDocuments => "收发货人和运输信息",
            MaterialKind::GoodsDescription => "货物情况",
            MaterialKind::Notarisation => "公证认证",
            MaterialKind::Other => "其他材料",
        }
    }

    /// A short name in English, as [`MaterialKind::zh`].
    pub fn en(self) -> &'static str {
        match self {
            MaterialKind::RightCertificate => "proof of the right",
            MaterialKind::PatentLegalStatus => "the patent's legal status",
            MaterialKind::IdentityProof => "the right holder's identity",
            MaterialKind::PowerOfAttorney => "power of attorney",
            MaterialKind::AgentIdentity => "the agent's identity",
            MaterialKind::RespondentDetails => "the respondent's details",
            MaterialKind::InfringementEvidence => "evidence of the infringement",
            MaterialKind::AuthenticityAppraisal => "an authenticity appraisal",
            MaterialKind::Undertaking => "the undertaking against false complaints",
            MaterialKind::RecordalNumber => "the customs recordal number",
            MaterialKind::ShippingDocuments => "shipping details",
            MaterialKind::GoodsDescription => "a description of the goods",
            MaterialKind::Notarisation => "notarisation",
            MaterialKind::Other => "other materials",
        }
    }

    pub fn from_key(key: &str) -> Option<MaterialKind> {
        MaterialKind::ALL.into_iter().find(|m| m.key() == key)
    }

    /// Whether the complaint's own fields already provide this material.
    fn given_by(self, c: &Complaint) -> bool {
        match self {
            MaterialKind::RespondentDetails => {
                c.respondent.name.is_some() || c.respondent.uscc.is_some()
            }
            MaterialKind::GoodsDescription => c.goods.as_deref().is_some_and(|g| !g.is_empty()),
            MaterialKind::ShippingDocuments => matches!(
                &c.channel,
                Channel::Border { declaration_number, waybill_number, .. }
                    if declaration_number.is_some() || waybill_number.is_some()
            ),
            _ => false,
        }
    }
}

/// One material a complaint lacks, worded for a supplement request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Missing {
    pub material: MaterialKind,
    pub zh: String,
    pub en: String,
    /// Every rule that asks for it, joined with "; ".
    pub basis: String,
    /// `false` for a material needed only in some cases (the recordal number of a recorded
    /// right, a trademark holder's appraisal): listed for the caseworker to judge.
    pub required: bool,
}

/// Every material asked of a complaint from `channel` relying on `rights`, filed by an agent or
/// not, before any is held: what a filing page tells up front (一次性告知), one entry per
/// material, in [`MaterialKind`] order.
pub fn materials_asked(
    channel: ChannelKind,
    rights: &[kuaiwei_domain::RightKind],
    agent: bool,
) -> Vec<Missing> {
    let mut out: Vec<Missing> = Vec::new();
    for row in table::ROWS
        .iter()
        .filter(|r| r.applies_to(channel, rights, agent))
    {
        merge(&mut out, row);
    }
    out.sort_by_key(|m| m.material);
    out
}

fn merge(out: &mut Vec<Missing>, row: &table::Row) {
    match out.iter_mut().find(|m| m.material == row.material) {
        Some(m) => {
            if !m.basis.split("; ").any(|b| b == row.basis) {
                m.basis.push_str("; ");
                m.basis.push_str(row.basis);
            }
            m.required |= row.required;
        }
        None => out.push(Missing {
            material: row.material,
            zh: row.zh.to_owned(),
            en: row.en.to_owned(),
            basis: row.basis.to_owned(),
            required: row.required,
        }),
    }
}

/// The materials `complaint` still lacks given the tags of the documents the caller holds, one
/// entry per material, in [`MaterialKind`] order.
pub fn missing_materials(complaint: &Complaint, have: &[MaterialKind]) -> Vec<Missing> {
    let channel = ChannelKind::of(&complaint.channel);
    let mut out: Vec<Missing> = Vec::new();
    for row in table::ROWS
        .iter()
        .filter(|r| r.applies(channel, complaint))
        .filter(|r| !have.contains(&r.material) && !r.material.given_by(complaint))
    {
        merge(&mut out, row);
    }
    out.sort_by_key(|m| m.material);
    out
}
