//! The search engine over tantivy's index: every condition of a query (each term, each filter)
//! becomes a bit set per segment, the sets are ANDed word by word, and one pass over what is
//! left gives everything a search answers: the page (top `k` by score or by date), the total,
//! and the hits as bits, from which facet counts are one AND and one popcount per facet value
//! ([`SegmentCache`]) instead of a lookup per hit. Two terms that each match a million
//! documents cost two passes over their posting lists and a few thousand word ANDs, where a
//! scorer tree seeks one list to every document of the other.
//!
//! A term too long for one gram is found by its grams (an approximation) and then checked
//! here, hit by hit, against the positions of its bigrams ([`Check`]): a true two-phase match,
//! where a phrase scorer inside the query would scan past each candidate to the phrase's next
//! match anywhere in the segment.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::Arc;

use tantivy::Term;
use tantivy::columnar::ColumnIndex;
use tantivy::postings::{Postings, SegmentPostings, TermInfo};
use tantivy::query::{EnableScoring, Query, Scorer, Weight};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::{
    COLLECT_BLOCK_BUFFER_LEN, DateTime, DocId, DocSet, InvertedIndexReader, Score, Searcher,
    SegmentOrdinal, SegmentReader, TERMINATED,
};

/// A set of document ids of one segment.
#[derive(Debug, Clone)]
pub struct Bits(Vec<u64>);

impl Bits {
    pub fn new(max_doc: u32) -> Bits {
        Bits(vec![0; (max_doc as usize).div_ceil(64)])
    }

    pub fn insert(&mut self, doc: DocId) {
        self.0[doc as usize / 64] |= 1 << (doc % 64);
    }

    pub fn len(&self) -> u64 {
        self.0.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    /// The documents, in order.
    pub fn iter(&self) -> impl Iterator<Item = DocId> + '_ {
        self.0.iter().enumerate().flat_map(|(i, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                (w != 0).then(|| {
                    let bit = w.trailing_zeros();
                    w &= w - 1;
                    (i * 64) as DocId + bit
                })
            })
        })
    }

    pub fn contains(&self, doc: DocId) -> bool {
        self.0
            .get(doc as usize / 64)
            .is_some_and(|w| w & (1 << (doc % 64)) != 0)
    }

    /// Keeps only the documents `keep` says yes to, asked in order.
    pub fn retain(&mut self, mut keep: impl FnMut(DocId) -> bool) {
        for (i, word) in self.0.iter_mut().enumerate() {
            let mut rest = *word;
            while rest != 0 {
                let bit = rest.trailing_zeros();
                rest &= rest - 1;
                if !keep((i * 64) as DocId + bit) {
                    *word &= !(1 << bit);
                }
            }
        }
    }

    /// Keeps only the documents also in `other`.
    pub fn and_with(&mut self, other: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a &= b;
        }
    }

    /// How many documents are in both sets.
    pub fn and_len(&self, other: &Bits) -> u64 {
        self.0
            .iter()
            .zip(&other.0)
            .map(|(a, b)| u64::from((a & b).count_ones()))
            .sum()
    }
}

/// A hit's place in the order of a page: higher is better. Equal scores (a constant-score
/// term, or the date order) go newest first, then by document for a stable order.
#[derive(Debug, Clone, Copy)]
pub struct Rank {
    pub score: Score,
    /// Received, in microseconds.
    pub received: i64,
    pub segment: SegmentOrdinal,
    pub doc: DocId,
}

impl Ord for Rank {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then(self.received.cmp(&other.received))
            .then(other.segment.cmp(&self.segment))
            .then(other.doc.cmp(&self.doc))
    }
}

