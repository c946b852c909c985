//! Respondent entities on SQLite: loading what the rules of `kuaiwei_store::respondents` need,
//! and writing what they decide (new entities, joins, aliases, proposals), in the complaint's
//! transaction.

use std::collections::HashMap;

use jiff::Timestamp;
use kuaiwei_domain::CaseNumber;
use kuaiwei_store::respondents::{self, Identity, PlannedProposal, RunPlan, World};
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
    let mut world = load_world(conn, &respondents::lookups(identities)).await?;
    let plan = respondents::resolve_run(identities, &mut world);
    apply(conn, &plan, numbers, "system", None, at).await?;
    Ok(plan.ids)
}

/// The entities reached by `lookups` of a run of `complaints`, with every alias of each, the
/// pairs kept apart, and the next free id.
pub async fn load_world(
    conn: &mut SqliteConnection,
    lookups: &[String],
) -> Result<World, sqlx::Error> {
    let mut reached: Vec<i64> = Vec::new();
    for chunk in lookups.chunks(ROWS) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "select distinct respondent_id from respondent_aliases where alias in (",
        );
        let mut list = q.separated(", ");
        for a in chunk {
            list.push_bind(a.as_str());
        }
        q.push(")");
        reached.extend(q.build_query_scalar::<i64>().fetch_all(&mut *conn).await?);
    }
    reached.sort_unstable();
    reached.dedup();
    let aliases = aliases_of(conn, &reached).await?;
    let apart = kept_apart(conn).await?;
    let (max,): (Option<i64>,) = sqlx::query_as("select max(id) from respondents")
        .fetch_one(&mut *conn)
        .await?;
    Ok(World::new(aliases, apart, max.unwrap_or(0) + 1))
}

/// Every alias of each of `ids` but its one-character deletions (`typo:`): the rules read
/// none of them, and an entity holds a dozen (BENCHMARKS.md: sending them back row by row
/// through SQLite's worker thread was most of intake's time).
async fn aliases_of(
    conn: &mut SqliteConnection,
    ids: &[i64],
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let mut aliases: Vec<(String, i64)> = Vec::new();
    for chunk in ids.chunks(ROWS) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "select alias, respondent_id from respondent_aliases where respondent_id in (",
        );
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        q.push(") and alias not like 'typo:%'");
        aliases.extend(
            q.build_query_as::<(String, i64)>()
                .fetch_all(&mut *conn)
                .await?,
        );
    }
    Ok(aliases)
}

/// The pairs caseworkers kept apart, by the entities they are in now.
async fn kept_apart(conn: &mut SqliteConnection) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "select coalesce(ra.merged_into, p.a), coalesce(rb.merged_into, p.b)
           from respondent_apart p
           left join respondents ra on ra.id = p.a
           left join respondents rb on rb.id = p.b",
    )
    .fetch_all(&mut *conn)
    .await
}

/// Plans the typo pass ([`respondents::typo_run`]) over the complaints filed since the last
/// one, at most `limit` change-log entries, from what is committed (a reader's connection, off
/// the writer): their one-character deletions to record and the entities one character away
/// to propose. `None` when it is up to date.
pub async fn plan_typos(
    conn: &mut SqliteConnection,
    limit: u32,
) -> Result<Option<respondents::TypoWork>, sqlx::Error> {
    let after: i64 = sqlx::query_scalar("select seq from follower_positions where name = ?1")
        .bind(respondents::TYPO_FOLLOWER)
        .fetch_optional(&mut *conn)
        .await?
        .unwrap_or(0);
    let changes: Vec<(i64, String, String, String)> = sqlx::query_as(
        "select seq, entity, entity_key, op from change_log where seq > ?1 order by seq limit ?2",
    )
    .bind(after)
    .bind(i64::from(limit.max(1)))
    .fetch_all(&mut *conn)
    .await?;
    let numbers: Vec<&str> = changes
        .iter()
        .filter(|(_, entity, _, op)| entity == "complaint" && op == "created")
        .map(|(_, _, key, _)| key.as_str())
        .collect();
    let mut stored: HashMap<String, (Option<i64>, String)> = HashMap::new();
    for chunk in numbers.chunks(ROWS) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "select case_number, respondent_id, body from complaints where case_number in (",
        );
        let mut list = q.separated(", ");
        for n in chunk {
            list.push_bind(*n);
        }
        q.push(")");
        let rows: Vec<(String, Option<i64>, String)> =
            q.build_query_as().fetch_all(&mut *conn).await?;
        stored.extend(rows.into_iter().map(|(n, r, b)| (n, (r, b))));
    }
    let Some((taken, filed)) = respondents::typo_window(&changes, &stored)
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))?
    else {
        return Ok(None);
    };
    let mut work = respondents::TypoWork {
        after,
        last: changes[taken - 1].0,
        consumed: taken,
        ..Default::default()
    };
    if !filed.is_empty() {
        let lookups = respondents::typo_lookups(filed.iter().map(|(_, _, id)| id));
        let mut hits: Vec<(String, i64)> = Vec::new();
        for chunk in lookups.chunks(ROWS) {
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
            hits.extend(
                q.build_query_as::<(String, i64)>()
                    .fetch_all(&mut *conn)
                    .await?,
            );
        }
        let own: Vec<i64> = filed.iter().map(|(_, e, _)| *e).collect();
        let load = respondents::typo_entities_to_load(&own, &hits, filed.len());
        let mut aliases = aliases_of(conn, &load).await?;
        // the one-character aliases found, of the entities loaded (aliases_of leaves them out)
        let loaded: std::collections::HashSet<i64> = load.iter().copied().collect();
        aliases.extend(hits.into_iter().filter(|(_, e)| loaded.contains(e)));
        let mut world = World::new(aliases, kept_apart(conn).await?, 0);
        let run: Vec<(i64, &Identity)> = filed.iter().map(|(_, e, id)| (*e, id)).collect();
        let plan = respondents::typo_run(&run, &mut world);
        work.numbers = filed.iter().map(|(n, _, _)| n.clone()).collect();
        work.plan = plan;
    }
    Ok(Some(work))
}

