//! Text to index terms, for recall before ranking.
//!
//! Chinese has no spaces, and a dictionary segmenter misses what its dictionary does not know
//! (brands, shop names, new words), so the index keeps **every pair of neighbouring characters**
//! (bigrams) with its position, and a query of two or more characters is the phrase of its own
//! bigrams: a document matches exactly when one of its folded fields contains the folded query
//! as a substring. Recall is therefore 1.00 against a substring scan by construction, whatever the
//! word, and precision too; ranking is BM25 over the bigrams, which favours documents where the
//! query is frequent and rare elsewhere.
//!
//! Folding makes the substring case- and width-insensitive and ignores spaces and punctuation:
//! `ＮＩＫＥ`, `Nike` and `nike` are one; `ZL202330123456.7`, `202330123456.7` and
//! `2023301234567` all find the patent; `16.1K7` and `16.1k7` find the booth; `138-1234-5678` and
//! `13812345678` the phone. Sentence marks are the exception ([`is_break`]): each run of them is
//! kept as one [`BREAK`] character, so no bigram pairs the last character of a sentence with the
//! first of the next (`发和` is not in `印发。和维护`), while a term that holds a mark itself
//! (`印发。和维护`) is found like any other.
//!
//! A document is several fields (the server gives each string of a complaint apart), each a
//! value of its own: the last character of every value makes a bigram with an end mark, so that
//! no term runs from one field into the next, and so that a one-character query can be answered
//! as "bigrams starting with it"; grams stop at the end of their value too.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Closes the last bigram of a text: never produced by folding.
pub const END: char = '\u{1}';

/// The name the bigram tokenizer is registered under.
pub const BIGRAM: &str = "kw_bigram";

/// What every run of sentence marks ([`is_break`]) folds to, so that `。`, `，` and `!` are
/// one: a term matches across a mark only when it holds one itself (`印发。和维护` does,
/// `发和` does not).
pub const BREAK: char = '。';

/// Whether `c`, between `prev` and `next`, ends a sentence or a clause, so that no term runs
/// across it: the Chinese marks 。！？；，、：… (and their half-width forms), a line break, and
/// the ASCII `. , ; : ! ?` (and the full-width `．`) unless they stand between two visible
/// ASCII characters, where they belong to a number, a name or a link (`16.1K7`,
/// `ZL202330123456.7`, `item.taobao.com`, `10:30`, `https://`, `Co.,Ltd`).
pub fn is_break(prev: Option<char>, c: char, next: Option<char>) -> bool {
    match c {
        '。' | '！' | '？' | '；' | '，' | '、' | '：' | '…' | '｡' | '､' | '\n' | '\r'
        | '\u{2028}' | '\u{2029}' => true,
        '.' | ',' | ';' | ':' | '!' | '?' | '．' => {
            let visible = |c: Option<char>| c.map(narrow).is_some_and(|c| c.is_ascii_graphic());
            !(visible(prev) && visible(next))
        }
        _ => false,
    }
}

/// A full-width form as its ASCII character (`Ｋ` as `K`), an ideographic space as a space.
fn narrow(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        c => c,
    }
}

/// A character as it is compared: full-width forms to ASCII, lower case; `None` for what is
/// ignored (spaces, punctuation, symbols).
pub fn fold(c: char) -> Option<char> {
    // the common cases first: ASCII and the CJK Unified Ideographs need no tables
    match c {
        'a'..='z' | '0'..='9' | '\u{4E00}'..='\u{9FFF}' => return Some(c),
        'A'..='Z' => return Some(c.to_ascii_lowercase()),
        _ if c.is_ascii() => return None,
        _ => {}
    }
    let c = narrow(c);
    if !c.is_alphanumeric() {
        return None;
    }
    Some(c.to_lowercase().next().unwrap_or(c))
}

