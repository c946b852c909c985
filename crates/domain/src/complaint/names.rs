//! Chinese company names folded for recognising one respondent across complaints.
//!
//! A registered name (企业名称登记管理规定, 2020, Art. 6) is 行政区划 + 字号 + 行业或经营特点 +
//! 组织形式: `广州市天河区 某某 鞋业 有限公司`. Complainants write it with or without the
//! administrative division, with 有限公司 or 有限责任公司, in full-width or half-width, and
//! name a branch (分公司, which has no legal personality: Company Law Art. 13) for its parent.
//! Folding keeps the divisions apart from the rest (the trade name with its industry, here the
//! *base*), so that two names can be compared on both: the same base in two different cities is
//! two companies, never one.
//!
//! Pure and table-tested; the resolution rules that use it are in `kuaiwei_store::respondents`.

use crate::ids::normalize_party_name;

/// A company name split into what identifies it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FoldedName {
    /// The administrative divisions it names, without 省/市/区/县, sorted: `["广州", "天河"]`.
    pub divisions: Vec<String>,
    /// The trade name with the industry, without divisions or organisation form: `某某鞋业`.
    pub base: String,
    /// For a branch (分公司): what distinguishes it (often a district), folded; the rest of the
    /// name is the parent's.
    pub branch: Option<String>,
}

impl FoldedName {
    /// The name with its divisions: equal only for the same base in the same divisions.
    pub fn full(&self) -> String {
        format!("{}|{}", self.divisions.join(","), self.base)
    }

    /// Whether two names can be one company: the same base, and divisions that do not disagree
    /// (one of them names none, or they share one).
    pub fn compatible(&self, other: &FoldedName) -> bool {
        self.base == other.base && divisions_compatible(&self.divisions, &other.divisions)
    }

    /// Every way of dropping one character of the base, for proposing a link to a name one
    /// typing error away (a deletion on both sides meets a substitution). Bases shorter than
    /// four characters give none: too many short names differ by one character.
    pub fn typo_variants(&self) -> Vec<String> {
        deletions(&self.base)
    }
}

/// Whether two sets of divisions can describe one company: either is empty, or they share one.
pub fn divisions_compatible(a: &[String], b: &[String]) -> bool {
    a.is_empty() || b.is_empty() || a.iter().any(|d| b.contains(d))
}

/// Every way of dropping one character of `base` (none below four characters).
pub fn deletions(base: &str) -> Vec<String> {
    let chars: Vec<char> = base.chars().collect();
    if chars.len() < 4 {
        return Vec::new();
    }
    let mut out: Vec<String> = (0..chars.len())
        .map(|i| {
            chars
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, c)| c)
                .collect()
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Provinces and province-level cities, then prefecture-level cities: the divisions a name may
/// start with. A name starting with none of them keeps its first characters (a district is
/// recognised only after a province or city, where 区/县/市 cannot be part of a trade name).
const DIVISIONS: &[&str] = &[
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
    "广州",
    "深圳",
    "珠海",
    "汕头",
    "佛山",
    "韶关",
    "湛江",
    "肇庆",
    "江门",
    "茂名",
    "惠州",
    "梅州",
    "汕尾",
    "河源",
    "阳江",
    "清远",
    "东莞",
    "中山",
    "潮州",
    "揭阳",
    "云浮",
    "杭州",
    "宁波",
    "温州",
    "嘉兴",
    "湖州",
    "绍兴",
    "金华",
    "衢州",
    "舟山",
    "台州",
    "丽水",
    "义乌",
    "南京",
    "无锡",
    "徐州",
    "常州",
    "苏州",
    "南通",
    "连云港",
    "淮安",
    "盐城",
    "扬州",
    "镇江",
    "泰州",
    "宿迁",
    "昆山",
    "合肥",
    "芜湖",
    "蚌埠",
    "福州",
    "厦门",
    "莆田",
    "三明",
    "泉州",
    "漳州",
    "南平",
    "龙岩",
    "宁德",
    "晋江",
    "石狮",
    "南昌",
    "赣州",
    "济南",
    "青岛",
    "淄博",
    "枣庄",
    "烟台",
    "潍坊",
    "济宁",
    "泰安",
    "威海",
    "日照",
    "临沂",
    "德州",
    "聊城",
    "滨州",
    "菏泽",
    "郑州",
    "开封",
    "洛阳",
    "新乡",
    "许昌",
    "南阳",
    "武汉",
    "宜昌",
    "襄阳",
    "长沙",
    "株洲",
    "湘潭",
    "衡阳",
    "岳阳",
    "常德",
    "成都",
    "绵阳",
    "贵阳",
    "昆明",
    "西安",
    "兰州",
    "西宁",
    "银川",
    "乌鲁木齐",
    "拉萨",
    "南宁",
    "柳州",
    "桂林",
    "海口",
    "三亚",
    "石家庄",
    "唐山",
    "保定",
    "廊坊",
    "太原",
    "大同",
    "沈阳",
    "大连",
    "鞍山",
    "长春",
    "哈尔滨",
    "呼和浩特",
    "包头",
];

/// Suffixes a division may carry, longest first.
const DIVISION_SUFFIXES: &[&str] = &[
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "特别行政区",
    "自治区",
    "省",
    "市",
];

/// Organisation forms (组织形式) a name may end with, longest first; English ones folded as
/// [`normalize_party_name`] leaves them.
const FORMS: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "个人独资企业",
    "有限合伙企业",
    "普通合伙企业",
    "合伙企业",
    "有限公司",
    "股份公司",
    "有限合伙",
    "公司",
    "companylimited",
    "corporation",
    "colimited",
    "limited",
    "company",
    "coltd",
    "corp",
    "ltd",
    "inc",
];

