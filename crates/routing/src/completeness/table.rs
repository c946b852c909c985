//! The materials each forum asks for (legal-deadlines.md §2.1-§2.5), one row per material and
//! forum. Rows are listed specific first: when several rows ask for one material, the wording of
//! the first applies and the bases of all are cited.

use kuaiwei_domain::{Complaint, RightKind};

use super::MaterialKind as M;
use crate::input::ChannelKind;

pub(super) struct Row {
    pub material: M,
    /// Only for complaints from this channel; `None`: any.
    pub channel: Option<ChannelKind>,
    /// Only when the complaint relies on one of these rights; empty: any.
    pub rights: &'static [RightKind],
    /// Only when an agent files.
    pub agent: bool,
    pub required: bool,
    pub zh: &'static str,
    pub en: &'static str,
    pub basis: &'static str,
}

impl Row {
    pub(super) fn applies(&self, channel: ChannelKind, c: &Complaint) -> bool {
        let rights: Vec<RightKind> = c.rights.iter().map(|r| r.kind).collect();
        self.applies_to(channel, &rights, c.agent.is_some())
    }

    pub(super) fn applies_to(
        &self,
        channel: ChannelKind,
        rights: &[RightKind],
        agent: bool,
    ) -> bool {
        self.channel.is_none_or(|ch| ch == channel)
            && (self.rights.is_empty() || rights.iter().any(|r| self.rights.contains(r)))
            && (!self.agent || agent)
    }
}

const PATENTS: &[RightKind] = &[
    RightKind::InventionPatent,
    RightKind::UtilityModel,
    RightKind::DesignPatent,
];
const TRADEMARK: &[RightKind] = &[RightKind::Trademark];
const COPYRIGHT: &[RightKind] = &[RightKind::Copyright];
const GI: &[RightKind] = &[RightKind::GeographicalIndication];

const fn row(material: M, zh: &'static str, en: &'static str, basis: &'static str) -> Row {
    Row {
        material,
        channel: None,
        rights: &[],
        agent: false,
        required: true,
        zh,
        en,
        basis,
    }
}

const PATENT_MEASURES: &str = "《专利行政执法办法》(2015) Art. 10 ◐";
const FAIR: &str = "《展会知识产权保护办法》(2006) Art. 8 ◐";
const CUSTOMS: &str = "《知识产权海关保护条例》(2018) Art. 13";
const COPYRIGHT_GUIDE: &str = "《著作权行政投诉指南》 ◐";
const TRADEMARK_LIST: &str = "商标侵权投诉材料 (legal-deadlines.md §2.3) ◐";
const BASELINE: &str = "every forum of legal-deadlines.md §2.1-§2.5 asks for it";

