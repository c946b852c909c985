//! Complaints of the length and make-up of real ones (#22 item 1), for the search benchmark and
//! the report benchmark's seeded cases: parties with full company names (city, district, trade
//! name, industry, 有限公司), fairs with their full official names, booths, goods with models,
//! right numbers as written (`ZL2021 3 0123456.7` with its check digit, `第12345678号`,
//! `国作登字-2023-F-00012345`) and 300-1,500 characters of description in the language of
//! complaints and of the law, so that a complaint is about 1,500 bytes. The same `seed` and `i`
//! give the same complaint on every machine.
//!
//! [`queries`] draws five classes of queries from the corpus: long names (whole fair and
//! company names, 8-20 characters), legal phrases, very common terms (in most documents),
//! short terms, and numbers (booths and rights).

use super::Rng;

/// Official fair names, the most common first (a fair is drawn with a weight falling with its
/// place: the Canton Fair holds about a quarter of the fair complaints).
pub const FAIRS: [&str; 16] = [
    "中国进出口商品交易会",
    "中国（深圳）国际文化产业博览交易会",
    "中国（厦门）国际投资贸易洽谈会",
    "中国国际进口博览会",
    "中国国际高新技术成果交易会",
    "中国（汕头）国际玩具礼品博览会",
    "中国义乌国际小商品（标准）博览会",
    "中国国际家具展览会",
    "中国国际服务贸易交易会",
    "中国国际纺织面料及辅料博览会",
    "中国国际消费品博览会",
    "海峡两岸经贸交易会",
    "中国国际中小企业博览会",
    "中国国际工业博览会",
    "中国（永康）国际五金博览会",
    "中国（佛山）国际陶瓷及卫浴博览会",
];
const PLACES: [&str; 24] = [
    "佛山市顺德区",
    "佛山市南海区",
    "广州市番禺区",
    "广州市白云区",
    "深圳市宝安区",
    "深圳市龙岗区",
    "东莞市长安镇",
    "东莞市虎门镇",
    "汕头市澄海区",
    "中山市小榄镇",
    "江门市新会区",
    "潮州市潮安区",
    "揭阳市榕城区",
    "泉州市晋江市",
    "厦门市湖里区",
    "温州市瓯海区",
    "宁波市慈溪市",
    "金华市义乌市",
    "台州市黄岩区",
    "苏州市吴中区",
    "青岛市城阳区",
    "杭州市萧山区",
    "上海市松江区",
    "天津市武清区",
];
/// Trade names (字号) are two characters, one from each list: 900 of them.
const NAME_FIRST: [char; 30] = [
    '华', '鑫', '金', '宏', '恒', '新', '益', '凯', '嘉', '永', '众', '隆', '天', '博', '优', '汇',
    '皓', '星', '锦', '东', '瑞', '信', '佳', '德', '盛', '远', '捷', '康', '美', '创',
];
const NAME_SECOND: [char; 30] = [
    '锐', '达', '鹏', '图', '通', '宝', '丰', '诚', '盛', '鑫', '兴', '润', '睿', '品', '联', '天',
    '耀', '程', '方', '祥', '安', '源', '利', '辉', '泰', '航', '晟', '邦', '雅', '威',
];
const INDUSTRIES: [&str; 16] = [
    "电器制造",
    "智能科技",
    "家居用品",
    "塑胶制品",
    "电子科技",
    "玩具实业",
    "五金制品",
    "服饰",
    "鞋业",
    "进出口贸易",
    "工艺品",
    "照明电器",
    "厨具",
    "箱包皮具",
    "文化传播",
    "日用品",
];
/// Goods, each with the prefix of its models.
const GOODS: [(&str, &str); 24] = [
    ("电热水壶", "KE"),
    ("空气炸锅", "AF"),
    ("蓝牙耳机", "BT"),
    ("保温杯", "VC"),
    ("电动牙刷", "ET"),
    ("儿童滑板车", "SC"),
    ("毛绒玩具", "PT"),
    ("积木玩具", "BK"),
    ("收纳盒", "SB"),
    ("手机壳", "PC"),
    ("LED台灯", "DL"),
    ("双肩背包", "BP"),
    ("遥控汽车", "RC"),
    ("陶瓷茶具", "TS"),
    ("抛光砖", "PB"),
    ("运动鞋", "SN"),
    ("电风扇", "FN"),
    ("吹风机", "HD"),
    ("不锈钢炒锅", "WK"),
    ("卫浴花洒", "SH"),
    ("行李箱", "LG"),
    ("智能手表", "SW"),
    ("充电宝", "PW"),
    ("加湿器", "HM"),
];
const PLATFORMS: [&str; 6] = ["淘宝", "天猫", "京东", "拼多多", "抖音", "1688"];
const SURNAMES: [char; 12] = [
    '王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙',
];
const GIVEN: [char; 12] = [
    '伟', '芳', '敏', '静', '磊', '强', '军', '洋', '勇', '艳', '杰', '娟',
];

