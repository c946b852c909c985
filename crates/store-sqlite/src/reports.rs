//! The on-time report's reads on SQLite, and frozen months.
//!
//! The clocks of a window are found through five index ranges united by rowid, so that a month
//! over a million cases reads only the clocks it concerns.

use kuaiwei_store::{FrozenReport, ReportClock, ReportWindow, StoreError};
use sqlx::sqlite::SqlitePool;

use crate::cases::read_time;
use crate::{backend, time};

/// One clock as the packed read returns it: a JSON array in the order of the select list.
type Packed = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The clocks a report window needs. They come back packed in one JSON array: handing rows
/// one by one from SQLite's thread to the runtime cost more than the query itself (measured:
/// 230 ms of 378 ms for 42,651 rows). One array, not chunks: grouping would sort every row.
pub async fn report_clocks(
    pool: &SqlitePool,
    w: &ReportWindow,
) -> Result<Vec<ReportClock>, StoreError> {
    // An aggregate: always one row, `[]` when no clock is in the window.
    let (packed,): (String,) = sqlx::query_as(
        "select json_group_array(json_array(case_number, procedure_id, started_at, closed_at,
                                            due_at, inputs, agency, channel, right_type, fair,
                                            officer))
           from case_clocks
          where rowid in (
                select rowid from case_clocks where started_at >= ?1 and started_at < ?2
                union select rowid from case_clocks where closed_at >= ?1 and closed_at < ?2
                union select rowid from case_clocks where due_at >= ?1 and due_at <= ?2
                union select rowid from case_clocks
                       where due_at > ?2 and due_at < ?3 and started_at <= ?2
                         and (closed_at is null or closed_at >= ?2)
                union select rowid from case_clocks where closed_at is null and due_at < ?2
                union select rowid from case_clocks
                       where due_at is null and started_at <= ?2
                         and (closed_at is null or closed_at >= ?2)
                union select rowid from case_clocks where closed_at >= ?2 and due_at < ?2)",
    )
    .bind(time::to_db(w.from))
    .bind(time::to_db(w.to))
    .bind(time::to_db(w.horizon.max(w.to)))
    .fetch_one(pool)
    .await
    .map_err(backend)?;
    unpack(&packed)
}

/// Every clock, a page at a time in rowid order (a step rewrites its case's clocks, so one
/// case's clocks may fall in two pages).
pub async fn all_report_clocks(
    pool: &SqlitePool,
    page: &mut (dyn FnMut(Vec<ReportClock>) + Send),
) -> Result<(), StoreError> {
    let mut after = 0i64;
    loop {
        let (packed, last): (String, Option<i64>) = sqlx::query_as(
            "select json_group_array(json_array(case_number, procedure_id, started_at, closed_at,
                                                due_at, inputs, agency, channel, right_type, fair,
                                                officer)),
                    max(rowid)
               from (select rowid, * from case_clocks where rowid > ?1 order by rowid limit ?2)",
        )
        .bind(after)
        .bind(PAGE)
        .fetch_one(pool)
        .await
        .map_err(backend)?;
        let Some(last) = last else {
            return Ok(());
        };
        page(unpack(&packed)?);
        after = last;
    }
}

/// Clocks per page of [`all_report_clocks`]: each page is one JSON text (about 300 bytes a
/// clock) held twice while it is read, so pages are kept small.
const PAGE: i64 = 10_000;

pub async fn report_clocks_of(
    pool: &SqlitePool,
    case_numbers: &[String],
) -> Result<Vec<ReportClock>, StoreError> {
    let numbers = serde_json::to_string(case_numbers)
        .map_err(|e| StoreError::Corrupt(format!("case numbers: {e}")))?;
    let (packed,): (String,) = sqlx::query_as(
        "select json_group_array(json_array(case_number, procedure_id, started_at, closed_at,
                                            due_at, inputs, agency, channel, right_type, fair,
                                            officer))
           from case_clocks where case_number in (select value from json_each(?1))",
    )
    .bind(numbers)
    .fetch_one(pool)
    .await
    .map_err(backend)?;
    unpack(&packed)
}

/// The clocks of a packed JSON array, in the order of the select list above.
fn unpack(packed: &str) -> Result<Vec<ReportClock>, StoreError> {
    let rows: Vec<Packed> = serde_json::from_str(packed)
        .map_err(|e| StoreError::Corrupt(format!("report clocks: {e}")))?;
    rows.into_iter()
        .map(
            |(
                n,
                procedure_id,
                started,
                closed,
                due,
                inputs,
                agency,
                channel,
                rt,
                fair,
                officer,
            )| {
                Ok(ReportClock {
                    case_number: n,
                    procedure_id,
                    started_at: read_time(started)?,
                    closed_at: read_time(closed)?,
                    due_at: read_time(due)?,
                    inputs,
                    agency,
                    channel: channel.unwrap_or_default(),
                    right_type: rt,
                    fair,
                    officer,
                })
            },
        )
        .collect()
}

