//! Cases on SQLite: steps with their audit events (written by the single writer), and the
//! reads behind case detail, queues and `audit verify`.

use jiff::Timestamp;
use kuaiwei_domain::{CaseNumber, CaseState, Outcome};
use kuaiwei_store::{
    AuditEvent, CaseRecord, CaseUpdate, ChainLink, EvidenceRef, GENESIS, NewEvent, QueueFilter,
    QueueItem, StoreError, StoredClock, UpdatedCase, next_due, read_pending_extension,
};
use sqlx::sqlite::{SqliteConnection, SqlitePool};

use crate::{backend, time};

pub(crate) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

fn opt_time(t: Option<Timestamp>) -> Option<String> {
    t.map(time::to_db)
}

pub(crate) fn read_time(t: Option<String>) -> Result<Option<Timestamp>, StoreError> {
    t.map(|s| time::from_db(&s)).transpose()
}

fn outcome_key(o: Outcome) -> String {
    serde_json::to_value(o)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

pub(crate) fn parse_outcome(s: &str) -> Result<Outcome, StoreError> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).map_err(corrupt)
}

/// The next case number of `year`, from the per-year counter.
pub async fn next_case_number(
    conn: &mut SqliteConnection,
    year: i16,
) -> Result<CaseNumber, sqlx::Error> {
    let (sequence,): (i64,) = sqlx::query_as(
        "insert into case_counters (year, last_sequence) values (?1, 1)
         on conflict (year) do update set last_sequence = case_counters.last_sequence + 1
         returning last_sequence",
    )
    .bind(i64::from(year))
    .fetch_one(&mut *conn)
    .await?;
    Ok(CaseNumber::new(year, sequence as u64))
}

