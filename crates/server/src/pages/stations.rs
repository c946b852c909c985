//! `/work/stations`: QR posters for a fair's complaint stations (展会知识产权投诉站). A
//! supervisor or caseworker names the fair, the session and the halls; each hall gets a poster,
//! one per printed page, whose QR code opens the public filing page with the fair, session and
//! hall filled in (`/file?fair=…&session=…&hall=…`), so that an exhibitor types little. The
//! page is a GET form: a station's posters can be bookmarked and printed again.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use kuaiwei_access::{Action, Role};

use super::receipt::{origin, qr_svg};
use super::work::{Nav, Staff};
use super::{Ctx, error_page, query_pairs, render};
use crate::{AppError, AppState};

/// Most halls on one sheet of posters.
const MAX_HALLS: usize = 60;

#[derive(Template)]
#[template(path = "work_stations.html")]
struct StationsPage {
    p: Ctx,
    nav: Nav,
    fair: String,
    session: String,
    halls: String,
    posters: Vec<Poster>,
    error: Option<String>,
}

struct Poster {
    hall: String,
    link: String,
    qr_svg: String,
}

/// `GET /work/stations?fair=…&session=…&halls=1.1, 2.2, …`
pub async fn page(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let staff = match Staff::of(&state, &parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    // the centre's intake staff and supervisors run stations; officers and administrators do not
    let p = &staff.caller.principal;
    if !matches!(p.role, Role::Caseworker | Role::Supervisor) {
        let e = staff
            .caller
            .refuse(&state, Action::Triage, None, "stations")
            .await;
        return error_page(staff.p, e, "/work");
    }
    let lang = staff.lang();
    let q = query_pairs(parts.uri.query());
    let get = |k: &str| {
        q.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let (fair, session, halls) = (get("fair"), get("session"), get("halls"));
    let mut page = StationsPage {
        fair: fair.clone(),
        session: session.clone(),
        halls: halls.clone(),
        posters: Vec::new(),
        error: None,
        p: staff.p,
        nav: staff.nav,
    };
    if fair.is_empty() && halls.is_empty() {
        return render(StatusCode::OK, &page, false);
    }
    let list: Vec<String> = halls
        .split([',', '，', '、', ' ', '\n'])
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_string)
        .collect();
    let problem = if fair.is_empty() {
        Some(lang.t("stations.need_fair"))
    } else if fair.chars().count() > 100 || session.chars().count() > 50 {
        Some(lang.t("stations.too_long"))
    } else if list.len() > MAX_HALLS || list.iter().any(|h| h.chars().count() > 20) {
        Some(lang.t("stations.bad_halls"))
    } else {
        None
    };
    if let Some(message) = problem {
        page.error = Some(message.into());
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page, false);
    }
    let base = origin(&parts.headers);
    let poster = |hall: &str| {
        let mut pairs = vec![("fair", fair.as_str())];
        if !session.is_empty() {
            pairs.push(("session", session.as_str()));
        }
        if !hall.is_empty() {
            pairs.push(("hall", hall));
        }
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let link = format!("{base}/file?{query}");
        Poster {
            hall: hall.to_string(),
            qr_svg: qr_svg(&link),
            link,
        }
    };
    page.posters = if list.is_empty() {
        vec![poster("")]
    } else {
        list.iter().map(|h| poster(h)).collect()
    };
    if page.posters.iter().any(|p| p.qr_svg.is_empty()) {
        return error_page(
            Ctx::new("/work/stations", None, &parts.headers),
            AppError::Internal("a station's QR code could not be made".into()),
            "/work/stations",
        );
    }
    render(StatusCode::OK, &page, false)
}
