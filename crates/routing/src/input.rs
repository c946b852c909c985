//! The facts routing looks at, taken from a validated complaint plus what only the caller knows
//! (repeat infringement, the location, the dates) and the facts a complaint or caseworker states.

use jiff::civil::Date;
use kuaiwei_domain::{
    Amounts, Channel, Complaint, Direction, Facts, GiForm, PatentMatter, PriorPenalty, Right,
    RightKind, Supply,
};
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
    /// The kinds of the rights relied on, one entry per right (two trademarks: two entries). A
    /// geographical indication registered as a collective or certification mark counts as a
    /// trademark (《商标法》(2019) Art. 16; 《刑法》Art. 213 protects it): see `gi_as_mark`.
    pub rights: Vec<RightKind>,
    pub amounts: Amounts,
    /// The caller's finding that the respondent is a repeat infringer (2 upheld cases in 5
    /// years, 《商标法》Art. 60); not the same as `prior_penalty`.
    pub repeat_infringer: bool,
    /// Penalised, criminally or administratively, for the same kind of conduct within the two
    /// years before the conduct (法释〔2025〕5号 lowers the trademark thresholds for such
    /// respondents).
    pub prior_penalty: bool,
    /// The prior penalty as stated, for the explanation.
    pub prior_penalty_stated: Option<PriorPenalty>,
    /// 假冒专利: a product or its packaging marked with a patent that is not the respondent's.
    pub counterfeit_patent_marking: bool,
    /// 专利侵权纠纷: a patent right relied on as an infringement dispute (the default for a
    /// patent right when no patent matter is stated).
    pub patent_dispute: bool,
    /// Goods, services or both: stated, or from the trademarks' Nice classes (35-45 are
    /// services), else goods.
    pub supply: Vec<Supply>,
    /// Whether `supply` was stated by the complaint (or caseworker) rather than inferred.
    pub supply_stated: bool,
    /// At the border: the right is recorded with customs.
    pub customs_recorded: Option<bool>,
    /// At the border: customs already holds the goods (ex officio, 条例 Arts. 16, 20).
    pub customs_holds_goods: bool,
    pub gi_form: Option<GiForm>,
    /// Some geographical indication was counted as a trademark (`rights`).
    pub gi_as_mark: bool,
    /// A place (被请求人所在地 or 侵权行为地) for location rules, e.g. `广州市海珠区…`.
    pub location: Option<String>,
    /// When the conduct took place (stated, else the filing date): the criminal thresholds in
    /// force then apply, unless a later one is more lenient (legal-deadlines §8.12).
    pub conduct_on: Date,
    /// Whether `conduct_on` was stated rather than the filing date.
    pub conduct_stated: bool,
    /// The filing date: it picks the procedure version (P3 before 2025-02-01, P4 from it, §8.9).
    pub filed_on: Date,
    /// The routing date: no threshold issued after it applies.
    pub on: Date,
}

impl RoutingInput {
    /// The routing facts of a validated complaint, with the facts it states (or a caseworker's
    /// `facts` and `amounts` in their place, see [`RoutingInput::with_facts`]). Without a
    /// `location`, the respondent's address is used (the respondent's domicile founds
    /// jurisdiction, 《专利法实施细则》(2023) Art. 97).
    pub fn from_complaint(
        complaint: &Complaint,
        repeat_infringer: bool,
        location: Option<&str>,
        filed_on: Date,
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
        let mut input = RoutingInput {
            channel: ChannelKind::of(&complaint.channel),
            border,
            rights: Vec::new(),
            amounts: complaint.amounts.clone(),
            repeat_infringer,
            prior_penalty: false,
            prior_penalty_stated: None,
            counterfeit_patent_marking: false,
            patent_dispute: false,
            supply: Vec::new(),
            supply_stated: false,
            customs_recorded: None,
            customs_holds_goods: false,
            gi_form: None,
            gi_as_mark: false,
            location,
            conduct_on: filed_on,
            conduct_stated: false,
            filed_on,
            on,
        };
        input.apply(&complaint.rights, &complaint.facts);
        input
    }

    /// The same complaint with a caseworker's facts and amounts in place of the complaint's.
    pub fn with_facts(mut self, rights: &[Right], facts: &Facts, amounts: &Amounts) -> Self {
        self.amounts = amounts.clone();
        self.apply(rights, facts);
        self
    }

    fn apply(&mut self, rights: &[Right], facts: &Facts) {
        self.gi_form = facts.gi_form;
        self.gi_as_mark = facts.gi_form.is_some_and(GiForm::is_mark)
            && rights
                .iter()
                .any(|r| r.kind == RightKind::GeographicalIndication);
        self.rights = rights
            .iter()
            .map(|r| match r.kind {
                RightKind::GeographicalIndication if self.gi_as_mark => RightKind::Trademark,
                k => k,
            })
            .collect();
        let patent = rights.iter().any(|r| r.kind.is_patent());
        let matters = &facts.patent_matters;
        self.counterfeit_patent_marking =
            patent && matters.contains(&PatentMatter::CounterfeitMarking);
        self.patent_dispute =
            patent && (matters.is_empty() || matters.contains(&PatentMatter::InfringementDispute));
        self.conduct_stated = facts.conduct_on.is_some();
        self.conduct_on = facts.conduct_on.unwrap_or(self.filed_on);
        self.prior_penalty_stated = facts.prior_penalty;
        self.prior_penalty = facts.prior_penalty.is_some_and(|p| {
            let since = self
                .conduct_on
                .checked_sub(jiff::Span::new().years(2))
                .unwrap_or(Date::MIN);
            p.decided_on >= since && p.decided_on <= self.conduct_on
        });
        self.supply_stated = facts.supply.is_some();
        self.supply = match facts.supply {
            Some(s) => vec![s],
            None => supply_of(rights),
        };
        self.customs_recorded = facts.customs_recorded;
        self.customs_holds_goods = facts.customs_holds_goods == Some(true);
    }
}

/// Goods, services or both from the trademarks' Nice classes (1-34 goods, 35-45 services);
/// goods when no class is given.
fn supply_of(rights: &[Right]) -> Vec<Supply> {
    let classes = rights
        .iter()
        .filter(|r| r.kind == RightKind::Trademark)
        .flat_map(|r| &r.nice_classes);
    let (mut goods, mut services) = (false, false);
    for &c in classes {
        if c >= 35 {
            services = true;
        } else {
            goods = true;
        }
    }
    match (goods, services) {
        (_, false) => vec![Supply::Goods],
        (false, true) => vec![Supply::Services],
        (true, true) => vec![Supply::Goods, Supply::Services],
    }
}

pub(crate) fn supply_zh(s: Supply) -> &'static str {
    match s {
        Supply::Goods => "商品",
        Supply::Services => "服务",
    }
}

pub(crate) fn supply_en(s: Supply) -> &'static str {
    match s {
        Supply::Goods => "goods",
        Supply::Services => "services",
    }
}

pub(crate) fn gi_form_zh(g: GiForm) -> &'static str {
    match g {
        GiForm::CollectiveMark => "集体商标",
        GiForm::CertificationMark => "证明商标",
        GiForm::ProductProtection => "地理标志产品",
    }
}

pub(crate) fn gi_form_en(g: GiForm) -> &'static str {
    match g {
        GiForm::CollectiveMark => "collective mark",
        GiForm::CertificationMark => "certification mark",
        GiForm::ProductProtection => "GI product protection",
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
