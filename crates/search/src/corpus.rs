//! A deterministic generator of realistic complaint texts (fairs, booths, brands, products,
//! companies, patent and trademark numbers, phones, shops and links), for the recall tests and
//! the search benchmark. The same `seed` and `n` give the same corpus on every machine.
//!
//! A complaint is several fields (the fair and the booth, or the shop and its link; the
//! description), as the server indexes a complaint: a query term matches inside one field and
//! never across sentence punctuation, so [`spanning_queries`] cuts terms across exactly those
//! places, to measure precision where a joined text would answer wrongly.

use crate::tokenize::BREAK;

pub mod realistic;

const FAIRS: [&str; 8] = [
    "第138届广交会",
    "第139届广交会",
    "2026海交会",
    "汕头玩具博览会",
    "义乌小商品博览会",
    "深圳礼品展",
    "厦门石材展",
    "上海家具展",
];
const BRANDS: [&str; 12] = [
    "耐克",
    "NIKE",
    "阿迪达斯",
    "adidas",
    "李宁",
    "安踏",
    "乐高",
    "LEGO",
    "迪士尼",
    "小米",
    "华为",
    "飞利浦",
];
const PRODUCTS: [&str; 14] = [
    "运动鞋",
    "积木玩具",
    "蓝牙耳机",
    "保温杯",
    "电动牙刷",
    "儿童滑板车",
    "毛绒公仔",
    "收纳盒",
    "手机壳",
    "台灯",
    "背包",
    "遥控汽车",
    "茶具",
    "瓷砖",
];
const PLACES: [&str; 10] = [
    "汕头", "澄海", "晋江", "义乌", "东莞", "佛山", "温州", "泉州", "宁波", "揭阳",
];
const TRADES: [&str; 8] = [
    "塑胶玩具厂",
    "鞋业有限公司",
    "电子科技有限公司",
    "日用品商行",
    "工艺品有限公司",
    "贸易有限公司",
    "家居用品厂",
    "服饰有限公司",
];
const PLATFORMS: [&str; 5] = ["淘宝", "京东", "拼多多", "抖音小店", "1688"];
const ACTS: [&str; 6] = [
    "展位展出的{p}使用了与注册商标“{b}”相同的标识",
    "展出的{p}与外观设计专利{z}相同",
    "网店销售的{p}假冒{b}品牌",
    "现场发现{p}外包装印有{b}字样，涉嫌侵犯注册商标专用权",
    "被投诉人在展位{booth}展示并接受{p}订单，侵犯我方专利权",
    "{p}的造型与我司作品高度近似，涉嫌侵犯著作权",
];

/// A small fast generator (SplitMix64): deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// One generated complaint: its searchable fields and its facets.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Each searchable field on its own, as the server indexes a complaint.
    pub fields: Vec<String>,
    pub channel: &'static str,
    pub right_type: &'static str,
    pub fair: Option<String>,
    /// Days after 2026-01-01 it was received.
    pub day: u32,
}

/// The `i`-th complaint of the corpus of `seed`.
pub fn complaint(seed: u64, i: u64) -> Generated {
    let mut r = Rng(seed ^ i.wrapping_mul(0xA24B_AED4_963E_E407));
    let brand = r.pick(&BRANDS);
    let product = r.pick(&PRODUCTS);
    let place = r.pick(&PLACES);
    let trade = r.pick(&TRADES);
    let hall = 1 + r.below(20);
    let booth = format!(
        "{hall}.{}{}{}",
        1 + r.below(3),
        (b'A' + r.below(12) as u8) as char,
        1 + r.below(40)
    );
    let patent = format!(
        "ZL2023{}{:06}.{}",
        2 + r.below(2),
        r.below(1_000_000),
        r.below(10)
    );
    let mark = format!("{}", 1_000_000 + r.below(40_000_000));
    let phone = format!("1{}{:09}", 3 + r.below(7), r.below(1_000_000_000));
    let online = r.below(3) == 0;
    let act = r
        .pick(&ACTS)
        .replace("{p}", product)
        .replace("{b}", brand)
        .replace("{z}", &patent)
        .replace("{booth}", &booth);
    let (channel, fair, where_) = if online {
        let platform = r.pick(&PLATFORMS);
        let shop = format!("{place}{brand}{product}专卖店");
        let url = format!(
            "https://shop{}.example.com/item/{}",
            r.below(100_000),
            r.below(1_000_000)
        );
        (
            "ecommerce",
            None,
            vec![format!("{platform}店铺“{shop}”"), url],
        )
    } else {
        let fair = r.pick(&FAIRS).to_string();
        (
            "fair",
            Some(fair.clone()),
            vec![fair, format!("展位{booth}")],
        )
    };
    let right_type = match r.below(3) {
        0 => "trademark",
        1 => "design_patent",
        _ => "copyright",
    };
    let mut fields = where_;
    fields.push(format!(
        "被投诉人{place}市{brand}{trade}，{act}。权利依据：商标注册证第{mark}号、专利{patent}。\
         投诉人联系电话{phone}。"
    ));
    Generated {
        fields,
        channel,
        right_type,
        fair,
        day: r.below(330) as u32,
    }
}

