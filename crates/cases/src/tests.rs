//! The plan of every step kind and every refusal, without a store: a case as the store would
//! hold it, a context as the service would load it, and what the plan returns.

use jiff::Timestamp;
use kuaiwei_deadlines::{Calendar, ClockStatus, ExclusionKind, Procedures};
use kuaiwei_domain::{CaseNumber, CaseState, Outcome};
use kuaiwei_routing::Agency;
use kuaiwei_store::{CaseRecord, ClockStanding, PendingExtension, StoredClock};
use serde_json::json;

use crate::clocks::new_clock;
use crate::step::{ClockPolicy, Reason, Step, amount};
use crate::{CaseError, Context, RouteDecision, plan};

fn computed(s: ClockStatus) -> ClockStanding {
    ClockStanding::Computed(s)
}

fn at(s: &str) -> Timestamp {
    s.parse().expect("test instant")
}

fn case(state: CaseState, clocks: Vec<StoredClock>) -> CaseRecord {
    CaseRecord {
        case_number: CaseNumber::parse("KW-2026-000042").expect("a case number"),
        state,
        agency: Some("market_regulation".into()),
        outcome: None,
        parent: None,
        received_at: at("2026-10-09T02:00:00Z"),
        materials_received_at: at("2026-10-09T02:00:00Z"),
        pending_extension: None,
        extension_requested_by: None,
        transfer_proposed_by: None,
        closed_at: None,
        respondent_id: None,
        supervised: false,
        officer: None,
        version: 3,
        clocks,
    }
}

fn running(id: &str, started: &str) -> StoredClock {
    new_clock(id, Some(at(started)))
}

struct Fixture {
    calendar: Calendar,
    procedures: Procedures,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture {
            calendar: Calendar::bundled(),
            procedures: Procedures::bundled(),
        }
    }

    fn cx<'a>(&'a self, case: &'a CaseRecord, next: CaseState, now: &str) -> Context<'a> {
        Context {
            case,
            next,
            now: at(now),
            actor: "caseworker:wang".into(),
            username: "wang".into(),
            calendar: &self.calendar,
            procedures: &self.procedures,
            missing: Vec::new(),
            materials_received_at: case.received_at,
            requested_extension: None,
            route: None,
        }
    }
}

fn reason(t: &str) -> Reason {
    Reason::required("reason", t).expect("a reason")
}

fn field_code(e: CaseError) -> (String, &'static str) {
    match e {
        CaseError::Field { path, code, .. } => (path, code),
        other => panic!("not a field error: {other:?}"),
    }
}

#[test]
fn reasons_are_trimmed_bounded_and_blank_optional_ones_are_none() {
    assert_eq!(reason("  材料齐全 ").as_str(), "材料齐全");
    assert!(Reason::required("reason", "  ").is_err());
    assert!(Reason::required("reason", &"字".repeat(2001)).is_err());
    assert_eq!(Reason::optional("reason", Some(" ")).unwrap(), None);
    assert_eq!(
        ClockPolicy::parse(Some("continue")).unwrap(),
        Some(ClockPolicy::Continue)
    );
    assert_eq!(
        field_code(ClockPolicy::parse(Some("later")).unwrap_err()),
        ("clock".into(), "unknown_value")
    );
    assert_eq!(
        field_code(crate::step::agency("mars", "to_agency").unwrap_err()),
        ("to_agency".into(), "unknown_agency")
    );
    assert_eq!(
        field_code(amount("a month").unwrap_err()),
        ("amount".into(), "period_format")
    );
}

#[test]
fn accepting_with_materials_missing_needs_a_reason_and_records_the_list() {
    let f = Fixture::new();
    let c = case(CaseState::Received, vec![]);
    let mut cx = f.cx(&c, CaseState::Accepted, "2026-10-09T03:00:00Z");
    cx.missing = vec!["right_certificate".into(), "power_of_attorney".into()];
    let refused = plan(&cx, &Step::Accept { reason: None }).unwrap_err();
    // the refusal names the materials in words, not by their keys
    match &refused {
        CaseError::Field { zh, en, .. } => {
            assert!(zh.contains("缺：权属证明、授权委托书"), "{zh}");
            assert!(
                en.contains("(proof of the right, power of attorney)"),
                "{en}"
            );
        }
        other => panic!("not a field error: {other:?}"),
    }
    assert_eq!(field_code(refused), ("reason".into(), "required"));
    let u = plan(
        &cx,
        &Step::Accept {
            reason: Some(reason("原件已现场核对")),
        },
    )
    .unwrap();
    assert_eq!(u.state, CaseState::Accepted);
    assert_eq!(
        u.event.payload["missing"],
        json!(["right_certificate", "power_of_attorney"])
    );
    assert_eq!(u.event.reason.as_deref(), Some("原件已现场核对"));
    // complete: no reason needed, no list recorded
    cx.missing.clear();
    let u = plan(&cx, &Step::Accept { reason: None }).unwrap();
    assert!(u.event.payload.get("missing").is_none());
}

