//! `kuaiwei user add|list|contact|disable|reset-password`: staff accounts from the command line. A
//! password is read from a prompt (not echoed) or, when standard input is not a terminal, from
//! its first line; never from a flag, so it stays out of shell history and process lists.

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use kuaiwei_access::password;
use kuaiwei_store::Store;

use crate::StoreArgs;

#[derive(Subcommand)]
pub enum UserCmd {
    /// Create an account; the password is asked for (or read from standard input)
    Add(AddArgs),
    /// List the accounts (never their passwords; where they are told, masked)
    List(StoreArgs),
    /// Set where an account is told of decisions, requests awaiting it and its daily deadline
    /// watch: only the flags given change; an empty value removes (`--mobile ''`)
    Contact(ContactArgs),
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
    notices: NoticeFlags,
    #[command(flatten)]
    store: StoreArgs,
}

/// Where an account is told (`[notify]` must configure the channel).
#[derive(Args)]
pub struct NoticeFlags {
    /// The e-mail address notices go to
    #[arg(long)]
    email: Option<String>,
    /// A mainland mobile number for text messages
    #[arg(long)]
    mobile: Option<String>,
    /// The language of notices: zh-CN (the default) or en
    #[arg(long)]
    lang: Option<String>,
}

#[derive(Args)]
pub struct ContactArgs {
    username: String,
    #[command(flatten)]
    notices: NoticeFlags,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Args)]
pub struct NameArgs {
    username: String,
    #[command(flatten)]
    store: StoreArgs,
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
            let username = kuaiwei_server::accounts::username(&a.username).map_err(app)?;
            kuaiwei_server::accounts::role_and_agency(&a.role, a.agency.as_deref()).map_err(app)?;
            // checked before the password is asked for
            kuaiwei_server::accounts::contact(kuaiwei_server::accounts::ContactInput {
                email: a.notices.email.as_deref(),
                mobile: a.notices.mobile.as_deref(),
                lang: a.notices.lang.as_deref(),
            })
            .map_err(app)?;
            if store.account(&username).await?.is_some() {
                bail!("用户名 {username} 已存在 / the user name {username} is taken");
            }
            let secret = new_password(&username)?;
            let account = kuaiwei_server::accounts::create(
                store,
                &actor(),
                kuaiwei_server::accounts::NewAccount {
                    username: &username,
                    display_name: a.name.as_deref(),
                    role: &a.role,
                    agency: a.agency.as_deref(),
                    password: &secret,
                    contact: kuaiwei_server::accounts::ContactInput {
                        email: a.notices.email.as_deref(),
                        mobile: a.notices.mobile.as_deref(),
                        lang: a.notices.lang.as_deref(),
                    },
                },
                now,
            )
            .await
            .map_err(app)?;
            println!(
                "已创建账号 / created account {} ({})",
                account.username, account.role
            );
        }
        UserCmd::List(_) => {
            println!("username\trole\tagency\tname\tcreated\tdisabled\temail\tmobile\tlang");
            for a in store.accounts().await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    a.username,
                    a.role,
                    a.agency.as_deref().unwrap_or("-"),
                    a.display_name,
                    a.created_at,
                    a.disabled_at
                        .map(|t| t.to_string())
                        .unwrap_or_else(|| "-".into()),
                    a.contact
                        .email
                        .as_deref()
                        .map_or_else(|| "-".into(), kuaiwei_domain::pii::email),
                    a.contact
                        .mobile
                        .as_deref()
                        .map_or_else(|| "-".into(), kuaiwei_server::accounts::masked_mobile),
                    a.contact.lang,
                );
            }
        }
        UserCmd::Contact(a) => {
            let username = kuaiwei_server::accounts::username(&a.username).map_err(app)?;
            let Some(account) = store.account(&username).await? else {
                bail!("没有用户名为 {username} 的账号 / no account named {username}");
            };
            // the flags given replace; the others keep what was set
            let was = &account.contact;
            let f = &a.notices;
            let set = kuaiwei_server::accounts::set_contact(
                store,
                &actor(),
                &username,
                kuaiwei_server::accounts::ContactInput {
                    email: f.email.as_deref().or(was.email.as_deref()),
                    mobile: f.mobile.as_deref().or(was.mobile.as_deref()),
                    lang: f.lang.as_deref().or(Some(was.lang.as_str())),
                },
                now,
            )
            .await
            .map_err(app)?;
            println!(
                "已更新 / updated {username}: email {}, mobile {}, lang {}",
                set.email
                    .as_deref()
                    .map_or_else(|| "-".into(), kuaiwei_domain::pii::email),
                set.mobile
                    .as_deref()
                    .map_or_else(|| "-".into(), kuaiwei_server::accounts::masked_mobile),
                set.lang
            );
        }
        UserCmd::Disable(a) => {
            let ended = kuaiwei_server::accounts::disable(store, &actor(), &a.username, now)
                .await
                .map_err(app)?;
            println!(
                "已停用 / disabled {}; 已结束会话 / sessions ended: {ended}",
                a.username.trim()
            );
        }
        UserCmd::ResetPassword(a) => {
            let username = kuaiwei_server::accounts::username(&a.username).map_err(app)?;
            if store.account(&username).await?.is_none() {
                bail!("没有用户名为 {username} 的账号 / no account named {username}");
            }
            let secret = new_password(&username)?;
            let ended =
                kuaiwei_server::accounts::reset_password(store, &actor(), &username, &secret, now)
                    .await
                    .map_err(app)?;
            println!(
                "已重设密码 / password reset for {username}; 已结束会话 / sessions ended: {ended}"
            );
        }
    }
    Ok(())
}

/// The actor of a command run on this machine: `cli:` and the login name.
pub(crate) fn actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    )
}

/// A service error, with the flag to change where the command line has one.
fn app(e: kuaiwei_server::AppError) -> anyhow::Error {
    let hint = match e.field_codes().as_slice() {
        [("agency", "required")] => "\n  请加上 --agency / add --agency",
        [("agency", "not_allowed")] => "\n  请去掉 --agency / drop --agency",
        [("role", _)] => "\n  --role: caseworker, officer, supervisor, administrator",
        [("lang", _)] => "\n  --lang: zh-CN, en",
        _ => "",
    };
    anyhow::anyhow!("{}{hint}", e.message())
}

impl UserCmd {
    pub fn store_args(&self) -> &StoreArgs {
        match self {
            UserCmd::Add(a) => &a.store,
            UserCmd::List(s) => s,
            UserCmd::Contact(a) => &a.store,
            UserCmd::Disable(a) | UserCmd::ResetPassword(a) => &a.store,
        }
    }
}
