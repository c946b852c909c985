//! One behaviour suite for every backend. A backend stamps it onto itself with
//! `kuaiwei_store::store_conformance_tests!(make_store())`, where `make_store()` is an async
//! expression yielding `Option<impl Store>` (None: the backend is not available here, and the
//! suite says so loudly instead of passing quietly).

use std::collections::HashSet;

use jiff::Timestamp;
use kuaiwei_deadlines::{
    ClockInputs, ClockStatus, Exclusion, ExclusionKind, Extension, ExtensionGrant,
};
use kuaiwei_domain::{CaseNumber, CaseState, ComplaintInput, ComplaintStatus, Outcome};
use serde_json::json;

mod seeded;
mod staff;
pub use seeded::*;
pub use staff::*;

use crate::{
    CaseUpdate, ClockStanding, ComplaintFilter, Correction, EvidenceRef, IdempotencyKey,
    LinkedCase, NewComplaint, NewEvent, Page, PendingExtension, QueueFilter, Receipt,
    RespondentCorrection, Store, StoreError, StoredClock, verify_chain,
};

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
        source: None,
        messages: Vec::new(),
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
        material: crate::DEFAULT_MATERIAL.into(),
        meta: crate::EvidenceMeta {
            width: Some(640),
            height: Some(480),
            captured_at: Some("2026:04:15 10:31:02".into()),
            gps_e6: Some((23_110_000, 113_355_000)),
            phash: Some(0x0f0f_1234_5678_9abc_i64),
            ..Default::default()
        },
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

pub async fn mixed_concurrent_retries_misuse_and_filings_keep_every_promise(
    s: &(impl Store + Clone),
) {
    // 10 keys retried 4 times each, one misuse of each key with another body, 20 plain filings,
    // all at once: batches then hold first uses, in-batch repeats and earlier keys together.
    let mut tasks = Vec::new();
    for k in 0..10u32 {
        for _ in 0..4 {
            let s = s.clone();
            tasks.push(tokio::spawn(async move {
                (
                    Some(k),
                    false,
                    s.submit_complaint(keyed(k, &format!("key-{k}"), 1)).await,
                )
            }));
        }
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            (
                Some(k),
                true,
                s.submit_complaint(keyed(k, &format!("key-{k}"), 2)).await,
            )
        }));
    }
    for n in 100..120u32 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            (None, false, s.submit_complaint(sample(n, T0, "fair")).await)
        }));
    }
    // Per key: case numbers answered, fresh receipts, replays, refusals.
    let mut by_key: std::collections::HashMap<u32, (HashSet<String>, u32, u32, u32)> =
        Default::default();
    for t in tasks {
        match t.await.unwrap() {
            (Some(k), _, result) => {
                let e = by_key.entry(k).or_default();
                match result {
                    Ok(r) if r.replayed => {
                        e.0.insert(r.case_number.to_string());
                        e.2 += 1;
                    }
                    Ok(r) => {
                        e.0.insert(r.case_number.to_string());
                        e.1 += 1;
                    }
                    Err(StoreError::IdempotencyMismatch) => e.3 += 1,
                    Err(other) => panic!("{other:?}"),
                }
            }
            (None, _, result) => assert!(!result.unwrap().replayed),
        }
    }
    // Whichever body used a key first filed it; the other body was refused every time.
    for (k, (numbers, fresh, replays, refused)) in &by_key {
        assert_eq!(numbers.len(), 1, "key {k}");
        assert_eq!(*fresh, 1, "key {k}");
        assert!(
            (*replays, *refused) == (3, 1) || (*replays, *refused) == (0, 4),
            "key {k}: {replays} replays, {refused} refused"
        );
    }
    let changes = s.changes_since(0, 1000).await.unwrap();
    assert_eq!(changes.len(), 30);
    let numbers: HashSet<_> = changes.iter().map(|c| c.key.clone()).collect();
    let expected: HashSet<String> = (1..=30).map(|n| format!("KW-2026-{n:06}")).collect();
    assert_eq!(numbers, expected, "gapless numbering");
    assert_eq!(chain_is_whole(s).await, 30);
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
    assert_eq!(s.change_head().await.unwrap(), 0, "an empty log");
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
    assert_eq!(s.change_head().await.unwrap(), all[4].seq);
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

fn clock(procedure: &str, started: Option<&str>, due: Option<&str>) -> StoredClock {
    StoredClock {
        procedure_id: procedure.into(),
        started_at: started.map(|t| t.parse().unwrap()),
        closed_at: None,
        due_at: due.map(|t| t.parse().unwrap()),
        status: if started.is_some() {
            ClockStanding::Computed(ClockStatus::Running)
        } else {
            ClockStanding::Pending
        },
        inputs: ClockInputs::default(),
    }
}

fn step(
    number: &str,
    version: i64,
    state: CaseState,
    agency: Option<&str>,
    clocks: Vec<StoredClock>,
) -> CaseUpdate {
    CaseUpdate {
        case_number: CaseNumber::parse(number).unwrap(),
        expected_version: version,
        state,
        agency: agency.map(str::to_string),
        outcome: None,
        clocks,
        supervised: false,
        officer: None,
        added_evidence: Vec::new(),
        materials_received_at: None,
        pending_extension: PendingExtension::Keep,
        transfer_proposed_by: None,
        event: NewEvent {
            actor: "caseworker:wang".into(),
            kind: state.key().into(),
            payload: serde_json::json!({"state": state.key()}),
            reason: Some("材料齐全".into()),
        },
        at: "2026-10-16T01:00:00Z".parse().unwrap(),
        linked: Vec::new(),
        messages: Vec::new(),
    }
}

async fn chain_is_whole(s: &impl Store) -> usize {
    let events = s.audit_events(0, 10_000).await.unwrap();
    let head = s.audit_head().await.unwrap();
    verify_chain(&events, head.as_ref().map(|(q, h)| (*q, h.as_str()))).unwrap()
}

pub async fn a_filed_complaint_is_a_received_case_with_its_first_event(s: &impl Store) {
    let r = s.submit_complaint(sample(1, T0, "fair")).await.unwrap();
    let case = s.case(r.case_number.as_str()).await.unwrap().unwrap();
    assert_eq!(case.state, CaseState::Received);
    assert_eq!(case.version, 1);
    assert_eq!(case.received_at, r.received_at);
    assert_eq!(
        case.materials_received_at, r.received_at,
        "the filing is the materials"
    );
    assert_eq!(case.pending_extension, None);
    let events = s.case_events(r.case_number.as_str()).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, "received");
    assert_eq!(events[0].actor, "complainant");
    assert_eq!(chain_is_whole(s).await, 1);
    assert!(s.case("KW-2026-999999").await.unwrap().is_none());
}

pub async fn the_received_event_seals_the_complaint_as_filed(s: &impl Store) {
    let mut with_files = sample(1, T0, "ecommerce");
    with_files.evidence = vec![evidence(0xa1), evidence(0xa2)];
    let first = s.submit_complaint(with_files).await.unwrap();
    for n in 2..=3 {
        s.submit_complaint(sample(n, T0, "fair")).await.unwrap();
    }
    let page = s.filed_complaints(0, 2).await.unwrap();
    assert_eq!(page.len(), 2);
    assert_eq!(page[0].case_number, first.case_number.as_str());
    let digests: Vec<&str> = page[0].evidence.iter().map(|e| e.sha256.as_str()).collect();
    assert_eq!(digests, [&"a1".repeat(32), &"a2".repeat(32)]);
    assert_eq!(page[0].evidence[0].size, 1000 + 0xa1);
    assert!(page[1].evidence.is_empty());
    let rest = s.filed_complaints(page[1].id, 10).await.unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].case_number, "KW-2026-000003");
    assert!(s.filed_complaints(rest[0].id, 10).await.unwrap().is_empty());
    // the digest of the body as the database gives it back (PostgreSQL's jsonb reorders its
    // keys) is the digest sealed in the received event at filing
    for filed in page.iter().chain(&rest) {
        let complaint: kuaiwei_domain::Complaint = serde_json::from_str(&filed.body).unwrap();
        let events = s.case_events(&filed.case_number).await.unwrap();
        let payload: serde_json::Value = serde_json::from_str(&events[0].payload).unwrap();
        assert_eq!(
            payload["complaint"].as_str(),
            Some(crate::complaint_digest(&complaint).as_str()),
            "{}",
            filed.case_number
        );
    }
    let stored = s
        .complaint_of_case("KW-2026-000002")
        .await
        .unwrap()
        .unwrap();
    let mut edited = stored.complaint.clone();
    edited.description.push('!');
    assert_ne!(
        crate::complaint_digest(&edited),
        crate::complaint_digest(&stored.complaint)
    );
}