/// The kinds of rights a complaint rests on, with their weights in percent.
const RIGHTS: [(&str, usize); 5] = [
    ("design_patent", 40),
    ("trademark", 30),
    ("utility_model", 10),
    ("invention_patent", 5),
    ("copyright", 15),
];

/// Phrases of the law and of complaints that the description uses; the legal-phrase queries
/// are drawn from them (none holds a sentence mark, so each can match).
pub const LEGAL_PHRASES: [&str; 16] = [
    "涉嫌侵犯外观设计专利权",
    "与注册商标近似",
    "依据《专利法》第六十五条",
    "未经许可",
    "许诺销售",
    "侵犯注册商标专用权",
    "展会知识产权保护办法",
    "落入专利权的保护范围",
    "容易导致混淆",
    "《商标法》第五十七条",
    "《著作权法》第五十二条",
    "实质性相似",
    "为生产经营目的",
    "责令被投诉人立即停止侵权行为",
    "《中华人民共和国电子商务法》第四十二条",
    "主观恶意明显",
];

/// Very common terms: `依法处理` closes nine complaints in ten; the others stand in all.
pub const COMMON: [&str; 6] = [
    "依法处理",
    "有限公司",
    "投诉人",
    "被投诉人",
    "许诺销售",
    "侵犯",
];

/// Where the infringement was met.
#[derive(Debug, Clone, PartialEq)]
pub enum Place {
    Fair {
        /// The official name, as [`FAIRS`] writes it.
        name: String,
        /// `第138届`.
        edition: String,
        /// `第二期`.
        session: String,
        /// `12.1`.
        hall: String,
        /// `12.1K07`.
        booth: String,
    },
    Online {
        platform: &'static str,
        shop: String,
        url: String,
    },
    /// Goods stopped by customs.
    Border {
        port: &'static str,
        /// The customs declaration number (18 digits).
        declaration: String,
        /// Export, else import.
        export: bool,
    },
}

/// One right: its kind key (as the domain spells it), its number as written, its title.
#[derive(Debug, Clone, PartialEq)]
pub struct Right {
    pub kind: &'static str,
    pub number: String,
    pub title: String,
}

/// One generated complaint, in parts (the report bench builds a filed complaint from them).
#[derive(Debug, Clone, PartialEq)]
pub struct Complaint {
    pub place: Place,
    pub complainant: String,
    pub mobile: String,
    pub right: Right,
    pub respondent: String,
    pub goods: String,
    pub description: String,
    /// Days after 2026-01-01 it was received.
    pub day: u32,
}

impl Complaint {
    /// The searchable fields, each apart, in the order the server's indexer lists a filed
    /// complaint's strings (channel, complainant, rights, respondent, description, goods).
    pub fn fields(&self) -> Vec<String> {
        let mut out = Vec::with_capacity(12);
        match &self.place {
            Place::Fair {
                name,
                edition,
                session,
                hall,
                booth,
            } => out.extend([
                format!("{edition}{name}"),
                session.to_string(),
                hall.clone(),
                booth.clone(),
            ]),
            Place::Online {
                platform,
                shop,
                url,
            } => out.extend([platform.to_string(), shop.clone(), url.clone()]),
            Place::Border {
                port, declaration, ..
            } => out.extend([port.to_string(), declaration.clone()]),
        }
        out.extend([
            self.complainant.clone(),
            self.mobile.clone(),
            self.right.number.clone(),
            self.right.title.clone(),
            self.complainant.clone(),
            self.respondent.clone(),
        ]);
        if let Place::Fair { booth, .. } = &self.place {
            out.push(booth.clone());
        }
        out.push(self.description.clone());
        out.push(self.goods.clone());
        out
    }

