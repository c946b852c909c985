//! Writing a run of submitted complaints with a fixed number of statements, whatever the run's
//! length: one idempotency look-up, one counter bump per year, and one multi-row insert per
//! table. Each statement is a round trip to SQLite's worker thread; per-row statements made the
//! writer, not the disk, the bottleneck of group commit (BENCHMARKS.md).

use std::collections::HashMap;

use jiff::Timestamp;
use kuaiwei_domain::{CaseNumber, ComplaintStatus};
use kuaiwei_store::{
    ChainLink, GENESIS, NewComplaint, Receipt, StoreError, case_year, truncate_to_micros,
};
use sqlx::QueryBuilder;
use sqlx::sqlite::{Sqlite, SqliteConnection};

use crate::time;

/// What becomes of one submission in the run.
enum Plan {
    /// Its key was used before this run with the same request: answer with that receipt.
    Replay(Receipt),
    /// Its key was used before with another request.
    Mismatch,
    /// Its key repeats an earlier submission of this run (by index).
    SameAs(usize),
    /// Stored now, as the `n`-th new complaint of the run.
    New(usize),
}

type PriorRow = (String, Vec<u8>, i64, String, String, String, String);

pub async fn insert_many(
    conn: &mut SqliteConnection,
    items: &[&NewComplaint],
) -> Result<Vec<Result<Receipt, StoreError>>, sqlx::Error> {
    let prior = prior_keys(conn, items).await?;
    let mut plans = Vec::with_capacity(items.len());
    let mut first_with_key: HashMap<&str, usize> = HashMap::new();
    let mut fresh: Vec<&NewComplaint> = Vec::new();
    for (i, new) in items.iter().enumerate() {
        let plan = match &new.idempotency {
            Some(k) => match (
                prior.get(k.key.as_str()),
                first_with_key.get(k.key.as_str()),
            ) {
                (Some((hash, _)), _) if hash[..] != k.request_hash[..] => Plan::Mismatch,
                (Some((_, receipt)), _) => Plan::Replay(receipt.clone()),
                (None, Some(&j)) => match &items[j].idempotency {
                    Some(first) if first.request_hash == k.request_hash => Plan::SameAs(j),
                    _ => Plan::Mismatch,
                },
                (None, None) => {
                    first_with_key.insert(k.key.as_str(), i);
                    fresh.push(new);
                    Plan::New(fresh.len() - 1)
                }
            },
            None => {
                fresh.push(new);
                Plan::New(fresh.len() - 1)
            }
        };
        plans.push(plan);
    }
    let stored = insert_fresh(conn, &fresh).await?;
    let mut out: Vec<Result<Receipt, StoreError>> = Vec::with_capacity(items.len());
    for plan in &plans {
        out.push(match plan {
            Plan::Replay(r) => Ok(r.clone()),
            Plan::Mismatch => Err(StoreError::IdempotencyMismatch),
            Plan::New(n) => Ok(stored[*n].clone()),
            Plan::SameAs(j) => match &plans[*j] {
                Plan::New(n) => Ok(Receipt {
                    replayed: true,
                    ..stored[*n].clone()
                }),
                _ => Err(StoreError::Backend("idempotency plan out of order".into())),
            },
        });
    }
    Ok(out)
}

