//! One behaviour suite for every backend. A backend stamps it onto itself with
//! `kuaiwei_store::store_conformance_tests!(make_store())`, where `make_store()` is an async
//! expression yielding `Option<impl Store>` (None: the backend is not available here, and the
//! suite says so loudly instead of passing quietly).

use std::collections::HashSet;

use jiff::Timestamp;
use kuaiwei_domain::{ComplaintInput, ComplaintStatus};

use crate::{ComplaintFilter, EvidenceRef, IdempotencyKey, NewComplaint, Page, Store, StoreError};

/// A valid complaint whose text and respondent depend on `n`, received at `at`.
pub fn sample(n: u32, at: &str, channel: &str) -> NewComplaint {
    let channel = match channel {
        "ecommerce" => serde_json::json!({"kind": "ecommerce", "platform": "淘宝",
            "listing_urls": [format!("https://item.taobao.com/item.htm?id={n}")]}),
        _ => {
            serde_json::json!({"kind": "fair", "fair_name": "第138届广交会", "booth": format!("16.1K{n}")})
        }
    };
    let input: ComplaintInput = serde_json::from_value(serde_json::json!({
        "channel": channel,
        "complainant": {"kind": "organisation", "name": "耐克创新有限合伙公司", "mobile": "13812345678"},
        "rights": [{"kind": "trademark", "number": "1234567", "nice_classes": [25]}],
        "respondent": {"name": format!("被投诉人{n}号鞋业有限公司")},
        "description": format!("第{n}号投诉：展出的运动鞋使用了与注册商标相同的标识"),
    }))
    .expect("sample input parses");
    NewComplaint {
        complaint: input.validate().expect("sample input is valid"),
        received_at: at.parse().expect("sample time parses"),
        token_hash: token_hash(n),
        tracking_token: format!("token-{n}"),
        idempotency: None,
        evidence: Vec::new(),
    }
}

pub fn token_hash(n: u32) -> [u8; 32] {
    let mut h = [7u8; 32];
    h[..4].copy_from_slice(&n.to_be_bytes());
    h
}

fn evidence(tag: u8) -> EvidenceRef {
    EvidenceRef {
        sha256: format!("{tag:02x}").repeat(32),
        size: 1000 + u64::from(tag),
        media_type: "image/jpeg".into(),
        filename: Some(format!("照片{tag}.jpg")),
    }
}

const T0: &str = "2026-10-15T02:00:00Z";

pub async fn case_numbers_run_in_sequence_within_a_year(s: &impl Store) {
    let a = s.submit_complaint(sample(1, T0, "fair")).await.unwrap();
    let b = s.submit_complaint(sample(2, T0, "fair")).await.unwrap();
    assert_eq!(a.case_number.as_str(), "KW-2026-000001");
    assert_eq!(b.case_number.as_str(), "KW-2026-000002");
    assert_eq!(a.status, ComplaintStatus::Received);
    assert!(!a.replayed);
}

pub async fn the_case_year_is_the_year_in_shanghai(s: &impl Store) {
    // 2026-12-31T16:30Z is 2027-01-01 00:30 in Shanghai: the first case of 2027.
    s.submit_complaint(sample(1, T0, "fair")).await.unwrap();
    let r = s
        .submit_complaint(sample(2, "2026-12-31T16:30:00Z", "fair"))
        .await
        .unwrap();
    assert_eq!(r.case_number.as_str(), "KW-2027-000001");
}

pub async fn concurrent_submissions_get_distinct_gapless_numbers(s: &(impl Store + Clone)) {
    let tasks: Vec<_> = (0..120u32)
        .map(|n| {
            let s = s.clone();
            tokio::spawn(async move { s.submit_complaint(sample(n, T0, "fair")).await })
        })
        .collect();
    let mut seen = HashSet::new();
    for t in tasks {
        let r = t.await.unwrap().unwrap();
        assert!(seen.insert(r.case_number.as_str().to_string()));
    }
    let expected: HashSet<String> = (1..=120).map(|n| format!("KW-2026-{n:06}")).collect();
    assert_eq!(seen, expected);
}

