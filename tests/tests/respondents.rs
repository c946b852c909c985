//! Respondents against ground truth, over real HTTP on SQLite and on PostgreSQL: 1,500 generated
//! complaints about 300 companies written the ways complainants write them (city or not,
//! 有限公司 / 有限责任公司 / 股份有限公司, full-width and brackets, province and district,
//! branches, one-character typos, English names, no name at all; credit codes given or not;
//! booths reused by other exhibitors at other sessions; shops on several platforms; 15 pairs of
//! companies with one trade name in two cities and two credit codes), the upheld ones closed
//! through the API as they arrive, in three different orders of arrival.
//!
//! Asserted: no entity holds two companies; pairwise precision >= 0.995 and recall >= 0.95 over
//! the complaints that carry a credit code or a name that folds exactly; the repeat-infringer
//! flag on exactly the companies with two upheld cases, on the entity of each of those cases.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use kuaiwei_e2e::TestApp;
use serde_json::{Value, json};

kuaiwei_e2e::on_every_backend!(
    a_caseworker_accepts_a_proposed_link_and_the_repeat_finding_follows_then_undoes_it,
    respondents_match_ground_truth_in_generated_order,
    respondents_match_ground_truth_in_another_order,
    respondents_match_ground_truth_in_reverse_order,
);

async fn respondents_match_ground_truth_in_generated_order(app: TestApp) {
    check_against_ground_truth(app, Order::Shuffled(1)).await;
}

async fn respondents_match_ground_truth_in_another_order(app: TestApp) {
    check_against_ground_truth(app, Order::Shuffled(2)).await;
}

async fn respondents_match_ground_truth_in_reverse_order(app: TestApp) {
    check_against_ground_truth(app, Order::Reversed(1)).await;
}

/// xorshift64*: a fixed, dependency-free generator, so that every run sees the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// City, its province, one of its districts.
const CITIES: [(&str, &str, &str); 10] = [
    ("广州", "广东", "天河"),
    ("深圳", "广东", "南山"),
    ("杭州", "浙江", "西湖"),
    ("宁波", "浙江", "鄞州"),
    ("苏州", "江苏", "吴中"),
    ("南京", "江苏", "鼓楼"),
    ("厦门", "福建", "思明"),
    ("青岛", "山东", "崂山"),
    ("成都", "四川", "武侯"),
    ("武汉", "湖北", "江汉"),
];
/// Trade-name characters; none pair into a city's name.
const TRADE: &[char] = &[
    '盛', '鑫', '隆', '泰', '丰', '源', '嘉', '瑞', '祥', '宏', '达', '恒', '通', '伟', '佳', '锦',
    '浩', '雅', '凯', '富',
];
/// Replacements for a typo: never a trade-name character, so that a typo names no other company.
const TYPO: &[char] = &['昇', '淼', '旺', '晟', '昱'];
const INDUSTRIES: [(&str, &str); 8] = [
    ("鞋业", "Shoes"),
    ("服饰", "Apparel"),
    ("玩具", "Toys"),
    ("电子", "Electronics"),
    ("箱包", "Bags"),
    ("家居", "Home"),
    ("五金", "Hardware"),
    ("饰品", "Accessories"),
];
const FAIRS: [&str; 2] = ["第139届广交会", "第25届海交会"];
const SESSIONS: [&str; 3] = ["第一期", "第二期", "第三期"];
const PLATFORMS: [&str; 3] = ["淘宝", "京东", "拼多多"];

struct Company {
    city: usize,
    trade: String,
    industry: usize,
    uscc: String,
    /// Every complaint about a twin carries its credit code (the same name in another city).
    twin: bool,
    /// (fair, session, booth)
    stands: Vec<(usize, usize, String)>,
    /// (platform, shop id, seller id)
    shops: Vec<(usize, String, String)>,
}

struct Generated {
    company: usize,
    body: Value,
    /// Carries a credit code, or a name that folds to the company's own.
    identifiable: bool,
    upheld: bool,
}

