//! Respondent entities on PostgreSQL: loading what the rules of `kuaiwei_store::respondents`
//! need, and writing what they decide (new entities, joins, aliases, proposals), in the
//! complaint's transaction. Arrays, not a bind per row: one statement text whatever the run.

use jiff::Timestamp;
use jiff_sqlx::ToSqlx;
use kuaiwei_domain::CaseNumber;
use kuaiwei_store::respondents::{self, Identity, RunPlan, World};
use sqlx::postgres::PgConnection;

/// Finds, creates or joins the respondent of each complaint (in order); `numbers` are their
/// case numbers (recorded with the joins and proposals they cause).
pub async fn resolve(
    conn: &mut PgConnection,
    identities: &[Identity],
    numbers: &[CaseNumber],
    at: Timestamp,
) -> Result<Vec<Option<i64>>, sqlx::Error> {
    let mut world = load_world(conn, &respondents::lookups(identities), identities.len()).await?;
    let plan = respondents::resolve_run(identities, &mut world);
    apply(conn, &plan, numbers, "system", None, at).await?;
    Ok(plan.ids)
}

/// The entities reached by `lookups`, with every alias of each, the pairs kept apart, and the
/// next free id.
pub async fn load_world(
    conn: &mut PgConnection,
    lookups: &[String],
    complaints: usize,
) -> Result<World, sqlx::Error> {
    // planned at every use: a generic plan cached while the table was small keeps a sequential
    // scan as it grows (BENCHMARKS.md)
    // every holder of a link alias; the first few of a typo alias (entities_to_load)
    let hits: Vec<(String, i64)> = sqlx::query_as(
        "select alias, respondent_id from (
             select alias, respondent_id,
                    row_number() over (partition by alias order by respondent_id) as n
               from respondent_aliases where alias = any($1)) h
          where n <= $2 or alias not like 'typo:%'",
    )
    .persistent(false)
    .bind(lookups)
    .bind(respondents::TYPO_HOLDERS_PER_ALIAS)
    .fetch_all(&mut *conn)
    .await?;
    // a few typo candidates per complaint, not every one (respondents::entities_to_load)
    let reached = respondents::entities_to_load(&hits, complaints);
    let aliases: Vec<(String, i64)> = sqlx::query_as(
        "select alias, respondent_id from respondent_aliases where respondent_id = any($1)",
    )
    .persistent(false)
    .bind(&reached)
    .fetch_all(&mut *conn)
    .await?;
    let apart: Vec<(i64, i64)> = sqlx::query_as(
        "select coalesce(ra.merged_into, p.a), coalesce(rb.merged_into, p.b)
           from respondent_apart p
           left join respondents ra on ra.id = p.a
           left join respondents rb on rb.id = p.b",
    )
    .fetch_all(&mut *conn)
    .await?;
    let (max,): (Option<i64>,) = sqlx::query_as("select max(id) from respondents")
        .fetch_one(&mut *conn)
        .await?;
    Ok(World::new(aliases, apart, max.unwrap_or(0) + 1))
}

