//! A served report with its freeze and corrections, and its JSON answer.

use std::borrow::Cow;
use std::sync::Arc;

use crate::{Correction, Definition, Figures, FreezeInfo, OnTimeReport, corrections};

/// A report with its freeze, if any.
pub struct Served {
    pub report: Arc<OnTimeReport>,
    pub frozen: Option<FreezeInfo>,
    /// For a frozen period: the clocks whose standing has changed since.
    pub corrections: Vec<Correction>,
    /// For a frozen period: the report as the clocks give it now (the corrections' source).
    pub live: Option<Arc<OnTimeReport>>,
}

impl Served {
    /// The report as one agency's staff see it: its own lines, figures added up again, and the
    /// corrections of its own cases; `None` leaves it whole.
    pub fn scoped(self, agency: Option<&str>) -> Served {
        let Some(agency) = agency else {
            return self;
        };
        let report = self.report.scoped_to(agency);
        let live = self.live.map(|l| Arc::new(l.scoped_to(agency)));
        let corrections = match &live {
            Some(l) => corrections(&report.lines, &l.lines),
            None => Vec::new(),
        };
        Served {
            report: Arc::new(report),
            frozen: self.frozen,
            corrections,
            live,
        }
    }
}

/// The JSON answer of a report (the API's `ReportBody`, the command line's JSON): the report's
/// own fields, then `frozen` and `corrections`. Serialized straight from the report, never
/// through a JSON tree (a month's case lines at a million cases are tens of megabytes of text,
/// and a tree of them ten times that).
#[derive(serde::Serialize)]
pub struct Answer<'a> {
    #[serde(flatten)]
    report: Cow<'a, OnTimeReport>,
    frozen: &'a Option<FreezeInfo>,
    corrections: &'a [Correction],
    /// For a report frozen under an earlier definition: the current definition and the
    /// headline it gives today, shown beside the frozen text (never replacing it).
    #[serde(skip_serializing_if = "Option::is_none")]
    recomputed: Option<Recomputed<'a>>,
}

/// The current reading of a period frozen under an earlier definition.
#[derive(serde::Serialize)]
pub struct Recomputed<'a> {
    definition: Definition,
    headline: &'a Figures,
}

impl<'a> Answer<'a> {
    /// The answer, with every case line or without any.
    pub fn of(s: &'a Served, with_lines: bool) -> Answer<'a> {
        Answer {
            report: if with_lines {
                Cow::Borrowed(&*s.report)
            } else {
                Cow::Owned(s.report.without_lines())
            },
            frozen: &s.frozen,
            corrections: &s.corrections,
            recomputed: s
                .live
                .as_deref()
                .filter(|_| !s.report.definition.is_current())
                .map(|l| Recomputed {
                    definition: Definition::current(),
                    headline: &l.headline,
                }),
        }
    }
}