fn uscc(rng: &mut Rng) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let mut body = String::from("91440");
    for _ in 0..12 {
        body.push(ALPHABET[rng.below(ALPHABET.len())] as char);
    }
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, b)| ALPHABET.iter().position(|&a| a == b).unwrap() as u32 * WEIGHTS[i])
        .sum();
    body.push(ALPHABET[((31 - sum % 31) % 31) as usize] as char);
    body
}

fn companies(rng: &mut Rng, n: usize, twins: usize) -> Vec<Company> {
    let mut names = BTreeSet::new();
    let mut codes = BTreeSet::new();
    let mut stands_taken = BTreeSet::new();
    let mut out: Vec<Company> = Vec::new();
    while out.len() < n {
        let i = out.len();
        let (trade, industry, city, twin) = if i >= n - twins {
            // the twin of company i - twins: same trade name and industry, another city
            let of: &mut Company = &mut out[i - twins];
            of.twin = true;
            let city = (of.city + 1 + i % (CITIES.len() - 1)) % CITIES.len();
            (of.trade.clone(), of.industry, city, true)
        } else {
            let a = *rng.pick(TRADE);
            let b = *rng.pick(TRADE);
            let industry = rng.below(INDUSTRIES.len());
            let trade: String = [a, b].iter().collect();
            if a == b || !names.insert(format!("{trade}{}", INDUSTRIES[industry].0)) {
                continue;
            }
            (trade, industry, rng.below(CITIES.len()), false)
        };
        let code = loop {
            let c = uscc(rng);
            if codes.insert(c.clone()) {
                break c;
            }
        };
        let mut stands = Vec::new();
        for _ in 0..1 + rng.below(3) {
            // booths come from a small pool: reused by other exhibitors at other sessions
            let stand = (
                rng.below(FAIRS.len()),
                rng.below(SESSIONS.len()),
                format!("{}.1{}", 1 + rng.below(4), ["A", "B", "C"][rng.below(3)]),
            );
            let stand = (stand.0, stand.1, format!("{}{:02}", stand.2, rng.below(30)));
            if stands_taken.insert(stand.clone()) {
                stands.push(stand);
            }
        }
        let shops = (0..1 + rng.below(3))
            .map(|k| {
                (
                    (i + k) % PLATFORMS.len(),
                    format!("shop{i}x{k}"),
                    format!("seller{i}x{k}"),
                )
            })
            .collect();
        out.push(Company {
            city,
            trade,
            industry,
            uscc: code,
            twin,
            stands,
            shops,
        });
    }
    out
}

