//! Triage data on PostgreSQL: respondents recognised at intake by their aliases, the match keys of
//! each complaint, and the reads behind related cases, the respondent view and group
//! infringement.

use std::collections::HashMap;

use jiff::Timestamp;
use kuaiwei_domain::{CaseNumber, CaseState, Complaint, MatchKey, MatchKind};
use kuaiwei_store::{KeyedCase, RelatedCase, RespondentCase, RespondentRecord, StoreError, plan};
use sqlx::QueryBuilder;
use sqlx::postgres::{PgConnection, PgPool, Postgres};

use jiff_sqlx::ToSqlx;

use crate::backend;
use crate::cases::{Ts, corrupt, parse_outcome, read_time};

/// Finds or creates the respondent of each complaint (in order), recording new aliases.
pub async fn resolve(
    conn: &mut PgConnection,
    complaints: &[plan::Keyed<'_>],
    at: Timestamp,
) -> Result<Vec<Option<i64>>, sqlx::Error> {
    let aliases = plan::all_aliases(complaints);
    // One statement text whatever the run's size (an array, not a bind per row), planned at
    // every use: a generic plan cached while the table was small keeps a sequential scan as the
    // table grows (measured: intake fell to 769/s at 20,000 complaints).
    let known: HashMap<String, i64> =
        sqlx::query_as("select alias, respondent_id from respondent_aliases where alias = any($1)")
            .persistent(false)
            .bind(&aliases)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
    let (max,): (Option<i64>,) = sqlx::query_as("select max(id) from respondents")
        .fetch_one(&mut *conn)
        .await?;
    let p = plan::resolve_respondents(complaints, &known, max.unwrap_or(0) + 1);
    if !p.created.is_empty() {
        let ids: Vec<i64> = p.created.iter().map(|(id, _)| *id).collect();
        let names: Vec<&str> = p.created.iter().map(|(_, n)| n.as_str()).collect();
        sqlx::query(
            "insert into respondents (id, display_name, created_at)
             select id, name, $3 from unnest($1::bigint[], $2::text[]) as t(id, name)",
        )
        .bind(&ids)
        .bind(&names)
        .bind(at.to_sqlx())
        .execute(&mut *conn)
        .await?;
    }
    if !p.aliases.is_empty() {
        let aliases: Vec<&str> = p.aliases.iter().map(|(a, _)| a.as_str()).collect();
        let ids: Vec<i64> = p.aliases.iter().map(|(_, id)| *id).collect();
        sqlx::query(
            "insert into respondent_aliases (alias, respondent_id)
             select * from unnest($1::text[], $2::bigint[])",
        )
        .bind(&aliases)
        .bind(&ids)
        .execute(&mut *conn)
        .await?;
    }
    Ok(p.ids)
}

/// Records the match keys of newly stored complaints (each complaint's keys are distinct, and a
/// complaint is keyed once: at intake, or by the backfill in the transaction that gives it its
/// respondent).
pub async fn insert_keys(
    conn: &mut PgConnection,
    complaints: &[(i64, &plan::Keyed<'_>)],
) -> Result<(), sqlx::Error> {
    let mut ids: Vec<i64> = Vec::new();
    let mut kinds: Vec<&str> = Vec::new();
    let mut values: Vec<&str> = Vec::new();
    for (id, c) in complaints {
        for k in &c.keys {
            ids.push(*id);
            kinds.push(k.kind.key());
            values.push(&k.value);
        }
    }
    if !ids.is_empty() {
        sqlx::query(
            "insert into complaint_keys (complaint_id, kind, value)
             select * from unnest($1::bigint[], $2::text[], $3::text[])",
        )
        .bind(&ids)
        .bind(&kinds)
        .bind(&values)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Gives complaints stored before respondents and keys existed their respondent and keys, in
/// runs of 500, oldest first. Returns how many were brought up to date.
pub async fn backfill(conn: &mut PgConnection) -> Result<u64, sqlx::Error> {
    let (mut done, mut after) = (0, 0i64);
    loop {
        let rows: Vec<(i64, String, Ts)> = sqlx::query_as(
            "select id, body::text, received_at from complaints where id > $1 and respondent_id is null
             order by id limit 500",
        )
        .bind(after)
        .fetch_all(&mut *conn)
        .await?;
        if rows.is_empty() {
            return Ok(done);
        }
        let mut parsed = Vec::with_capacity(rows.len());
        for (id, body, received) in &rows {
            let c: Complaint =
                serde_json::from_str(body).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
            let at = received.to_jiff();
            parsed.push((*id, c, at));
        }
        let keyed: Vec<plan::Keyed> = parsed.iter().map(|(_, c, _)| plan::Keyed::of(c)).collect();
        let at = parsed.last().map_or(Timestamp::now(), |(_, _, at)| *at);
        let ids = resolve(conn, &keyed, at).await?;
        for ((id, _, _), r) in parsed.iter().zip(&ids) {
            sqlx::query("update complaints set respondent_id = $1 where id = $2")
                .bind(r)
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
        let pairs: Vec<(i64, &plan::Keyed)> = parsed
            .iter()
            .zip(&keyed)
            .map(|((id, _, _), k)| (*id, k))
            .collect();
        insert_keys(conn, &pairs).await?;
        done += rows.len() as u64;
        after = parsed.last().map_or(after, |(id, _, _)| *id);
    }
}

type RelatedRow = (
    String,
    Option<String>,
    Option<String>,
    String,
    Ts,
    Option<String>,
);

pub async fn related_cases(
    pool: &PgPool,
    number: &str,
    limit: u32,
) -> Result<Vec<RelatedCase>, StoreError> {
    // The complaint behind the case (a linked case shares its parent's): its keys are computed
    // from its body rather than read back, so the key table needs no index by complaint.
    let me: Option<(i64, String, Option<i64>)> = sqlx::query_as(
        "select p.id, p.body::text, p.respondent_id from cases c join complaints p on p.id = c.complaint_id
          where c.case_number = $1",
    )
    .bind(number)
    .fetch_optional(pool)
    .await
    .map_err(backend)?;
    let Some((id, body, rid)) = me else {
        return Ok(Vec::new());
    };
    let complaint: Complaint = serde_json::from_str(&body).map_err(corrupt)?;
    let keys: Vec<MatchKey> = complaint
        .match_keys()
        .into_iter()
        .filter(|k| k.kind.relates())
        .collect();
    let kinds: Vec<&str> = keys.iter().map(|k| k.kind.key()).collect();
    let values: Vec<&str> = keys.iter().map(|k| k.value.as_str()).collect();
    let rows: Vec<RelatedRow> = sqlx::query_as(
        "select * from (
           select c.case_number, k.kind, k.value, c.state, c.received_at, c.agency
             from unnest($1::text[], $2::text[]) as m(kind, value)
             join complaint_keys k on k.kind = m.kind and k.value = m.value
             join cases c on c.complaint_id = k.complaint_id and c.parent_case is null
            where k.complaint_id <> $3
           union all
           select c.case_number, null, null, c.state, c.received_at, c.agency
             from complaints p join cases c on c.complaint_id = p.id and c.parent_case is null
            where p.respondent_id = $4 and p.id <> $3) r
          order by received_at desc, case_number desc, kind is null, kind, value
          limit $5",
    )
    .bind(&kinds)
    .bind(&values)
    .bind(id)
    .bind(rid)
    .bind(i64::from(limit.clamp(1, 1000)))
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    rows.into_iter()
        .map(|(n, kind, value, state, received, agency)| {
            Ok(RelatedCase {
                case_number: CaseNumber::parse(&n).map_err(corrupt)?,
                kind: kind
                    .as_deref()
                    .map(|k| MatchKind::parse(k).ok_or_else(|| corrupt(format!("key kind {k}"))))
                    .transpose()?,
                value,
                agency,
                state: CaseState::parse(&state).ok_or_else(|| corrupt(format!("state {state}")))?,
                received_at: received.to_jiff(),
            })
        })
        .collect()
}

type RespondentCaseRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Ts,
    Option<Ts>,
    Option<String>,
);

pub async fn respondent(pool: &PgPool, id: i64) -> Result<Option<RespondentRecord>, StoreError> {
    let row: Option<(String, Ts)> =
        sqlx::query_as("select display_name, created_at from respondents where id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await
            .map_err(backend)?;
    let Some((display_name, created)) = row else {
        return Ok(None);
    };
    let aliases: Vec<(String,)> = sqlx::query_as(
        "select alias from respondent_aliases where respondent_id = $1 order by alias",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    let rows: Vec<RespondentCaseRow> = sqlx::query_as(
        "select c.case_number, c.state, c.agency, c.outcome, c.received_at, c.closed_at, c.parent_case
           from complaints p join cases c on c.complaint_id = p.id
          where p.respondent_id = $1
          order by c.received_at, c.case_number",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    let cases = rows
        .into_iter()
        .map(|(n, state, agency, outcome, received, closed, parent)| {
            Ok(RespondentCase {
                case_number: CaseNumber::parse(&n).map_err(corrupt)?,
                state: CaseState::parse(&state).ok_or_else(|| corrupt(format!("state {state}")))?,
                agency,
                outcome: outcome.as_deref().map(parse_outcome).transpose()?,
                received_at: received.to_jiff(),
                closed_at: read_time(closed)?,
                parent: parent
                    .as_deref()
                    .map(CaseNumber::parse)
                    .transpose()
                    .map_err(corrupt)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Some(RespondentRecord {
        id,
        display_name,
        created_at: created.to_jiff(),
        aliases: aliases.into_iter().map(|(a,)| a).collect(),
        cases,
    }))
}

pub async fn cases_with_keys(
    pool: &PgPool,
    keys: &[MatchKey],
    limit: u32,
) -> Result<Vec<KeyedCase>, StoreError> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = QueryBuilder::<Postgres>::new(
        "select c.case_number, p.respondent_id, coalesce(r.display_name, ''), c.agency
           from complaints p join cases c on c.complaint_id = p.id and c.parent_case is null
           left join respondents r on r.id = p.respondent_id
          where ",
    );
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            q.push(" and ");
        }
        q.push("exists (select 1 from complaint_keys k where k.complaint_id = p.id and k.kind = ")
            .push_bind(k.kind.key())
            .push(" and k.value = ")
            .push_bind(k.value.clone())
            .push(")");
    }
    q.push(" order by p.id desc limit ")
        .push_bind(i64::from(limit.clamp(1, 5000)));
    let rows: Vec<(String, Option<i64>, String, Option<String>)> =
        q.build_query_as().fetch_all(pool).await.map_err(backend)?;
    rows.into_iter()
        .map(|(n, rid, name, agency)| {
            Ok(KeyedCase {
                case_number: CaseNumber::parse(&n).map_err(corrupt)?,
                respondent_id: rid,
                respondent_name: name,
                agency,
            })
        })
        .collect()
}
