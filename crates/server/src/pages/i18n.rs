//! The pages' two languages: one message catalogue per language (`i18n/zh-CN.toml`,
//! `i18n/en.toml`, compiled in), the choice of language per request, and times written as
//! people in Beijing write them.
//!
//! The language is, in order: `?lang=` in the address (which also sets the `kw_lang` cookie, so
//! the choice sticks), the `kw_lang` cookie, the first of zh/en in `Accept-Language`, else zh-CN.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use axum::http::{HeaderMap, header};
use jiff::Timestamp;

/// The cookie that remembers a reader's language.
pub const LANG_COOKIE: &str = "kw_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// The `lang` attribute and the `?lang=` value.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s == "zh" || s.starts_with("zh-") || s.starts_with("zh_") {
            Some(Lang::Zh)
        } else if s == "en" || s.starts_with("en-") || s.starts_with("en_") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language of a request, and whether it came from `?lang=` (then the cookie is set).
    pub fn choose(query: Option<&str>, headers: &HeaderMap) -> (Lang, bool) {
        if let Some(l) = query_lang(query) {
            return (l, true);
        }
        let cookie = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(k, _)| *k == LANG_COOKIE)
            .and_then(|(_, v)| Lang::parse(v));
        if let Some(l) = cookie {
            return (l, false);
        }
        // the first zh or en in the header's order; quality values are rarely other than
        // descending, and a reader who wants the other language has the switch on every page
        let accepted = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .split(',')
            .filter_map(|item| Lang::parse(item.split(';').next().unwrap_or("")))
            .next();
        (accepted.unwrap_or(Lang::Zh), false)
    }

    /// The message under `key`. A key missing from the catalogue shows as itself (the tests
    /// check that every key the templates use exists in both).
    pub fn t(self, key: &str) -> &'static str {
        let catalogue = match self {
            Lang::Zh => &*ZH,
            Lang::En => &*EN,
        };
        match catalogue.get(key) {
            Some(v) => v.as_str(),
            None => {
                tracing::warn!(key, lang = self.tag(), "message missing from the catalogue");
                // leaked once per miss: never happens for the keys the tests check
                Box::leak(key.to_string().into_boxed_str())
            }
        }
    }

    /// The message under `key`, if the catalogue has one (for labels looked up by data, such as
    /// a complaint's field paths, where a missing one falls back to the data itself).
    pub fn get(self, key: &str) -> Option<&'static str> {
        let catalogue = match self {
            Lang::Zh => &*ZH,
            Lang::En => &*EN,
        };
        catalogue.get(key).map(String::as_str)
    }

    /// A due instant as the law writes it: a period that ends at midnight ends at 24:00 of
    /// its last day (民法典 Art. 203), not at 00:00 of the next: `2026年12月28日 24:00`.
    pub fn due(self, at: Timestamp) -> String {
        let (shown, midnight) = due_parts(at);
        let text = self.time(shown);
        if midnight {
            text.replace("23:59", "24:00")
        } else {
            text
        }
    }

    /// [`Lang::due`] for a table, as [`Lang::short_time`] writes it.
    pub fn short_due(self, at: Timestamp, now: Timestamp) -> String {
        let (shown, midnight) = due_parts(at);
        let text = self.short_time(shown, now);
        if midnight {
            text.replace("23:59", "24:00")
        } else {
            text
        }
    }

    /// An instant in Beijing time for a table: `12-07 03:03` in the current year (of `now`),
    /// `2025-12-07 03:03` otherwise; the same in both languages.
    pub fn short_time(self, at: Timestamp, now: Timestamp) -> String {
        let tz = kuaiwei_deadlines::shanghai();
        let z = at.to_zoned(tz.clone());
        if z.year() == now.to_zoned(tz).year() {
            format!(
                "{:02}-{:02} {:02}:{:02}",
                z.month(),
                z.day(),
                z.hour(),
                z.minute()
            )
        } else {
            format!(
                "{}-{:02}-{:02} {:02}:{:02}",
                z.year(),
                z.month(),
                z.day(),
                z.hour(),
                z.minute()
            )
        }
    }

    /// The message under `key` with `{name}` placeholders filled in.
    pub fn tf(self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.t(key).to_string();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }

    /// A file size as people read it: `820 KB`, `4.2 MB` (the same in both languages).
    pub fn size(self, bytes: u64) -> String {
        match bytes {
            b if b < 1024 => format!("{b} B"),
            b if b < 1024 * 1024 => format!("{} KB", b.div_ceil(1024)),
            b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
        }
    }

    /// An instant in Beijing time as people write it: `2026年12月7日 03:03` or
    /// `7 Dec 2026 03:03 (Beijing time)`.
    pub fn time(self, at: Timestamp) -> String {
        let z = at.to_zoned(kuaiwei_deadlines::shanghai());
        match self {
            Lang::Zh => format!(
                "{}年{}月{}日 {:02}:{:02}",
                z.year(),
                z.month(),
                z.day(),
                z.hour(),
                z.minute()
            ),
            Lang::En => format!(
                "{} {} {} {:02}:{:02} (Beijing time)",
                z.day(),
                MONTHS[z.month() as usize - 1],
                z.year(),
                z.hour(),
                z.minute()
            ),
        }
    }
}

