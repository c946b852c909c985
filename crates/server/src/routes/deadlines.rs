//! The officers' deadline calculator: `GET /api/v1/calendar/{date}`,
//! `POST /api/v1/deadlines/compute` and `GET /api/v1/procedures`. Thin wrappers over the pure
//! `kuaiwei-deadlines` crate; the CLI's `calendar` and `deadline` commands compute the same.

use axum::Json;
use axum::extract::{Path, State};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use kuaiwei_deadlines::{
    Amount, ClockInput, Day, Exclusion, ExclusionKind, Extension, ExtensionGrant, compute_clock,
};
use serde::{Deserialize, Serialize};

use crate::{AppError, AppState};

/// The deadlines crate's refusal as a 422 on `path`, in both languages.
fn unprocessable(
    path: &str,
    code: &'static str,
    message: impl kuaiwei_deadlines::Bilingual,
) -> AppError {
    AppError::field(path, code, message.zh(), message.en())
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CalendarDayView {
    #[schema(value_type = String, format = Date, example = "2026-10-10")]
    pub date: Date,
    /// `working` or `rest`.
    pub day: &'static str,
    /// workday, weekend, holiday_rest or adjusted_workday (调休上班).
    pub kind: &'static str,
    pub holiday_zh: Option<String>,
    pub holiday_en: Option<String>,
    /// The year's holiday notice is not yet published: the answer comes from the provisional
    /// schedule (weekends and statutory holidays, no 调休; legal-deadlines.md §8.6).
    pub provisional: bool,
}

/// Whether a date is a working day under the loaded State Council schedules.
#[utoipa::path(
    get,
    path = "/api/v1/calendar/{date}",
    tag = "deadlines",
    params(("date" = String, Path, format = Date, example = "2026-10-10")),
    responses(
        (status = 200, body = CalendarDayView),
        (status = 422, description = "not a date, or its year's schedule is not loaded", body = crate::error::ErrorBody),
    )
)]
pub async fn calendar_day(
    State(state): State<AppState>,
    Path(date): Path<String>,
) -> Result<Json<CalendarDayView>, AppError> {
    let date: Date = date.parse().map_err(|_| {
        AppError::field(
            "date",
            "date_format",
            "日期格式应为 YYYY-MM-DD",
            "a date is written YYYY-MM-DD",
        )
    })?;
    let calendar = state.calendar.current();
    let day = calendar
        .day(date)
        .map_err(|e| unprocessable("date", "year_not_loaded", e))?;
    let (kind, holiday) = match day {
        Day::Workday => ("workday", None),
        Day::Weekend => ("weekend", None),
        Day::HolidayRest(h) => ("holiday_rest", Some(h)),
        Day::AdjustedWorkday(h) => ("adjusted_workday", Some(h)),
    };
    Ok(Json(CalendarDayView {
        date,
        day: if day.is_working() { "working" } else { "rest" },
        kind,
        holiday_zh: holiday.map(|h| h.name_zh.clone()),
        holiday_en: holiday.map(|h| h.name_en.clone()),
        provisional: calendar.is_provisional(date.year()),
    }))
}