impl PartialOrd for Rank {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Rank {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Rank {}

/// What one segment gave.
pub struct SegmentHits {
    pub segment: SegmentOrdinal,
    pub bits: Bits,
    pub top: Vec<Rank>,
}

/// One query term that must be verified: a hit must hold, for at least one variant, that
/// variant's bigrams each at its offset from one start (the bigrams of a tile,
/// `tokenize::bigram_tile`, which cover every character of the term).
pub type Check = Vec<Vec<(u32, Term)>>;
/// A check's variants in one segment: each bigram's offset and postings (`None`: a bigram the
/// segment lacks, so the variant never matches there).
struct SegmentCheck(Vec<Option<(Vec<u32>, Vec<SegmentPostings>)>>);

impl SegmentCheck {
    fn passes(&mut self, doc: DocId, buf: &mut Vec<u32>, at: &mut Vec<u32>) -> bool {
        self.0.iter_mut().any(|v| {
            v.as_mut()
                .is_some_and(|(offsets, p)| at_offsets(offsets, p, doc, buf, at))
        })
    }
}

/// Whether `doc` holds the terms of `postings`, each at its offset from one start (the first
/// offset is 0).
fn at_offsets(
    offsets: &[u32],
    postings: &mut [SegmentPostings],
    doc: DocId,
    buf: &mut Vec<u32>,
    at: &mut Vec<u32>,
) -> bool {
    if !postings.iter_mut().all(|p| lands_on(p, doc)) {
        return false;
    }
    // `at`: where the phrase could start, narrowed term by term
    for (k, p) in postings.iter_mut().enumerate() {
        p.positions(buf);
        if k == 0 {
            std::mem::swap(at, buf);
        } else {
            let k = offsets[k];
            at.retain(|start| buf.binary_search(&(start + k)).is_ok());
        }
        if at.is_empty() {
            return false;
        }
    }
    true
}

/// A condition every hit meets: its query, and whether its score counts toward relevance.
pub struct Clause {
    pub query: Box<dyn Query>,
    pub scored: bool,
    /// The same condition as terms of the dictionary, when it is that simple and unscored:
    /// read straight from the posting lists into bits, without building a scorer.
    pub terms: Option<TermSet>,
}

/// Terms of one field.
pub enum TermSet {
    Exact(Term),
    /// Every term starting with this text.
    Prefix(Field, String),
}

/// How one segment evaluates a clause.
enum Eval {
    Scorer(Box<dyn Scorer>, bool),
    Terms(Arc<InvertedIndexReader>, Vec<TermInfo>),
}

impl Eval {
    fn size(&self) -> u64 {
        match self {
            Eval::Scorer(s, _) => u64::from(s.size_hint()),
            Eval::Terms(_, infos) => infos.iter().map(|i| u64::from(i.doc_freq)).sum(),
        }
    }
}

/// The most terms a clause may have for its hits to be probed term by term.
const PROBE_TERMS: usize = 8;

fn term_infos(reader: &SegmentReader, set: &TermSet) -> tantivy::Result<Eval> {
    let (field, infos) = match set {
        TermSet::Exact(term) => {
            let inverted = reader.inverted_index(term.field())?;
            let info = inverted.get_term_info(term)?;
            (inverted, info.into_iter().collect())
        }
        TermSet::Prefix(field, prefix) => {
            let inverted = reader.inverted_index(*field)?;
            let mut upper = prefix.clone();
            upper.push(char::MAX);
            let mut stream = inverted
                .terms()
                .range()
                .ge(prefix.as_bytes())
                .lt(upper.as_bytes())
                .into_stream()?;
            let mut infos = Vec::new();
            while stream.advance() {
                infos.push(stream.value().clone());
            }
            (inverted, infos)
        }
    };
    Ok(Eval::Terms(field, infos))
}

/// What one search asks of the index.
pub struct Plan<'a> {
    /// All must hold.
    pub clauses: &'a [Clause],
    /// All must pass.
    pub checks: &'a [Check],
    /// The field of the checks' bigrams.
    pub text: Field,
    /// How many of the best hits to keep (0: none, only the bits).
    pub k: usize,
    /// Best by score (then newest); otherwise newest first.
    pub by_score: bool,
    pub received_field: &'a str,
    /// Each segment's cache, by segment ordinal.
    pub caches: &'a [Arc<SegmentCache>],
    /// Segments of at least this many documents are cut into ranges searched in parallel.
    pub split_at: u32,
}

/// Runs `plan` on every segment (in parallel on the searcher's executor). Each clause is
/// evaluated once into a bit set, and the sets are ANDed word by word; only the documents
/// left are visited, to drop deleted ones and those failing a check, and to rank the page.
pub fn run(searcher: &Searcher, plan: &Plan<'_>) -> tantivy::Result<Vec<SegmentHits>> {
    let weights = plan
        .clauses
        .iter()
        .map(|c| {
            let scored = c.scored && plan.by_score && plan.k > 0;
            if !scored && let Some(set) = &c.terms {
                return Ok(Weighed::Terms(set));
            }
            let scoring = if scored {
                EnableScoring::enabled_from_searcher(searcher)
            } else {
                EnableScoring::disabled_from_searcher(searcher)
            };
            Ok(Weighed::Weight(c.query.weight(scoring)?, scored))
        })
        .collect::<tantivy::Result<Vec<_>>>()?;
    // a large segment is cut into ranges of documents, so that every core works on it
    let cores = search_threads() as u32;
    let mut parts = Vec::new();
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let max_doc = reader.max_doc();
        let n = if max_doc >= plan.split_at {
            cores.max(2)
        } else {
            1
        };
        let step = max_doc.div_ceil(n).max(1);
        let mut lo = 0;
        loop {
            parts.push((ord as SegmentOrdinal, reader, lo..(lo + step).min(max_doc)));
            lo += step;
            if lo >= max_doc {
                break;
            }
        }
    }
    searcher.index().search_executor().map(
        |(ord, reader, range)| segment(ord, reader, range, &weights, plan),
        parts.into_iter(),
    )
}