#[test]
fn a_supplement_request_lists_the_missing_materials_or_refuses_an_empty_list() {
    let f = Fixture::new();
    let c = case(CaseState::Received, vec![]);
    let mut cx = f.cx(&c, CaseState::SupplementRequested, "2026-10-09T03:00:00Z");
    let step = Step::RequestSupplement {
        reason: reason("缺少权属证明"),
        missing: None,
    };
    assert_eq!(
        field_code(plan(&cx, &step).unwrap_err()),
        ("missing".into(), "nothing_missing")
    );
    cx.missing = vec!["right_certificate".into()];
    let u = plan(&cx, &step).unwrap();
    assert_eq!(u.event.payload["missing"], json!(["right_certificate"]));
    let too_many = Step::RequestSupplement {
        reason: reason("缺"),
        missing: Some(vec!["x".into(); 31]),
    };
    assert_eq!(
        field_code(plan(&cx, &too_many).unwrap_err()),
        ("missing".into(), "invalid_list")
    );
}

#[test]
fn routing_starts_the_fair_hand_over_at_the_materials_and_other_clocks_now_or_at_opening() {
    let f = Fixture::new();
    let c = case(CaseState::Accepted, vec![]);
    let mut cx = f.cx(&c, CaseState::Routed, "2026-10-09T13:00:00Z");
    cx.materials_received_at = at("2026-10-09T05:00:00Z");
    cx.route = Some(RouteDecision {
        agency: "market_regulation".into(),
        procedures: vec!["F1".into(), "M1".into(), "M2".into()],
        rule: json!({"rule_id": "fair_trademark"}),
        also: Vec::new(),
    });
    let step = Step::Route {
        reason: None,
        agency: None,
        procedures: None,
        clock: None,
    };
    let u = plan(&cx, &step).unwrap();
    let clock = |id: &str| u.clocks.iter().find(|c| c.procedure_id == id).unwrap();
    assert_eq!(clock("F1").started_at, Some(at("2026-10-09T05:00:00Z")));
    assert_eq!(clock("F1").closed_at, Some(at("2026-10-09T13:00:00Z")));
    assert_eq!(clock("F1").status, computed(ClockStatus::ClosedOnTime));
    assert_eq!(clock("M1").started_at, Some(at("2026-10-09T13:00:00Z")));
    assert!(clock("M1").due_at.is_some());
    assert_eq!(clock("M2").started_at, None, "waits for 立案");
    assert_eq!(u.agency.as_deref(), Some("market_regulation"));
    assert_eq!(u.event.payload["rule"]["rule_id"], "fair_trademark");
    // without a decision the plan refuses rather than guess
    cx.route = None;
    assert_eq!(
        field_code(plan(&cx, &step).unwrap_err()),
        ("agency".into(), "no_route")
    );
}

