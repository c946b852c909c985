//! Timestamps in SQLite: fixed-width UTC text (`2026-10-15T02:00:00.000000Z`), so that text order
//! is time order and range filters can use plain comparisons.

use jiff::Timestamp;
use kuaiwei_store::StoreError;

pub fn to_db(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S.%6fZ").to_string()
}

pub fn from_db(s: &str) -> Result<Timestamp, StoreError> {
    s.parse()
        .map_err(|e| StoreError::Corrupt(format!("timestamp {s:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_timestamps_have_one_width_and_read_back_exactly() {
        let a: Timestamp = "2026-10-15T02:00:00Z".parse().unwrap();
        let b: Timestamp = "2026-10-15T02:00:00.5Z".parse().unwrap();
        assert_eq!(to_db(a), "2026-10-15T02:00:00.000000Z");
        assert!(to_db(a) < to_db(b));
        assert_eq!(from_db(&to_db(b)).unwrap(), b);
    }
}
