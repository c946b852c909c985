//! Staff accounts as one service for the administrator's page, the API and `kuaiwei user`:
//! creating, disabling and resetting the password of an account, and setting where it is told
//! of what concerns it (e-mail, mobile, language), each checked the same way and recorded on
//! the audit chain (subject `account:NAME`) with the actor who did it.

use jiff::Timestamp;
use kuaiwei_access::{AgencyRule, Role, password};
use kuaiwei_domain::{Email, MobileNumber, ValidationErrors};
use kuaiwei_store::{Account, Contact, RecordedEvent, Store, StoreError};

use crate::AppError;

/// A new account as asked for (every field still to be checked).
pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: Option<&'a str>,
    pub role: &'a str,
    pub agency: Option<&'a str>,
    pub password: &'a str,
    pub contact: ContactInput<'a>,
}

/// Where an account is told, as asked for: blank is none, a missing language is zh-CN.
#[derive(Debug, Clone, Copy, Default)]
pub struct ContactInput<'a> {
    pub email: Option<&'a str>,
    pub mobile: Option<&'a str>,
    pub lang: Option<&'a str>,
}

/// The languages a notice is written in.
pub const NOTICE_LANGS: [&str; 2] = ["zh-CN", "en"];

/// The contact checked, every bad field named at once (422 on `email`, `mobile`, `lang`).
pub fn contact(input: ContactInput<'_>) -> Result<Contact, AppError> {
    fn given(v: Option<&str>) -> Option<&str> {
        v.map(str::trim).filter(|v| !v.is_empty())
    }
    let mut errors = ValidationErrors::default();
    let email = given(input.email).and_then(|e| {
        errors
            .take("email", Email::parse(e))
            .map(|e| e.as_str().to_string())
    });
    let mobile = given(input.mobile).and_then(|m| {
        errors
            .take("mobile", MobileNumber::parse(m))
            .map(|m| m.as_str().to_string())
    });
    let lang = given(input.lang).unwrap_or("zh-CN");
    if !NOTICE_LANGS.contains(&lang) {
        errors.push(
            "lang",
            "unknown_value",
            format!("未知的通知语言 {lang:?}（可用 zh-CN、en）"),
            format!("unknown language of notices {lang:?} (zh-CN, en)"),
        );
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(Contact {
        email,
        mobile,
        lang: lang.to_string(),
    })
}

/// A contact as the audit chain and the pages show it: masked.
pub fn masked(c: &Contact) -> serde_json::Value {
    serde_json::json!({
        "email": c.email.as_deref().map(kuaiwei_domain::pii::email),
        "mobile": c.mobile.as_deref().map(masked_mobile),
        "lang": c.lang,
    })
}

/// `139****5678`.
pub fn masked_mobile(m: &str) -> String {
    MobileNumber::parse(m).map_or_else(|_| "****".into(), |n| n.masked())
}

fn field(path: &str, code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::field(path, code, zh, en)
}

/// The role and agency of an account, checked against each other (an officer needs an agency,
/// a caseworker or administrator has none).
pub fn role_and_agency(
    role: &str,
    agency: Option<&str>,
) -> Result<(Role, Option<String>), AppError> {
    let role = Role::parse(role).ok_or_else(|| {
        field(
            "role",
            "unknown_value",
            format!("未知的角色 {role:?}（可用 caseworker、officer、supervisor、administrator）"),
            format!("unknown role {role:?} (caseworker, officer, supervisor, administrator)"),
        )
    })?;
    let agency = agency.map(str::trim).filter(|a| !a.is_empty());
    if let Some(a) = agency
        && kuaiwei_routing::Agency::from_key(a).is_none()
    {
        return Err(field(
            "agency",
            "unknown_agency",
            format!(
                "未知的执法部门 {a:?}（可用 ip_office、market_regulation、copyright、customs、police）"
            ),
            format!(
                "unknown agency {a:?} (ip_office, market_regulation, copyright, customs, police)"
            ),
        ));
    }
    match (role.agency_rule(), agency) {
        (AgencyRule::Required, None) => Err(field(
            "agency",
            "required",
            format!("{}须指定所属部门", role.zh()),
            format!("an {} account needs an agency", role.key()),
        )),
        (AgencyRule::Forbidden, Some(_)) => Err(field(
            "agency",
            "not_allowed",
            format!("{}不属于任何执法部门，请不要选择部门", role.zh()),
            format!("a {} account has no agency", role.key()),
        )),
        _ => Ok((role, agency.map(str::to_string))),
    }
}

/// A user name as stored (3-64 of a-z 0-9 . _ -), or a 422 on `username`.
pub fn username(raw: &str) -> Result<String, AppError> {
    kuaiwei_access::username(raw).map_err(|(zh, en)| field("username", "invalid_value", zh, en))
}

/// A password that meets the policy for `username`, hashed (off the async workers).
async fn hashed(secret: &str, username: &str) -> Result<String, AppError> {
    password::check(secret, username)
        .map_err(|e| field("password", "weak_password", e.zh(), e.to_string()))?;
    let secret = secret.to_string();
    tokio::task::spawn_blocking(move || password::hash(&secret))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// An account or key change on the audit chain (`subject`: `account:NAME`, `token:NAME`).
async fn record(
    store: &dyn Store,
    subject: &str,
    actor: &str,
    kind: &str,
    payload: serde_json::Value,
    at: Timestamp,
) -> Result<(), AppError> {
    store
        .record_event(RecordedEvent {
            subject: subject.to_string(),
            event: kuaiwei_store::NewEvent {
                actor: actor.to_string(),
                kind: kind.into(),
                payload,
                reason: None,
            },
            at,
        })
        .await?;
    Ok(())
}

fn taken(username: &str) -> AppError {
    field(
        "username",
        "taken",
        format!("用户名 {username} 已存在"),
        format!("the user name {username} is taken"),
    )
}

/// Creates an account; every field error is named at once where they are independent.
pub async fn create(
    store: &dyn Store,
    actor: &str,
    new: NewAccount<'_>,
    now: Timestamp,
) -> Result<Account, AppError> {
    let username = username(new.username)?;
    let (role, agency) = role_and_agency(new.role, new.agency)?;
    let contact = contact(new.contact)?;
    let display_name = new
        .display_name
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| username.clone());
    if display_name.chars().count() > 50 {
        return Err(field(
            "display_name",
            "too_long",
            "姓名最长50个字符",
            "the name is at most 50 characters",
        ));
    }
    if store.account(&username).await?.is_some() {
        return Err(taken(&username));
    }
    let password_hash = hashed(new.password, &username).await?;
    let account = Account {
        username: username.clone(),
        display_name,
        role: role.key().into(),
        agency,
        password_hash,
        created_at: now,
        password_changed_at: now,
        disabled_at: None,
        contact,
    };
    match store.create_account(&account).await {
        Err(StoreError::Conflict(_)) => return Err(taken(&username)),
        other => other?,
    }
    record(
        store,
        &format!("account:{username}"),
        actor,
        "account_created",
        serde_json::json!({"role": role.key(), "agency": account.agency,
                           "contact": masked(&account.contact)}),
        now,
    )
    .await?;
    Ok(account)
}

fn no_account(username: &str) -> AppError {
    AppError::NotFoundWith {
        code: "no_account",
        zh: format!("没有用户名为 {username} 的账号"),
        en: format!("no account named {username}"),
    }
}

/// Sets where and in which language an account is told (replacing what was set), recorded on
/// the chain masked; the contact as now set.
pub async fn set_contact(
    store: &dyn Store,
    actor: &str,
    raw: &str,
    input: ContactInput<'_>,
    now: Timestamp,
) -> Result<Contact, AppError> {
    let username = username(raw)?;
    let contact = contact(input)?;
    match store.set_contact(&username, &contact).await {
        Err(StoreError::NotFound) => return Err(no_account(&username)),
        other => other?,
    }
    record(
        store,
        &format!("account:{username}"),
        actor,
        "contact_set",
        masked(&contact),
        now,
    )
    .await?;
    Ok(contact)
}

/// Disables an account and ends its sessions; returns how many ended.
pub async fn disable(
    store: &dyn Store,
    actor: &str,
    raw: &str,
    now: Timestamp,
) -> Result<u64, AppError> {
    let username = username(raw)?;
    match store.disable_account(&username, now).await {
        Err(StoreError::NotFound) => return Err(no_account(&username)),
        other => other?,
    }
    let ended = store.delete_sessions_of(&username).await?;
    record(
        store,
        &format!("account:{username}"),
        actor,
        "account_disabled",
        serde_json::json!({"sessions_ended": ended}),
        now,
    )
    .await?;
    Ok(ended)
}

/// Sets a new password (checked against the policy) and ends the account's sessions.
pub async fn reset_password(
    store: &dyn Store,
    actor: &str,
    raw: &str,
    secret: &str,
    now: Timestamp,
) -> Result<u64, AppError> {
    let username = username(raw)?;
    if store.account(&username).await?.is_none() {
        return Err(no_account(&username));
    }
    let hash = hashed(secret, &username).await?;
    match store.set_password(&username, &hash, now).await {
        Err(StoreError::NotFound) => return Err(no_account(&username)),
        other => other?,
    }
    let ended = store.delete_sessions_of(&username).await?;
    record(
        store,
        &format!("account:{username}"),
        actor,
        "password_reset",
        serde_json::json!({"sessions_ended": ended}),
        now,
    )
    .await?;
    Ok(ended)
}

/// A name for an API key (the platform it is for), or a 422 on `name`.
pub fn key_name(raw: &str) -> Result<String, AppError> {
    kuaiwei_access::username(raw).map_err(|_| {
        field(
            "name",
            "invalid_value",
            format!("名称 {raw:?} 不可用：须为3至64个字符，仅含字母、数字和 . _ -"),
            format!("name {raw:?} is not usable: 3 to 64 of letters, digits and . _ -"),
        )
    })
}

/// Makes an API key for a platform that files complaints: the stored record and the key, which
/// is shown once and kept nowhere.
pub async fn create_api_key(
    store: &dyn Store,
    actor: &str,
    raw: &str,
    now: Timestamp,
) -> Result<(kuaiwei_store::ApiToken, String), AppError> {
    let name = key_name(raw)?;
    let (token, key) = crate::auth::new_api_token(&name, now)?;
    match store.create_api_token(&token).await {
        Err(StoreError::Conflict(_)) => {
            return Err(field(
                "name",
                "taken",
                format!("名称 {name} 已被使用（已停用的也不再使用）"),
                format!("the name {name} is taken (revoked names are not reused)"),
            ));
        }
        other => other?,
    }
    record(
        store,
        &format!("token:{name}"),
        actor,
        "token_created",
        serde_json::json!({"scope": token.scope}),
        now,
    )
    .await?;
    Ok((token, key))
}

/// Revokes an API key: requests with it are refused from now on.
pub async fn revoke_api_key(
    store: &dyn Store,
    actor: &str,
    raw: &str,
    now: Timestamp,
) -> Result<(), AppError> {
    let name = key_name(raw)?;
    match store.revoke_api_token(&name, now).await {
        Err(StoreError::NotFound) => {
            return Err(AppError::NotFoundWith {
                code: "no_api_key",
                zh: format!("没有名为 {name} 的 API 密钥"),
                en: format!("no API key named {name}"),
            });
        }
        other => other?,
    }
    record(
        store,
        &format!("token:{name}"),
        actor,
        "token_revoked",
        serde_json::json!({}),
        now,
    )
    .await
}