#[test]
fn a_route_to_several_authorities_opens_a_linked_case_for_each_other_one() {
    let f = Fixture::new();
    let c = case(CaseState::Accepted, vec![]);
    let mut cx = f.cx(&c, CaseState::Routed, "2026-10-09T13:00:00Z");
    cx.route = Some(RouteDecision {
        agency: "ip_office".into(),
        procedures: vec!["P1".into(), "P4".into()],
        rule: json!({"rule_id": "patent_dispute_order_81"}),
        also: vec![
            kuaiwei_cases_also("market_regulation", &["M1", "M2"], "trademark"),
            kuaiwei_cases_also("police", &["T1", "T2", "T3"], "criminal_copyright"),
        ],
    });
    let step = Step::Route {
        reason: None,
        agency: None,
        procedures: None,
        clock: None,
    };
    let u = plan(&cx, &step).unwrap();
    assert_eq!(u.agency.as_deref(), Some("ip_office"));
    assert_eq!(u.linked.len(), 2);
    let mr = &u.linked[0];
    assert_eq!(mr.agency, "market_regulation");
    assert_eq!(mr.event_kind, "routed_in");
    assert_eq!(mr.event_payload["rule_id"], "trademark");
    assert_eq!(mr.clocks[0].procedure_id, "M1");
    assert_eq!(mr.clocks[0].started_at, Some(at("2026-10-09T13:00:00Z")));
    assert!(mr.clocks[0].due_at.is_some(), "M1 runs from the route");
    assert_eq!(mr.clocks[1].started_at, None, "M2 waits for 立案");
    assert_eq!(u.linked[1].agency, "police");
    assert_eq!(u.event.payload["also"][1]["agency"], "police");
    // a re-route moves this case only: the others were opened by the first route
    let routed = case(CaseState::Routed, u.clocks.clone());
    let mut again = f.cx(&routed, CaseState::Routed, "2026-10-10T02:00:00Z");
    again.route = cx.route.clone();
    let reroute = Step::Route {
        reason: Some(reason("改派")),
        agency: None,
        procedures: None,
        clock: Some(ClockPolicy::Restart),
    };
    assert_eq!(
        field_code(plan(&again, &reroute).unwrap_err()),
        ("agency".into(), "reroute_several")
    );
}

fn kuaiwei_cases_also(agency: &str, procedures: &[&str], rule: &str) -> crate::AlsoRoute {
    crate::AlsoRoute {
        agency: agency.into(),
        procedures: procedures.iter().map(|p| p.to_string()).collect(),
        record: json!({"rule_id": rule}),
    }
}

#[test]
fn a_re_route_must_say_whether_the_clocks_restart_or_continue() {
    let f = Fixture::new();
    let m1 = running("M1", "2026-10-09T05:00:00Z");
    let c = case(CaseState::Routed, vec![m1.clone()]);
    let mut cx = f.cx(&c, CaseState::Routed, "2026-10-12T02:00:00Z");
    cx.route = Some(RouteDecision {
        agency: "market_regulation".into(),
        procedures: vec!["M1".into()],
        rule: json!({}),
        also: Vec::new(),
    });
    let mut step = Step::Route {
        reason: Some(reason("改派")),
        agency: Some(Agency::MarketRegulation),
        procedures: None,
        clock: None,
    };
    assert_eq!(
        field_code(plan(&cx, &step).unwrap_err()),
        ("clock".into(), "required")
    );
    if let Step::Route { clock, .. } = &mut step {
        *clock = Some(ClockPolicy::Continue);
    }
    let kept = plan(&cx, &step).unwrap();
    assert_eq!(kept.clocks[0].started_at, m1.started_at);
    assert_eq!(kept.event.payload["clock"], "continue");
    if let Step::Route { clock, .. } = &mut step {
        *clock = Some(ClockPolicy::Restart);
    }
    let restarted = plan(&cx, &step).unwrap();
    assert_eq!(
        restarted.clocks[0].started_at,
        Some(at("2026-10-12T02:00:00Z"))
    );
}

#[test]
fn opening_stops_the_decision_clocks_starts_the_waiting_ones_and_credits_the_officer() {
    let f = Fixture::new();
    let c = case(
        CaseState::Routed,
        vec![running("M1", "2026-10-09T05:00:00Z"), new_clock("M2", None)],
    );
    let mut cx = f.cx(&c, CaseState::Opened, "2026-10-12T02:00:00Z");
    cx.actor = "officer:li".into();
    cx.username = "li".into();
    let u = plan(&cx, &Step::Open { reason: None }).unwrap();
    assert_eq!(u.clocks[0].closed_at, Some(at("2026-10-12T02:00:00Z")));
    assert_eq!(u.clocks[1].started_at, Some(at("2026-10-12T02:00:00Z")));
    assert_eq!(u.officer.as_deref(), Some("li"));
    assert_eq!(u.event.actor, "officer:li");
}

