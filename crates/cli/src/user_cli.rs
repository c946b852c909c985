//! `kuaiwei user add|list|disable|reset-password`: staff accounts from the command line. A
//! password is read from a prompt (not echoed) or, when standard input is not a terminal, from
//! its first line; never from a flag, so it stays out of shell history and process lists.

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use kuaiwei_access::{AgencyRule, Role, password};
use kuaiwei_store::{Account, Store, StoreError};

use crate::StoreArgs;

#[derive(Subcommand)]
pub enum UserCmd {
    /// Create an account; the password is asked for (or read from standard input)
    Add(AddArgs),
    /// List the accounts (never their passwords)
    List(StoreArgs),
    /// Disable an account: it can no longer log in and is kept for the record
    Disable(NameArgs),
    /// Set a new password; it is asked for (or read from standard input)
    ResetPassword(NameArgs),
}

#[derive(Args)]
pub struct AddArgs {
    /// 3-64 of a-z 0-9 . _ -
    username: String,
    /// caseworker, officer, supervisor or administrator
    #[arg(long)]
    role: String,
    /// The officer's (or agency supervisor's) agency: ip_office, market_regulation, copyright,
    /// customs, police
    #[arg(long)]
    agency: Option<String>,
    /// The person's name as shown to colleagues (defaults to the user name)
    #[arg(long)]
    name: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Args)]
pub struct NameArgs {
    username: String,
    #[command(flatten)]
    store: StoreArgs,
}

fn either((zh, en): (String, String)) -> anyhow::Error {
    anyhow::anyhow!("{zh} / {en}")
}

/// The role and agency of a new account, checked against each other.
fn role_and_agency(role: &str, agency: Option<&str>) -> Result<(Role, Option<String>)> {
    let Some(role) = Role::parse(role) else {
        bail!(
            "未知的角色 {role:?}（可用 caseworker、officer、supervisor、administrator） / \
             unknown role {role:?} (caseworker, officer, supervisor, administrator)"
        );
    };
    let agency = agency.map(str::trim).filter(|a| !a.is_empty());
    if let Some(a) = agency
        && kuaiwei_routing::Agency::from_key(a).is_none()
    {
        bail!(
            "未知的执法部门 {a:?}（可用 ip_office、market_regulation、copyright、customs、police） / \
             unknown agency {a:?} (ip_office, market_regulation, copyright, customs, police)"
        );
    }
    match (role.agency_rule(), agency) {
        (AgencyRule::Required, None) => bail!(
            "{}须指定所属部门 --agency / an {} account needs --agency",
            role.zh(),
            role.key()
        ),
        (AgencyRule::Forbidden, Some(_)) => bail!(
            "{}不属于任何执法部门，请去掉 --agency / a {} account has no agency: drop --agency",
            role.zh(),
            role.key()
        ),
        _ => Ok((role, agency.map(str::to_string))),
    }
}

/// A new password that meets the policy: prompted twice on a terminal, else the first line of
/// standard input.
fn new_password(username: &str) -> Result<String> {
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("新密码 / New password: ")?;
        let second = rpassword::prompt_password("再输一次 / Again: ")?;
        if first != second {
            bail!("两次输入的密码不一致 / the two passwords differ");
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        line.trim_end_matches(['\n', '\r']).to_string()
    };
    password::check(&password, username).map_err(|e| anyhow::anyhow!("{} / {e}", e.zh()))?;
    Ok(password)
}

pub async fn run(cmd: UserCmd, store: &dyn Store) -> Result<()> {
    let now = jiff::Timestamp::now();
    match cmd {
        UserCmd::Add(a) => {
            let username = kuaiwei_access::username(&a.username).map_err(either)?;
            let (role, agency) = role_and_agency(&a.role, a.agency.as_deref())?;
            let display_name = a
                .name
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| username.clone());
            if display_name.chars().count() > 50 {
                bail!("姓名最长50个字符 / the name is at most 50 characters");
            }
            if store.account(&username).await?.is_some() {
                bail!("用户名 {username} 已存在 / the user name {username} is taken");
            }
            let secret = new_password(&username)?;
            let password_hash = password::hash(&secret)?;
            let account = Account {
                username: username.clone(),
                display_name,
                role: role.key().into(),
                agency,
                password_hash,
                created_at: now,
                password_changed_at: now,
                disabled_at: None,
            };
            match store.create_account(&account).await {
                Err(StoreError::Conflict(_)) => {
                    bail!("用户名 {username} 已存在 / the user name {username} is taken")
                }
                other => other?,
            }
            record(
                store,
                &format!("account:{username}"),
                "account_created",
                serde_json::json!({"role": role.key(), "agency": account.agency}),
                now,
            )
            .await?;
            println!("已创建账号 / created account {username} ({})", role.key());
        }
        UserCmd::List(_) => {
            println!("username\trole\tagency\tname\tcreated\tdisabled");
            for a in store.accounts().await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    a.username,
                    a.role,
                    a.agency.as_deref().unwrap_or("-"),
                    a.display_name,
                    a.created_at,
                    a.disabled_at
                        .map(|t| t.to_string())
                        .unwrap_or_else(|| "-".into())
                );
            }
        }
        UserCmd::Disable(a) => {
            let username = kuaiwei_access::username(&a.username).map_err(either)?;
            not_found(store.disable_account(&username, now).await, &username)?;
            let ended = store.delete_sessions_of(&username).await?;
            record(
                store,
                &format!("account:{username}"),
                "account_disabled",
                serde_json::json!({"sessions_ended": ended}),
                now,
            )
            .await?;
            println!("已停用 / disabled {username}; 已结束会话 / sessions ended: {ended}");
        }
        UserCmd::ResetPassword(a) => {
            let username = kuaiwei_access::username(&a.username).map_err(either)?;
            if store.account(&username).await?.is_none() {
                return not_found(Err(StoreError::NotFound), &username);
            }
            let secret = new_password(&username)?;
            let hash = password::hash(&secret)?;
            not_found(store.set_password(&username, &hash, now).await, &username)?;
            let ended = store.delete_sessions_of(&username).await?;
            record(
                store,
                &format!("account:{username}"),
                "password_reset",
                serde_json::json!({"sessions_ended": ended}),
                now,
            )
            .await?;
            println!(
                "已重设密码 / password reset for {username}; 已结束会话 / sessions ended: {ended}"
            );
        }
    }
    Ok(())
}

/// An account or key change on the audit chain (`subject`: `account:NAME`, `token:NAME`); the
/// actor is whoever ran the command on this machine.
pub(crate) async fn record(
    store: &dyn Store,
    subject: &str,
    kind: &str,
    payload: serde_json::Value,
    at: jiff::Timestamp,
) -> Result<()> {
    let who = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    store
        .record_event(kuaiwei_store::RecordedEvent {
            subject: subject.to_string(),
            event: kuaiwei_store::NewEvent {
                actor: format!("cli:{who}"),
                kind: kind.into(),
                payload,
                reason: None,
            },
            at,
        })
        .await?;
    Ok(())
}

fn not_found(r: Result<(), StoreError>, username: &str) -> Result<()> {
    match r {
        Err(StoreError::NotFound) => {
            bail!("没有用户名为 {username} 的账号 / no account named {username}")
        }
        other => Ok(other?),
    }
}

impl UserCmd {
    pub fn store_args(&self) -> &StoreArgs {
        match self {
            UserCmd::Add(a) => &a.store,
            UserCmd::List(s) => s,
            UserCmd::Disable(a) | UserCmd::ResetPassword(a) => &a.store,
        }
    }
}