/// One complaint about company `c`; `exact` forces a variant that identifies it (for the
/// upheld cases, which a centre files with the facts checked).
fn complaint(
    rng: &mut Rng,
    c: &Company,
    index: usize,
    exact: bool,
    typos: &mut BTreeSet<String>,
) -> (Value, bool) {
    let (city, province, district) = CITIES[c.city];
    let (industry, industry_en) = INDUSTRIES[c.industry];
    let trade = &c.trade;
    let variants = if c.twin { 7 } else { 10 };
    let variant = if exact {
        rng.below(6)
    } else {
        rng.below(variants)
    };
    let (name, folds): (Option<String>, bool) = match variant {
        0 => (Some(format!("{city}市{trade}{industry}有限公司")), true),
        1 => (Some(format!("{city}{trade}{industry}有限责任公司")), true),
        2 => (Some(format!("{trade}{industry}（{city}）有限公司")), true),
        3 => (
            Some(format!(
                "{province}省{city}市{district}区{trade}{industry}股份有限公司"
            )),
            true,
        ),
        4 => (Some(format!("{city}市　{trade}{industry} 有限公司")), true),
        5 => (Some(format!("{trade}{industry}有限公司")), true),
        6 => (None, false),
        7 => (
            Some(format!("{city}{trade}{industry}有限公司{district}分公司")),
            true,
        ),
        8 => {
            // a typo that names no other company, nor another company's typo (two complainants
            // misspelling two companies into one name is not something rules can undo)
            let chars: Vec<char> = trade.chars().collect();
            let typo = (0..20).find_map(|_| {
                let mut t = chars.clone();
                let at = rng.below(t.len());
                t[at] = *rng.pick(TYPO);
                let t: String = t.into_iter().collect();
                let key = format!("{t}{industry}");
                let mine = format!("{key}@{trade}");
                (typos.contains(&mine) || !typos.iter().any(|x| x.starts_with(&format!("{key}@"))))
                    .then(|| {
                        typos.insert(mine);
                        t
                    })
            });
            match typo {
                Some(t) => (Some(format!("{city}市{t}{industry}有限公司")), false),
                None => (Some(format!("{city}市{trade}{industry}有限公司")), true),
            }
        }
        _ => (
            Some(format!("Kw{index} {industry_en} Trading Co., Ltd.")),
            false,
        ),
    };
    let branch = variant == 7;
    // twins always give their credit code; a branch never gives its parent's
    let with_uscc = !branch && (c.twin || rng.chance(40) || (name.is_none() && rng.chance(50)));
    let mut respondent = json!({});
    if let Some(n) = &name {
        respondent["name"] = n.clone().into();
    }
    if with_uscc {
        respondent["uscc"] = c.uscc.clone().into();
    }
    let channel = if rng.chance(50) && !c.stands.is_empty() {
        let (fair, session, booth) = rng.pick(&c.stands);
        respondent["booth"] = booth.clone().into();
        json!({"kind": "fair", "fair_name": FAIRS[*fair], "session": SESSIONS[*session], "booth": booth})
    } else {
        let (platform, shop, seller) = rng.pick(&c.shops);
        if rng.chance(50) {
            respondent["seller_id"] = seller.clone().into();
        }
        if name.is_none() {
            respondent["shop_id"] = shop.clone().into();
        }
        json!({"kind": "ecommerce", "platform": PLATFORMS[*platform], "shop_id": shop,
               "listing_urls": [format!("https://item.example.com/{index}")]})
    };
    let body = json!({
        "channel": channel,
        "complainant": {"kind": "organisation", "name": "某某品牌管理有限公司", "mobile": "13812345678"},
        "rights": [{"kind": "trademark", "number": format!("{}", 30_001_000 + rng.below(25)), "nice_classes": [25]}],
        "respondent": respondent,
        "description": format!("第{index}号投诉：销售使用注册商标的侵权商品"),
    });
    (body, with_uscc || folds)
}

/// 1,500 complaints about 300 companies (15 twin pairs); 55 companies with two or three upheld
/// cases, 40 with one.
fn generate() -> (Vec<Company>, Vec<Generated>) {
    let mut rng = Rng(0x6b75_6169_7765_6926);
    let companies = companies(&mut rng, 300, 15);
    let mut upheld_count = vec![0usize; companies.len()];
    let mut order: Vec<usize> = (0..companies.len()).collect();
    rng.shuffle(&mut order);
    for (k, &c) in order.iter().enumerate() {
        upheld_count[c] = match k {
            0..55 => 2 + rng.below(2),
            55..95 => 1,
            _ => 0,
        };
    }
    let mut out = Vec::new();
    let mut typos = BTreeSet::new();
    for (i, c) in companies.iter().enumerate() {
        let n = 5usize;
        for k in 0..n {
            let upheld = k < upheld_count[i];
            let (body, identifiable) = complaint(&mut rng, c, out.len(), upheld, &mut typos);
            out.push(Generated {
                company: i,
                body,
                identifiable,
                upheld,
            });
        }
    }
    (companies, out)
}

enum Order {
    Shuffled(u64),
    Reversed(u64),
}

