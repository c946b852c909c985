//! Chinese full-text search over complaints and cases: a tantivy index in the data directory,
//! derived from the store (it can be deleted and rebuilt; nothing is lost).
//!
//! - **Recall and precision** come from indexing character bigrams and grams ([`tokenize`]): a
//!   query term matches a document exactly when one of the document's folded fields contains it
//!   (never across two fields, nor across a sentence mark unless the term holds one), for
//!   Chinese, brands, booth, model, patent and phone numbers alike; [`oracle`] says the same as
//!   a plain scan, which the tests hold the index to.
//! - **Speed** comes from answering most terms from posting lists alone (a gram range, a
//!   bigram) and from evaluating every condition as a bit set (`gather`): totals and facets
//!   are popcounts, not visits.
//! - **Filters are data** ([`Filter`]): the caller (access control) adds the agency of the
//!   session as one more filter; nothing is spliced into a query string, and any text is a
//!   valid query (there is no query syntax to get wrong).
//! - **Resume**: each commit carries the last change-log position it includes, so an indexer
//!   that restarts or crashed continues from there; documents are keyed by case number, so a
//!   change applied twice leaves one document.
//! - **The indexer** ([`follow`]) follows the store's change log into the index, building each
//!   changed case's document from the store; the server runs it, `kuaiwei reindex` runs it
//!   once over an emptied index.
//!
//! Only this crate knows tantivy.

pub mod corpus;
mod gather;
mod indexer;
pub mod oracle;
pub mod tokenize;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};

use gather::{Clause, Plan, SegmentCache, TermSet};
use jiff::Timestamp;
use serde::Serialize;
use tantivy::index::SegmentId;
use tantivy::query::{
    AllQuery, BooleanQuery, Occur, PhraseQuery, Query, RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{
    FAST, Facet, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    DateTime, DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument,
    Term,
};

pub use indexer::{
    BUNDLED_SYNONYMS, COMMIT_EVERY, IndexerError, catch_up, catch_up_with, document, follow,
    open_in, synonyms_in,
};
pub use tokenize::{
    BIGRAM, BREAK, BigramTokenizer, GRAMS, GramTokenizer, MAX_GRAM, MAX_GRAM_DIGITS, fold,
    folded_string, gram_len, is_break, query_bigrams, query_term,
};

/// Bumped whenever the schema or the tokenization changes: an index of another version is
/// rebuilt from the store. 5: fields indexed apart, sentence marks kept.
pub const SCHEMA_VERSION: u32 = 5;

/// Facet dimensions, in the order they are reported.
pub const DIMENSIONS: [&str; 5] = ["channel", "right_type", "agency", "state", "fair"];

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory: {0}")]
    Io(#[from] std::io::Error),
    #[error("search index: {0}")]
    Other(String),
}

/// One case as the index holds it: built by the indexer from the store.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub case_number: String,
    /// Everything searchable, as filed, one field apart from the next (description, goods,
    /// names, rights, booth, shop, URLs, phone numbers): a term matches inside one field.
    pub fields: Vec<String>,
    /// What snippets are cut from: the same text with personal information masked (stored, not
    /// indexed). Empty: snippets from the fields joined by spaces.
    pub shown: String,
    pub received_at: Timestamp,
    /// The earliest due instant among the case's running clocks.
    pub next_due_at: Option<Timestamp>,
    /// Still open (not refused, transferred or closed).
    pub open: bool,
    pub channel: String,
    pub right_types: Vec<String>,
    pub agency: Option<String>,
    pub state: String,
    pub fair: Option<String>,
}

/// A condition every hit must meet. Access control adds `Agency` for an agency-bound caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    Channel(String),
    RightType(String),
    Agency(String),
    /// Not yet routed to any agency.
    Unrouted,
    State(String),
    Fair(String),
    ReceivedFrom(Timestamp),
    ReceivedBefore(Timestamp),
    /// Open, with a due instant before this one.
    OverdueAt(Timestamp),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Relevance,
    /// Newest first.
    Received,
}

