//! Asia/Shanghai, the time zone every statutory date is counted in.

use std::sync::LazyLock;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone, TimeZoneDatabase};

/// Asia/Shanghai from the tz database bundled into the binary (jiff feature
/// `tzdb-bundle-always`), so no file is read. China has kept UTC+8 without daylight saving
/// since 1991, so a fixed +08:00 is an exact fallback should the bundle ever lack the zone.
static SHANGHAI: LazyLock<TimeZone> = LazyLock::new(|| {
    TimeZoneDatabase::bundled()
        .get("Asia/Shanghai")
        .unwrap_or_else(|_| TimeZone::fixed(Offset::constant(8)))
});

/// The Asia/Shanghai time zone.
pub fn shanghai() -> TimeZone {
    SHANGHAI.clone()
}

/// The local (Asia/Shanghai) date of an instant.
pub fn local_date(at: Timestamp) -> Date {
    at.to_zoned(shanghai()).date()
}

/// The instant a day ends: 24:00 Asia/Shanghai, i.e. the next local midnight
/// (民法典 Art. 203(2): the last day of a period runs to 24:00).
/// `None` only at the end of jiff's representable range.
pub fn day_end(date: Date) -> Option<Timestamp> {
    let next = date.tomorrow().ok()?;
    next.to_zoned(shanghai()).ok().map(|z| z.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn shanghai_is_eight_hours_ahead_of_utc_and_named() {
        let tz = shanghai();
        assert_eq!(tz.iana_name(), Some("Asia/Shanghai"));
        let ts: Timestamp = "2026-01-01T16:00:00Z".parse().expect("literal");
        assert_eq!(local_date(ts), date(2026, 1, 2));
    }

    #[test]
    fn a_day_ends_at_the_next_local_midnight() {
        let end = day_end(date(2026, 10, 10)).expect("in range");
        assert_eq!(end.to_string(), "2026-10-10T16:00:00Z");
    }
}