/// Pairs in groups: Σ n(n-1)/2.
fn pairs(counts: impl IntoIterator<Item = usize>) -> u64 {
    counts
        .into_iter()
        .map(|n| (n * n.saturating_sub(1) / 2) as u64)
        .sum()
}

/// (precision, recall) of the entities against the companies over the complaints `keep`.
fn pairwise(entity: &[i64], truth: &[usize], keep: &[bool]) -> (f64, f64) {
    let mut both: HashMap<(i64, usize), usize> = HashMap::new();
    let mut by_entity: HashMap<i64, usize> = HashMap::new();
    let mut by_company: HashMap<usize, usize> = HashMap::new();
    for i in (0..entity.len()).filter(|i| keep[*i]) {
        *both.entry((entity[i], truth[i])).or_default() += 1;
        *by_entity.entry(entity[i]).or_default() += 1;
        *by_company.entry(truth[i]).or_default() += 1;
    }
    let tp = pairs(both.into_values()) as f64;
    let predicted = pairs(by_entity.into_values()) as f64;
    let actual = pairs(by_company.into_values()) as f64;
    (
        if predicted == 0.0 {
            1.0
        } else {
            tp / predicted
        },
        if actual == 0.0 { 1.0 } else { tp / actual },
    )
}

fn ok(res: &kuaiwei_e2e::TestResponse) -> Value {
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    res.json()
}

async fn close_upheld(app: &TestApp, n: &str, fair: bool) {
    ok(&app
        .act(n, json!({"action": "accept", "actor": "caseworker:chen", "reason": "现场核对原件，先行受理"}))
        .await);
    let routed = ok(&app
        .act(n, json!({"action": "route", "actor": "caseworker:chen"}))
        .await);
    let agency = routed["agency"]
        .as_str()
        .expect("routed to an agency")
        .to_string();
    let outcome = if fair {
        "exhibits_withdrawn"
    } else {
        "listings_taken_down"
    };
    ok(&app
        .act(
            n,
            json!({"action": "close", "actor": format!("officer:lin-{agency}@{agency}"), "outcome": outcome}),
        )
        .await);
}