#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Free text: terms separated by spaces, all required (a synonym group's variant with
    /// spaces, such as `New Balance`, is one term). Empty: every document.
    pub text: String,
    pub filters: Vec<Filter>,
    pub sort: Sort,
    pub limit: usize,
    pub offset: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hit {
    pub case_number: String,
    pub score: f32,
    /// The best passage with the matched text in `<b>…</b>` (HTML-escaped otherwise).
    pub snippet: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Results {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// Per dimension, per value: how many hits have it.
    pub facets: BTreeMap<String, BTreeMap<String, u64>>,
}

/// Brand-name variants (耐克, NIKE, 耐吉): a query term in a group also finds the others.
#[derive(Debug, Clone, Default)]
pub struct Synonyms(Vec<Vec<String>>);

impl Synonyms {
    /// One group per line, variants separated by commas; `#` starts a comment. A line with a
    /// single variant is refused by number.
    pub fn parse(text: &str) -> Result<Synonyms, String> {
        let mut groups = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let group: Vec<String> = line
                .split([',', '，'])
                .map(folded_string)
                .filter(|v| !v.is_empty())
                .collect();
            if group.len() < 2 {
                return Err(format!(
                    "同义词第{}行至少需要两个词 / synonyms line {}: a group needs two variants",
                    i + 1,
                    i + 1
                ));
            }
            groups.push(group);
        }
        Ok(Synonyms(groups))
    }

    /// The variants of a query term (as [`query_term`] gives it), itself first.
    fn variants(&self, term: &str) -> Vec<String> {
        let mut out = vec![term.to_string()];
        for g in self.0.iter().filter(|g| g.iter().any(|v| v == term)) {
            out.extend(g.iter().filter(|v| *v != term).cloned());
        }
        out
    }
}

struct Fields {
    case_number: Field,
    text: Field,
    grams: Field,
    shown: Field,
    received_at: Field,
    next_due_at: Field,
    open: Field,
    facets: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text_options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(BIGRAM)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        case_number: b.add_text_field("case_number", STRING | STORED | FAST),
        text: b.add_text_field("text", text_options),
        grams: b.add_text_field(
            "grams",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(GRAMS)
                    .set_index_option(IndexRecordOption::Basic),
            ),
        ),
        shown: b.add_text_field("shown", STORED),
        received_at: b.add_date_field("received_at", INDEXED | FAST),
        next_due_at: b.add_date_field("next_due_at", INDEXED | FAST),
        open: b.add_bool_field("open", INDEXED),
        facets: b.add_facet_field("facets", FacetOptions::default()),
    };
    (b.build(), fields)
}

fn date(t: Timestamp) -> DateTime {
    DateTime::from_timestamp_micros(t.as_microsecond())
}

fn facet(dimension: &str, value: &str) -> Facet {
    Facet::from_path([dimension, value])
}

/// 128 MB per indexing thread: fewer, larger segments index faster and answer faster.
fn new_writer(index: &Index, threads: usize) -> Result<IndexWriter, SearchError> {
    let threads = threads.max(1);
    Ok(index.writer_with_num_threads(threads, 128_000_000 * threads)?)
}

fn open_writer(guard: &mut Option<IndexWriter>) -> Result<&mut IndexWriter, SearchError> {
    guard
        .as_mut()
        .ok_or_else(|| SearchError::Other("search index writer closed".into()))
}

/// How one query term is found: parts that must all hold (each with its dictionary terms
/// when it is that simple), and whether its score varies.
struct TermPlan {
    parts: Vec<(Box<dyn Query>, Option<TermSet>)>,
    scored: bool,
}

impl TermPlan {
    fn one(query: Box<dyn Query>, terms: Option<TermSet>, scored: bool) -> TermPlan {
        TermPlan {
            parts: vec![(query, terms)],
            scored,
        }
    }

    fn into_query(mut self) -> Box<dyn Query> {
        if self.parts.len() == 1 {
            return self.parts.remove(0).0;
        }
        Box::new(BooleanQuery::new(
            self.parts
                .into_iter()
                .map(|(q, _)| (Occur::Must, q))
                .collect(),
        ))
    }
}