/// Applies a planned typo pass if the follower is still where the plan read from; how many
/// entries it consumed (0: another pass got there first, and this one is dropped).
pub async fn apply_typos(
    conn: &mut SqliteConnection,
    work: &respondents::TypoWork,
) -> Result<usize, sqlx::Error> {
    let at: i64 = sqlx::query_scalar("select seq from follower_positions where name = ?1")
        .bind(respondents::TYPO_FOLLOWER)
        .fetch_optional(&mut *conn)
        .await?
        .unwrap_or(0);
    if at != work.after {
        return Ok(0);
    }
    // a caseworker's join, or a filing, since the plan read may have merged an entity it names
    let mut ids: Vec<i64> = work.plan.aliases.iter().map(|(_, e)| *e).collect();
    ids.extend(work.plan.proposals.iter().flat_map(|p| [p.a, p.b]));
    ids.sort_unstable();
    ids.dedup();
    let mut moved: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    for chunk in ids.chunks(ROWS) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "select id, merged_into from respondents where merged_into is not null and id in (",
        );
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        q.push(")");
        moved.extend(
            q.build_query_as::<(i64, i64)>()
                .fetch_all(&mut *conn)
                .await?,
        );
    }
    let now = |e: i64| moved.get(&e).copied().unwrap_or(e);
    let aliases: Vec<(String, i64)> = work
        .plan
        .aliases
        .iter()
        .map(|(a, e)| (a.clone(), now(*e)))
        .collect();
    let proposals: Vec<PlannedProposal> = work
        .plan
        .proposals
        .iter()
        .map(|p| PlannedProposal {
            a: now(p.a),
            b: now(p.b),
            ..p.clone()
        })
        .filter(|p| p.a != p.b)
        .collect();
    insert_aliases(conn, &aliases).await?;
    let numbers: Vec<&str> = work.numbers.iter().map(String::as_str).collect();
    insert_proposals(conn, &proposals, &numbers, Timestamp::now()).await?;
    sqlx::query(
        "insert into follower_positions (name, seq) values (?1, ?2)
         on conflict (name) do update set seq = excluded.seq",
    )
    .bind(respondents::TYPO_FOLLOWER)
    .bind(work.last)
    .execute(&mut *conn)
    .await?;
    Ok(work.consumed)
}

async fn insert_aliases(
    conn: &mut SqliteConnection,
    aliases: &[(String, i64)],
) -> Result<(), sqlx::Error> {
    for chunk in aliases.chunks(ROWS) {
        let mut q =
            QueryBuilder::<Sqlite>::new("insert into respondent_aliases (alias, respondent_id) ");
        q.push_values(chunk, |mut b, (alias, id)| {
            b.push_bind(alias.as_str()).push_bind(*id);
        });
        q.push(" on conflict do nothing");
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// One statement for a run's proposals: a statement per proposal cost a round trip to SQLite's
/// thread each, several per filing (BENCHMARKS.md). `numbers`: the run's case numbers.
async fn insert_proposals(
    conn: &mut SqliteConnection,
    proposals: &[PlannedProposal],
    numbers: &[&str],
    at: Timestamp,
) -> Result<(), sqlx::Error> {
    for chunk in proposals.chunks(ROWS / 6) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "insert into respondent_proposals
                 (kind, respondent_a, respondent_b, case_number, detail, created_at) ",
        );
        q.push_values(chunk, |mut b, p| {
            b.push_bind(p.kind.key())
                .push_bind(p.a.min(p.b))
                .push_bind(p.a.max(p.b))
                .push_bind(numbers.get(p.complaint).copied())
                .push_bind(p.detail.as_str())
                .push_bind(time::to_db(at));
        });
        q.push(" on conflict do nothing");
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
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
    insert_aliases(conn, &plan.aliases).await?;
    let numbers: Vec<&str> = numbers.iter().map(|n| n.as_str()).collect();
    insert_proposals(conn, &plan.proposals, &numbers, at).await
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
