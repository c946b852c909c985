//! Excluded periods as merged, half-open intervals, so that overlaps are never counted twice.

use jiff::civil::Date;

use crate::procedure::ExclusionKind;

/// `[from, to)` with the kinds of excluded period that cover it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Interval<T> {
    pub from: T,
    pub to: T,
    pub kinds: Vec<ExclusionKind>,
    /// An open period, counted up to "now".
    pub open: bool,
}

/// Sorts, drops empty intervals and merges overlapping or touching ones (their kinds united).
pub(crate) fn merge<T: Ord + Copy>(mut items: Vec<Interval<T>>) -> Vec<Interval<T>> {
    items.retain(|i| i.from < i.to);
    items.sort_by(|a, b| a.from.cmp(&b.from).then(a.to.cmp(&b.to)));
    let mut out: Vec<Interval<T>> = Vec::with_capacity(items.len());
    for item in items {
        match out.last_mut() {
            Some(last) if item.from <= last.to => {
                last.to = last.to.max(item.to);
                last.open |= item.open;
                for k in item.kinds {
                    if !last.kinds.contains(&k) {
                        last.kinds.push(k);
                    }
                }
            }
            _ => out.push(item),
        }
    }
    out
}

/// Merged excluded local dates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct DateRanges(Vec<Interval<Date>>);

impl DateRanges {
    pub(crate) fn new(items: Vec<Interval<Date>>) -> Self {
        DateRanges(merge(items))
    }

    pub(crate) fn spans(&self) -> &[Interval<Date>] {
        &self.0
    }

    /// The first `n` spans only (used to explain the effect of each span in turn).
    pub(crate) fn prefix(&self, n: usize) -> DateRanges {
        DateRanges(self.0.iter().take(n).cloned().collect())
    }

    /// Index of the span holding `d`, if any.
    pub(crate) fn find(&self, d: Date) -> Option<usize> {
        let i = self.0.partition_point(|s| s.from <= d);
        (i > 0 && d < self.0[i - 1].to).then(|| i - 1)
    }

    pub(crate) fn contains(&self, d: Date) -> bool {
        self.find(d).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn iv(from: Date, to: Date, kind: ExclusionKind) -> Interval<Date> {
        Interval {
            from,
            to,
            kinds: vec![kind],
            open: false,
        }
    }

    #[test]
    fn overlapping_periods_merge_into_one_with_both_kinds() {
        let merged = merge(vec![
            iv(date(2026, 10, 5), date(2026, 10, 9), ExclusionKind::Hearing),
            iv(
                date(2026, 10, 1),
                date(2026, 10, 6),
                ExclusionKind::Suspension,
            ),
            iv(date(2026, 11, 1), date(2026, 11, 1), ExclusionKind::Notice),
        ]);
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].from, date(2026, 10, 1));
        assert_eq!(merged[0].to, date(2026, 10, 9));
        assert_eq!(
            merged[0].kinds,
            vec![ExclusionKind::Suspension, ExclusionKind::Hearing]
        );
    }

    #[test]
    fn the_end_date_of_a_range_is_not_excluded() {
        let r = DateRanges::new(vec![iv(
            date(2026, 10, 1),
            date(2026, 10, 3),
            ExclusionKind::Bond,
        )]);
        assert!(!r.contains(date(2026, 9, 30)));
        assert!(r.contains(date(2026, 10, 1)));
        assert!(r.contains(date(2026, 10, 2)));
        assert!(!r.contains(date(2026, 10, 3)));
    }
}
