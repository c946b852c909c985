//! `/work/stations`: fair sessions and the QR posters of their complaint stations
//! (展会知识产权投诉站). A supervisor or caseworker enters a fair session once (the fair, the
//! session, its dates and halls; kept in the store); each hall gets a poster, one per printed
//! page, whose QR code opens the public filing page with the fair, session and hall filled in
//! (`/file?fair=…&session=…&hall=…`), so that an exhibitor types little. A session's posters
//! are at `/work/stations/{id}`, to print again at any time; `?fair=…&halls=…` still draws
//! posters without storing anything.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use kuaiwei_access::{Action, Role};
use kuaiwei_domain::{FieldError, ValidationErrors};
use kuaiwei_store::{FairSession, NewEvent, RecordedEvent};

use super::receipt::{origin, qr_svg};
use super::work::{Nav, Staff, see_other};
use super::{Ctx, Lang, error_page, query_pairs, render};
use crate::{AppError, AppState};

/// Sessions listed on the page.
const LISTED: u32 = 50;
/// The longest fair session accepted, in days (the largest fairs run three phases in a month).
const MAX_DAYS: i32 = 90;

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
    /// The dates of a stored session, in words.
    dates: String,
    posters: Vec<Poster>,
    error: Option<String>,
    /// Stored sessions (on the list page).
    sessions: Vec<SessionLine>,
    /// The create form: what was typed, and each field's error.
    values: Vec<(String, String)>,
    errors: Vec<(String, String)>,
}

impl StationsPage {
    fn val(&self, name: &str) -> &str {
        super::entry(&self.values, name).unwrap_or("")
    }

    fn err(&self, name: &str) -> Option<&str> {
        super::entry(&self.errors, name)
    }
}

struct SessionLine {
    href: String,
    fair: String,
    session: String,
    dates: String,
    halls: usize,
}

struct Poster {
    hall: String,
    link: String,
    qr_svg: String,
}

/// The staff member if they run stations (the centre's intake staff and supervisors; officers
/// and administrators do not); the page to send otherwise.
async fn station_staff(
    state: &AppState,
    parts: &axum::http::request::Parts,
) -> Result<Staff, Response> {
    let staff = Staff::of(state, parts).await?;
    if !matches!(
        staff.caller.principal.role,
        Role::Caseworker | Role::Supervisor
    ) {
        let e = staff
            .caller
            .refuse(state, Action::Triage, None, "stations")
            .await;
        return Err(error_page(staff.p, e, "/work"));
    }
    Ok(staff)
}

fn empty_page(staff: Staff) -> StationsPage {
    StationsPage {
        fair: String::new(),
        session: String::new(),
        halls: String::new(),
        dates: String::new(),
        posters: Vec::new(),
        error: None,
        sessions: Vec::new(),
        values: Vec::new(),
        errors: Vec::new(),
        p: staff.p,
        nav: staff.nav,
    }
}

