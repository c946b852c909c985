//! What each kind of complaint must bring, and what counts as brought.

use kuaiwei_domain::{Channel, Direction, RightKind as K};

use super::MaterialKind as M;
use super::*;
use crate::fixture::{agent, border, complaint, ecommerce, fair};

fn missing(c: &Complaint, have: &[M]) -> Vec<M> {
    missing_materials(c, have)
        .into_iter()
        .map(|m| m.material)
        .collect()
}

const EVERYTHING: &[M] = &M::ALL;

#[test]
fn a_fair_complaint_needs_proof_of_rights_identity_and_evidence() {
    let c = complaint(fair(), &[K::Trademark]);
    let got = missing_materials(&c, &[]);
    let required: Vec<M> = got
        .iter()
        .filter(|m| m.required)
        .map(|m| m.material)
        .collect();
    assert_eq!(
        required,
        [
            M::RightCertificate,
            M::IdentityProof,
            M::InfringementEvidence
        ]
    );
    let cert = &got[0];
    // the trademark row's wording, the bases of every forum that asks for it
    assert_eq!(cert.zh, "商标注册证（由投诉人签章）");
    assert!(
        cert.basis.contains("《展会知识产权保护办法》(2006) Art. 8"),
        "{}",
        cert.basis
    );
    assert!(
        missing(
            &c,
            &[
                M::RightCertificate,
                M::IdentityProof,
                M::InfringementEvidence
            ]
        )
        .iter()
        .all(|m| matches!(m, M::AuthenticityAppraisal | M::Undertaking))
    );
}

#[test]
fn a_complaint_with_an_agent_but_no_power_of_attorney_lacks_it() {
    let mut c = complaint(fair(), &[K::Trademark]);
    c.agent = Some(agent());
    let have = [
        M::RightCertificate,
        M::IdentityProof,
        M::InfringementEvidence,
    ];
    let got = missing_materials(&c, &have);
    let poa = got
        .iter()
        .find(|m| m.material == M::PowerOfAttorney)
        .expect("power of attorney missing");
    assert!(poa.required);
    assert_eq!(
        (poa.zh.as_str(), poa.en.as_str()),
        ("授权委托书", "power of attorney")
    );
    assert!(poa.basis.contains("《民法典》 Art. 165"), "{}", poa.basis);
    // without an agent it is not asked for
    c.agent = None;
    assert!(!missing(&c, &have).contains(&M::PowerOfAttorney));
}

#[test]
fn a_patent_request_needs_the_legal_status_and_a_named_respondent() {
    let mut c = complaint(Channel::WalkIn { note: None }, &[K::InventionPatent]);
    c.respondent.name = None;
    assert_eq!(
        missing(&c, &[]),
        [
            M::RightCertificate,
            M::PatentLegalStatus,
            M::IdentityProof,
            M::RespondentDetails,
            M::InfringementEvidence
        ]
    );
    // a respondent named in the complaint is enough
    c.respondent.name = Some("佛山某某贸易有限公司".into());
    assert!(!missing(&c, &[]).contains(&M::RespondentDetails));
    assert!(missing(&c, EVERYTHING).is_empty());
}

#[test]
fn a_trademark_complaint_lists_the_appraisal_and_undertaking_as_optional() {
    let c = complaint(ecommerce(), &[K::Trademark]);
    let got = missing_materials(&c, &[]);
    let optional: Vec<M> = got
        .iter()
        .filter(|m| !m.required)
        .map(|m| m.material)
        .collect();
    assert_eq!(optional, [M::AuthenticityAppraisal, M::Undertaking]);
}

#[test]
fn a_copyright_complaint_by_an_agent_needs_the_agents_identity() {
    let mut c = complaint(ecommerce(), &[K::Copyright]);
    c.agent = Some(agent());
    let got = missing(&c, &[]);
    assert!(
        got.contains(&M::AgentIdentity) && got.contains(&M::PowerOfAttorney),
        "{got:?}"
    );
    let cert = missing_materials(&c, &[]).remove(0);
    assert!(cert.zh.starts_with("著作权权属初步证明"), "{}", cert.zh);
    assert!(
        cert.basis.contains("《著作权行政投诉指南》"),
        "{}",
        cert.basis
    );
}

#[test]
fn a_geographical_indication_needs_its_registration_or_notice() {
    let c = complaint(ecommerce(), &[K::GeographicalIndication]);
    let cert = missing_materials(&c, &[]).remove(0);
    assert_eq!(cert.material, M::RightCertificate);
    assert!(
        cert.basis.contains("《商标法》(2019) Art. 16"),
        "{}",
        cert.basis
    );
}

#[test]
fn a_customs_application_needs_shipping_goods_and_the_recordal_if_any() {
    let mut c = complaint(border(Direction::Export), &[K::DesignPatent]);
    c.goods = None;
    let got = missing_materials(&c, &[M::RightCertificate, M::PatentLegalStatus]);
    let kinds: Vec<(M, bool)> = got.iter().map(|m| (m.material, m.required)).collect();
    assert_eq!(
        kinds,
        [
            (M::IdentityProof, true),
            (M::InfringementEvidence, true),
            (M::RecordalNumber, false),
            (M::ShippingDocuments, true),
            (M::GoodsDescription, true),
        ]
    );
    assert!(got.iter().all(|m| !m.basis.is_empty()));
    // a declaration number and a goods description in the complaint provide them
    c.goods = Some("电饭煲 200 台".into());
    if let Channel::Border {
        declaration_number, ..
    } = &mut c.channel
    {
        *declaration_number = Some("530120250000123456".into());
    }
    let got = missing(&c, &[M::RightCertificate, M::PatentLegalStatus]);
    assert!(!got.contains(&M::ShippingDocuments) && !got.contains(&M::GoodsDescription));
}

#[test]
fn an_other_right_still_needs_the_baseline_materials() {
    let c = complaint(Channel::Hotline { note: None }, &[K::Other]);
    assert_eq!(
        missing(&c, &[]),
        [
            M::RightCertificate,
            M::IdentityProof,
            M::InfringementEvidence
        ]
    );
}

#[test]
fn material_keys_round_trip() {
    for m in M::ALL {
        assert_eq!(M::from_key(m.key()), Some(m));
    }
}

#[test]
fn materials_asked_up_front_are_those_an_empty_complaint_of_that_kind_lacks() {
    let asked = |channel, rights: &[K], agent| -> Vec<M> {
        super::materials_asked(channel, rights, agent)
            .into_iter()
            .map(|m| m.material)
            .collect()
    };
    let fair_patent = asked(crate::ChannelKind::Fair, &[K::DesignPatent], false);
    assert!(fair_patent.contains(&M::RightCertificate));
    assert!(fair_patent.contains(&M::PatentLegalStatus));
    assert!(!fair_patent.contains(&M::PowerOfAttorney));
    let fair_trademark = asked(crate::ChannelKind::Fair, &[K::Trademark], false);
    assert!(!fair_trademark.contains(&M::PatentLegalStatus));
    let with_agent = asked(crate::ChannelKind::Fair, &[K::Trademark], true);
    assert!(with_agent.contains(&M::PowerOfAttorney));
    let customs = asked(crate::ChannelKind::Border, &[K::Trademark], false);
    assert_ne!(
        customs, fair_trademark,
        "the customs forum asks for other materials"
    );
}
