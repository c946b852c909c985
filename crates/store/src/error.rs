//! Storage errors, in terms the server can map to status codes once.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The same idempotency key came back with a different request body.
    #[error("idempotency key reused with a different request")]
    IdempotencyMismatch,
    /// The case changed since it was read; read it again and decide again.
    #[error("the case changed since it was read")]
    VersionConflict,
    /// No such case.
    #[error("no such case")]
    NotFound,
    /// A uniqueness rule was broken; the string names the constraint.
    #[error("conflict on {0}")]
    Conflict(String),
    /// The database refused or failed; details are for the log, never for the client.
    #[error("database error: {0}")]
    Backend(String),
    /// The store is shutting down and takes no more writes.
    #[error("the store is closed")]
    Closed,
    /// Text the database cannot hold: PostgreSQL refuses a NUL character in text, so nothing
    /// with one was ever stored (a lookup by it finds nothing; a write of it is refused).
    #[error("text with a NUL character cannot be stored")]
    Unstorable,
    /// Stored data could not be read back into domain types.
    #[error("corrupt record: {0}")]
    Corrupt(String),
}

impl From<crate::BatcherClosed> for StoreError {
    fn from(_: crate::BatcherClosed) -> Self {
        StoreError::Closed
    }
}
