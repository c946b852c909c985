//! Match keys: the normalised facts by which complaints are linked to each other (same
//! respondent, same right, same listing, same booth) and by which a respondent is recognised
//! across complaints. Pure: the store writes the keys, the caseworker's view reads the matches.

use serde::{Deserialize, Serialize};

use super::names::fold_company_name;
use super::{Channel, Complaint, RightKind};
use crate::ids::normalize_party_name;

/// What a key says about a complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The respondent's unified social credit code.
    Uscc,
    /// The respondent's name, folded (full-width, case, spaces, brackets, divisions apart,
    /// organisation form and branch dropped): `广州|某某鞋业`.
    RespondentName,
    /// Platform and shop id.
    Shop,
    /// Platform and seller id.
    Seller,
    /// Fair, session and booth: one exhibitor's stand.
    Booth,
    /// The right relied on: its kind family and normalised number.
    Right,
    /// An offending listing's URL, normalised.
    Url,
    /// The fair and session alone: not a relation by itself, used to find group infringement.
    Fair,
}

impl MatchKind {
    pub const ALL: [MatchKind; 8] = [
        MatchKind::Uscc,
        MatchKind::RespondentName,
        MatchKind::Shop,
        MatchKind::Seller,
        MatchKind::Booth,
        MatchKind::Right,
        MatchKind::Url,
        MatchKind::Fair,
    ];

    pub fn key(self) -> &'static str {
        match self {
            MatchKind::Uscc => "uscc",
            MatchKind::RespondentName => "respondent_name",
            MatchKind::Shop => "shop",
            MatchKind::Seller => "seller",
            MatchKind::Booth => "booth",
            MatchKind::Right => "right",
            MatchKind::Url => "url",
            MatchKind::Fair => "fair",
        }
    }

    pub fn parse(key: &str) -> Option<MatchKind> {
        MatchKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// Keys that identify the respondent, strongest first: a credit code is one company; a
    /// folded name is nearly always one; a shop, seller id or booth is one trader on one
    /// platform or at one fair.
    pub fn identifies_respondent(self) -> bool {
        matches!(
            self,
            MatchKind::Uscc
                | MatchKind::RespondentName
                | MatchKind::Shop
                | MatchKind::Seller
                | MatchKind::Booth
        )
    }

    /// Whether two complaints sharing this key are related (a shared fair alone is not).
    pub fn relates(self) -> bool {
        self != MatchKind::Fair
    }

    pub fn zh(self) -> &'static str {
        match self {
            MatchKind::Uscc => "同一统一社会信用代码",
            MatchKind::RespondentName => "同一被投诉人名称",
            MatchKind::Shop => "同一网店",
            MatchKind::Seller => "同一卖家",
            MatchKind::Booth => "同一展位",
            MatchKind::Right => "同一权利",
            MatchKind::Url => "同一链接",
            MatchKind::Fair => "同一展会",
        }
    }
}

/// One normalised fact of a complaint.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatchKey {
    pub kind: MatchKind,
    pub value: String,
}

impl MatchKey {
    fn new(kind: MatchKind, value: String) -> Option<MatchKey> {
        (!value.is_empty() && value.chars().any(|c| c != '|')).then_some(MatchKey { kind, value })
    }

    /// The key as one string, e.g. `uscc:91350200MA2XXXXXX`: the respondent alias form.
    pub fn alias(&self) -> String {
        format!("{}:{}", self.kind.key(), self.value)
    }
}