/// A due instant at Beijing midnight is shown a minute earlier (23:59 of the last day, then
/// written 24:00); `true` when it was.
fn due_parts(at: Timestamp) -> (Timestamp, bool) {
    let z = at.to_zoned(kuaiwei_deadlines::shanghai());
    let midnight = z.hour() == 0 && z.minute() == 0 && z.second() == 0;
    if midnight {
        (at - jiff::SignedDuration::from_mins(1), true)
    } else {
        (at, false)
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn query_lang(query: Option<&str>) -> Option<Lang> {
    query?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "lang")
        .and_then(|(_, v)| Lang::parse(v))
}

static ZH: LazyLock<BTreeMap<String, String>> =
    LazyLock::new(|| load(include_str!("../../i18n/zh-CN.toml")));
static EN: LazyLock<BTreeMap<String, String>> =
    LazyLock::new(|| load(include_str!("../../i18n/en.toml")));

/// A catalogue's tables flattened into dotted keys (`[file] title = …` is `file.title`). The
/// files are compiled in and checked by the tests, so a broken one is a build that fails its
/// tests, never a surprise in production: it panics at first use.
fn load(text: &str) -> BTreeMap<String, String> {
    let table: toml::Table = toml::from_str(text).expect("a message catalogue is valid TOML");
    let mut out = BTreeMap::new();
    flatten("", &table, &mut out);
    out
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut BTreeMap<String, String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            toml::Value::Table(t) => flatten(&key, t, out),
            other => panic!("message {key} is not a string: {other:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogues_have_exactly_the_same_keys() {
        let zh: Vec<_> = ZH.keys().collect();
        let en: Vec<_> = EN.keys().collect();
        let only_zh: Vec<_> = zh.iter().filter(|k| !EN.contains_key(**k)).collect();
        let only_en: Vec<_> = en.iter().filter(|k| !ZH.contains_key(**k)).collect();
        assert!(
            only_zh.is_empty() && only_en.is_empty(),
            "only in zh-CN: {only_zh:?}; only in en: {only_en:?}"
        );
        assert!(
            zh.len() > 50,
            "the catalogues look truncated: {} keys",
            zh.len()
        );
    }

    #[test]
    fn every_message_is_written_and_placeholders_agree() {
        for (k, zh) in ZH.iter() {
            let en = &EN[k];
            assert!(
                !zh.trim().is_empty() && !en.trim().is_empty(),
                "{k} is empty"
            );
            let holes = |s: &str| {
                let mut v: Vec<String> = s
                    .split('{')
                    .skip(1)
                    .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_string()))
                    .collect();
                v.sort();
                v
            };
            assert_eq!(holes(zh), holes(en), "{k}: placeholders differ");
        }
    }

    /// Every `t("…")` and `tf("…"` in the templates and page modules names a key that exists.
    #[test]
    fn every_key_the_pages_use_is_in_the_catalogue() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut sources: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        let pages = concat!(env!("CARGO_MANIFEST_DIR"), "/src/pages");
        sources.extend(
            std::fs::read_dir(pages)
                .unwrap()
                .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()),
        );
        let mut used = 0;
        for src in &sources {
            for marker in [".t(\"", ".tf(\""] {
                for piece in src.split(marker).skip(1) {
                    let key = piece.split('"').next().unwrap();
                    if key.is_empty() || key.contains(' ') || key.contains('{') {
                        continue;
                    }
                    used += 1;
                    assert!(ZH.contains_key(key), "key {key:?} is not in the catalogue");
                }
            }
        }
        assert!(used > 50, "found only {used} message keys in use");
    }

    #[test]
    fn the_language_comes_from_the_query_then_the_cookie_then_accept_language() {
        let mut h = HeaderMap::new();
        assert_eq!(Lang::choose(None, &h), (Lang::Zh, false));
        h.insert(
            header::ACCEPT_LANGUAGE,
            "en-GB,en;q=0.9,zh;q=0.5".parse().unwrap(),
        );
        assert_eq!(Lang::choose(None, &h), (Lang::En, false));
        h.insert(header::COOKIE, "a=b; kw_lang=zh-CN".parse().unwrap());
        assert_eq!(Lang::choose(None, &h), (Lang::Zh, false));
        assert_eq!(Lang::choose(Some("x=1&lang=en"), &h), (Lang::En, true));
        assert_eq!(Lang::choose(Some("lang=fr"), &h), (Lang::Zh, false));
    }

    #[test]
    fn a_due_date_at_midnight_is_written_at_24_00_of_its_last_day() {
        let at: Timestamp = "2026-12-28T16:00:00Z".parse().unwrap();
        assert_eq!(Lang::Zh.due(at), "2026年12月28日 24:00");
        assert_eq!(Lang::En.due(at), "28 Dec 2026 24:00 (Beijing time)");
        let now: Timestamp = "2026-12-07T02:00:00Z".parse().unwrap();
        assert_eq!(Lang::Zh.short_due(at, now), "12-28 24:00");
        let hourly: Timestamp = "2026-12-08T02:47:00Z".parse().unwrap();
        assert_eq!(Lang::Zh.due(hourly), "2026年12月8日 10:47");
    }

    #[test]
    fn times_are_written_in_beijing_time() {
        let at: Timestamp = "2026-12-06T19:03:00Z".parse().unwrap();
        assert_eq!(Lang::Zh.time(at), "2026年12月7日 03:03");
        assert_eq!(Lang::En.time(at), "7 Dec 2026 03:03 (Beijing time)");
    }
}