/// Writes a plan: entities created, joins (complaints and aliases moved, the absorbed entity
/// pointing at the survivor, the join recorded with what moved), aliases, proposals.
pub async fn apply(
    conn: &mut PgConnection,
    plan: &RunPlan,
    numbers: &[CaseNumber],
    actor: &str,
    reason: Option<&str>,
    at: Timestamp,
) -> Result<(), sqlx::Error> {
    if !plan.created.is_empty() {
        let ids: Vec<i64> = plan.created.iter().map(|(id, _)| *id).collect();
        let names: Vec<&str> = plan.created.iter().map(|(_, n)| n.as_str()).collect();
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
    for m in &plan.merges {
        let mut moved = merge(conn, m.survivor, m.absorbed).await?;
        moved.extend(m.moved_in_run.iter().map(|i| numbers[*i].to_string()));
        record_merge(
            conn,
            m.survivor,
            m.absorbed,
            numbers.get(m.complaint).map(|n| n.as_str()),
            &m.via,
            &moved,
            actor,
            reason,
            at,
        )
        .await?;
    }
    if !plan.aliases.is_empty() {
        let aliases: Vec<&str> = plan.aliases.iter().map(|(a, _)| a.as_str()).collect();
        let ids: Vec<i64> = plan.aliases.iter().map(|(_, id)| *id).collect();
        sqlx::query(
            "insert into respondent_aliases (alias, respondent_id)
             select * from unnest($1::text[], $2::bigint[]) on conflict do nothing",
        )
        .bind(&aliases)
        .bind(&ids)
        .execute(&mut *conn)
        .await?;
    }
    // one statement for the run's proposals, not one a proposal (BENCHMARKS.md)
    if !plan.proposals.is_empty() {
        let kinds: Vec<&str> = plan.proposals.iter().map(|p| p.kind.key()).collect();
        let a: Vec<i64> = plan.proposals.iter().map(|p| p.a.min(p.b)).collect();
        let b: Vec<i64> = plan.proposals.iter().map(|p| p.a.max(p.b)).collect();
        let cases: Vec<Option<String>> = plan
            .proposals
            .iter()
            .map(|p| numbers.get(p.complaint).map(|n| n.to_string()))
            .collect();
        let details: Vec<&str> = plan.proposals.iter().map(|p| p.detail.as_str()).collect();
        sqlx::query(
            "insert into respondent_proposals
                 (kind, respondent_a, respondent_b, case_number, detail, created_at)
             select kind, a, b, case_number, detail, $6
               from unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[])
                    as t(kind, a, b, case_number, detail)
             on conflict do nothing",
        )
        .bind(&kinds)
        .bind(&a)
        .bind(&b)
        .bind(&cases)
        .bind(&details)
        .bind(at.to_sqlx())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Moves everything of `absorbed` to `survivor`; returns the case numbers that moved.
pub async fn merge(
    conn: &mut PgConnection,
    survivor: i64,
    absorbed: i64,
) -> Result<Vec<String>, sqlx::Error> {
    let moved: Vec<(String,)> = sqlx::query_as(
        "update complaints set respondent_id = $1 where respondent_id = $2 returning case_number",
    )
    .bind(survivor)
    .bind(absorbed)
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query(
        "delete from respondent_aliases where respondent_id = $2
            and alias in (select alias from respondent_aliases where respondent_id = $1)",
    )
    .bind(survivor)
    .bind(absorbed)
    .execute(&mut *conn)
    .await?;
    sqlx::query("update respondent_aliases set respondent_id = $1 where respondent_id = $2")
        .bind(survivor)
        .bind(absorbed)
        .execute(&mut *conn)
        .await?;
    sqlx::query("update respondents set merged_into = $1 where id = $2 or merged_into = $2")
        .bind(survivor)
        .bind(absorbed)
        .execute(&mut *conn)
        .await?;
    let mut moved: Vec<String> = moved.into_iter().map(|(n,)| n).collect();
    moved.sort();
    Ok(moved)
}

#[allow(clippy::too_many_arguments)]
pub async fn record_merge(
    conn: &mut PgConnection,
    survivor: i64,
    absorbed: i64,
    case_number: Option<&str>,
    via: &[String],
    moved: &[String],
    actor: &str,
    reason: Option<&str>,
    at: Timestamp,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "insert into respondent_merges (survivor, absorbed, case_number, via, moved, actor, reason, at)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
    )
    .bind(survivor)
    .bind(absorbed)
    .bind(case_number)
    .bind(json(via)?)
    .bind(json(moved)?)
    .bind(actor)
    .bind(reason)
    .bind(at.to_sqlx())
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

fn json(v: &[String]) -> Result<String, sqlx::Error> {
    serde_json::to_string(v).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}