pub async fn steps_move_the_case_store_its_clocks_and_extend_the_chain(s: &impl Store) {
    let r = s.submit_complaint(sample(1, T0, "fair")).await.unwrap();
    let n = r.case_number.as_str();
    s.update_case(step(n, 1, CaseState::Accepted, None, vec![]))
        .await
        .unwrap();
    let mut p1 = clock(
        "P1",
        Some("2026-10-16T01:00:00Z"),
        Some("2026-10-22T16:00:00Z"),
    );
    // the inputs come back as they went in: an open pause and an approved extension
    p1.status = ClockStanding::Computed(ClockStatus::Paused);
    p1.inputs = ClockInputs {
        exclusions: vec![Exclusion {
            kind: ExclusionKind::Suspension,
            from: "2026-10-17T01:00:00Z".parse().unwrap(),
            to: None,
            reason: "等待鉴定".into(),
        }],
        extensions: vec![Extension {
            approved_at: "2026-10-16T03:00:00Z".parse().unwrap(),
            approver: "supervisor:wang".into(),
            grant: ExtensionGrant::Amount("5wd".parse().unwrap()),
        }],
    };
    let clocks = vec![p1, clock("P3", None, None)];
    let done = s
        .update_case(step(
            n,
            2,
            CaseState::Routed,
            Some("ip_office"),
            clocks.clone(),
        ))
        .await
        .unwrap();
    assert_eq!(done.version, 3);
    let case = s.case(n).await.unwrap().unwrap();
    assert_eq!(case.state, CaseState::Routed);
    assert_eq!(case.agency.as_deref(), Some("ip_office"));
    assert_eq!(case.clocks, clocks);
    let kinds: Vec<_> = s
        .case_events(n)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["received", "accepted", "routed"]);
    assert_eq!(chain_is_whole(s).await, 3);
}

pub async fn a_stale_step_is_refused_and_changes_nothing(s: &impl Store) {
    let r = s.submit_complaint(sample(1, T0, "fair")).await.unwrap();
    let n = r.case_number.as_str();
    s.update_case(step(n, 1, CaseState::Accepted, None, vec![]))
        .await
        .unwrap();
    let err = s
        .update_case(step(n, 1, CaseState::Refused, None, vec![]))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::VersionConflict), "{err:?}");
    assert_eq!(s.case(n).await.unwrap().unwrap().state, CaseState::Accepted);
    assert_eq!(s.case_events(n).await.unwrap().len(), 2);
    let missing = s
        .update_case(step("KW-2026-999999", 1, CaseState::Accepted, None, vec![]))
        .await
        .unwrap_err();
    assert!(matches!(missing, StoreError::NotFound), "{missing:?}");
}

pub async fn of_two_concurrent_steps_from_one_version_exactly_one_wins(s: &(impl Store + Clone)) {
    let r = s.submit_complaint(sample(1, T0, "fair")).await.unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let s = s.clone();
            let n = r.case_number.to_string();
            let state = if i % 2 == 0 {
                CaseState::Accepted
            } else {
                CaseState::Refused
            };
            tokio::spawn(async move { s.update_case(step(&n, 1, state, None, vec![])).await })
        })
        .collect();
    let mut wins = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => wins += 1,
            Err(StoreError::VersionConflict) => {}
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(wins, 1);
    assert_eq!(
        s.case_events(r.case_number.as_str()).await.unwrap().len(),
        2
    );
    chain_is_whole(s).await;
}

pub async fn a_transfer_opens_a_linked_case_at_the_receiving_agency(s: &impl Store) {
    let r = s.submit_complaint(sample(1, T0, "fair")).await.unwrap();
    let n = r.case_number.as_str();
    s.update_case(step(n, 1, CaseState::Accepted, None, vec![]))
        .await
        .unwrap();
    s.update_case(step(
        n,
        2,
        CaseState::Routed,
        Some("market_regulation"),
        vec![],
    ))
    .await
    .unwrap();
    let mut transfer = step(
        n,
        3,
        CaseState::Transferred,
        Some("market_regulation"),
        vec![],
    );
    transfer.outcome = Some(Outcome::Transferred);
    transfer.linked = vec![LinkedCase::transfer(
        "police",
        vec![clock(
            "T3",
            Some("2026-10-16T01:00:00Z"),
            Some("2026-10-19T16:00:00Z"),
        )],
    )];
    let done = s.update_case(transfer).await.unwrap();
    assert_eq!(done.linked.len(), 1);
    let linked = done.linked[0].clone();
    assert_eq!(linked.as_str(), "KW-2026-000002");
    let police = s.case(linked.as_str()).await.unwrap().unwrap();
    assert_eq!(police.state, CaseState::Routed);
    assert_eq!(police.agency.as_deref(), Some("police"));
    assert_eq!(police.parent.as_ref().map(CaseNumber::as_str), Some(n));
    assert_eq!(police.clocks[0].procedure_id, "T3");
    let original = s.case(n).await.unwrap().unwrap();
    assert_eq!(original.outcome, Some(Outcome::Transferred));
    // every step and the linked case are on the change log, in the step's transaction, for the
    // search indexer
    let changes: Vec<(String, String, String)> = s
        .changes_since(0, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.entity, c.key, c.op))
        .collect();
    let entry = |e: &str, k: &str, o: &str| (e.to_string(), k.to_string(), o.to_string());
    assert_eq!(
        changes,
        vec![
            entry("complaint", n, "created"),
            entry("case", n, "updated"),
            entry("case", n, "updated"),
            entry("case", n, "updated"),
            entry("case", linked.as_str(), "created"),
        ]
    );
    let theirs = s.complaint_of_case(linked.as_str()).await.unwrap().unwrap();
    let ours = s.complaint_of_case(n).await.unwrap().unwrap();
    assert_eq!(
        theirs.complaint, ours.complaint,
        "a linked case shares its parent's complaint"
    );
    assert_eq!(
        theirs.case_number.as_str(),
        n,
        "the complaint keeps its own case number"
    );
    assert!(
        s.complaint_of_case("KW-2026-999999")
            .await
            .unwrap()
            .is_none()
    );
    let kinds: Vec<_> = s
        .case_events(linked.as_str())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["transferred_in"]);
    assert_eq!(chain_is_whole(s).await, 5);
}

