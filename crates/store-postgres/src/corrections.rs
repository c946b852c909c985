//! A caseworker's corrections of respondent entities on PostgreSQL (join, split, undo a join,
//! decide a proposal), each with its audit event in the writer's transaction; and the reads of
//! joins and proposals.

use jiff::Timestamp;
use jiff_sqlx::ToSqlx;
use kuaiwei_domain::Complaint;
use kuaiwei_store::respondents::aliases_of_complaints;
use kuaiwei_store::{
    Corrected, Correction, NewEvent, RespondentCorrection, RespondentJoin, RespondentProposal,
    StoreError,
};
use sqlx::postgres::{PgConnection, PgPool};

use crate::backend;
use crate::cases::{Ts, append_event, corrupt, read_time};
use crate::respondents::{merge, record_merge};

/// Applies a correction; the outer error aborts the transaction, the inner one refuses the
/// correction (nothing written).
pub async fn correct(
    conn: &mut PgConnection,
    c: &RespondentCorrection,
) -> Result<Result<Corrected, StoreError>, sqlx::Error> {
    let (done, payload) = match &c.correction {
        Correction::Join { survivor, absorbed } => {
            match join(conn, *survivor, *absorbed, c).await? {
                Ok(moved) => (
                    vec![*survivor],
                    serde_json::json!({"survivor": survivor, "absorbed": absorbed, "moved": moved}),
                ),
                Err(e) => return Ok(Err(e)),
            }
        }
        Correction::Split { from, cases } => match split(conn, *from, cases, c.at).await? {
            Ok(new) => (
                vec![*from, new],
                serde_json::json!({"from": from, "new": new, "cases": cases}),
            ),
            Err(e) => return Ok(Err(e)),
        },
        Correction::UndoJoin { join } => match undo(conn, *join, c.at).await? {
            Ok((survivor, absorbed, moved)) => (
                vec![absorbed, survivor],
                serde_json::json!({"join": join, "survivor": survivor, "absorbed": absorbed, "moved": moved}),
            ),
            Err(e) => return Ok(Err(e)),
        },
        Correction::Decide { proposal, accept } => {
            match decide(conn, *proposal, *accept, c).await? {
                Ok(ids) => (
                    ids.clone(),
                    serde_json::json!({"proposal": proposal, "accept": accept, "respondents": ids}),
                ),
                Err(e) => return Ok(Err(e)),
            }
        }
    };
    let event = NewEvent {
        actor: c.actor.clone(),
        kind: c.correction.kind().to_string(),
        payload,
        reason: Some(c.reason.clone()),
    };
    append_event(conn, &format!("respondent:{}", done[0]), &event, c.at).await?;
    Ok(Ok(Corrected { respondents: done }))
}

