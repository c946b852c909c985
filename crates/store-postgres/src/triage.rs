//! Triage data on PostgreSQL: respondents recognised at intake by their aliases, the match keys of
//! each complaint, and the reads behind related cases, the respondent view and group
//! infringement.

use kuaiwei_domain::{CaseNumber, CaseState, Complaint, MatchKey, MatchKind};
use kuaiwei_store::{KeyedCase, RelatedCase, RespondentCase, RespondentRecord, StoreError, plan};
use sqlx::QueryBuilder;
use sqlx::postgres::{PgConnection, PgPool, Postgres};

use crate::backend;
use crate::cases::{Ts, corrupt, parse_outcome, read_time};

/// Records the match keys of newly stored complaints (each complaint's keys are distinct, and a
/// complaint is keyed once: in the transaction that gives it its respondent).
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

/// Gives every complaint still without its respondent (filed since the respondent pass last
/// ran, or stored before respondents existed) its respondent and keys, oldest first. Returns
/// how many were brought up to date.
pub async fn backfill(conn: &mut PgConnection) -> Result<u64, sqlx::Error> {
    let mut done = 0;
    loop {
        match resolve_pending(conn, 500).await? {
            0 => return Ok(done),
            n => done += n,
        }
    }
}

/// Whether any complaint waits for its respondent (an index probe).
pub async fn any_pending(pool: &PgPool) -> Result<bool, StoreError> {
    let (pending,): (bool,) =
        sqlx::query_as("select exists (select 1 from complaints where respondent_id is null)")
            .fetch_one(pool)
            .await
            .map_err(backend)?;
    Ok(pending)
}

/// Gives at most `limit` complaints without a respondent (`respondent_id` null: intake leaves
/// it to the respondent pass) their respondent, by the rules in filing order, and their match
/// keys, in the caller's write transaction. A complaint naming no one is given 0 ("resolved to
/// none") so that it is not read again. Returns how many.
pub async fn resolve_pending(conn: &mut PgConnection, limit: u32) -> Result<u64, sqlx::Error> {
    let rows: Vec<(i64, String, String, Ts)> = sqlx::query_as(
        "select id, case_number, body::text, received_at from complaints
          where respondent_id is null order by id limit $1",
    )
    .bind(i64::from(limit.max(1)))
    .fetch_all(&mut *conn)
    .await?;
    let Some(last) = rows.last() else {
        return Ok(0);
    };
    let at = last.3.to_jiff();
    let mut parsed = Vec::with_capacity(rows.len());
    let mut numbers = Vec::with_capacity(rows.len());
    for (id, number, body, _) in &rows {
        let c: Complaint =
            serde_json::from_str(body).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        numbers.push(CaseNumber::parse(number).map_err(|e| sqlx::Error::Decode(Box::new(e)))?);
        parsed.push((*id, c));
    }
    let keyed: Vec<plan::Keyed> = parsed.iter().map(|(_, c)| plan::Keyed::of(c)).collect();
    let identities: Vec<_> = keyed.iter().map(|k| k.identity.clone()).collect();
    let resolved = crate::respondents::resolve(conn, &identities, &numbers, at).await?;
    let ids: Vec<i64> = parsed.iter().map(|(id, _)| *id).collect();
    let respondents: Vec<i64> = resolved.iter().map(|r| r.unwrap_or(0)).collect();
    sqlx::query(
        "update complaints c set respondent_id = v.r
           from unnest($1::bigint[], $2::bigint[]) as v(id, r) where c.id = v.id",
    )
    .bind(&ids)
    .bind(&respondents)
    .execute(&mut *conn)
    .await?;
    let keyed: Vec<(i64, &plan::Keyed)> = parsed
        .iter()
        .zip(&keyed)
        .map(|((id, _), k)| (*id, k))
        .collect();
    insert_keys(conn, &keyed).await?;
    Ok(rows.len() as u64)
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
        "select p.id, p.body::text, nullif(p.respondent_id, 0) from cases c join complaints p on p.id = c.complaint_id
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
    // Every case of the same respondent; per kind of key at most `limit` cases, newest first,
    // so that a popular right number cannot push the booth, shop or respondent matches out.
    // Each key reads only its `limit` latest complaints, backwards along the key table's primary
    // key (complaint ids grow in filing order): a right shared by thousands of cases costs
    // `limit` rows, not thousands.
    let rows: Vec<RelatedRow> = sqlx::query_as(
        "select case_number, kind, value, state, received_at, agency from (
           select c.case_number, k.kind, k.value, c.state, c.received_at, c.agency,
                  row_number() over (partition by k.kind order by k.complaint_id desc, c.case_number desc) as n
             from unnest($1::text[], $2::text[]) as m(kind, value)
             cross join lateral (
               select x.complaint_id, x.kind, x.value from complaint_keys x
                where x.kind = m.kind and x.value = m.value and x.complaint_id <> $3
                order by x.complaint_id desc limit $5) k
             join cases c on c.complaint_id = k.complaint_id and c.parent_case is null) r
          where n <= $5
         union all
         select c.case_number, null, null, c.state, c.received_at, c.agency
           from complaints p join cases c on c.complaint_id = p.id and c.parent_case is null
          where p.respondent_id = $4 and p.id <> $3",
    )
    .bind(&kinds)
    .bind(&values)
    .bind(id)
    .bind(rid)
    .bind(i64::from(limit.clamp(1, 5000)))
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