async fn check_against_ground_truth(app: TestApp, order: Order) {
    app.add_account("chen", "caseworker", None).await;
    app.log_in("chen", kuaiwei_e2e::TEST_PASSWORD).await;
    let (companies, generated) = generate();
    let mut arrival: Vec<usize> = (0..generated.len()).collect();
    match order {
        Order::Shuffled(seed) => {
            Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1).shuffle(&mut arrival)
        }
        Order::Reversed(seed) => {
            Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1).shuffle(&mut arrival);
            arrival.reverse();
        }
    }
    let mut numbers: Vec<String> = vec![String::new(); generated.len()];
    for &i in &arrival {
        let g = &generated[i];
        let receipt = app.file_complaint_json(&g.body).await;
        let n = receipt["case_number"].as_str().unwrap().to_string();
        if g.upheld {
            close_upheld(&app, &n, g.body["channel"]["kind"] == "fair").await;
        }
        numbers[i] = n;
    }

    // a caseworker opening a case brings the respondent pass up to date (the server's own
    // follower may be a pass behind): then every complaint has its respondent
    let last = numbers[*arrival.last().unwrap()].clone();
    let case = ok(&app.get(&format!("/api/v1/cases/{last}"), &[]).await);
    assert!(
        case["triage"]["respondent"].is_object(),
        "the case filed last shows its respondent at once: {}",
        case["triage"]
    );
    let mut entity = Vec::with_capacity(generated.len());
    for n in &numbers {
        let case = app.store.case(n).await.unwrap().unwrap();
        entity.push(
            case.respondent_id
                .expect("every complaint has a respondent"),
        );
    }
    let truth: Vec<usize> = generated.iter().map(|g| g.company).collect();

    // No entity holds two companies.
    let mut companies_of: BTreeMap<i64, BTreeSet<usize>> = BTreeMap::new();
    for (e, c) in entity.iter().zip(&truth) {
        companies_of.entry(*e).or_default().insert(*c);
    }
    let wrong: Vec<(&i64, &BTreeSet<usize>)> =
        companies_of.iter().filter(|(_, cs)| cs.len() > 1).collect();
    let all = vec![true; generated.len()];
    let identifiable: Vec<bool> = generated.iter().map(|g| g.identifiable).collect();
    let (p_all, r_all) = pairwise(&entity, &truth, &all);
    let (p_id, r_id) = pairwise(&entity, &truth, &identifiable);
    eprintln!(
        "{:?}: {} complaints, {} companies, {} entities, {} wrong merges; all: precision {p_all:.4} recall {r_all:.4}; with a credit code or an exact folded name ({} complaints): precision {p_id:.4} recall {r_id:.4}",
        app.backend,
        generated.len(),
        companies.len(),
        companies_of.len(),
        wrong.len(),
        identifiable.iter().filter(|x| **x).count(),
    );
    assert!(
        wrong.is_empty(),
        "entities holding two companies: {wrong:?}"
    );
    assert!(p_id >= 0.995, "precision {p_id}");
    assert!(r_id >= 0.95, "recall {r_id}");

    // The repeat-infringer flag, read through the API, on exactly the companies with two upheld
    // cases, and on the entity of each of their upheld cases.
    let mut flagged_entities = BTreeSet::new();
    for e in companies_of.keys() {
        let view = ok(&app.get(&format!("/api/v1/respondents/{e}"), &[]).await);
        if view["repeat_infringer"] == true {
            flagged_entities.insert(*e);
        }
    }
    let mut upheld: BTreeMap<usize, usize> = BTreeMap::new();
    for g in generated.iter().filter(|g| g.upheld) {
        *upheld.entry(g.company).or_default() += 1;
    }
    let repeat: BTreeSet<usize> = upheld
        .iter()
        .filter(|(_, n)| **n >= 2)
        .map(|(c, _)| *c)
        .collect();
    let flagged: BTreeSet<usize> = flagged_entities
        .iter()
        .flat_map(|e| companies_of[e].iter().copied())
        .collect();
    eprintln!(
        "{:?}: {} repeat infringers, {} companies flagged",
        app.backend,
        repeat.len(),
        flagged.len()
    );
    assert_eq!(flagged, repeat);
    for (i, g) in generated.iter().enumerate() {
        if g.upheld && repeat.contains(&g.company) {
            assert!(
                flagged_entities.contains(&entity[i]),
                "the upheld case {} of a repeat infringer sits on an entity without the flag",
                numbers[i]
            );
        }
    }
}

fn fair_complaint(name: &str, booth: &str, mark: &str) -> Value {
    json!({
        "channel": {"kind": "fair", "fair_name": "第139届广交会", "session": "第二期", "booth": booth},
        "complainant": {"kind": "organisation", "name": "某某品牌管理有限公司", "mobile": "13812345678"},
        "rights": [{"kind": "trademark", "number": mark, "nice_classes": [25]}],
        "respondent": {"name": name, "booth": booth},
        "description": "展位展出的鞋使用了与注册商标相同的标识",
    })
}

async fn respondent_of_case(app: &TestApp, n: &str) -> Value {
    ok(&app.get(&format!("/api/v1/cases/{n}"), &[]).await)["triage"]["respondent"].clone()
}