pub async fn a_complaint_reads_back_only_with_its_token(s: &impl Store) {
    let mut new = sample(5, T0, "fair");
    new.evidence = vec![evidence(1), evidence(2)];
    let original = new.complaint.clone();
    let r = s.submit_complaint(new).await.unwrap();
    assert_eq!(r.evidence.len(), 2);
    let got = s
        .complaint_for_complainant(r.case_number.as_str(), &token_hash(5))
        .await
        .unwrap()
        .expect("found with the right token");
    assert_eq!(got.complaint, original);
    assert_eq!(got.case_number, r.case_number);
    assert_eq!(got.received_at, r.received_at);
    assert_eq!(got.evidence, vec![evidence(1), evidence(2)]);
    assert!(
        s.complaint_for_complainant(r.case_number.as_str(), &token_hash(6))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        s.complaint_for_complainant("KW-2026-999999", &token_hash(5))
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn the_same_evidence_may_back_two_complaints(s: &impl Store) {
    for n in [1, 2] {
        let mut new = sample(n, T0, "fair");
        new.evidence = vec![evidence(9)];
        s.submit_complaint(new).await.unwrap();
    }
    let got = s
        .complaint_for_complainant("KW-2026-000002", &token_hash(2))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.evidence, vec![evidence(9)]);
}

fn keyed(n: u32, key: &str, body: u8) -> NewComplaint {
    let mut new = sample(n, T0, "fair");
    new.idempotency = Some(IdempotencyKey {
        key: key.into(),
        request_hash: [body; 32],
    });
    new
}

pub async fn a_retry_with_the_same_key_returns_the_first_receipt(s: &impl Store) {
    let first = s
        .submit_complaint(keyed(1, "phone-retry-1", 1))
        .await
        .unwrap();
    let again = s
        .submit_complaint(keyed(2, "phone-retry-1", 1))
        .await
        .unwrap();
    assert!(again.replayed);
    assert_eq!(again.case_number, first.case_number);
    assert_eq!(again.tracking_token, first.tracking_token);
    assert_eq!(again.received_at, first.received_at);
    let changes = s.changes_since(0, 100).await.unwrap();
    assert_eq!(changes.len(), 1, "a replay writes nothing");
    let next = s.submit_complaint(sample(3, T0, "fair")).await.unwrap();
    assert_eq!(next.case_number.as_str(), "KW-2026-000002");
}

pub async fn a_reused_key_with_another_body_is_refused(s: &impl Store) {
    s.submit_complaint(keyed(1, "k", 1)).await.unwrap();
    let err = s.submit_complaint(keyed(1, "k", 2)).await.unwrap_err();
    assert!(matches!(err, StoreError::IdempotencyMismatch), "{err:?}");
    assert_eq!(s.changes_since(0, 100).await.unwrap().len(), 1);
}

pub async fn concurrent_retries_store_the_complaint_once(s: &(impl Store + Clone)) {
    let tasks: Vec<_> = (0..20u32)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.submit_complaint(keyed(1, "burst", 3)).await })
        })
        .collect();
    let mut numbers = HashSet::new();
    for t in tasks {
        numbers.insert(t.await.unwrap().unwrap().case_number);
    }
    assert_eq!(numbers.len(), 1);
    assert_eq!(s.changes_since(0, 100).await.unwrap().len(), 1);
}

pub async fn purged_keys_no_longer_replay(s: &impl Store) {
    let first = s.submit_complaint(keyed(1, "old", 1)).await.unwrap();
    let purged = s
        .purge_idempotency("2026-10-16T00:00:00Z".parse::<Timestamp>().unwrap())
        .await
        .unwrap();
    assert_eq!(purged, 1);
    let second = s.submit_complaint(keyed(1, "old", 1)).await.unwrap();
    assert_ne!(second.case_number, first.case_number);
}