    pub fn channel(&self) -> &'static str {
        match self.place {
            Place::Fair { .. } => "fair",
            Place::Online { .. } => "ecommerce",
            Place::Border { .. } => "border",
        }
    }

    /// The fair's official name.
    pub fn fair(&self) -> Option<&str> {
        match &self.place {
            Place::Fair { name, .. } => Some(name),
            _ => None,
        }
    }
}

/// A full company name: place, trade name, industry, 有限公司 (one in five 股份有限公司).
fn company(r: &mut Rng) -> String {
    let place = r.pick(&PLACES);
    let a = NAME_FIRST[r.below(NAME_FIRST.len())];
    let b = NAME_SECOND[r.below(NAME_SECOND.len())];
    let industry = r.pick(&INDUSTRIES);
    let suffix = if r.below(5) == 0 {
        "股份有限公司"
    } else {
        "有限公司"
    };
    format!("{place}{a}{b}{industry}{suffix}")
}

/// A CN patent number of `kind` as a complainant writes it, `ZL2021 3 0123456.7`, with its
/// check digit (Σ dᵢ·wᵢ mod 11, weights 2..9 repeating).
fn patent(r: &mut Rng, type_digit: u8) -> String {
    let body = format!(
        "{}{}{:07}",
        2015 + r.below(10),
        type_digit as char,
        r.below(10_000_000)
    );
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, d)| u32::from(d - b'0') * (2 + (i as u32 % 8)))
        .sum();
    let check = b"0123456789X"[(sum % 11) as usize] as char;
    format!("ZL{} {} {}.{check}", &body[..4], &body[4..5], &body[5..])
}

/// The `i`-th complaint of the corpus of `seed`.
pub fn complaint(seed: u64, i: u64) -> Complaint {
    shaped(seed, i, None)
}

/// What a complaint is to be about when the caller decides it (the report benchmark's cases,
/// whose channel, right and fair its own statistics fix); the rest is drawn as for
/// [`complaint`].
#[derive(Debug, Clone, Copy)]
pub struct Shape<'a> {
    /// `fair`, `ecommerce` or `border`.
    pub channel: &'a str,
    /// The fair's name and session, for `fair`.
    pub fair: Option<(&'a str, Option<&'a str>)>,
    /// A right kind as the domain spells it (`trademark`, `design_patent` … `other`).
    pub right_kind: &'a str,
}

/// The domain's right kind keys this generator writes (any other is `other`).
fn kind_key(kind: &str) -> &'static str {
    match kind {
        "trademark" => "trademark",
        "copyright" => "copyright",
        "design_patent" => "design_patent",
        "utility_model" => "utility_model",
        "invention_patent" => "invention_patent",
        _ => "other",
    }
}

const PORTS: [&str; 6] = [
    "黄埔海关",
    "深圳海关",
    "宁波海关",
    "厦门海关",
    "上海海关",
    "汕头海关",
];

