//! Settings for `kuaiwei serve`: command-line flags, then `KUAIWEI_*` environment variables
//! (clap reads both), then the config file, then defaults. A bad config file is refused with
//! the line that is wrong.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use kuaiwei_server::{IntakeSettings, Limits, TriageConfig};
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
    #[serde(default)]
    pub triage: FileTriage,
    #[serde(default)]
    pub rate: FileRate,
    #[serde(default)]
    pub audit: FileAudit,
    #[serde(default)]
    pub http: FileHttp,
    #[serde(default)]
    pub metrics: FileMetrics,
    /// `[notify]`: telling complainants, platforms and staff; off unless a channel is configured.
    pub notify: Option<FileNotify>,
}

/// `[notify]`: the channels people are told on (docs/operations.md "Notifications").
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileNotify {
    /// The address complainants reach kuaiwei at, for the links in messages.
    pub public_url: Option<String>,
    /// The delay after a first failed attempt, doubling each time up to an hour [default: 30].
    pub retry_first_secs: Option<u64>,
    /// Attempts before a message is given up and shown to administrators [default: 8].
    pub attempts: Option<u32>,
    pub email: Option<kuaiwei_notify::SmtpSettings>,
    pub sms: Option<FileHttpTarget>,
    /// One per platform API key (`kuaiwei token add NAME`): where its callbacks go.
    #[serde(default)]
    pub webhook: Vec<FileWebhook>,
}

/// `[notify.sms]`: the centre's SMS gateway, a signed JSON POST (docs/operations.md).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileHttpTarget {
    pub url: String,
    pub secret: String,
}

/// `[[notify.webhook]]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileWebhook {
    /// The API key's name, as `kuaiwei token add` made it.
    pub key: String,
    pub url: String,
    pub secret: String,
    /// A receiver on a private or loopback address is refused unless this is set.
    #[serde(default)]
    pub allow_private: bool,
}

/// An address no webhook may reach without `allow_private`: loopback, private, link-local,
/// unspecified, shared (100.64/10) or unique-local.
fn private(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v) => {
            v.is_loopback()
                || v.is_private()
                || v.is_link_local()
                || v.is_unspecified()
                || v.is_broadcast()
                || (v.octets()[0] == 100 && (64..128).contains(&v.octets()[1]))
        }
        std::net::IpAddr::V6(v) => {
            v.is_loopback()
                || v.is_unspecified()
                || (v.segments()[0] & 0xfe00) == 0xfc00
                || (v.segments()[0] & 0xffc0) == 0xfe80
                || v.to_ipv4_mapped()
                    .is_some_and(|m| private(std::net::IpAddr::V4(m)))
        }
    }
}

/// A receiver's URL: http or https with a host; a webhook's host must not be private (by its
/// literal address or what its name resolves to now) unless allowed.
fn receiver_url(key: &str, url: &str, check_private: bool) -> Result<()> {
    let bad = |why_zh: &str, why_en: &str| {
        anyhow::anyhow!(
            "配置项 [notify] {key} `{url}`：{why_zh} / config [notify] {key} `{url}`: {why_en}"
        )
    };
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| {
            bad(
                "须以 http:// 或 https:// 开头",
                "must start with http:// or https://",
            )
        })?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return Err(bad("缺少主机名", "has no host"));
    }
    if !check_private {
        return Ok(());
    }
    let host = authority
        .strip_prefix('[')
        .and_then(|h| h.split(']').next())
        .unwrap_or_else(|| authority.rsplit_once(':').map_or(authority, |(h, _)| h));
    let port = if url.starts_with("https") { 443 } else { 80 };
    let addrs: Vec<std::net::IpAddr> = match host.parse::<std::net::IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) if host.eq_ignore_ascii_case("localhost") => {
            vec![std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)]
        }
        Err(_) => std::net::ToSocketAddrs::to_socket_addrs(&(host, port))
            .map(|a| a.map(|s| s.ip()).collect())
            .unwrap_or_default(),
    };
    if addrs.into_iter().any(private) {
        return Err(bad(
            "指向内网或本机地址；如确需如此，请设 allow_private = true",
            "points at a private or loopback address; set allow_private = true if that is intended",
        ));
    }
    Ok(())
}

