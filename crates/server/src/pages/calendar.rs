//! `/work/admin/calendar`: the administrator installs next year's holiday schedule. The page
//! shows the years in use (published, or provisional: computed from the statutory holidays
//! until the notice is loaded, legal-deadlines.md §8.6), takes a year file, shows what it
//! changes before anything is installed (a bad file is refused with the line at fault), and
//! installs it; the running server takes it at once and recomputes the due dates it moves.

use askama::Template;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use kuaiwei_access::Action;

use super::work::{Nav, Staff, see_other};
use super::{Ctx, Lang, query_pairs, render};
use crate::{AppError, AppState};

/// The largest year file taken (a published year is about 2 KB).
const MAX_FILE: usize = 64 * 1024;

#[derive(Template)]
#[template(path = "work_calendar.html")]
struct CalendarPage {
    p: Ctx,
    nav: Nav,
    years: Vec<YearLine>,
    /// A checked file waiting to be installed: its year, notice, holidays and what it changes.
    preview: Option<Preview>,
    error: Option<String>,
    flash: Option<String>,
    /// Whether this server can install (it reads a calendar directory).
    can_install: bool,
}

struct YearLine {
    year: i16,
    status: &'static str,
    notice: String,
}

struct Preview {
    year: i16,
    notice: String,
    text: String,
    holidays: Vec<String>,
    changes: Vec<String>,
}

async fn admin(state: &AppState, parts: &axum::http::request::Parts) -> Result<Staff, Response> {
    Staff::with(state, parts, Action::ManageCalendar).await
}

fn years(state: &AppState, lang: Lang) -> Vec<YearLine> {
    let cal = state.calendar.current();
    let this = kuaiwei_deadlines::local_date(state.clock.now()).year();
    let mut out: Vec<YearLine> = cal
        .loaded_years()
        .into_iter()
        .map(|y| YearLine {
            year: y,
            status: lang.t("calendar.published"),
            notice: cal.year(y).map(|d| d.notice.clone()).unwrap_or_default(),
        })
        .collect();
    for y in this..=this + 1 {
        if cal.is_provisional(y) {
            out.push(YearLine {
                year: y,
                status: lang.t("calendar.provisional"),
                notice: lang.t("calendar.provisional_note").into(),
            });
        }
    }
    out.sort_by_key(|y| y.year);
    out
}

fn page_of(state: &AppState, staff: Staff) -> CalendarPage {
    CalendarPage {
        years: years(state, staff.lang()),
        preview: None,
        error: None,
        flash: None,
        can_install: state.calendar.dir().is_some(),
        p: staff.p,
        nav: staff.nav,
    }
}