/// Folds a company (or trader) name; `None` when nothing is left to recognise it by.
pub fn fold_company_name(name: &str) -> Option<FoldedName> {
    let mut divisions = Vec::new();
    let name = take_bracketed_divisions(name, &mut divisions);
    let mut s = normalize_party_name(&name);
    let mut branch = None;
    if let Some(rest) = s.strip_suffix("分公司") {
        let (parent, which) = split_branch(rest);
        branch = Some(which);
        s = parent;
    }
    let rest = strip_divisions(&s, &mut divisions);
    let stripped = strip_form(rest);
    let base = if stripped.chars().count() >= 2 {
        stripped.to_string()
    } else if !stripped.is_empty() {
        // `某某公司`: the form is most of the name; keep it
        rest.to_string()
    } else {
        // a name that is only divisions (`广州市有限公司`) is recognised by the whole of it
        divisions.clear();
        s.clone()
    };
    if base.is_empty() {
        return None;
    }
    divisions.sort();
    divisions.dedup();
    Some(FoldedName {
        divisions,
        base,
        branch,
    })
}

/// The parent and the branch's own part of a branch name without its `分公司`: the parent ends
/// at its last organisation form (`某某有限公司` + `天河`), or, with none, before a trailing
/// division (`某某鞋业` + `天河区`).
fn split_branch(rest: &str) -> (String, String) {
    let end = FORMS
        .iter()
        .filter_map(|f| rest.rfind(f).map(|i| i + f.len()))
        .max();
    if let Some(end) = end.filter(|e| *e < rest.len()) {
        return (rest[..end].to_string(), rest[end..].to_string());
    }
    // a trailing district or county (`番禺区`, `南海县`: 2-3 characters and 区/县/市), or a
    // known city without its suffix
    let chars: Vec<char> = rest.chars().collect();
    for len in [3usize, 4] {
        if chars.len() > len + 1 && matches!(chars[chars.len() - 1], '区' | '县' | '市') {
            let head: String = chars[..chars.len() - len].iter().collect();
            let tail: String = chars[chars.len() - len..].iter().collect();
            return (head, tail);
        }
    }
    if let Some(d) = DIVISIONS
        .iter()
        .filter(|d| rest.ends_with(**d) && rest.len() > d.len() + 3)
        .max_by_key(|d| d.len())
    {
        let cut = rest.len() - d.len();
        return (rest[..cut].to_string(), rest[cut..].to_string());
    }
    (rest.to_string(), String::new())
}

/// Strips the leading divisions of a folded name into `out`: known provinces and cities with or
/// without their suffix, then, after one of them, districts and counties (`天河区`, `番禺区`,
/// `南海`…: 2-3 characters and 区/县/市). Stops where less than two characters would be left.
fn strip_divisions<'a>(s: &'a str, out: &mut Vec<String>) -> &'a str {
    let mut rest = s;
    let mut after_known = false;
    loop {
        let known = DIVISIONS
            .iter()
            .filter(|d| rest.starts_with(**d))
            .max_by_key(|d| d.len());
        if let Some(d) = known {
            let mut next = &rest[d.len()..];
            if let Some(sfx) = DIVISION_SUFFIXES.iter().find(|x| next.starts_with(**x)) {
                next = &next[sfx.len()..];
            }
            if next.chars().count() < 2 {
                return rest;
            }
            out.push((*d).to_string());
            rest = next;
            after_known = true;
            continue;
        }
        if after_known {
            let chars: Vec<(usize, char)> = rest.char_indices().collect();
            let county = (2..=3).find(|&n| {
                chars
                    .get(n)
                    .is_some_and(|(_, c)| matches!(c, '区' | '县' | '市'))
                    && chars.len() > n + 2
            });
            if let Some(n) = county {
                let (end, c) = chars[n];
                out.push(rest[..end].to_string());
                rest = &rest[end + c.len_utf8()..];
                continue;
            }
        }
        return rest;
    }
}

/// Strips the organisation form at the end, once.
fn strip_form(s: &str) -> &str {
    FORMS.iter().find_map(|f| s.strip_suffix(f)).unwrap_or(s)
}