pub(super) const ROWS: &[Row] = &[
    // §2.2 patent dispute requests; fair Art. 8(1) for patents
    Row {
        rights: PATENTS,
        ..row(
            M::RightCertificate,
            "专利证书及专利公告文本",
            "patent certificate and the published patent text",
            PATENT_MEASURES,
        )
    },
    Row {
        rights: PATENTS,
        ..row(
            M::PatentLegalStatus,
            "专利法律状态证明（专利权有效）",
            "proof of the patent's legal status (in force)",
            PATENT_MEASURES,
        )
    },
    Row {
        rights: PATENTS,
        ..row(
            M::RespondentDetails,
            "明确的被请求人（名称或统一社会信用代码）",
            "a definite respondent (name or unified social credit code)",
            "《专利行政执法办法》(2015) Art. 10(2) ◐",
        )
    },
    // §2.3 trademark complaints to market regulation
    Row {
        rights: TRADEMARK,
        ..row(
            M::RightCertificate,
            "商标注册证（由投诉人签章）",
            "trademark registration certificate, signed or sealed by the complainant",
            TRADEMARK_LIST,
        )
    },
    Row {
        rights: TRADEMARK,
        required: false,
        ..row(
            M::AuthenticityAppraisal,
            "权利人出具的真伪鉴别意见",
            "the right-holder's appraisal of authenticity",
            "《市场监督管理行政处罚程序规定》 Art. 18 (权利人辨认或者鉴别); 商标侵权投诉材料 ◐",
        )
    },
    Row {
        rights: TRADEMARK,
        required: false,
        ..row(
            M::Undertaking,
            "对投诉真实性承担责任的承诺书",
            "an undertaking to bear liability for a false complaint",
            TRADEMARK_LIST,
        )
    },
    // §2.4 copyright complaints
    Row {
        rights: COPYRIGHT,
        ..row(
            M::RightCertificate,
            "著作权权属初步证明（作品原件、登记证书或合同等）",
            "prima facie proof of copyright (original, registration certificate, contract)",
            COPYRIGHT_GUIDE,
        )
    },
    Row {
        rights: COPYRIGHT,
        ..row(
            M::RespondentDetails,
            "被投诉人名称和地址",
            "the respondent's name and address",
            COPYRIGHT_GUIDE,
        )
    },
    Row {
        rights: COPYRIGHT,
        agent: true,
        ..row(
            M::AgentIdentity,
            "代理人身份证明",
            "the agent's identity document",
            COPYRIGHT_GUIDE,
        )
    },
    // geographical indications: collective or certification mark, or GI product approval
    Row {
        rights: GI,
        ..row(
            M::RightCertificate,
            "地理标志集体商标或证明商标注册证，或地理标志产品保护公告",
            "registration of the GI collective or certification mark, or the GI product protection notice",
            "《商标法》(2019) Art. 16; 《地理标志产品保护办法》 ◐",
        )
    },
    // §2.5 customs applications (条例 Art. 13 ✅; without them customs rejects, Art. 15(2))
    Row {
        channel: Some(ChannelKind::Border),
        required: false,
        ..row(
            M::RecordalNumber,
            "知识产权海关备案号（权利已备案的）",
            "the customs recordal number, if the right is recorded",
            CUSTOMS,
        )
    },
    Row {
        channel: Some(ChannelKind::Border),
        ..row(
            M::ShippingDocuments,
            "收货人、发货人及运输情况（报关单号、运单号或相关单证）",
            "consignee, consignor and transport (declaration or waybill number, or the documents)",
            CUSTOMS,
        )
    },
    Row {
        channel: Some(ChannelKind::Border),
        ..row(
            M::GoodsDescription,
            "侵权嫌疑货物的名称、数量等情况",
            "the suspect goods: name, quantity and the like",
            CUSTOMS,
        )
    },
    Row {
        channel: Some(ChannelKind::Border),
        ..row(
            M::InfringementEvidence,
            "足以证明侵权事实明显存在的证据",
            "evidence that the infringement is evident",
            "《知识产权海关保护条例》(2018) Arts. 13-14",
        )
    },
    Row {
        channel: Some(ChannelKind::Border),
        ..row(
            M::RightCertificate,
            "知识产权权属证明",
            "proof of the intellectual property right",
            CUSTOMS,
        )
    },
    Row {
        channel: Some(ChannelKind::Border),
        ..row(
            M::IdentityProof,
            "知识产权权利人身份证明",
            "identity of the right-holder",
            CUSTOMS,
        )
    },
    // §2.1 fair complaints, Art. 8 (items ◐); Art. 9: supplement or not accepted
    Row {
        channel: Some(ChannelKind::Fair),
        ..row(
            M::RightCertificate,
            "有效的权属证明",
            "valid proof of ownership of the right",
            FAIR,
        )
    },
    Row {
        channel: Some(ChannelKind::Fair),
        ..row(
            M::IdentityProof,
            "权利人身份证明",
            "identity of the right-holder",
            FAIR,
        )
    },
    Row {
        channel: Some(ChannelKind::Fair),
        ..row(
            M::RespondentDetails,
            "被投诉人名称及展位号",
            "the respondent's name and booth",
            FAIR,
        )
    },
    Row {
        channel: Some(ChannelKind::Fair),
        ..row(
            M::InfringementEvidence,
            "侵权理由和证据",
            "grounds and evidence of infringement",
            FAIR,
        )
    },
    // an agent acts only with a written power of attorney (《民法典》 Art. 165); fair Art. 8(4)
    Row {
        agent: true,
        ..row(
            M::PowerOfAttorney,
            "授权委托书",
            "power of attorney",
            "《民法典》 Art. 165; 《展会知识产权保护办法》(2006) Art. 8(4) ◐",
        )
    },
    // baseline for any complaint, whatever the right or channel
    row(
        M::RightCertificate,
        "权属证明",
        "proof of the right",
        BASELINE,
    ),
    row(
        M::IdentityProof,
        "权利人身份证明",
        "identity of the right-holder",
        BASELINE,
    ),
    row(
        M::InfringementEvidence,
        "侵权证据",
        "evidence of infringement",
        BASELINE,
    ),
];
