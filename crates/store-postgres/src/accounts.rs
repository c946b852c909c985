//! Staff accounts on PostgreSQL.

use jiff::Timestamp;
use jiff_sqlx::ToSqlx;
use kuaiwei_store::{Account, ApiToken, Contact, Session, StoreError};
use sqlx::postgres::PgPool;

use crate::backend;
use crate::cases::{Ts, opt_time, read_time};

type Row = (
    String,
    String,
    String,
    Option<String>,
    String,
    Ts,
    Ts,
    Option<Ts>,
    Option<String>,
    Option<String>,
    String,
);

fn account(r: Row) -> Result<Account, StoreError> {
    let (
        username,
        display_name,
        role,
        agency,
        password_hash,
        created,
        changed,
        disabled,
        email,
        mobile,
        lang,
    ) = r;
    Ok(Account {
        username,
        display_name,
        role,
        agency,
        password_hash,
        created_at: created.to_jiff(),
        password_changed_at: changed.to_jiff(),
        disabled_at: read_time(disabled)?,
        contact: Contact {
            email,
            mobile,
            lang,
        },
    })
}

pub async fn create(pool: &PgPool, a: &Account) -> Result<(), StoreError> {
    let done = sqlx::query(
        "insert into accounts (username, display_name, role, agency, password_hash, created_at,
                password_changed_at, disabled_at, email, mobile, lang)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         on conflict (username) do nothing",
    )
    .bind(&a.username)
    .bind(&a.display_name)
    .bind(&a.role)
    .bind(&a.agency)
    .bind(&a.password_hash)
    .bind(a.created_at.to_sqlx())
    .bind(a.password_changed_at.to_sqlx())
    .bind(opt_time(a.disabled_at))
    .bind(&a.contact.email)
    .bind(&a.contact.mobile)
    .bind(&a.contact.lang)
    .execute(pool)
    .await
    .map_err(backend)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict("accounts".into()));
    }
    Ok(())
}

pub async fn get(pool: &PgPool, username: &str) -> Result<Option<Account>, StoreError> {
    let row: Option<Row> = sqlx::query_as(
        "select username, display_name, role, agency, password_hash, created_at,
                password_changed_at, disabled_at, email, mobile, lang from accounts where username = $1",
    )
    .bind(username)
    .fetch_optional(pool)
    .await
    .map_err(backend)?;
    row.map(account).transpose()
}

pub async fn list(pool: &PgPool) -> Result<Vec<Account>, StoreError> {
    let rows: Vec<Row> = sqlx::query_as(
        "select username, display_name, role, agency, password_hash, created_at,
                password_changed_at, disabled_at, email, mobile, lang from accounts order by username",
    )
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    rows.into_iter().map(account).collect()
}