/// Tells the change log's readers (the search indexer) that a case changed, in the step's
/// transaction.
async fn log_change(
    conn: &mut SqliteConnection,
    case_number: &str,
    op: &str,
    at: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("insert into change_log (entity, entity_key, op, at) values (?1, ?2, ?3, ?4)")
        .bind("case")
        .bind(case_number)
        .bind(op)
        .bind(time::to_db(at))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Appends one event to the chain and moves the head.
pub async fn append_event(
    conn: &mut SqliteConnection,
    case_number: &str,
    event: &NewEvent,
    at: Timestamp,
) -> Result<(), sqlx::Error> {
    let head: Option<(i64, String)> =
        sqlx::query_as("select seq, hash from audit_head where id = 1")
            .fetch_optional(&mut *conn)
            .await?;
    let (seq, prev) = head.map_or((1, GENESIS.to_string()), |(s, h)| (s + 1, h));
    let payload = event.payload.to_string();
    let hash = ChainLink {
        prev_hash: &prev,
        seq,
        case_number,
        actor: &event.actor,
        at,
        kind: &event.kind,
        payload: &payload,
        reason: event.reason.as_deref(),
    }
    .hash();
    sqlx::query(
        "insert into audit_events (seq, case_number, actor, at, kind, payload, reason, prev_hash, hash)
         values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .bind(seq)
    .bind(case_number)
    .bind(&event.actor)
    .bind(time::to_db(at))
    .bind(&event.kind)
    .bind(&payload)
    .bind(&event.reason)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "insert into audit_head (id, seq, hash) values (1, ?1, ?2)
         on conflict (id) do update set seq = excluded.seq, hash = excluded.hash",
    )
    .bind(seq)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A clock's report attributes: agency, channel, right type, fair, officer.
type Attributes = (
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

async fn write_clocks(
    conn: &mut SqliteConnection,
    case_number: &str,
    clocks: &[StoredClock],
) -> Result<(), sqlx::Error> {
    sqlx::query("delete from case_clocks where case_number = ?1")
        .bind(case_number)
        .execute(&mut *conn)
        .await?;
    // What the on-time report breaks clocks down by, copied from the case as it now stands.
    let attributes: Attributes = sqlx::query_as(
        "select c.agency, p.channel, p.right_type, p.fair, c.officer
           from cases c join complaints p on p.id = c.complaint_id
          where c.case_number = ?1",
    )
    .bind(case_number)
    .fetch_one(&mut *conn)
    .await?;
    let (agency, channel, right_type, fair, officer) = &attributes;
    for (position, c) in clocks.iter().enumerate() {
        sqlx::query(
            "insert into case_clocks
               (case_number, procedure_id, position, started_at, closed_at, due_at, status, inputs,
                agency, channel, right_type, fair, officer)
             values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )
        .bind(case_number)
        .bind(&c.procedure_id)
        .bind(position as i64)
        .bind(opt_time(c.started_at))
        .bind(opt_time(c.closed_at))
        .bind(opt_time(c.due_at))
        .bind(c.status.key())
        .bind(c.inputs_json())
        .bind(agency)
        .bind(channel)
        .bind(right_type)
        .bind(fair)
        .bind(officer)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Appends supplied evidence after the complaint's existing files.
async fn add_evidence(
    conn: &mut SqliteConnection,
    complaint_id: i64,
    files: &[EvidenceRef],
) -> Result<(), sqlx::Error> {
    if files.is_empty() {
        return Ok(());
    }
    let (next,): (i64,) = sqlx::query_as(
        "select coalesce(max(position) + 1, 0) from complaint_evidence where complaint_id = ?1",
    )
    .bind(complaint_id)
    .fetch_one(&mut *conn)
    .await?;
    for (i, e) in files.iter().enumerate() {
        sqlx::query(
            "insert into evidence_files (sha256, size, media_type, meta, phash)
             values (?1, ?2, ?3, ?4, ?5) on conflict (sha256) do nothing",
        )
        .bind(&e.sha256)
        .bind(e.size as i64)
        .bind(&e.media_type)
        .bind(e.meta.to_db())
        .bind(e.meta.phash)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "insert into complaint_evidence (complaint_id, position, sha256, filename, material)
             values (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(complaint_id)
        .bind(next + i as i64)
        .bind(&e.sha256)
        .bind(&e.filename)
        .bind(&e.material)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// One step on a case. Refusals (stale version, unknown case) are decided before any write.
pub async fn update(
    conn: &mut SqliteConnection,
    u: &CaseUpdate,
) -> Result<Result<UpdatedCase, StoreError>, sqlx::Error> {
    let number = u.case_number.as_str();
    let current: Option<(i64, i64)> =
        sqlx::query_as("select version, complaint_id from cases where case_number = ?1")
            .bind(number)
            .fetch_optional(&mut *conn)
            .await?;
    let complaint_id = match current {
        None => return Ok(Err(StoreError::NotFound)),
        Some((v, _)) if v != u.expected_version => return Ok(Err(StoreError::VersionConflict)),
        Some((_, id)) => id,
    };
    let (pending_changes, pending, asked_by) = u.pending_extension.to_db();
    sqlx::query(
        "update cases set state = ?1, agency = ?2, outcome = ?3, next_due_at = ?4, version = version + 1,
                supervised = ?5, closed_at = coalesce(closed_at, ?6),
                officer = coalesce(officer, ?8),
                materials_received_at = coalesce(?9, materials_received_at),
                pending_extension = case when ?10 then ?11 else pending_extension end,
                extension_requested_by = case when ?10 then ?12 else extension_requested_by end,
                transfer_proposed_by = coalesce(transfer_proposed_by, ?13)
         where case_number = ?7",
    )
    .bind(u.state.key())
    .bind(&u.agency)
    .bind(u.outcome.map(outcome_key))
    .bind(opt_time(next_due(&u.clocks)))
    .bind(u.supervised)
    .bind(opt_time(u.closed_at()))
    .bind(number)
    .bind(&u.officer)
    .bind(opt_time(u.materials_received_at))
    .bind(pending_changes)
    .bind(pending)
    .bind(asked_by)
    .bind(&u.transfer_proposed_by)
    .execute(&mut *conn)
    .await?;
    add_evidence(conn, complaint_id, &u.added_evidence).await?;
    write_clocks(conn, number, &u.clocks).await?;
    append_event(conn, number, &u.event, u.at).await?;
    let messages: Vec<_> = u.messages.iter().map(|m| (Some(number), m, u.at)).collect();
    crate::outbox::insert(conn, &messages).await?;
    log_change(conn, number, "updated", u.at).await?;

    let mut linked = Vec::with_capacity(u.linked.len());
    for l in &u.linked {
        let new_number = next_case_number(conn, kuaiwei_store::case_year(u.at)).await?;
        sqlx::query(
            "insert into cases (case_number, complaint_id, state, agency, parent_case, received_at,
                                materials_received_at, next_due_at, version)
             values (?1, ?2, 'routed', ?3, ?4, ?5, ?5, ?6, 1)",
        )
        .bind(new_number.as_str())
        .bind(complaint_id)
        .bind(&l.agency)
        .bind(number)
        .bind(time::to_db(u.at))
        .bind(opt_time(next_due(&l.clocks)))
        .execute(&mut *conn)
        .await?;
        write_clocks(conn, new_number.as_str(), &l.clocks).await?;
        let mut payload = serde_json::json!({"from_case": number, "agency": l.agency});
        if let Some(extra) = l.event_payload.as_object() {
            for (k, v) in extra {
                payload[k] = v.clone();
            }
        }
        let event = NewEvent {
            actor: u.event.actor.clone(),
            kind: l.event_kind.clone(),
            payload,
            reason: u.event.reason.clone(),
        };
        append_event(conn, new_number.as_str(), &event, u.at).await?;
        log_change(conn, new_number.as_str(), "created", u.at).await?;
        linked.push(new_number);
    }
    Ok(Ok(UpdatedCase {
        version: u.expected_version + 1,
        linked,
    }))
}

type CaseRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    i64,
    Option<String>,
    Option<i64>,
    bool,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The case columns `record` reads, then the rest of the statement.
macro_rules! select_cases {
    ($tail:literal) => {
        concat!(
            "select c.case_number, c.state, c.agency, c.outcome, c.parent_case, c.received_at,
                    c.version, c.closed_at, nullif(p.respondent_id, 0), c.supervised, c.officer,
                    c.materials_received_at, c.pending_extension, c.extension_requested_by,
                    c.transfer_proposed_by
               from cases c join complaints p on p.id = c.complaint_id ",
            $tail
        )
    };
}
type ClockRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
);

pub async fn case(pool: &SqlitePool, number: &str) -> Result<Option<CaseRecord>, StoreError> {
    let row: Option<CaseRow> = sqlx::query_as(select_cases!("where c.case_number = ?1"))
        .bind(number)
        .fetch_optional(pool)
        .await
        .map_err(backend)?;
    match row {
        Some(row) => Ok(Some(record(pool, row).await?)),
        None => Ok(None),
    }
}

/// The cases opened from `parent`, in case-number order.
pub async fn linked_cases(pool: &SqlitePool, parent: &str) -> Result<Vec<CaseRecord>, StoreError> {
    let rows: Vec<CaseRow> = sqlx::query_as(select_cases!(
        "where c.parent_case = ?1 order by c.case_number limit 100"
    ))
    .bind(parent)
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(record(pool, row).await?);
    }
    Ok(out)
}

/// Open cases in case-number order after `after`.
pub async fn open_cases(
    pool: &SqlitePool,
    after: Option<&str>,
    limit: u32,
) -> Result<Vec<CaseRecord>, StoreError> {
    let rows: Vec<CaseRow> = sqlx::query_as(select_cases!(
        "where c.state not in ('refused', 'transferred', 'closed')
           and c.case_number > ?1 order by c.case_number limit ?2"
    ))
    .bind(after.unwrap_or(""))
    .bind(i64::from(limit.clamp(1, 1000)))
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    records(pool, rows).await
}

/// Cases of any state with a started clock without a due date or due at or after `since`.
pub async fn cases_due_since(
    pool: &SqlitePool,
    since: Timestamp,
    after: Option<&str>,
    limit: u32,
) -> Result<Vec<CaseRecord>, StoreError> {
    let rows: Vec<CaseRow> = sqlx::query_as(select_cases!(
        "where c.case_number in (
                select case_number from case_clocks where due_at >= ?3
                union select case_number from case_clocks
                       where due_at is null and started_at is not null)
           and c.case_number > ?1 order by c.case_number limit ?2"
    ))
    .bind(after.unwrap_or(""))
    .bind(i64::from(limit.clamp(1, 1000)))
    .bind(crate::time::to_db(since))
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    records(pool, rows).await
}

/// A clock row with its case number first.
type CaseClockRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
);

/// One case with its clocks.
async fn record(pool: &SqlitePool, row: CaseRow) -> Result<CaseRecord, StoreError> {
    let number = &row.0;
    let clocks: Vec<ClockRow> = sqlx::query_as(
        "select procedure_id, started_at, closed_at, due_at, status, inputs
         from case_clocks where case_number = ?1 order by position",
    )
    .bind(number)
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    build(row, clocks)
}

/// Cases with their clocks, the clocks of all of them read in one statement (a list of a
/// thousand cases is two statements, not a thousand and one).
async fn records(pool: &SqlitePool, rows: Vec<CaseRow>) -> Result<Vec<CaseRecord>, StoreError> {
    let numbers: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let all: Vec<CaseClockRow> = sqlx::query_as(
        "select case_number, procedure_id, started_at, closed_at, due_at, status, inputs
         from case_clocks where case_number in (select value from json_each(?1))
         order by case_number, position",
    )
    .bind(serde_json::to_string(&numbers).map_err(corrupt)?)
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    let mut by_case: std::collections::HashMap<String, Vec<ClockRow>> =
        std::collections::HashMap::new();
    for (number, procedure_id, started, closed, due, status, inputs) in all {
        by_case.entry(number).or_default().push((
            procedure_id,
            started,
            closed,
            due,
            status,
            inputs,
        ));
    }
    rows.into_iter()
        .map(|row| {
            let clocks = by_case.remove(&row.0).unwrap_or_default();
            build(row, clocks)
        })
        .collect()
}

fn build(row: CaseRow, clocks: Vec<ClockRow>) -> Result<CaseRecord, StoreError> {
    let (
        number,
        state,
        agency,
        outcome,
        parent,
        received_at,
        version,
        closed,
        rid,
        supervised,
        officer,
        materials,
        pending,
        extension_requested_by,
        transfer_proposed_by,
    ) = row;
    let clocks = clocks
        .into_iter()
        .map(|(procedure_id, started, closed, due, status, inputs)| {
            StoredClock::from_stored(
                &number,
                procedure_id,
                read_time(started)?,
                read_time(closed)?,
                read_time(due)?,
                &status,
                &inputs,
            )
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(CaseRecord {
        case_number: CaseNumber::parse(&number).map_err(corrupt)?,
        state: CaseState::parse(&state).ok_or_else(|| corrupt(format!("state {state}")))?,
        agency,
        outcome: outcome.as_deref().map(parse_outcome).transpose()?,
        parent: parent
            .as_deref()
            .map(CaseNumber::parse)
            .transpose()
            .map_err(corrupt)?,
        received_at: time::from_db(&received_at)?,
        materials_received_at: match materials {
            Some(t) => time::from_db(&t)?,
            None => return Err(corrupt(format!("case {number}: no materials_received_at"))),
        },
        pending_extension: read_pending_extension(&number, pending.as_deref())?,
        extension_requested_by,
        transfer_proposed_by,
        closed_at: read_time(closed)?,
        respondent_id: rid,
        supervised,
        officer,
        version,
        clocks,
    })
}

/// case number, state, agency, received at, next due, supervised
type QueueRow = (
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    bool,
    Option<String>,
);

/// A queue by due date, earliest first, cases without a running clock last (by number). Only
/// the filters that are set enter the statement, so that the planner can use the indexes of
/// migrations 0002 and 0012 (a statement with `?1 is null or agency = ?1` scans every case);
/// and the dated and the undated cases are read apart, each in an order an index gives, so
/// that a page of a million-case queue reads about a page of rows.
pub async fn queue(
    pool: &SqlitePool,
    f: &QueueFilter,
    limit: u32,
    offset: u32,
) -> Result<Vec<QueueItem>, StoreError> {
    let limit = limit.clamp(1, 200);
    let mut items = queue_part(pool, f, true, limit, offset).await?;
    if items.len() as u32 == limit {
        return Ok(items);
    }
    // the page reaches past the dated cases: the undated ones follow them
    let dated = if items.is_empty() && offset > 0 {
        count_dated(pool, f).await?
    } else {
        offset + items.len() as u32
    };
    let rest = queue_part(
        pool,
        f,
        false,
        limit - items.len() as u32,
        offset.saturating_sub(dated),
    )
    .await?;
    items.extend(rest);
    Ok(items)
}

/// The filters of `f` (and whether the case has a due date) as a `where` clause.
fn queue_where(q: &mut sqlx::QueryBuilder<sqlx::Sqlite>, f: &QueueFilter, dated: bool) {
    q.push(if dated {
        " where next_due_at is not null"
    } else {
        " where next_due_at is null"
    });
    if let Some(a) = &f.agency {
        q.push(" and agency = ").push_bind(a.clone());
    }
    if let Some(o) = &f.officer {
        q.push(" and officer = ").push_bind(o.clone());
    }
    if let Some(s) = f.state {
        q.push(" and state = ").push_bind(s.key());
    }
    if let Some(t) = f.due_before {
        q.push(" and next_due_at < ").push_bind(time::to_db(t));
    }
    if let Some(s) = f.supervised {
        q.push(" and supervised = ").push_bind(s);
    }
    if let Some(p) = &f.running_clock {
        q.push(
            " and case_number in (select case_number from case_clocks \
               where procedure_id = ",
        )
        .push_bind(p.clone())
        .push(" and closed_at is null and started_at is not null)");
    }
}

async fn count_dated(pool: &SqlitePool, f: &QueueFilter) -> Result<u32, StoreError> {
    let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new("select count(*) from cases");
    queue_where(&mut q, f, true);
    let (n,): (i64,) = q.build_query_as().fetch_one(pool).await.map_err(backend)?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

async fn queue_part(
    pool: &SqlitePool,
    f: &QueueFilter,
    dated: bool,
    limit: u32,
    offset: u32,
) -> Result<Vec<QueueItem>, StoreError> {
    let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
        "select case_number, state, agency, received_at, next_due_at, supervised, officer \
           from cases",
    );
    queue_where(&mut q, f, dated);
    q.push(if dated {
        " order by next_due_at, case_number"
    } else {
        " order by case_number"
    });
    q.push(" limit ")
        .push_bind(i64::from(limit))
        .push(" offset ")
        .push_bind(i64::from(offset));
    let rows: Vec<QueueRow> = q.build_query_as().fetch_all(pool).await.map_err(backend)?;
    rows.into_iter()
        .map(
            |(number, state, agency, received, due, supervised, officer)| {
                Ok(QueueItem {
                    case_number: CaseNumber::parse(&number).map_err(corrupt)?,
                    state: CaseState::parse(&state)
                        .ok_or_else(|| corrupt(format!("state {state}")))?,
                    agency,
                    received_at: time::from_db(&received)?,
                    next_due_at: read_time(due)?,
                    supervised,
                    officer,
                })
            },
        )
        .collect()
}

type EventRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
);

fn event(row: EventRow) -> Result<AuditEvent, StoreError> {
    let (seq, case_number, actor, at, kind, payload, reason, prev_hash, hash) = row;
    Ok(AuditEvent {
        seq,
        case_number,
        actor,
        at: time::from_db(&at)?,
        kind,
        payload,
        reason,
        prev_hash,
        hash,
    })
}

pub async fn case_events(pool: &SqlitePool, number: &str) -> Result<Vec<AuditEvent>, StoreError> {
    let rows: Vec<EventRow> = sqlx::query_as(
        "select seq, case_number, actor, at, kind, payload, reason, prev_hash, hash
         from audit_events where case_number = ?1 order by seq",
    )
    .bind(number)
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    rows.into_iter().map(event).collect()
}

pub async fn audit_events(
    pool: &SqlitePool,
    after: i64,
    limit: u32,
) -> Result<Vec<AuditEvent>, StoreError> {
    let rows: Vec<EventRow> = sqlx::query_as(
        "select seq, case_number, actor, at, kind, payload, reason, prev_hash, hash
         from audit_events where seq > ?1 order by seq limit ?2",
    )
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    rows.into_iter().map(event).collect()
}

pub async fn audit_head(pool: &SqlitePool) -> Result<Option<(i64, String)>, StoreError> {
    sqlx::query_as("select seq, hash from audit_head where id = 1")
        .fetch_optional(pool)
        .await
        .map_err(backend)
}
