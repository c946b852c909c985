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
    /// Where and in which language the account is told of what concerns it.
    pub contact: Contact,
}

/// Where a member of staff is told of what concerns them (an approval, a request waiting for
/// them, the daily watch), set by an administrator; checked by the accounts service before it
/// reaches the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub email: Option<String>,
    /// 11 digits, as `kuaiwei_domain::MobileNumber` keeps it.
    pub mobile: Option<String>,
    /// The language notices are written in: `zh-CN` (the default) or `en`.
    pub lang: String,
}

impl Default for Contact {
    fn default() -> Self {
        Contact {
            email: None,
            mobile: None,
            lang: "zh-CN".into(),
        }
    }
}

/// A logged-in browser session. The cookie holds a random token; the store keeps its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the cookie's token, hex.
    pub token_hash: String,
    pub username: String,
    pub created_at: Timestamp,
    /// Moved forward on use; a session idle too long has ended.
    pub last_seen_at: Timestamp,
    /// The absolute end, however active the session.
    pub expires_at: Timestamp,
}

/// A machine client's key, e.g. an e-commerce platform filing complaints for its right holders.
/// The key is shown once when made; the store keeps its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Who holds it (`taobao`, `jd`): the complaints it files name it as their source.
    pub name: String,
    /// SHA-256 of the key, hex.
    pub token_hash: String,
    /// What it may do: `intake` (file complaints).
    pub scope: String,
    pub created_at: Timestamp,
    /// Revoked keys are refused; they are never deleted.
    pub revoked_at: Option<Timestamp>,
}

/// A fair session the centre runs complaint stations at (展会知识产权投诉站): each hall gets a
/// QR poster that opens the filing page with the fair, the session and the hall filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FairSession {
    pub id: i64,
    pub fair: String,
    /// 第二期, or empty.
    pub session: String,
    pub starts_on: jiff::civil::Date,
    pub ends_on: jiff::civil::Date,
    pub halls: Vec<String>,
    pub created_by: String,
    pub created_at: Timestamp,
}
