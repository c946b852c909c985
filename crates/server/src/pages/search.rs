//! `/work/search`: the search of the API as a page (the same scoping: an officer finds only
//! their agency's cases), with its filters, facet counts and masked snippets; every hit links
//! to its case page.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use kuaiwei_domain::CaseState;
use kuaiwei_routing::Agency;

use super::work::{Nav, Staff, agency_name, state_name};
use super::{Ctx, Lang, error_page, query_pairs, render};
use crate::AppState;
use crate::routes::search::{SearchQuery, run};

/// Hits on one page.
const PER_PAGE: u32 = 20;

#[derive(Template)]
#[template(path = "work_search.html")]
struct SearchPage {
    p: Ctx,
    nav: Nav,
    q: String,
    state: String,
    channel: String,
    agency: String,
    overdue: bool,
    /// Only the centre's roles choose an agency; the others search their own.
    choose_agency: bool,
    states: Vec<(&'static str, &'static str)>,
    channels: Vec<(&'static str, &'static str)>,
    agencies: Vec<(&'static str, String)>,
    searched: bool,
    total: usize,
    hits: Vec<Hit>,
    facets: Vec<Facet>,
    error: Option<String>,
    prev: Option<String>,
    next: Option<String>,
}

struct Hit {
    number: String,
    /// Masked by the index, matches in `<b>`, everything else escaped.
    snippet: String,
}

struct Facet {
    name: &'static str,
    values: Vec<(String, u64)>,
}

const CHANNELS: [&str; 6] = ["fair", "ecommerce", "border", "walk_in", "hotline", "other"];

/// `GET /work/search?q=…&state=…&channel=…&agency=…&overdue=1&page=N`
pub async fn page(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let staff = match Staff::of(&state, &parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    // a role that does not search (the administrator) is refused before any form is drawn
    if !kuaiwei_access::holds(staff.caller.principal.role, kuaiwei_access::Action::Search)
        && let Err(e) = staff
            .caller
            .require(&state, kuaiwei_access::Action::Search, None)
            .await
    {
        return error_page(staff.p, e, "/work");
    }
    let lang = staff.lang();
    let pairs = query_pairs(parts.uri.query());
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let page: u32 = get("page")
        .and_then(|v| v.parse().ok())
        .filter(|n| (1..=500).contains(n))
        .unwrap_or(1);
    let searched = pairs.iter().any(|(k, _)| k != "lang" && k != "page");
    let query = SearchQuery {
        q: get("q"),
        channel: get("channel"),
        agency: get("agency"),
        state: get("state"),
        overdue: get("overdue").map(|v| v == "1"),
        limit: Some(PER_PAGE),
        offset: Some((page - 1) * PER_PAGE),
        ..SearchQuery::default()
    };
    let choose_agency = staff.caller.principal.agency.is_none();
    let mut view = SearchPage {
        q: get("q").unwrap_or_default(),
        state: get("state").unwrap_or_default(),
        channel: get("channel").unwrap_or_default(),
        agency: get("agency").unwrap_or_default(),
        overdue: get("overdue").as_deref() == Some("1"),
        choose_agency,
        states: CaseState::ALL
            .iter()
            .map(|s| (s.key(), state_name(lang, *s)))
            .collect(),
        channels: CHANNELS
            .iter()
            .map(|c| (*c, lang.get(&format!("option.channel.{c}")).unwrap_or(c)))
            .collect(),
        agencies: Agency::ALL
            .iter()
            .map(|a| (a.key(), agency_name(lang, Some(a.key()))))
            .collect(),
        searched,
        total: 0,
        hits: Vec::new(),
        facets: Vec::new(),
        error: None,
        prev: None,
        next: None,
        p: staff.p,
        nav: staff.nav,
    };
    if !searched {
        return render(StatusCode::OK, &view, true);
    }
    match run(&state, &staff.caller, query).await {
        Ok(found) => {
            view.total = found.total;
            view.hits = found
                .hits
                .into_iter()
                .map(|h| Hit {
                    number: h.case_number,
                    snippet: h.snippet,
                })
                .collect();
            view.facets = found
                .facets
                .into_iter()
                .filter(|(_, values)| !values.is_empty())
                .map(|(dimension, values)| Facet {
                    name: lang.t(&format!("search.facet.{dimension}")),
                    values: values
                        .into_iter()
                        .map(|(k, n)| (facet_value(lang, &dimension, &k), n))
                        .collect(),
                })
                .collect();
            let at = |n: u32| {
                let mut kept: Vec<(String, String)> =
                    pairs.iter().filter(|(k, _)| k != "page").cloned().collect();
                kept.push(("page".into(), n.to_string()));
                format!(
                    "/work/search?{}",
                    form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(kept)
                        .finish()
                )
            };
            view.prev = (page > 1).then(|| at(page - 1));
            view.next = ((page * PER_PAGE) < view.total.min(10_000) as u32).then(|| at(page + 1));
            render(StatusCode::OK, &view, true)
        }
        Err(e @ crate::AppError::Validation(_)) => {
            let (status, text) = super::message_line(lang, e);
            view.error = Some(text);
            render(status, &view, true)
        }
        Err(e) => error_page(Ctx::new("/work/search", None, &parts.headers), e, "/work"),
    }
}

/// A facet's value in words (a state, an agency, a channel), else as indexed.
fn facet_value(lang: Lang, dimension: &str, key: &str) -> String {
    match dimension {
        "state" => CaseState::parse(key).map_or_else(|| key.into(), |s| state_name(lang, s).into()),
        "agency" => agency_name(lang, Some(key)),
        "channel" => lang
            .get(&format!("option.channel.{key}"))
            .map_or_else(|| key.into(), str::to_string),
        "right_type" => lang
            .get(&format!("option.right.{key}"))
            .map_or_else(|| key.into(), str::to_string),
        _ => key.into(),
    }
}