/// The search index and its single writer.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    /// `None` only while [`SearchIndex::settle`] replaces it.
    writer: Mutex<Option<IndexWriter>>,
    threads: usize,
    fields: Fields,
    synonyms: Synonyms,
    /// Segments of at least this many documents are searched in parallel ranges.
    split_at: std::sync::atomic::AtomicU32,
    /// Facet values as bits, per segment (segments never change).
    facets: Mutex<HashMap<SegmentId, Arc<SegmentCache>>>,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it if missing. An index written with another
    /// [`SCHEMA_VERSION`] is wiped and created anew; [`SearchIndex::last_seq`] is then 0 and the
    /// indexer rebuilds it from the store.
    pub fn open(
        dir: &Path,
        synonyms: Synonyms,
        threads: usize,
    ) -> Result<SearchIndex, SearchError> {
        let version_file = dir.join("kuaiwei-schema-version");
        let current = std::fs::read_to_string(&version_file)
            .ok()
            .and_then(|v| v.trim().parse::<u32>().ok());
        if current != Some(SCHEMA_VERSION) && dir.exists() {
            std::fs::remove_dir_all(dir)?;
        }
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        let directory = tantivy::directory::MmapDirectory::open(dir)
            .map_err(|e| SearchError::Other(e.to_string()))?;
        let index = Index::open_or_create(directory, schema)?;
        std::fs::write(&version_file, SCHEMA_VERSION.to_string())?;
        Self::with_index(index, fields, synonyms, threads)
    }

    /// An index in memory (tests, benchmarks of the query side).
    pub fn in_memory(synonyms: Synonyms, threads: usize) -> Result<SearchIndex, SearchError> {
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_ram(schema), fields, synonyms, threads)
    }

    fn with_index(
        index: Index,
        fields: Fields,
        synonyms: Synonyms,
        threads: usize,
    ) -> Result<SearchIndex, SearchError> {
        index.tokenizers().register(BIGRAM, BigramTokenizer);
        index.tokenizers().register(GRAMS, GramTokenizer);
        let mut index = index;
        index.set_multithread_executor(gather::search_threads())?;
        let writer = new_writer(&index, threads)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let search = SearchIndex {
            index,
            reader,
            writer: Mutex::new(Some(writer)),
            threads,
            fields,
            synonyms,
            facets: Mutex::new(HashMap::new()),
            split_at: std::sync::atomic::AtomicU32::new(gather::SPLIT_AT),
        };
        search.warm()?;
        Ok(search)
    }

    /// The change-log position of the last commit (0 for a new index).
    pub fn last_seq(&self) -> Result<i64, SearchError> {
        let metas = self.index.load_metas()?;
        Ok(metas.payload.and_then(|p| p.parse().ok()).unwrap_or(0))
    }

    /// Replaces (or adds) each document by its case number. Not visible until [`commit`].
    ///
    /// [`commit`]: SearchIndex::commit
    pub fn upsert(&self, docs: &[Document]) -> Result<(), SearchError> {
        let mut guard = self.lock_writer()?;
        let writer = open_writer(&mut guard)?;
        let f = &self.fields;
        for d in docs {
            writer.delete_term(Term::from_field_text(f.case_number, &d.case_number));
            let mut doc = TantivyDocument::default();
            doc.add_text(f.case_number, &d.case_number);
            // each field a value of its own: bigrams and grams stop at its end (tantivy also
            // leaves a gap in the positions between two values)
            for field in &d.fields {
                doc.add_text(f.text, field);
                doc.add_text(f.grams, field);
            }
            if d.shown.is_empty() {
                doc.add_text(f.shown, d.fields.join(" "));
            } else {
                doc.add_text(f.shown, &d.shown);
            }
            doc.add_date(f.received_at, date(d.received_at));
            if let Some(due) = d.next_due_at {
                doc.add_date(f.next_due_at, date(due));
            }
            doc.add_bool(f.open, d.open);
            doc.add_facet(f.facets, facet("channel", &d.channel));
            for r in &d.right_types {
                doc.add_facet(f.facets, facet("right_type", r));
            }
            doc.add_facet(
                f.facets,
                facet("agency", d.agency.as_deref().unwrap_or("none")),
            );
            doc.add_facet(f.facets, facet("state", &d.state));
            doc.add_facet(f.facets, facet("fair", d.fair.as_deref().unwrap_or("none")));
            writer.add_document(doc)?;
        }
        Ok(())
    }

    /// Makes everything upserted so far durable and visible, recording `seq` as the last
    /// change-log position it includes.
    pub fn commit(&self, seq: i64) -> Result<(), SearchError> {
        let mut guard = self.lock_writer()?;
        let mut prepared = open_writer(&mut guard)?.prepare_commit()?;
        prepared.set_payload(&seq.to_string());
        prepared.commit()?;
        drop(guard);
        self.reader.reload()?;
        self.warm()
    }

    /// Waits until the background merges are done, so that searches meet the index in its
    /// final shape (after a rebuild, before a benchmark's queries).
    pub fn settle(&self) -> Result<(), SearchError> {
        let mut guard = self.lock_writer()?;
        if let Some(writer) = guard.take() {
            writer.wait_merging_threads()?;
        }
        *guard = Some(new_writer(&self.index, self.threads)?);
        drop(guard);
        self.reader.reload()?;
        self.warm()
    }

    fn lock_writer(&self) -> Result<std::sync::MutexGuard<'_, Option<IndexWriter>>, SearchError> {
        self.writer
            .lock()
            .map_err(|e| SearchError::Other(e.to_string()))
    }

    /// Builds the facet bits of every segment now, so that no search waits for them.
    fn warm(&self) -> Result<(), SearchError> {
        for reader in self.reader.searcher().segment_readers() {
            self.segment_facets(reader)?;
        }
        Ok(())
    }

    /// Removes every document (before a rebuild).
    pub fn clear(&self) -> Result<(), SearchError> {
        let mut guard = self.lock_writer()?;
        open_writer(&mut guard)?.delete_all_documents()?;
        Ok(())
    }

    /// Searches cut every segment of at least `docs` documents into ranges searched in
    /// parallel (default 100,000; tests lower it to exercise the ranges on a small index).
    pub fn set_split_at(&self, docs: u32) {
        self.split_at
            .store(docs.max(1), std::sync::atomic::Ordering::Relaxed);
    }

    /// Documents visible to searches.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The query for one folded term, exact (a document matches when one of its folded fields
    /// contains the term):
    /// - one character: any bigram starting with it;
    /// - two: its bigram (scored by BM25 unless it is in more than a tenth of the documents);
    /// - a term that fits in a gram ([`gram_len`]): the grams starting with it, one range of
    ///   the term dictionary with no positions to check (constant score);
    /// - longer: the grams that tile it and the gram that ends it, each a further condition;
    ///   then its bigram phrase, checked only where all the grams are.
    ///
    /// `positional`: the bigram form only (what snippets highlight, in the `text` field).
    /// `checked`: a longer term gets only its grams, its bigrams being checked hit by hit
    /// ([`gather::Check`]).
    ///
    /// With the query: whether its score varies from document to document (BM25), so that it
    /// is worth computing for relevance.
    fn term_query(
        &self,
        folded: &str,
        positional: bool,
        checked: bool,
    ) -> Result<Option<TermPlan>, SearchError> {
        let f = self.fields.text;
        let chars: Vec<char> = folded.chars().collect();
        // the documents with a gram starting with chars[from..], as far as a gram goes
        let starting_with = |from: usize| -> (Box<dyn Query>, Option<TermSet>) {
            use std::ops::Bound::*;
            let rest = &chars[from..];
            let prefix: String = rest[..gram_len(rest.iter().copied())].iter().collect();
            let mut upper = prefix.clone();
            upper.push(char::MAX);
            let query = Box::new(RangeQuery::new(
                Included(Term::from_field_text(self.fields.grams, &prefix)),
                Excluded(Term::from_field_text(self.fields.grams, &upper)),
            ));
            (query, Some(TermSet::Prefix(self.fields.grams, prefix)))
        };
        Ok(match chars.len() {
            0 => None,
            1 => {
                let mut escaped = String::new();
                for c in chars {
                    if c.is_ascii_alphanumeric() || !c.is_ascii() {
                        escaped.push(c);
                    } else {
                        escaped.push('\\');
                        escaped.push(c);
                    }
                }
                let regex = RegexQuery::from_pattern(&format!("{escaped}(.|\u{1})"), f)?;
                Some(TermPlan::one(Box::new(regex), None, false))
            }
            2 => {
                // a pair in more than a tenth of the documents (`注册`, `38`) is matched
                // exactly but says little about relevance: it is not scored (as a cut-off
                // frequency does in other engines), which spares reading its frequencies
                let term = Term::from_field_text(f, folded);
                let searcher = self.reader.searcher();
                let common = searcher.doc_freq(&term)? * 10 > searcher.num_docs();
                let record = if common {
                    IndexRecordOption::Basic
                } else {
                    IndexRecordOption::WithFreqs
                };
                let query = Box::new(TermQuery::new(term.clone(), record));
                Some(TermPlan::one(
                    query,
                    common.then_some(TermSet::Exact(term)),
                    !common,
                ))
            }
            n if !positional && gram_len(chars.iter().copied()) == n => {
                let (query, set) = starting_with(0);
                Some(TermPlan::one(query, set, false))
            }
            n => {
                let terms = query_bigrams(folded)
                    .iter()
                    .map(|b| Term::from_field_text(f, b))
                    .collect();
                let phrase: Box<dyn Query> = Box::new(PhraseQuery::new(terms));
                if positional {
                    return Ok(Some(TermPlan::one(phrase, None, true)));
                }
                // the grams that tile the term, and the one that ends it (no gram starts with
                // a sentence mark: a tile there starts one character later)
                let mut grams = Vec::new();
                let mut at = 0;
                while n - at >= 3 {
                    if chars[at] == BREAK {
                        at += 1;
                        continue;
                    }
                    grams.push(starting_with(at));
                    at += gram_len(chars[at..].iter().copied());
                }
                if at < n
                    && let Some(k) = (3..n).rev().find(|&k| {
                        chars[n - k] != BREAK && gram_len(chars[n - k..].iter().copied()) == k
                    })
                {
                    grams.push(starting_with(n - k));
                }
                if !checked {
                    grams.push((phrase, None));
                }
                Some(TermPlan {
                    parts: grams,
                    scored: !checked,
                })
            }
        })
    }

    fn filter_query(&self, filter: &Filter) -> Box<dyn Query> {
        let f = &self.fields;
        let on = |dimension: &str, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_facet(f.facets, &facet(dimension, value)),
                IndexRecordOption::Basic,
            ))
        };
        let received = |lo: Option<Timestamp>, hi: Option<Timestamp>| -> Box<dyn Query> {
            use std::ops::Bound::*;
            let term = |t: Timestamp| Term::from_field_date(f.received_at, date(t));
            Box::new(RangeQuery::new(
                lo.map_or(Unbounded, |t| Included(term(t))),
                hi.map_or(Unbounded, |t| Excluded(term(t))),
            ))
        };
        match filter {
            Filter::Channel(v) => on("channel", v),
            Filter::RightType(v) => on("right_type", v),
            Filter::Agency(v) => on("agency", v),
            Filter::Unrouted => on("agency", "none"),
            Filter::State(v) => on("state", v),
            Filter::Fair(v) => on("fair", v),
            Filter::ReceivedFrom(t) => received(Some(*t), None),
            Filter::ReceivedBefore(t) => received(None, Some(*t)),
            Filter::OverdueAt(t) => {
                use std::ops::Bound::*;
                let due = RangeQuery::new(
                    Unbounded,
                    Excluded(Term::from_field_date(f.next_due_at, date(*t))),
                );
                let open = TermQuery::new(
                    Term::from_field_bool(f.open, true),
                    IndexRecordOption::Basic,
                );
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, Box::new(due) as Box<dyn Query>),
                    (Occur::Must, Box::new(open)),
                ]))
            }
        }
    }

    /// The query for a request: every text term (or one of its synonyms) and every filter; and
    /// the checks its hits must pass (terms too long for a gram, unless `positional`).
    fn query(
        &self,
        r: &Request,
        positional: bool,
    ) -> Result<(Vec<Clause>, Vec<gather::Check>), SearchError> {
        let mut clauses: Vec<Clause> = Vec::new();
        let mut checks = Vec::new();
        // a synonym written with spaces (New Balance) is one term
        let whole = query_term(&r.text);
        let terms: Vec<&str> = if self.synonyms.variants(&whole).len() > 1 {
            vec![r.text.as_str()]
        } else {
            r.text.split_whitespace().collect()
        };
        let groups: Vec<Vec<String>> = terms
            .iter()
            .map(|raw| self.synonyms.variants(&query_term(raw)))
            .collect();
        for (i, variants) in groups.iter().enumerate() {
            // implied by another term: every variant of that one contains one of these
            // (`权利依 权利依据` is `权利依据`)
            let implied = groups.iter().enumerate().any(|(j, other)| {
                let contains = |o: &String| variants.iter().any(|v| o.contains(v.as_str()));
                (j > i || (j < i && other != variants)) && other.iter().all(contains)
            });
            if implied {
                continue;
            }
            let lengths: Vec<usize> = variants.iter().map(|v| v.chars().count()).collect();
            // checked by positions: a group with a term too long for a gram, and no
            // one-character term (which no fixed list of bigrams verifies)
            let checked = !positional
                && lengths.iter().all(|&n| n != 1)
                && variants
                    .iter()
                    .zip(&lengths)
                    .any(|(v, &n)| n > 2 && gram_len(v.chars()) < n);
            let mut plans = Vec::new();
            let mut check = Vec::new();
            for v in variants.iter().filter(|v| !v.is_empty()) {
                if let Some(plan) = self.term_query(v, positional, checked)? {
                    plans.push(plan);
                    let bigrams = query_bigrams(v);
                    check.push(
                        tokenize::bigram_tile(bigrams.len())
                            .into_iter()
                            .map(|i| {
                                (
                                    i as u32,
                                    Term::from_field_text(self.fields.text, &bigrams[i]),
                                )
                            })
                            .collect(),
                    );
                }
            }
            if checked && !check.is_empty() {
                checks.push(check);
            }
            let scored = plans.iter().any(|p| p.scored);
            if let [plan] = &mut plans[..]
                && !scored
            {
                // one unscored term: each of its parts is a clause of its own
                for (query, terms) in plan.parts.drain(..) {
                    clauses.push(Clause {
                        query,
                        scored: false,
                        terms,
                    });
                }
                continue;
            }
            let query: Box<dyn Query> = match plans.len() {
                0 => continue,
                1 => plans.remove(0).into_query(),
                _ => Box::new(BooleanQuery::new(
                    plans
                        .into_iter()
                        .map(|p| (Occur::Should, p.into_query()))
                        .collect(),
                )),
            };
            clauses.push(Clause {
                query,
                scored,
                terms: None,
            });
        }
        if clauses.is_empty() {
            clauses.push(Clause {
                query: Box::new(AllQuery),
                scored: false,
                terms: None,
            });
        }
        for filter in &r.filters {
            clauses.push(Clause {
                query: self.filter_query(filter),
                scored: false,
                terms: None,
            });
        }
        Ok((clauses, checks))
    }

    fn gather(
        &self,
        searcher: &Searcher,
        r: &Request,
        k: usize,
    ) -> Result<Vec<gather::SegmentHits>, SearchError> {
        let (clauses, checks) = self.query(r, false)?;
        let caches = searcher
            .segment_readers()
            .iter()
            .map(|reader| self.segment_facets(reader))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(gather::run(
            searcher,
            &Plan {
                clauses: &clauses,
                checks: &checks,
                text: self.fields.text,
                k,
                by_score: r.sort == Sort::Relevance,
                received_field: "received_at",
                caches: &caches,
                split_at: self.split_at.load(std::sync::atomic::Ordering::Relaxed),
            },
        )?)
    }

    /// The case numbers of every document matching `text` and `filters`, unordered: for
    /// checking recall against a scan (benchmark, tests), not for pages.
    pub fn matching(&self, text: &str, filters: &[Filter]) -> Result<Vec<String>, SearchError> {
        let searcher = self.reader.searcher();
        let request = Request {
            text: text.to_string(),
            filters: filters.to_vec(),
            ..Request::default()
        };
        let found = self.gather(&searcher, &request, 0)?;
        let mut out = Vec::new();
        let mut s = String::new();
        for hits in found {
            let reader = searcher.segment_reader(hits.segment);
            let Some(column) = reader.fast_fields().str("case_number")? else {
                continue;
            };
            for doc in hits.bits.iter() {
                for ord in column.term_ords(doc) {
                    s.clear();
                    column.ord_to_str(ord, &mut s)?;
                    out.push(s.clone());
                }
            }
        }
        Ok(out)
    }

    /// Per dimension, per value, how many of the hits have it (values no hit has are left out).
    fn facet_counts(
        &self,
        searcher: &Searcher,
        hits: &[gather::SegmentHits],
    ) -> Result<BTreeMap<String, BTreeMap<String, u64>>, SearchError> {
        let mut out: BTreeMap<String, BTreeMap<String, u64>> = DIMENSIONS
            .iter()
            .map(|d| (d.to_string(), BTreeMap::new()))
            .collect();
        for h in hits {
            let reader = searcher.segment_reader(h.segment);
            let facets = self.segment_facets(reader)?;
            for (dimension, value, bits) in &facets.facets {
                let n = h.bits.and_len(bits);
                if n > 0
                    && let Some(counts) = out.get_mut(dimension)
                {
                    *counts.entry(value.clone()).or_default() += n;
                }
            }
        }
        Ok(out)
    }

    /// The facet bits of a segment, built on first use; segments merged away are forgotten.
    fn segment_facets(
        &self,
        reader: &tantivy::SegmentReader,
    ) -> Result<Arc<SegmentCache>, SearchError> {
        let id = reader.segment_id();
        if let Some(f) = self.lock_facets()?.get(&id) {
            return Ok(f.clone());
        }
        let built = Arc::new(SegmentCache::build(
            reader,
            self.fields.facets,
            "received_at",
        )?);
        let live: Vec<SegmentId> = self
            .reader
            .searcher()
            .segment_readers()
            .iter()
            .map(|r| r.segment_id())
            .collect();
        let mut cache = self.lock_facets()?;
        cache.retain(|k, _| live.contains(k));
        cache.insert(id, built.clone());
        Ok(built)
    }

    fn lock_facets(
        &self,
    ) -> Result<std::sync::MutexGuard<'_, HashMap<SegmentId, Arc<SegmentCache>>>, SearchError> {
        self.facets
            .lock()
            .map_err(|e| SearchError::Other(e.to_string()))
    }

    /// Runs a search: the page of hits with snippets, the total, and facet counts over every
    /// hit.
    pub fn search(&self, r: &Request) -> Result<Results, SearchError> {
        let searcher = self.reader.searcher();
        let f = &self.fields;
        let limit = r.limit.clamp(1, 200);
        let gathered = self.gather(&searcher, r, r.offset + limit)?;
        let total = gathered.iter().map(|g| g.bits.len()).sum::<u64>() as usize;
        let facet_counts = self.facet_counts(&searcher, &gathered)?;
        let page: Vec<(f32, DocAddress)> = gather::best(&gathered, r.offset + limit)
            .into_iter()
            .skip(r.offset)
            .map(|rank| (rank.score, DocAddress::new(rank.segment, rank.doc)))
            .collect();
        let (clauses, _) = self.query(r, true)?;
        let highlight = BooleanQuery::new(
            clauses
                .into_iter()
                .map(|c| (Occur::Must, c.query))
                .collect(),
        );
        let mut snippets = SnippetGenerator::create(&searcher, &highlight, f.text)?;
        snippets.set_max_num_chars(120);
        let mut hits = Vec::with_capacity(page.len());
        for (score, address) in page {
            let doc: TantivyDocument = searcher.doc(address)?;
            let case_number = doc
                .get_first(f.case_number)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            // the snippet is cut from the masked text, highlighted with the query's terms
            let mut shown = TantivyDocument::default();
            if let Some(text) = doc.get_first(f.shown).and_then(|v| v.as_str()) {
                shown.add_text(f.text, text);
            }
            hits.push(Hit {
                case_number,
                score,
                snippet: snippets.snippet_from_doc(&shown).to_html(),
            });
        }
        Ok(Results {
            total,
            hits,
            facets: facet_counts,
        })
    }
}