#[test]
fn suspending_pauses_the_clocks_that_allow_it_and_resuming_ends_the_pause() {
    let f = Fixture::new();
    let c = case(
        CaseState::Opened,
        vec![running("M2", "2026-10-12T02:00:00Z")],
    );
    let cx = f.cx(&c, CaseState::Suspended, "2026-10-20T02:00:00Z");
    let u = plan(
        &cx,
        &Step::Suspend {
            reason: reason("等待鉴定意见"),
            kind: ExclusionKind::Suspension,
        },
    )
    .unwrap();
    assert_eq!(u.event.payload["clocks_paused"], 1);
    assert_eq!(u.clocks[0].status, computed(ClockStatus::Paused));
    let suspended = case(CaseState::Suspended, u.clocks.clone());
    let cx = f.cx(&suspended, CaseState::Opened, "2026-10-30T02:00:00Z");
    let resumed = plan(&cx, &Step::Resume { reason: None }).unwrap();
    assert_eq!(
        resumed.clocks[0].inputs.exclusions[0].to,
        Some(at("2026-10-30T02:00:00Z"))
    );
    assert!(
        resumed.clocks[0].due_at > u.clocks[0].due_at,
        "pushed by the pause"
    );
}

#[test]
fn an_extension_in_another_unit_is_refused_when_asked_and_an_approved_one_names_its_approver() {
    let f = Fixture::new();
    let c = case(
        CaseState::Opened,
        vec![running("M2", "2026-10-12T02:00:00Z")],
    );
    let cx = f.cx(&c, CaseState::Opened, "2026-11-20T02:00:00Z");
    // M2 counts in calendar days: a month is the wrong unit
    let months = Step::RequestExtension {
        reason: reason("案情复杂"),
        amount: amount("1m").unwrap(),
    };
    assert_eq!(
        field_code(plan(&cx, &months).unwrap_err()),
        ("amount".into(), "extension_unit")
    );
    let days = Step::RequestExtension {
        reason: reason("案情复杂"),
        amount: amount("30d").unwrap(),
    };
    assert_eq!(plan(&cx, &days).unwrap().event.payload["amount"], "30d");
    // approval: the pending amount, approved by the actor
    let mut cx = f.cx(&c, CaseState::Opened, "2026-11-21T02:00:00Z");
    let approve = Step::ApproveExtension { reason: None };
    assert!(matches!(
        plan(&cx, &approve).unwrap_err(),
        CaseError::Conflict {
            code: "no_extension_requested",
            ..
        }
    ));
    cx.requested_extension = Some(amount("30d").unwrap());
    cx.actor = "supervisor:zhao".into();
    let u = plan(&cx, &approve).unwrap();
    assert_eq!(u.clocks[0].inputs.extensions[0].approver, "supervisor:zhao");
    assert!(u.clocks[0].due_at > c.clocks[0].due_at.or(Some(at("2026-01-01T00:00:00Z"))));
}

#[test]
fn a_request_sets_the_pending_extension_a_decision_clears_it_and_a_supplement_dates_the_materials()
{
    let f = Fixture::new();
    let c = case(
        CaseState::Opened,
        vec![running("M2", "2026-10-12T02:00:00Z")],
    );
    let cx = f.cx(&c, CaseState::ExtensionPending, "2026-11-20T02:00:00Z");
    let asked = plan(
        &cx,
        &Step::RequestExtension {
            reason: reason("案情复杂"),
            amount: amount("30d").unwrap(),
        },
    )
    .unwrap();
    assert_eq!(
        asked.pending_extension,
        PendingExtension::Set {
            amount: amount("30d").unwrap(),
            by: "wang".into()
        }
    );
    assert_eq!(asked.materials_received_at, None);
    let pending = case(CaseState::ExtensionPending, c.clocks.clone());
    let mut cx = f.cx(&pending, CaseState::Opened, "2026-11-21T02:00:00Z");
    cx.requested_extension = Some(amount("30d").unwrap());
    for decision in [
        Step::ApproveExtension { reason: None },
        Step::DenyExtension {
            reason: reason("理由不足"),
        },
    ] {
        let u = plan(&cx, &decision).unwrap();
        assert_eq!(u.pending_extension, PendingExtension::Clear, "{decision:?}");
    }
    // the supplement (补正) is what a later acceptance relies on: F1 runs from it
    let waiting = case(CaseState::SupplementRequested, vec![]);
    let cx = f.cx(&waiting, CaseState::Received, "2026-10-10T05:00:00Z");
    let u = plan(&cx, &Step::Supplement { reason: None }).unwrap();
    assert_eq!(u.materials_received_at, Some(at("2026-10-10T05:00:00Z")));
    assert_eq!(u.pending_extension, PendingExtension::Keep);
}

