//! The on-time report's reads on PostgreSQL, and frozen months. The window's conditions are
//! each served by an index; PostgreSQL unites them with a bitmap OR.

use jiff_sqlx::ToSqlx;
use kuaiwei_store::{FrozenReport, ReportClock, ReportWindow, StoreError};
use sqlx::postgres::PgPool;

use crate::backend;
use crate::cases::{Ts, read_time};

type Row = (
    String,
    String,
    Option<Ts>,
    Option<Ts>,
    Option<Ts>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

pub async fn report_clocks(
    pool: &PgPool,
    w: &ReportWindow,
) -> Result<Vec<ReportClock>, StoreError> {
    // JIT compiling this scan costs more (about 60 ms measured at a million cases) than it saves.
    let mut tx = pool.begin().await.map_err(backend)?;
    sqlx::query("set local jit = off")
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    let rows: Vec<Row> = sqlx::query_as(
        "select k.case_number, k.procedure_id, k.started_at, k.closed_at, k.due_at, k.inputs::text,
                k.agency, k.channel, k.right_type, k.fair, k.officer
           from case_clocks k
          where (k.started_at >= $1 and k.started_at < $2)
             or (k.closed_at >= $1 and k.closed_at < $2)
             or (k.due_at >= $1 and k.due_at <= $2)
             or (k.due_at > $2 and k.due_at < $3 and k.started_at <= $2
                 and (k.closed_at is null or k.closed_at >= $2))
             or (k.closed_at is null and k.due_at < $2)
             or (k.due_at is null and k.started_at <= $2
                 and (k.closed_at is null or k.closed_at >= $2))
             or (k.closed_at >= $2 and k.due_at < $2)",
    )
    .bind(w.from.to_sqlx())
    .bind(w.to.to_sqlx())
    .bind(w.horizon.max(w.to).to_sqlx())
    .fetch_all(&mut *tx)
    .await
    .map_err(backend)?;
    tx.commit().await.map_err(backend)?;
    rows.into_iter().map(clock).collect()
}

/// Every clock, a page at a time in key order.
pub async fn all_report_clocks(
    pool: &PgPool,
    page: &mut (dyn FnMut(Vec<ReportClock>) + Send),
) -> Result<(), StoreError> {
    let mut after = (String::new(), String::new());
    loop {
        let rows: Vec<Row> = sqlx::query_as(
            "select case_number, procedure_id, started_at, closed_at, due_at, inputs::text,
                    agency, channel, right_type, fair, officer
               from case_clocks where (case_number, procedure_id) > ($1, $2)
              order by case_number, procedure_id limit $3",
        )
        .bind(&after.0)
        .bind(&after.1)
        .bind(PAGE)
        .fetch_all(pool)
        .await
        .map_err(backend)?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = (last.0.clone(), last.1.clone());
        page(rows.into_iter().map(clock).collect::<Result<_, _>>()?);
    }
}

/// Clocks per page of [`all_report_clocks`].
const PAGE: i64 = 10_000;

pub async fn report_clocks_of(
    pool: &PgPool,
    case_numbers: &[String],
) -> Result<Vec<ReportClock>, StoreError> {
    let rows: Vec<Row> = sqlx::query_as(
        "select case_number, procedure_id, started_at, closed_at, due_at, inputs::text,
                agency, channel, right_type, fair, officer
           from case_clocks where case_number = any($1)",
    )
    .bind(case_numbers)
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    rows.into_iter().map(clock).collect()
}

fn clock(
    (
        case_number,
        procedure_id,
        started,
        closed,
        due,
        inputs,
        agency,
        channel,
        right_type,
        fair,
        officer,
    ): Row,
) -> Result<ReportClock, StoreError> {
    Ok(ReportClock {
        case_number,
        procedure_id,
        started_at: read_time(started)?,
        closed_at: read_time(closed)?,
        due_at: read_time(due)?,
        inputs,
        agency,
        channel: channel.unwrap_or_default(),
        right_type,
        fair,
        officer,
    })
}

pub async fn freeze(pool: &PgPool, f: &FrozenReport) -> Result<(), StoreError> {
    let done = sqlx::query(
        "insert into report_freezes (period, frozen_at, frozen_by, body, hash)
         values ($1, $2, $3, $4, $5) on conflict (period) do nothing",
    )
    .bind(&f.period)
    .bind(f.frozen_at.to_sqlx())
    .bind(&f.frozen_by)
    .bind(&f.body)
    .bind(&f.hash)
    .execute(pool)
    .await
    .map_err(backend)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict("report_freezes".into()));
    }
    Ok(())
}