pub async fn freeze(pool: &SqlitePool, f: &FrozenReport) -> Result<(), StoreError> {
    let done = sqlx::query(
        "insert into report_freezes (period, frozen_at, frozen_by, body, hash)
         values (?1, ?2, ?3, ?4, ?5) on conflict (period) do nothing",
    )
    .bind(&f.period)
    .bind(time::to_db(f.frozen_at))
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

pub async fn frozen(pool: &SqlitePool, period: &str) -> Result<Option<FrozenReport>, StoreError> {
    let row: Option<(String, String, String, String, String)> = sqlx::query_as(
        "select period, frozen_at, frozen_by, body, hash from report_freezes where period = ?1",
    )
    .bind(period)
    .fetch_optional(pool)
    .await
    .map_err(backend)?;
    row.map(|(period, at, by, body, hash)| {
        Ok(FrozenReport {
            period,
            frozen_at: time::from_db(&at)?,
            frozen_by: by,
            body,
            hash,
        })
    })
    .transpose()
}

/// Benchmarks only: writes generated cases, their complaints, clocks and change-log rows in one
/// transaction, each table in one statement over a JSON array.
#[cfg(feature = "bench")]
pub async fn insert_synthetic(
    pool: &SqlitePool,
    cases: &[kuaiwei_store::SyntheticCase],
) -> Result<(), StoreError> {
    use serde_json::json;
    let t = |t: Option<jiff::Timestamp>| t.map(time::to_db);
    let rows: Vec<serde_json::Value> = cases
        .iter()
        .map(|c| {
            json!({"n": c.case_number, "ch": c.channel, "r": time::to_db(c.received_at),
                   "rt": c.right_type, "f": c.fair, "s": c.state, "a": c.agency,
                   "o": c.outcome, "off": c.officer, "nd": t(c.next_due_at), "b": c.body,
                   "p": c.respondent_pending})
        })
        .collect();
    let clocks: Vec<serde_json::Value> = cases
        .iter()
        .flat_map(|c| {
            c.clocks.iter().enumerate().map(|(i, k)| {
                json!({"n": c.case_number, "p": k.procedure_id, "i": i, "st": t(k.started_at),
                       "cl": t(k.closed_at), "du": t(k.due_at), "s": k.status,
                       "in": k.inputs_json()})
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
             select value ->> 'n', x'00', 'received', value ->> 'ch', value ->> 'r',
                    value ->> 'b', value ->> 'rt', value ->> 'f',
                    case when value ->> 'p' then null else 0 end
               from json_each(?1)",
            &rows,
        ),
        (
            "insert into cases (case_number, complaint_id, state, agency, outcome, received_at,
                                materials_received_at, next_due_at, version, officer)
             select c.case_number, c.id, j.value ->> 's', j.value ->> 'a', j.value ->> 'o',
                    c.received_at, c.received_at, j.value ->> 'nd', 1, j.value ->> 'off'
               from json_each(?1) j join complaints c on c.case_number = j.value ->> 'n'",
            &rows,
        ),
        (
            "insert into case_clocks (case_number, procedure_id, position, started_at, closed_at,
                                      due_at, status, inputs, agency, channel, right_type, fair,
                                      officer)
             select j.value ->> 'n', j.value ->> 'p', j.value ->> 'i', j.value ->> 'st',
                    j.value ->> 'cl', j.value ->> 'du', j.value ->> 's', j.value ->> 'in',
                    c.agency, p.channel, p.right_type, p.fair, c.officer
               from json_each(?1) j
               join cases c on c.case_number = j.value ->> 'n'
               join complaints p on p.id = c.complaint_id",
            &clocks,
        ),
        (
            // the row intake writes for a new complaint, in filing order: the search indexer
            // follows the change log (a case's later steps are not replayed: the case is
            // written as it stands, and one row is enough for the indexer to read it whole)
            "insert into change_log (entity, entity_key, op, at)
             select 'complaint', value ->> 'n', 'created', value ->> 'r'
               from json_each(?1) order by key",
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
pub async fn analyze(pool: &SqlitePool) -> Result<(), StoreError> {
    sqlx::query("analyze")
        .execute(pool)
        .await
        .map_err(backend)?;
    Ok(())
}