#[test]
fn an_extension_after_the_period_ran_out_is_refused_as_expired() {
    let f = Fixture::new();
    let mut m2 = running("M2", "2026-06-22T08:00:00Z");
    m2.due_at = Some(at("2026-09-20T16:00:00Z"));
    let c = case(CaseState::Opened, vec![m2]);
    let mut cx = f.cx(&c, CaseState::Opened, "2026-09-21T02:00:00Z");
    cx.requested_extension = Some(amount("30d").unwrap());
    for step in [
        Step::RequestExtension {
            reason: reason("案情复杂"),
            amount: amount("30d").unwrap(),
        },
        Step::ApproveExtension { reason: None },
    ] {
        assert!(
            matches!(
                plan(&cx, &step).unwrap_err(),
                CaseError::Conflict {
                    code: "period_expired",
                    ..
                }
            ),
            "{step:?}"
        );
    }
}

#[test]
fn a_transfer_to_the_police_stops_the_clocks_and_opens_a_linked_case_with_t3() {
    let f = Fixture::new();
    let c = case(
        CaseState::Opened,
        vec![running("M2", "2026-10-12T02:00:00Z")],
    );
    let cx = f.cx(&c, CaseState::Transferred, "2026-10-20T02:00:00Z");
    let u = plan(
        &cx,
        &Step::Transfer {
            reason: reason("涉嫌犯罪"),
            to: Agency::Police,
            procedures: None,
        },
    )
    .unwrap();
    assert_eq!(u.clocks[0].closed_at, Some(at("2026-10-20T02:00:00Z")));
    assert_eq!(u.outcome, Some(Outcome::Transferred));
    assert_eq!(u.linked.len(), 1);
    let linked = u.linked[0].clone();
    assert_eq!(linked.event_kind, "transferred_in");
    assert_eq!(linked.agency, "police");
    assert_eq!(linked.clocks[0].procedure_id, "T3");
    // T3 runs from the police's acceptance (§8.5), not from the sending
    assert_eq!(linked.clocks[0].started_at, None);
    assert_eq!(linked.clocks[0].due_at, None);
    let unknown = Step::Transfer {
        reason: reason("移送"),
        to: Agency::Police,
        procedures: Some(vec!["Z9".into()]),
    };
    assert_eq!(
        field_code(plan(&cx, &unknown).unwrap_err()),
        ("procedures".into(), "unknown_procedure")
    );
}

#[test]
fn closing_and_refusing_stop_every_running_clock() {
    let f = Fixture::new();
    let c = case(
        CaseState::Opened,
        vec![running("M2", "2026-10-12T02:00:00Z")],
    );
    let cx = f.cx(&c, CaseState::Closed, "2026-10-20T02:00:00Z");
    let closed = plan(
        &cx,
        &Step::Close {
            reason: None,
            outcome: Outcome::InfringementConfirmed,
        },
    )
    .unwrap();
    assert_eq!(closed.outcome, Some(Outcome::InfringementConfirmed));
    assert_eq!(closed.clocks[0].status, computed(ClockStatus::ClosedOnTime));
    let received = case(CaseState::Received, vec![]);
    let cx = f.cx(&received, CaseState::Refused, "2026-10-20T02:00:00Z");
    let refused = plan(
        &cx,
        &Step::Refuse {
            reason: reason("不属于受理范围"),
        },
    )
    .unwrap();
    assert_eq!(refused.state, CaseState::Refused);
    assert_eq!(refused.event.reason.as_deref(), Some("不属于受理范围"));
}

#[test]
fn supervision_is_marked_once_and_lifted_once() {
    let f = Fixture::new();
    let c = case(CaseState::Opened, vec![]);
    let cx = f.cx(&c, CaseState::Opened, "2026-10-20T02:00:00Z");
    let on = plan(
        &cx,
        &Step::Supervise {
            reason: reason("重大案件"),
        },
    )
    .unwrap();
    assert!(on.supervised);
    let off = Step::Unsupervise {
        reason: reason("撤销"),
    };
    assert_eq!(
        field_code(plan(&cx, &off).unwrap_err()),
        ("action".into(), "already_set")
    );
}

