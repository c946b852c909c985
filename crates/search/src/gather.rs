//! One pass over the hits of a query that yields everything a search answers: the page (top
//! `k` by score or by date), the total, and the hits as a bit set per segment, from which facet
//! counts are one AND and one popcount per facet value ([`SegmentFacets`]) instead of a lookup
//! per hit. A query matching every one of 1,000,000 documents is counted in milliseconds.
//!
//! A term too long for one gram is found by its grams (an approximation) and then checked
//! here, hit by hit, against the positions of its bigrams ([`Check`]): a true two-phase match,
//! where a phrase scorer inside the query would scan past each candidate to the phrase's next
//! match anywhere in the segment.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use std::sync::Arc;
use tantivy::collector::{Collector, SegmentCollector};

use tantivy::Term;
use tantivy::columnar::ColumnValues;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::{DateTime, DocId, DocSet, Score, SegmentOrdinal, SegmentReader, TERMINATED};

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
/// variant's bigrams at consecutive positions.
pub type Check = Vec<Vec<Term>>;

/// Collects the best `k` hits (by score, or by date when `scored` is false) and every hit as
/// bits, keeping only hits that pass every check.
pub struct Gather {
    pub k: usize,
    pub scored: bool,
    pub received_field: &'static str,
    pub checks: Vec<Check>,
    /// The field of the checks' bigrams.
    pub text: Field,
}

/// A check's variants in one segment: the postings of each bigram (`None`: a bigram the
/// segment lacks, so the variant never matches there).
struct SegmentCheck(Vec<Option<Vec<SegmentPostings>>>);

impl SegmentCheck {
    fn passes(&mut self, doc: DocId, buf: &mut Vec<u32>, at: &mut Vec<u32>) -> bool {
        self.0
            .iter_mut()
            .any(|v| v.as_mut().is_some_and(|p| consecutive(p, doc, buf, at)))
    }
}

/// Whether `doc` holds the terms of `postings` at consecutive positions.
fn consecutive(
    postings: &mut [SegmentPostings],
    doc: DocId,
    buf: &mut Vec<u32>,
    at: &mut Vec<u32>,
) -> bool {
    for p in postings.iter_mut() {
        if p.doc() > doc || (p.doc() < doc && p.seek(doc) != doc) {
            return false;
        }
    }
    // `at`: where the phrase could start, narrowed term by term
    for (k, p) in postings.iter_mut().enumerate() {
        p.positions(buf);
        if k == 0 {
            std::mem::swap(at, buf);
        } else {
            let k = k as u32;
            at.retain(|start| buf.binary_search(&(start + k)).is_ok());
        }
        if at.is_empty() {
            return false;
        }
    }
    true
}

impl Collector for Gather {
    type Fruit = Vec<SegmentHits>;
    type Child = GatherSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<GatherSegment> {
        let text = reader.inverted_index(self.text)?;
        let mut checks = Vec::with_capacity(self.checks.len());
        for check in &self.checks {
            let mut variants = Vec::with_capacity(check.len());
            for terms in check {
                let mut postings = Vec::with_capacity(terms.len());
                for t in terms {
                    match text.read_postings(t, IndexRecordOption::WithFreqsAndPositions)? {
                        Some(p) => postings.push(p),
                        None => break,
                    }
                }
                variants.push((postings.len() == terms.len()).then_some(postings));
            }
            checks.push(SegmentCheck(variants));
        }
        Ok(GatherSegment {
            checks,
            buf: Vec::new(),
            at: Vec::new(),
            segment,
            bits: Bits::new(reader.max_doc()),
            top: BinaryHeap::with_capacity(self.k.min(1024) + 1),
            k: self.k,
            received: reader
                .fast_fields()
                .date(self.received_field)?
                .first_or_default_col(DateTime::MIN),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.scored
    }

    fn merge_fruits(&self, fruits: Vec<SegmentHits>) -> tantivy::Result<Vec<SegmentHits>> {
        Ok(fruits)
    }
}

pub struct GatherSegment {
    checks: Vec<SegmentCheck>,
    buf: Vec<u32>,
    at: Vec<u32>,
    segment: SegmentOrdinal,
    bits: Bits,
    top: BinaryHeap<Reverse<Rank>>,
    k: usize,
    received: Arc<dyn ColumnValues<DateTime>>,
}

impl SegmentCollector for GatherSegment {
    type Fruit = SegmentHits;

    fn collect(&mut self, doc: DocId, score: Score) {
        for c in &mut self.checks {
            if !c.passes(doc, &mut self.buf, &mut self.at) {
                return;
            }
        }
        self.bits.insert(doc);
        if self.k == 0 {
            return;
        }
        if self.top.len() == self.k
            && let Some(Reverse(worst)) = self.top.peek()
            && score < worst.score
        {
            return;
        }
        let rank = Rank {
            score,
            received: self.received.get_val(doc).into_timestamp_micros(),
            segment: self.segment,
            doc,
        };
        if self.top.len() < self.k {
            self.top.push(Reverse(rank));
        } else if let Some(mut worst) = self.top.peek_mut()
            && rank > worst.0
        {
            *worst = Reverse(rank);
        }
    }

    fn harvest(self) -> SegmentHits {
        SegmentHits {
            segment: self.segment,
            bits: self.bits,
            top: self.top.into_iter().map(|r| r.0).collect(),
        }
    }
}

/// The best `k` hits over all segments, best first.
pub fn best(hits: &[SegmentHits], k: usize) -> Vec<Rank> {
    let mut all: Vec<Rank> = hits.iter().flat_map(|h| h.top.iter().copied()).collect();
    all.sort_unstable_by(|a, b| b.cmp(a));
    all.truncate(k);
    all
}

/// Each facet value of one segment with the documents that have it: built once per segment
/// (segments never change; deleted documents drop out because hits never include them).
pub struct SegmentFacets(pub Vec<(String, String, Bits)>);

impl SegmentFacets {
    pub fn build(reader: &SegmentReader, field: Field) -> tantivy::Result<SegmentFacets> {
        let inverted = reader.inverted_index(field)?;
        let mut terms = inverted.terms().stream()?;
        let mut out = Vec::new();
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
            out.push((dimension.to_string(), value.to_string(), bits));
        }
        Ok(SegmentFacets(out))
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