pub async fn every_write_appends_to_the_change_log_in_order(s: &impl Store) {
    for n in 1..=5 {
        s.submit_complaint(sample(n, T0, "fair")).await.unwrap();
    }
    let all = s.changes_since(0, 100).await.unwrap();
    assert_eq!(all.len(), 5);
    assert!(all.windows(2).all(|w| w[0].seq < w[1].seq));
    assert!(
        all.iter()
            .all(|c| c.entity == "complaint" && c.op == "created")
    );
    assert_eq!(all[0].key, "KW-2026-000001");
    let tail = s.changes_since(all[2].seq, 100).await.unwrap();
    assert_eq!(tail, all[3..].to_vec());
    assert_eq!(s.changes_since(0, 2).await.unwrap(), all[..2].to_vec());
}

pub async fn listings_are_newest_first_filtered_and_paged(s: &impl Store) {
    for n in 1..=7 {
        let channel = if n % 2 == 0 { "ecommerce" } else { "fair" };
        let at = format!("2026-10-{:02}T02:00:00Z", 10 + n);
        s.submit_complaint(sample(n, &at, channel)).await.unwrap();
    }
    let first = s
        .list_complaints(&ComplaintFilter::default(), Page::first(3))
        .await
        .unwrap();
    let numbers: Vec<_> = first.iter().map(|c| c.case_number.as_str()).collect();
    assert_eq!(
        numbers,
        ["KW-2026-000007", "KW-2026-000006", "KW-2026-000005"]
    );
    let next = Page {
        limit: 3,
        before_id: Some(first[2].id),
    };
    let second = s
        .list_complaints(&ComplaintFilter::default(), next)
        .await
        .unwrap();
    assert_eq!(second[0].case_number.as_str(), "KW-2026-000004");
    assert_eq!(second.len(), 3);

    let shops = ComplaintFilter {
        channel: Some("ecommerce".into()),
        ..Default::default()
    };
    let got = s.list_complaints(&shops, Page::first(50)).await.unwrap();
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|c| c.channel == "ecommerce"));

    let window = ComplaintFilter {
        received_from: Some("2026-10-13T00:00:00Z".parse().unwrap()),
        received_before: Some("2026-10-15T00:00:00Z".parse().unwrap()),
        ..Default::default()
    };
    let got = s.list_complaints(&window, Page::first(50)).await.unwrap();
    let numbers: Vec<_> = got.iter().map(|c| c.case_number.as_str()).collect();
    assert_eq!(numbers, ["KW-2026-000004", "KW-2026-000003"]);
    assert_eq!(
        got[0].respondent.as_deref(),
        Some("被投诉人4号鞋业有限公司")
    );
}

pub async fn the_store_answers_a_ping(s: &impl Store) {
    s.ping().await.unwrap();
}

/// Stamps every conformance test onto a backend. `$make` is an async expression returning
/// `Option<S>` where `S: Store + Clone`, a fresh, empty store per call.
#[macro_export]
macro_rules! store_conformance_tests {
    ($make:expr) => {
        $crate::store_conformance_tests!(@each $make;
            case_numbers_run_in_sequence_within_a_year,
            the_case_year_is_the_year_in_shanghai,
            concurrent_submissions_get_distinct_gapless_numbers,
            a_complaint_reads_back_only_with_its_token,
            the_same_evidence_may_back_two_complaints,
            a_retry_with_the_same_key_returns_the_first_receipt,
            a_reused_key_with_another_body_is_refused,
            concurrent_retries_store_the_complaint_once,
            purged_keys_no_longer_replay,
            every_write_appends_to_the_change_log_in_order,
            listings_are_newest_first_filtered_and_paged,
            the_store_answers_a_ping
        );
    };
    (@each $make:expr; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                match $make.await {
                    Some(store) => $crate::conformance::$name(&store).await,
                    None => eprintln!(
                        "\n!!! SKIPPED {} on this backend: it is not configured here !!!\n",
                        stringify!($name)
                    ),
                }
            }
        )*
    };
}
