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

/// The two intake limits.
#[derive(Clone)]
pub struct IntakeLimits {
    pub per_address: RateLimit,
    pub per_identity: RateLimit,
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
