//! Writing a run of submitted complaints with a fixed number of statements, whatever the run's
//! length: one idempotency look-up, one counter bump per year, and one multi-row insert per
//! table. Each statement is a round trip to the server; per-row statements made the writer, not
//! the disk, the bottleneck of group commit (BENCHMARKS.md).

use std::collections::HashMap;

use jiff::Timestamp;
use jiff_sqlx::ToSqlx;
use kuaiwei_domain::{CaseNumber, ComplaintStatus};
use kuaiwei_store::{NewComplaint, Receipt, StoreError, plan, truncate_to_micros};
use sqlx::QueryBuilder;
use sqlx::postgres::{PgConnection, Postgres};

type PriorRow = (
    String,
    Vec<u8>,
    i64,
    String,
    jiff_sqlx::Timestamp,
    String,
    String,
);

pub async fn insert_many(
    conn: &mut PgConnection,
    items: &[&NewComplaint],
) -> Result<Vec<Result<Receipt, StoreError>>, sqlx::Error> {
    let prior = prior_keys(conn, items).await?;
    let (plans, fresh) = plan::plan_submissions(items, &prior);
    let stored = insert_fresh(conn, &fresh).await?;
    Ok(plan::answer(&plans, &stored))
}

/// Receipts of keys used before, with the request hash each was first used with.
async fn prior_keys(
    conn: &mut PgConnection,
    items: &[&NewComplaint],
) -> Result<plan::PriorKeys, sqlx::Error> {
    let keys: Vec<&str> = items
        .iter()
        .filter_map(|n| n.idempotency.as_ref().map(|k| k.key.as_str()))
        .collect();
    let mut found = HashMap::new();
    if keys.is_empty() {
        return Ok(found);
    }
    let mut q = QueryBuilder::<Postgres>::new(
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
            received_at: received_at.to_jiff(),
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
    conn: &mut PgConnection,
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

    let mut q = QueryBuilder::<Postgres>::new(
        // no respondent yet (null): the respondent pass gives it one, with the match keys, after
        // the filing (BENCHMARKS.md: inside the filing's transaction it cost most of intake)
        "insert into complaints (case_number, token_hash, status, channel, respondent_name, received_at, body, right_type, fair) ",
    );
    q.push_values(items.iter().enumerate(), |mut b, (i, n)| {
        b.push_bind(numbers[i].to_string())
            .push_bind(n.token_hash.to_vec())
            .push_bind(ComplaintStatus::Received.as_str())
            .push_bind(n.complaint.channel.key())
            .push_bind(n.complaint.respondent.name.clone())
            .push_bind(at[i].to_sqlx())
            .push_bind(bodies[i].clone())
            .push_unseparated("::jsonb")
            .push_bind(n.complaint.right_type().map(|k| k.key()))
            .push_bind(n.complaint.channel.fair_label());
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
        let mut q = QueryBuilder::<Postgres>::new(
            "insert into evidence_files (sha256, size, media_type, meta, phash) ",
        );
        q.push_values(&files, |mut b, (_, _, e)| {
            b.push_bind(e.sha256.clone())
                .push_bind(e.size as i64)
                .push_bind(e.media_type.clone())
                .push_bind(e.meta.to_db())
                .push_bind(e.meta.phash);
        });
        q.push(" on conflict (sha256) do nothing");
        q.build().execute(&mut *conn).await?;
        let mut q = QueryBuilder::<Postgres>::new(
            "insert into complaint_evidence (complaint_id, position, sha256, filename, material) ",
        );
        q.push_values(&files, |mut b, (id, p, e)| {
            b.push_bind(*id)
                .push_bind(*p as i32)
                .push_bind(e.sha256.clone())
                .push_bind(e.filename.clone())
                .push_bind(e.material.clone());
        });
        q.build().execute(&mut *conn).await?;
    }

    let keyed: Vec<(usize, &kuaiwei_store::IdempotencyKey)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, n)| n.idempotency.as_ref().map(|k| (i, k)))
        .collect();
    if !keyed.is_empty() {
        let mut q = QueryBuilder::<Postgres>::new(
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
                .push_bind(at[i].to_sqlx());
        });
        q.build().execute(&mut *conn).await?;
    }

    let mut q = QueryBuilder::<Postgres>::new(
        "insert into cases (case_number, complaint_id, state, received_at, materials_received_at,
                            version) ",
    );
    let rows = (0..items.len())
        .map(|i| id_of(i).map(|id| (i, id)))
        .collect::<Result<Vec<_>, _>>()?;
    q.push_values(rows, |mut b, (i, id)| {
        b.push_bind(numbers[i].to_string())
            .push_bind(id)
            .push_bind("received")
            .push_bind(at[i].to_sqlx())
            // the filing is the materials' receipt until a supplement arrives
            .push_bind(at[i].to_sqlx())
            .push_bind(1i64);
    });
    q.build().execute(&mut *conn).await?;

    append_received_events(conn, items, &numbers, &at).await?;

    let messages: Vec<(Option<&str>, &kuaiwei_store::NewMessage, Timestamp)> = items
        .iter()
        .enumerate()
        .flat_map(|(i, n)| n.messages.iter().map(move |m| (i, m)))
        .map(|(i, m)| (Some(numbers[i].as_str()), m, at[i]))
        .collect();
    crate::outbox::insert(conn, &messages).await?;

    let mut q =
        QueryBuilder::<Postgres>::new("insert into change_log (entity, entity_key, op, at) ");
    q.push_values(0..items.len(), |mut b, i| {
        b.push_bind("complaint")
            .push_bind(numbers[i].to_string())
            .push_bind("created")
            .push_bind(at[i].to_sqlx());
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
    conn: &mut PgConnection,
    at: &[Timestamp],
) -> Result<Vec<CaseNumber>, sqlx::Error> {
    let mut last = Vec::new();
    for (year, n) in plan::year_counts(at) {
        let (l,): (i64,) = sqlx::query_as(
            "insert into case_counters (year, last_sequence) values ($1, $2)
             on conflict (year) do update set last_sequence = case_counters.last_sequence + $2
             returning last_sequence",
        )
        .bind(i64::from(year))
        .bind(n)
        .fetch_one(&mut *conn)
        .await?;
        last.push((year, l));
    }
    Ok(plan::assign_numbers(at, &last))
}

/// The `received` event of each new case, chained in submission order.
async fn append_received_events(
    conn: &mut PgConnection,
    items: &[&NewComplaint],
    numbers: &[CaseNumber],
    at: &[Timestamp],
) -> Result<(), sqlx::Error> {
    let head: Option<(i64, String)> =
        sqlx::query_as("select seq, hash from audit_head where id = 1")
            .fetch_optional(&mut *conn)
            .await?;
    let (rows, (seq, prev)) = plan::chain_received(head, items, numbers, at);
    let mut q = QueryBuilder::<Postgres>::new(
        "insert into audit_events (seq, case_number, actor, at, kind, payload, reason, prev_hash, hash) ",
    );
    q.push_values(rows, |mut b, e| {
        let i = e.index;
        b.push_bind(e.seq)
            .push_bind(numbers[i].to_string())
            .push_bind(plan::RECEIVED_ACTOR)
            .push_bind(at[i].to_sqlx())
            .push_bind(plan::RECEIVED_KIND)
            .push_bind(e.payload)
            .push_bind(None::<String>)
            .push_bind(e.prev_hash)
            .push_bind(e.hash);
    });
    q.build().execute(&mut *conn).await?;
    sqlx::query(
        "insert into audit_head (id, seq, hash) values (1, $1, $2)
         on conflict (id) do update set seq = excluded.seq, hash = excluded.hash",
    )
    .bind(seq)
    .bind(&prev)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
