//! The target side of `kuaiwei migrate-store`: one transaction that checks the database holds
//! nothing yet, takes every row of the source in foreign-key order, converting each value to
//! its column's type, counts what it wrote and moves the identity sequences past the copied
//! identifiers. Nothing is committed unless every table was copied; the server's write lock is
//! held throughout, so no kuaiwei server writes meanwhile.

use kuaiwei_store::transfer::{Cell, TableShape};
use kuaiwei_store::{Inventory, StoreError};
use sqlx::postgres::PgConnection;
use sqlx::{AssertSqlSafe, Connection};

use crate::backend;
use crate::backup::{connect, inventory};
use crate::write::WRITE_LOCK;

/// Tables the migrations fill themselves (the followers' positions); the copy replaces their
/// rows with the source's.
const SEEDED: &[&str] = &["follower_positions"];

/// What a column takes, by its PostgreSQL type.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Integer,
    Real,
    Boolean,
    Text,
    Timestamp,
    Date,
    Json,
    Bytes,
    Other(String),
}

impl Kind {
    fn of(pg_type: &str) -> Kind {
        match pg_type {
            "smallint" | "integer" | "bigint" => Kind::Integer,
            "real" | "double precision" | "numeric" => Kind::Real,
            "boolean" => Kind::Boolean,
            "text" => Kind::Text,
            "timestamp with time zone" => Kind::Timestamp,
            "date" => Kind::Date,
            "jsonb" | "json" => Kind::Json,
            "bytea" => Kind::Bytes,
            other if other.starts_with("character varying") => Kind::Text,
            other => Kind::Other(other.to_string()),
        }
    }
}

/// A table of the target, with its columns' kinds and the columns an identity sequence feeds.
#[derive(Debug, Clone)]
pub struct TargetTable {
    pub shape: TableShape,
    kinds: Vec<Kind>,
    sequences: Vec<String>,
}