/// Receipts of keys used before, with the request hash each was first used with.
async fn prior_keys(
    conn: &mut SqliteConnection,
    items: &[&NewComplaint],
) -> Result<HashMap<String, (Vec<u8>, Receipt)>, sqlx::Error> {
    let keys: Vec<&str> = items
        .iter()
        .filter_map(|n| n.idempotency.as_ref().map(|k| k.key.as_str()))
        .collect();
    let mut found = HashMap::new();
    if keys.is_empty() {
        return Ok(found);
    }
    let mut q = QueryBuilder::<Sqlite>::new(
        "select i.key, i.request_hash, c.id, c.case_number, c.received_at, c.status, i.tracking_token
         from idempotency_keys i join complaints c on c.id = i.complaint_id where i.key in (",
    );
    let mut list = q.separated(", ");
    for k in &keys {
        list.push_bind(k.to_string());
    }
    q.push(")");
    let rows: Vec<PriorRow> = q.build_query_as().fetch_all(&mut *conn).await?;
    for (key, hash, id, number, received_at, status, token) in rows {
        let evidence = crate::write::evidence_of(&mut *conn, id).await?;
        let receipt = Receipt {
            case_number: CaseNumber::parse(&number)
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            tracking_token: token,
            received_at: time::from_db(&received_at)
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            status: ComplaintStatus::parse(&status).unwrap_or(ComplaintStatus::Received),
            evidence,
            replayed: true,
        };
        found.insert(key, (hash, receipt));
    }
    Ok(found)
}

/// Numbers and stores new complaints: counters, complaints, evidence, idempotency keys, cases,
/// audit events and change-log entries, one multi-row statement each.
async fn insert_fresh(
    conn: &mut SqliteConnection,
    items: &[&NewComplaint],
) -> Result<Vec<Receipt>, sqlx::Error> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let at: Vec<Timestamp> = items
        .iter()
        .map(|n| truncate_to_micros(n.received_at))
        .collect();
    let numbers = allocate(conn, &at).await?;
    let bodies = items
        .iter()
        .map(|n| serde_json::to_string(&n.complaint))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;

    let mut q = QueryBuilder::<Sqlite>::new(
        "insert into complaints (case_number, token_hash, status, channel, respondent_name, received_at, body) ",
    );
    q.push_values(items.iter().enumerate(), |mut b, (i, n)| {
        b.push_bind(numbers[i].to_string())
            .push_bind(n.token_hash.to_vec())
            .push_bind(ComplaintStatus::Received.as_str())
            .push_bind(n.complaint.channel.key())
            .push_bind(n.complaint.respondent.name.clone())
            .push_bind(time::to_db(at[i]))
            .push_bind(bodies[i].clone());
    });
    q.push(" returning case_number, id");
    let ids: HashMap<String, i64> = q
        .build_query_as::<(String, i64)>()
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect();
    let id_of = |i: usize| {
        ids.get(numbers[i].as_str())
            .copied()
            .ok_or(sqlx::Error::RowNotFound)
    };

    let files: Vec<(i64, usize, &kuaiwei_store::EvidenceRef)> = items
        .iter()
        .enumerate()
        .flat_map(|(i, n)| n.evidence.iter().enumerate().map(move |(p, e)| (i, p, e)))
        .map(|(i, p, e)| id_of(i).map(|id| (id, p, e)))
        .collect::<Result<_, _>>()?;
    if !files.is_empty() {
        let mut q =
            QueryBuilder::<Sqlite>::new("insert into evidence_files (sha256, size, media_type) ");
        q.push_values(&files, |mut b, (_, _, e)| {
            b.push_bind(e.sha256.clone())
                .push_bind(e.size as i64)
                .push_bind(e.media_type.clone());
        });
        q.push(" on conflict (sha256) do nothing");
        q.build().execute(&mut *conn).await?;
        let mut q = QueryBuilder::<Sqlite>::new(
            "insert into complaint_evidence (complaint_id, position, sha256, filename) ",
        );
        q.push_values(&files, |mut b, (id, p, e)| {
            b.push_bind(*id)
                .push_bind(*p as i64)
                .push_bind(e.sha256.clone())
                .push_bind(e.filename.clone());
        });
        q.build().execute(&mut *conn).await?;
    }

    let keyed: Vec<(usize, &kuaiwei_store::IdempotencyKey)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, n)| n.idempotency.as_ref().map(|k| (i, k)))
        .collect();
    if !keyed.is_empty() {
        let mut q = QueryBuilder::<Sqlite>::new(
            "insert into idempotency_keys (key, request_hash, complaint_id, tracking_token, created_at) ",
        );
        let rows = keyed
            .iter()
            .map(|(i, k)| id_of(*i).map(|id| (*i, *k, id)))
            .collect::<Result<Vec<_>, _>>()?;
        q.push_values(rows, |mut b, (i, k, id)| {
            b.push_bind(k.key.clone())
                .push_bind(k.request_hash.to_vec())
                .push_bind(id)
                .push_bind(items[i].tracking_token.clone())
                .push_bind(time::to_db(at[i]));
        });
        q.build().execute(&mut *conn).await?;
    }

    let mut q = QueryBuilder::<Sqlite>::new(
        "insert into cases (case_number, complaint_id, state, received_at, version) ",
    );
    let rows = (0..items.len())
        .map(|i| id_of(i).map(|id| (i, id)))
        .collect::<Result<Vec<_>, _>>()?;
    q.push_values(rows, |mut b, (i, id)| {
        b.push_bind(numbers[i].to_string())
            .push_bind(id)
            .push_bind("received")
            .push_bind(time::to_db(at[i]))
            .push_bind(1i64);
    });
    q.build().execute(&mut *conn).await?;

    append_received_events(conn, items, &numbers, &at).await?;

    let mut q = QueryBuilder::<Sqlite>::new("insert into change_log (entity, entity_key, op, at) ");
    q.push_values(0..items.len(), |mut b, i| {
        b.push_bind("complaint")
            .push_bind(numbers[i].to_string())
            .push_bind("created")
            .push_bind(time::to_db(at[i]));
    });
    q.build().execute(&mut *conn).await?;

    Ok(items
        .iter()
        .enumerate()
        .map(|(i, n)| Receipt {
            case_number: numbers[i].clone(),
            tracking_token: n.tracking_token.clone(),
            received_at: at[i],
            status: ComplaintStatus::Received,
            evidence: n.evidence.clone(),
            replayed: false,
        })
        .collect())
}

