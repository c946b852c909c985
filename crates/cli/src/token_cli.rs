//! `kuaiwei token add|list|revoke`: API keys for machine clients, such as an e-commerce platform
//! that files complaints for its right holders. A key may file complaints and nothing else; it is
//! printed once, when made, and only its hash is kept.

use anyhow::Result;
use clap::{Args, Subcommand};
use kuaiwei_store::Store;

use crate::StoreArgs;
use crate::user_cli::actor;

/// A key's name follows the user-name alphabet.

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
            let (token, key) =
                kuaiwei_server::accounts::create_api_key(store, &actor(), &a.name, now)
                    .await
                    .map_err(|e| anyhow::anyhow!(e.message()))?;
            eprintln!(
                "已创建 API 密钥 / API key made for {} (scope {}). 仅此一次显示 / shown this once:",
                token.name, token.scope
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
            kuaiwei_server::accounts::revoke_api_key(store, &actor(), &a.name, now)
                .await
                .map_err(|e| anyhow::anyhow!(e.message()))?;
            println!("已停用 / revoked the API key of {}", a.name.trim());
        }
    }
    Ok(())
}
