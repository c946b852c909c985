//! The index against a substring scan of the same documents, field by field
//! (`kuaiwei_search::oracle`): recall and precision of every 2-4 character piece of sampled
//! documents, of the 200 benchmark queries and of terms cut across fields and sentence marks,
//! and of any query over random documents of several fields full of punctuation (proptest);
//! filters, facets, synonyms, snippets, odd input, resume from the committed position, and the
//! rebuild on a schema change.

use std::collections::BTreeSet;

use jiff::Timestamp;
use kuaiwei_search::{
    Document, Filter, Request, SearchIndex, Sort, Synonyms, corpus, folded_string,
};

const SEED: u64 = 2026;

fn doc(i: u64) -> Document {
    let g = corpus::complaint(SEED, i);
    let received: Timestamp = "2026-01-01T02:00:00Z".parse().unwrap();
    let received = received + jiff::SignedDuration::from_hours(24 * i64::from(g.day));
    Document {
        case_number: format!("KW-2026-{:06}", i + 1),
        fields: g.fields,
        shown: String::new(),
        received_at: received,
        next_due_at: Some(received + jiff::SignedDuration::from_hours(24 * 30)),
        open: !i.is_multiple_of(4),
        channel: g.channel.into(),
        right_types: vec![g.right_type.into()],
        agency: match i % 3 {
            0 => None,
            1 => Some("ip_office".into()),
            _ => Some("market_regulation".into()),
        },
        state: if i.is_multiple_of(4) {
            "closed"
        } else {
            "opened"
        }
        .into(),
        fair: g.fair,
    }
}

fn indexed(n: u64) -> (SearchIndex, Vec<Document>) {
    let index = SearchIndex::in_memory(Synonyms::default(), 1).unwrap();
    let docs: Vec<Document> = (0..n).map(doc).collect();
    index.upsert(&docs).unwrap();
    index.commit(n as i64).unwrap();
    (index, docs)
}

/// An index of these texts as cases 1, 2, … (the rest of each document as `doc` makes it).
fn indexed_texts(texts: &[&str], synonyms: Synonyms) -> SearchIndex {
    let fields: Vec<Vec<String>> = texts.iter().map(|t| vec![t.to_string()]).collect();
    indexed_fields(&fields, synonyms)
}

/// An index of documents of these fields as cases 1, 2, ….
fn indexed_fields(fields: &[Vec<String>], synonyms: Synonyms) -> SearchIndex {
    let index = SearchIndex::in_memory(synonyms, 1).unwrap();
    let docs: Vec<Document> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| Document {
            fields: f.clone(),
            ..doc(i as u64)
        })
        .collect();
    index.upsert(&docs).unwrap();
    index.commit(docs.len() as i64).unwrap();
    index
}

fn found(index: &SearchIndex, text: &str, filters: Vec<Filter>) -> BTreeSet<String> {
    let mut all = BTreeSet::new();
    let mut offset = 0;
    loop {
        let r = index
            .search(&Request {
                text: text.into(),
                filters: filters.clone(),
                sort: Sort::Relevance,
                limit: 200,
                offset,
            })
            .unwrap();
        let n = r.hits.len();
        all.extend(r.hits.into_iter().map(|h| h.case_number));
        offset += n;
        if n == 0 || offset >= r.total {
            assert_eq!(all.len(), r.total, "{text}: pages add up to the total");
            return all;
        }
    }
}

/// The oracle: documents with every query term (folded, a patent number without its ZL/CN
/// prefix) in one of their folded fields.
fn oracle(docs: &[Document], text: &str) -> BTreeSet<String> {
    docs.iter()
        .filter(|d| kuaiwei_search::oracle::matches(&d.fields, text))
        .map(|d| d.case_number.clone())
        .collect()
}

