//! The facts routing looks at, taken from a validated complaint plus what only the caller knows
//! (repeat infringement, prior penalties, counterfeit marking, the location, the date).

use jiff::civil::Date;
use kuaiwei_domain::{Amounts, Channel, Complaint, Direction, RightKind};
use serde::{Deserialize, Serialize};

/// The kind of channel a complaint came through, without its details; keys as
/// [`Channel::key`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    Fair,
    Ecommerce,
    Border,
    WalkIn,
    Hotline,
    Other,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 6] = [
        ChannelKind::Fair,
        ChannelKind::Ecommerce,
        ChannelKind::Border,
        ChannelKind::WalkIn,
        ChannelKind::Hotline,
        ChannelKind::Other,
    ];

    pub fn of(channel: &Channel) -> ChannelKind {
        match channel {
            Channel::Fair { .. } => ChannelKind::Fair,
            Channel::Ecommerce { .. } => ChannelKind::Ecommerce,
            Channel::Border { .. } => ChannelKind::Border,
            Channel::WalkIn { .. } => ChannelKind::WalkIn,
            Channel::Hotline { .. } => ChannelKind::Hotline,
            Channel::Other { .. } => ChannelKind::Other,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            ChannelKind::Fair => "fair",
            ChannelKind::Ecommerce => "ecommerce",
            ChannelKind::Border => "border",
            ChannelKind::WalkIn => "walk_in",
            ChannelKind::Hotline => "hotline",
            ChannelKind::Other => "other",
        }
    }

    pub fn from_key(key: &str) -> Option<ChannelKind> {
        ChannelKind::ALL.into_iter().find(|c| c.key() == key)
    }

    pub fn zh(self) -> &'static str {
        match self {
            ChannelKind::Fair => "展会",
            ChannelKind::Ecommerce => "电子商务",
            ChannelKind::Border => "进出口",
            ChannelKind::WalkIn => "现场",
            ChannelKind::Hotline => "热线",
            ChannelKind::Other => "其他",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            ChannelKind::Fair => "trade fair",
            ChannelKind::Ecommerce => "e-commerce",
            ChannelKind::Border => "border",
            ChannelKind::WalkIn => "walk-in",
            ChannelKind::Hotline => "hotline",
            ChannelKind::Other => "other",
        }
    }
}

/// Everything a routing rule may look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingInput {
    pub channel: ChannelKind,
    /// The direction of goods crossing the border; `Some` only for the border channel.
    pub border: Option<Direction>,
    /// The kinds of the rights relied on, one entry per right (two trademarks: two entries).
    pub rights: Vec<RightKind>,
    pub amounts: Amounts,
    /// The caller's finding that the respondent is a repeat infringer.
    pub repeat_infringer: bool,
    /// Penalised, criminally or administratively, for the same kind of conduct within two years
    /// (法释〔2025〕5号 lowers the trademark threshold for such respondents).
    pub prior_penalty: bool,
    /// 假冒专利: a product or its packaging marked with a patent that is not the respondent's.
    pub counterfeit_patent_marking: bool,
    /// A place (被请求人所在地 or 侵权行为地) for location rules, e.g. `广州市海珠区…`.
    pub location: Option<String>,
    /// The routing date: it picks the criminal thresholds in force.
    pub on: Date,
}

impl RoutingInput {
    /// The routing facts of a validated complaint. Without a `location`, the respondent's address
    /// is used (the respondent's domicile founds jurisdiction, 《专利法实施细则》(2023) Art. 97).
    /// `prior_penalty` and `counterfeit_patent_marking` start false: the caller sets them.
    pub fn from_complaint(
        complaint: &Complaint,
        repeat_infringer: bool,
        location: Option<&str>,
        on: Date,
    ) -> RoutingInput {
        let border = match &complaint.channel {
            Channel::Border { direction, .. } => Some(*direction),
            _ => None,
        };
        let location = location
            .or(complaint.respondent.address.as_deref())
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned);
        RoutingInput {
            channel: ChannelKind::of(&complaint.channel),
            border,
            rights: complaint.rights.iter().map(|r| r.kind).collect(),
            amounts: complaint.amounts.clone(),
            repeat_infringer,
            prior_penalty: false,
            counterfeit_patent_marking: false,
            location,
            on,
        }
    }
}

pub(crate) fn right_from_key(key: &str) -> Option<RightKind> {
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error, StrDeserializer};
    let de: StrDeserializer<'_, Error> = key.into_deserializer();
    RightKind::deserialize(de).ok()
}

pub(crate) fn right_zh(kind: RightKind) -> &'static str {
    match kind {
        RightKind::InventionPatent => "发明专利",
        RightKind::UtilityModel => "实用新型专利",
        RightKind::DesignPatent => "外观设计专利",
        RightKind::Trademark => "注册商标",
        RightKind::Copyright => "著作权",
        RightKind::GeographicalIndication => "地理标志",
        RightKind::Other => "其他权利",
    }
}

pub(crate) fn right_en(kind: RightKind) -> &'static str {
    match kind {
        RightKind::InventionPatent => "invention patent",
        RightKind::UtilityModel => "utility model",
        RightKind::DesignPatent => "design patent",
        RightKind::Trademark => "registered trademark",
        RightKind::Copyright => "copyright",
        RightKind::GeographicalIndication => "geographical indication",
        RightKind::Other => "other right",
    }
}

pub(crate) fn direction_zh(d: Direction) -> &'static str {
    match d {
        Direction::Import => "进口",
        Direction::Export => "出口",
    }
}

pub(crate) fn direction_en(d: Direction) -> &'static str {
    match d {
        Direction::Import => "import",
        Direction::Export => "export",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn right_key(kind: RightKind) -> &'static str {
        match kind {
            RightKind::InventionPatent => "invention_patent",
            RightKind::UtilityModel => "utility_model",
            RightKind::DesignPatent => "design_patent",
            RightKind::Trademark => "trademark",
            RightKind::Copyright => "copyright",
            RightKind::GeographicalIndication => "geographical_indication",
            RightKind::Other => "other",
        }
    }

    #[test]
    fn right_keys_agree_with_the_domains_serde_names() {
        for kind in [
            RightKind::InventionPatent,
            RightKind::UtilityModel,
            RightKind::DesignPatent,
            RightKind::Trademark,
            RightKind::Copyright,
            RightKind::GeographicalIndication,
            RightKind::Other,
        ] {
            assert_eq!(right_from_key(right_key(kind)), Some(kind));
        }
        assert_eq!(right_from_key("patent"), None);
    }

    #[test]
    fn channel_keys_round_trip() {
        for c in ChannelKind::ALL {
            assert_eq!(ChannelKind::from_key(c.key()), Some(c));
        }
        assert_eq!(ChannelKind::from_key("booth"), None);
    }
}