pub async fn frozen(pool: &PgPool, period: &str) -> Result<Option<FrozenReport>, StoreError> {
    let row: Option<(String, Ts, String, String, String)> = sqlx::query_as(
        "select period, frozen_at, frozen_by, body, hash from report_freezes where period = $1",
    )
    .bind(period)
    .fetch_optional(pool)
    .await
    .map_err(backend)?;
    Ok(row.map(|(period, at, by, body, hash)| FrozenReport {
        period,
        frozen_at: at.to_jiff(),
        frozen_by: by,
        body,
        hash,
    }))
}

/// Benchmarks only: writes generated cases, their complaints, clocks and change-log rows in one
/// transaction, each table in one statement over a JSON array.
#[cfg(feature = "bench")]
pub async fn insert_synthetic(
    pool: &PgPool,
    cases: &[kuaiwei_store::SyntheticCase],
) -> Result<(), StoreError> {
    use serde_json::json;
    let rows: Vec<serde_json::Value> = cases
        .iter()
        .map(|c| {
            json!({"n": c.case_number, "ch": c.channel, "r": c.received_at,
                   "rt": c.right_type, "f": c.fair, "s": c.state, "a": c.agency,
                   "o": c.outcome, "off": c.officer, "nd": c.next_due_at, "b": c.body,
                   "p": c.respondent_pending})
        })
        .collect();
    let clocks: Vec<serde_json::Value> = cases
        .iter()
        .flat_map(|c| {
            c.clocks.iter().enumerate().map(|(i, k)| {
                json!({"n": c.case_number, "p": k.procedure_id, "i": i, "st": k.started_at,
                       "cl": k.closed_at, "du": k.due_at, "s": k.status, "in": k.inputs})
            })
        })
        .collect();
    let rows = serde_json::Value::Array(rows).to_string();
    let clocks = serde_json::Value::Array(clocks).to_string();
    let mut tx = pool.begin().await.map_err(backend)?;
    for (sql, arg) in [
        (
            // respondent 0: resolved to none, so that the start-up backfill (which parses
            // bodies) passes the case by; a pending case has none yet, and the backfill
            // resolves it
            "insert into complaints (case_number, token_hash, status, channel, received_at, body,
                                     right_type, fair, respondent_id)
             select n, '\\x00'::bytea, 'received', ch, r, b::jsonb, rt, f,
                    case when p then null else 0 end
               from jsonb_to_recordset($1::jsonb)
                    as t(n text, ch text, r timestamptz, rt text, f text, b text, p boolean)",
            &rows,
        ),
        (
            "insert into cases (case_number, complaint_id, state, agency, outcome, received_at,
                                materials_received_at, next_due_at, version, officer)
             select c.case_number, c.id, t.s, t.a, t.o, c.received_at, c.received_at, t.nd, 1,
                    t.off
               from jsonb_to_recordset($1::jsonb)
                    as t(n text, s text, a text, o text, off text, nd timestamptz)
               join complaints c on c.case_number = t.n",
            &rows,
        ),
        (
            "insert into case_clocks (case_number, procedure_id, position, started_at, closed_at,
                                      due_at, status, inputs, agency, channel, right_type, fair,
                                      officer)
             select t.n, t.p, t.i, t.st, t.cl, t.du, t.s, t.\"in\",
                    c.agency, x.channel, x.right_type, x.fair, c.officer
               from jsonb_to_recordset($1::jsonb)
                    as t(n text, p text, i integer, st timestamptz, cl timestamptz,
                         du timestamptz, s text, \"in\" jsonb)
               join cases c on c.case_number = t.n
               join complaints x on x.id = c.complaint_id",
            &clocks,
        ),
        (
            // the row intake writes for a new complaint, in filing order: the search indexer
            // follows the change log (a case's later steps are not replayed: the case is
            // written as it stands, and one row is enough for the indexer to read it whole)
            "insert into change_log (entity, entity_key, op, at)
             select 'complaint', e ->> 'n', 'created', (e ->> 'r')::timestamptz
               from jsonb_array_elements($1::jsonb) with ordinality as t(e, ord)
              order by ord",
            &rows,
        ),
    ] {
        sqlx::query(sql)
            .bind(arg)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
    }
    tx.commit().await.map_err(backend)
}

/// Benchmarks only: refreshes the planner's statistics after a bulk load.
#[cfg(feature = "bench")]
pub async fn analyze(pool: &PgPool) -> Result<(), StoreError> {
    sqlx::query("analyze complaints, cases, case_clocks")
        .execute(pool)
        .await
        .map_err(backend)?;
    Ok(())
}