/// Case numbers in submission order: one counter bump per year present in the run.
async fn allocate(
    conn: &mut SqliteConnection,
    at: &[Timestamp],
) -> Result<Vec<CaseNumber>, sqlx::Error> {
    let years: Vec<i16> = at.iter().map(|t| case_year(*t)).collect();
    let mut counts: Vec<(i16, i64)> = Vec::new();
    for y in &years {
        match counts.iter_mut().find(|(year, _)| year == y) {
            Some((_, n)) => *n += 1,
            None => counts.push((*y, 1)),
        }
    }
    let mut next: HashMap<i16, i64> = HashMap::new();
    for (year, n) in counts {
        let (last,): (i64,) = sqlx::query_as(
            "insert into case_counters (year, last_sequence) values (?1, ?2)
             on conflict (year) do update set last_sequence = case_counters.last_sequence + ?2
             returning last_sequence",
        )
        .bind(i64::from(year))
        .bind(n)
        .fetch_one(&mut *conn)
        .await?;
        next.insert(year, last - n + 1);
    }
    Ok(years
        .iter()
        .map(|y| {
            let seq = next.entry(*y).or_insert(1);
            let number = CaseNumber::new(*y, *seq as u64);
            *seq += 1;
            number
        })
        .collect())
}

/// The `received` event of each new case, chained in submission order.
async fn append_received_events(
    conn: &mut SqliteConnection,
    items: &[&NewComplaint],
    numbers: &[CaseNumber],
    at: &[Timestamp],
) -> Result<(), sqlx::Error> {
    let head: Option<(i64, String)> =
        sqlx::query_as("select seq, hash from audit_head where id = 1")
            .fetch_optional(&mut *conn)
            .await?;
    let (mut seq, mut prev) = head.unwrap_or((0, GENESIS.to_string()));
    let mut rows = Vec::with_capacity(items.len());
    for (i, n) in items.iter().enumerate() {
        seq += 1;
        let payload = serde_json::json!({
            "channel": n.complaint.channel.key(),
            "evidence": n.evidence.iter().map(|e| &e.sha256).collect::<Vec<_>>(),
        })
        .to_string();
        let hash = ChainLink {
            prev_hash: &prev,
            seq,
            case_number: numbers[i].as_str(),
            actor: "complainant",
            at: at[i],
            kind: "received",
            payload: &payload,
            reason: None,
        }
        .hash();
        rows.push((seq, i, payload, prev.clone(), hash.clone()));
        prev = hash;
    }
    let mut q = QueryBuilder::<Sqlite>::new(
        "insert into audit_events (seq, case_number, actor, at, kind, payload, reason, prev_hash, hash) ",
    );
    q.push_values(rows, |mut b, (seq, i, payload, prev_hash, hash)| {
        b.push_bind(seq)
            .push_bind(numbers[i].to_string())
            .push_bind("complainant")
            .push_bind(time::to_db(at[i]))
            .push_bind("received")
            .push_bind(payload)
            .push_bind(None::<String>)
            .push_bind(prev_hash)
            .push_bind(hash);
    });
    q.build().execute(&mut *conn).await?;
    sqlx::query(
        "insert into audit_head (id, seq, hash) values (1, ?1, ?2)
         on conflict (id) do update set seq = excluded.seq, hash = excluded.hash",
    )
    .bind(seq)
    .bind(&prev)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
