//! Text to index terms, for recall before ranking.
//!
//! Chinese has no spaces, and a dictionary segmenter misses what its dictionary does not know
//! (brands, shop names, new words), so the index keeps **every pair of neighbouring characters**
//! (bigrams) with its position, and a query of two or more characters is the phrase of its own
//! bigrams: a document matches exactly when its folded text contains the folded query as a
//! substring. Recall is therefore 1.00 against a substring scan by construction, whatever the
//! word, and precision too; ranking is BM25 over the bigrams, which favours documents where the
//! query is frequent and rare elsewhere.
//!
//! Folding makes the substring case- and width-insensitive and ignores punctuation and spaces:
//! `ＮＩＫＥ`, `Nike` and `nike` are one; `ZL202330123456.7`, `202330123456.7` and
//! `2023301234567` all find the patent; `16.1K7` and `16.1k7` find the booth; `138-1234-5678` and
//! `13812345678` the phone. The last character of a text also makes a bigram with an end mark,
//! so that a one-character query can be answered as "bigrams starting with it".

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Closes the last bigram of a text: never produced by folding.
pub const END: char = '\u{1}';

/// The name the bigram tokenizer is registered under.
pub const BIGRAM: &str = "kw_bigram";

/// A character as it is compared: full-width forms to ASCII, lower case; `None` for what is
/// ignored (spaces, punctuation, symbols).
pub fn fold(c: char) -> Option<char> {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        c => c,
    };
    if !c.is_alphanumeric() {
        return None;
    }
    Some(c.to_lowercase().next().unwrap_or(c))
}

/// The folded characters of `text` with the byte range each came from.
pub fn folded(text: &str) -> Vec<(char, usize, usize)> {
    text.char_indices()
        .filter_map(|(i, c)| fold(c).map(|f| (f, i, i + c.len_utf8())))
        .collect()
}

/// The folded text as a string: what substring matching is defined on.
pub fn folded_string(text: &str) -> String {
    text.chars().filter_map(fold).collect()
}

/// A query term as it is matched: folded, and a patent number's `ZL`/`CN` prefix dropped
/// (`CN202330123456.7` and `ZL202330123456.7` are one patent; the digits find it either way).
pub fn query_term(raw: &str) -> String {
    let folded = folded_string(raw);
    for prefix in ["zl", "cn"] {
        if let Some(rest) = folded.strip_prefix(prefix)
            && rest.len() >= 8
            && rest.bytes().take(8).all(|b| b.is_ascii_digit())
        {
            return rest.to_string();
        }
    }
    folded
}

/// The bigram terms of a query term, in order (empty for a term with nothing to search).
pub fn query_bigrams(term: &str) -> Vec<String> {
    let chars: Vec<char> = term.chars().filter_map(fold).collect();
    chars
        .windows(2)
        .map(|w| w.iter().collect::<String>())
        .collect()
}

/// Splits text into overlapping bigrams of folded characters.
#[derive(Clone, Default)]
pub struct BigramTokenizer;

pub struct BigramStream {
    tokens: std::vec::IntoIter<Token>,
    current: Token,
}

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = BigramStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BigramStream {
        let chars = folded(text);
        let mut tokens = Vec::with_capacity(chars.len());
        for (i, &(c, from, to)) in chars.iter().enumerate() {
            let (next, end) = match chars.get(i + 1) {
                Some(&(n, _, n_to)) => (n, n_to),
                None => (END, to),
            };
            let mut text = String::with_capacity(8);
            text.push(c);
            text.push(next);
            tokens.push(Token {
                offset_from: from,
                offset_to: end,
                position: i,
                text,
                position_length: 1,
            });
        }
        BigramStream {
            tokens: tokens.into_iter(),
            current: Token::default(),
        }
    }
}

impl TokenStream for BigramStream {
    fn advance(&mut self) -> bool {
        match self.tokens.next() {
            Some(t) => {
                self.current = t;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<(String, usize, &str)> {
        let mut t = BigramTokenizer;
        let mut s = t.token_stream(text);
        let mut out = Vec::new();
        while s.advance() {
            let tok = s.token();
            out.push((
                tok.text.clone(),
                tok.position,
                &text[tok.offset_from..tok.offset_to],
            ));
        }
        out
    }

    #[test]
    fn chinese_latin_and_numbers_fold_into_one_stream_of_bigrams() {
        assert_eq!(
            terms("耐克 NIKE"),
            vec![
                ("耐克".to_string(), 0, "耐克"),
                ("克n".into(), 1, "克 N"),
                ("ni".into(), 2, "NI"),
                ("ik".into(), 3, "IK"),
                ("ke".into(), 4, "KE"),
                ("e\u{1}".into(), 5, "E"),
            ]
        );
        assert_eq!(
            folded_string("ＺＬ２０２３.7 展位16.1K7！"),
            "zl20237展位161k7"
        );
        assert_eq!(query_bigrams("16.1K7"), vec!["16", "61", "1k", "k7"]);
        assert_eq!(query_term("CN202330123456.7"), "2023301234567");
        assert_eq!(query_term("zl 2023 3012 3456.7"), "2023301234567");
        assert_eq!(
            query_term("cn2023"),
            "cn2023",
            "too short to be a patent number"
        );
        assert_eq!(query_term("CNC机床"), "cnc机床");
        assert!(query_bigrams("。").is_empty());
        assert!(terms("").is_empty());
    }
}