fn secret(key: &str, s: &str) -> Result<Vec<u8>> {
    if s.chars().count() < 16 {
        anyhow::bail!(
            "配置项 [notify] {key} 的 secret 至少16个字符 / config [notify] {key} secret must be at least 16 characters"
        );
    }
    Ok(s.as_bytes().to_vec())
}

/// `[metrics]`: Prometheus `/metrics` (docs/operations.md: Metrics), off without a token.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileMetrics {
    /// The scrape token a scraper sends as `Authorization: Bearer <token>`.
    pub token: Option<String>,
}

/// The token itself never appears in a debug print of the config.
impl std::fmt::Debug for FileMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileMetrics")
            .field("token", &self.token.as_ref().map(|_| "…"))
            .finish()
    }
}

/// The shortest scrape token accepted: a guessable one would let anyone read the metrics.
const METRICS_TOKEN_MIN: usize = 16;

/// `[audit]`: where the audit chain is anchored outside the database (docs/operations.md).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileAudit {
    /// The anchor key [default: DATA_DIR/audit-anchor.key, created owner-only at first use].
    pub anchor_key: Option<PathBuf>,
    /// The append-only anchor log [default: DATA_DIR/audit-anchors.log].
    pub anchor_log: Option<PathBuf>,
    /// How often the server anchors the head when it moved [default: 60].
    pub anchor_interval_secs: Option<u64>,
    /// A witness: a program and its arguments, given each anchor line on standard input.
    #[serde(default)]
    pub anchor_command: Vec<String>,
}

/// `[http]`: how long a client may take, and how many uploads run at once.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileHttp {
    pub header_read_secs: Option<u64>,
    pub keep_alive_idle_secs: Option<u64>,
    pub body_idle_secs: Option<u64>,
    pub body_secs: Option<u64>,
    pub max_concurrent_uploads: Option<u32>,
}

/// A number of seconds within `range`, or the default; anything else refused by name.
fn secs(
    section: &str,
    key: &str,
    v: Option<u64>,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<std::time::Duration> {
    let v = v.unwrap_or(default);
    if !range.contains(&v) {
        anyhow::bail!(
            "配置项 [{section}] {key} 须在 {lo} 到 {hi} 秒之间（{v} 不在此范围） / config [{section}] {key} must be between {lo} and {hi} seconds ({v} is not)",
            lo = range.start(),
            hi = range.end()
        );
    }
    Ok(std::time::Duration::from_secs(v))
}

/// `[rate]`: limits on public intake, per client address and per complainant.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRate {
    pub intake_per_address_per_minute: Option<u32>,
    pub intake_per_address_burst: Option<u32>,
    pub intake_per_complainant_per_hour: Option<u32>,
    pub intake_per_complainant_burst: Option<u32>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (e.g. `["127.0.0.1"]`).
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
}

