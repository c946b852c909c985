//! The on-time closure report: JSON, CSV and XLSX under `/api/v1/reports/on-time`, the cases
//! behind any figure, freezing a finished period, and the server-rendered pages under
//! `/reports/on-time` (zh-CN by default, `lang=en`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use kuaiwei_reports::{Answer, Dimension, Line, Measure, Period, Served};
use serde::{Deserialize, Serialize};

use kuaiwei_access::Action;

use crate::auth::Caller;
use crate::reports;
use crate::{AppError, AppState};

pub(crate) fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, AppError> {
    q.map(|Query(q)| q).map_err(|e| {
        AppError::field(
            "query",
            "bad_query",
            format!("查询参数有误：{}", e.body_text()),
            e.body_text(),
        )
    })
}

/// `period=2026-10` (or `2026-Q4`, `2026`); `month=2026-10` is the same.
fn period(period: Option<&str>, month: Option<&str>) -> Result<Period, AppError> {
    match period.or(month) {
        Some(p) => reports::parse_period(p),
        None => Err(AppError::field(
            "period",
            "required",
            "请给出报告期，如 period=2026-10",
            "give the period, e.g. period=2026-10",
        )),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// `2026-10`, `2026-Q4` or `2026` (Asia/Shanghai).
    period: Option<String>,
    /// Same as `period`, for a month.
    month: Option<String>,
    /// `json` (default), `csv` or `xlsx`.
    format: Option<String>,
    /// JSON and CSV: the classified clocks behind the figures, one per line.
    cases: Option<bool>,
}

/// The JSON report as the API answers it: the report's own fields, then `frozen` and
/// `corrections`. Describes the answer for the OpenAPI document; [`Answer`] writes it.
#[derive(Serialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ReportBody {
    #[serde(flatten)]
    report: kuaiwei_reports::OnTimeReport,
    /// Set for a frozen period: who froze it, when, its hash and whether the text still
    /// matches it.
    frozen: Option<kuaiwei_reports::FreezeInfo>,
    /// For a frozen period: the clocks whose standing changed after the freeze.
    corrections: Vec<kuaiwei_reports::Correction>,
    /// For a period frozen under an earlier definition (`definition.version` below the
    /// current one): the current definition and the headline it gives today, beside the frozen
    /// text, which is never rewritten.
    recomputed: Option<RecomputedBody>,
}

/// The current reading of a period frozen under an earlier definition.
#[derive(Serialize, utoipa::ToSchema)]
#[allow(dead_code)] // describes `reports::Recomputed` for the OpenAPI document
pub struct RecomputedBody {
    definition: kuaiwei_reports::Definition,
    headline: kuaiwei_reports::Figures,
}

/// The report as JSON: the frozen text for a frozen period, with `frozen` and the
/// `corrections` made since; the live figures otherwise.
fn to_json(s: Served, with_lines: bool) -> Response {
    Json(Answer::of(&s, with_lines)).into_response()
}