#[test]
fn a_refused_transfer_stops_t1_with_its_reason_and_starts_nothing() {
    // 移送规定 Art. 5: 不批准的，应当将不予批准的理由记录在案
    use kuaiwei_domain::Action as A;
    let f = Fixture::new();
    let c = case(
        CaseState::Opened,
        vec![running("M2", "2026-10-12T02:00:00Z")],
    );
    let deny = Step::DenyTransfer {
        reason: reason("现有证据不足以证明涉嫌犯罪"),
    };
    // nothing proposed, nothing to refuse
    assert!(!crate::allowed(&c, &Procedures::bundled()).contains(&A::DenyTransfer));
    assert!(matches!(
        plan(&f.cx(&c, CaseState::Opened, "2026-10-20T02:00:00Z"), &deny).unwrap_err(),
        CaseError::Conflict {
            code: "no_transfer_proposed",
            ..
        }
    ));
    let proposed = plan(
        &f.cx(&c, CaseState::Opened, "2026-10-20T02:00:00Z"),
        &Step::ProposeTransfer {
            reason: reason("专案组报告"),
        },
    )
    .unwrap();
    let c = case(CaseState::Opened, proposed.clocks.clone());
    assert!(crate::allowed(&c, &Procedures::bundled()).contains(&A::DenyTransfer));
    let refused = plan(&f.cx(&c, CaseState::Opened, "2026-10-24T02:00:00Z"), &deny).unwrap();
    assert_eq!(refused.state, CaseState::Opened, "the case goes on");
    let t1 = refused
        .clocks
        .iter()
        .find(|c| c.procedure_id == "T1")
        .unwrap();
    assert_eq!(t1.closed_at, Some(at("2026-10-24T02:00:00Z")));
    // decided after the 3 days (due 10-23 24:00): late, as an approval would be
    assert_eq!(t1.status, computed(ClockStatus::ClosedLate));
    assert!(refused.clocks.iter().all(|c| c.procedure_id != "T2"));
    assert!(
        refused
            .clocks
            .iter()
            .any(|c| c.procedure_id == "M2" && c.closed_at.is_none()),
        "the administrative clock runs on"
    );
    // decided: neither approval nor refusal again, and no second report on this case; the
    // head may still transfer it on new facts
    let c = case(CaseState::Opened, refused.clocks.clone());
    let allowed = crate::allowed(&c, &Procedures::bundled());
    for a in [A::ApproveTransfer, A::DenyTransfer, A::ProposeTransfer] {
        assert!(!allowed.contains(&a), "{a:?} still offered");
    }
    assert!(allowed.contains(&A::Transfer));
}

