//! The proof of access control (#6) over HTTP, on SQLite and PostgreSQL.
//!
//! - **Role by route**: every route of the OpenAPI document, and the HTML pages, called by every
//!   kind of caller on one agency's case; the status codes must equal the reviewed table in
//!   `tests/snapshots/route-matrix.txt` (`UPDATE_SNAPSHOTS=1` rewrites it; review the diff).
//! - **Across agencies**: with cases in three agencies, every agency-bound caller calls every
//!   object route on every other agency's case and gets exactly the answer for a missing case,
//!   with nothing changed; every list, search, report, export and page they read names none of the other
//!   agencies' cases, nor the complainant's mobile in full; then random (caller, route, object)
//!   triples, with the same checks.

use std::fmt::Write as _;

use hyper::{Method, StatusCode};
use kuaiwei_e2e::{Backend, Options, TEST_PASSWORD, TestApp, TestResponse};
use serde_json::{Value, json};

kuaiwei_e2e::on_every_backend!(
    backend: every_route_answers_each_caller_as_the_reviewed_matrix_says,
    no_agency_bound_caller_reads_or_changes_another_agencys_case,
);

/// The complainant's mobile in every fixture complaint: never shown in full here.
const MOBILE: &str = "13812345678";

const AGENCIES: [(&str, &str); 3] = [
    ("ip_office", "P1"),
    ("market_regulation", "M1"),
    ("customs", "C2"),
];

