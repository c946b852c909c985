//! Passwords: one policy, checked before anything is stored, and argon2id hashes in PHC form.
//!
//! Hashing costs tens of milliseconds of CPU and 19 MiB of memory by design; callers in an async
//! server run it on a blocking thread behind a small semaphore.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

/// The OWASP minimum for argon2id: 19,456 KiB of memory, 2 passes, 1 lane.
pub const MEMORY_KIB: u32 = 19_456;
pub const PASSES: u32 = 2;
pub const LANES: u32 = 1;

pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 128;

const COMMON: &str = include_str!("../data/common-passwords.txt");

/// Why a password is refused, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("a password is {MIN_CHARS} to {MAX_CHARS} characters; this one has {0}")]
    Length(usize),
    #[error("this password is among the most common ones and is guessed first")]
    Common,
    #[error("the password may not be the user name")]
    UserName,
}

impl PolicyError {
    pub fn zh(&self) -> String {
        match self {
            PolicyError::Length(n) => {
                format!("密码长度应为{MIN_CHARS}至{MAX_CHARS}个字符，当前为{n}个")
            }
            PolicyError::Common => "该密码属于最常见的密码，容易被猜中".into(),
            PolicyError::UserName => "密码不能与用户名相同".into(),
        }
    }
}

/// Checks a new password: 8-128 characters (any Unicode, counted as characters), not one of
/// the bundled common passwords, not the user name (both compared without regard to case).
pub fn check(password: &str, username: &str) -> Result<(), PolicyError> {
    let n = password.chars().count();
    if !(MIN_CHARS..=MAX_CHARS).contains(&n) {
        return Err(PolicyError::Length(n));
    }
    let folded = password.to_lowercase();
    if folded == username.trim().to_lowercase() {
        return Err(PolicyError::UserName);
    }
    let common = COMMON
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|l| l.to_lowercase() == folded);
    if common {
        return Err(PolicyError::Common);
    }
    Ok(())
}

fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// An argon2id PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) with a fresh random salt.
pub fn hash(password: &str) -> Result<String, HashError> {
    hasher()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// The outcome of a password check against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    /// Right password; `rehash` when the stored hash is weaker than the policy (store a new one).
    Yes {
        rehash: bool,
    },
    No,
}

/// Verifies `password` against a stored PHC string. An unreadable stored hash is a `No`.
pub fn verify(password: &str, stored: &str) -> Verified {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return Verified::No;
    };
    if hasher()
        .verify_password(password.as_bytes(), &parsed)
        .is_err()
    {
        return Verified::No;
    }
    Verified::Yes {
        rehash: weaker_than_policy(&parsed),
    }
}

fn weaker_than_policy(h: &PasswordHash) -> bool {
    let Ok(params) = Params::try_from(h) else {
        return true;
    };
    h.algorithm.as_str() != "argon2id"
        || params.m_cost() < MEMORY_KIB
        || params.t_cost() < PASSES
        || params.p_cost() < LANES
}

/// For a user name that does not exist: the same work as a wrong password, so that neither the
/// answer nor its timing tells whether the account exists. Always `No`.
pub fn verify_unknown(password: &str) -> Verified {
    let _ = verify(password, dummy());
    Verified::No
}

/// A real hash at policy strength, made once, so that verifying against it does the full work.
fn dummy() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash("kuaiwei: no such user").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_counts_characters_not_bytes_and_names_the_problem() {
        assert_eq!(check("短密码", "li"), Err(PolicyError::Length(3)));
        assert_eq!(
            check("知识产权保护中心", "li"),
            Ok(()),
            "8 Chinese characters"
        );
        assert_eq!(check(&"a".repeat(129), "li"), Err(PolicyError::Length(129)));
        assert_eq!(check(&"好".repeat(128), "li"), Ok(()));
        assert_eq!(check("Password123", "li"), Err(PolicyError::Common));
        assert_eq!(check("WOAINI1314", "li"), Err(PolicyError::Common));
        assert_eq!(
            check("Officer.Li", "officer.li"),
            Err(PolicyError::UserName)
        );
        assert!(PolicyError::Length(3).zh().contains('3'));
        assert!(PolicyError::Common.to_string().contains("common"));
    }

    #[test]
    fn the_bundled_list_holds_no_password_the_length_rule_would_refuse_anyway() {
        for l in COMMON
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            assert!(l.chars().count() >= MIN_CHARS, "{l:?} is too short to list");
        }
    }

    #[test]
    fn a_hash_is_argon2id_at_policy_strength_and_verifies_only_its_password() {
        let h = hash("绿色通道-2026").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert_eq!(verify("绿色通道-2026", &h), Verified::Yes { rehash: false });
        assert_eq!(verify("绿色通道-2025", &h), Verified::No);
        assert_ne!(hash("绿色通道-2026").unwrap(), h, "a fresh salt each time");
        assert_eq!(verify("x", "not a hash"), Verified::No);
        assert_eq!(verify_unknown("绿色通道-2026"), Verified::No);
    }

    #[test]
    fn an_unknown_user_costs_a_full_verification() {
        // verify() does the whole argon2 computation whenever the stored hash parses; the
        // dummy parses and is at policy strength, so an unknown user costs what a known one does
        let parsed = PasswordHash::new(dummy()).expect("the dummy hash parses");
        assert!(!weaker_than_policy(&parsed));
        assert_eq!(
            verify("kuaiwei: no such user", dummy()),
            Verified::Yes { rehash: false }
        );
    }

    #[test]
    fn a_hash_weaker_than_the_policy_asks_to_be_replaced() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8_192, 1, 1, None).unwrap(),
        )
        .hash_password(b"an-old-password")
        .unwrap()
        .to_string();
        assert_eq!(
            verify("an-old-password", &weak),
            Verified::Yes { rehash: true }
        );
        let argon2i = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x13,
            Params::new(MEMORY_KIB, PASSES, LANES, None).unwrap(),
        )
        .hash_password(b"an-old-password")
        .unwrap()
        .to_string();
        assert_eq!(
            verify("an-old-password", &argon2i),
            Verified::Yes { rehash: true }
        );
    }
}