/// The folded characters of `text` with the byte range each came from: each character folded
/// ([`fold`]), each run of sentence marks ([`is_break`]) one [`BREAK`] (none at either end),
/// the rest left out. What substring matching is defined on, field by field.
pub fn folded(text: &str) -> Vec<(char, usize, usize)> {
    let mut out = Vec::with_capacity(text.len() / 2);
    let mut prev = None;
    // the byte range of a run of marks not yet written
    let mut mark: Option<(usize, usize)> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let to = i + c.len_utf8();
        let next = chars.peek().map(|&(_, n)| n);
        let is_mark = is_break(prev, c, next);
        prev = Some(c);
        if is_mark {
            mark.get_or_insert((i, to));
            continue;
        }
        let Some(f) = fold(c) else { continue };
        if let Some((from, mark_to)) = mark.take()
            && !out.is_empty()
        {
            out.push((BREAK, from, mark_to));
        }
        out.push((f, i, to));
    }
    out
}

/// The folded text as a string: what substring matching is defined on.
pub fn folded_string(text: &str) -> String {
    folded(text).into_iter().map(|(c, _, _)| c).collect()
}

/// A query term as it is matched: folded (a sentence mark in it matches any sentence mark;
/// one at either end is dropped), and a patent number's `ZL`/`CN` prefix dropped
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
    let chars: Vec<char> = folded(term).into_iter().map(|(c, _, _)| c).collect();
    chars
        .windows(2)
        .map(|w| w.iter().collect::<String>())
        .collect()
}

/// Which of a term's `m` consecutive bigrams (at offsets `0..m`) a check reads: every other one
/// and the last, so that together they still cover every character of the term (bigram `i`
/// covers characters `i` and `i + 1`); the positions of half the bigrams are read per hit.
pub fn bigram_tile(m: usize) -> Vec<usize> {
    let mut tile: Vec<usize> = (0..m).step_by(2).collect();
    if m > 0 && tile.last() != Some(&(m - 1)) {
        tile.push(m - 1);
    }
    tile
}

/// Splits text into overlapping bigrams of folded characters.
#[derive(Clone, Default)]
pub struct BigramTokenizer;

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = BigramStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BigramStream {
        BigramStream {
            chars: folded(text),
            next: 0,
            current: Token::default(),
        }
    }
}

/// The bigrams of one text, built in one reused buffer.
pub struct BigramStream {
    chars: Vec<(char, usize, usize)>,
    next: usize,
    current: Token,
}

