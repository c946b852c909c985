//! Rate limits on public intake. A whole fair hall can sit behind one Wi-Fi address, so the
//! limit per address is generous (a burst of hundreds), and a second, tighter limit per
//! complainant identity (credit code, else mobile, else name) keeps one filer from flooding
//! the centre from many addresses. Both answer 429 with Retry-After.
//!
//! Each limit is a GCRA (generic cell rate algorithm): per key, the instant its bucket is
//! theoretically empty again; kept in memory per server process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jiff::{SignedDuration, Timestamp};

/// `rate` requests per `per`, with bursts of up to `burst`.
#[derive(Clone)]
pub struct RateLimit {
    interval: SignedDuration,
    burst: u32,
    /// Per key: the theoretical arrival time of the next request.
    tat: Arc<Mutex<HashMap<String, Timestamp>>>,
}

impl RateLimit {
    pub fn new(rate: u32, per: SignedDuration, burst: u32) -> RateLimit {
        RateLimit {
            interval: per / rate.max(1) as i32,
            burst: burst.max(1),
            tat: Arc::default(),
        }
    }

    /// Counts one request for `key` at `now`; `Err(seconds)` to wait when it is over.
    pub fn check(&self, key: &str, now: Timestamp) -> Result<(), u64> {
        let mut tat = self.tat.lock().unwrap_or_else(|e| e.into_inner());
        if tat.len() > 100_000 {
            // forget keys whose bucket is empty again
            tat.retain(|_, t| *t > now);
        }
        let current = tat.get(key).copied().unwrap_or(now).max(now);
        let tolerance = self.interval * (self.burst as i32 - 1);
        let allowed_from = current - tolerance;
        if now < allowed_from {
            let wait = allowed_from.duration_since(now);
            return Err((wait.as_secs() + i64::from(wait.subsec_nanos() > 0)).max(1) as u64);
        }
        tat.insert(key.to_string(), current + self.interval);
        Ok(())
    }
}

/// The default figures of the intake limits (`[rate]` in the config file).
#[derive(Clone, Copy, Debug)]
pub struct IntakeSettings {
    /// Per client address: a fair hall behind one NAT files in bursts.
    pub address_per_minute: u32,
    pub address_burst: u32,
    /// Per complainant: a brand's agent may file dozens of booths in a morning.
    pub complainant_per_hour: u32,
    pub complainant_burst: u32,
}

impl Default for IntakeSettings {
    fn default() -> Self {
        IntakeSettings {
            address_per_minute: 600,
            address_burst: 300,
            complainant_per_hour: 60,
            complainant_burst: 30,
        }
    }
}

/// The two intake limits, and who may tell us a client's address.
#[derive(Clone)]
pub struct IntakeLimits {
    pub per_address: RateLimit,
    pub per_identity: RateLimit,
    /// Reverse proxies whose `X-Forwarded-For` is believed (`[rate] trusted_proxies`); empty:
    /// the peer's own address counts, whatever the header says.
    pub trusted_proxies: Arc<Vec<std::net::IpAddr>>,
    /// Upload slots (`[http] max_concurrent_uploads`): a multipart filing or supplement holds
    /// one while it runs (`crate::http::upload_slot`).
    pub uploads: Arc<tokio::sync::Semaphore>,
}

impl IntakeLimits {
    /// The rate limits, and `uploads` upload slots.
    pub fn new(s: IntakeSettings, uploads: u32) -> IntakeLimits {
        IntakeLimits {
            uploads: Arc::new(tokio::sync::Semaphore::new(uploads as usize)),
            ..s.into()
        }
    }
}

/// The address of the client behind a request: the peer's, or, when the peer is a trusted
/// proxy, the rightmost address in `X-Forwarded-For` that is not a trusted proxy (addresses to
/// its left were written by the client and prove nothing). A missing or unreadable header
/// leaves the peer's address.
pub fn client_address(
    trusted: &[std::net::IpAddr],
    peer: Option<std::net::IpAddr>,
    headers: &axum::http::HeaderMap,
) -> Option<std::net::IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let mut hops: Vec<std::net::IpAddr> = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        let Ok(text) = value.to_str() else {
            return Some(peer);
        };
        for part in text.split(',') {
            match part.trim().parse() {
                Ok(ip) => hops.push(ip),
                Err(_) => return Some(peer),
            }
        }
    }
    Some(
        hops.into_iter()
            .rev()
            .find(|ip| !trusted.contains(ip))
            .unwrap_or(peer),
    )
}

