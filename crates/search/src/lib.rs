//! Chinese full-text search over complaints and cases: a tantivy index in the data directory,
//! derived from the store (it can be deleted and rebuilt; nothing is lost).
//!
//! - **Recall** comes from indexing character bigrams ([`tokenize`]): a query term matches a
//!   document exactly when the document's folded text contains it, for Chinese, brands, booth,
//!   model, patent and phone numbers alike.
//! - **Filters are data** ([`Filter`]): the caller (access control) adds the agency of the
//!   session as one more filter; nothing is spliced into a query string, and any text is a
//!   valid query (there is no query syntax to get wrong).
//! - **Resume**: each commit carries the last change-log position it includes, so an indexer
//!   that restarts or crashed continues from there; documents are keyed by case number, so a
//!   change applied twice leaves one document.
//!
//! Only this crate knows tantivy.

pub mod corpus;
pub mod tokenize;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use jiff::Timestamp;
use serde::Serialize;
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, Occur, PhraseQuery, Query, RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{
    FAST, Facet, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    DateTime, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term,
};

pub use tokenize::{BIGRAM, BigramTokenizer, fold, folded_string, query_bigrams, query_term};

/// Bumped whenever the schema or the tokenization changes: an index of another version is
/// rebuilt from the store.
pub const SCHEMA_VERSION: u32 = 3;

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
    /// Everything searchable, as filed: description, goods, names, rights, booth, shop, URLs,
    /// phone numbers.
    pub text: String,
    /// What snippets are cut from: the same text with personal information masked (stored, not
    /// indexed). Empty: snippets from `text`.
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

/// The search index and its single writer.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    synonyms: Synonyms,
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
        let writer = index.writer_with_num_threads(threads.max(1), 64_000_000 * threads.max(1))?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            synonyms,
        })
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
        let writer = self
            .writer
            .lock()
            .map_err(|e| SearchError::Other(e.to_string()))?;
        let f = &self.fields;
        for d in docs {
            writer.delete_term(Term::from_field_text(f.case_number, &d.case_number));
            let mut doc = TantivyDocument::default();
            doc.add_text(f.case_number, &d.case_number);
            doc.add_text(f.text, &d.text);
            doc.add_text(
                f.shown,
                if d.shown.is_empty() {
                    &d.text
                } else {
                    &d.shown
                },
            );
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
        let mut writer = self
            .writer
            .lock()
            .map_err(|e| SearchError::Other(e.to_string()))?;
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&seq.to_string());
        prepared.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// Removes every document (before a rebuild).
    pub fn clear(&self) -> Result<(), SearchError> {
        let writer = self
            .writer
            .lock()
            .map_err(|e| SearchError::Other(e.to_string()))?;
        writer.delete_all_documents()?;
        Ok(())
    }

    /// Documents visible to searches.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The query for one folded term: its bigram phrase; a one-character term, any bigram
    /// starting with it.
    fn term_query(&self, folded: &str) -> Result<Option<Box<dyn Query>>, SearchError> {
        let f = self.fields.text;
        let chars: Vec<char> = folded.chars().collect();
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
                Some(Box::new(RegexQuery::from_pattern(
                    &format!("{escaped}(.|\u{1})"),
                    f,
                )?))
            }
            2 => Some(Box::new(TermQuery::new(
                Term::from_field_text(f, folded),
                IndexRecordOption::WithFreqs,
            ))),
            _ => {
                let terms = query_bigrams(folded)
                    .iter()
                    .map(|b| Term::from_field_text(f, b))
                    .collect();
                Some(Box::new(PhraseQuery::new(terms)))
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

    /// The query for a request: every text term (or one of its synonyms) and every filter.
    fn query(&self, r: &Request) -> Result<Box<dyn Query>, SearchError> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        // a synonym written with spaces (New Balance) is one term
        let whole = query_term(&r.text);
        let terms: Vec<&str> = if self.synonyms.variants(&whole).len() > 1 {
            vec![r.text.as_str()]
        } else {
            r.text.split_whitespace().collect()
        };
        for raw in terms {
            let folded = query_term(raw);
            let mut variants: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for v in self.synonyms.variants(&folded) {
                if let Some(q) = self.term_query(&v)? {
                    variants.push((Occur::Should, q));
                }
            }
            match variants.len() {
                0 => {}
                1 => clauses.push((Occur::Must, variants.remove(0).1)),
                _ => clauses.push((Occur::Must, Box::new(BooleanQuery::new(variants)))),
            }
        }
        let scored = !clauses.is_empty();
        for filter in &r.filters {
            clauses.push((Occur::Must, self.filter_query(filter)));
        }
        if !scored {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        Ok(Box::new(BooleanQuery::new(clauses)))
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
        let query = self.query(&request)?;
        let found = searcher.search(&*query, &tantivy::collector::DocSetCollector)?;
        let mut out = Vec::with_capacity(found.len());
        let mut columns = Vec::new();
        for segment in searcher.segment_readers() {
            columns.push(segment.fast_fields().str("case_number")?);
        }
        let mut s = String::new();
        for address in found {
            let Some(column) = &columns[address.segment_ord as usize] else {
                continue;
            };
            for ord in column.term_ords(address.doc_id) {
                s.clear();
                column.ord_to_str(ord, &mut s)?;
                out.push(s.clone());
            }
        }
        Ok(out)
    }

    /// Runs a search: the page of hits with snippets, the total, and facet counts over every
    /// hit.
    pub fn search(&self, r: &Request) -> Result<Results, SearchError> {
        let searcher = self.reader.searcher();
        let query = self.query(r)?;
        let f = &self.fields;
        let limit = r.limit.clamp(1, 200);
        let mut facets = FacetCollector::for_field("facets");
        for d in DIMENSIONS {
            facets.add_facet(Facet::from_path([d]));
        }
        let page: Vec<(f32, tantivy::DocAddress)> = match r.sort {
            Sort::Relevance => {
                let top = TopDocs::with_limit(limit)
                    .and_offset(r.offset)
                    .order_by_score();
                searcher.search(&*query, &top)?
            }
            Sort::Received => {
                let top = TopDocs::with_limit(limit)
                    .and_offset(r.offset)
                    .order_by_fast_field::<DateTime>("received_at", Order::Desc);
                searcher
                    .search(&*query, &top)?
                    .into_iter()
                    .map(|(_, a)| (0.0, a))
                    .collect()
            }
        };
        let (total, facet_counts) = searcher.search(&*query, &(Count, facets))?;
        let mut snippets = SnippetGenerator::create(&searcher, &*query, f.text)?;
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
        let mut out = BTreeMap::new();
        for d in DIMENSIONS {
            let counts: BTreeMap<String, u64> = facet_counts
                .get(&format!("/{d}"))
                .map(|(facet, n)| {
                    let path = facet.to_path();
                    (path.last().copied().unwrap_or_default().to_string(), n)
                })
                .collect();
            out.insert(d.to_string(), counts);
        }
        Ok(Results {
            total,
            hits,
            facets: out,
        })
    }
}