/// The `i`-th complaint of `seed`, of `shape` if given.
pub fn shaped(seed: u64, i: u64, shape: Option<Shape>) -> Complaint {
    let mut r = Rng(seed ^ i.wrapping_mul(0x9FB2_1C65_1E98_DF25) ^ 0x2222);
    let complainant = company(&mut r);
    let respondent = company(&mut r);
    let (goods_name, model) = GOODS[r.below(GOODS.len())];
    let goods = format!("{goods_name}（型号{model}-{}）", 100 + r.below(9900));
    let mobile = format!("1{}{:09}", 3 + r.below(7), r.below(1_000_000_000));
    let mark: String = [
        NAME_FIRST[r.below(NAME_FIRST.len())],
        NAME_SECOND[r.below(NAME_SECOND.len())],
    ]
    .iter()
    .collect();
    let kind = match shape {
        Some(s) => kind_key(s.right_kind),
        None => {
            let roll = r.below(100);
            let mut acc = 0;
            RIGHTS
                .iter()
                .find(|(_, w)| {
                    acc += w;
                    roll < acc
                })
                .map_or("design_patent", |(k, _)| k)
        }
    };
    let right = match kind {
        "trademark" => Right {
            kind,
            number: format!("第{}号", 10_000_000 + r.below(60_000_000)),
            title: format!("“{mark}”注册商标"),
        },
        "copyright" => Right {
            kind,
            number: format!(
                "国作登字-{}-F-{:08}",
                2015 + r.below(10),
                r.below(100_000_000)
            ),
            title: format!("{mark}系列美术作品"),
        },
        "other" => Right {
            kind,
            number: format!("登记号{:06}", r.below(1_000_000)),
            title: format!("“{mark}”{goods_name}包装装潢"),
        },
        _ => {
            let (digit, what) = match kind {
                "utility_model" => (b'2', "实用新型"),
                "invention_patent" => (b'1', "发明"),
                _ => (b'3', "外观设计"),
            };
            Right {
                kind,
                number: patent(&mut r, digit),
                title: format!("{goods_name}（{what}）"),
            }
        }
    };
    let channel = match shape {
        Some(s) => s.channel,
        None if r.below(10) < 7 => "fair",
        None => "ecommerce",
    };
    let place = match channel {
        "fair" => {
            let (name, session) = match shape.and_then(|s| s.fair) {
                Some((name, session)) => (name.to_string(), session.map(str::to_string)),
                None => {
                    // the first fairs are the busiest: the k-th is drawn with a weight of
                    // 1/(k+1)
                    let harmonic: f64 = (1..=FAIRS.len()).map(|k| 1.0 / k as f64).sum();
                    let mut u = r.unit() * harmonic;
                    let mut k = 0;
                    while k + 1 < FAIRS.len() && u >= 1.0 / (k + 1) as f64 {
                        u -= 1.0 / (k + 1) as f64;
                        k += 1;
                    }
                    (FAIRS[k].to_string(), None)
                }
            };
            let hall = format!("{}.{}", 1 + r.below(20), 1 + r.below(3));
            let booth = format!(
                "{hall}{}{:02}",
                (b'A' + r.below(12) as u8) as char,
                1 + r.below(40)
            );
            let edition = format!("第{}届", 100 + r.below(40));
            let drawn = ["第一期", "第二期", "第三期"][r.below(3)];
            Place::Fair {
                name,
                edition,
                session: session.unwrap_or_else(|| drawn.to_string()),
                hall,
                booth,
            }
        }
        "ecommerce" => {
            let platform = r.pick(&PLATFORMS);
            Place::Online {
                platform,
                shop: format!("{mark}{goods_name}旗舰店"),
                url: format!(
                    "https://item.example.com/{}/{}.html",
                    r.below(1000),
                    r.below(1_000_000_000)
                ),
            }
        }
        _ => Place::Border {
            port: r.pick(&PORTS),
            declaration: format!(
                "{}{:014}",
                5100 + r.below(100),
                r.below(100_000_000_000_000)
            ),
            export: r.below(5) != 0,
        },
    };
    let description = description(
        &mut r,
        &Parts {
            complainant: &complainant,
            respondent: &respondent,
            goods: &goods,
            goods_name,
            mark: &mark,
            right: &right,
            place: &place,
            mobile: &mobile,
        },
    );
    Complaint {
        place,
        complainant,
        mobile,
        right,
        respondent,
        goods,
        description,
        day: r.below(330) as u32,
    }
}

/// What a description speaks of.
struct Parts<'a> {
    complainant: &'a str,
    respondent: &'a str,
    goods: &'a str,
    goods_name: &'a str,
    mark: &'a str,
    right: &'a Right,
    place: &'a Place,
    mobile: &'a str,
}

/// At most this many characters of description.
pub const DESCRIPTION_MAX: usize = 1_500;
/// At least this many.
pub const DESCRIPTION_MIN: usize = 300;