async fn a_caseworker_accepts_a_proposed_link_and_the_repeat_finding_follows_then_undoes_it(
    app: TestApp,
) {
    app.add_account("chen", "caseworker", None).await;
    app.log_in("chen", kuaiwei_e2e::TEST_PASSWORD).await;
    // one company, the second time with a one-character typo in its name: one upheld case each
    let a = app
        .file_complaint_json(&fair_complaint(
            "广州市盛鑫鞋业有限公司",
            "9.1C18",
            "30001234",
        ))
        .await;
    let a = a["case_number"].as_str().unwrap().to_string();
    close_upheld(&app, &a, true).await;
    let b = app
        .file_complaint_json(&fair_complaint(
            "广州市盛淼鞋业有限公司",
            "9.1D20",
            "30001235",
        ))
        .await;
    let b = b["case_number"].as_str().unwrap().to_string();
    close_upheld(&app, &b, true).await;
    let (ra, rb) = (
        respondent_of_case(&app, &a).await,
        respondent_of_case(&app, &b).await,
    );
    assert_ne!(ra["id"], rb["id"], "a typo never joins by itself");
    assert_eq!(ra["repeat_infringer"], false);

    let proposals = ok(&app.get("/api/v1/respondent-proposals", &[]).await);
    let typo = proposals
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "typo")
        .unwrap_or_else(|| panic!("a typo proposal: {proposals}"))
        .clone();
    let mut pair: Vec<i64> = typo["respondents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    pair.sort();
    let mut expected = vec![ra["id"].as_i64().unwrap(), rb["id"].as_i64().unwrap()];
    expected.sort();
    assert_eq!(pair, expected);
    let id = pair[0];
    let path = format!("/api/v1/respondents/{id}/actions");

    // a reason is required, and only the centre's caseworkers correct respondents
    let no_reason = json!({"action": "accept_proposal", "proposal": typo["id"], "reason": " "});
    let res = app.post_json(&path, no_reason.to_string(), &[]).await;
    assert_eq!(res.status, 422, "{}", String::from_utf8_lossy(&res.body));
    app.add_account("lin", "officer", Some("ip_office")).await;
    let officer = kuaiwei_e2e::ApiClient::new(app.address);
    officer.log_in("lin", kuaiwei_e2e::TEST_PASSWORD).await;
    let accept = json!({"action": "accept_proposal", "proposal": typo["id"], "reason": "营业执照核对为同一企业"});
    let res = officer.post_json(&path, accept.to_string(), &[]).await;
    assert_eq!(res.status, 403, "{}", String::from_utf8_lossy(&res.body));

    let done = ok(&app.post_json(&path, accept.to_string(), &[]).await);
    assert_eq!(done["respondents"], json!([id]));
    for n in [&a, &b] {
        let r = respondent_of_case(&app, n).await;
        assert_eq!(r["id"], id);
        assert_eq!(
            r["repeat_infringer"], true,
            "two upheld cases on one entity"
        );
    }
    let view = ok(&app.get(&format!("/api/v1/respondents/{id}"), &[]).await);
    let join = view["joins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["actor"] == "chen")
        .expect("the caseworker's join is recorded")
        .clone();
    assert_eq!(join["reason"], "营业执照核对为同一企业");
    assert!(view["proposals"].as_array().unwrap().is_empty());

    // undone: the two stand apart again, and neither is a repeat infringer
    let undo = json!({"action": "undo_join", "join": join["id"], "reason": "经复核为两家企业"});
    ok(&app.post_json(&path, undo.to_string(), &[]).await);
    let (ra, rb) = (
        respondent_of_case(&app, &a).await,
        respondent_of_case(&app, &b).await,
    );
    assert_ne!(ra["id"], rb["id"]);
    assert_eq!(ra["repeat_infringer"], false);
    assert_eq!(rb["repeat_infringer"], false);
    let again = app.post_json(&path, undo.to_string(), &[]).await;
    assert_eq!(again.status, 409, "a join is undone once");

    // both corrections are on the audit chain, which verifies whole
    let kinds: Vec<String> = app
        .store
        .case_events(&format!("respondent:{id}"))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(
        kinds.contains(&"respondent_proposal_accepted".to_string()),
        "{kinds:?}"
    );
    let events = app.store.audit_events(0, 10_000).await.unwrap();
    let head = app.store.audit_head().await.unwrap();
    let verified =
        kuaiwei_store::verify_chain(&events, head.as_ref().map(|(s, h)| (*s, h.as_str()))).unwrap();
    assert_eq!(verified, events.len());
}
