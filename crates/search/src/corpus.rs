//! A deterministic generator of realistic complaint texts (fairs, booths, brands, products,
//! companies, patent and trademark numbers, phones, shops and links), for the recall tests and
//! the search benchmark. The same `seed` and `n` give the same corpus on every machine.

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

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// One generated complaint text and its facets.
#[derive(Debug, Clone)]
pub struct Generated {
    pub text: String,
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
        ("ecommerce", None, format!("{platform}店铺“{shop}” {url}"))
    } else {
        let fair = r.pick(&FAIRS).to_string();
        ("fair", Some(fair.clone()), format!("{fair} 展位{booth}"))
    };
    let right_type = match r.below(3) {
        0 => "trademark",
        1 => "design_patent",
        _ => "copyright",
    };
    let text = format!(
        "{where_}。被投诉人{place}市{brand}{trade}，{act}。权利依据：商标注册证第{mark}号、专利{patent}。\
         投诉人联系电话{phone}。"
    );
    Generated {
        text,
        channel,
        right_type,
        fair,
        day: r.below(330) as u32,
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
            let doc = complaint(seed, r.next() % n_docs.max(1)).text;
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