/// A deadline question: which procedure, when its clock started, what stopped or extended it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComputeRequest {
    /// Procedure id, e.g. P3, M2, C2 (see `GET /api/v1/procedures`).
    #[schema(example = "P3")]
    pub procedure: String,
    #[schema(value_type = String, format = DateTime, example = "2026-09-28T09:00:00+08:00")]
    pub start: Timestamp,
    #[serde(default)]
    pub exclusions: Vec<ExclusionRequest>,
    #[serde(default)]
    pub extensions: Vec<ExtensionRequest>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<Timestamp>,
    /// Defaults to the server's clock.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub now: Option<Timestamp>,
    /// A running clock with at most this many hours left is due soon (default 72).
    pub due_soon_hours: Option<u32>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExclusionRequest {
    /// suspension, appraisal, hearing, notice, testing, rights_holder_identification, ...
    #[schema(example = "suspension")]
    pub kind: String,
    #[schema(value_type = String, format = DateTime)]
    pub from: Timestamp,
    /// Absent while the period still runs.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub to: Option<Timestamp>,
    #[serde(default)]
    pub reason: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionRequest {
    /// e.g. `1m`, `30d`, `15wd`.
    #[schema(example = "1m")]
    pub amount: String,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub approved_at: Option<Timestamp>,
    pub approver: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct StepView {
    pub zh: String,
    pub en: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DeadlineView {
    pub procedure: String,
    pub procedure_zh: String,
    pub procedure_en: String,
    /// Laws and articles, with ✅ verified / ◐ partly verified / ❌ unverified.
    pub legal_basis: String,
    /// The effective due instant (24:00 Asia/Shanghai of `due_date` for day-based limits).
    #[schema(value_type = String, format = DateTime)]
    pub due: Timestamp,
    #[schema(value_type = String, format = Date)]
    pub due_date: Date,
    #[schema(value_type = String, format = DateTime)]
    pub nominal_due: Timestamp,
    /// The last day before rolling past rest days: an internal target with a safety margin.
    #[schema(value_type = String, format = Date)]
    pub internal_target_date: Date,
    /// Seconds until `due` (negative when overdue or closed late).
    pub seconds_left: i64,
    /// running, paused, due_soon, overdue, closed_on_time or closed_late.
    pub status: String,
    pub status_zh: &'static str,
    pub excluded_days: i64,
    pub excluded_seconds: i64,
    /// Years the due date depends on whose holiday notice is not yet published: the date is
    /// provisional (legal-deadlines.md §8.6) until they are loaded.
    pub provisional_years: Vec<i16>,
    pub explanation: Vec<StepView>,
}

/// Compute a statutory due date, with its derivation in zh-CN and en.
#[utoipa::path(
    post,
    path = "/api/v1/deadlines/compute",
    tag = "deadlines",
    request_body = ComputeRequest,
    responses(
        (status = 200, body = DeadlineView),
        (status = 400, description = "malformed JSON", body = crate::error::ErrorBody),
        (status = 422, description = "unknown procedure or exclusion kind, an extension the law does not allow, or a year whose schedule is not loaded", body = crate::error::ErrorBody),
    )
)]
pub async fn compute(
    State(state): State<AppState>,
    body: axum::body::Bytes,
) -> Result<Json<DeadlineView>, AppError> {
    let req: ComputeRequest = crate::json::parse(&body)?;
    let procedure = state.procedures.get(&req.procedure).ok_or_else(|| {
        let ids = state.procedures.ids().join(", ");
        AppError::field(
            "procedure",
            "unknown_procedure",
            format!("未知的程序编号，可用：{ids}"),
            format!("unknown procedure; known: {ids}"),
        )
    })?;
    let now = req.now.unwrap_or_else(Timestamp::now);
    let mut input = ClockInput::new(req.start, now);
    input.closed_at = req.closed_at;
    if let Some(h) = req.due_soon_hours {
        input.due_soon = SignedDuration::from_hours(i64::from(h));
    }
    for (i, x) in req.exclusions.into_iter().enumerate() {
        let kind = ExclusionKind::from_key(&x.kind).ok_or_else(|| {
            AppError::field(
                &format!("exclusions[{i}].kind"),
                "unknown_value",
                "未知的不计入期间类型",
                "unknown kind of excluded period",
            )
        })?;
        input.exclusions.push(Exclusion {
            kind,
            from: x.from,
            to: x.to,
            reason: x.reason,
        });
    }
    for (i, x) in req.extensions.into_iter().enumerate() {
        let amount: Amount = x
            .amount
            .parse()
            .map_err(|e| unprocessable(&format!("extensions[{i}].amount"), "period_format", e))?;
        input.extensions.push(Extension {
            approved_at: x.approved_at.unwrap_or(req.start),
            approver: x.approver.unwrap_or_default(),
            grant: ExtensionGrant::Amount(amount),
        });
    }
    let clock = compute_clock(&state.calendar.current(), procedure, &input)
        .map_err(|e| unprocessable("body", "deadline_not_computable", e))?;
    Ok(Json(DeadlineView {
        procedure: procedure.id.clone(),
        procedure_zh: procedure.name_zh.clone(),
        procedure_en: procedure.name_en.clone(),
        legal_basis: procedure.citation(),
        due: clock.due,
        due_date: clock.due_date,
        nominal_due: clock.nominal_due,
        internal_target_date: clock.unrolled_due_date,
        seconds_left: clock.time_left.as_secs(),
        status: clock.status.key().into(),
        status_zh: clock.status.zh(),
        excluded_days: clock.excluded_days,
        excluded_seconds: clock.excluded_time.as_secs(),
        provisional_years: clock.provisional.clone(),
        explanation: clock
            .explanation
            .into_iter()
            .map(|s| StepView { zh: s.zh, en: s.en })
            .collect(),
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProcedureView {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// e.g. `3m`, `15wd`, `24h`, `90d`.
    pub limit: String,
    pub limit_zh: String,
    pub trigger_zh: String,
    pub trigger_en: String,
    pub legal_basis: String,
    pub excluded: Vec<String>,
}

/// The statutory procedures the calculator knows, with their legal basis.
#[utoipa::path(get, path = "/api/v1/procedures", tag = "deadlines", responses((status = 200, body = Vec<ProcedureView>)))]
pub async fn procedures(State(state): State<AppState>) -> Json<Vec<ProcedureView>> {
    Json(
        state
            .procedures
            .iter()
            .map(|p| ProcedureView {
                id: p.id.clone(),
                name_zh: p.name_zh.clone(),
                name_en: p.name_en.clone(),
                limit: p.limit.to_string(),
                limit_zh: p.limit.zh(),
                trigger_zh: p.trigger.zh.clone(),
                trigger_en: p.trigger.en.clone(),
                legal_basis: p.citation(),
                excluded: p.excluded.iter().map(|k| k.key().to_string()).collect(),
            })
            .collect(),
    )
}
