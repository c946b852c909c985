//! `kuaiwei token add|list|revoke`: API keys for machine clients, such as an e-commerce platform
//! that files complaints for its right holders. A key may file complaints and nothing else; it is
//! printed once, when made, and only its hash is kept.

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use kuaiwei_store::{Store, StoreError};

use crate::StoreArgs;
use crate::user_cli::record;

/// A key's name follows the user-name alphabet.
fn key_name(raw: &str) -> Result<String> {
    kuaiwei_access::username(raw).map_err(|_| {
        anyhow::anyhow!(
            "名称 {raw:?} 不可用：须为3至64个字符，仅含字母、数字和 . _ - / \
             name {raw:?} is not usable: 3 to 64 of letters, digits and . _ -"
        )
    })
}

#[derive(Subcommand)]
pub enum TokenCmd {
    /// Make a key for a platform; it is printed once: hand it over safely
    Add(NameArgs),
    /// List the keys (never the keys themselves)
    List(StoreArgs),
    /// Revoke a key: it is refused from now on, and kept for the record
    Revoke(NameArgs),
}

#[derive(Args)]
pub struct NameArgs {
    /// Who holds the key, e.g. taobao (3-64 of a-z 0-9 . _ -): complaints it files name it
    name: String,
    #[command(flatten)]
    store: StoreArgs,
}

impl TokenCmd {
    pub fn store_args(&self) -> &StoreArgs {
        match self {
            TokenCmd::Add(a) | TokenCmd::Revoke(a) => &a.store,
            TokenCmd::List(s) => s,
        }
    }
}

pub async fn run(cmd: TokenCmd, store: &dyn Store) -> Result<()> {
    let now = jiff::Timestamp::now();
    match cmd {
        TokenCmd::Add(a) => {
            let name = key_name(&a.name)?;
            let (token, key) = kuaiwei_server::auth::new_api_token(&name, now)
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            match store.create_api_token(&token).await {
                Err(StoreError::Conflict(_)) => {
                    bail!(
                        "名称 {name} 已被使用（已停用的也不再使用） / the name {name} is taken (revoked names are not reused)"
                    )
                }
                other => other?,
            }
            record(
                store,
                &format!("token:{name}"),
                "token_created",
                serde_json::json!({"scope": token.scope}),
                now,
            )
            .await?;
            eprintln!(
                "已创建 API 密钥 / API key made for {name} (scope {}). 仅此一次显示 / shown this once:",
                token.scope
            );
            println!("{key}");
        }
        TokenCmd::List(_) => {
            println!("name\tscope\tcreated\trevoked");
            for t in store.api_tokens().await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    t.name,
                    t.scope,
                    t.created_at,
                    t.revoked_at
                        .map(|t| t.to_string())
                        .unwrap_or_else(|| "-".into())
                );
            }
        }
        TokenCmd::Revoke(a) => {
            let name = key_name(&a.name)?;
            match store.revoke_api_token(&name, now).await {
                Err(StoreError::NotFound) => {
                    bail!("没有名为 {name} 的 API 密钥 / no API key named {name}")
                }
                other => other?,
            }
            record(
                store,
                &format!("token:{name}"),
                "token_revoked",
                serde_json::json!({}),
                now,
            )
            .await?;
            println!("已停用 / revoked the API key of {name}");
        }
    }
    Ok(())
}
