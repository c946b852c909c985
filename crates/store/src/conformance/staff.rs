//! Telling staff (issue #23): an account's contact, who asked for what a supervisor decides,
//! and the outbox's messages to staff and of no case (the daily digest).

use jiff::Timestamp;
use kuaiwei_domain::CaseState;
use serde_json::json;

use super::{T0, event_step, sample, supplemented_and_extended_cases};
use crate::{Account, Contact, NewMessage, PendingExtension, Store, StoreError};

fn at(t: &str) -> Timestamp {
    t.parse().unwrap()
}

fn account(username: &str, contact: Contact) -> Account {
    Account {
        username: username.into(),
        display_name: "李明".into(),
        role: "officer".into(),
        agency: Some("market_regulation".into()),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        created_at: at("2026-11-02T02:00:00Z"),
        password_changed_at: at("2026-11-02T02:00:00Z"),
        disabled_at: None,
        contact,
    }
}

pub async fn an_accounts_contact_is_kept_and_replaced_whole(s: &impl Store) {
    let given = Contact {
        email: Some("li.ming@amr.example.gov.cn".into()),
        mobile: Some("13912345678".into()),
        lang: "en".into(),
    };
    s.create_account(&account("officer.li", given.clone()))
        .await
        .unwrap();
    s.create_account(&account("officer.wu", Contact::default()))
        .await
        .unwrap();
    let li = s.account("officer.li").await.unwrap().unwrap();
    assert_eq!(li.contact, given);
    let wu = s.account("officer.wu").await.unwrap().unwrap();
    assert_eq!(
        (
            wu.contact.email,
            wu.contact.mobile,
            wu.contact.lang.as_str()
        ),
        (None, None, "zh-CN"),
        "nothing given: told nowhere, in Chinese"
    );

    let replaced = Contact {
        email: Some("wu@amr.example.gov.cn".into()),
        mobile: None,
        lang: "zh-CN".into(),
    };
    s.set_contact("officer.li", &replaced).await.unwrap();
    let listed = s.accounts().await.unwrap();
    assert_eq!(listed[0].username, "officer.li");
    assert_eq!(
        listed[0].contact, replaced,
        "the mobile given before is gone"
    );
    assert_eq!(
        listed[1].contact,
        Contact::default(),
        "the other is untouched"
    );
    assert!(matches!(
        s.set_contact("nobody", &replaced).await,
        Err(StoreError::NotFound)
    ));
}

/// The cases of [`supplemented_and_extended_cases`] (whose extension requests `wang` made),
/// the second also proposed for transfer by `zhao` and then by someone else, which keeps the
/// first proposer.
pub async fn asked_and_proposed_cases(s: &impl Store) -> (String, String) {
    let (a, b) = supplemented_and_extended_cases(s).await;
    let mut proposed = event_step(
        &b,
        4,
        CaseState::Opened,
        "propose_transfer",
        json!({}),
        "2026-10-24T02:00:00Z",
    );
    proposed.event.actor = "officer:zhao".into();
    proposed.transfer_proposed_by = Some("zhao".into());
    let mut later = event_step(
        &b,
        5,
        CaseState::Opened,
        "supervise",
        json!({}),
        "2026-10-25T02:00:00Z",
    );
    later.transfer_proposed_by = Some("someone.else".into());
    for u in [proposed, later] {
        s.update_case(u).await.unwrap();
    }
    (a, b)
}

/// [`asked_and_proposed_cases`] read back: who asked for the pending extension (none once it
/// was denied) and who proposed the transfer.
pub async fn asked_and_proposed_cases_read_back(s: &impl Store, (a, b): (&str, &str)) {
    let a = s.case(a).await.unwrap().unwrap();
    assert_eq!(a.extension_requested_by.as_deref(), Some("wang"));
    assert_eq!(a.transfer_proposed_by, None);
    let b = s.case(b).await.unwrap().unwrap();
    assert_eq!(b.extension_requested_by, None, "denied: nobody waits");
    assert_eq!(b.transfer_proposed_by.as_deref(), Some("zhao"));
}

