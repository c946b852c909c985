//! Settings for `kuaiwei serve`: command-line flags, then `KUAIWEI_*` environment variables
//! (clap reads both), then the config file, then defaults. A bad config file is refused with
//! the line that is wrong.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use kuaiwei_server::Limits;
use serde::Deserialize;

/// The config file (TOML). Every key is optional; unknown keys are refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub commit_batch: Option<usize>,
    #[serde(default)]
    pub limits: FileLimits,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileLimits {
    pub json_bytes: Option<usize>,
    pub file_bytes: Option<u64>,
    pub files: Option<usize>,
    pub request_bytes: Option<usize>,
}

impl FileConfig {
    /// Reads `path`; a missing file is an error only when it was named explicitly.
    pub fn load(path: Option<&Path>) -> Result<FileConfig> {
        let Some(path) = path else {
            return Ok(FileConfig::default());
        };
        let text = std::fs::read_to_string(path).with_context(|| {
            format!(
                "无法读取配置文件 / cannot read config file {}",
                path.display()
            )
        })?;
        toml::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "配置文件有误 / config file {} is invalid: {}",
                path.display(),
                e.to_string().trim_end()
            )
        })
    }

    pub fn limits(&self) -> Limits {
        let d = Limits::default();
        Limits {
            json_bytes: self.limits.json_bytes.unwrap_or(d.json_bytes),
            file_bytes: self.limits.file_bytes.unwrap_or(d.file_bytes),
            files: self.limits.files.unwrap_or(d.files),
            request_bytes: self.limits.request_bytes.unwrap_or(d.request_bytes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_refused_with_their_line() {
        let err = toml::from_str::<FileConfig>("listen = \"127.0.0.1:8080\"\nlisten_port = 1\n")
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("listen_port"), "{text}");
        assert!(text.contains('2'), "{text}");
    }

    #[test]
    fn limits_fall_back_to_defaults_key_by_key() {
        let c: FileConfig = toml::from_str("[limits]\nfiles = 5\n").unwrap();
        assert_eq!(c.limits().files, 5);
        assert_eq!(c.limits().file_bytes, Limits::default().file_bytes);
    }
}