/// The list of stored sessions and the form to add one, with what was typed and its errors.
async fn list_page(
    state: &AppState,
    staff: Staff,
    values: Vec<(String, String)>,
    errors: Vec<FieldError>,
) -> Response {
    let lang = staff.lang();
    let sessions = match state.store.fair_sessions(LISTED).await {
        Ok(s) => s,
        Err(e) => return error_page(staff.p, e.into(), "/work"),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut page = empty_page(staff);
    page.sessions = sessions
        .iter()
        .map(|f| SessionLine {
            href: format!("/work/stations/{}", f.id),
            fair: f.fair.clone(),
            session: f.session.clone(),
            dates: dates(lang, f),
            halls: f.halls.len(),
        })
        .collect();
    page.errors = errors
        .into_iter()
        .map(|e| {
            let m = match lang {
                Lang::Zh => e.message_zh,
                Lang::En => e.message_en,
            };
            (e.path, m)
        })
        .collect();
    if !page.errors.is_empty() {
        page.error = Some(lang.t("stations.fix").into());
    }
    page.values = values;
    render(status, &page, false)
}

fn dates(lang: Lang, f: &FairSession) -> String {
    let day = |d: Date| match lang {
        Lang::Zh => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        Lang::En => d.to_string(),
    };
    if f.starts_on == f.ends_on {
        day(f.starts_on)
    } else {
        format!("{} – {}", day(f.starts_on), day(f.ends_on))
    }
}

/// `GET /work/stations/{id}`: a stored session's posters.
pub async fn session(
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let staff = match station_staff(&state, &parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let found = match id.parse::<i64>() {
        Ok(id) => state.store.fair_session(id).await,
        Err(_) => Ok(None),
    };
    let f = match found {
        Ok(Some(f)) => f,
        Ok(None) => return error_page(staff.p, AppError::NotFound, "/work/stations"),
        Err(e) => return error_page(staff.p, e.into(), "/work/stations"),
    };
    let lang = staff.lang();
    let mut page = empty_page(staff);
    page.dates = dates(lang, &f);
    page.fair = f.fair;
    page.session = f.session;
    page.halls = f.halls.join(", ");
    posters(&parts, page, f.halls)
}

/// `POST /work/stations` (`fair`, `session`, `starts_on`, `ends_on`, `halls`): stores a fair
/// session, then shows its posters. Every problem is named beside its field, what was typed
/// kept. The creation is on the audit chain (subject `stations`).
pub async fn create(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let fields = match super::track::read_fields(Request::from_parts(parts.clone(), body)).await {
        Ok(f) => f,
        Err(e) => {
            return error_page(
                Ctx::new("/work/stations", None, &parts.headers),
                e,
                "/work/stations",
            );
        }
    };
    let staff = match station_staff(&state, &parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let now = state.clock.now();
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map_or(String::new(), |(_, v)| v.trim().to_string())
    };
    let mut f = match parse_session(
        &get("fair"),
        &get("session"),
        &get("starts_on"),
        &get("ends_on"),
        &get("halls"),
    ) {
        Ok(f) => f,
        Err(errors) => return list_page(&state, staff, fields, errors.0).await,
    };
    f.created_by = staff.caller.principal.username.clone();
    f.created_at = now;
    let id = match state.store.create_fair_session(&f).await {
        Ok(id) => id,
        Err(e) => return error_page(staff.p, e.into(), "/work/stations"),
    };
    let recorded = state
        .store
        .record_event(RecordedEvent {
            subject: "stations".into(),
            event: NewEvent {
                actor: staff.caller.actor(),
                kind: "fair_session_created".into(),
                payload: serde_json::json!({
                    "id": id, "fair": f.fair, "session": f.session,
                    "starts_on": f.starts_on.to_string(), "ends_on": f.ends_on.to_string(),
                    "halls": f.halls,
                }),
                reason: None,
            },
            at: now,
        })
        .await;
    if let Err(e) = recorded {
        return error_page(staff.p, e.into(), "/work/stations");
    }
    see_other(&format!("/work/stations/{id}"))
}

/// A fair session from the form's fields, or every problem with it.
fn parse_session(
    fair: &str,
    session: &str,
    starts_on: &str,
    ends_on: &str,
    halls: &str,
) -> Result<FairSession, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if fair.is_empty() {
        errors.push("fair", "required", "请填写展会名称", "give the fair's name");
    } else if fair.chars().count() > 100 {
        errors.push(
            "fair",
            "too_long",
            "展会名称最多100个字",
            "the fair's name is at most 100 characters",
        );
    }
    if session.chars().count() > 50 {
        errors.push(
            "session",
            "too_long",
            "届次最多50个字",
            "the session is at most 50 characters",
        );
    }
    let mut date = |path: &str, v: &str| -> Option<Date> {
        if v.is_empty() {
            errors.push(path, "required", "请填写日期", "give the date");
            return None;
        }
        match v.parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(
                    path,
                    "date_format",
                    format!("日期 {v:?} 无法识别，请写成 2027-04-15"),
                    format!("{v:?} is not a date: write it as 2027-04-15"),
                );
                None
            }
        }
    };
    let (starts, ends) = (date("starts_on", starts_on), date("ends_on", ends_on));
    if let (Some(s), Some(e)) = (starts, ends) {
        if e < s {
            errors.push(
                "ends_on",
                "before_start",
                "结束日期早于开始日期",
                "the end is before the start",
            );
        } else if s.until(e).map_or(true, |span| span.get_days() > MAX_DAYS) {
            errors.push(
                "ends_on",
                "too_long",
                format!("一个展会场次最长{MAX_DAYS}天"),
                format!("a fair session lasts at most {MAX_DAYS} days"),
            );
        }
    }
    let list = hall_list(halls);
    if list.len() > MAX_HALLS || list.iter().any(|h| h.chars().count() > 20) {
        errors.push(
            "halls",
            "too_many",
            "展馆最多60个，每个最多20个字",
            "at most 60 halls, each of at most 20 characters",
        );
    }
    match (starts, ends) {
        (Some(starts_on), Some(ends_on)) if errors.0.is_empty() => Ok(FairSession {
            id: 0,
            fair: fair.to_string(),
            session: session.to_string(),
            starts_on,
            ends_on,
            halls: list,
            created_by: String::new(),
            created_at: jiff::Timestamp::UNIX_EPOCH,
        }),
        _ => Err(errors),
    }
}