#[test]
fn every_two_to_four_character_piece_of_a_document_finds_exactly_the_documents_containing_it() {
    let (index, docs) = indexed(400);
    let mut checked = 0;
    for d in docs.iter().step_by(37) {
        for field in &d.fields {
            let chars: Vec<char> = folded_string(field).chars().collect();
            for len in 2..=4.min(chars.len()) {
                for at in (0..=chars.len() - len).step_by(3) {
                    let piece: String = chars[at..at + len].iter().collect();
                    let hits = found(&index, &piece, vec![]);
                    assert!(
                        hits.contains(&d.case_number),
                        "{piece} misses {}",
                        d.case_number
                    );
                    assert_eq!(hits, oracle(&docs, &piece), "{piece}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 500, "{checked} pieces");
}

#[test]
fn the_benchmark_queries_have_recall_and_precision_one() {
    let (index, docs) = indexed(500);
    let queries = corpus::queries(SEED, 500, 200);
    let mut nonempty = 0;
    for q in &queries {
        let want = oracle(&docs, q);
        nonempty += usize::from(!want.is_empty());
        assert_eq!(found(&index, q, vec![]), want, "{q}");
    }
    assert!(nonempty >= 100, "most queries find something: {nonempty}");
    // the same with every segment cut into ranges searched in parallel (as a large one is)
    index.set_split_at(1);
    for q in &queries {
        assert_eq!(found(&index, q, vec![]), oracle(&docs, q), "{q} (ranges)");
        let whole = index
            .search(&Request {
                text: q.clone(),
                limit: 5,
                ..Request::default()
            })
            .unwrap();
        assert_eq!(
            whole.facets["channel"].values().sum::<u64>() as usize,
            whole.total,
            "{q}: one channel per complaint, counted once across ranges"
        );
    }
}

#[test]
fn case_width_and_punctuation_do_not_matter_and_identifiers_are_found_in_every_spelling() {
    let index = SearchIndex::in_memory(Synonyms::default(), 1).unwrap();
    let mut d = doc(0);
    d.fields = vec![
        "展位16.1K7展出NIKE运动鞋，专利ZL202330123456.7，电话138-1234-5678，\
         信用代码91440300MA5FXXXX1X，链接https://item.taobao.com/item.htm?id=700000000001"
            .into(),
    ];
    index.upsert(&[d]).unwrap();
    index.commit(1).unwrap();
    for q in [
        "16.1K7",
        "16.1k7",
        "１６．１Ｋ７",
        "nike",
        "Nike",
        "ＮＩＫＥ",
        "ZL202330123456.7",
        "202330123456.7",
        "2023301234567",
        "CN202330123456.7",
        "cn2023",
        "13812345678",
        "138 1234",
        "91440300MA5FXXXX1X",
        "item.taobao.com",
        "700000000001",
        "运",
        "k",
    ] {
        let n = found(&index, q, vec![]).len();
        let expected = usize::from(!q.starts_with("cn"));
        assert_eq!(n, expected, "{q}");
    }
}

#[test]
fn filters_narrow_and_facets_count_every_hit() {
    let (index, docs) = indexed(300);
    let all = found(&index, "", vec![]);
    assert_eq!(all.len(), 300);
    let ip = found(&index, "", vec![Filter::Agency("ip_office".into())]);
    assert_eq!(
        ip.len(),
        docs.iter()
            .filter(|d| d.agency.as_deref() == Some("ip_office"))
            .count()
    );
    let unrouted = found(&index, "", vec![Filter::Unrouted]);
    assert_eq!(unrouted.len(), 100);
    let q = "运动鞋";
    let r = index
        .search(&Request {
            text: q.into(),
            filters: vec![Filter::Channel("fair".into())],
            limit: 5,
            ..Request::default()
        })
        .unwrap();
    let want: BTreeSet<String> = oracle(&docs, q)
        .into_iter()
        .filter(|n| {
            docs.iter()
                .any(|d| &d.case_number == n && d.channel == "fair")
        })
        .collect();
    assert_eq!(r.total, want.len());
    assert_eq!(
        r.facets["channel"].get("fair").copied(),
        Some(want.len() as u64)
    );
    assert_eq!(r.facets["channel"].get("ecommerce"), None);
    let by_agency: u64 = r.facets["agency"].values().sum();
    assert_eq!(
        by_agency,
        want.len() as u64,
        "every hit has one agency value"
    );
    assert!(
        r.hits.iter().all(|h| h.snippet.contains("<b>")),
        "{:?}",
        r.hits
    );

    // overdue at an instant: open, with a due date before it
    let at: Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
    let overdue = found(&index, "", vec![Filter::OverdueAt(at)]);
    let want: BTreeSet<String> = docs
        .iter()
        .filter(|d| d.open && d.next_due_at.is_some_and(|t| t < at))
        .map(|d| d.case_number.clone())
        .collect();
    assert_eq!(overdue, want);
    // a date range, and the newest first
    let from: Timestamp = "2026-03-01T00:00:00Z".parse().unwrap();
    let before: Timestamp = "2026-04-01T00:00:00Z".parse().unwrap();
    let march = found(
        &index,
        "",
        vec![Filter::ReceivedFrom(from), Filter::ReceivedBefore(before)],
    );
    let want: BTreeSet<String> = docs
        .iter()
        .filter(|d| d.received_at >= from && d.received_at < before)
        .map(|d| d.case_number.clone())
        .collect();
    assert_eq!(march, want);
    // the page is the newest of all hits, whether hits are dense (walked newest first) or
    // sparse (each hit ranked), and for a term whose hits all score alike under relevance too
    // a registration number: one or two hits, too few to walk every document for
    let body = docs[5].fields.join(" ");
    let mark = body
        .split("商标注册证第")
        .nth(1)
        .and_then(|t| t.split('号').next())
        .unwrap();
    for (text, sort, split) in [
        ("", Sort::Received, 100_000),
        ("权利依据", Sort::Relevance, 100_000),
        ("权利依据", Sort::Received, 100_000),
        ("乐高 积木", Sort::Received, 100_000),
        ("展位1", Sort::Received, 100_000),
        (mark, Sort::Relevance, 100_000),
        (&mark[..4], Sort::Received, 100_000),
        ("", Sort::Received, 1),
        ("权利依据", Sort::Relevance, 1),
        ("权利依据", Sort::Received, 1),
        ("乐高 积木", Sort::Received, 1),
        ("展位1", Sort::Received, 1),
        (mark, Sort::Relevance, 1),
        (&mark[..4], Sort::Received, 1),
    ] {
        // also with every segment cut into ranges searched in parallel
        index.set_split_at(split);
        let page = index
            .search(&Request {
                text: text.into(),
                sort,
                limit: 10,
                ..Request::default()
            })
            .unwrap();
        let got: Vec<Timestamp> = page
            .hits
            .iter()
            .map(|h| {
                docs.iter()
                    .find(|d| d.case_number == h.case_number)
                    .unwrap()
                    .received_at
            })
            .collect();
        let mut want: Vec<Timestamp> = docs
            .iter()
            .filter(|d| oracle(&docs, text).contains(&d.case_number))
            .map(|d| d.received_at)
            .collect();
        want.sort_unstable_by(|a, b| b.cmp(a));
        want.truncate(10);
        assert_eq!(got, want, "{text} {sort:?} split at {split}");
    }
}

#[test]
fn a_brand_finds_its_variants_through_the_synonyms() {
    let synonyms = Synonyms::parse("# brands\n耐克, NIKE, 耐吉\n乐高，LEGO\n").unwrap();
    let index = indexed_texts(
        &["耐克运动鞋", "NIKE Air", "耐吉球鞋", "阿迪达斯"],
        synonyms,
    );
    assert_eq!(found(&index, "nike", vec![]).len(), 3);
    assert_eq!(found(&index, "耐克 鞋", vec![]).len(), 2);
    assert!(Synonyms::parse("耐克\n").unwrap_err().contains("line 1"));
}

#[test]
fn odd_input_is_answered_never_refused() {
    let (index, _) = indexed(50);
    for q in [
        "\"",
        "(耐克",
        "AND OR NOT",
        "a:b",
        "*",
        "\\",
        "。，！",
        "?",
        "[1 TO 2]",
        "\u{1}",
        "",
    ] {
        index
            .search(&Request {
                text: q.into(),
                limit: 10,
                ..Request::default()
            })
            .unwrap_or_else(|e| panic!("{q:?}: {e}"));
    }
}

#[test]
fn the_index_resumes_from_its_last_commit_keeps_one_document_per_case_and_rebuilds_on_a_new_schema()
{
    let dir = std::env::temp_dir().join(format!("kuaiwei-search-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    {
        let index = SearchIndex::open(&dir, Synonyms::default(), 1).unwrap();
        assert_eq!(index.last_seq().unwrap(), 0);
        index.upsert(&[doc(0), doc(1)]).unwrap();
        index.commit(7).unwrap();
        // upserted but never committed: as after a crash, not there
        index.upsert(&[doc(2)]).unwrap();
    }
    {
        let index = SearchIndex::open(&dir, Synonyms::default(), 1).unwrap();
        assert_eq!(index.last_seq().unwrap(), 7);
        assert_eq!(index.len(), 2);
        // the same change applied again (a replay after a crash) leaves one document
        let mut again = doc(1);
        again.state = "closed".into();
        index.upsert(&[again, doc(2)]).unwrap();
        index.commit(9).unwrap();
        assert_eq!(index.len(), 3);
        assert_eq!(
            found(&index, "", vec![Filter::State("closed".into())]).len(),
            2
        );
        // the replaced document is counted nowhere: not in the total, not in a facet
        let r = index
            .search(&Request {
                limit: 10,
                ..Request::default()
            })
            .unwrap();
        assert_eq!((r.total, r.hits.len()), (3, 3));
        assert_eq!(r.facets["state"].values().sum::<u64>(), 3);
        index.settle().unwrap();
        assert_eq!(found(&index, "", vec![]).len(), 3, "settled, then searched");
        index.upsert(&[doc(3)]).unwrap();
        index.commit(10).unwrap();
        assert_eq!(index.len(), 4, "the writer after settle() still writes");
    }
    std::fs::write(dir.join("kuaiwei-schema-version"), "0").unwrap();
    let index = SearchIndex::open(&dir, Synonyms::default(), 1).unwrap();
    assert_eq!(
        (index.last_seq().unwrap(), index.len()),
        (0, 0),
        "rebuilt from nothing"
    );
    drop(index);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn snippets_are_cut_from_the_masked_text() {
    let index = SearchIndex::in_memory(Synonyms::default(), 1).unwrap();
    let d = Document {
        fields: vec!["展位16.1K7的运动鞋，联系电话13812345678".into()],
        shown: "展位16.1K7的运动鞋，联系电话138****5678".into(),
        ..doc(0)
    };
    index.upsert(&[d]).unwrap();
    index.commit(1).unwrap();
    let r = index
        .search(&Request {
            text: "13812345678".into(),
            limit: 5,
            ..Request::default()
        })
        .unwrap();
    assert_eq!(r.total, 1, "the full number is searchable");
    assert!(
        !r.hits[0].snippet.contains("12345678"),
        "{}",
        r.hits[0].snippet
    );
    assert!(r.hits[0].snippet.contains("****"), "{}", r.hits[0].snippet);
    let r = index
        .search(&Request {
            text: "运动鞋".into(),
            limit: 5,
            ..Request::default()
        })
        .unwrap();
    assert!(r.hits[0].snippet.contains("<b>"), "{}", r.hits[0].snippet);
}

#[test]
fn the_checked_in_synonyms_load() {
    let text = include_str!("../../../search-index/synonyms.txt");
    let synonyms = Synonyms::parse(text).unwrap();
    let index = SearchIndex::in_memory(synonyms, 1).unwrap();
    let d = Document {
        fields: vec!["新百伦跑鞋".into()],
        ..doc(0)
    };
    index.upsert(&[d]).unwrap();
    index.commit(1).unwrap();
    assert_eq!(found(&index, "New Balance", vec![]).len(), 1, "one term");
    assert_eq!(found(&index, "NB", vec![]).len(), 1);
}

#[test]
fn matching_lists_every_hit_like_the_pages_do() {
    let (index, docs) = indexed(200);
    for q in ["运动鞋", "耐克", "展位", "1"] {
        let mut all: Vec<String> = index.matching(q, &[]).unwrap();
        all.sort();
        let want: Vec<String> = oracle(&docs, q).into_iter().collect();
        assert_eq!(all, want, "{q}");
    }
}

#[test]
fn a_term_longer_than_a_gram_is_checked_by_positions_not_by_its_grams_alone() {
    let texts = [
        // holds 第15858
        "商标注册证第15858号",
        // holds the gram 第1585 and every bigram of 第15858, but not the term
        "商标注册证第15851号，另见58585",
        // holds the start and the end of the phone but not the phone
        "电话1381234，另一号码12345678",
        "电话13812345678",
    ];
    let index = indexed_texts(&texts, Synonyms::default());
    for (q, want) in [
        ("第15858", vec!["KW-2026-000001"]),
        ("13812345678", vec!["KW-2026-000004"]),
        ("1381234 5678", vec!["KW-2026-000003", "KW-2026-000004"]),
        // a term inside another adds nothing, and a repeated one is kept once
        (
            "注册证 注册证第1585 注册证第1585",
            vec!["KW-2026-000001", "KW-2026-000002"],
        ),
    ] {
        let got: Vec<String> = found(&index, q, vec![]).into_iter().collect();
        assert_eq!(got, want, "{q}");
        let mut matching = index.matching(q, &[]).unwrap();
        matching.sort();
        assert_eq!(matching, want, "{q} (matching)");
    }
}

#[test]
fn a_term_never_matches_across_a_sentence_mark_unless_it_holds_one() {
    // the two wrong answers of issue #22, and a mark in the query itself
    let texts = [
        "关于印发。和维护市场秩序的通知",
        "制度健全。市场监管部门",
        "印发和维护",
        "全市范围内",
        "印发！和维护",
        "Nike, Adidas",
    ];
    let index = indexed_texts(&texts, Synonyms::default());
    let n = |i: usize| format!("KW-2026-{i:06}");
    for (q, want) in [
        ("发和", vec![n(3)]),
        ("全市", vec![n(4)]),
        ("印发和维", vec![n(3)]),
        // a term that holds a mark finds any mark there, and only a mark
        ("印发。和维护", vec![n(1), n(5)]),
        ("发，和", vec![n(1), n(5)]),
        ("健全。市", vec![n(2)]),
        ("关于印发。和维护市场秩序", vec![n(1)]),
        // a mark at either end of a term is dropped
        ("。全市", vec![n(4)]),
        ("健全。", vec![n(2)]),
        ("keadi", vec![]),
        ("Nike，Adidas", vec![n(6)]),
        // an ASCII comma between two letters belongs to the term (as in `Co.,Ltd`)
        ("nike,adidas", vec![]),
        ("NIKE。ADIDAS", vec![n(6)]),
    ] {
        let docs: Vec<Document> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| Document {
                fields: vec![t.to_string()],
                ..doc(i as u64)
            })
            .collect();
        let want: BTreeSet<String> = want.into_iter().collect();
        assert_eq!(oracle(&docs, q), want, "{q}: the oracle");
        assert_eq!(found(&index, q, vec![]), want, "{q}");
        let mut matching = index.matching(q, &[]).unwrap();
        matching.sort();
        assert_eq!(matching, want.into_iter().collect::<Vec<_>>(), "{q}");
    }
}

#[test]
fn a_term_never_runs_from_one_field_into_the_next() {
    // the respondent's name and the description, as the server gives them: two fields
    let fields = vec![
        vec![
            "深圳市某某贸易有限公司".to_string(),
            "公司印发的宣传册使用了耐".to_string(),
            "克商标".to_string(),
        ],
        vec!["某某贸易有限公司印发".to_string()],
    ];
    let synonyms = Synonyms::parse("耐克, NIKE").unwrap();
    let index = indexed_fields(&fields, synonyms);
    let one = "KW-2026-000001".to_string();
    let two = "KW-2026-000002".to_string();
    for (q, want) in [
        ("有限公司印发", vec![two.clone()]),
        ("公司印发", vec![one.clone(), two.clone()]),
        ("司公", vec![]),
        ("有限公司 宣传册", vec![one.clone()]),
        ("耐克", vec![]),
        ("NIKE", vec![]),
        ("耐 克商标", vec![one.clone()]),
        ("贸易有限公司印", vec![two.clone()]),
    ] {
        let want: BTreeSet<String> = want.into_iter().collect();
        assert_eq!(found(&index, q, vec![]), want, "{q}");
    }
}

#[test]
fn terms_cut_across_fields_and_sentence_marks_find_what_the_oracle_finds() {
    let (index, docs) = indexed(500);
    let queries = corpus::spanning_queries(SEED, 500, 300);
    let mut fewer = 0;
    for q in &queries {
        let want = oracle(&docs, q);
        // what a scan of the fields joined would find, as the index once did
        let joined = docs
            .iter()
            .filter(|d| {
                let text = folded_string(&d.fields.join(" ")).replace('。', "");
                kuaiwei_search::oracle::terms(q)
                    .iter()
                    .all(|t| text.contains(t.replace('。', "").as_str()))
            })
            .count();
        fewer += usize::from(want.len() < joined);
        assert_eq!(found(&index, q, vec![]), want, "{q}");
    }
    assert!(
        fewer >= 100,
        "most of these queries find less than across fields and marks: {fewer}"
    );
}

mod random {
    //! Random documents of several fields, full of sentence marks, other punctuation, digits
    //! and a few repeated characters, and queries cut from them anywhere (across marks and
    //! fields too): the index finds exactly what the per-field scan finds.

    use super::*;
    use proptest::prelude::*;

    /// Few characters, so that terms recur: Chinese, ASCII and full-width letters and digits,
    /// sentence marks (Chinese, full-width and ASCII), and punctuation that is ignored.
    const ALPHABET: &[char] = &[
        '印', '发', '和', '维', '护', '健', '全', '市', '公', '司', 'a', 'K', '1', '2', '7', 'Ａ',
        '１', '。', '，', '、', '！', '？', '；', '：', '…', '\n', '.', ',', ';', ':', '!', '?',
        '．', ' ', '“', '”', '（', '）', '-', '/',
    ];

    fn text(max: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(ALPHABET), 0..max)
            .prop_map(|v| v.into_iter().collect())
    }

    /// Queries cut from the documents: every piece of 1 to 10 characters of each field at a
    /// few places, pieces running into the next field, and two pieces as two terms.
    fn pieces(docs: &[Vec<String>]) -> Vec<String> {
        let mut out = Vec::new();
        for fields in docs {
            let joined: Vec<char> = fields.join("").chars().collect();
            for field in fields {
                let chars: Vec<char> = field.chars().collect();
                for at in (0..chars.len()).step_by(3) {
                    for len in 1..=10.min(chars.len() - at) {
                        out.push(chars[at..at + len].iter().collect());
                    }
                }
            }
            for at in (0..joined.len()).step_by(5) {
                let end = (at + 8).min(joined.len());
                out.push(joined[at..end].iter().collect());
            }
        }
        let n = out.len();
        for i in (0..n).step_by(7) {
            out.push(format!("{} {}", out[i], out[(i * 31 + 5) % n]));
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn any_query_finds_exactly_the_documents_with_each_term_inside_one_field(
            docs in proptest::collection::vec(proptest::collection::vec(text(30), 1..5), 1..10),
            extra in proptest::collection::vec(text(10), 0..20),
        ) {
            let index = indexed_fields(&docs, Synonyms::default());
            let indexed: Vec<Document> = docs
                .iter()
                .enumerate()
                .map(|(i, f)| Document { fields: f.clone(), ..doc(i as u64) })
                .collect();
            index.set_split_at(if docs.len() % 2 == 0 { 1 } else { 100_000 });
            for q in pieces(&docs).iter().chain(&extra) {
                let want = oracle(&indexed, q);
                prop_assert_eq!(&found(&index, q, vec![]), &want, "{:?} in {:?}", q, docs);
                let mut matching = index.matching(q, &[]).unwrap();
                matching.sort();
                prop_assert_eq!(matching, want.into_iter().collect::<Vec<_>>(), "{:?}", q);
            }
        }

        /// The tokenizer's folding (with byte offsets, for indexing) and the oracle's (plain)
        /// are written apart and agree.
        #[test]
        fn the_index_folds_text_as_the_oracle_does(t in text(60)) {
            prop_assert_eq!(folded_string(&t), kuaiwei_search::oracle::folded(&t), "{:?}", t);
        }
    }
}