impl Complaint {
    /// Every match key of the complaint, sorted, without repeats.
    pub fn match_keys(&self) -> Vec<MatchKey> {
        let r = &self.respondent;
        let mut keys: Vec<MatchKey> = Vec::new();
        let mut push = |kind, value: String| keys.extend(MatchKey::new(kind, value));
        if let Some(u) = &r.uscc {
            push(MatchKind::Uscc, u.as_str().to_string());
        }
        if let Some(n) = &r.name {
            // divisions and the organisation form folded (`广州|某某鞋业`): one company however
            // its name is written, and never two companies of one trade name in two cities
            let folded = fold_company_name(n).map_or_else(|| normalize_party_name(n), |f| f.full());
            push(MatchKind::RespondentName, folded);
        }
        match &self.channel {
            Channel::Fair {
                fair_name,
                session,
                booth,
                ..
            } => {
                let fair = format!(
                    "{}|{}",
                    normalize_party_name(fair_name),
                    session
                        .as_deref()
                        .map(normalize_party_name)
                        .unwrap_or_default()
                );
                let stand = r.booth.as_deref().unwrap_or(booth);
                push(
                    MatchKind::Booth,
                    format!("{fair}|{}", normalize_party_name(stand)),
                );
                push(MatchKind::Fair, fair);
            }
            Channel::Ecommerce {
                platform,
                shop_id,
                listing_urls,
                ..
            } => {
                let platform = normalize_party_name(platform);
                if let Some(shop) = r.shop_id.as_deref().or(shop_id.as_deref()) {
                    push(
                        MatchKind::Shop,
                        format!("{platform}|{}", normalize_party_name(shop)),
                    );
                }
                if let Some(seller) = &r.seller_id {
                    push(
                        MatchKind::Seller,
                        format!("{platform}|{}", normalize_party_name(seller)),
                    );
                }
                for u in listing_urls {
                    push(MatchKind::Url, normalize_url(u));
                }
            }
            _ => {
                if let Some(stand) = &r.booth {
                    push(
                        MatchKind::Booth,
                        format!("||{}", normalize_party_name(stand)),
                    );
                }
                if let Some(seller) = &r.seller_id {
                    push(
                        MatchKind::Seller,
                        format!("|{}", normalize_party_name(seller)),
                    );
                }
            }
        }
        for right in &self.rights {
            if let Some(v) = right_key(right) {
                push(MatchKind::Right, v);
            }
        }
        keys.sort();
        keys.dedup();
        keys
    }

    /// The keys that identify the respondent, strongest first (see
    /// [`MatchKind::identifies_respondent`]).
    pub fn respondent_aliases(&self) -> Vec<String> {
        aliases_of(&self.match_keys())
    }

    /// How the respondent is shown: the name if given, else the strongest identifying key.
    pub fn respondent_display(&self) -> String {
        let r = &self.respondent;
        r.name
            .clone()
            .or_else(|| r.uscc.as_ref().map(|u| u.as_str().to_string()))
            .or_else(|| r.shop_id.clone())
            .or_else(|| r.seller_id.clone())
            .or_else(|| match &self.channel {
                Channel::Fair {
                    fair_name, booth, ..
                } => Some(format!(
                    "{fair_name} {}",
                    r.booth.as_deref().unwrap_or(booth)
                )),
                _ => r.booth.clone(),
            })
            .unwrap_or_default()
    }
}

/// The respondent aliases among a complaint's match keys, strongest first.
pub fn aliases_of(keys: &[MatchKey]) -> Vec<String> {
    let mut ids: Vec<&MatchKey> = keys
        .iter()
        .filter(|k| k.kind.identifies_respondent())
        .collect();
    ids.sort_by_key(|k| k.kind);
    ids.into_iter().map(MatchKey::alias).collect()
}

/// A right as `patent:<number>`, `trademark:<number>` or `<kind>:<folded number>`; rights
/// without a number match nothing.
fn right_key(right: &super::Right) -> Option<String> {
    if let Some(p) = right.patent_number() {
        return Some(format!("patent:{}", p.as_str()));
    }
    if let Some(t) = right.trademark_number() {
        return Some(format!("trademark:{}", t.as_str()));
    }
    let number = right.number.as_deref().map(normalize_party_name)?;
    let family = match right.kind {
        k if k.is_patent() => "patent",
        RightKind::Trademark => "trademark",
        RightKind::Copyright => "copyright",
        RightKind::GeographicalIndication => "gi",
        _ => "other",
    };
    Some(format!("{family}:{number}"))
}

