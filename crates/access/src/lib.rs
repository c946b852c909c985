//! Who may do what in kuaiwei. Staff roles and the reach of each permission are data
//! ([`RULES`]), read by one pure predicate ([`can`]); a handler asks it before any write, with
//! the agency of the object taken from the store, never from the request. Passwords follow one
//! policy and are kept as argon2id hashes ([`password`]).
//!
//! The complainant is not an account: they hold a case's tracking token.

pub mod password;
mod role;

pub use role::{
    Action, AgencyRule, Principal, RULES, Reach, Role, can, can_read_personal_data, holds,
    step_permission,
};

/// A user name as stored: 3-64 characters of `a-z 0-9 . _ -`, folded to lower case. The error
/// names the rule in both languages.
pub fn username(raw: &str) -> Result<String, (String, String)> {
    let name = raw.trim().to_lowercase();
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if !(3..=64).contains(&name.chars().count()) || !ok_chars {
        return Err((
            format!("用户名 {raw:?} 不可用：须为3至64个字符，仅含字母、数字和 . _ -"),
            format!("user name {raw:?} is not usable: 3 to 64 of letters, digits and . _ -"),
        ));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn user_names_are_folded_and_limited_to_a_safe_alphabet() {
        assert_eq!(super::username("  Officer.Li "), Ok("officer.li".into()));
        assert_eq!(super::username("zhao_2026-x"), Ok("zhao_2026-x".into()));
        for bad in ["li", "李明", "a b c", "x;drop", &"a".repeat(65)] {
            let (zh, en) = super::username(bad).unwrap_err();
            assert!(zh.contains("用户名") && en.contains("user name"), "{bad}");
        }
    }
}