/// Segments with at least this many documents are searched in parallel ranges.
pub const SPLIT_AT: u32 = 100_000;

/// Threads a search runs on: the cores, up to 4.
pub fn search_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4)
}

/// How many documents of a posting list reading in full costs about as much as one probe.
const PROBE_COST: u64 = 16;

/// Every document of `docs` before `hi` (from where it stands) into `bits`.
fn read_range<D: DocSet + ?Sized>(
    docs: &mut D,
    hi: DocId,
    bits: &mut Bits,
    buffer: &mut [DocId; COLLECT_BLOCK_BUFFER_LEN],
) {
    loop {
        let n = docs.fill_buffer(buffer);
        for &doc in &buffer[..n] {
            if doc >= hi {
                return;
            }
            bits.insert(doc);
        }
        if n < COLLECT_BLOCK_BUFFER_LEN {
            return;
        }
    }
}

/// Whether `docs` holds `doc`, moving forward to it if it stands before (never back: the
/// documents asked about come in order).
fn lands_on<D: DocSet + ?Sized>(docs: &mut D, doc: DocId) -> bool {
    let at = if docs.doc() < doc {
        docs.seek(doc)
    } else {
        docs.doc()
    };
    at == doc
}

/// Keeps the hits `scorer` also matches (adding its scores), seeking it to each hit.
fn probe(hits: &mut Bits, scorer: &mut dyn Scorer, mut scores: Option<&mut Vec<Score>>) {
    hits.retain(|doc| {
        let found = lands_on(scorer, doc);
        if found && let Some(s) = scores.as_deref_mut() {
            s[doc as usize] += scorer.score();
        }
        found
    });
}

/// A clause ready for the segments.
enum Weighed<'a> {
    Weight(Box<dyn Weight>, bool),
    Terms(&'a TermSet),
}