impl From<IntakeSettings> for IntakeLimits {
    fn from(s: IntakeSettings) -> Self {
        IntakeLimits {
            per_address: RateLimit::new(
                s.address_per_minute,
                SignedDuration::from_mins(1),
                s.address_burst,
            ),
            per_identity: RateLimit::new(
                s.complainant_per_hour,
                SignedDuration::from_hours(1),
                s.complainant_burst,
            ),
            trusted_proxies: Arc::default(),
            uploads: Arc::new(tokio::sync::Semaphore::new(
                crate::HttpSettings::default().max_concurrent_uploads as usize,
            )),
        }
    }
}

impl Default for IntakeLimits {
    fn default() -> Self {
        IntakeSettings::default().into()
    }
}

/// Who is filing: the complainant's credit code, else mobile, else folded name.
pub fn identity(c: &kuaiwei_domain::Complaint) -> String {
    let p = &c.complainant;
    if let Some(u) = &p.uscc {
        return format!("uscc:{}", u.as_str());
    }
    if let Some(m) = &p.mobile {
        return format!("mobile:{}", m.as_str());
    }
    let name: String = p
        .name
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    format!("name:{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_is_the_last_address_a_trusted_proxy_vouches_for() {
        let proxy: std::net::IpAddr = "127.0.0.1".parse().unwrap();
        let lb: std::net::IpAddr = "10.0.0.2".parse().unwrap();
        let headers = |v: &str| {
            let mut h = axum::http::HeaderMap::new();
            h.insert("x-forwarded-for", v.parse().unwrap());
            h
        };
        let ip = |s: &str| Some(s.parse::<std::net::IpAddr>().unwrap());
        // without trust the header is ignored
        assert_eq!(
            client_address(&[], Some(proxy), &headers("203.0.113.9")),
            Some(proxy)
        );
        let trusted = [proxy, lb];
        assert_eq!(
            client_address(&trusted, Some(proxy), &headers("203.0.113.9")),
            ip("203.0.113.9")
        );
        // a client cannot pick its address by writing one in: the rightmost untrusted counts
        assert_eq!(
            client_address(
                &trusted,
                Some(proxy),
                &headers("1.2.3.4, 203.0.113.9, 10.0.0.2")
            ),
            ip("203.0.113.9")
        );
        // a peer that is not a proxy is itself the client
        assert_eq!(
            client_address(&trusted, ip("198.51.100.7"), &headers("1.2.3.4")),
            ip("198.51.100.7")
        );
        // garbage or no header: the proxy's own address
        assert_eq!(
            client_address(&trusted, Some(proxy), &headers("nonsense")),
            Some(proxy)
        );
        assert_eq!(
            client_address(&trusted, Some(proxy), &axum::http::HeaderMap::new()),
            Some(proxy)
        );
        assert_eq!(client_address(&trusted, None, &headers("1.2.3.4")), None);
    }

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_burst_passes_then_requests_are_spaced_by_the_rate() {
        // 60 a minute (one a second), bursts of 3
        let limit = RateLimit::new(60, SignedDuration::from_mins(1), 3);
        let now = t("2026-10-15T02:00:00Z");
        for _ in 0..3 {
            assert_eq!(limit.check("hall-16", now), Ok(()));
        }
        assert_eq!(limit.check("hall-16", now), Err(1));
        assert_eq!(limit.check("hall-17", now), Ok(()), "keys are apart");
        let later = now + SignedDuration::from_secs(1);
        assert_eq!(limit.check("hall-16", later), Ok(()));
        assert_eq!(limit.check("hall-16", later), Err(1));
        // after a quiet spell the whole burst is back
        let quiet = now + SignedDuration::from_mins(5);
        for _ in 0..3 {
            assert_eq!(limit.check("hall-16", quiet), Ok(()));
        }
    }

    #[test]
    fn the_wait_is_rounded_up_to_whole_seconds() {
        // 30 an hour: one each 2 minutes, burst 1
        let limit = RateLimit::new(30, SignedDuration::from_hours(1), 1);
        let now = t("2026-10-15T02:00:00Z");
        assert_eq!(limit.check("k", now), Ok(()));
        assert_eq!(limit.check("k", now), Err(120));
        let soon = now + SignedDuration::from_millis(500);
        assert_eq!(limit.check("k", soon), Err(120));
        assert_eq!(
            limit.check("k", now + SignedDuration::from_secs(120)),
            Ok(())
        );
    }
}