/// `GET /work/admin/calendar`
pub async fn page(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let staff = match admin(&state, &parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let lang = staff.lang();
    let mut page = page_of(&state, staff);
    page.flash = query_pairs(parts.uri.query())
        .into_iter()
        .find(|(k, _)| k == "installed")
        .map(|(_, y)| lang.tf("calendar.installed", &[("year", &y)]));
    render(StatusCode::OK, &page, true)
}

/// `POST /work/admin/calendar` (multipart): `file`, a year file to check and preview; or `text`
/// (the previewed file, carried by the page) with `install=1` to install it.
pub async fn submit(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let staff = match admin(&state, &parts).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let lang = staff.lang();
    let (text, install) = match read(Request::from_parts(parts, body)).await {
        Ok(t) => t,
        Err(e) => return with_error(&state, staff, e),
    };
    let data = match crate::calendar::parse(&text) {
        Ok(d) => d,
        Err(e) => return with_error(&state, staff, e),
    };
    if install {
        let Some(dir) = state.calendar.dir() else {
            return with_error(
                &state,
                staff,
                AppError::StateConflict {
                    code: "no_calendar_dir",
                    zh: "本服务器不从数据目录读取节假日安排，无法安装".into(),
                    en: "this server reads no calendar directory; nothing can be installed".into(),
                },
            );
        };
        if let Err(e) = crate::calendar::install(dir, &text, &data) {
            return with_error(&state, staff, e);
        }
        tracing::info!(year = data.year, user = %staff.caller.principal.username, "holiday schedule installed from the administrator's page");
        if let Err(e) = state
            .store
            .record_event(kuaiwei_store::RecordedEvent {
                subject: format!("calendar:{}", data.year),
                event: kuaiwei_store::NewEvent {
                    actor: staff.caller.actor(),
                    kind: "calendar_installed".into(),
                    payload: serde_json::json!({"year": data.year, "notice": data.notice}),
                    reason: None,
                },
                at: state.clock.now(),
            })
            .await
        {
            return with_error(&state, staff, e.into());
        }
        // in use at once; the due dates it moves are recomputed in the background
        let applying = state.clone();
        tokio::spawn(async move {
            crate::cases::take_calendar_changes(&applying).await;
        });
        return see_other(&format!("/work/admin/calendar?installed={}", data.year));
    }
    let current = state.calendar.current();
    let moved = crate::calendar::changes(&current, &data);
    let pick = |zh: &str, en: &str| match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    };
    let kind = |working: bool| {
        if working {
            lang.t("calendar.working")
        } else {
            lang.t("calendar.rest")
        }
    };
    let preview = Preview {
        year: data.year,
        notice: data.notice.clone(),
        holidays: data
            .holidays
            .iter()
            .map(|h| {
                let dates = |ds: &[jiff::civil::Date]| {
                    ds.iter()
                        .map(|d| d.strftime("%m-%d").to_string())
                        .collect::<Vec<_>>()
                        .join("、")
                };
                let mut line = format!("{}：{}", pick(&h.name_zh, &h.name_en), dates(&h.rest));
                if !h.work.is_empty() {
                    line.push_str(&lang.tf("calendar.work_days", &[("days", &dates(&h.work))]));
                }
                line
            })
            .collect(),
        changes: moved
            .iter()
            .map(|c| {
                let name = c
                    .holiday
                    .as_ref()
                    .map(|(zh, en)| format!("（{}）", pick(zh, en)))
                    .unwrap_or_default();
                format!(
                    "{}：{} → {}{name}",
                    c.date,
                    kind(c.was_working),
                    kind(c.is_working)
                )
            })
            .collect(),
        text,
    };
    let mut page = page_of(&state, staff);
    page.preview = Some(preview);
    render(StatusCode::OK, &page, true)
}

fn with_error(state: &AppState, staff: Staff, e: AppError) -> Response {
    let lang = staff.lang();
    let (status, text) = super::message_line(lang, e);
    let mut page = page_of(state, staff);
    page.error = Some(text);
    render(status, &page, true)
}

/// The file's text (from the upload, or from the preview's hidden field) and whether to
/// install it.
async fn read(req: Request) -> Result<(String, bool), AppError> {
    let bad = |zh: &str, en: &str| AppError::field("file", "invalid_value", zh, en);
    let mut form = Multipart::from_request(req, &())
        .await
        .map_err(|e| AppError::bad_request("bad_form", "表单格式错误", e.body_text()))?;
    let (mut text, mut install) = (None, false);
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| AppError::bad_request("bad_form", "表单格式错误", e.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_string();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| AppError::bad_request("bad_form", "表单格式错误", e.body_text()))?;
        if bytes.len() > MAX_FILE {
            return Err(AppError::too_large(
                "节假日文件最大64 KB",
                "a holiday file is at most 64 KB",
            ));
        }
        match name.as_str() {
            "file" | "text" if !bytes.is_empty() => {
                let t = String::from_utf8(bytes.to_vec())
                    .map_err(|_| bad("文件不是 UTF-8 文本", "the file is not UTF-8 text"))?;
                text = Some(t);
            }
            "install" => install = bytes.as_ref() == b"1",
            _ => {}
        }
    }
    let text = text.ok_or_else(|| bad("请选择节假日文件", "choose a holiday file"))?;
    Ok((text, install))
}