/// Halls separated by commas (either width), 、 or white space.
fn hall_list(halls: &str) -> Vec<String> {
    halls
        .split([',', '，', '、', ' ', '\n'])
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_string)
        .collect()
}

/// `GET /work/stations`: the stored sessions and the form to add one; with
/// `?fair=…&session=…&halls=1.1, 2.2, …` posters drawn without storing anything.
pub async fn page(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let staff = match station_staff(&state, &parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let lang = staff.lang();
    let q = query_pairs(parts.uri.query());
    let get = |k: &str| {
        q.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let (fair, session, halls) = (get("fair"), get("session"), get("halls"));
    if fair.is_empty() && halls.is_empty() {
        return list_page(&state, staff, Vec::new(), Vec::new()).await;
    }
    let mut page = empty_page(staff);
    page.fair = fair.clone();
    page.session = session.clone();
    page.halls = halls.clone();
    let list = hall_list(&halls);
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
    posters(&parts, page, list)
}

/// The page with a poster per hall (one without a hall when none is named).
fn posters(
    parts: &axum::http::request::Parts,
    mut page: StationsPage,
    halls: Vec<String>,
) -> Response {
    let base = origin(&parts.headers);
    let (fair, session) = (page.fair.clone(), page.session.clone());
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
    page.posters = if halls.is_empty() {
        vec![poster("")]
    } else {
        halls.iter().map(|h| poster(h)).collect()
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

#[cfg(test)]
mod tests {
    use super::parse_session;

    #[test]
    fn a_fair_session_is_checked_field_by_field() {
        let ok = parse_session(
            "第141届广交会",
            "第一期",
            "2027-04-15",
            "2027-04-19",
            "1.1， 9.2、16.1 A区",
        )
        .unwrap();
        assert_eq!(ok.halls, ["1.1", "9.2", "16.1", "A区"]);
        assert_eq!(ok.ends_on.to_string(), "2027-04-19");
        let one_day = parse_session("玩博会", "", "2027-01-08", "2027-01-08", "").unwrap();
        assert!(one_day.halls.is_empty());
        let codes =
            |r: Result<_, kuaiwei_domain::ValidationErrors>| -> Vec<(String, &'static str)> {
                r.unwrap_err()
                    .0
                    .into_iter()
                    .map(|e| (e.path, e.code))
                    .collect()
            };
        assert_eq!(
            codes(parse_session("", "", "", "2027-13-01", "")),
            [
                ("fair".to_string(), "required"),
                ("starts_on".to_string(), "required"),
                ("ends_on".to_string(), "date_format"),
            ]
        );
        assert_eq!(
            codes(parse_session("广交会", "", "2027-04-19", "2027-04-15", "")),
            [("ends_on".to_string(), "before_start")]
        );
        assert_eq!(
            codes(parse_session("广交会", "", "2027-01-01", "2027-06-01", "")),
            [("ends_on".to_string(), "too_long")]
        );
        let many = (0..61).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
        assert_eq!(
            codes(parse_session(
                "广交会",
                "",
                "2027-04-15",
                "2027-04-15",
                &many
            )),
            [("halls".to_string(), "too_many")]
        );
    }
}