/// The description: the facts (where, who, what), the right and why it is infringed, the law,
/// the evidence, what is asked; then more of the same kind of sentences until a length drawn
/// between [`DESCRIPTION_MIN`] and [`DESCRIPTION_MAX`] (most near 450 characters, a few long).
fn description(r: &mut Rng, p: &Parts) -> String {
    let u = r.unit();
    let target =
        DESCRIPTION_MIN + ((DESCRIPTION_MAX - DESCRIPTION_MIN) as f64 * u.powi(10)) as usize;
    let (comp, resp, goods, name, mark) =
        (p.complainant, p.respondent, p.goods, p.goods_name, p.mark);
    let num = &p.right.number;
    let year = 2019 + r.below(7);
    let month = 1 + r.below(12);
    let day = 1 + r.below(28);
    let mut s = match p.place {
        Place::Fair {
            name: fair,
            edition,
            booth,
            ..
        } => format!(
            "{year}年{month}月{day}日，投诉人在{edition}{fair}{booth}展位发现，被投诉人{resp}展出、许诺销售的{goods}，"
        ),
        Place::Online {
            platform,
            shop,
            url,
        } => format!(
            "{year}年{month}月{day}日，投诉人发现被投诉人{resp}在{platform}平台开设的网店“{shop}”销售、许诺销售{goods}，商品链接为{url}，"
        ),
        Place::Border {
            port,
            declaration,
            export,
        } => format!(
            "{year}年{month}月{day}日，{port}在查验被投诉人{resp}申报{}的货物（报关单号{declaration}）时，发现一批{goods}，被投诉人在报关资料中许诺销售该批货物，",
            if *export { "出口" } else { "进口" }
        ),
    };
    s.push_str(&match p.right.kind {
        "trademark" => format!(
            "在同一种商品上使用与注册商标近似的标识“{mark}”，容易导致混淆。投诉人{comp}是注册号{}的“{mark}”商标的注册人，该商标核定使用在第{}类商品上，现仍在有效期内。依据《商标法》第五十七条第（二）项，未经商标注册人的许可，在同一种商品上使用与其注册商标近似的商标，容易导致混淆的，属侵犯注册商标专用权。",
            num.trim_start_matches('第').trim_end_matches('号'),
            1 + r.below(45)
        ),
        "copyright" => format!(
            "其外包装及产品表面使用的图案与投诉人享有著作权的《{}》（登记号{num}）构成实质性相似，涉嫌侵犯著作权。依据《著作权法》第五十二条，未经著作权人许可，复制、发行其作品的，应当承担停止侵害、赔偿损失等民事责任。",
            p.right.title
        ),
        "design_patent" => format!(
            "涉嫌侵犯外观设计专利权。投诉人{comp}是专利号为{num}、名称为“{}”的外观设计专利的专利权人，该专利合法有效。经比对，被诉侵权产品的整体形状、图案与该外观设计相同或者近似，落入专利权的保护范围。依据《专利法》第十一条，外观设计专利权被授予后，任何单位或者个人未经专利权人许可，不得为生产经营目的制造、许诺销售、销售、进口其外观设计专利产品。",
            p.right.title
        ),
        "other" => format!(
            "其使用的包装、装潢与投诉人{comp}有一定影响的“{mark}”{name}的包装、装潢相同或者近似，涉嫌侵犯投诉人的合法权益，足以引人误认为是投诉人的商品。依据《反不正当竞争法》第六条，经营者不得擅自使用与他人有一定影响的商品包装、装潢相同或者近似的标识。"
        ),
        _ => format!(
            "涉嫌侵犯投诉人的专利权。投诉人{comp}是专利号为{num}的专利的专利权人，经比对，被诉侵权产品具备该专利权利要求{}记载的全部技术特征，落入专利权的保护范围。依据《专利法》第十一条，任何单位或者个人未经专利权人许可，都不得为生产经营目的实施其专利。",
            1 + r.below(10)
        ),
    });
    let mut extra: Vec<String> = vec![
        "依据《专利法》第六十五条，未经专利权人许可，实施其专利，即侵犯其专利权；专利权人可以请求管理专利工作的部门处理。".into(),
        format!(
            "投诉人已于现场拍照取证，并取得被投诉人的产品目录、名片及报价单，报价为每件{}元，证据附后。",
            10 + r.below(990)
        ),
        format!(
            "此前，投诉人曾于{}年就同类{name}向被投诉人发出律师函，被投诉人仍继续生产、销售涉嫌侵权产品，主观恶意明显。",
            year - 1 - r.below(3)
        ),
        format!(
            "被投诉人未经许可，以“{mark}”的名义对外宣传，误导公众认为其与投诉人{comp}存在关联关系。"
        ),
        "依据《商标法》第六十条，工商行政管理部门处理时，认定侵权行为成立的，责令立即停止侵权行为，没收、销毁侵权商品；违法经营额五万元以上的，可以处违法经营额五倍以下的罚款。".into(),
        format!(
            "投诉人{comp}委托代理人{}{}负责本次投诉，联系电话{}。",
            SURNAMES[r.below(SURNAMES.len())],
            GIVEN[r.below(GIVEN.len())],
            p.mobile
        ),
    ];
    // what is asked of a fair's complaints office, of a platform or of customs
    if let Place::Border { .. } = p.place {
        extra.push(
            "请求海关依据《中华人民共和国知识产权海关保护条例》第十四条扣留侵权嫌疑货物。".into(),
        );
    } else if matches!(p.place, Place::Fair { .. }) {
        extra.push(
            "请求依据《展会知识产权保护办法》责令被投诉人立即停止侵权行为，撤下涉嫌侵权展品，并封存相关宣传资料。".into(),
        );
        extra.push(format!(
            "被投诉人在展台显著位置摆放{goods}样品，并向采购商派发印有该产品图片的宣传册，已构成许诺销售。据了解，被投诉人自{}年起即在多个展会展出同类产品，销售范围涉及{}个国家和地区。",
            year - 1,
            2 + r.below(30)
        ));
    } else {
        extra.push(
            "现根据《中华人民共和国电子商务法》第四十二条，请求对侵权链接采取删除、屏蔽、断开链接等必要措施。".into(),
        );
    }
    // the other sentences in a drawn order, repeated (as long complaints do) until the target
    let mut order: Vec<usize> = (0..extra.len()).collect();
    for k in (1..order.len()).rev() {
        order.swap(k, r.below(k + 1));
    }
    let closing = r.below(10) != 0;
    let closing_text = "综上，请求贵中心依法处理。";
    let room = |s: &str| s.chars().count();
    let reserve = if closing { room(closing_text) } else { 0 };
    let mut k = 0;
    while room(&s) + reserve < target {
        let next = &extra[order[k % order.len()]];
        if room(&s) + room(next) + reserve > DESCRIPTION_MAX {
            break;
        }
        s.push_str(next);
        k += 1;
    }
    if closing {
        s.push_str(closing_text);
    }
    s
}