impl TokenStream for BigramStream {
    fn advance(&mut self) -> bool {
        let i = self.next;
        let Some(&(c, from, to)) = self.chars.get(i) else {
            return false;
        };
        self.next += 1;
        let (next, end) = match self.chars.get(i + 1) {
            Some(&(n, _, n_to)) => (n, n_to),
            None => (END, to),
        };
        let t = &mut self.current;
        t.text.clear();
        t.text.push(c);
        t.text.push(next);
        t.offset_from = from;
        t.offset_to = end;
        t.position = i;
        t.position_length = 1;
        true
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

/// The name the gram tokenizer is registered under.
pub const GRAMS: &str = "kw_grams";

/// The most characters a gram holds, sentence marks not counted.
pub const MAX_GRAM: usize = 6;

/// The most digits a gram holds: a run of digits (phones, registration and patent numbers)
/// would otherwise make almost every gram a new term of the dictionary, and four digits already
/// make a gram rare enough to find few documents.
pub const MAX_GRAM_DIGITS: usize = 4;

/// How many of `chars` the gram starting there takes: up to [`MAX_GRAM`] characters, ending at
/// the [`MAX_GRAM_DIGITS`]-th digit. A query term whose whole length is its gram length is found
/// exactly by the grams starting with it. A sentence mark ([`BREAK`]) inside is not counted, so
/// that a term holding one (`度近似。涉嫌侵`) is as cheap to find as one without.
pub fn gram_len(chars: impl IntoIterator<Item = char>) -> usize {
    let mut digits = 0;
    let mut counted = 0;
    let mut len = 0;
    for c in chars {
        if counted == MAX_GRAM {
            break;
        }
        len += 1;
        if c == BREAK {
            continue;
        }
        counted += 1;
        if c.is_ascii_digit() {
            digits += 1;
            if digits == MAX_GRAM_DIGITS {
                break;
            }
        }
    }
    len
}

/// At every position but a sentence mark's, the gram starting there ([`gram_len`]) as one term
/// (documents only, no positions; a gram stops at the end of its field): a document contains a query term that fits in a gram exactly when one of its
/// grams starts with it, so such a term is answered by one range of the term dictionary,
/// however common its bigrams are (`权利依据`, `L202`, `相同的标识`), instead of by a phrase
/// whose positions must be checked in every document that holds all its bigrams.
#[derive(Clone, Default)]
pub struct GramTokenizer;

impl Tokenizer for GramTokenizer {
    type TokenStream<'a> = GramStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> GramStream {
        GramStream {
            chars: folded(text),
            next: 0,
            current: Token::default(),
        }
    }
}

/// The grams of one text, built in one reused buffer.
pub struct GramStream {
    chars: Vec<(char, usize, usize)>,
    next: usize,
    current: Token,
}

impl TokenStream for GramStream {
    fn advance(&mut self) -> bool {
        // no gram starts with a sentence mark, as no query term does
        while self.chars.get(self.next).is_some_and(|g| g.0 == BREAK) {
            self.next += 1;
        }
        let i = self.next;
        if i >= self.chars.len() {
            return false;
        }
        self.next += 1;
        let gram = &self.chars[i..i + gram_len(self.chars[i..].iter().map(|g| g.0))];
        let t = &mut self.current;
        t.text.clear();
        t.text.extend(gram.iter().map(|g| g.0));
        t.offset_from = gram[0].1;
        t.offset_to = gram[gram.len() - 1].2;
        t.position = i;
        true
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

    #[test]
    fn a_bigram_tile_covers_every_character_of_the_term_with_about_half_the_bigrams() {
        assert_eq!(bigram_tile(0), Vec::<usize>::new());
        assert_eq!(bigram_tile(1), vec![0]);
        assert_eq!(bigram_tile(2), vec![0, 1]);
        assert_eq!(bigram_tile(5), vec![0, 2, 4]);
        assert_eq!(bigram_tile(6), vec![0, 2, 4, 5]);
        for m in 1..40 {
            let tile = bigram_tile(m);
            // bigram i covers characters i and i + 1 of the m + 1
            for c in 0..=m {
                assert!(
                    tile.iter().any(|&i| i == c || i + 1 == c),
                    "{m} bigrams: character {c} uncovered by {tile:?}"
                );
            }
            assert!(tile.len() <= m / 2 + 1, "{m}: {tile:?}");
            assert!(tile.windows(2).all(|w| w[0] < w[1]));
        }
    }

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
        let mut g = GramTokenizer;
        let mut s = g.token_stream("耐克 NIKE");
        let mut grams = Vec::new();
        while s.advance() {
            grams.push(s.token().text.clone());
        }
        assert_eq!(grams, ["耐克nike", "克nike", "nike", "ike", "ke", "e"]);
        assert_eq!(gram_len("第15858".chars()), 5, "four digits end a gram");
        assert_eq!(gram_len("专利zl202".chars()), 6);
        let mut s = g.token_stream("号13812345678");
        let mut grams = Vec::new();
        while s.advance() {
            grams.push(s.token().text.clone());
        }
        assert_eq!(
            &grams[..3],
            ["号1381", "1381", "3812"],
            "a run of digits makes grams of four digits"
        );
        assert!(terms("").is_empty());
    }

    #[test]
    fn a_run_of_sentence_marks_is_one_character_that_no_gram_starts_with() {
        let bigrams: Vec<(String, usize)> = terms("“印发！？”和，")
            .into_iter()
            .map(|(t, p, _)| (t, p))
            .collect();
        assert_eq!(
            bigrams,
            [
                ("印发".to_string(), 0),
                ("发。".into(), 1),
                ("。和".into(), 2),
                ("和\u{1}".into(), 3)
            ]
        );
        assert_eq!(folded_string("16.1K7，10:30。"), "161k7。1030");
        assert_eq!(query_term("。印发，和。"), "印发。和");
        assert_eq!(query_bigrams("发！和"), ["发。", "。和"]);
        let mut g = GramTokenizer;
        let mut s = g.token_stream("印发。和维");
        let mut grams = Vec::new();
        while s.advance() {
            grams.push(s.token().text.clone());
        }
        assert_eq!(grams, ["印发。和维", "发。和维", "和维", "维"]);
        assert_eq!(
            gram_len("度近似。涉嫌侵犯".chars()),
            7,
            "the mark is not counted"
        );
        assert_eq!(gram_len("近似涉嫌侵犯".chars()), 6);
    }
}