pub async fn set_password(
    pool: &PgPool,
    username: &str,
    hash: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "update accounts set password_hash = $2, password_changed_at = $3 where username = $1",
    )
    .bind(username)
    .bind(hash)
    .bind(at.to_sqlx())
    .execute(pool)
    .await
    .map_err(backend)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn set_contact(pool: &PgPool, username: &str, c: &Contact) -> Result<(), StoreError> {
    let done =
        sqlx::query("update accounts set email = $2, mobile = $3, lang = $4 where username = $1")
            .bind(username)
            .bind(&c.email)
            .bind(&c.mobile)
            .bind(&c.lang)
            .execute(pool)
            .await
            .map_err(backend)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn disable(pool: &PgPool, username: &str, at: Timestamp) -> Result<(), StoreError> {
    let done = sqlx::query(
        "update accounts set disabled_at = coalesce(disabled_at, $2) where username = $1",
    )
    .bind(username)
    .bind(at.to_sqlx())
    .execute(pool)
    .await
    .map_err(backend)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

type SessionRow = (String, String, Ts, Ts, Ts);

pub async fn create_session(pool: &PgPool, s: &Session) -> Result<(), StoreError> {
    sqlx::query(
        "insert into sessions (token_hash, username, created_at, last_seen_at, expires_at)
         values ($1, $2, $3, $4, $5)",
    )
    .bind(&s.token_hash)
    .bind(&s.username)
    .bind(s.created_at.to_sqlx())
    .bind(s.last_seen_at.to_sqlx())
    .bind(s.expires_at.to_sqlx())
    .execute(pool)
    .await
    .map_err(backend)?;
    Ok(())
}

pub async fn session(pool: &PgPool, token_hash: &str) -> Result<Option<Session>, StoreError> {
    let row: Option<SessionRow> = sqlx::query_as(
        "select token_hash, username, created_at, last_seen_at, expires_at
           from sessions where token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await
    .map_err(backend)?;
    Ok(
        row.map(|(token_hash, username, created, seen, expires)| Session {
            token_hash,
            username,
            created_at: created.to_jiff(),
            last_seen_at: seen.to_jiff(),
            expires_at: expires.to_jiff(),
        }),
    )
}

pub async fn touch_session(
    pool: &PgPool,
    token_hash: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "update sessions set last_seen_at = greatest(last_seen_at, $2) where token_hash = $1",
    )
    .bind(token_hash)
    .bind(at.to_sqlx())
    .execute(pool)
    .await
    .map_err(backend)?;
    Ok(())
}

pub async fn delete_session(pool: &PgPool, token_hash: &str) -> Result<(), StoreError> {
    sqlx::query("delete from sessions where token_hash = $1")
        .bind(token_hash)
        .execute(pool)
        .await
        .map_err(backend)?;
    Ok(())
}

pub async fn delete_sessions_of(pool: &PgPool, username: &str) -> Result<u64, StoreError> {
    let done = sqlx::query("delete from sessions where username = $1")
        .bind(username)
        .execute(pool)
        .await
        .map_err(backend)?;
    Ok(done.rows_affected())
}

type TokenRow = (String, String, String, Ts, Option<Ts>);

fn api_token(r: TokenRow) -> Result<ApiToken, StoreError> {
    let (name, token_hash, scope, created, revoked) = r;
    Ok(ApiToken {
        name,
        token_hash,
        scope,
        created_at: created.to_jiff(),
        revoked_at: read_time(revoked)?,
    })
}

pub async fn create_api_token(pool: &PgPool, t: &ApiToken) -> Result<(), StoreError> {
    let done = sqlx::query(
        "insert into api_tokens (name, token_hash, scope, created_at, revoked_at)
         values ($1, $2, $3, $4, $5) on conflict do nothing",
    )
    .bind(&t.name)
    .bind(&t.token_hash)
    .bind(&t.scope)
    .bind(t.created_at.to_sqlx())
    .bind(opt_time(t.revoked_at))
    .execute(pool)
    .await
    .map_err(backend)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict("api_tokens".into()));
    }
    Ok(())
}

pub async fn get_api_token(
    pool: &PgPool,
    token_hash: &str,
) -> Result<Option<ApiToken>, StoreError> {
    let row: Option<TokenRow> = sqlx::query_as(
        "select name, token_hash, scope, created_at, revoked_at from api_tokens
          where token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await
    .map_err(backend)?;
    row.map(api_token).transpose()
}

pub async fn list_api_tokens(pool: &PgPool) -> Result<Vec<ApiToken>, StoreError> {
    let rows: Vec<TokenRow> = sqlx::query_as(
        "select name, token_hash, scope, created_at, revoked_at from api_tokens order by name",
    )
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    rows.into_iter().map(api_token).collect()
}

pub async fn revoke_api_token(pool: &PgPool, name: &str, at: Timestamp) -> Result<(), StoreError> {
    let done =
        sqlx::query("update api_tokens set revoked_at = coalesce(revoked_at, $2) where name = $1")
            .bind(name)
            .bind(at.to_sqlx())
            .execute(pool)
            .await
            .map_err(backend)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
