//! Signed HTTP deliveries (platform webhooks and the SMS gateway): the receiver checks that the
//! body comes from kuaiwei and is fresh.
//!
//! Headers sent with each POST:
//! - `X-Kuaiwei-Delivery`: the message's key, the same on every retry (the receiver's
//!   idempotency key: a delivery seen before is acknowledged and not acted on again);
//! - `X-Kuaiwei-Timestamp`: seconds since 1970 when the attempt was signed;
//! - `X-Kuaiwei-Signature`: `sha256=` and the lowercase hex HMAC-SHA256, keyed with the shared
//!   secret, of `{timestamp}.{delivery}.{body}`.
//!
//! A receiver refuses a timestamp more than [`TOLERANCE_SECS`] from its own clock and a delivery
//! key it has already acted on, so a captured request cannot be replayed.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

pub const DELIVERY: &str = "x-kuaiwei-delivery";
pub const TIMESTAMP: &str = "x-kuaiwei-timestamp";
pub const SIGNATURE: &str = "x-kuaiwei-signature";

/// How far a signed timestamp may be from the receiver's clock.
pub const TOLERANCE_SECS: i64 = 300;

fn mac(secret: &[u8], timestamp: i64, delivery: &str, body: &[u8]) -> Hmac<Sha256> {
    let mut m =
        <Hmac<Sha256> as KeyInit>::new_from_slice(secret).expect("HMAC takes any key length");
    m.update(timestamp.to_string().as_bytes());
    m.update(b".");
    m.update(delivery.as_bytes());
    m.update(b".");
    m.update(body);
    m
}

/// The `X-Kuaiwei-Signature` value.
pub fn signature(secret: &[u8], timestamp: i64, delivery: &str, body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex::encode(
            mac(secret, timestamp, delivery, body)
                .finalize()
                .into_bytes()
        )
    )
}

/// Why a receiver refuses a delivery.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("signature does not match")]
    Signature,
    #[error("timestamp outside the tolerance")]
    Stale,
}

/// A receiver's check (constant time): the signature over `body` and a timestamp within
/// [`TOLERANCE_SECS`] of `now_secs`. The caller also refuses a delivery key it has seen.
pub fn verify(
    secret: &[u8],
    timestamp: i64,
    delivery: &str,
    body: &[u8],
    signature: &str,
    now_secs: i64,
) -> Result<(), Refused> {
    if (now_secs - timestamp).abs() > TOLERANCE_SECS {
        return Err(Refused::Stale);
    }
    let given = signature
        .strip_prefix("sha256=")
        .and_then(|h| hex::decode(h).ok())
        .ok_or(Refused::Signature)?;
    mac(secret, timestamp, delivery, body)
        .verify_slice(&given)
        .map_err(|_| Refused::Signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_its_secret_body_delivery_and_a_fresh_timestamp() {
        let s = signature(b"k3y", 1_790_000_000, "msg-7", b"{\"a\":1}");
        assert!(s.starts_with("sha256=") && s.len() == 7 + 64);
        assert_eq!(
            verify(
                b"k3y",
                1_790_000_000,
                "msg-7",
                b"{\"a\":1}",
                &s,
                1_790_000_100
            ),
            Ok(())
        );
        assert_eq!(
            verify(
                b"other",
                1_790_000_000,
                "msg-7",
                b"{\"a\":1}",
                &s,
                1_790_000_100
            ),
            Err(Refused::Signature)
        );
        assert_eq!(
            verify(
                b"k3y",
                1_790_000_000,
                "msg-8",
                b"{\"a\":1}",
                &s,
                1_790_000_100
            ),
            Err(Refused::Signature)
        );
        assert_eq!(
            verify(
                b"k3y",
                1_790_000_000,
                "msg-7",
                b"{\"a\":2}",
                &s,
                1_790_000_100
            ),
            Err(Refused::Signature)
        );
        assert_eq!(
            verify(
                b"k3y",
                1_790_000_000,
                "msg-7",
                b"{\"a\":1}",
                &s,
                1_790_000_301
            ),
            Err(Refused::Stale)
        );
        assert_eq!(
            verify(
                b"k3y",
                1_790_000_000,
                "msg-7",
                b"{\"a\":1}",
                "sha256=zz",
                1_790_000_000
            ),
            Err(Refused::Signature)
        );
    }
}