#[test]
fn a_transfer_runs_t1_from_the_report_t2_from_the_approval_and_t3_from_the_acceptance() {
    // 移送规定 Arts. 5 and 8 (legal-deadlines.md §8.5)
    let f = Fixture::new();
    let c = case(
        CaseState::Opened,
        vec![running("M2", "2026-10-12T02:00:00Z")],
    );
    assert!(
        crate::allowed(&c, &Procedures::bundled())
            .contains(&kuaiwei_domain::Action::ProposeTransfer)
    );
    assert!(
        !crate::allowed(&c, &Procedures::bundled())
            .contains(&kuaiwei_domain::Action::ApproveTransfer)
    );
    let cx = f.cx(&c, CaseState::Opened, "2026-10-20T02:00:00Z");
    let approve = Step::ApproveTransfer { reason: None };
    assert!(matches!(
        plan(&cx, &approve).unwrap_err(),
        CaseError::Conflict {
            code: "no_transfer_proposed",
            ..
        }
    ));
    let proposed = plan(
        &cx,
        &Step::ProposeTransfer {
            reason: reason("专案组报告：非法经营额超过追诉标准"),
        },
    )
    .unwrap();
    let t1 = proposed
        .clocks
        .iter()
        .find(|c| c.procedure_id == "T1")
        .unwrap();
    assert_eq!(t1.started_at, Some(at("2026-10-20T02:00:00Z")));
    // 3 calendar days from 10-20: 10-23, 24:00
    assert_eq!(t1.due_at, Some(at("2026-10-23T16:00:00Z")));
    let c = case(CaseState::Opened, proposed.clocks.clone());
    // once proposed, a second report is refused: T1 runs from the first
    let again = plan(
        &f.cx(&c, CaseState::Opened, "2026-10-21T02:00:00Z"),
        &Step::ProposeTransfer {
            reason: reason("再次呈报"),
        },
    );
    assert!(matches!(
        again,
        Err(CaseError::Conflict {
            code: "transfer_already_proposed",
            ..
        })
    ));
    assert!(
        crate::allowed(&c, &Procedures::bundled())
            .contains(&kuaiwei_domain::Action::ApproveTransfer)
    );
    assert!(
        !crate::allowed(&c, &Procedures::bundled())
            .contains(&kuaiwei_domain::Action::ProposeTransfer)
    );
    let cx = f.cx(&c, CaseState::Opened, "2026-10-22T02:00:00Z");
    let approved = plan(&cx, &approve).unwrap();
    let clock = |id: &str| {
        approved
            .clocks
            .iter()
            .find(|c| c.procedure_id == id)
            .unwrap()
            .clone()
    };
    assert_eq!(clock("T1").status, computed(ClockStatus::ClosedOnTime));
    assert_eq!(clock("T2").started_at, Some(at("2026-10-22T02:00:00Z")));
    assert_eq!(
        clock("T2").due_at,
        Some(at("2026-10-23T02:00:00Z")),
        "24 hours"
    );
    // sent within the 24 hours: T2 on time; the police's case waits for their acceptance
    let c = case(CaseState::Opened, approved.clocks.clone());
    let cx = f.cx(&c, CaseState::Transferred, "2026-10-22T09:00:00Z");
    let sent = plan(
        &cx,
        &Step::Transfer {
            reason: reason("批准移送"),
            to: Agency::Police,
            procedures: None,
        },
    )
    .unwrap();
    let t2 = sent.clocks.iter().find(|c| c.procedure_id == "T2").unwrap();
    assert_eq!(t2.status, computed(ClockStatus::ClosedOnTime));
    let mut police = case(CaseState::Routed, sent.linked[0].clocks.clone());
    police.agency = Some("police".into());
    police.parent = Some(c.case_number.clone());
    assert!(
        crate::allowed(&police, &Procedures::bundled())
            .contains(&kuaiwei_domain::Action::AcceptTransfer)
    );
    let cx = f.cx(&police, CaseState::Routed, "2026-10-24T02:00:00Z");
    let accepted = plan(&cx, &Step::AcceptTransfer { reason: None }).unwrap();
    assert_eq!(
        accepted.clocks[0].started_at,
        Some(at("2026-10-24T02:00:00Z"))
    );
    // 3 calendar days from 10-24 is 10-27 (Tue), 24:00
    assert_eq!(accepted.clocks[0].due_at, Some(at("2026-10-27T16:00:00Z")));
    // not on a case that was not transferred in
    let own = case(CaseState::Routed, vec![new_clock("T3", None)]);
    let cx = f.cx(&own, CaseState::Routed, "2026-10-24T02:00:00Z");
    assert!(matches!(
        plan(&cx, &Step::AcceptTransfer { reason: None }).unwrap_err(),
        CaseError::Conflict {
            code: "not_a_pending_transfer",
            ..
        }
    ));
}

fn route_to(agency: Agency, procedures: &[&str], rule: &str) -> kuaiwei_routing::Route {
    kuaiwei_routing::Route {
        agency,
        procedures: procedures.iter().map(|p| p.to_string()).collect(),
        rule_id: rule.into(),
        reason_zh: "规则".into(),
        reason_en: "rule".into(),
        legal_basis: "法".into(),
        transfer_to_police: false,
        rights: Vec::new(),
        compared: Vec::new(),
    }
}

fn routing(routes: Vec<kuaiwei_routing::Route>) -> kuaiwei_routing::Routing {
    kuaiwei_routing::Routing {
        routes,
        unrouted: Vec::new(),
        reviews: Vec::new(),
        facts: Vec::new(),
    }
}

