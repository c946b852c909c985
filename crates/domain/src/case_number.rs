//! Case numbers: `KW-2026-000123`, unique per year, readable over the phone.

use serde::{Deserialize, Serialize};

/// A case number: prefix `KW`, the year the complaint was received (Asia/Shanghai) and a
/// six-digit sequence that grows past six digits rather than wrap.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CaseNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a case number (expected KW-YYYY-NNNNNN): {0}")]
pub struct CaseNumberError(pub String);

impl CaseNumber {
    pub fn new(year: i16, sequence: u64) -> CaseNumber {
        CaseNumber(format!("KW-{year:04}-{sequence:06}"))
    }

    pub fn parse(raw: &str) -> Result<CaseNumber, CaseNumberError> {
        let s = raw.trim().to_ascii_uppercase();
        let mut parts = s.split('-');
        let ok = parts.next() == Some("KW")
            && parts
                .next()
                .is_some_and(|y| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
            && parts.next().is_some_and(|n| {
                (6..=12).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit())
            })
            && parts.next().is_none();
        if ok {
            Ok(CaseNumber(s))
        } else {
            Err(CaseNumberError(raw.chars().take(40).collect()))
        }
    }

    pub fn year(&self) -> i16 {
        self.0[3..7].parse().unwrap_or_default()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_numbers_print_and_parse_back() {
        let n = CaseNumber::new(2026, 123);
        assert_eq!(n.as_str(), "KW-2026-000123");
        assert_eq!(CaseNumber::parse("kw-2026-000123").unwrap(), n);
        assert_eq!(n.year(), 2026);
        assert_eq!(CaseNumber::new(2026, 1_234_567).as_str(), "KW-2026-1234567");
    }

    #[test]
    fn malformed_case_numbers_are_refused() {
        for bad in [
            "",
            "KW-26-000001",
            "KW-2026-12",
            "XX-2026-000001",
            "KW-2026-000001-1",
            "KW-2026-00000a",
        ] {
            assert!(CaseNumber::parse(bad).is_err(), "{bad}");
        }
    }
}