/// A listing URL folded for matching: scheme and host lower-cased, `www.` and the fragment
/// dropped, a trailing slash removed. The path and query are kept as sent (they name the item).
pub fn normalize_url(url: &str) -> String {
    let url = url.trim();
    let url = url.split_once('#').map_or(url, |(u, _)| u);
    let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "http" | "https" => "https".to_string(),
        other => other.to_string(),
    };
    let (host, path) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let host = host.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let path = path.strip_suffix('/').unwrap_or(path);
    format!("{scheme}://{host}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ComplaintInput;

    fn complaint(json: serde_json::Value) -> Complaint {
        serde_json::from_value::<ComplaintInput>(json)
            .unwrap()
            .validate()
            .unwrap()
    }

    fn fair(name: &str, booth: &str) -> Complaint {
        complaint(serde_json::json!({
            "channel": {"kind": "fair", "fair_name": "第138届广交会", "session": "第一期", "booth": booth},
            "complainant": {"kind": "organisation", "name": "耐克创新有限合伙公司", "mobile": "13812345678"},
            "rights": [{"kind": "trademark", "number": "第 1234567 号"}],
            "respondent": {"name": name},
            "description": "展位展出仿冒耐克鞋"
        }))
    }

    #[test]
    fn names_differing_in_width_spaces_and_brackets_share_a_key() {
        let a = fair("广州某某鞋业（中国）有限公司", "16.1K7");
        let b = fair("广州某某鞋业(中国) 有限公司", "16.1 k7");
        let ka = a.match_keys();
        let kb = b.match_keys();
        assert_eq!(ka, kb, "{ka:?}");
        assert!(ka.iter().any(|k| k.kind == MatchKind::Booth));
        assert!(
            ka.contains(&MatchKey {
                kind: MatchKind::Right,
                value: "trademark:1234567".into()
            }),
            "{ka:?}"
        );
    }

    #[test]
    fn a_different_booth_or_fair_is_a_different_stand() {
        let a = fair("甲公司", "16.1K7");
        let b = fair("甲公司", "16.1K8");
        let booth = |c: &Complaint| {
            c.match_keys()
                .into_iter()
                .find(|k| k.kind == MatchKind::Booth)
                .unwrap()
        };
        assert_ne!(booth(&a), booth(&b));
    }

    #[test]
    fn aliases_put_the_credit_code_before_the_name() {
        let c = complaint(serde_json::json!({
            "channel": {"kind": "ecommerce", "platform": "淘宝", "shop_id": "S-1",
                        "listing_urls": ["https://WWW.Taobao.com/item/1/#reviews"]},
            "complainant": {"kind": "person", "name": "张三", "mobile": "13812345678"},
            "rights": [{"kind": "copyright", "number": "国作登字-2020-F-1"}],
            "respondent": {"name": "乙店", "uscc": "91350100M000100Y43", "seller_id": "u9"},
            "description": "盗用图片"
        }));
        let aliases = c.respondent_aliases();
        assert!(aliases[0].starts_with("uscc:"), "{aliases:?}");
        assert_eq!(aliases[1], "respondent_name:|乙店");
        assert!(aliases.contains(&"shop:淘宝|s1".to_string()), "{aliases:?}");
        assert!(
            aliases.contains(&"seller:淘宝|u9".to_string()),
            "{aliases:?}"
        );
        assert!(c.match_keys().contains(&MatchKey {
            kind: MatchKind::Url,
            value: "https://taobao.com/item/1".into()
        }));
    }

    #[test]
    fn urls_fold_scheme_host_and_trailing_slash_but_keep_the_item() {
        assert_eq!(
            normalize_url("http://Item.JD.com/100.html?x=1#top"),
            "https://item.jd.com/100.html?x=1"
        );
        assert_ne!(
            normalize_url("https://jd.com/100.html"),
            normalize_url("https://jd.com/101.html")
        );
    }
}