/// A complaint naming rights of several authorities is routed to the first and opens a linked
/// case, with its own clocks and first event, for each other one, in the step's transaction.
pub async fn a_route_to_several_authorities_opens_a_linked_case_for_each(s: &impl Store) {
    let r = s.submit_complaint(sample(1, T0, "fair")).await.unwrap();
    let n = r.case_number.as_str();
    s.update_case(step(n, 1, CaseState::Accepted, None, vec![]))
        .await
        .unwrap();
    let mut route = step(n, 2, CaseState::Routed, Some("ip_office"), vec![]);
    route.linked = vec![
        LinkedCase {
            agency: "market_regulation".into(),
            clocks: vec![clock(
                "M1",
                Some("2026-10-16T01:00:00Z"),
                Some("2026-11-05T16:00:00Z"),
            )],
            event_kind: "routed_in".into(),
            event_payload: serde_json::json!({"rule_id": "trademark", "rights": ["trademark"]}),
        },
        LinkedCase {
            agency: "police".into(),
            clocks: vec![clock(
                "T1",
                Some("2026-10-16T01:00:00Z"),
                Some("2026-10-19T16:00:00Z"),
            )],
            event_kind: "routed_in".into(),
            event_payload: serde_json::json!({"rule_id": "criminal_copyright"}),
        },
    ];
    let done = s.update_case(route).await.unwrap();
    assert_eq!(done.linked.len(), 2);
    for (number, agency, first) in [
        (&done.linked[0], "market_regulation", "M1"),
        (&done.linked[1], "police", "T1"),
    ] {
        let c = s.case(number.as_str()).await.unwrap().unwrap();
        assert_eq!(c.state, CaseState::Routed);
        assert_eq!(c.agency.as_deref(), Some(agency));
        assert_eq!(c.parent.as_ref().map(CaseNumber::as_str), Some(n));
        assert_eq!(c.clocks[0].procedure_id, first);
        let events = s.case_events(number.as_str()).await.unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].kind, "routed_in");
        let payload: serde_json::Value = serde_json::from_str(&events[0].payload).unwrap();
        assert_eq!(payload["from_case"], n);
        assert_eq!(payload["agency"], agency);
    }
    let first: serde_json::Value =
        serde_json::from_str(&s.case_events(done.linked[0].as_str()).await.unwrap()[0].payload)
            .unwrap();
    assert_eq!(first["rule_id"], "trademark");
    assert_ne!(done.linked[0], done.linked[1]);
    let listed: Vec<String> = s
        .linked_cases(n)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.case_number.to_string())
        .collect();
    assert_eq!(
        listed,
        [done.linked[0].to_string(), done.linked[1].to_string()]
    );
    assert!(
        s.linked_cases(done.linked[0].as_str())
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn queues_sort_by_due_date_within_an_agency(s: &impl Store) {
    let dues = [
        "2026-10-25T16:00:00Z",
        "2026-10-20T16:00:00Z",
        "2026-10-30T16:00:00Z",
    ];
    for (i, due) in dues.iter().enumerate() {
        let r = s
            .submit_complaint(sample(i as u32, T0, "fair"))
            .await
            .unwrap();
        let n = r.case_number.as_str();
        s.update_case(step(n, 1, CaseState::Accepted, None, vec![]))
            .await
            .unwrap();
        let agency = if i == 2 { "customs" } else { "ip_office" };
        let mut clocks = vec![clock("P1", Some("2026-10-16T01:00:00Z"), Some(due))];
        // the first case also waits for a transfer decision (T1 running); the second has a T1
        // that has not started, the third one that has stopped
        match i {
            0 => clocks.push(clock("T1", Some("2026-10-17T01:00:00Z"), Some(due))),
            1 => clocks.push(clock("T1", None, None)),
            _ => {
                let mut stopped = clock("T1", Some("2026-10-17T01:00:00Z"), Some(due));
                stopped.closed_at = Some("2026-10-18T01:00:00Z".parse().unwrap());
                stopped.status = ClockStanding::Computed(ClockStatus::ClosedOnTime);
                clocks.push(stopped);
            }
        }
        s.update_case(step(n, 2, CaseState::Routed, Some(agency), clocks))
            .await
            .unwrap();
    }
    s.submit_complaint(sample(9, T0, "fair")).await.unwrap();
    let ip = QueueFilter {
        agency: Some("ip_office".into()),
        ..Default::default()
    };
    let q = s.queue(&ip, 50, 0).await.unwrap();
    let numbers: Vec<_> = q.iter().map(|c| c.case_number.as_str()).collect();
    assert_eq!(numbers, ["KW-2026-000002", "KW-2026-000001"]);
    assert_eq!(q[0].next_due_at, Some(dues[1].parse().unwrap()));
    let all = s.queue(&QueueFilter::default(), 50, 0).await.unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(
        all[3].case_number.as_str(),
        "KW-2026-000004",
        "cases without a due date come last"
    );
    let soon = QueueFilter {
        due_before: Some("2026-10-26T00:00:00Z".parse().unwrap()),
        ..Default::default()
    };
    assert_eq!(s.queue(&soon, 50, 0).await.unwrap().len(), 2);
    let received = QueueFilter {
        state: Some(CaseState::Received),
        ..Default::default()
    };
    assert_eq!(s.queue(&received, 50, 0).await.unwrap().len(), 1);
    assert_eq!(
        s.queue(&QueueFilter::default(), 2, 2).await.unwrap().len(),
        2
    );
    // paging past the dated cases reaches the undated ones, in order, then nothing
    let numbers = |q: Vec<crate::QueueItem>| -> Vec<String> {
        q.into_iter().map(|c| c.case_number.to_string()).collect()
    };
    let everything = QueueFilter::default();
    let page = |limit, offset| s.queue(&everything, limit, offset);
    assert_eq!(
        numbers(page(2, 2).await.unwrap()),
        ["KW-2026-000003", "KW-2026-000004"]
    );
    assert_eq!(numbers(page(5, 3).await.unwrap()), ["KW-2026-000004"]);
    assert!(page(5, 4).await.unwrap().is_empty());
    let mut walked = Vec::new();
    for k in 0..4 {
        walked.extend(numbers(page(1, k).await.unwrap()));
    }
    assert_eq!(
        walked,
        numbers(page(50, 0).await.unwrap()),
        "one at a time, the same order"
    );
    let deciding = QueueFilter {
        running_clock: Some("T1".into()),
        ..Default::default()
    };
    let waiting: Vec<_> = s
        .queue(&deciding, 50, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.case_number.to_string())
        .collect();
    assert_eq!(
        waiting,
        ["KW-2026-000001"],
        "only the case whose T1 runs (not the pending or the stopped one)"
    );
    let p1_at_customs = QueueFilter {
        agency: Some("customs".into()),
        running_clock: Some("P1".into()),
        ..Default::default()
    };
    assert_eq!(s.queue(&p1_at_customs, 50, 0).await.unwrap().len(), 1);
}

/// A complaint from its JSON, numbered `n` for its token.
fn filed(n: u32, respondent: serde_json::Value, channel: serde_json::Value) -> NewComplaint {
    let input: ComplaintInput = serde_json::from_value(serde_json::json!({
        "channel": channel,
        "complainant": {"kind": "organisation", "name": "某某玩具有限公司", "mobile": "13812345678"},
        "rights": [{"kind": "copyright", "number": format!("国作登字-2024-F-{n}")}],
        "respondent": respondent,
        "description": "仿冒玩具",
    }))
    .expect("input parses");
    NewComplaint {
        complaint: input.validate().expect("input is valid"),
        received_at: T0.parse().unwrap(),
        token_hash: token_hash(n),
        tracking_token: format!("token-{n}"),
        idempotency: None,
        source: None,
        messages: Vec::new(),
        evidence: Vec::new(),
    }
}

fn fair_at(booth: &str) -> serde_json::Value {
    serde_json::json!({"kind": "fair", "fair_name": "玩博会", "session": "2026春", "booth": booth})
}

/// The respondent pass brought up to date, as the server does before reading respondents.
async fn settle(s: &impl Store) {
    while s.respondent_pass(1000).await.unwrap() > 0 {}
}

async fn respondent_of(s: &impl Store, n: &str) -> Option<i64> {
    settle(s).await;
    s.case(n).await.unwrap().unwrap().respondent_id
}

pub async fn respondents_are_recognised_across_complaints_by_any_alias(s: &(impl Store + Clone)) {
    const USCC: &str = "91350100M000100Y43";
    let a = s
        .submit_complaint(filed(
            1,
            serde_json::json!({"name": "汕头某某玩具厂", "uscc": USCC, "booth": "A1"}),
            fair_at("A1"),
        ))
        .await
        .unwrap();
    // Filed together, so that one batch resolves them: a different booth with the same name,
    // the same booth with no name, and someone else.
    let batch = [
        filed(
            2,
            serde_json::json!({"name": "汕头某某玩具厂 ", "booth": "B7"}),
            fair_at("B7"),
        ),
        filed(3, serde_json::json!({"booth": "A1"}), fair_at("A1")),
        filed(
            4,
            serde_json::json!({"name": "另一家公司", "booth": "C3"}),
            fair_at("C3"),
        ),
    ];
    let tasks: Vec<_> = batch
        .into_iter()
        .map(|new| {
            let s = s.clone();
            tokio::spawn(async move { s.submit_complaint(new).await.unwrap() })
        })
        .collect();
    let mut numbers = vec![a.case_number.to_string()];
    for t in tasks {
        numbers.push(t.await.unwrap().case_number.to_string());
    }
    let ids: Vec<Option<i64>> = {
        let mut v = Vec::new();
        for n in &numbers {
            v.push(respondent_of(s, n).await);
        }
        v
    };
    let first = ids[0].expect("a respondent for the first complaint");
    assert_eq!(ids[1], Some(first), "same folded name");
    assert_eq!(ids[2], Some(first), "same booth of the same fair session");
    assert!(ids[3].is_some_and(|id| id != first), "someone else");

    let r = s.respondent(first).await.unwrap().expect("the respondent");
    assert_eq!(r.display_name, "汕头某某玩具厂");
    assert!(
        r.aliases.contains(&format!("uscc:{USCC}")),
        "{:?}",
        r.aliases
    );
    assert!(
        r.aliases.iter().any(|a| a.ends_with("|b7")),
        "{:?}",
        r.aliases
    );
    let mut cases: Vec<String> = r.cases.iter().map(|c| c.case_number.to_string()).collect();
    cases.sort();
    let mut expected = numbers[..3].to_vec();
    expected.sort();
    assert_eq!(cases, expected);
    assert!(s.respondent(first + 1000).await.unwrap().is_none());
}

pub async fn related_cases_keep_every_same_respondent_case_beside_a_popular_right(s: &impl Store) {
    let on_right = |n: u32, name: &str, booth: &str| {
        let mut new = filed(
            n,
            serde_json::json!({"name": name, "booth": booth}),
            fair_at(booth),
        );
        new.complaint.rights[0].number = Some("国作登字-2024-F-999".into());
        new
    };
    let mut own = Vec::new();
    for n in 1..4 {
        let r = s
            .submit_complaint(on_right(n, "丁玩具厂", &format!("Z{n}")))
            .await
            .unwrap();
        own.push(r.case_number);
    }
    // newer cases of other respondents on the same (popular) right
    for n in 10..40 {
        s.submit_complaint(on_right(n, &format!("路人{n}号商行"), &format!("Y{n}")))
            .await
            .unwrap();
    }
    let me = s
        .submit_complaint(on_right(100, "丁玩具厂", "Z9"))
        .await
        .unwrap()
        .case_number;
    settle(s).await;
    let related = s.related_cases(me.as_str(), 10).await.unwrap();
    let same: HashSet<&CaseNumber> = related
        .iter()
        .filter(|r| r.kind.is_none())
        .map(|r| &r.case_number)
        .collect();
    assert_eq!(
        same,
        own.iter().collect(),
        "every case of the same respondent"
    );
    let by_right = related
        .iter()
        .filter(|r| r.kind == Some(kuaiwei_domain::MatchKind::Right))
        .count();
    assert_eq!(by_right, 10, "each kind of key at most `limit`");
    let counts = s.related_counts(me.as_str()).await.unwrap();
    assert!(counts.contains(&(None, 3)), "{counts:?}");
    assert!(
        counts.contains(&(Some(kuaiwei_domain::MatchKind::Right), 33)),
        "{counts:?}"
    );
}

pub async fn entities_join_when_linked_never_on_two_credit_codes_and_caseworkers_correct_them(
    s: &impl Store,
) {
    const U1: &str = "91440101MA5A00012M";
    const U2: &str = "91440300MA5B000238";
    let file = |n: u32, r: serde_json::Value, booth: &str| filed(n, r, fair_at(booth));
    let number = |r: Receipt| r.case_number.to_string();
    let a = number(
        s.submit_complaint(file(
            1,
            serde_json::json!({"name": "广州甲鞋业有限公司", "booth": "A1"}),
            "A1",
        ))
        .await
        .unwrap(),
    );
    let b = number(
        s.submit_complaint(file(2, serde_json::json!({"booth": "B2"}), "B2"))
            .await
            .unwrap(),
    );
    let (ea, eb) = (
        respondent_of(s, &a).await.unwrap(),
        respondent_of(s, &b).await.unwrap(),
    );
    assert_ne!(ea, eb, "nothing links them yet");
    // the name of the first at the booth of the second: the two entities join
    let c = number(
        s.submit_complaint(file(
            3,
            serde_json::json!({"name": "广州市甲鞋业有限责任公司", "booth": "B2"}),
            "B2",
        ))
        .await
        .unwrap(),
    );
    let e = respondent_of(s, &c).await.unwrap();
    assert_eq!(respondent_of(s, &a).await, Some(e));
    assert_eq!(respondent_of(s, &b).await, Some(e));
    let r = s.respondent(e).await.unwrap().unwrap();
    assert_eq!(r.cases.len(), 3);
    let join = r
        .joins
        .iter()
        .find(|j| j.actor == "system")
        .expect("the join is recorded");
    assert_eq!(join.case_number.as_deref(), Some(c.as_str()));
    let absorbed = s.respondent(join.absorbed).await.unwrap().unwrap();
    assert_eq!(absorbed.merged_into, Some(e));
    assert!(absorbed.cases.is_empty());

    // two credit codes never join, even through a shared booth and name: a conflict to decide
    let d = number(
        s.submit_complaint(file(
            4,
            serde_json::json!({"name": "广州乙玩具有限公司", "uscc": U1}),
            "D4",
        ))
        .await
        .unwrap(),
    );
    let f = number(
        s.submit_complaint(file(
            5,
            serde_json::json!({"uscc": U2, "booth": "C3"}),
            "C3",
        ))
        .await
        .unwrap(),
    );
    let g = number(
        s.submit_complaint(file(
            6,
            serde_json::json!({"name": "广州乙玩具有限公司", "booth": "C3"}),
            "C3",
        ))
        .await
        .unwrap(),
    );
    let (ed, ef) = (
        respondent_of(s, &d).await.unwrap(),
        respondent_of(s, &f).await.unwrap(),
    );
    assert_ne!(ed, ef);
    assert_eq!(
        respondent_of(s, &g).await,
        Some(ed),
        "the registered name is the stronger key"
    );
    let open = s.respondent_proposals(100).await.unwrap();
    let conflict = open
        .iter()
        .find(|p| p.kind == "conflict")
        .unwrap_or_else(|| panic!("a conflict for a caseworker: {open:?}"));
    assert_eq!(
        (conflict.a.min(conflict.b), conflict.a.max(conflict.b)),
        (ed.min(ef), ed.max(ef))
    );
    assert_eq!(conflict.detail, "different_credit_codes");
    assert_eq!(conflict.case_number.as_deref(), Some(g.as_str()));
    let correction = |c: Correction| RespondentCorrection {
        correction: c,
        actor: "chen".into(),
        reason: "核对营业执照".into(),
        at: T0.parse().unwrap(),
    };
    let rejected = s
        .correct_respondents(correction(Correction::Decide {
            proposal: conflict.id,
            accept: false,
        }))
        .await
        .unwrap();
    assert_eq!(rejected.respondents.len(), 2);
    settle(s).await;
    assert!(
        s.respondent_proposals(100)
            .await
            .unwrap()
            .iter()
            .all(|p| p.id != conflict.id)
    );
    assert!(matches!(
        s.correct_respondents(correction(Correction::Decide {
            proposal: conflict.id,
            accept: false
        }))
        .await,
        Err(StoreError::Conflict(_))
    ));

    // undoing the rules' join: the case it moved goes back, and the two stay apart
    s.correct_respondents(correction(Correction::UndoJoin { join: join.id }))
        .await
        .unwrap();
    assert_eq!(respondent_of(s, &b).await, Some(join.absorbed));
    assert_eq!(
        s.respondent(join.absorbed)
            .await
            .unwrap()
            .unwrap()
            .merged_into,
        None
    );
    let h = number(
        s.submit_complaint(file(
            7,
            serde_json::json!({"name": "广州甲鞋业有限公司", "booth": "B2"}),
            "B2",
        ))
        .await
        .unwrap(),
    );
    let eh = respondent_of(s, &h).await.unwrap();
    assert!(eh == e || eh == join.absorbed);
    assert_ne!(
        respondent_of(s, &a).await,
        respondent_of(s, &b).await,
        "entities a caseworker kept apart are not joined again"
    );

    // a split by hand, then a join by hand
    let survivor = respondent_of(s, &a).await.unwrap();
    let split = s
        .correct_respondents(correction(Correction::Split {
            from: survivor,
            cases: vec![c.clone()],
        }))
        .await
        .unwrap();
    let new = split.respondents[1];
    assert_eq!(respondent_of(s, &c).await, Some(new));
    assert_eq!(respondent_of(s, &a).await, Some(survivor));
    assert!(
        matches!(
            s.correct_respondents(correction(Correction::Split {
                from: survivor,
                cases: vec![b.clone()]
            }))
            .await,
            Err(StoreError::NotFound)
        ),
        "a case of another entity"
    );
    s.correct_respondents(correction(Correction::Join {
        survivor,
        absorbed: new,
    }))
    .await
    .unwrap();
    assert_eq!(respondent_of(s, &c).await, Some(survivor));
    let kinds: Vec<String> = s
        .case_events(&format!("respondent:{survivor}"))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(kinds.contains(&"respondent_split".to_string()), "{kinds:?}");
    assert!(kinds.contains(&"respondent_join".to_string()), "{kinds:?}");
}

pub async fn respondents_are_recognised_and_typos_proposed_by_the_pass_after_filing(
    s: &impl Store,
) {
    let number = |r: Receipt| r.case_number.to_string();
    let a = number(
        s.submit_complaint(filed(
            1,
            serde_json::json!({"name": "广州市盛鑫鞋业有限公司"}),
            fair_at("A1"),
        ))
        .await
        .unwrap(),
    );
    // the pass brings itself up to date: a's deletions are recorded, nothing is proposed
    while s.respondent_pass(1).await.unwrap() > 0 {}
    assert!(s.respondent_proposals(100).await.unwrap().is_empty());
    let b = number(
        s.submit_complaint(filed(
            2,
            serde_json::json!({"name": "广州市盛淼鞋业有限公司"}),
            fair_at("B2"),
        ))
        .await
        .unwrap(),
    );
    assert!(
        s.respondent_proposals(100).await.unwrap().is_empty(),
        "proposed after the filing, not in it"
    );
    assert_eq!(
        s.case(&b).await.unwrap().unwrap().respondent_id,
        None,
        "the respondent is recognised after the filing, not in it"
    );
    // another city is another company: filed in the same run of the pass as b
    let c = number(
        s.submit_complaint(filed(
            3,
            serde_json::json!({"name": "深圳市盛森鞋业有限公司"}),
            fair_at("C3"),
        ))
        .await
        .unwrap(),
    );
    // b and c resolved, then both through the typo pass
    assert!(s.respondent_pass(1000).await.unwrap() >= 4);
    assert_eq!(s.respondent_pass(1000).await.unwrap(), 0, "up to date");
    let (ea, eb) = (
        respondent_of(s, &a).await.unwrap(),
        respondent_of(s, &b).await.unwrap(),
    );
    assert_ne!(ea, eb, "a typo never joins");
    let open = s.respondent_proposals(100).await.unwrap();
    let typos: Vec<_> = open.iter().filter(|p| p.kind == "typo").collect();
    assert_eq!(typos.len(), 1, "{open:?}");
    assert_eq!(
        (typos[0].a.min(typos[0].b), typos[0].a.max(typos[0].b)),
        (ea.min(eb), ea.max(eb))
    );
    assert_eq!(typos[0].case_number.as_deref(), Some(b.as_str()));
    let ec = respondent_of(s, &c).await.unwrap();
    assert!(typos.iter().all(|p| p.a != ec && p.b != ec));
    // the deletions are recorded with the entity
    let aliases = s.respondent(eb).await.unwrap().unwrap().aliases;
    assert!(
        aliases.iter().any(|a| a.starts_with("typo:")),
        "{aliases:?}"
    );
}

pub async fn evidence_metadata_and_hashes_are_kept_and_found_by_digest(s: &impl Store) {
    let mut with_photo = sample(801, "2026-04-15T02:00:00Z", "fair");
    with_photo.evidence = vec![evidence(31)];
    let a = s.submit_complaint(with_photo).await.unwrap();
    let mut again = sample(802, "2026-04-15T03:00:00Z", "fair");
    again.evidence = vec![evidence(31), evidence(32)];
    let b = s.submit_complaint(again).await.unwrap();
    // what the file told at intake reads back as it was stored
    let record = s
        .complaint_of_case(a.case_number.as_str())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.evidence, vec![evidence(31)]);
    assert_eq!(
        record.evidence[0].meta.gps_e6,
        Some((23_110_000, 113_355_000))
    );
    // which digests are stored, and which cases hold them
    let (d31, d32, unknown) = (evidence(31).sha256, evidence(32).sha256, "ff".repeat(32));
    let mut known = s
        .evidence_known(&[d31.clone(), unknown.clone(), d32.clone()])
        .await
        .unwrap();
    known.sort();
    let mut expected = vec![d31.clone(), d32.clone()];
    expected.sort();
    assert_eq!(known, expected);
    assert!(s.evidence_known(&[unknown]).await.unwrap().is_empty());
    let holders = s
        .cases_with_evidence(std::slice::from_ref(&d31))
        .await
        .unwrap();
    assert_eq!(
        holders,
        vec![
            (a.case_number.to_string(), d31.clone()),
            (b.case_number.to_string(), d31.clone())
        ]
    );
    let hashes = s.evidence_hashes().await.unwrap();
    assert!(
        hashes.contains(&(d31, 0x0f0f_1234_5678_9abc_i64)),
        "{hashes:?}"
    );
}