/// `[triage]`: when a respondent is a repeat infringer, and when a fair sees group infringement.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileTriage {
    pub repeat_min_upheld: Option<u32>,
    pub repeat_window_days: Option<u32>,
    pub group_min_respondents: Option<u32>,
    pub photo_distance: Option<u32>,
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

    /// The triage thresholds, each defaulting on its own; zero is refused by name.
    pub fn triage(&self) -> Result<TriageConfig> {
        let d = TriageConfig::default();
        let t = &self.triage;
        for (key, v) in [
            ("repeat_min_upheld", t.repeat_min_upheld),
            ("repeat_window_days", t.repeat_window_days),
            ("group_min_respondents", t.group_min_respondents),
        ] {
            if v == Some(0) {
                anyhow::bail!(
                    "配置项 [triage] {key} 须至少为1 / config [triage] {key} must be at least 1"
                );
            }
        }
        if let Some(p) = t.photo_distance
            && p > kuaiwei_evidence::near::MAX_DISTANCE
        {
            anyhow::bail!(
                "配置项 [triage] photo_distance 最大为{max}（{p}太大） / config [triage] photo_distance is at most {max} ({p} is too large)",
                max = kuaiwei_evidence::near::MAX_DISTANCE
            );
        }
        Ok(TriageConfig {
            repeat_min_upheld: t.repeat_min_upheld.unwrap_or(d.repeat_min_upheld),
            repeat_window_days: t.repeat_window_days.unwrap_or(d.repeat_window_days),
            group_min_respondents: t.group_min_respondents.unwrap_or(d.group_min_respondents),
            photo_distance: t.photo_distance.unwrap_or(d.photo_distance),
        })
    }

    /// The reverse proxies to believe about client addresses; an entry that is not an IP address
    /// is refused by name.
    pub fn trusted_proxies(&self) -> Result<Vec<std::net::IpAddr>> {
        self.rate
            .trusted_proxies
            .iter()
            .map(|p| {
                p.trim().parse().map_err(|_| {
                    anyhow::anyhow!(
                        "配置项 [rate] trusted_proxies 中的 {p:?} 不是 IP 地址 / \
                         config [rate] trusted_proxies: {p:?} is not an IP address"
                    )
                })
            })
            .collect()
    }

    /// The intake rate limits, each defaulting on its own; zero is refused by name.
    pub fn intake_limits(&self) -> Result<IntakeSettings> {
        let r = &self.rate;
        let d = IntakeSettings::default();
        let pick = |key: &str, v: Option<u32>, default: u32| -> Result<u32> {
            match v {
                Some(0) => anyhow::bail!(
                    "配置项 [rate] {key} 须至少为1 / config [rate] {key} must be at least 1"
                ),
                v => Ok(v.unwrap_or(default)),
            }
        };
        Ok(IntakeSettings {
            address_per_minute: pick(
                "intake_per_address_per_minute",
                r.intake_per_address_per_minute,
                d.address_per_minute,
            )?,
            address_burst: pick(
                "intake_per_address_burst",
                r.intake_per_address_burst,
                d.address_burst,
            )?,
            complainant_per_hour: pick(
                "intake_per_complainant_per_hour",
                r.intake_per_complainant_per_hour,
                d.complainant_per_hour,
            )?,
            complainant_burst: pick(
                "intake_per_complainant_burst",
                r.intake_per_complainant_burst,
                d.complainant_burst,
            )?,
        })
    }

    /// The channels people are told on; `None` when `[notify]` configures none.
    pub fn notify(&self) -> Result<Option<kuaiwei_notify::Channels>> {
        let Some(n) = &self.notify else {
            return Ok(None);
        };
        if n.email.is_none() && n.sms.is_none() && n.webhook.is_empty() {
            return Ok(None);
        }
        let public_url = n.public_url.clone().ok_or_else(|| {
            anyhow::anyhow!(
                "配置项 [notify] 须填写 public_url（消息中的查询链接） / config [notify] needs public_url (the links in messages)"
            )
        })?;
        receiver_url("public_url", &public_url, false)?;
        let email = match &n.email {
            Some(e) => Some(kuaiwei_notify::Smtp::new(e).map_err(|e| {
                anyhow::anyhow!("配置项 [notify.email] 有误 / config [notify.email] is wrong: {e}")
            })?),
            None => None,
        };
        let sms = match &n.sms {
            Some(s) => {
                receiver_url("sms.url", &s.url, false)?;
                Some(kuaiwei_notify::HttpTarget {
                    url: s.url.clone(),
                    secret: secret("sms", &s.secret)?,
                })
            }
            None => None,
        };
        let mut webhooks = std::collections::HashMap::new();
        for (i, w) in n.webhook.iter().enumerate() {
            let key = format!("webhook[{i}]");
            receiver_url(&format!("{key}.url"), &w.url, !w.allow_private)?;
            let target = kuaiwei_notify::HttpTarget {
                url: w.url.clone(),
                secret: secret(&key, &w.secret)?,
            };
            if webhooks.insert(format!("api:{}", w.key), target).is_some() {
                anyhow::bail!(
                    "配置项 [[notify.webhook]] 的 key `{}` 重复 / config [[notify.webhook]] key `{}` is listed twice",
                    w.key,
                    w.key
                );
            }
        }
        let first = secs(
            "notify",
            "retry_first_secs",
            n.retry_first_secs,
            30,
            1..=3600,
        )?;
        let attempts = n.attempts.unwrap_or(8);
        if !(1..=20).contains(&attempts) {
            anyhow::bail!(
                "配置项 [notify] attempts 须在 1 到 20 之间 / config [notify] attempts must be between 1 and 20"
            );
        }
        Ok(Some(kuaiwei_notify::Channels {
            email,
            sms,
            webhooks,
            poster: kuaiwei_notify::Poster::new().map_err(|e| anyhow::anyhow!("{e}"))?,
            public_url,
            backoff: kuaiwei_notify::Backoff { first, attempts },
        }))
    }

    /// Where the audit chain is anchored, and how often the server anchors it.
    pub fn anchor(
        &self,
        data_dir: &Path,
    ) -> Result<(
        kuaiwei_server::audit::anchor::AnchorConfig,
        std::time::Duration,
    )> {
        let a = &self.audit;
        let mut config = kuaiwei_server::audit::anchor::AnchorConfig::in_data_dir(data_dir);
        if let Some(key) = &a.anchor_key {
            config.key = key.clone();
        }
        if let Some(log) = &a.anchor_log {
            config.log = log.clone();
        }
        if config.key == config.log {
            anyhow::bail!(
                "配置项 [audit] anchor_key 与 anchor_log 不能是同一个文件 / config [audit] anchor_key and anchor_log must be different files"
            );
        }
        if a.anchor_command
            .first()
            .is_some_and(|p| p.trim().is_empty())
        {
            anyhow::bail!(
                "配置项 [audit] anchor_command 的第一项须是程序名 / config [audit] anchor_command must start with a program name"
            );
        }
        config.command = a.anchor_command.clone();
        let every = secs(
            "audit",
            "anchor_interval_secs",
            a.anchor_interval_secs,
            60,
            1..=86_400,
        )?;
        Ok((config, every))
    }

    /// The connection and body timeouts and the upload cap, each defaulting on its own.
    pub fn http(&self) -> Result<kuaiwei_server::HttpSettings> {
        let h = &self.http;
        let d = kuaiwei_server::HttpSettings::default();
        let header_read = secs(
            "http",
            "header_read_secs",
            h.header_read_secs,
            d.header_read.as_secs(),
            1..=3_600,
        )?;
        let keep_alive_idle = secs(
            "http",
            "keep_alive_idle_secs",
            h.keep_alive_idle_secs,
            d.keep_alive_idle.as_secs(),
            1..=3_600,
        )?;
        let body_idle = secs(
            "http",
            "body_idle_secs",
            h.body_idle_secs,
            d.body_idle.as_secs(),
            1..=3_600,
        )?;
        let body = secs(
            "http",
            "body_secs",
            h.body_secs,
            d.body.as_secs(),
            1..=86_400,
        )?;
        if body_idle > body {
            anyhow::bail!(
                "配置项 [http] body_idle_secs（{}）不能大于 body_secs（{}） / config [http] body_idle_secs ({}) cannot exceed body_secs ({})",
                body_idle.as_secs(),
                body.as_secs(),
                body_idle.as_secs(),
                body.as_secs()
            );
        }
        let uploads = h.max_concurrent_uploads.unwrap_or(d.max_concurrent_uploads);
        if !(1..=10_000).contains(&uploads) {
            anyhow::bail!(
                "配置项 [http] max_concurrent_uploads 须在 1 到 10000 之间（{uploads} 不在此范围） / config [http] max_concurrent_uploads must be between 1 and 10000 ({uploads} is not)"
            );
        }
        Ok(kuaiwei_server::HttpSettings {
            header_read,
            keep_alive_idle,
            body_idle,
            body,
            max_concurrent_uploads: uploads,
        })
    }

    /// Whether `/metrics` is served: only with a token of at least 16 characters, without
    /// spaces or control characters (it travels in a header); anything else refused by name.
    pub fn metrics(&self) -> Result<kuaiwei_server::Metrics> {
        let Some(token) = &self.metrics.token else {
            return Ok(kuaiwei_server::Metrics::default());
        };
        let n = token.chars().count();
        if n < METRICS_TOKEN_MIN {
            anyhow::bail!(
                "配置项 [metrics] token 须至少 {METRICS_TOKEN_MIN} 个字符（现为 {n} 个） / config [metrics] token (metrics.token) must be at least {METRICS_TOKEN_MIN} characters ({n} given)"
            );
        }
        if !token.chars().all(|c| c.is_ascii_graphic()) {
            anyhow::bail!(
                "配置项 [metrics] token 只能含可打印的 ASCII 字符，不能有空格 / config [metrics] token (metrics.token) must be printable ASCII without spaces"
            );
        }
        Ok(kuaiwei_server::Metrics::with_token(token))
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

    fn notify(text: &str) -> Result<Option<kuaiwei_notify::Channels>> {
        let c: FileConfig = toml::from_str(text).expect("valid toml");
        c.notify()
    }

    #[test]
    fn notify_is_off_without_a_channel_and_each_bad_setting_is_refused_by_name() {
        assert!(notify("").unwrap().is_none());
        assert!(
            notify("[notify]\npublic_url = \"https://kw.test\"\n")
                .unwrap()
                .is_none()
        );
        let hook = |url: &str, extra: &str| {
            format!(
                "[notify]\npublic_url = \"https://kw.test\"\n[[notify.webhook]]\nkey = \"taobao\"\nurl = \"{url}\"\nsecret = \"0123456789abcdef\"\n{extra}"
            )
        };
        let ok = notify(&hook("https://93.184.215.14/cb", ""))
            .unwrap()
            .unwrap();
        assert_eq!(ok.webhook_sources(), ["api:taobao"]);
        for private in [
            "http://127.0.0.1:8080/cb",
            "http://10.1.2.3/cb",
            "http://192.168.0.9/cb",
            "http://[::1]:9000/cb",
            "http://localhost/cb",
            "http://169.254.169.254/latest/meta-data",
        ] {
            let e = notify(&hook(private, "")).unwrap_err().to_string();
            assert!(
                e.contains("allow_private") && e.contains(private),
                "{private}: {e}"
            );
            assert!(
                notify(&hook(private, "allow_private = true")).is_ok(),
                "{private}"
            );
        }
        let e = notify(&hook("ftp://example.com/cb", ""))
            .unwrap_err()
            .to_string();
        assert!(e.contains("http://") && e.contains("webhook[0].url"), "{e}");
        let short = "[notify]\npublic_url = \"https://kw.test\"\n[notify.sms]\nurl = \"https://sms.test/send\"\nsecret = \"short\"\n";
        let e = notify(short).unwrap_err().to_string();
        assert!(e.contains("sms") && e.contains("16"), "{e}");
        let no_url =
            "[notify.sms]\nurl = \"https://sms.test/send\"\nsecret = \"0123456789abcdef\"\n";
        assert!(
            notify(no_url)
                .unwrap_err()
                .to_string()
                .contains("public_url")
        );
        let twice = format!(
            "{}[[notify.webhook]]\nkey = \"taobao\"\nurl = \"https://93.184.215.14/b\"\nsecret = \"0123456789abcdef\"\n",
            hook("https://93.184.215.14/a", "")
        );
        assert!(notify(&twice).unwrap_err().to_string().contains("taobao"));
        let mail = "[notify]\npublic_url = \"https://kw.test\"\n[notify.email]\nhost = \"smtp.kw.test\"\nfrom = \"not an address\"\n";
        assert!(
            notify(mail)
                .unwrap_err()
                .to_string()
                .contains("notify.email.from")
        );
        let attempts = "[notify]\npublic_url = \"https://kw.test\"\nattempts = 0\n[notify.sms]\nurl = \"https://sms.test/send\"\nsecret = \"0123456789abcdef\"\n";
        assert!(
            notify(attempts)
                .unwrap_err()
                .to_string()
                .contains("attempts")
        );
    }

    #[test]
    fn unknown_keys_are_refused_with_their_line() {
        let err = toml::from_str::<FileConfig>("listen = \"127.0.0.1:8080\"\nlisten_port = 1\n")
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("listen_port"), "{text}");
        assert!(text.contains('2'), "{text}");
    }

    #[test]
    fn triage_thresholds_default_key_by_key_and_refuse_zero() {
        let c: FileConfig = toml::from_str("[triage]\nrepeat_min_upheld = 3\n").unwrap();
        let t = c.triage().unwrap();
        assert_eq!(t.repeat_min_upheld, 3);
        assert_eq!(
            t.repeat_window_days,
            TriageConfig::default().repeat_window_days
        );
        let c: FileConfig = toml::from_str("[triage]\ngroup_min_respondents = 0\n").unwrap();
        let e = c.triage().unwrap_err().to_string();
        assert!(e.contains("group_min_respondents"), "{e}");
    }

    #[test]
    fn the_example_config_in_deploy_is_valid() {
        let c: FileConfig =
            toml::from_str(include_str!("../../../deploy/kuaiwei.example.toml")).unwrap();
        c.triage().unwrap();
        c.intake_limits().unwrap();
        assert_eq!(c.trusted_proxies().unwrap().len(), 2);
    }

    #[test]
    fn trusted_proxies_are_ip_addresses_or_refused_by_name() {
        let c: FileConfig =
            toml::from_str("[rate]\ntrusted_proxies = [\"127.0.0.1\", \"::1\"]\n").unwrap();
        assert_eq!(c.trusted_proxies().unwrap().len(), 2);
        let c: FileConfig =
            toml::from_str("[rate]\ntrusted_proxies = [\"proxy.local\"]\n").unwrap();
        let e = c.trusted_proxies().unwrap_err().to_string();
        assert!(e.contains("\"proxy.local\" is not an IP address"), "{e}");
        assert!(FileConfig::default().trusted_proxies().unwrap().is_empty());
    }

    #[test]
    fn rate_limits_default_key_by_key_and_refuse_zero() {
        let c: FileConfig = toml::from_str("[rate]\nintake_per_complainant_burst = 5\n").unwrap();
        let r = c.intake_limits().unwrap();
        assert_eq!(r.complainant_burst, 5);
        assert_eq!(r.address_burst, IntakeSettings::default().address_burst);
        let c: FileConfig = toml::from_str("[rate]\nintake_per_address_burst = 0\n").unwrap();
        let e = c.intake_limits().unwrap_err().to_string();
        assert!(
            e.contains("intake_per_address_burst") && e.contains(" / "),
            "{e}"
        );
        let e = toml::from_str::<FileConfig>("[rate]\nintake_per_day = 5\n").unwrap_err();
        assert!(e.to_string().contains("intake_per_day"));
    }

    #[test]
    fn http_settings_default_key_by_key_and_refuse_bad_values_by_name() {
        let c: FileConfig = toml::from_str("[http]\nheader_read_secs = 3\n").unwrap();
        let h = c.http().unwrap();
        assert_eq!(h.header_read.as_secs(), 3);
        let d = kuaiwei_server::HttpSettings::default();
        assert_eq!(h.body, d.body);
        assert_eq!(h.max_concurrent_uploads, d.max_concurrent_uploads);
        for (text, key) in [
            ("header_read_secs = 0", "header_read_secs"),
            ("keep_alive_idle_secs = 99999", "keep_alive_idle_secs"),
            ("body_secs = 0", "body_secs"),
            ("max_concurrent_uploads = 0", "max_concurrent_uploads"),
            ("body_idle_secs = 50\nbody_secs = 40", "body_idle_secs"),
        ] {
            let c: FileConfig = toml::from_str(&format!("[http]\n{text}\n")).unwrap();
            let e = c.http().unwrap_err().to_string();
            assert!(e.contains(key) && e.contains(" / "), "{text}: {e}");
        }
        let e = toml::from_str::<FileConfig>("[http]\nheader_timeout = 5\n").unwrap_err();
        assert!(e.to_string().contains("header_timeout"));
        let e = toml::from_str::<FileConfig>("[http]\nbody_secs = -1\n").unwrap_err();
        assert!(e.to_string().contains("body_secs"), "{e}");
    }

    #[test]
    fn the_anchor_lives_in_the_data_directory_unless_configured() {
        let dir = Path::new("/srv/kuaiwei");
        let (a, every) = FileConfig::default().anchor(dir).unwrap();
        assert_eq!(a.key, dir.join("audit-anchor.key"));
        assert_eq!(a.log, dir.join("audit-anchors.log"));
        assert_eq!(every.as_secs(), 60);
        let c: FileConfig = toml::from_str(
            "[audit]\nanchor_key = \"/etc/kuaiwei/anchor.key\"\nanchor_interval_secs = 10\nanchor_command = [\"logger\", \"-t\", \"kuaiwei\"]\n",
        )
        .unwrap();
        let (a, every) = c.anchor(dir).unwrap();
        assert_eq!(a.key, Path::new("/etc/kuaiwei/anchor.key"));
        assert_eq!((every.as_secs(), a.command.len()), (10, 3));
        for (text, key) in [
            ("anchor_interval_secs = 0", "anchor_interval_secs"),
            ("anchor_command = [\"\"]", "anchor_command"),
            ("anchor_key = \"/x\"\nanchor_log = \"/x\"", "anchor_log"),
        ] {
            let c: FileConfig = toml::from_str(&format!("[audit]\n{text}\n")).unwrap();
            let e = c.anchor(dir).unwrap_err().to_string();
            assert!(e.contains(key), "{text}: {e}");
        }
    }

    #[test]
    fn metrics_are_off_without_a_token_and_a_short_or_blank_token_is_refused_by_name() {
        assert!(!FileConfig::default().metrics().unwrap().is_on());
        let c: FileConfig =
            toml::from_str("[metrics]\ntoken = \"a-long-enough-scrape-token\"\n").unwrap();
        assert!(c.metrics().unwrap().is_on());
        for token in [
            "",
            "short-token",
            "fifteen-chars-x",
            "has a space in the middle",
            "制表符\t和中文字符也不可以用作令牌",
        ] {
            let c: FileConfig = toml::from_str(&format!("[metrics]\ntoken = {token:?}\n")).unwrap();
            let e = c.metrics().err().expect(token).to_string();
            assert!(
                e.contains("metrics.token") && e.contains(" / "),
                "{token:?}: {e}"
            );
        }
        let e = toml::from_str::<FileConfig>("[metrics]\nlisten = \"0.0.0.0:9000\"\n").unwrap_err();
        assert!(e.to_string().contains("listen"), "{e}");
        let c: FileConfig =
            toml::from_str("[metrics]\ntoken = \"a-long-enough-scrape-token\"\n").unwrap();
        assert!(
            !format!("{c:?}").contains("a-long-enough"),
            "the token is not printed"
        );
    }

    #[test]
    fn limits_fall_back_to_defaults_key_by_key() {
        let c: FileConfig = toml::from_str("[limits]\nfiles = 5\n").unwrap();
        assert_eq!(c.limits().files, 5);
        assert_eq!(c.limits().file_bytes, Limits::default().file_bytes);
    }
}
