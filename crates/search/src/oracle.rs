//! What search must answer, written as plainly as possible: a literal substring scan, field by
//! field. The tests and the benchmark hold the index to it (recall and precision 1.00).
//!
//! A document matches a query when each of its terms (separated by spaces) is a substring of
//! one of the document's fields, both folded the same way: case, width, spaces and other
//! punctuation ignored ([`fold`]), and each run of sentence marks ([`is_break`]) one
//! [`BREAK`]. So a term never runs from one field into the next, nor across a sentence mark
//! unless it holds one itself. This scan knows nothing of bigrams, grams or positions; it is
//! written apart from the tokenizer on purpose.

use crate::tokenize::{BREAK, fold, is_break};

/// `text` as terms are matched against it: folded, each run of sentence marks one [`BREAK`],
/// none at either end.
pub fn folded(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut mark = false;
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        if is_break(prev, c, chars.get(i + 1).copied()) {
            mark = true;
        } else if let Some(f) = fold(c) {
            if mark && !out.is_empty() {
                out.push(BREAK);
            }
            mark = false;
            out.push(f);
        }
    }
    out
}

/// The terms of a query as they are matched: folded, a patent number's `ZL`/`CN` prefix
/// dropped, empty ones left out.
pub fn terms(query: &str) -> Vec<String> {
    query
        .split_whitespace()
        .map(|raw| {
            let term = folded(raw);
            for prefix in ["zl", "cn"] {
                if let Some(rest) = term.strip_prefix(prefix)
                    && rest.chars().take(8).filter(char::is_ascii_digit).count() == 8
                {
                    return rest.to_string();
                }
            }
            term
        })
        .filter(|t| !t.is_empty())
        .collect()
}

/// Whether a document of these fields (each [`folded`]) holds every term (from [`terms`]).
pub fn holds(folded_fields: &[String], terms: &[String]) -> bool {
    terms
        .iter()
        .all(|t| folded_fields.iter().any(|f| f.contains(t.as_str())))
}

/// Whether a document of these fields matches `query`.
pub fn matches(fields: &[String], query: &str) -> bool {
    let fields: Vec<String> = fields.iter().map(|f| folded(f)).collect();
    holds(&fields, &terms(query))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentence_marks_separate_and_other_punctuation_does_not() {
        for (text, want) in [
            ("印发。和维护", "印发。和维护"),
            ("健全！？市", "健全。市"),
            ("他说：“好。”然后", "他说。好。然后"),
            ("，开头和结尾。", "开头和结尾"),
            ("Nike, Adidas", "nike。adidas"),
            ("NIKE，ADIDAS", "nike。adidas"),
            ("展位16.1K7", "展位161k7"),
            ("１６．１Ｋ７", "161k7"),
            ("ZL202330123456.7。", "zl2023301234567"),
            (
                "https://item.taobao.com/item.htm?id=7",
                "httpsitemtaobaocomitemhtmid7",
            ),
            ("138-1234-5678", "13812345678"),
            (
                "中国（深圳）国际文化产业博览交易会",
                "中国深圳国际文化产业博览交易会",
            ),
            ("第一行\n第二行", "第一行。第二行"),
            ("等等...下一句", "等等。下一句"),
            ("Co.,Ltd", "coltd"),
        ] {
            assert_eq!(folded(text), want, "{text}");
            assert_eq!(folded(want), want, "folding twice changes nothing: {want}");
        }
    }

    #[test]
    fn a_term_matches_inside_one_field_and_across_a_mark_only_with_a_mark() {
        let fields = vec![
            "深圳市某某贸易有限公司".to_string(),
            "印发。和维护".to_string(),
        ];
        assert!(matches(&fields, "有限公司"));
        assert!(!matches(&fields, "公司印发"), "across two fields");
        assert!(!matches(&fields, "发和"), "across a sentence mark");
        assert!(matches(&fields, "发。和"));
        assert!(matches(&fields, "发！和"), "any mark is a mark");
        assert!(
            matches(&fields, "印发。"),
            "a mark at the end of a term is dropped"
        );
        assert!(matches(&fields, "有限公司 和维护"), "terms in two fields");
        assert_eq!(
            terms("ZL202330123456.7 cn2023 。"),
            ["2023301234567", "cn2023"]
        );
    }
}
