//! The routing scenarios of crates/routing/tests/scenarios.toml (written from legal-deadlines.md,
//! not from the rules), each filed through the API on its filing date, accepted and routed by
//! the rules, on SQLite and PostgreSQL: the case's own authority and clocks, a linked case with
//! its clocks for every other authority, the parts left to a caseworker, the supervisor's flag
//! (§8.7), the facts recorded in the route event, and the complainant's status naming every
//! authority.

use kuaiwei_e2e::{Backend, Options, TestApp, spawn_app_with};
use serde_json::{Value, json};

kuaiwei_e2e::on_every_backend!(
    backend: every_routing_scenario_routes_through_the_api,
    a_caseworker_routes_on_the_facts_they_checked,
);

#[path = "../../crates/routing/tests/common/scenario.rs"]
mod scenario;

use scenario::{Scenario, complaint};

fn procedures(case: &Value) -> Vec<String> {
    case["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["procedure"].as_str().unwrap().to_string())
        .collect()
}

async fn every_routing_scenario_routes_through_the_api(backend: Backend) {
    let start: jiff::Timestamp = "2025-01-02T02:00:00Z".parse().unwrap();
    let Some(app) = spawn_app_with(backend, Options::at(start)).await else {
        return;
    };
    let all = scenario::scenarios();
    let mut failures = Vec::new();
    let mut ran = 0;
    // by filing date, so that the server's clock only moves forward
    let mut list: Vec<(usize, &Scenario)> = all.iter().enumerate().filter(|(_, s)| s.api).collect();
    list.sort_by_key(|(i, s)| (s.filed_on().to_string(), *i));
    for (i, s) in list {
        ran += 1;
        if let Err(e) = run(&app, s, i).await {
            failures.push(format!("{}: {e}", s.name));
        }
    }
    assert!(ran >= 60, "{ran} scenarios through the API");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

async fn run(app: &TestApp, s: &Scenario, i: usize) -> Result<(), String> {
    let day = s.filed_on();
    app.clock.set(format!("{day}T02:00:00Z").parse().unwrap());
    let receipt = app.file_complaint_json(&complaint(s, i)).await;
    let n = receipt["case_number"].as_str().unwrap().to_string();
    let accepted = app
        .act(
            &n,
            json!({"action": "accept", "reason": "核对材料后受理", "actor": "caseworker:chen"}),
        )
        .await;
    if accepted.status != 200 {
        return Err(format!(
            "accept: {}",
            String::from_utf8_lossy(&accepted.body)
        ));
    }
    // what the rules suggest, before the step (the case page shows the same)
    let view = app
        .act(&n, json!({"action": "route", "actor": "caseworker:chen"}))
        .await;
    let case = app.store.case(&n).await.unwrap().unwrap();
    let routing = {
        let events = app.store.case_events(&n).await.unwrap();
        events
            .iter()
            .rev()
            .find(|e| e.kind == "route")
            .map(|e| serde_json::from_str::<Value>(&e.payload).unwrap())
    };
    if s.expect.is_empty() {
        // nothing routable: the caseworker is told why, and nothing is opened
        let field = view.json()["error"]["fields"][0]["code"].clone();
        if view.status != 422 || field != "manual_triage" {
            return Err(format!(
                "expected a refusal for manual triage, got {}: {}",
                view.status,
                String::from_utf8_lossy(&view.body)
            ));
        }
        if case.agency.is_some() || !app.store.linked_cases(&n).await.unwrap().is_empty() {
            return Err("a case without an authority was routed".into());
        }
        return Ok(());
    }
    if view.status != 200 {
        return Err(format!("route: {}", String::from_utf8_lossy(&view.body)));
    }
    let first = &s.expect[0];
    let got = (case.agency.clone().unwrap_or_default(), {
        let v: Value = view.json();
        procedures(&v)
    });
    if got != (first.agency.clone(), first.procedures.clone()) {
        return Err(format!(
            "own route {got:?}, wanted {} {:?}",
            first.agency, first.procedures
        ));
    }
    let payload = routing.ok_or("no route event")?;
    let suggested = &payload["rule"]["suggested"];
    if suggested["rule_id"] != first.rule.as_str() {
        return Err(format!(
            "rule {}, wanted {}",
            suggested["rule_id"], first.rule
        ));
    }
    if !suggested["facts"]
        .as_array()
        .is_some_and(|f| f.iter().any(|f| f["key"] == "conduct_on"))
    {
        return Err("the route event does not record the facts used".into());
    }
    let reviews: Vec<&str> = suggested["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["threshold"].as_str())
        .collect();
    match &s.review {
        Some(t) if !reviews.contains(&t.as_str()) => {
            return Err(format!("no supervisor flag {t}: {reviews:?}"));
        }
        None if !reviews.is_empty() => return Err(format!("unexpected flags {reviews:?}")),
        _ => {}
    }
    let left: Vec<String> = suggested["unrouted"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|u| u["rights"].as_array().cloned().unwrap_or_default())
        .filter_map(|k| k.as_str().map(str::to_string))
        .collect();
    if left != s.unrouted {
        return Err(format!(
            "left to a caseworker {left:?}, wanted {:?}",
            s.unrouted
        ));
    }
    let linked = app.store.linked_cases(&n).await.unwrap();
    let others: Vec<(String, Vec<String>)> = linked
        .iter()
        .map(|c| {
            (
                c.agency.clone().unwrap_or_default(),
                c.clocks.iter().map(|k| k.procedure_id.clone()).collect(),
            )
        })
        .collect();
    let wanted: Vec<(String, Vec<String>)> = s.expect[1..]
        .iter()
        .map(|e| (e.agency.clone(), e.procedures.clone()))
        .collect();
    if others != wanted {
        return Err(format!("linked cases {others:?}, wanted {wanted:?}"));
    }
    for (c, e) in linked.iter().zip(&s.expect[1..]) {
        let events = app.store.case_events(c.case_number.as_str()).await.unwrap();
        let p: Value = serde_json::from_str(&events[0].payload).unwrap();
        if events[0].kind != "routed_in" || p["rule_id"] != e.rule.as_str() || p["from_case"] != n {
            return Err(format!("linked case's first event {}: {p}", events[0].kind));
        }
    }
    // the complainant sees every authority
    let status = app.status_of(&receipt).await.json();
    let listed = status["linked"].as_array().map_or(0, Vec::len);
    if listed != s.expect.len() - 1 {
        return Err(format!("the complainant sees {listed} other authorities"));
    }
    Ok(())
}

/// The complaint said nothing of amounts; the caseworker checked them at triage: the rules apply
/// to the caseworker's facts, the event records them, and a bad fact is named.
async fn a_caseworker_routes_on_the_facts_they_checked(backend: Backend) {
    let Some(app) = kuaiwei_e2e::spawn_app(backend).await else {
        return;
    };
    let complaint = json!({
        "channel": {"kind": "walk_in"},
        "complainant": {"kind": "organisation", "name": "某某服饰有限公司", "mobile": "13812340001"},
        "rights": [{"kind": "trademark", "number": "30001234", "nice_classes": [25]}],
        "respondent": {"name": "某某商贸有限公司"},
        "description": "门店销售假冒注册商标的服装"
    });
    let receipt = app.file_complaint_json(&complaint).await;
    let n = receipt["case_number"].as_str().unwrap().to_string();
    let ok = |r: kuaiwei_e2e::TestResponse| {
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        r.json()
    };
    ok(app
        .act(
            &n,
            json!({"action": "accept", "reason": "核对材料后受理", "actor": "caseworker:chen"}),
        )
        .await);
    // a conduct date in the future is refused, naming the field, and nothing is routed
    let bad = app
        .act(
            &n,
            json!({"action": "route", "actor": "caseworker:chen",
                   "facts": {"conduct_on": "2099-01-01"}, "amounts": {"illegal_gains": "三万"}}),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", String::from_utf8_lossy(&bad.body));
    let bad = app
        .act(
            &n,
            json!({"action": "route", "actor": "caseworker:chen",
                   "facts": {"conduct_on": "2099-01-01"}}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.json()["error"]["fields"][0]["path"], "facts.conduct_on");
    assert!(app.store.case(&n).await.unwrap().unwrap().agency.is_none());
    // the checked gains reach the threshold: the police, with the facts in the event
    let routed = ok(app
        .act(
            &n,
            json!({"action": "route", "actor": "caseworker:chen",
                   "facts": {"prior_penalty": {"kind": "administrative", "decided_on": "2025-06-01"}},
                   "amounts": {"illegal_gains": 20000}}),
        )
        .await);
    assert_eq!(routed["agency"], "police", "{routed}");
    let events = app.store.case_events(&n).await.unwrap();
    let route: Value = serde_json::from_str(&events.last().unwrap().payload).unwrap();
    assert_eq!(route["rule"]["facts_given"], true);
    assert_eq!(route["rule"]["suggested"]["rule_id"], "criminal_trademark");
    let facts = route["rule"]["suggested"]["facts"].to_string();
    assert!(facts.contains("违法所得数额 ¥20,000.00"), "{facts}");
    assert!(facts.contains("曾受行政处罚（2025-06-01）"), "{facts}");
}