/// Whether the entity exists and was not joined into another.
async fn live(conn: &mut PgConnection, id: i64) -> Result<bool, sqlx::Error> {
    let row: Option<(Option<i64>,)> =
        sqlx::query_as("select merged_into from respondents where id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(matches!(row, Some((None,))))
}

async fn join(
    conn: &mut PgConnection,
    survivor: i64,
    absorbed: i64,
    c: &RespondentCorrection,
) -> Result<Result<Vec<String>, StoreError>, sqlx::Error> {
    if survivor == absorbed {
        return Ok(Err(StoreError::Conflict(
            "respondent joined to itself".into(),
        )));
    }
    if !live(conn, survivor).await? || !live(conn, absorbed).await? {
        return Ok(Err(StoreError::NotFound));
    }
    let moved = merge(conn, survivor, absorbed).await?;
    record_merge(
        conn,
        survivor,
        absorbed,
        None,
        &["caseworker".to_string()],
        &moved,
        &c.actor,
        Some(&c.reason),
        c.at,
    )
    .await?;
    sqlx::query("delete from respondent_apart where (a = $1 and b = $2) or (a = $2 and b = $1)")
        .bind(survivor)
        .bind(absorbed)
        .execute(&mut *conn)
        .await?;
    Ok(Ok(moved))
}

async fn keep_apart(conn: &mut PgConnection, a: i64, b: i64) -> Result<(), sqlx::Error> {
    sqlx::query("insert into respondent_apart (a, b) values ($1, $2) on conflict do nothing")
        .bind(a.min(b))
        .bind(a.max(b))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Gives the entity exactly the aliases of the complaints now on it.
async fn realias(conn: &mut PgConnection, id: i64) -> Result<(), sqlx::Error> {
    let bodies: Vec<(String,)> =
        sqlx::query_as("select body::text from complaints where respondent_id = $1")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    let complaints = bodies
        .iter()
        .map(|(b,)| serde_json::from_str::<Complaint>(b))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    sqlx::query("delete from respondent_aliases where respondent_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for alias in aliases_of_complaints(&complaints) {
        sqlx::query("insert into respondent_aliases (alias, respondent_id) values ($1, $2)")
            .bind(alias)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn split(
    conn: &mut PgConnection,
    from: i64,
    cases: &[String],
    at: Timestamp,
) -> Result<Result<i64, StoreError>, sqlx::Error> {
    if !live(conn, from).await? {
        return Ok(Err(StoreError::NotFound));
    }
    let mut ids = Vec::with_capacity(cases.len());
    for n in cases {
        let row: Option<(i64, Option<i64>)> = sqlx::query_as(
            "select p.id, p.respondent_id from cases c join complaints p on p.id = c.complaint_id
              where c.case_number = $1",
        )
        .bind(n)
        .fetch_optional(&mut *conn)
        .await?;
        match row {
            Some((id, Some(r))) if r == from => ids.push(id),
            _ => return Ok(Err(StoreError::NotFound)),
        }
    }
    ids.sort_unstable();
    ids.dedup();
    let (total,): (i64,) =
        sqlx::query_as("select count(*) from complaints where respondent_id = $1")
            .bind(from)
            .fetch_one(&mut *conn)
            .await?;
    if ids.is_empty() || ids.len() as i64 >= total {
        return Ok(Err(StoreError::Conflict(
            "a split leaves cases on both sides".into(),
        )));
    }
    let (name,): (String,) = sqlx::query_as("select display_name from respondents where id = $1")
        .bind(from)
        .fetch_one(&mut *conn)
        .await?;
    let (new,): (i64,) = sqlx::query_as(
        "insert into respondents (id, display_name, created_at)
         select coalesce(max(id), 0) + 1, $1, $2 from respondents returning id",
    )
    .bind(&name)
    .bind(at.to_sqlx())
    .fetch_one(&mut *conn)
    .await?;
    for id in &ids {
        sqlx::query("update complaints set respondent_id = $1 where id = $2")
            .bind(new)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    realias(conn, from).await?;
    realias(conn, new).await?;
    keep_apart(conn, from, new).await?;
    Ok(Ok(new))
}

async fn undo(
    conn: &mut PgConnection,
    join: i64,
    at: Timestamp,
) -> Result<Result<(i64, i64, Vec<String>), StoreError>, sqlx::Error> {
    let row: Option<(i64, i64, String, Option<Ts>)> = sqlx::query_as(
        "select survivor, absorbed, moved, undone_at from respondent_merges where id = $1",
    )
    .bind(join)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((survivor, absorbed, moved, undone)) = row else {
        return Ok(Err(StoreError::NotFound));
    };
    if undone.is_some() {
        return Ok(Err(StoreError::Conflict("join undone before".into())));
    }
    // the survivor may have been joined into another since: its cases are there now
    let (now,): (i64,) =
        sqlx::query_as("select coalesce(merged_into, id) from respondents where id = $1")
            .bind(survivor)
            .fetch_one(&mut *conn)
            .await?;
    let moved: Vec<String> =
        serde_json::from_str(&moved).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    let mut back = Vec::new();
    for n in &moved {
        let done = sqlx::query(
            "update complaints set respondent_id = $1 where case_number = $2 and respondent_id = $3",
        )
        .bind(absorbed)
        .bind(n)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() > 0 {
            back.push(n.clone());
        }
    }
    sqlx::query("update respondents set merged_into = null where id = $1")
        .bind(absorbed)
        .execute(&mut *conn)
        .await?;
    sqlx::query("update respondent_merges set undone_at = $1 where id = $2")
        .bind(at.to_sqlx())
        .bind(join)
        .execute(&mut *conn)
        .await?;
    realias(conn, now).await?;
    realias(conn, absorbed).await?;
    keep_apart(conn, now, absorbed).await?;
    Ok(Ok((now, absorbed, back)))
}

async fn decide(
    conn: &mut PgConnection,
    proposal: i64,
    accept: bool,
    c: &RespondentCorrection,
) -> Result<Result<Vec<i64>, StoreError>, sqlx::Error> {
    let row: Option<(i64, i64, Option<String>)> = sqlx::query_as(
        "select coalesce(ra.merged_into, p.respondent_a), coalesce(rb.merged_into, p.respondent_b), p.decision
           from respondent_proposals p
           join respondents ra on ra.id = p.respondent_a
           join respondents rb on rb.id = p.respondent_b
          where p.id = $1",
    )
    .bind(proposal)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((a, b, decision)) = row else {
        return Ok(Err(StoreError::NotFound));
    };
    if decision.is_some() || a == b {
        return Ok(Err(StoreError::Conflict("proposal decided before".into())));
    }
    let (survivor, other) = (a.min(b), a.max(b));
    if accept {
        if let Err(e) = join(conn, survivor, other, c).await? {
            return Ok(Err(e));
        }
    } else {
        keep_apart(conn, a, b).await?;
    }
    sqlx::query(
        "update respondent_proposals set decision = $1, decided_by = $2, decided_at = $3, reason = $4
          where id = $5",
    )
    .bind(if accept { "accepted" } else { "rejected" })
    .bind(&c.actor)
    .bind(c.at.to_sqlx())
    .bind(&c.reason)
    .bind(proposal)
    .execute(&mut *conn)
    .await?;
    Ok(Ok(if accept { vec![survivor] } else { vec![a, b] }))
}

type ProposalRow = (i64, String, i64, i64, Option<String>, String, Ts);

fn proposal(row: ProposalRow) -> Result<RespondentProposal, StoreError> {
    let (id, kind, a, b, case_number, detail, created) = row;
    Ok(RespondentProposal {
        id,
        kind,
        a,
        b,
        case_number,
        detail,
        created_at: created.to_jiff(),
    })
}

/// Open proposals with the entities as they stand now; a macro so that statements can extend it
/// with `concat!` (sqlx takes only static statement text).
macro_rules! open_proposals {
    () => {
        "select * from (
    select p.id, p.kind, coalesce(ra.merged_into, p.respondent_a) as a,
           coalesce(rb.merged_into, p.respondent_b) as b, p.case_number, p.detail, p.created_at
      from respondent_proposals p
      join respondents ra on ra.id = p.respondent_a
      join respondents rb on rb.id = p.respondent_b
     where p.decision is null) r where a <> b"
    };
}

/// Open proposals, oldest first, at most `limit`.
pub async fn proposals(pool: &PgPool, limit: u32) -> Result<Vec<RespondentProposal>, StoreError> {
    let rows: Vec<ProposalRow> =
        sqlx::query_as(concat!(open_proposals!(), " order by id limit $1"))
            .bind(i64::from(limit.clamp(1, 1000)))
            .fetch_all(pool)
            .await
            .map_err(backend)?;
    rows.into_iter().map(proposal).collect()
}

/// Open proposals naming `id`, and the joins into or out of it, oldest first.
pub async fn history(
    pool: &PgPool,
    id: i64,
) -> Result<(Vec<RespondentJoin>, Vec<RespondentProposal>), StoreError> {
    let rows: Vec<ProposalRow> = sqlx::query_as(concat!(
        open_proposals!(),
        " and (a = $1 or b = $1) order by id"
    ))
    .bind(id)
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    let proposals = rows
        .into_iter()
        .map(proposal)
        .collect::<Result<Vec<_>, _>>()?;
    type JoinRow = (
        i64,
        i64,
        i64,
        Option<String>,
        String,
        String,
        String,
        Option<String>,
        Ts,
        Option<Ts>,
    );
    let rows: Vec<JoinRow> = sqlx::query_as(
        "select id, survivor, absorbed, case_number, via, moved, actor, reason, at, undone_at
           from respondent_merges where survivor = $1 or absorbed = $1 order by id",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    let joins = rows
        .into_iter()
        .map(
            |(id, survivor, absorbed, case_number, via, moved, actor, reason, at, undone)| {
                Ok(RespondentJoin {
                    id,
                    survivor,
                    absorbed,
                    case_number,
                    via: serde_json::from_str(&via).map_err(corrupt)?,
                    moved: serde_json::from_str(&moved).map_err(corrupt)?,
                    actor,
                    reason,
                    at: at.to_jiff(),
                    undone_at: read_time(undone)?,
                })
            },
        )
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok((joins, proposals))
}
