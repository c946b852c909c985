//! The benchmarks' bulk load (`insert_synthetic`, behind each backend's `bench` feature) held to
//! the real write path (#22 item 4): a seeded case enters the change log as a filed complaint
//! does, so the search indexer and `kuaiwei reindex` find it, and it reads back whole.
//!
//! Not stamped by `store_conformance_tests!` (the bulk load is no `Store` operation): each
//! backend's `tests/seeded.rs` calls it with its own loader.

use super::{T0, sample};
use crate::{Store, StoreError, SyntheticCase};

/// A generated case of `number`, received at `at`, in `state`, whose complaint is the one
/// [`sample`] `n` files.
pub fn seeded(n: u32, number: &str, at: &str, state: &str) -> SyntheticCase {
    let complaint = sample(n, at, "fair").complaint;
    SyntheticCase {
        case_number: number.into(),
        received_at: at.parse().expect("the time parses"),
        channel: "fair".into(),
        right_type: Some("trademark".into()),
        fair: complaint.channel.fair_label(),
        state: state.into(),
        agency: Some("market_regulation".into()),
        outcome: None,
        officer: None,
        next_due_at: None,
        clocks: Vec::new(),
        body: serde_json::to_string(&complaint).expect("a complaint serializes"),
        respondent_pending: n.is_multiple_of(2),
    }
}

pub async fn seeded_cases_enter_the_change_log_as_filed_ones_and_read_back<S: Store>(
    s: &S,
    load: impl AsyncFn(&S, &[SyntheticCase]) -> Result<(), StoreError>,
) {
    let filed = s.submit_complaint(sample(1, T0, "fair")).await.unwrap();
    let cases = [
        seeded(2, "KW-2025-000007", "2025-03-01T02:00:00Z", "opened"),
        seeded(3, "KW-2025-000008", "2025-03-02T02:00:00Z", "received"),
    ];
    load(s, &cases).await.unwrap();

    let log = s.changes_since(0, 100).await.unwrap();
    let rows: Vec<(&str, &str, &str)> = log
        .iter()
        .map(|c| (c.entity.as_str(), c.key.as_str(), c.op.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("complaint", filed.case_number.as_str(), "created"),
            ("complaint", "KW-2025-000007", "created"),
            ("complaint", "KW-2025-000008", "created"),
        ],
        "one row per seeded case, as intake writes one per filed complaint, in filing order"
    );
    assert!(log.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(log[1].at, cases[0].received_at);
    assert_eq!(s.change_head().await.unwrap(), log[2].seq);

    // what the indexer reads for each changed case
    for c in &cases {
        let record = s.complaint_of_case(&c.case_number).await.unwrap().unwrap();
        assert_eq!(serde_json::to_string(&record.complaint).unwrap(), c.body);
        assert_eq!(record.received_at, c.received_at);
        let case = s.case(&c.case_number).await.unwrap().unwrap();
        assert_eq!(case.state.key(), c.state);
    }

    // a later write comes after the seeded rows
    let next = s.submit_complaint(sample(4, T0, "fair")).await.unwrap();
    let tail = s.changes_since(log[2].seq, 100).await.unwrap();
    assert_eq!(tail.len(), 1);
    assert_eq!(tail[0].key, next.case_number.as_str());
}