/// The hits among the documents `range` of one segment.
fn segment(
    ord: SegmentOrdinal,
    reader: &SegmentReader,
    range: std::ops::Range<DocId>,
    weights: &[Weighed<'_>],
    plan: &Plan<'_>,
) -> tantivy::Result<SegmentHits> {
    let max_doc = reader.max_doc();
    let (lo, hi) = (range.start, range.end);
    let mut scores: Vec<Score> = if weights
        .iter()
        .any(|w| matches!(w, Weighed::Weight(_, true)))
    {
        vec![0.0; max_doc as usize]
    } else {
        Vec::new()
    };
    // rarest first; once the hits are few, a broad condition is probed at each hit instead of
    // read in full
    let mut evals = weights
        .iter()
        .map(|w| match w {
            Weighed::Weight(w, scored) => {
                let mut scorer = w.scorer(reader, 1.0)?;
                if scorer.doc() < lo {
                    scorer.seek(lo);
                }
                Ok(Eval::Scorer(scorer, *scored))
            }
            Weighed::Terms(set) => term_infos(reader, set),
        })
        .collect::<tantivy::Result<Vec<_>>>()?;
    evals.sort_by_key(Eval::size);
    let mut hits: Option<Bits> = None;
    let mut buffer = [0; COLLECT_BLOCK_BUFFER_LEN];
    for eval in &mut evals {
        let few = hits
            .as_ref()
            .is_some_and(|h| h.len() * PROBE_COST < eval.size());
        match (hits.as_mut(), eval) {
            (Some(h), Eval::Scorer(scorer, scored)) if few => {
                probe(h, scorer.as_mut(), scored.then_some(&mut scores));
            }
            (Some(h), Eval::Terms(inverted, infos)) if few && infos.len() <= PROBE_TERMS => {
                let mut postings = infos
                    .iter()
                    .map(|i| inverted.read_postings_from_terminfo(i, IndexRecordOption::Basic))
                    .collect::<std::io::Result<Vec<_>>>()?;
                h.retain(|doc| postings.iter_mut().any(|p| lands_on(p, doc)));
            }
            (_, eval) => {
                let mut bits = Bits::new(max_doc);
                match eval {
                    Eval::Scorer(scorer, true) => {
                        let mut doc = scorer.doc();
                        while doc < hi {
                            bits.insert(doc);
                            scores[doc as usize] += scorer.score();
                            doc = scorer.advance();
                        }
                    }
                    Eval::Scorer(scorer, false) => {
                        read_range(scorer.as_mut(), hi, &mut bits, &mut buffer);
                    }
                    Eval::Terms(inverted, infos) => {
                        for info in infos.iter() {
                            let mut postings = inverted
                                .read_postings_from_terminfo(info, IndexRecordOption::Basic)?;
                            if postings.doc() < lo {
                                postings.seek(lo);
                            }
                            read_range(&mut postings, hi, &mut bits, &mut buffer);
                        }
                    }
                }
                match hits.as_mut() {
                    None => hits = Some(bits),
                    Some(h) => h.and_with(&bits),
                }
            }
        }
        if hits.as_ref().is_some_and(|h| h.len() == 0) {
            break;
        }
    }
    let mut bits = hits.unwrap_or_else(|| Bits::new(max_doc));
    let mut checks = segment_checks(reader, plan)?;
    let (mut buf, mut at) = (Vec::new(), Vec::new());
    let column = reader.fast_fields().date(plan.received_field)?;
    // every document has one: read the values directly, not through the column's index
    let received = if matches!(column.index, ColumnIndex::Full) {
        column.values
    } else {
        column.first_or_default_col(DateTime::MIN)
    };
    let alive = reader.alive_bitset();
    if alive.is_some() || !checks.is_empty() {
        bits.retain(|doc| {
            !alive.is_some_and(|a| a.is_deleted(doc))
                && checks.iter_mut().all(|c| c.passes(doc, &mut buf, &mut at))
        });
    }
    let mut top: BinaryHeap<Reverse<Rank>> = BinaryHeap::with_capacity(plan.k.min(1024) + 1);
    let rank = |doc: DocId, score: Score| Rank {
        score,
        received: received.get_val(doc).into_timestamp_micros(),
        segment: ord,
        doc,
    };
    let count = bits.len() as usize;
    let cache = plan.caches.get(ord as usize);
    if plan.k > 0 && scores.is_empty() && count * 64 >= (hi - lo) as usize && cache.is_some() {
        // every hit scores alike and hits are dense: the first k hits, newest first
        let newest = cache.map_or(&[][..], |c| &c.newest[..]);
        for &doc in newest.iter().filter(|&&d| bits.contains(d)).take(plan.k) {
            top.push(Reverse(rank(doc, 0.0)));
        }
    } else if plan.k > 0 {
        for doc in bits.iter() {
            let score = scores.get(doc as usize).copied().unwrap_or(0.0);
            if top.len() == plan.k
                && let Some(Reverse(worst)) = top.peek()
                && score < worst.score
            {
                continue;
            }
            let r = rank(doc, score);
            if top.len() < plan.k {
                top.push(Reverse(r));
            } else if let Some(mut worst) = top.peek_mut()
                && r > worst.0
            {
                *worst = Reverse(r);
            }
        }
    }
    Ok(SegmentHits {
        segment: ord,
        bits,
        top: top.into_iter().map(|r| r.0).collect(),
    })
}

/// The checks' postings in one segment.
fn segment_checks(reader: &SegmentReader, plan: &Plan<'_>) -> tantivy::Result<Vec<SegmentCheck>> {
    if plan.checks.is_empty() {
        return Ok(Vec::new());
    }
    let text = reader.inverted_index(plan.text)?;
    let mut checks = Vec::with_capacity(plan.checks.len());
    for check in plan.checks {
        let mut variants = Vec::with_capacity(check.len());
        for terms in check {
            let mut postings = Vec::with_capacity(terms.len());
            for (_, t) in terms {
                match text.read_postings(t, IndexRecordOption::WithFreqsAndPositions)? {
                    Some(p) => postings.push(p),
                    None => break,
                }
            }
            let offsets = terms.iter().map(|(o, _)| *o).collect();
            variants.push((postings.len() == terms.len()).then_some((offsets, postings)));
        }
        checks.push(SegmentCheck(variants));
    }
    Ok(checks)
}

/// The best `k` hits over all segments, best first.
pub fn best(hits: &[SegmentHits], k: usize) -> Vec<Rank> {
    let mut all: Vec<Rank> = hits.iter().flat_map(|h| h.top.iter().copied()).collect();
    all.sort_unstable_by(|a, b| b.cmp(a));
    all.truncate(k);
    all
}

/// What a segment keeps for every search, built once (segments never change; deleted documents
/// drop out because hits never include them): each facet value with the documents that have
/// it, and the documents newest first.
pub struct SegmentCache {
    pub facets: Vec<(String, String, Bits)>,
    /// Every document, newest first (then by document): the page of a search whose hits all
    /// score alike is the first `k` of these that are hits.
    pub newest: Vec<DocId>,
}

impl SegmentCache {
    pub fn build(
        reader: &SegmentReader,
        field: Field,
        received_field: &str,
    ) -> tantivy::Result<SegmentCache> {
        let inverted = reader.inverted_index(field)?;
        let mut terms = inverted.terms().stream()?;
        let mut facets = Vec::new();
        while terms.advance() {
            let Ok(facet) = Facet::from_encoded(terms.key().to_vec()) else {
                continue;
            };
            let path = facet.to_path();
            let [dimension, value] = path.as_slice() else {
                continue;
            };
            let mut postings =
                inverted.read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)?;
            let mut bits = Bits::new(reader.max_doc());
            let mut doc = postings.doc();
            while doc != TERMINATED {
                bits.insert(doc);
                doc = postings.advance();
            }
            facets.push((dimension.to_string(), value.to_string(), bits));
        }
        let received = reader
            .fast_fields()
            .date(received_field)?
            .first_or_default_col(DateTime::MIN);
        let mut keyed: Vec<(i64, DocId)> = (0..reader.max_doc())
            .map(|d| (received.get_val(d).into_timestamp_micros(), d))
            .collect();
        keyed.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        Ok(SegmentCache {
            facets,
            newest: keyed.into_iter().map(|k| k.1).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_count_what_was_inserted_and_what_two_sets_share() {
        let mut a = Bits::new(200);
        let mut b = Bits::new(200);
        for d in [0, 63, 64, 130, 199] {
            a.insert(d);
        }
        for d in [63, 130, 150] {
            b.insert(d);
        }
        assert_eq!(a.len(), 5);
        assert_eq!(a.and_len(&b), 2);
        assert_eq!(a.iter().collect::<Vec<_>>(), [0, 63, 64, 130, 199]);
        a.retain(|d| d != 64 && d != 199);
        assert_eq!(a.iter().collect::<Vec<_>>(), [0, 63, 130]);
        assert!(a.contains(130) && !a.contains(64) && !a.contains(5000));
        assert_eq!(Bits::new(10).len(), 0);
    }

    #[test]
    fn ranks_order_by_score_then_newest_then_first_document() {
        let r = |score, received, doc| Rank {
            score,
            received,
            segment: 0,
            doc,
        };
        let mut v = [r(1.0, 5, 3), r(2.0, 1, 1), r(1.0, 9, 2), r(1.0, 5, 0)];
        v.sort_by(|a, b| b.cmp(a));
        let docs: Vec<DocId> = v.iter().map(|r| r.doc).collect();
        assert_eq!(docs, [1, 2, 0, 3]);
    }
}