/// The open copy transaction.
pub struct Target {
    conn: PgConnection,
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Target {
    /// Connects to a database already migrated to this version (open it as a store first),
    /// begins the transaction and takes the server's write lock.
    pub async fn open(url: &str) -> Result<Target, StoreError> {
        let mut conn = connect(url).await?;
        sqlx::raw_sql("begin")
            .execute(&mut conn)
            .await
            .map_err(backend)?;
        sqlx::query("select pg_advisory_xact_lock($1)")
            .bind(WRITE_LOCK)
            .execute(&mut conn)
            .await
            .map_err(backend)?;
        Ok(Target { conn })
    }

    /// Every table of kuaiwei's schema, parents before the tables that reference them.
    pub async fn tables(&mut self) -> Result<Vec<TargetTable>, StoreError> {
        let rows: Vec<(String, String, String, bool)> = sqlx::query_as(
            "select c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod),
                    pg_get_serial_sequence(quote_ident(c.relname), a.attname) is not null
               from pg_class c
               join pg_namespace n on n.oid = c.relnamespace
               join pg_attribute a on a.attrelid = c.oid
              where c.relkind in ('r', 'p') and n.nspname = current_schema()
                and c.relname <> '_sqlx_migrations'
                and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
              order by c.relname, a.attnum",
        )
        .fetch_all(&mut self.conn)
        .await
        .map_err(backend)?;
        let mut tables: Vec<TargetTable> = Vec::new();
        for (table, column, pg_type, sequence) in rows {
            if tables.last().is_none_or(|t| t.shape.name != table) {
                tables.push(TargetTable {
                    shape: TableShape {
                        name: table.clone(),
                        columns: Vec::new(),
                    },
                    kinds: Vec::new(),
                    sequences: Vec::new(),
                });
            }
            let t = tables.last_mut().expect("pushed above");
            if sequence {
                t.sequences.push(column.clone());
            }
            t.shape.columns.push(column);
            t.kinds.push(Kind::of(&pg_type));
        }
        let edges: Vec<(String, String)> = sqlx::query_as(
            "select c.relname::text, p.relname::text
               from pg_constraint k
               join pg_class c on c.oid = k.conrelid
               join pg_class p on p.oid = k.confrelid
               join pg_namespace n on n.oid = c.relnamespace
              where k.contype = 'f' and n.nspname = current_schema() and c.oid <> p.oid",
        )
        .fetch_all(&mut self.conn)
        .await
        .map_err(backend)?;
        parents_first(tables, &edges)
    }

    /// Refuses a database that already holds data: the copy would mix two stores.
    pub async fn refuse_non_empty(&mut self, tables: &[TargetTable]) -> Result<(), StoreError> {
        let mut holding = Vec::new();
        for t in tables
            .iter()
            .filter(|t| !SEEDED.contains(&t.shape.name.as_str()))
        {
            let n = self.count(&t.shape.name).await?;
            if n > 0 {
                holding.push(format!("{} ({n})", t.shape.name));
            }
        }
        if holding.is_empty() {
            return Ok(());
        }
        Err(StoreError::Conflict(format!(
            "目标数据库已有数据，不能迁入 / the target database already holds data: {}",
            holding.join(", ")
        )))
    }

    /// Rows of `table`.
    pub async fn count(&mut self, table: &str) -> Result<u64, StoreError> {
        let sql = format!("select count(*) from {}", quoted(table));
        let (n,): (i64,) = sqlx::query_as(AssertSqlSafe(sql))
            .fetch_one(&mut self.conn)
            .await
            .map_err(backend)?;
        Ok(n as u64)
    }

    /// Removes the rows the migrations seeded into `table`, if it is one they seed.
    pub async fn clear_seeded(&mut self, table: &str) -> Result<(), StoreError> {
        if SEEDED.contains(&table) {
            let sql = format!("delete from {}", quoted(table));
            sqlx::query(AssertSqlSafe(sql))
                .execute(&mut self.conn)
                .await
                .map_err(backend)?;
        }
        Ok(())
    }

    /// Writes rows whose cells are in `source_columns` order into `table`, converting each
    /// value to its column's type.
    pub async fn insert(
        &mut self,
        table: &TargetTable,
        source_columns: &[String],
        rows: Vec<Vec<Cell>>,
    ) -> Result<(), StoreError> {
        let positions: Vec<(usize, &Kind)> = table
            .shape
            .columns
            .iter()
            .zip(&table.kinds)
            .map(|(c, kind)| {
                source_columns
                    .iter()
                    .position(|s| s == c)
                    .map(|i| (i, kind))
                    .ok_or_else(|| {
                        StoreError::Conflict(format!(
                            "源数据库缺少列 / the source has no column {}.{c}",
                            table.shape.name
                        ))
                    })
            })
            .collect::<Result<_, _>>()?;
        let mut records = Vec::with_capacity(rows.len());
        for row in rows {
            let mut record = serde_json::Map::with_capacity(positions.len());
            for ((i, kind), column) in positions.iter().zip(&table.shape.columns) {
                let value = convert(&row[*i], kind).map_err(|why| {
                    StoreError::Conflict(format!(
                        "{}.{column}: {why} / 无法转换 ({})",
                        table.shape.name,
                        row[*i].kind()
                    ))
                })?;
                record.insert(column.clone(), value);
            }
            records.push(serde_json::Value::Object(record));
        }
        let name = quoted(&table.shape.name);
        let list = table
            .shape
            .columns
            .iter()
            .map(|c| quoted(c))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "insert into {name} ({list}) overriding system value
             select {list} from json_populate_recordset(null::{name}, $1::text::json)"
        );
        let json = serde_json::Value::Array(records).to_string();
        sqlx::query(AssertSqlSafe(sql))
            .bind(json)
            .execute(&mut self.conn)
            .await
            .map_err(|e| StoreError::Conflict(format!("{}: {e}", table.shape.name)))?;
        Ok(())
    }

    /// The inventory as this transaction sees it.
    pub async fn inventory(&mut self) -> Result<Inventory, StoreError> {
        inventory(&mut self.conn).await.map_err(backend)
    }

    /// Moves every identity sequence past the highest copied identifier, then commits.
    pub async fn finish(mut self, tables: &[TargetTable]) -> Result<(), StoreError> {
        for t in tables {
            for column in &t.sequences {
                let sql = format!(
                    "select setval(pg_get_serial_sequence($1, $2), coalesce(max({c}), 0) + 1, false)
                       from {name}",
                    c = quoted(column),
                    name = quoted(&t.shape.name)
                );
                sqlx::query(AssertSqlSafe(sql))
                    .bind(quoted(&t.shape.name))
                    .bind(column)
                    .execute(&mut self.conn)
                    .await
                    .map_err(backend)?;
            }
        }
        sqlx::raw_sql("commit")
            .execute(&mut self.conn)
            .await
            .map_err(backend)?;
        self.conn.close().await.map_err(backend)
    }
}

