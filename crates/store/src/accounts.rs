//! Staff accounts as the store keeps them. Roles and passwords are checked by `kuaiwei-access`
//! before anything reaches the store.

use jiff::Timestamp;

/// A staff account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub username: String,
    pub display_name: String,
    /// Role key: `caseworker`, `officer`, `supervisor`, `administrator`.
    pub role: String,
    /// The agency an officer or agency supervisor belongs to.
    pub agency: Option<String>,
    /// argon2id, PHC string.
    pub password_hash: String,
    pub created_at: Timestamp,
    pub password_changed_at: Timestamp,
    /// Disabled accounts cannot log in; they are never deleted.
    pub disabled_at: Option<Timestamp>,
}