pub async fn related_cases_share_a_key_or_the_respondent(s: &impl Store) {
    let shop = |url: &str| serde_json::json!({"kind": "ecommerce", "platform": "拼多多", "listing_urls": [url]});
    let a = s
        .submit_complaint(filed(
            1,
            serde_json::json!({"name": "甲店"}),
            shop("https://mobile.yangkeduo.com/goods.html?goods_id=1"),
        ))
        .await
        .unwrap();
    let b = s
        .submit_complaint(filed(
            2,
            serde_json::json!({"name": "乙店"}),
            shop("https://Mobile.Yangkeduo.com/goods.html?goods_id=1#top"),
        ))
        .await
        .unwrap();
    let c = s
        .submit_complaint(filed(
            3,
            serde_json::json!({"name": "甲店"}),
            shop("https://mobile.yangkeduo.com/goods.html?goods_id=2"),
        ))
        .await
        .unwrap();
    let unrelated = s
        .submit_complaint(filed(
            4,
            serde_json::json!({"name": "丙店"}),
            shop("https://mobile.yangkeduo.com/goods.html?goods_id=3"),
        ))
        .await
        .unwrap();
    settle(s).await;
    let related = s.related_cases(a.case_number.as_str(), 50).await.unwrap();
    let via = |n: &CaseNumber| -> Vec<Option<kuaiwei_domain::MatchKind>> {
        related
            .iter()
            .filter(|r| &r.case_number == n)
            .map(|r| r.kind)
            .collect()
    };
    assert_eq!(
        via(&b.case_number),
        vec![Some(kuaiwei_domain::MatchKind::Url)]
    );
    let through_c = via(&c.case_number);
    assert!(
        through_c.contains(&Some(kuaiwei_domain::MatchKind::RespondentName))
            && through_c.contains(&None),
        "same name and so the same respondent: {through_c:?}"
    );
    assert!(via(&unrelated.case_number).is_empty());
    assert!(
        via(&a.case_number).is_empty(),
        "a case is not related to itself"
    );
    assert!(
        s.related_cases(unrelated.case_number.as_str(), 50)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn cases_with_keys_need_every_key(s: &impl Store) {
    let with_right = |n: u32, booth: &str| {
        let mut new = filed(n, serde_json::json!({"booth": booth}), fair_at(booth));
        new.complaint.rights[0].number = Some("国作登字-2024-F-1".into());
        new
    };
    let a = s.submit_complaint(with_right(1, "A1")).await.unwrap();
    let b = s.submit_complaint(with_right(2, "B2")).await.unwrap();
    s.submit_complaint(filed(3, serde_json::json!({"booth": "C3"}), fair_at("C3")))
        .await
        .unwrap();
    let keys = s
        .complaint_of_case(a.case_number.as_str())
        .await
        .unwrap()
        .unwrap()
        .complaint
        .match_keys();
    let pick = |kind| keys.iter().find(|k| k.kind == kind).unwrap().clone();
    let right = pick(kuaiwei_domain::MatchKind::Right);
    let fair = pick(kuaiwei_domain::MatchKind::Fair);
    settle(s).await;
    let found = s
        .cases_with_keys(&[right.clone(), fair.clone()], 100)
        .await
        .unwrap();
    let mut numbers: Vec<String> = found.iter().map(|k| k.case_number.to_string()).collect();
    numbers.sort();
    assert_eq!(
        numbers,
        vec![a.case_number.to_string(), b.case_number.to_string()]
    );
    assert!(found.iter().all(|k| k.respondent_id.is_some()));
    // counted in the database: two complaints on the right at the fair, from two respondents
    // (each booth a company of its own); three at the fair
    assert_eq!(
        s.key_group_size(&[right.clone(), fair.clone()])
            .await
            .unwrap(),
        (2, 2)
    );
    assert_eq!(
        s.key_group_size(std::slice::from_ref(&fair))
            .await
            .unwrap()
            .0,
        3
    );
    assert_eq!(s.key_group_size(&[]).await.unwrap(), (0, 0));
    assert_eq!(s.cases_with_keys(&[fair], 100).await.unwrap().len(), 3);
    let other = kuaiwei_domain::MatchKey {
        kind: kuaiwei_domain::MatchKind::Fair,
        value: "别的展会|".into(),
    };
    assert!(
        s.cases_with_keys(&[right.clone(), other.clone()], 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(s.key_group_size(&[right, other]).await.unwrap(), (0, 0));
}

pub async fn supervision_and_closing_are_recorded_and_filtered(s: &impl Store) {
    for n in 1..=3 {
        s.submit_complaint(sample(n, T0, "fair")).await.unwrap();
    }
    let mut mark = step("KW-2026-000002", 1, CaseState::Received, None, vec![]);
    mark.supervised = true;
    s.update_case(mark).await.unwrap();
    let case = s.case("KW-2026-000002").await.unwrap().unwrap();
    assert!(case.supervised);
    assert_eq!(case.state, CaseState::Received);
    let only = QueueFilter {
        supervised: Some(true),
        ..Default::default()
    };
    let q = s.queue(&only, 50, 0).await.unwrap();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].case_number.as_str(), "KW-2026-000002");
    assert!(q[0].supervised);
    let others = QueueFilter {
        supervised: Some(false),
        ..Default::default()
    };
    assert_eq!(s.queue(&others, 50, 0).await.unwrap().len(), 2);

    let mut close = step("KW-2026-000003", 1, CaseState::Closed, None, vec![]);
    close.outcome = Some(Outcome::Withdrawn);
    let at = close.at;
    s.update_case(close).await.unwrap();
    assert_eq!(
        s.case("KW-2026-000003").await.unwrap().unwrap().closed_at,
        Some(at)
    );
    assert_eq!(
        s.case("KW-2026-000001").await.unwrap().unwrap().closed_at,
        None
    );
    let open: Vec<String> = s
        .open_cases(None, 100)
        .await
        .unwrap()
        .iter()
        .map(|c| c.case_number.to_string())
        .collect();
    assert_eq!(open, vec!["KW-2026-000001", "KW-2026-000002"]);
    let after: Vec<String> = s
        .open_cases(Some("KW-2026-000001"), 100)
        .await
        .unwrap()
        .iter()
        .map(|c| c.case_number.to_string())
        .collect();
    assert_eq!(after, vec!["KW-2026-000002"]);
}

pub async fn cases_due_since_include_closed_ones_and_those_without_a_due_date(s: &impl Store) {
    // 1: due in 2026; 2: due in 2027, closed; 3: no due date (not computable), closed;
    // 4: not started; 5: due in 2027, open
    let dues: [(Option<&str>, Option<&str>, bool); 5] = [
        (
            Some("2026-10-16T01:00:00Z"),
            Some("2026-12-20T16:00:00Z"),
            false,
        ),
        (
            Some("2026-10-16T01:00:00Z"),
            Some("2027-01-20T16:00:00Z"),
            true,
        ),
        (Some("2026-10-16T01:00:00Z"), None, true),
        (None, None, false),
        (
            Some("2026-10-16T01:00:00Z"),
            Some("2027-03-01T16:00:00Z"),
            false,
        ),
    ];
    for (i, (started, due, closed)) in dues.iter().enumerate() {
        let r = s
            .submit_complaint(sample(i as u32, T0, "fair"))
            .await
            .unwrap();
        let n = r.case_number.as_str();
        let mut c = clock("M2", *started, *due);
        let state = if *closed {
            c.closed_at = Some("2026-10-30T01:00:00Z".parse().unwrap());
            CaseState::Closed
        } else {
            CaseState::Routed
        };
        s.update_case(step(n, 1, state, Some("market_regulation"), vec![c]))
            .await
            .unwrap();
    }
    let since: Timestamp = "2026-12-31T16:00:00Z".parse().unwrap();
    let numbers = |cases: Vec<crate::CaseRecord>| -> Vec<String> {
        cases.iter().map(|c| c.case_number.to_string()).collect()
    };
    assert_eq!(
        numbers(s.cases_due_since(since, None, 100).await.unwrap()),
        ["KW-2026-000002", "KW-2026-000003", "KW-2026-000005"]
    );
    assert_eq!(
        numbers(
            s.cases_due_since(since, Some("KW-2026-000002"), 1)
                .await
                .unwrap()
        ),
        ["KW-2026-000003"]
    );
}

pub async fn supplied_evidence_is_appended_with_its_material(s: &impl Store) {
    let mut new = sample(1, T0, "fair");
    new.evidence = vec![evidence(1)];
    let r = s.submit_complaint(new).await.unwrap();
    let n = r.case_number.as_str();
    s.update_case(step(n, 1, CaseState::SupplementRequested, None, vec![]))
        .await
        .unwrap();
    let mut supply = step(n, 2, CaseState::Received, None, vec![]);
    let mut certificate = evidence(2);
    certificate.material = "right_certificate".into();
    // The same file as before may be sent again, e.g. re-tagged.
    supply.added_evidence = vec![certificate.clone(), evidence(1)];
    s.update_case(supply).await.unwrap();
    let got = s.complaint_of_case(n).await.unwrap().unwrap();
    assert_eq!(got.evidence, vec![evidence(1), certificate, evidence(1)]);
    assert_eq!(chain_is_whole(s).await, 3);
}

/// October 2026 in Asia/Shanghai, and the 31 days after it.
fn october() -> crate::ReportWindow {
    let to: Timestamp = "2026-10-31T16:00:00Z".parse().unwrap();
    crate::ReportWindow {
        from: "2026-09-30T16:00:00Z".parse().unwrap(),
        to,
        horizon: to + jiff::SignedDuration::from_hours(24 * 31),
    }
}

pub async fn report_clocks_hold_every_clock_a_period_needs_and_no_other(s: &impl Store) {
    // (started, due, closed, wanted in October's report)
    type Case<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>, bool);
    let cases: [Case; 15] = [
        // started in October
        (Some("2026-10-09"), Some("2026-11-20"), None, true),
        // closed in October
        (
            Some("2026-07-01"),
            Some("2026-12-01"),
            Some("2026-10-10"),
            true,
        ),
        // due in October, closed after it
        (
            Some("2026-07-01"),
            Some("2026-10-15"),
            Some("2026-11-03"),
            true,
        ),
        // due long before, still open: overdue at the end of October
        (Some("2026-06-01"), Some("2026-08-20"), None, true),
        // due and closed before October
        (
            Some("2026-06-01"),
            Some("2026-08-20"),
            Some("2026-09-01"),
            false,
        ),
        // running, due within 31 days of the end: at risk
        (Some("2026-08-01"), Some("2026-11-25"), None, true),
        // running, due well after
        (Some("2026-08-01"), Some("2026-12-31"), None, false),
        // running without a computable due date
        (Some("2026-09-01"), None, None, true),
        // due before the end, closed after it: open and overdue at the end
        (
            Some("2026-06-01"),
            Some("2026-08-20"),
            Some("2026-11-05"),
            true,
        ),
        // started after October
        (Some("2026-11-02"), Some("2027-01-20"), None, false),
        // never started
        (None, None, None, false),
        // due at 24:00 on 31 October, which is the period's end instant
        (Some("2026-08-02"), Some("2026-10-31T16:00:00Z"), None, true),
        // no due date, running across the whole month, closed after it: undetermined
        (Some("2026-09-01"), None, Some("2026-11-05"), true),
        // started at the period's end instant, due within 30 days of it: at risk
        (Some("2026-10-31T16:00:00Z"), Some("2026-11-20"), None, true),
        // started at the period's end instant without a due date: undetermined
        (Some("2026-10-31T16:00:00Z"), None, None, true),
    ];
    let instant = |d: &str| -> Timestamp {
        if d.contains('T') {
            d.parse().unwrap()
        } else {
            format!("{d}T02:00:00Z").parse().unwrap()
        }
    };
    let mut wanted = Vec::new();
    for (i, (started, due, closed, want)) in cases.iter().enumerate() {
        let n = i as u32 + 1;
        let channel = if n.is_multiple_of(2) {
            "ecommerce"
        } else {
            "fair"
        };
        let r = s.submit_complaint(sample(n, T0, channel)).await.unwrap();
        let number = r.case_number.as_str().to_string();
        let mut k = clock("M2", started.map(|_| T0), None);
        k.started_at = started.map(instant);
        k.due_at = due.map(instant);
        k.closed_at = closed.map(instant);
        let mut open = step(
            &number,
            1,
            CaseState::Opened,
            Some("market_regulation"),
            vec![k],
        );
        open.officer = Some(format!("officer:{n}"));
        s.update_case(open).await.unwrap();
        if *want {
            wanted.push(number);
        }
    }
    let mut got = s.report_clocks(&october()).await.unwrap();
    got.sort_by(|a, b| a.case_number.cmp(&b.case_number));
    let numbers: Vec<String> = got.iter().map(|c| c.case_number.clone()).collect();
    assert_eq!(numbers, wanted);
    let first = &got[0];
    assert_eq!(first.procedure_id, "M2");
    assert_eq!(first.agency.as_deref(), Some("market_regulation"));
    assert_eq!(first.channel, "fair");
    assert_eq!(first.right_type.as_deref(), Some("trademark"));
    assert_eq!(first.fair.as_deref(), Some("第138届广交会"));
    assert_eq!(first.officer.as_deref(), Some("officer:1"));
    assert_eq!(first.started_at, Some(instant("2026-10-09")));
    assert_eq!(first.due_at, Some(instant("2026-11-20")));
    let inputs: serde_json::Value = serde_json::from_str(&first.inputs).unwrap();
    assert_eq!(
        inputs,
        serde_json::json!({"exclusions": [], "extensions": []})
    );
    assert_eq!(got[1].channel, "ecommerce");
    assert_eq!(got[1].fair, None);
    assert_eq!(got[1].closed_at, Some(instant("2026-10-10")));

    // the officer is who opened the case: a later step does not change it; the agency is the
    // case's agency as it now stands
    let mut k = clock("M2", None, None);
    k.started_at = Some(instant("2026-10-09"));
    k.due_at = Some(instant("2026-11-20"));
    let mut later = step(&wanted[0], 2, CaseState::Opened, Some("ip_office"), vec![k]);
    later.officer = Some("officer:someone-else".into());
    s.update_case(later).await.unwrap();
    let again = s.report_clocks(&october()).await.unwrap();
    let again = again.iter().find(|c| c.case_number == wanted[0]).unwrap();
    assert_eq!(again.officer.as_deref(), Some("officer:1"));
    assert_eq!(again.agency.as_deref(), Some("ip_office"));
    assert_eq!(again.fair.as_deref(), Some("第138届广交会"));

    // every clock, in pages (what the server's copy is loaded from): the window's among them,
    // as the window gives them
    let mut all = Vec::new();
    s.all_report_clocks(&mut |page| all.extend(page))
        .await
        .unwrap();
    assert_eq!(all.len(), cases.len(), "one clock per case, started or not");
    let window = s.report_clocks(&october()).await.unwrap();
    for c in &window {
        assert!(all.contains(c), "{c:?}");
    }
    // a case's clocks as they stand now; an unknown case has none
    let of = s
        .report_clocks_of(&[wanted[0].clone(), "KW-1999-000001".into()])
        .await
        .unwrap();
    let expected: Vec<_> = all
        .iter()
        .filter(|c| c.case_number == wanted[0])
        .cloned()
        .collect();
    assert_eq!(of, expected);
    assert_eq!(of[0].officer.as_deref(), Some("officer:1"));
    assert!(s.report_clocks_of(&[]).await.unwrap().is_empty());
}

pub async fn a_frozen_report_is_kept_once_exactly_as_given(s: &impl Store) {
    assert_eq!(s.frozen_report("2026-10").await.unwrap(), None);
    let body = r#"{"period":"2026-10","headline":{"counted":5,"label":"按期结案率 ≥ 100 %"}}"#;
    let frozen = crate::FrozenReport {
        period: "2026-10".into(),
        frozen_at: "2026-11-02T02:00:00Z".parse().unwrap(),
        frozen_by: "supervisor:赵".into(),
        body: body.into(),
        hash: "ab".repeat(32),
    };
    s.freeze_report(&frozen).await.unwrap();
    assert_eq!(
        s.frozen_report("2026-10").await.unwrap(),
        Some(frozen.clone())
    );
    let mut again = frozen.clone();
    again.body = "{}".into();
    assert!(matches!(
        s.freeze_report(&again).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        s.frozen_report("2026-10").await.unwrap().unwrap().body,
        body,
        "the second freeze changed nothing"
    );
    let quarter = crate::FrozenReport {
        period: "2026-Q4".into(),
        ..frozen
    };
    s.freeze_report(&quarter).await.unwrap();
    assert_eq!(s.frozen_report("2026-Q4").await.unwrap(), Some(quarter));
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
            mixed_concurrent_retries_misuse_and_filings_keep_every_promise,
            purged_keys_no_longer_replay,
            every_write_appends_to_the_change_log_in_order,
            listings_are_newest_first_filtered_and_paged,
            the_store_answers_a_ping,
            a_filed_complaint_is_a_received_case_with_its_first_event,
            the_materials_receipt_and_the_pending_extension_are_kept_on_the_case,
            the_received_event_seals_the_complaint_as_filed,
            steps_move_the_case_store_its_clocks_and_extend_the_chain,
            a_stale_step_is_refused_and_changes_nothing,
            of_two_concurrent_steps_from_one_version_exactly_one_wins,
            a_transfer_opens_a_linked_case_at_the_receiving_agency,
            a_route_to_several_authorities_opens_a_linked_case_for_each,
            queues_sort_by_due_date_within_an_agency,
            respondents_are_recognised_across_complaints_by_any_alias,
            related_cases_share_a_key_or_the_respondent,
            entities_join_when_linked_never_on_two_credit_codes_and_caseworkers_correct_them,
            respondents_are_recognised_and_typos_proposed_by_the_pass_after_filing,
            evidence_metadata_and_hashes_are_kept_and_found_by_digest,
            related_cases_keep_every_same_respondent_case_beside_a_popular_right,
            cases_with_keys_need_every_key,
            supervision_and_closing_are_recorded_and_filtered,
            cases_due_since_include_closed_ones_and_those_without_a_due_date,
            supplied_evidence_is_appended_with_its_material,
            report_clocks_hold_every_clock_a_period_needs_and_no_other,
            a_frozen_report_is_kept_once_exactly_as_given,
            accounts_are_created_once_changed_and_disabled_never_removed,
            sessions_are_found_by_token_hash_touched_and_ended_one_or_all,
            events_about_accounts_join_the_one_audit_chain,
            api_tokens_are_found_by_hash_named_once_and_revoked_never_removed,
            fair_sessions_are_kept_with_their_halls_latest_start_first,
            an_accounts_contact_is_kept_and_replaced_whole,
            who_asked_for_an_extension_or_proposed_a_transfer_is_kept_on_the_case,
            keyed_messages_are_written_once_and_staff_messages_outlive_an_opt_out
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

pub async fn accounts_are_created_once_changed_and_disabled_never_removed(s: &impl Store) {
    let at = |t: &str| t.parse::<Timestamp>().unwrap();
    let li = crate::Account {
        username: "officer.li".into(),
        display_name: "李明".into(),
        role: "officer".into(),
        agency: Some("ip_office".into()),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        created_at: at("2026-11-02T02:00:00.123456Z"),
        password_changed_at: at("2026-11-02T02:00:00.123456Z"),
        disabled_at: None,
        contact: crate::Contact::default(),
    };
    let admin = crate::Account {
        username: "admin".into(),
        display_name: "系统管理员".into(),
        role: "administrator".into(),
        agency: None,
        ..li.clone()
    };
    assert_eq!(s.account("officer.li").await.unwrap(), None);
    assert!(s.accounts().await.unwrap().is_empty());
    s.create_account(&li).await.unwrap();
    s.create_account(&admin).await.unwrap();
    assert_eq!(s.account("officer.li").await.unwrap().as_ref(), Some(&li));
    let again = crate::Account {
        display_name: "另一个人".into(),
        ..li.clone()
    };
    assert!(matches!(
        s.create_account(&again).await,
        Err(StoreError::Conflict(_))
    ));
    let names: Vec<String> = s
        .accounts()
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.username)
        .collect();
    assert_eq!(names, ["admin", "officer.li"]);

    s.set_password("officer.li", "$argon2id$new", at("2026-11-03T00:00:00Z"))
        .await
        .unwrap();
    let changed = s.account("officer.li").await.unwrap().unwrap();
    assert_eq!(changed.password_hash, "$argon2id$new");
    assert_eq!(changed.password_changed_at, at("2026-11-03T00:00:00Z"));
    assert_eq!(changed.created_at, li.created_at);

    s.disable_account("officer.li", at("2026-11-04T00:00:00Z"))
        .await
        .unwrap();
    s.disable_account("officer.li", at("2026-11-05T00:00:00Z"))
        .await
        .unwrap();
    let disabled = s.account("officer.li").await.unwrap().unwrap();
    assert_eq!(disabled.disabled_at, Some(at("2026-11-04T00:00:00Z")));
    assert!(matches!(
        s.create_account(&li).await,
        Err(StoreError::Conflict(_))
    ));
    for missing in [
        s.set_password("nobody", "x", at("2026-11-05T00:00:00Z"))
            .await,
        s.disable_account("nobody", at("2026-11-05T00:00:00Z"))
            .await,
    ] {
        assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    }
}

pub async fn sessions_are_found_by_token_hash_touched_and_ended_one_or_all(s: &impl Store) {
    let at = |t: &str| t.parse::<Timestamp>().unwrap();
    let session = |hash: &str, user: &str| crate::Session {
        token_hash: hash.into(),
        username: user.into(),
        created_at: at("2026-11-02T02:00:00.000001Z"),
        last_seen_at: at("2026-11-02T02:00:00.000001Z"),
        expires_at: at("2026-11-02T14:00:00Z"),
    };
    assert_eq!(s.session("aa").await.unwrap(), None);
    for (h, u) in [("aa", "officer.li"), ("bb", "officer.li"), ("cc", "zhao")] {
        s.create_session(&session(h, u)).await.unwrap();
    }
    assert_eq!(
        s.session("aa").await.unwrap(),
        Some(session("aa", "officer.li"))
    );
    assert!(
        s.create_session(&session("aa", "zhao")).await.is_err(),
        "a token hash is one session"
    );
    s.touch_session("aa", at("2026-11-02T03:00:00Z"))
        .await
        .unwrap();
    // an older touch (a slow request) never moves it back
    s.touch_session("aa", at("2026-11-02T02:30:00Z"))
        .await
        .unwrap();
    let touched = s.session("aa").await.unwrap().unwrap();
    assert_eq!(touched.last_seen_at, at("2026-11-02T03:00:00Z"));
    assert_eq!(touched.created_at, at("2026-11-02T02:00:00.000001Z"));
    s.delete_session("aa").await.unwrap();
    s.delete_session("aa").await.unwrap();
    assert_eq!(s.session("aa").await.unwrap(), None);
    assert!(s.session("bb").await.unwrap().is_some());
    assert_eq!(s.delete_sessions_of("officer.li").await.unwrap(), 1);
    assert_eq!(s.session("bb").await.unwrap(), None);
    assert!(
        s.session("cc").await.unwrap().is_some(),
        "another user's session stays"
    );
}

pub async fn events_about_accounts_join_the_one_audit_chain(s: &impl Store) {
    fill_chain(s).await;
    let at = |t: &str| t.parse::<Timestamp>().unwrap();
    for (kind, when) in [
        ("login", "2026-10-16T01:00:00Z"),
        ("logout", "2026-10-16T02:00:00Z"),
    ] {
        s.record_event(crate::RecordedEvent {
            subject: "account:officer.li".into(),
            event: NewEvent {
                actor: "officer:officer.li".into(),
                kind: kind.into(),
                payload: serde_json::json!({"address": "10.16.1.7"}),
                reason: None,
            },
            at: at(when),
        })
        .await
        .unwrap();
    }
    let mine = s.case_events("account:officer.li").await.unwrap();
    let kinds: Vec<&str> = mine.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["login", "logout"]);
    assert_eq!(mine[0].at, at("2026-10-16T01:00:00Z"));
    let events = s.audit_events(0, 1000).await.unwrap();
    assert_eq!(
        events.len(),
        7,
        "five from the cases, two about the account"
    );
    let head = s.audit_head().await.unwrap();
    assert_eq!(head.as_ref().map(|(q, _)| *q), Some(7));
    assert_eq!(
        verify_chain(&events, head.as_ref().map(|(q, h)| (*q, h.as_str()))),
        Ok(7)
    );
}

/// When the supplement of [`supplemented_and_extended_cases`] arrived.
pub const SUPPLIED: &str = "2026-10-17T03:00:00Z";

/// A step of `kind` with its payload at `at`, as the case workflow writes it.
fn event_step(
    number: &str,
    version: i64,
    state: CaseState,
    kind: &str,
    payload: serde_json::Value,
    at: &str,
) -> CaseUpdate {
    let mut u = step(number, version, state, None, vec![]);
    u.event.kind = kind.into();
    u.event.payload = payload;
    u.at = at.parse().unwrap();
    u
}

/// Two cases as the case workflow leaves them, with the events a step writes: the first
/// supplemented (补正) at [`SUPPLIED`] and then asked for a 30-day extension that awaits its
/// decision; the second asked for a month that was denied. A later step on each changes neither.
pub async fn supplemented_and_extended_cases(s: &impl Store) -> (String, String) {
    let a = s.submit_complaint(sample(1, T0, "fair")).await.unwrap();
    let b = s.submit_complaint(sample(2, T0, "fair")).await.unwrap();
    let (a, b) = (a.case_number.to_string(), b.case_number.to_string());
    let mut supplied = event_step(
        &a,
        1,
        CaseState::Received,
        "supplement",
        json!({}),
        SUPPLIED,
    );
    supplied.materials_received_at = Some(SUPPLIED.parse().unwrap());
    let mut asked = event_step(
        &a,
        2,
        CaseState::ExtensionPending,
        "request_extension",
        json!({"amount": "30d"}),
        "2026-10-20T02:00:00Z",
    );
    asked.pending_extension = PendingExtension::Set {
        amount: "30d".parse().unwrap(),
        by: "wang".into(),
    };
    let mut other = event_step(
        &b,
        1,
        CaseState::ExtensionPending,
        "request_extension",
        json!({"amount": "1m"}),
        "2026-10-20T02:00:00Z",
    );
    other.pending_extension = PendingExtension::Set {
        amount: "1m".parse().unwrap(),
        by: "wang".into(),
    };
    let mut denied = event_step(
        &b,
        2,
        CaseState::Opened,
        "deny_extension",
        json!({}),
        "2026-10-21T02:00:00Z",
    );
    denied.pending_extension = PendingExtension::Clear;
    let later = |n: &str| {
        event_step(
            n,
            3,
            CaseState::ExtensionPending,
            "supervise",
            json!({}),
            "2026-10-22T02:00:00Z",
        )
    };
    for u in [supplied, asked, other, denied, later(&a), later(&b)] {
        s.update_case(u).await.unwrap();
    }
    (a, b)
}

/// The cases of [`supplemented_and_extended_cases`] read back: the materials' receipt and the
/// pending extension as their steps left them.
pub async fn supplemented_and_extended_cases_read_back(s: &impl Store, (a, b): (&str, &str)) {
    let a = s.case(a).await.unwrap().unwrap();
    assert_eq!(
        a.materials_received_at,
        SUPPLIED.parse::<Timestamp>().unwrap()
    );
    assert_eq!(a.pending_extension, Some("30d".parse().unwrap()));
    let b = s.case(b).await.unwrap().unwrap();
    assert_eq!(b.materials_received_at, b.received_at);
    assert_eq!(b.pending_extension, None);
}

pub async fn the_materials_receipt_and_the_pending_extension_are_kept_on_the_case(s: &impl Store) {
    let (a, b) = supplemented_and_extended_cases(s).await;
    supplemented_and_extended_cases_read_back(s, (&a, &b)).await;
    // a transfer's linked case was received when the transfer was made, and awaits nothing
    let mut transfer = event_step(
        &a,
        4,
        CaseState::Transferred,
        "transfer",
        json!({}),
        "2026-10-23T02:00:00Z",
    );
    transfer.linked = vec![LinkedCase::transfer("police", vec![])];
    let done = s.update_case(transfer).await.unwrap();
    let linked = s.case(done.linked[0].as_str()).await.unwrap().unwrap();
    let at: Timestamp = "2026-10-23T02:00:00Z".parse().unwrap();
    assert_eq!((linked.received_at, linked.materials_received_at), (at, at));
    assert_eq!(linked.pending_extension, None);
    let a = s.case(&a).await.unwrap().unwrap();
    assert_eq!(
        a.pending_extension,
        Some("30d".parse().unwrap()),
        "a step that says nothing of it keeps it"
    );
}

/// A case routed to the IP office with one running P1 clock, for a backend's own test to break
/// in storage; returns its number.
pub async fn a_routed_case_with_a_clock(s: &impl Store) -> String {
    let r = s.submit_complaint(sample(1, T0, "fair")).await.unwrap();
    let n = r.case_number.to_string();
    s.update_case(step(&n, 1, CaseState::Accepted, None, vec![]))
        .await
        .unwrap();
    let p1 = clock(
        "P1",
        Some("2026-10-16T01:00:00Z"),
        Some("2026-10-22T16:00:00Z"),
    );
    s.update_case(step(&n, 2, CaseState::Routed, Some("ip_office"), vec![p1]))
        .await
        .unwrap();
    assert_eq!(s.case(&n).await.unwrap().unwrap().clocks.len(), 1);
    n
}

/// After the backend broke the stored P1 clock of case `number` (its status or its inputs):
/// reading the case, alone or among the open cases, is an error naming the case and the clock,
/// never a clock read as "nothing paused or extended".
pub async fn a_broken_clock_is_an_error_naming_the_case(s: &impl Store, number: &str) {
    let named = |r: Result<_, StoreError>| match r {
        Err(StoreError::Corrupt(m)) => {
            assert!(m.contains(number) && m.contains("P1"), "{m}");
        }
        Err(other) => panic!("not a corrupt record: {other:?}"),
        Ok(_) => panic!("a broken clock was read"),
    };
    named(s.case(number).await.map(|_| ()));
    named(s.open_cases(None, 100).await.map(|_| ()));
}

/// Files three complaints and takes two steps on the first: five events on the chain.
pub async fn fill_chain(s: &impl Store) {
    for n in 1..=3 {
        s.submit_complaint(sample(n, T0, "fair")).await.unwrap();
    }
    s.update_case(step("KW-2026-000001", 1, CaseState::Accepted, None, vec![]))
        .await
        .unwrap();
    s.update_case(step(
        "KW-2026-000001",
        2,
        CaseState::Routed,
        Some("ip_office"),
        vec![],
    ))
    .await
    .unwrap();
}

/// The chain as the store holds it now, verified.
pub async fn check_chain(s: &impl Store) -> Result<usize, crate::ChainBreak> {
    let events = s.audit_events(0, 10_000).await.unwrap();
    let head = s.audit_head().await.unwrap();
    verify_chain(&events, head.as_ref().map(|(q, h)| (*q, h.as_str())))
}

pub async fn api_tokens_are_found_by_hash_named_once_and_revoked_never_removed(s: &impl Store) {
    let at: Timestamp = "2026-11-02T01:00:00Z".parse().unwrap();
    let token = crate::ApiToken {
        name: "taobao".into(),
        token_hash: "ab".repeat(32),
        scope: "intake".into(),
        created_at: at,
        revoked_at: None,
    };
    s.create_api_token(&token).await.unwrap();
    let again = crate::ApiToken {
        token_hash: "cd".repeat(32),
        ..token.clone()
    };
    assert!(matches!(
        s.create_api_token(&again).await,
        Err(StoreError::Conflict(_))
    ));
    let same_key = crate::ApiToken {
        name: "jd".into(),
        ..token.clone()
    };
    assert!(matches!(
        s.create_api_token(&same_key).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        s.api_token(&token.token_hash).await.unwrap(),
        Some(token.clone())
    );
    assert_eq!(s.api_token(&"cd".repeat(32)).await.unwrap(), None);
    let later = at + jiff::SignedDuration::from_hours(1);
    s.revoke_api_token("taobao", later).await.unwrap();
    s.revoke_api_token("taobao", later + jiff::SignedDuration::from_hours(1))
        .await
        .unwrap();
    let revoked = s.api_token(&token.token_hash).await.unwrap().unwrap();
    assert_eq!(
        revoked.revoked_at,
        Some(later),
        "the first revocation stands"
    );
    assert!(matches!(
        s.revoke_api_token("nobody", later).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        s.api_tokens()
            .await
            .unwrap()
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        ["taobao"]
    );
}

pub async fn fair_sessions_are_kept_with_their_halls_latest_start_first(s: &impl Store) {
    let at: Timestamp = "2026-10-01T01:00:00Z".parse().unwrap();
    let spring = crate::FairSession {
        id: 0,
        fair: "第139届中国进出口商品交易会（广交会）".into(),
        session: "第一期".into(),
        starts_on: "2026-04-15".parse().unwrap(),
        ends_on: "2026-04-19".parse().unwrap(),
        halls: vec!["16.1".into(), "17.2".into(), "A区 3号馆".into()],
        created_by: "wang".into(),
        created_at: at,
    };
    let autumn = crate::FairSession {
        fair: "第140届中国进出口商品交易会（广交会）".into(),
        session: String::new(),
        starts_on: "2026-10-15".parse().unwrap(),
        ends_on: "2026-10-15".parse().unwrap(),
        halls: Vec::new(),
        ..spring.clone()
    };
    let first = s.create_fair_session(&spring).await.unwrap();
    let second = s.create_fair_session(&autumn).await.unwrap();
    assert_ne!(first, second);
    let listed = s.fair_sessions(10).await.unwrap();
    assert_eq!(
        listed,
        vec![
            crate::FairSession {
                id: second,
                ..autumn.clone()
            },
            crate::FairSession {
                id: first,
                ..spring.clone()
            },
        ],
        "every field back, the latest to start first"
    );
    assert_eq!(s.fair_sessions(1).await.unwrap().len(), 1);
    assert_eq!(
        s.fair_session(first).await.unwrap().map(|f| f.halls),
        Some(spring.halls.clone())
    );
    assert_eq!(s.fair_session(first + second + 1).await.unwrap(), None);
}