/// One value for `json_populate_recordset`, in the text form PostgreSQL's input function for
/// the column's type reads.
fn convert(cell: &Cell, kind: &Kind) -> Result<serde_json::Value, String> {
    use serde_json::Value;
    Ok(match (cell, kind) {
        (Cell::Null, _) => Value::Null,
        (Cell::Int(n), Kind::Integer) => Value::from(*n),
        (Cell::Int(n), Kind::Real) => Value::from(*n),
        (Cell::Real(x), Kind::Real) => serde_json::Number::from_f64(*x)
            .map(Value::Number)
            .ok_or_else(|| format!("not a finite number: {x}"))?,
        (Cell::Int(0), Kind::Boolean) => Value::Bool(false),
        (Cell::Int(1), Kind::Boolean) => Value::Bool(true),
        (Cell::Text(s), Kind::Text) => Value::String(s.clone()),
        (Cell::Text(s), Kind::Timestamp) => {
            let t: jiff::Timestamp = s
                .parse()
                .map_err(|e| format!("not a timestamp: {s:?} ({e})"))?;
            Value::String(t.to_string())
        }
        (Cell::Text(s), Kind::Date) => {
            let d: jiff::civil::Date = s.parse().map_err(|e| format!("not a date: {s:?} ({e})"))?;
            Value::String(d.to_string())
        }
        (Cell::Text(s), Kind::Json) => {
            serde_json::from_str(s).map_err(|e| format!("not JSON ({e})"))?
        }
        (Cell::Blob(b), Kind::Bytes) => {
            let mut hex = String::with_capacity(2 + 2 * b.len());
            hex.push_str("\\x");
            for byte in b {
                hex.push_str(&format!("{byte:02x}"));
            }
            Value::String(hex)
        }
        (cell, Kind::Other(t)) => {
            return Err(format!("a {} value for a column of type {t}", cell.kind()));
        }
        (cell, kind) => return Err(format!("a {} value for a {kind:?} column", cell.kind())),
    })
}

/// Orders tables so that each comes after every table it references (Kahn's algorithm, by
/// name among the ready ones); a cycle is refused.
fn parents_first(
    tables: Vec<TargetTable>,
    edges: &[(String, String)],
) -> Result<Vec<TargetTable>, StoreError> {
    let mut left = tables;
    let mut done: Vec<TargetTable> = Vec::with_capacity(left.len());
    while !left.is_empty() {
        let ready = left.iter().position(|t| {
            edges
                .iter()
                .filter(|(child, _)| *child == t.shape.name)
                .all(|(_, parent)| done.iter().any(|d| d.shape.name == *parent))
        });
        match ready {
            Some(i) => done.push(left.remove(i)),
            None => {
                return Err(StoreError::Corrupt(format!(
                    "foreign keys form a cycle among: {}",
                    left.iter()
                        .map(|t| t.shape.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_take_the_form_their_column_type_reads() {
        let ts = convert(
            &Cell::Text("2026-10-15T02:00:00.123456Z".into()),
            &Kind::Timestamp,
        );
        assert_eq!(ts, Ok(serde_json::json!("2026-10-15T02:00:00.123456Z")));
        assert_eq!(
            convert(&Cell::Text(r#"{"b":1,"a":[2]}"#.into()), &Kind::Json),
            Ok(serde_json::json!({"a": [2], "b": 1}))
        );
        assert_eq!(
            convert(&Cell::Blob(vec![0, 0xab, 0xff]), &Kind::Bytes),
            Ok(serde_json::json!("\\x00abff"))
        );
        assert_eq!(
            convert(&Cell::Int(1), &Kind::Boolean),
            Ok(serde_json::json!(true))
        );
        assert_eq!(
            convert(&Cell::Null, &Kind::Date),
            Ok(serde_json::Value::Null)
        );
        assert!(convert(&Cell::Int(2), &Kind::Boolean).is_err());
        assert!(convert(&Cell::Text("yesterday".into()), &Kind::Timestamp).is_err());
        assert!(convert(&Cell::Text("{".into()), &Kind::Json).is_err());
        assert!(convert(&Cell::Int(7), &Kind::Text).is_err());
        assert!(convert(&Cell::Text("x".into()), &Kind::Other("inet".into())).is_err());
    }

    fn table(name: &str) -> TargetTable {
        TargetTable {
            shape: TableShape {
                name: name.into(),
                columns: vec![],
            },
            kinds: vec![],
            sequences: vec![],
        }
    }

    #[test]
    fn parents_come_before_the_tables_that_reference_them() {
        let edges = vec![
            ("complaint_evidence".to_string(), "complaints".to_string()),
            (
                "complaint_evidence".to_string(),
                "evidence_files".to_string(),
            ),
            ("cases".to_string(), "complaints".to_string()),
        ];
        let order = parents_first(
            vec![
                table("cases"),
                table("complaint_evidence"),
                table("complaints"),
                table("evidence_files"),
            ],
            &edges,
        )
        .unwrap();
        let names: Vec<&str> = order.iter().map(|t| t.shape.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "complaints",
                "cases",
                "evidence_files",
                "complaint_evidence"
            ]
        );
        let cycle = vec![
            ("a".to_string(), "b".to_string()),
            ("b".to_string(), "a".to_string()),
        ];
        assert!(parents_first(vec![table("a"), table("b")], &cycle).is_err());
    }
}