/// Takes bracketed divisions out of a name (`某某鞋业（广州）有限公司`), adding them to `out`;
/// other brackets stay (their content is part of the name).
fn take_bracketed_divisions(name: &str, out: &mut Vec<String>) -> String {
    let mut s = name.to_string();
    for (open, close) in [('（', '）'), ('(', ')'), ('【', '】'), ('[', ']')] {
        while let Some(i) = s.find(open) {
            let Some(j) = s[i..].find(close).map(|j| i + j) else {
                break;
            };
            let inner = normalize_party_name(&s[i + open.len_utf8()..j]);
            let mut found = Vec::new();
            let probe = format!("{inner}xx");
            let left = strip_divisions(&probe, &mut found);
            if !found.is_empty() && left == "xx" {
                out.extend(found);
                s.replace_range(i..j + close.len_utf8(), "");
            } else {
                // keep the content, drop the brackets (as the plain fold does)
                s.replace_range(j..j + close.len_utf8(), "");
                s.replace_range(i..i + open.len_utf8(), "");
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold(name: &str) -> (String, Option<String>) {
        let f = fold_company_name(name).unwrap();
        (f.full(), f.branch)
    }

    #[test]
    fn the_usual_ways_of_writing_one_company_fold_to_one_base() {
        let base = |n: &str| fold_company_name(n).unwrap().base;
        for name in [
            "广州市某某鞋业有限公司",
            "广州某某鞋业有限责任公司",
            "某某鞋业有限公司",
            "广东省广州市天河区某某鞋业股份有限公司",
            "某某鞋业（广州）有限公司",
            "ＸＸ鞋业有限公司",
            "广州某某鞋业有限公司天河分公司",
            "某某鞋业",
        ] {
            let expect = if name.starts_with('Ｘ') {
                "xx鞋业"
            } else {
                "某某鞋业"
            };
            assert_eq!(base(name), expect, "{name}");
        }
    }

    #[test]
    fn divisions_are_kept_apart_from_the_base_with_or_without_their_suffix() {
        let cases = [
            ("广州市某某鞋业有限公司", "广州|某某鞋业"),
            ("广州某某鞋业有限公司", "广州|某某鞋业"),
            ("深圳某某鞋业有限公司", "深圳|某某鞋业"),
            (
                "广东省广州市天河区某某鞋业有限公司",
                "天河,广东,广州|某某鞋业",
            ),
            ("某某鞋业（广州）有限公司", "广州|某某鞋业"),
            ("某某（中国）鞋业有限公司", "|某某中国鞋业"),
            ("浙江省义乌市某某饰品商行", "义乌,浙江|某某饰品商行"),
            ("北京某公司", "北京|某公司"),
            ("佳佳超市有限公司", "|佳佳超市"),
            ("城市之光文化有限公司", "|城市之光文化"),
        ];
        for (name, full) in cases {
            assert_eq!(fold(name).0, full, "{name}");
        }
    }

    #[test]
    fn a_branch_folds_to_its_parent_and_is_marked() {
        assert_eq!(
            fold("广州某某鞋业有限公司天河分公司"),
            ("广州|某某鞋业".into(), Some("天河".into()))
        );
        assert_eq!(
            fold("某某鞋业番禺区分公司"),
            ("|某某鞋业".into(), Some("番禺区".into()))
        );
        assert_eq!(fold("某某鞋业有限公司").1, None);
    }

    #[test]
    fn same_base_in_two_cities_is_not_compatible_and_a_missing_city_is() {
        let gz = fold_company_name("广州某某鞋业有限公司").unwrap();
        let sz = fold_company_name("深圳市某某鞋业有限公司").unwrap();
        let none = fold_company_name("某某鞋业有限责任公司").unwrap();
        let district = fold_company_name("广州市天河区某某鞋业有限公司").unwrap();
        assert!(!gz.compatible(&sz));
        assert!(gz.compatible(&none) && sz.compatible(&none));
        assert!(gz.compatible(&district));
        assert!(!sz.compatible(&district));
    }

    #[test]
    fn english_forms_are_dropped_like_chinese_ones() {
        assert_eq!(
            fold_company_name("Meihua Shoes Co., Ltd.").unwrap().base,
            "meihuashoes"
        );
        assert_eq!(
            fold_company_name("MEIHUA SHOES LIMITED").unwrap().base,
            "meihuashoes"
        );
    }

    #[test]
    fn a_one_character_typo_shares_a_deletion_and_short_names_give_none() {
        let a = fold_company_name("广州某某鞋业有限公司").unwrap();
        let b = fold_company_name("广州某杲鞋业有限公司").unwrap();
        let va = a.typo_variants();
        assert!(b.typo_variants().iter().any(|v| va.contains(v)));
        assert!(deletions("某鞋").is_empty());
        assert_eq!(deletions("某某鞋业").len(), 3, "某某 gives one deletion");
    }

    #[test]
    fn a_name_that_is_only_divisions_and_a_form_is_kept_whole() {
        let f = fold_company_name("广州市有限公司").unwrap();
        assert!(f.divisions.is_empty());
        assert_eq!(f.base, "广州市有限公司");
        assert!(fold_company_name("（）").is_none());
    }
}
