//! The routing scenario table (`../scenarios.toml`) and the complaint each scenario files, shared
//! by the routing crate's table test and the API test (tests/tests/routing_scenarios.rs, which
//! includes this file by path).

use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
struct File {
    scenario: Vec<Scenario>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // each test reads the fields it checks
pub struct Scenario {
    pub name: String,
    pub law: String,
    pub channel: String,
    pub rights: Vec<String>,
    #[serde(default)]
    pub nice: Vec<u8>,
    pub filed: Option<String>,
    /// `false`: needs a repeat-infringer finding, which only the pure test can set
    #[serde(default = "yes")]
    pub api: bool,
    #[serde(default)]
    pub repeat_infringer: bool,
    #[serde(default)]
    pub amounts: toml::Table,
    #[serde(default)]
    pub facts: toml::Table,
    pub review: Option<String>,
    #[serde(default)]
    pub unrouted: Vec<String>,
    pub expect: Vec<Expect>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub agency: String,
    pub procedures: Vec<String>,
    pub rule: String,
}

fn yes() -> bool {
    true
}

impl Scenario {
    /// The filing (and routing) date, `2026-11-20` unless the scenario gives one.
    pub fn filed_on(&self) -> &str {
        self.filed.as_deref().unwrap_or("2026-11-20")
    }
}

pub fn scenarios() -> Vec<Scenario> {
    toml::from_str::<File>(include_str!("../scenarios.toml"))
        .expect("scenarios.toml")
        .scenario
}

pub fn complaint(s: &Scenario, i: usize) -> Value {
    let channel = match s.channel.as_str() {
        "fair" => {
            json!({"kind": "fair", "fair_name": "第140届中国进出口商品交易会", "booth": "9.1J23"})
        }
        "ecommerce" => {
            json!({"kind": "ecommerce", "platform": "淘宝", "shop_id": "88001", "listing_urls": ["https://item.taobao.com/item.htm?id=88001"]})
        }
        "border_import" => json!({"kind": "border", "port": "黄埔海关", "direction": "import"}),
        "border_export" => json!({"kind": "border", "port": "黄埔海关", "direction": "export"}),
        "hotline" => json!({"kind": "hotline"}),
        "walk_in" => json!({"kind": "walk_in"}),
        other => panic!("unknown channel {other}"),
    };
    let rights: Vec<Value> = s
        .rights
        .iter()
        .map(|k| {
            let number = match k.as_str() {
                "invention_patent" => Some("ZL202310123456.6"),
                "utility_model" => Some("ZL202320123456.1"),
                "design_patent" => Some("ZL202330123456.7"),
                "trademark" => Some("30001234"),
                _ => None,
            };
            let mut r = json!({"kind": k, "number": number});
            if k == "trademark" && !s.nice.is_empty() {
                r["nice_classes"] = json!(s.nice);
            }
            r
        })
        .collect();
    json!({
        "channel": channel,
        "complainant": {"kind": "organisation", "name": format!("广州某某电器有限公司{i}"), "mobile": format!("1381234{i:04}")},
        "rights": rights,
        "respondent": {"name": format!("佛山某某贸易有限公司（{}）", s.name.chars().take(12).collect::<String>())},
        "description": s.name,
        "amounts": s.amounts,
        "facts": s.facts,
    })
}