fn download(bytes: Vec<u8>, media_type: &str, name: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, media_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The on-time closure report (按期结案率) of a month, quarter or year.
///
/// Every figure counts classified clocks (`cases=true` lists them); the definition is in the
/// report (`definition`, version 2 since 2026-12): each closing clock counts once, on time in
/// the period it was closed in if closed no later than its effective due date, late in the
/// period its due date passed in if not closed by then; 按期结案率 = on time ÷ (on time + late).
/// A frozen period answers with its frozen text, its hash and the corrections since; one frozen
/// under definition 1 also carries `recomputed`, the headline under the current definition.
#[utoipa::path(
    get,
    path = "/api/v1/reports/on-time",
    tag = "reports",
    params(ReportQuery),
    responses(
        (status = 200, description = "the report as JSON (lines only with cases=true); or a CSV (UTF-8 with BOM, text/csv) or XLSX download with format=csv|xlsx", body = ReportBody),
        (status = 401, description = "not logged in", body = crate::error::ErrorBody),
        (status = 403, description = "the role may not read reports (administrators); officers and agency supervisors get their agency's view", body = crate::error::ErrorBody),
        (status = 422, description = "a bad or missing period, a period not begun, an unknown format", body = crate::error::ErrorBody),
    )
)]
pub async fn on_time(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let scope = caller.scope();
    caller
        .require(&state, Action::ReadReports, scope.as_deref())
        .await?;
    let q = query(q)?;
    let p = period(q.period.as_deref(), q.month.as_deref())?;
    let cases = q.cases.unwrap_or(false);
    // `Cache-Control: no-cache` recomputes a finished period even if no case has changed.
    let fresh = headers
        .get_all(header::CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.split(',')
                .any(|d| d.trim().eq_ignore_ascii_case("no-cache"))
        });
    let served = reports::on_time(&state, p, fresh)
        .await?
        .scoped(scope.as_deref());
    let name = |ext: &str| format!("on-time-{p}.{ext}");
    match q.format.as_deref().unwrap_or("json") {
        "json" => Ok(to_json(served, cases)),
        "csv" => {
            let bytes = if cases {
                kuaiwei_reports::lines_csv(served.report.lines.iter())?
            } else {
                kuaiwei_reports::figures_csv(&served.report)?
            };
            Ok(download(bytes, "text/csv; charset=utf-8", name("csv")))
        }
        "xlsx" => Ok(download(
            kuaiwei_reports::xlsx(&served.report)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            name("xlsx"),
        )),
        other => Err(AppError::field(
            "format",
            "unknown_format",
            format!("不支持的格式 {other:?}，可选 json、csv、xlsx"),
            format!("unknown format {other:?}; json, csv or xlsx"),
        )),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TraceQuery {
    period: Option<String>,
    month: Option<String>,
    /// procedure, agency, channel, right_type, fair, officer; none for the headline.
    dimension: Option<String>,
    /// The group's key under the dimension (`ip_office`, `P3`, `none` …).
    key: Option<String>,
    /// counted, on_time, late, overdue_open, pending, undetermined, overdue_at_end, due_7,
    /// due_30, opened, closed, extended.
    measure: String,
    /// Pages only (`en` for English; the page reads it from the address): the API ignores it.
    #[param(ignore)]
    #[allow(dead_code)]
    lang: Option<String>,
}

pub(crate) struct Trace {
    pub group: Option<(Dimension, String)>,
    pub measure: Measure,
}

fn trace_of(q: &TraceQuery) -> Result<Trace, AppError> {
    let measure = Measure::parse(&q.measure).ok_or_else(|| {
        AppError::field(
            "measure",
            "unknown_measure",
            format!("未知的统计项 {:?}", q.measure),
            format!("unknown measure {:?}", q.measure),
        )
    })?;
    let group = match (&q.dimension, &q.key) {
        (None, None) => None,
        (Some(d), Some(k)) => Some((
            Dimension::parse(d).ok_or_else(|| {
                AppError::field(
                    "dimension",
                    "unknown_dimension",
                    format!("未知的分组维度 {d:?}"),
                    format!("unknown dimension {d:?}"),
                )
            })?,
            k.clone(),
        )),
        _ => {
            return Err(AppError::field(
                "dimension",
                "dimension_and_key",
                "分组维度与键须同时给出",
                "give dimension and key together",
            ));
        }
    };
    Ok(Trace { group, measure })
}

/// The report a trace query names, with the figure to trace in it.
pub(crate) async fn traced(
    state: &AppState,
    caller: &Caller,
    q: &TraceQuery,
) -> Result<(Period, Trace, Served), AppError> {
    let scope = caller.scope();
    caller
        .require(state, Action::ReadReports, scope.as_deref())
        .await?;
    let p = period(q.period.as_deref(), q.month.as_deref())?;
    let t = trace_of(q)?;
    let served = reports::on_time(state, p, false).await?;
    Ok((p, t, served.scoped(scope.as_deref())))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TraceView {
    pub period: String,
    pub dimension: Option<String>,
    pub key: Option<String>,
    pub measure: String,
    pub count: usize,
    /// The classified clocks behind the figure: case number, clock, dates, category.
    pub lines: Vec<Line>,
}

/// The cases behind one figure of the report.
#[utoipa::path(
    get,
    path = "/api/v1/reports/on-time/cases",
    tag = "reports",
    params(TraceQuery),
    responses(
        (status = 200, body = TraceView),
        (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody),
    )
)]
pub async fn cases(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<TraceQuery>, QueryRejection>,
) -> Result<Json<TraceView>, AppError> {
    let (p, t, served) = traced(&state, &caller, &query(q)?).await?;
    let group = t.group.as_ref().map(|(d, k)| (*d, k.as_str()));
    let lines: Vec<Line> = served
        .report
        .trace(group, t.measure)
        .into_iter()
        .cloned()
        .collect();
    Ok(Json(TraceView {
        period: p.to_string(),
        dimension: t.group.as_ref().map(|(d, _)| d.key().to_string()),
        key: t.group.map(|(_, k)| k),
        measure: t.measure.key().to_string(),
        count: lines.len(),
        lines,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FreezeBody {
    /// The finished period to freeze: `2026-10`, `2026-Q4`, `2026`. Who freezes it is the
    /// logged-in supervisor.
    period: String,
}

/// Freezes a finished period: its report, with every line and a SHA-256, is kept for good and
/// served instead of the live figures; later corrections are listed beside it.
#[utoipa::path(
    post,
    path = "/api/v1/reports/on-time/freeze",
    tag = "reports",
    request_body = FreezeBody,
    responses(
        (status = 200, description = "the frozen report (as GET answers it)", body = ReportBody),
        (status = 400, description = "malformed JSON, or not JSON", body = crate::error::ErrorBody),
        (status = 401, description = "not logged in", body = crate::error::ErrorBody),
        (status = 403, description = "only a centre supervisor freezes the centre's report", body = crate::error::ErrorBody),
        (status = 409, description = "the period has not ended, or is frozen already", body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody),
    )
)]
pub async fn freeze(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, AppError> {
    caller.require(&state, Action::FreezeReport, None).await?;
    let b: FreezeBody = crate::json::parse(&body)?;
    let p = reports::parse_period(&b.period)?;
    let served = reports::freeze(&state, p, &caller.actor()).await?;
    Ok(to_json(served, false))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    period: Option<String>,
    month: Option<String>,
    /// The page's language (the pages read it from the address themselves).
    #[allow(dead_code)]
    lang: Option<String>,
}

/// The period of the report page's query.
pub(crate) fn page_period(q: Result<Query<PageQuery>, QueryRejection>) -> Result<Period, AppError> {
    let q = query(q)?;
    period(q.period.as_deref(), q.month.as_deref())
}
