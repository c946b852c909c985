//! Respondent entities on SQLite: loading what the rules of `kuaiwei_store::respondents` need,
//! and writing what they decide (new entities, joins, aliases, proposals), in the complaint's
//! transaction.

use jiff::Timestamp;
use kuaiwei_domain::CaseNumber;
use kuaiwei_store::respondents::{self, Identity, RunPlan, World};
use sqlx::QueryBuilder;
use sqlx::sqlite::{Sqlite, SqliteConnection};

use crate::time;

/// Rows per multi-row statement: far below SQLite's 32,766 bound values.
const ROWS: usize = 5_000;

/// Finds, creates or joins the respondent of each complaint (in order); `numbers` are their
/// case numbers (recorded with the joins and proposals they cause).
pub async fn resolve(
    conn: &mut SqliteConnection,
    identities: &[Identity],
    numbers: &[CaseNumber],
    at: Timestamp,
) -> Result<Vec<Option<i64>>, sqlx::Error> {
    let mut world = load_world(conn, &respondents::lookups(identities), identities.len()).await?;
    let plan = respondents::resolve_run(identities, &mut world);
    apply(conn, &plan, numbers, "system", None, at).await?;
    Ok(plan.ids)
}

/// The entities reached by `lookups` of a run of `complaints` (a few typo candidates each, see
/// [`respondents::entities_to_load`]), with every alias of each, the pairs kept apart, and the
/// next free id.
pub async fn load_world(
    conn: &mut SqliteConnection,
    lookups: &[String],
    complaints: usize,
) -> Result<World, sqlx::Error> {
    let mut hits: Vec<(String, i64)> = Vec::new();
    for chunk in lookups.chunks(ROWS) {
        // every holder of a link alias; the first few of a typo alias (entities_to_load)
        let mut q = QueryBuilder::<Sqlite>::new(
            "select alias, respondent_id from (
                 select alias, respondent_id,
                        row_number() over (partition by alias order by respondent_id) as n
                   from respondent_aliases where alias in (",
        );
        let mut list = q.separated(", ");
        for a in chunk {
            list.push_bind(a.as_str());
        }
        q.push(")) where n <= ");
        q.push_bind(respondents::TYPO_HOLDERS_PER_ALIAS);
        q.push(" or alias not like 'typo:%'");
        hits.extend(
            q.build_query_as::<(String, i64)>()
                .fetch_all(&mut *conn)
                .await?,
        );
    }
    let reached = respondents::entities_to_load(&hits, complaints);
    let mut aliases: Vec<(String, i64)> = Vec::new();
    for chunk in reached.chunks(ROWS) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "select alias, respondent_id from respondent_aliases where respondent_id in (",
        );
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        q.push(")");
        aliases.extend(
            q.build_query_as::<(String, i64)>()
                .fetch_all(&mut *conn)
                .await?,
        );
    }
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
    conn: &mut SqliteConnection,
    plan: &RunPlan,
    numbers: &[CaseNumber],
    actor: &str,
    reason: Option<&str>,
    at: Timestamp,
) -> Result<(), sqlx::Error> {
    for chunk in plan.created.chunks(ROWS) {
        let mut q =
            QueryBuilder::<Sqlite>::new("insert into respondents (id, display_name, created_at) ");
        q.push_values(chunk, |mut b, (id, name)| {
            b.push_bind(*id)
                .push_bind(name.as_str())
                .push_bind(time::to_db(at));
        });
        q.build().execute(&mut *conn).await?;
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
    for chunk in plan.aliases.chunks(ROWS) {
        let mut q =
            QueryBuilder::<Sqlite>::new("insert into respondent_aliases (alias, respondent_id) ");
        q.push_values(chunk, |mut b, (alias, id)| {
            b.push_bind(alias.as_str()).push_bind(*id);
        });
        q.push(" on conflict do nothing");
        q.build().execute(&mut *conn).await?;
    }
    // one statement for the run's proposals: a statement per proposal cost a round trip to
    // SQLite's thread each, several per filing (BENCHMARKS.md)
    for chunk in plan.proposals.chunks(ROWS / 6) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "insert into respondent_proposals
                 (kind, respondent_a, respondent_b, case_number, detail, created_at) ",
        );
        q.push_values(chunk, |mut b, p| {
            b.push_bind(p.kind.key())
                .push_bind(p.a.min(p.b))
                .push_bind(p.a.max(p.b))
                .push_bind(numbers.get(p.complaint).map(|n| n.to_string()))
                .push_bind(p.detail.as_str())
                .push_bind(time::to_db(at));
        });
        q.push(" on conflict do nothing");
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Moves everything of `absorbed` to `survivor`; returns the case numbers that moved.
pub async fn merge(
    conn: &mut SqliteConnection,
    survivor: i64,
    absorbed: i64,
) -> Result<Vec<String>, sqlx::Error> {
    let moved: Vec<(String,)> = sqlx::query_as(
        "update complaints set respondent_id = ?1 where respondent_id = ?2 returning case_number",
    )
    .bind(survivor)
    .bind(absorbed)
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query(
        "delete from respondent_aliases where respondent_id = ?2
            and alias in (select alias from respondent_aliases where respondent_id = ?1)",
    )
    .bind(survivor)
    .bind(absorbed)
    .execute(&mut *conn)
    .await?;
    sqlx::query("update respondent_aliases set respondent_id = ?1 where respondent_id = ?2")
        .bind(survivor)
        .bind(absorbed)
        .execute(&mut *conn)
        .await?;
    sqlx::query("update respondents set merged_into = ?1 where id = ?2 or merged_into = ?2")
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
    conn: &mut SqliteConnection,
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
         values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) returning id",
    )
    .bind(survivor)
    .bind(absorbed)
    .bind(case_number)
    .bind(json(via)?)
    .bind(json(moved)?)
    .bind(actor)
    .bind(reason)
    .bind(time::to_db(at))
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

fn json(v: &[String]) -> Result<String, sqlx::Error> {
    serde_json::to_string(v).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}