pub async fn who_asked_for_an_extension_or_proposed_a_transfer_is_kept_on_the_case(s: &impl Store) {
    let (a, b) = asked_and_proposed_cases(s).await;
    asked_and_proposed_cases_read_back(s, (&a, &b)).await;
    let mut approved = event_step(
        &a,
        4,
        CaseState::Opened,
        "approve_extension",
        json!({}),
        "2026-10-26T02:00:00Z",
    );
    approved.pending_extension = PendingExtension::Clear;
    s.update_case(approved).await.unwrap();
    let a = s.case(&a).await.unwrap().unwrap();
    assert_eq!(
        (a.pending_extension, a.extension_requested_by),
        (None, None)
    );
}

fn message(to: &str, staff: Option<&str>, key: Option<&str>) -> NewMessage {
    let kind = if key.is_some() {
        "watch_digest"
    } else {
        "request_extension"
    };
    NewMessage {
        channel: "email".into(),
        recipient: to.into(),
        shown_to: kuaiwei_domain::pii::email(to),
        lang: "zh-CN".into(),
        notice: json!({ "kind": kind }),
        staff: staff.map(str::to_string),
        dedup_key: key.map(str::to_string),
    }
}

pub async fn keyed_messages_are_written_once_and_staff_messages_outlive_an_opt_out(s: &impl Store) {
    // the digest: one message per key, however often it is written
    let li = message(
        "li@amr.example.gov.cn",
        Some("officer.li"),
        Some("watch:2026-10-15:officer.li"),
    );
    let zhao = message(
        "zhao@amr.example.gov.cn",
        Some("supervisor.zhao"),
        Some("watch:2026-10-15:supervisor.zhao"),
    );
    let when = at("2026-10-15T00:30:00Z");
    assert_eq!(
        s.write_messages(&[li.clone(), zhao.clone()], when)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        s.write_messages(&[li.clone(), zhao.clone()], when)
            .await
            .unwrap(),
        0
    );
    let mut next_day = li.clone();
    next_day.dedup_key = Some("watch:2026-10-16:officer.li".into());
    assert_eq!(s.write_messages(&[li, next_day], when).await.unwrap(), 1);
    let due = s.due_messages(when, 10).await.unwrap();
    assert_eq!(due.len(), 3, "{due:?}");
    assert!(due.iter().all(|m| m.case_number.is_none()));
    assert_eq!(
        due.iter()
            .map(|m| m.staff.as_deref().unwrap())
            .collect::<Vec<_>>(),
        ["officer.li", "supervisor.zhao", "officer.li"]
    );

    // a case that told its complainant and an officer: the complainant stops e-mail, the
    // officer is still told
    let mut filed = sample(1, T0, "fair");
    filed.messages = vec![message("zhang@example.com", None, None)];
    let number = s
        .submit_complaint(filed)
        .await
        .unwrap()
        .case_number
        .to_string();
    let mut step = event_step(
        &number,
        1,
        CaseState::ExtensionPending,
        "request_extension",
        json!({}),
        "2026-10-16T01:00:00Z",
    );
    step.messages = vec![
        message("zhang@example.com", None, None),
        message("zhao@amr.example.gov.cn", Some("supervisor.zhao"), None),
    ];
    s.update_case(step).await.unwrap();
    let stopped = s
        .opt_out(&number, "email", at("2026-10-16T02:00:00Z"))
        .await
        .unwrap();
    assert_eq!(
        stopped, 2,
        "the receipt and the follow-up, not the officer's"
    );
    let of_case = s.case_messages(&number).await.unwrap();
    assert_eq!(of_case.len(), 3);
    let to_staff: Vec<_> = of_case.iter().filter(|m| m.staff.is_some()).collect();
    assert_eq!(to_staff.len(), 1);
    assert_eq!(to_staff[0].opted_out_at, None);
    assert_eq!(
        to_staff[0].case_number.as_ref().map(|c| c.as_str()),
        Some(number.as_str())
    );
    let due: Vec<_> = s
        .due_messages(at("2026-10-17T00:00:00Z"), 10)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.case_number.is_some())
        .collect();
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(due[0].staff.as_deref(), Some("supervisor.zhao"));
}