/// Who calls: `None` is a caller without a session.
struct Caller {
    label: &'static str,
    account: Option<(&'static str, &'static str, Option<&'static str>)>,
}

const CALLERS: [Caller; 8] = [
    Caller {
        label: "anonymous",
        account: None,
    },
    Caller {
        label: "caseworker",
        account: Some(("m.caseworker", "caseworker", None)),
    },
    Caller {
        label: "officer/own",
        account: Some(("m.officer.ip", "officer", Some("ip_office"))),
    },
    Caller {
        label: "officer/other",
        account: Some(("m.officer.customs", "officer", Some("customs"))),
    },
    Caller {
        label: "supervisor/own",
        account: Some(("m.supervisor.ip", "supervisor", Some("ip_office"))),
    },
    Caller {
        label: "supervisor/other",
        account: Some(("m.supervisor.customs", "supervisor", Some("customs"))),
    },
    Caller {
        label: "supervisor/centre",
        account: Some(("m.supervisor.centre", "supervisor", None)),
    },
    Caller {
        label: "administrator",
        account: Some(("m.admin", "administrator", None)),
    },
];

/// Three complaints on one trademark at one fair (so each case relates to the others, and
/// together they are group infringement), routed one to each agency on 12 October 2026.
struct Fixture {
    app: TestApp,
    /// (agency, case number, respondent id)
    cases: Vec<(&'static str, String, i64)>,
}

async fn fixture(backend: Backend) -> Option<Fixture> {
    let at = "2026-10-12T02:00:00Z".parse().unwrap();
    let app = kuaiwei_e2e::spawn_app_with(backend, Options::at(at)).await?;
    let mut cases = Vec::new();
    for (i, (agency, procedure)) in AGENCIES.into_iter().enumerate() {
        // with a photo, so that the evidence routes are asked for a file of the case
        let form = kuaiwei_e2e::Multipart::new()
            .complaint(&kuaiwei_e2e::complaint(i as u32 + 1))
            .evidence("展位.jpg", &kuaiwei_e2e::jpeg(800));
        let res = app.post_multipart("/api/v1/complaints", form, &[]).await;
        assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
        let receipt = res.json();
        let n = receipt["case_number"].as_str().unwrap().to_string();
        ok(&app
            .act(&n, json!({"action": "accept", "actor": "caseworker:chen", "reason": "现场核对原件，先行受理"}))
            .await);
        ok(&app
            .act(
                &n,
                json!({"action": "route", "actor": "caseworker:chen", "reason": "矩阵测试分派",
                       "agency": agency, "procedures": [procedure]}),
            )
            .await);
        let case = ok(&app
            .act(
                &n,
                json!({"action": "supervise", "actor": "supervisor:zhao", "reason": "重点案件"}),
            )
            .await);
        let respondent = case["triage"]["respondent"]["id"].as_i64().unwrap();
        cases.push((agency, n, respondent));
    }
    for c in &CALLERS {
        if let Some((name, role, agency)) = c.account {
            app.add_account(name, role, agency).await;
        }
    }
    Some(Fixture { app, cases })
}

fn ok(res: &TestResponse) -> Value {
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    res.json()
}

/// Logs the account `name` in and returns its cookie (empty for no account: anonymous).
async fn cookie_of(app: &TestApp, name: Option<&str>) -> String {
    let Some(name) = name else {
        return String::new();
    };
    let login = json!({"username": name, "password": TEST_PASSWORD});
    let res = app
        .post_json("/api/v1/session", login.to_string(), &[("cookie", "")])
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let cookie = res.header("set-cookie").unwrap();
    cookie.split(';').next().unwrap().to_string()
}

/// One request of the matrix: the route as documented, and how it is called.
struct Call {
    method: Method,
    route: String,
    uri: String,
    body: Option<Value>,
}

/// Every documented route and the pages, with path parameters filled in for `case` and
/// `respondent` and a body or query that gets past validation.
async fn calls(app: &TestApp, case: &str, respondent: i64) -> Vec<Call> {
    let doc = ok(&app.get("/api/v1/openapi.json", &[]).await);
    let mut routes: Vec<(Method, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in item.as_object().unwrap().keys() {
            let method = Method::from_bytes(m.to_uppercase().as_bytes()).unwrap();
            routes.push((method, path.clone()));
        }
    }
    for page in [
        "/watch",
        "/reports/on-time",
        "/reports/on-time/cases",
        "/work",
        "/work/cases/{case_number}",
        "/work/search",
        "/work/admin",
        "/work/admin/keys",
        "/work/admin/calendar",
        "/work/admin/audit",
        "/work/rules",
        "/work/stations",
        "/work/stations/{id}",
        "/work/respondents",
        "/work/respondents/{id}",
    ] {
        if !routes.iter().any(|(_, p)| p == page) {
            routes.push((Method::GET, page.to_string()));
        }
    }
    routes.sort_by(|a, b| (&a.1, a.0.as_str()).cmp(&(&b.1, b.0.as_str())));
    routes
        .into_iter()
        .map(|(method, route)| {
            let path = route
                .replace("{username}", "m.officer.ip")
                .replace("{case_number}", case)
                .replace("{id}", &respondent.to_string())
                .replace("{date}", "2026-10-01")
                .replace(
                    "{sha256}",
                    &kuaiwei_e2e::sha256_hex(&kuaiwei_e2e::jpeg(800)),
                );
            let query = match route.as_str() {
                "/api/v1/reports/on-time" | "/reports/on-time" => "?period=2026-10",
                "/api/v1/reports/on-time/cases" | "/reports/on-time/cases" => {
                    "?period=2026-10&measure=counted"
                }
                _ => "",
            };
            let body = match (method.as_str(), route.as_str()) {
                // a step the life-cycle does not allow here: 409 for whoever may take it
                ("POST", "/api/v1/cases/{case_number}/actions") => {
                    Some(json!({"action": "approve_extension"}))
                }
                // a contact that is fine: 200 for an administrator
                ("PUT", "/api/v1/accounts/{username}/contact") => {
                    Some(json!({"email": "m.officer.ip@example.gov.cn"}))
                }
                // a period not over: 409 for whoever may freeze
                ("POST", "/api/v1/reports/on-time/freeze") => Some(json!({"period": "2026-12"})),
                // a wrong password for an account of no one ({caller}: each caller its own, so
                // that the per-account throttle does not answer instead)
                ("POST", "/api/v1/session") => {
                    Some(json!({"username": "nobody.{caller}", "password": "不是密码-0000"}))
                }
                ("POST", _) => Some(json!({})),
                _ => None,
            };
            Call {
                method,
                route,
                uri: format!("{path}{query}"),
                body,
            }
        })
        .collect()
}

async fn send(app: &TestApp, caller: usize, cookie: &str, call: &Call) -> TestResponse {
    let body = call
        .body
        .as_ref()
        .map(|b| {
            b.to_string()
                .replace("{caller}", &caller.to_string())
                .into_bytes()
        })
        .unwrap_or_default();
    let mut headers = vec![("cookie", cookie)];
    if call.body.is_some() {
        headers.push(("content-type", "application/json"));
    }
    app.send(call.method.clone(), &call.uri, &headers, body)
        .await
}

async fn every_route_answers_each_caller_as_the_reviewed_matrix_says(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let (_, case, respondent) = f.cases[0].clone();
    let calls = calls(&f.app, &case, respondent).await;
    let mut table = String::from(
        "# Status codes by route and caller (tests/tests/access.rs): the object is an ip_office case\n\
         # and its respondent; own/other = an account of ip_office / of customs.\n",
    );
    let _ = write!(table, "{:<7} {:<48}", "method", "route");
    for c in &CALLERS {
        let _ = write!(table, " {:>17}", c.label);
    }
    table.push('\n');
    let mut rows: Vec<Vec<u16>> = vec![Vec::new(); calls.len()];
    for (k, caller) in CALLERS.iter().enumerate() {
        let cookie = cookie_of(&f.app, caller.account.map(|a| a.0)).await;
        // logging out goes last, so that the caller's session serves every other route
        let mut order: Vec<usize> = (0..calls.len()).collect();
        order.sort_by_key(|i| calls[*i].method == Method::DELETE);
        let mut answers = vec![0u16; calls.len()];
        for i in order {
            answers[i] = send(&f.app, k, &cookie, &calls[i]).await.status.as_u16();
        }
        for (row, a) in rows.iter_mut().zip(answers) {
            row.push(a);
        }
    }
    for (call, row) in calls.iter().zip(&rows) {
        let _ = write!(table, "{:<7} {:<48}", call.method.as_str(), call.route);
        for s in row {
            let _ = write!(table, " {s:>17}");
        }
        table.push('\n');
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots/route-matrix.txt");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &table).unwrap();
    }
    let reviewed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        reviewed == table,
        "the route matrix differs from {} (rerun with UPDATE_SNAPSHOTS=1 and review the diff):\n{table}",
        path.display()
    );
}

/// A small deterministic generator (xorshift), so that a failing triple can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

async fn no_agency_bound_caller_reads_or_changes_another_agencys_case(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let app = &f.app;
    let versions = |app: &TestApp| {
        let numbers: Vec<String> = f.cases.iter().map(|c| c.1.clone()).collect();
        let store = app.store.clone();
        async move {
            let mut v = Vec::new();
            for n in numbers {
                v.push(store.case(&n).await.unwrap().unwrap().version);
            }
            v
        }
    };
    let before = versions(app).await;
    let bound: Vec<(&str, &str)> = AGENCIES
        .iter()
        .flat_map(|(a, _)| [("officer", *a), ("supervisor", *a)])
        .collect();
    let mut cookies = Vec::new();
    for (role, agency) in &bound {
        let name = format!("x.{role}.{agency}");
        app.add_account(&name, role, Some(agency)).await;
        cookies.push(cookie_of(app, Some(&name)).await);
    }
    let missing_case = app
        .send(
            Method::GET,
            "/api/v1/cases/KW-2026-999999",
            &[("cookie", &cookies[0])],
            vec![],
        )
        .await;
    let missing_respondent = app
        .send(
            Method::GET,
            "/api/v1/respondents/999999",
            &[("cookie", &cookies[0])],
            vec![],
        )
        .await;
    assert_eq!(missing_case.status, StatusCode::NOT_FOUND);
    let steps = [
        json!({"action": "open"}),
        json!({"action": "close", "outcome": "withdrawn"}),
        json!({"action": "approve_extension"}),
        json!({"action": "transfer", "reason": "试图移送", "to_agency": "police"}),
        json!({"action": "unsupervise", "reason": "试图撤销督办"}),
        json!({"action": "route", "reason": "试图改派", "agency": "customs", "procedures": ["C2"], "clock": "restart"}),
    ];
    // the lists, reports, exports and pages an agency-bound caller may read
    let lists = [
        "/api/v1/queues",
        "/api/v1/search",
        "/api/v1/search?q=%E8%BF%90%E5%8A%A8%E9%9E%8B",
        "/api/v1/search?q=1234567&sort=received",
        "/api/v1/queues?supervised=true",
        "/api/v1/watch?days=90",
        "/watch?days=90",
        "/api/v1/reports/on-time?period=2026-10&cases=true",
        "/api/v1/reports/on-time?period=2026-10&cases=true&format=csv",
        "/api/v1/reports/on-time?period=2026-Q4&cases=true",
        "/api/v1/reports/on-time/cases?period=2026-10&measure=opened&dimension=procedure&key=P1",
        "/api/v1/reports/on-time/cases?period=2026-10&measure=opened&dimension=procedure&key=M1",
        "/api/v1/reports/on-time/cases?period=2026-10&measure=opened&dimension=procedure&key=C2",
        "/reports/on-time?period=2026-10",
        "/reports/on-time/cases?period=2026-10&measure=opened&dimension=procedure&key=C2",
        "/work?tab=all",
        "/work/search?q=%E8%BF%90%E5%8A%A8%E9%9E%8B",
        "/work/search?q=1234567",
    ];
    // the centre reads cases in each of them (every case in those not about one procedure):
    // the checks below are not vacuous
    let centre = cookie_of(app, Some("m.caseworker")).await;
    // the server's indexer has seen every routed case before searches are checked
    for _ in 0..500 {
        let res = app
            .send(
                Method::GET,
                "/api/v1/search?state=routed",
                &[("cookie", &centre)],
                vec![],
            )
            .await;
        if res.json()["total"] == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    for uri in lists {
        let res = app
            .send(Method::GET, uri, &[("cookie", &centre)], vec![])
            .await;
        assert_eq!(res.status, 200, "{uri}");
        let text = String::from_utf8_lossy(&res.body);
        let found = f
            .cases
            .iter()
            .filter(|c| text.contains(c.1.as_str()))
            .count();
        // the report page shows figures (its links lead to the cases), not case numbers
        let expected = match uri {
            "/reports/on-time?period=2026-10" => 0,
            _ if uri.contains("key=") => 1,
            _ => 3,
        };
        assert_eq!(found, expected, "the centre's {uri}");
    }

    for ((role, mine), cookie) in bound.iter().zip(&cookies) {
        let foreign: Vec<&(&str, String, i64)> = f.cases.iter().filter(|c| c.0 != *mine).collect();
        let own = f.cases.iter().find(|c| c.0 == *mine).unwrap();
        for (agency, n, respondent) in &foreign {
            let who = format!("{role} of {mine} on {agency}'s {n}");
            let read = app
                .send(
                    Method::GET,
                    &format!("/api/v1/cases/{n}"),
                    &[("cookie", cookie)],
                    vec![],
                )
                .await;
            assert_eq!(
                (read.status, &read.body),
                (missing_case.status, &missing_case.body),
                "{who}"
            );
            for step in &steps {
                let res = app
                    .post_json(
                        &format!("/api/v1/cases/{n}/actions"),
                        step.to_string(),
                        &[("cookie", cookie)],
                    )
                    .await;
                assert_eq!(
                    (res.status, &res.body),
                    (missing_case.status, &missing_case.body),
                    "{who}: {step}"
                );
            }
            let r = app
                .send(
                    Method::GET,
                    &format!("/api/v1/respondents/{respondent}"),
                    &[("cookie", cookie)],
                    vec![],
                )
                .await;
            assert_eq!(
                (r.status, &r.body),
                (missing_respondent.status, &missing_respondent.body),
                "{who}"
            );
            // the case page in a browser: the same "not found" page as for a missing case
            let page = app
                .send(
                    Method::GET,
                    &format!("/work/cases/{n}"),
                    &[("cookie", cookie)],
                    vec![],
                )
                .await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{who}: the case page");
            assert!(!String::from_utf8_lossy(&page.body).contains(MOBILE));
            let stepped = app
                .send(
                    Method::POST,
                    &format!("/work/cases/{n}/step"),
                    &[
                        ("cookie", cookie),
                        ("content-type", "application/x-www-form-urlencoded"),
                    ],
                    b"action=open&reason=x".to_vec(),
                )
                .await;
            assert_eq!(
                stepped.status,
                StatusCode::NOT_FOUND,
                "{who}: a step's form"
            );
            let named = app
                .send(
                    Method::GET,
                    &format!("/api/v1/queues?agency={agency}"),
                    &[("cookie", cookie)],
                    vec![],
                )
                .await;
            assert_eq!(named.status, StatusCode::FORBIDDEN, "{who}");
        }
        // their own case, with its triage aids, and every list: no other agency's case named
        let own_view = app
            .send(
                Method::GET,
                &format!("/api/v1/cases/{}", own.1),
                &[("cookie", cookie)],
                vec![],
            )
            .await;
        assert_eq!(own_view.status, 200);
        for uri in lists
            .iter()
            .copied()
            .chain([format!("/api/v1/respondents/{}", own.2).as_str()])
        {
            let res = app
                .send(Method::GET, uri, &[("cookie", cookie)], vec![])
                .await;
            assert_eq!(res.status, 200, "{role} of {mine}: {uri}");
            let text = String::from_utf8_lossy(&res.body);
            for (_, n, _) in &foreign {
                assert!(
                    !text.contains(n.as_str()),
                    "{role} of {mine} reads {n} in {uri}"
                );
            }
            assert!(!text.contains(MOBILE), "a mobile in full in {uri}");
        }
        let text = String::from_utf8_lossy(&own_view.body);
        assert!(
            !text.contains(MOBILE) && text.contains("138****5678"),
            "the case view masks the complainant's mobile"
        );
        for (_, n, _) in &foreign {
            assert!(
                !text.contains(n.as_str()),
                "{role} of {mine} reads {n} in their own case"
            );
        }
    }

    // random (caller, route, object) triples: reads and a step no state here allows
    let mut rng = Rng(0x6b75_6169_7765_6921);
    for round in 0..300 {
        let k = rng.below(bound.len());
        let (role, mine) = bound[k];
        let cookie = &cookies[k];
        let object = rng.below(f.cases.len() + 1);
        let (agency, n, respondent) = match f.cases.get(object) {
            Some((a, n, r)) => (Some(*a), n.clone(), *r),
            None => (None, "KW-2026-999999".to_string(), 999_999),
        };
        let foreign = agency != Some(mine);
        let (res, missing) = match rng.below(5) {
            0 => (
                app.send(
                    Method::GET,
                    &format!("/api/v1/cases/{n}"),
                    &[("cookie", cookie)],
                    vec![],
                )
                .await,
                &missing_case,
            ),
            1 => (
                app.post_json(
                    &format!("/api/v1/cases/{n}/actions"),
                    json!({"action": "deny_extension", "reason": "随机"}).to_string(),
                    &[("cookie", cookie)],
                )
                .await,
                &missing_case,
            ),
            2 => (
                app.send(
                    Method::GET,
                    &format!("/api/v1/respondents/{respondent}"),
                    &[("cookie", cookie)],
                    vec![],
                )
                .await,
                &missing_respondent,
            ),
            3 => {
                let uri = format!("/api/v1/queues?agency={}", agency.unwrap_or("police"));
                let res = app
                    .send(Method::GET, &uri, &[("cookie", cookie)], vec![])
                    .await;
                let expected = if foreign { 403 } else { 200 };
                assert_eq!(
                    res.status, expected,
                    "round {round}: {role} of {mine}: {uri}"
                );
                continue;
            }
            _ => {
                let uri = format!(
                    "/api/v1/watch?days=90&agency={}",
                    agency.unwrap_or("police")
                );
                let res = app
                    .send(Method::GET, &uri, &[("cookie", cookie)], vec![])
                    .await;
                let expected = if foreign { 403 } else { 200 };
                assert_eq!(
                    res.status, expected,
                    "round {round}: {role} of {mine}: {uri}"
                );
                continue;
            }
        };
        let what = format!("round {round}: {role} of {mine} on {n}");
        if foreign {
            assert_eq!(
                (res.status, &res.body),
                (missing.status, &missing.body),
                "{what}"
            );
        } else {
            // their own: read, or a step refused by role (403) or by the life-cycle (409)
            assert!(
                [200, 403, 409].contains(&res.status.as_u16()),
                "{what}: {}",
                res.status
            );
        }
        let text = String::from_utf8_lossy(&res.body);
        for (a, other, _) in &f.cases {
            if *a != mine {
                assert!(!text.contains(other.as_str()), "{what}: names {other}");
            }
        }
    }
    assert_eq!(versions(app).await, before, "no case changed");
}
