//! Complaints for tests: a fair trademark complaint by default, changed field by field.

use jiff::civil::{Date, date};
use kuaiwei_domain::{
    Agent, Amounts, Channel, Complainant, ComplainantKind, Complaint, Direction, Respondent, Right,
    RightKind,
};

use crate::input::RoutingInput;

/// A routing date under the 2025 interpretation.
pub(crate) const AFTER_2025: Date = date(2025, 6, 2);

pub(crate) fn walk_in() -> Channel {
    Channel::WalkIn { note: None }
}

pub(crate) fn fair() -> Channel {
    Channel::Fair {
        fair_name: "第137届中国进出口商品交易会".into(),
        session: Some("第一期".into()),
        hall: Some("9.1".into()),
        booth: "9.1J23".into(),
        starts_on: Some(date(2025, 4, 15)),
        ends_on: Some(date(2025, 4, 19)),
    }
}

pub(crate) fn border(direction: Direction) -> Channel {
    Channel::Border {
        port: "黄埔海关".into(),
        declaration_number: None,
        waybill_number: None,
        direction,
    }
}

pub(crate) fn ecommerce() -> Channel {
    Channel::Ecommerce {
        platform: "淘宝".into(),
        shop_name: None,
        shop_id: Some("12345".into()),
        listing_urls: vec!["https://item.taobao.com/item.htm?id=1".into()],
    }
}

pub(crate) fn right(kind: RightKind) -> Right {
    Right {
        kind,
        number: None,
        title: None,
        holder: None,
        nice_classes: Vec::new(),
        valid_from: None,
        valid_until: None,
    }
}

pub(crate) fn complaint(channel: Channel, kinds: &[RightKind]) -> Complaint {
    Complaint {
        channel,
        complainant: Complainant {
            kind: ComplainantKind::Organisation,
            name: "广州某某电器有限公司".into(),
            uscc: None,
            mobile: None,
            email: None,
            address: None,
        },
        agent: None,
        rights: kinds.iter().copied().map(right).collect(),
        respondent: Respondent {
            name: Some("佛山某某贸易有限公司".into()),
            uscc: None,
            booth: Some("9.1J23".into()),
            shop_id: None,
            seller_id: None,
            address: Some("广东省佛山市顺德区北滘镇".into()),
        },
        description: "展位上陈列的电饭煲使用了与我方注册商标相同的标识".into(),
        goods: Some("电饭煲 200 台".into()),
        amounts: Amounts::default(),
        requested_measures: Vec::new(),
        facts: Default::default(),
    }
}

pub(crate) fn agent() -> Agent {
    Agent {
        name: "广州某某知识产权代理有限公司".into(),
        uscc: None,
        mobile: None,
        email: None,
        power_of_attorney_ref: "委托书-2025-001".into(),
    }
}

/// The routing input of a complaint filed and routed on `on`, no repeat infringer.
pub(crate) fn input(c: &Complaint, on: Date) -> RoutingInput {
    RoutingInput::from_complaint(c, false, None, on, on)
}