/// A class of queries and its queries.
pub struct QueryClass {
    pub name: &'static str,
    pub queries: Vec<String>,
}

/// `per_class` queries of each class, drawn from the first `n_docs` complaints of `seed`:
/// - long names: a whole fair name as [`FAIRS`] writes it, or a complaint's whole respondent or
///   complainant name (8-20 characters);
/// - legal phrases ([`LEGAL_PHRASES`]);
/// - common terms ([`COMMON`]: in most documents);
/// - short terms: a trade name, goods, a place, or a 2-3 character piece of a description;
/// - numbers: a booth, a patent number (compact, with or without `ZL`), a trademark or a
///   copyright registration number.
pub fn queries(seed: u64, n_docs: u64, per_class: usize) -> Vec<QueryClass> {
    let mut r = Rng(seed.rotate_left(23) ^ 0x4242);
    let doc = |r: &mut Rng| complaint(seed, r.next() % n_docs.max(1));
    let mut long = Vec::with_capacity(per_class);
    let mut legal = Vec::with_capacity(per_class);
    let mut common = Vec::with_capacity(per_class);
    let mut short = Vec::with_capacity(per_class);
    let mut numbers = Vec::with_capacity(per_class);
    for k in 0..per_class {
        long.push(match k % 3 {
            0 => FAIRS[k / 3 % FAIRS.len()].to_string(),
            1 => doc(&mut r).respondent,
            _ => doc(&mut r).complainant,
        });
        legal.push(LEGAL_PHRASES[k % LEGAL_PHRASES.len()].to_string());
        common.push(COMMON[k % COMMON.len()].to_string());
        let d = doc(&mut r);
        short.push(match k % 4 {
            0 => d.respondent.chars().skip(6).take(2).collect(),
            1 => GOODS[r.below(GOODS.len())].0.to_string(),
            2 => d.complainant.chars().take(2).collect(),
            _ => {
                let runs: Vec<Vec<char>> = d
                    .description
                    .split(|c: char| !c.is_alphanumeric())
                    .map(|w| w.chars().collect::<Vec<char>>())
                    .filter(|w| w.len() >= 3)
                    .collect();
                let run = &runs[r.below(runs.len())];
                let len = 2 + r.below(2);
                let at = r.below(run.len() - len + 1);
                run[at..at + len].iter().collect()
            }
        });
        let d = doc(&mut r);
        numbers.push(match (k % 2, &d.place) {
            (0, Place::Fair { booth, .. }) => booth.clone(),
            _ => {
                let compact: String = d.right.number.split_whitespace().collect();
                match k % 3 {
                    0 => compact,
                    1 => compact.trim_start_matches("ZL").to_string(),
                    _ => compact
                        .trim_start_matches('第')
                        .trim_end_matches('号')
                        .into(),
                }
            }
        });
    }
    vec![
        QueryClass {
            name: "long names",
            queries: long,
        },
        QueryClass {
            name: "legal phrases",
            queries: legal,
        },
        QueryClass {
            name: "common terms",
            queries: common,
        },
        QueryClass {
            name: "short terms",
            queries: short,
        },
        QueryClass {
            name: "numbers",
            queries: numbers,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oracle;

    #[test]
    fn the_same_seed_gives_the_same_complaints_and_queries() {
        for i in [0, 1, 999, 123_456] {
            assert_eq!(complaint(7, i), complaint(7, i));
        }
        assert_ne!(complaint(7, 1), complaint(8, 1));
        let a: Vec<Vec<String>> = queries(7, 1000, 20)
            .into_iter()
            .map(|c| c.queries)
            .collect();
        let b: Vec<Vec<String>> = queries(7, 1000, 20)
            .into_iter()
            .map(|c| c.queries)
            .collect();
        assert_eq!(a, b);
    }

    #[test]
    fn descriptions_and_documents_have_the_length_of_real_complaints() {
        let n = 2_000;
        let mut bytes = 0;
        let mut longest = 0;
        for i in 0..n {
            let c = complaint(7, i);
            let chars = c.description.chars().count();
            assert!(
                (DESCRIPTION_MIN..=DESCRIPTION_MAX).contains(&chars),
                "complaint {i}: {chars} characters"
            );
            longest = longest.max(chars);
            bytes += c.fields().iter().map(String::len).sum::<usize>();
        }
        let mean = bytes as f64 / n as f64;
        assert!((1_200.0..=2_000.0).contains(&mean), "mean {mean} bytes");
        assert!(longest > 1_000, "a few long descriptions: {longest}");
    }

    #[test]
    fn names_numbers_and_fields_are_as_written_in_real_complaints() {
        for i in 0..500 {
            let c = complaint(7, i);
            for name in [&c.complainant, &c.respondent] {
                let n = name.chars().count();
                assert!((12..=20).contains(&n), "{name}");
                assert!(name.ends_with("有限公司"), "{name}");
            }
            if c.right.kind.ends_with("patent") || c.right.kind == "utility_model" {
                let parsed = kuaiwei_domain::PatentNumber::parse(&c.right.number)
                    .unwrap_or_else(|e| panic!("{}: {e:?}", c.right.number));
                assert_eq!(parsed.as_str().len(), 14);
            }
            if let Place::Fair { booth, hall, .. } = &c.place {
                assert!(booth.starts_with(hall.as_str()), "{booth}");
            }
            for f in c.fields() {
                assert!(!f.is_empty());
            }
        }
    }

    #[test]
    fn every_query_occurs_and_common_terms_are_in_most_documents() {
        let n = 3_000;
        let docs: Vec<Vec<String>> = (0..n)
            .map(|i| {
                complaint(7, i)
                    .fields()
                    .iter()
                    .map(|f| oracle::folded(f))
                    .collect()
            })
            .collect();
        let hits = |q: &str| {
            let terms = oracle::terms(q);
            docs.iter().filter(|d| oracle::holds(d, &terms)).count()
        };
        for class in queries(7, n, 40) {
            for q in &class.queries {
                assert!(hits(q) > 0, "{}: {q} is in no document", class.name);
                if class.name == "long names" {
                    let len = oracle::folded(q).chars().count();
                    assert!((8..=20).contains(&len), "{q}: {len} characters");
                }
            }
        }
        for q in COMMON {
            let share = hits(q) as f64 / n as f64;
            assert!(share > 0.85, "{q} in {share:.2} of the documents");
        }
        let share = hits("依法处理") as f64 / n as f64;
        assert!((0.85..0.95).contains(&share), "依法处理 in {share:.2}");
        for q in LEGAL_PHRASES {
            assert!(hits(q) > n as usize / 20, "{q} is rare");
        }
        let fair = hits(FAIRS[0]) as f64 / n as f64;
        assert!((0.1..0.4).contains(&fair), "the Canton Fair in {fair:.2}");
    }
}
