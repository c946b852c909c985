//! Reports of finished periods kept between requests.

use std::sync::{Arc, Mutex};

use crate::{OnTimeReport, Period};

/// The last few reports of finished periods, each with the position of the audit chain it was
/// computed at. A finished period's figures change only when a case's clocks change, and every
/// change to a case appends to the chain; so a report computed at the chain's current end is
/// still exact. The case lists behind each figure, the downloads and the page then cost nothing.
#[derive(Clone, Default)]
pub struct ReportCache(Arc<Mutex<Vec<CachedReport>>>);

struct CachedReport {
    period: Period,
    chain_seq: i64,
    report: Arc<OnTimeReport>,
}

impl ReportCache {
    /// Periods kept (each a month's lines can weigh tens of megabytes at a million cases).
    const KEEP: usize = 4;
    /// Reports with more case lines than this (a year at a large centre) are not kept.
    pub const MAX_LINES: usize = 250_000;

    /// Forgets every kept report (the calendar changed: provisional marks may differ).
    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// The report of `period` if it was computed at `chain_seq`; a report computed at another
    /// position is forgotten.
    pub fn get(&self, period: Period, chain_seq: i64) -> Option<Arc<OnTimeReport>> {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let Some(i) = kept.iter().position(|c| c.period == period) else {
            metrics::counter!("kuaiwei_report_cache_misses_total").increment(1);
            return None;
        };
        if kept[i].chain_seq != chain_seq {
            metrics::counter!("kuaiwei_report_cache_misses_total").increment(1);
            kept.remove(i);
            return None;
        }
        metrics::counter!("kuaiwei_report_cache_hits_total").increment(1);
        // most recently used last
        let hit = kept.remove(i);
        let report = hit.report.clone();
        kept.push(hit);
        Some(report)
    }

    /// Keeps `report` of `period`, computed at `chain_seq`, in place of the least recently
    /// used one if [`ReportCache::KEEP`] are kept.
    pub fn put(&self, period: Period, chain_seq: i64, report: Arc<OnTimeReport>) {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        kept.retain(|c| c.period != period);
        if kept.len() >= Self::KEEP {
            kept.remove(0);
        }
        kept.push(CachedReport {
            period,
            chain_seq,
            report,
        });
    }
}
