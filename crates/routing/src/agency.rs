//! The authorities a complaint can be routed to (legal-deadlines.md §7).

use serde::{Deserialize, Serialize};

/// An authority that acts on a complaint; serialised by its key (`ip_office` ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Agency {
    /// 管理专利工作的部门 (city or province 知识产权局): patent disputes, 《专利法》(2020) Art. 65
    IpOffice,
    /// 市场监管局 (综合执法): trademarks, geographical indications, 假冒专利
    MarketRegulation,
    /// 版权局 / 文化执法: copyright harming the public interest
    Copyright,
    /// 海关 at the port: goods crossing the border, 《知识产权海关保护条例》
    Customs,
    /// 公安 at the same level: suspected crimes transferred under 移送规定
    Police,
}

impl Agency {
    pub const ALL: [Agency; 5] = [
        Agency::IpOffice,
        Agency::MarketRegulation,
        Agency::Copyright,
        Agency::Customs,
        Agency::Police,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Agency::IpOffice => "ip_office",
            Agency::MarketRegulation => "market_regulation",
            Agency::Copyright => "copyright",
            Agency::Customs => "customs",
            Agency::Police => "police",
        }
    }

    pub fn from_key(key: &str) -> Option<Agency> {
        Agency::ALL.into_iter().find(|a| a.key() == key)
    }

    /// The zh-CN and en names of the agency with this key (how reports and the watch label
    /// their rows); `None` for a key that names no agency.
    pub fn labels(key: &str) -> Option<(String, String)> {
        Agency::from_key(key).map(|a| (a.zh().to_string(), a.en().to_string()))
    }

    pub fn zh(self) -> &'static str {
        match self {
            Agency::IpOffice => "知识产权局（管理专利工作的部门）",
            Agency::MarketRegulation => "市场监督管理局",
            Agency::Copyright => "版权局",
            Agency::Customs => "海关",
            Agency::Police => "公安机关",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Agency::IpOffice => "intellectual property office (patent administration)",
            Agency::MarketRegulation => "market regulation administration",
            Agency::Copyright => "copyright administration",
            Agency::Customs => "customs",
            Agency::Police => "public security (police)",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_agency_round_trips_through_its_key_and_serde() {
        for a in Agency::ALL {
            assert_eq!(Agency::from_key(a.key()), Some(a));
            let json = toml::Value::try_from(a).expect("serialises");
            assert_eq!(json.as_str(), Some(a.key()));
        }
        assert_eq!(Agency::from_key("fair_desk"), None);
    }
}