/// How many original cases share each kind of key with this case's complaint (`None`: the same
/// respondent), uncapped.
pub async fn related_counts(
    pool: &PgPool,
    number: &str,
) -> Result<Vec<(Option<MatchKind>, u64)>, StoreError> {
    let me: Option<(i64, String, Option<i64>)> = sqlx::query_as(
        "select p.id, p.body::text, nullif(p.respondent_id, 0) from cases c join complaints p on p.id = c.complaint_id
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
    let rows: Vec<(Option<String>, i64)> = sqlx::query_as(
        "select k.kind, count(distinct k.complaint_id)
           from unnest($1::text[], $2::text[]) as m(kind, value)
           join complaint_keys k on k.kind = m.kind and k.value = m.value
          where k.complaint_id <> $3
          group by k.kind
         union all
         select null, count(*) from complaints p join cases c on c.complaint_id = p.id and c.parent_case is null
          where p.respondent_id = $4 and p.id <> $3",
    )
    .bind(&kinds)
    .bind(&values)
    .bind(id)
    .bind(rid)
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    rows.into_iter()
        .map(|(kind, n)| {
            let kind = kind
                .as_deref()
                .map(|k| MatchKind::parse(k).ok_or_else(|| corrupt(format!("key kind {k}"))))
                .transpose()?;
            Ok((kind, n as u64))
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
    let row: Option<(String, Ts, Option<i64>)> = sqlx::query_as(
        "select display_name, created_at, merged_into from respondents where id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
    .map_err(backend)?;
    let Some((display_name, created, merged_into)) = row else {
        return Ok(None);
    };
    let (joins, proposals) = crate::corrections::history(pool, id).await?;
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
        merged_into,
        joins,
        proposals,
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
        "select c.case_number, nullif(p.respondent_id, 0), coalesce(r.display_name, ''), c.agency
           from (",
    );
    // the latest `limit` complaints holding every key, found through the key table (not by
    // testing each complaint: a million of them), and only those joined to their cases
    push_intersect(&mut q, keys);
    q.push(" order by complaint_id desc limit ")
        .push_bind(i64::from(limit.clamp(1, 5000)))
        .push(
            ") k join complaints p on p.id = k.complaint_id
             join cases c on c.complaint_id = p.id and c.parent_case is null
             left join respondents r on r.id = p.respondent_id
            order by p.id desc",
        );
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

/// How many complaints carry every one of `keys`, and from how many distinct respondents
/// (counted in the database: a popular right at a big fair holds thousands).
pub async fn key_group_size(pool: &PgPool, keys: &[MatchKey]) -> Result<(u64, u64), StoreError> {
    if keys.is_empty() {
        return Ok((0, 0));
    }
    let mut q = QueryBuilder::<Postgres>::new(
        "select count(*), count(distinct nullif(p.respondent_id, 0)) from complaints p where p.id in (",
    );
    push_intersect(&mut q, keys);
    q.push(")");
    let (cases, respondents): (i64, i64) =
        q.build_query_as().fetch_one(pool).await.map_err(backend)?;
    Ok((cases as u64, respondents as u64))
}

/// The ids of the complaints holding every one of `keys`, through the key table.
fn push_intersect(q: &mut QueryBuilder<Postgres>, keys: &[MatchKey]) {
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            q.push(" intersect ");
        }
        q.push("select complaint_id from complaint_keys where kind = ")
            .push_bind(k.kind.key())
            .push(" and value = ")
            .push_bind(k.value.clone());
    }
}