#[test]
fn the_route_decision_follows_the_rules_and_opens_linked_cases_only_on_a_first_unchanged_route() {
    use crate::route::{Asked, decide};
    let two = routing(vec![
        route_to(
            Agency::MarketRegulation,
            &["F1", "M1", "M2"],
            "trademark_fair",
        ),
        route_to(Agency::IpOffice, &["P4"], "patent_dispute_order_81"),
    ]);
    let d = decide(&two, &Asked::default(), false, true).unwrap();
    assert_eq!(d.agency, "market_regulation");
    assert_eq!(d.procedures, ["F1", "M1", "M2"]);
    assert_eq!(d.also.len(), 1);
    assert_eq!(d.also[0].agency, "ip_office");
    assert_eq!(d.rule["override"], json!(false));
    assert_eq!(d.rule["repeat_infringer"], json!(true));
    assert_eq!(d.rule["suggested"]["rule_id"], json!("trademark_fair"));
    // a re-route moves this case only
    let again = decide(&two, &Asked::default(), true, false).unwrap();
    assert!(again.also.is_empty());
    // an override decides for the whole complaint, with its reason
    let procedures = ["P1".to_string()];
    let overridden = Asked {
        agency: Some(Agency::IpOffice),
        procedures: Some(&procedures),
        reason: Some("专利为主"),
        facts_given: true,
    };
    let d = decide(&two, &overridden, false, false).unwrap();
    assert_eq!((d.agency.as_str(), d.also.len()), ("ip_office", 0));
    assert_eq!(d.rule["override"], json!(true));
    assert_eq!(d.rule["facts_given"], json!(true));
    // naming the rules' own agency keeps the rules' procedures and is no override
    let same = Asked {
        agency: Some(Agency::MarketRegulation),
        ..Asked::default()
    };
    let d = decide(&two, &same, false, false).unwrap();
    assert_eq!(d.procedures, ["F1", "M1", "M2"]);
    assert_eq!(d.rule["override"], json!(false));
}

#[test]
fn the_route_decision_refuses_each_incomplete_or_unexplained_choice() {
    use crate::route::{Asked, decide};
    let one = routing(vec![route_to(Agency::MarketRegulation, &["M1"], "r")]);
    let procedures = ["P1".to_string()];
    let none: [String; 0] = [];
    let cases: Vec<(Asked, (&str, &str))> = vec![
        (
            Asked {
                procedures: Some(&procedures),
                ..Asked::default()
            },
            ("agency", "required"),
        ),
        (
            Asked {
                agency: Some(Agency::IpOffice),
                reason: Some("理由"),
                ..Asked::default()
            },
            ("procedures", "required"),
        ),
        (
            Asked {
                agency: Some(Agency::IpOffice),
                procedures: Some(&none),
                reason: Some("理由"),
                ..Asked::default()
            },
            ("procedures", "required"),
        ),
        (
            Asked {
                agency: Some(Agency::IpOffice),
                procedures: Some(&procedures),
                reason: Some("  "),
                ..Asked::default()
            },
            ("reason", "override_reason_required"),
        ),
    ];
    for (asked, (path, code)) in cases {
        let e = decide(&one, &asked, false, false).unwrap_err();
        assert_eq!(field_code(e), (path.to_string(), code), "{asked:?}");
    }
    // nothing the rules can decide: the caseworker must name the agency
    let manual = kuaiwei_routing::Routing {
        routes: Vec::new(),
        unrouted: vec![kuaiwei_routing::NoRoute {
            rule_id: None,
            reason_zh: "无匹配规则".into(),
            reason_en: "no rule matched".into(),
            legal_basis: String::new(),
            procedures: Vec::new(),
            rights: Vec::new(),
        }],
        reviews: Vec::new(),
        facts: Vec::new(),
    };
    let e = decide(&manual, &Asked::default(), false, false).unwrap_err();
    assert_eq!(field_code(e), ("agency".to_string(), "manual_triage"));
}

#[test]
fn a_supplement_and_a_denied_extension_change_no_clock_and_record_the_step() {
    let f = Fixture::new();
    let c = case(
        CaseState::Opened,
        vec![running("M2", "2026-10-12T02:00:00Z")],
    );
    let update = plan(
        &f.cx(&c, CaseState::Opened, "2026-10-20T02:00:00Z"),
        &Step::DenyExtension {
            reason: reason("材料不足"),
        },
    )
    .unwrap();
    assert_eq!(update.event.kind, "deny_extension");
    assert_eq!(update.event.reason.as_deref(), Some("材料不足"));
    assert_eq!(update.clocks[0].started_at, c.clocks[0].started_at);
    assert_eq!(update.clocks[0].closed_at, None);
    let waiting = case(CaseState::SupplementRequested, Vec::new());
    let update = plan(
        &f.cx(&waiting, CaseState::Received, "2026-10-20T02:00:00Z"),
        &Step::Supplement { reason: None },
    )
    .unwrap();
    assert_eq!(update.event.kind, "supplement");
    assert_eq!(update.state, CaseState::Received);
    assert!(update.clocks.is_empty());
}