impl Generated {
    /// The fields joined by spaces, as one text (what FTS5 is given; what the server indexed
    /// before fields were kept apart).
    pub fn text(&self) -> String {
        self.fields.join(" ")
    }
}

/// 200 queries of 1-3 terms drawn from the corpus's vocabulary and documents: brands, products,
/// places, booths, patent and trademark numbers, phone fragments, companies.
pub fn queries(seed: u64, n_docs: u64, n: usize) -> Vec<String> {
    let mut r = Rng(seed.rotate_left(17) ^ 0x5151);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let terms = 1 + r.below(3);
        let mut q = Vec::new();
        for _ in 0..terms {
            let doc = complaint(seed, r.next() % n_docs.max(1)).text();
            // runs of letters and digits, as written: a piece never spans punctuation
            let runs: Vec<Vec<char>> = doc
                .split(|c: char| !c.is_alphanumeric())
                .map(|w| w.chars().collect::<Vec<char>>())
                .filter(|w| w.len() >= 2)
                .collect();
            let term = match r.below(4) {
                0 => r.pick(&BRANDS).to_string(),
                1 => r.pick(&PRODUCTS).to_string(),
                // a 2-6 character piece of a real document
                _ if !runs.is_empty() => {
                    let run = &runs[r.below(runs.len())];
                    let len = (2 + r.below(5)).min(run.len());
                    let at = r.below(run.len() - len + 1);
                    run[at..at + len].iter().collect()
                }
                _ => r.pick(&PLACES).to_string(),
            };
            q.push(term);
        }
        out.push(q.join(" "));
    }
    out
}

/// The runs of letters and digits of `text`, each with what stands after it (up to the next
/// run or the end).
fn runs(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            match out.last_mut() {
                Some((run, after)) if after.is_empty() => run.push(c),
                _ => out.push((c.to_string(), String::new())),
            }
        } else if let Some((_, after)) = out.last_mut() {
            after.push(c);
        }
    }
    out
}

/// `n` one-term queries cut across a place no term may match across, each from a document of
/// the corpus: the end of one run of letters and digits and the start of the next, where the
/// two are in different fields or a sentence mark ([`crate::tokenize::is_break`]) stands
/// between them.
/// - Four in five leave the place out (`k7被投` from the booth `展位16.1K7` and the
///   description `被投诉人…`; `号专` from `第1234567号、专利`): they must not find the
///   document they were cut from unless another place of it holds them.
/// - One in five, cut inside a field, keep the sentence mark (`号、专`), which then matches
///   any sentence mark.
pub fn spanning_queries(seed: u64, n_docs: u64, n: usize) -> Vec<String> {
    spanning_from(|i| complaint(seed, i).fields, seed, n_docs, n)
}

/// [`spanning_queries`] over any corpus: `fields_of(i)` are the fields of its `i`-th document.
pub fn spanning_from(
    fields_of: impl Fn(u64) -> Vec<String>,
    seed: u64,
    n_docs: u64,
    n: usize,
) -> Vec<String> {
    let mut r = Rng(seed.rotate_left(29) ^ 0x7a7a);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let fields = fields_of(r.next() % n_docs.max(1));
        // (end of a run, what stands between, start of the next run)
        let mut places: Vec<(String, Option<String>, String)> = Vec::new();
        for (k, field) in fields.iter().enumerate() {
            let pieces = runs(field);
            for w in pieces.windows(2) {
                let between = &w[0].1;
                let around = format!("{}{between}{}", w[0].0, w[1].0);
                if crate::oracle::folded(&around).contains(BREAK) {
                    places.push((w[0].0.clone(), Some(between.clone()), w[1].0.clone()));
                }
            }
            if let (Some(last), Some(next)) = (
                pieces.last(),
                fields.get(k + 1).and_then(|f| runs(f).into_iter().next()),
            ) {
                places.push((last.0.clone(), None, next.0));
            }
        }
        if places.is_empty() {
            continue;
        }
        let (before, between, after) = &places[r.below(places.len())];
        // with `between` set, the mark is kept one time in five
        let before: Vec<char> = before.chars().collect();
        let after: Vec<char> = after.chars().collect();
        let left = (1 + r.below(3)).min(before.len());
        let right = (1 + r.below(3)).min(after.len());
        let mut q: String = before[before.len() - left..].iter().collect();
        if let Some(between) = between
            && r.below(5) == 0
        {
            q.push_str(between.trim());
        }
        q.extend(&after[..right]);
        out.push(q);
    }
    out
}
