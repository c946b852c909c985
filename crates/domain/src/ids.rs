//! Identifiers with their own rules: unified social credit codes (GB 32100-2015), CN patent
//! numbers with their check character, trademark registration numbers, mainland mobile numbers
//! and e-mail addresses. Each is a newtype that only [`FromStr`]-style constructors can build.

use serde::{Deserialize, Serialize};

use crate::error::IdError;

/// Unified social credit code (统一社会信用代码), 18 characters, checked per GB 32100-2015 §4:
/// the 18th character is 31 - (Σ cᵢ·wᵢ mod 31), with wᵢ = 3^(i-1) mod 31, over the alphabet below
/// (I, O, S, V and Z are never used).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Uscc(String);

const USCC_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

impl Uscc {
    pub fn parse(raw: &str) -> Result<Uscc, IdError> {
        let s: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        if s.chars().count() != 18 {
            return Err(IdError::new(
                "uscc_length",
                "统一社会信用代码应为18位",
                "a unified social credit code has 18 characters",
            ));
        }
        let mut sum = 0u32;
        let mut values = Vec::with_capacity(18);
        for (i, b) in s.bytes().enumerate() {
            let Some(v) = USCC_ALPHABET.iter().position(|&a| a == b) else {
                return Err(IdError::new(
                    "uscc_character",
                    format!("统一社会信用代码第{}位字符无效", i + 1),
                    format!(
                        "character {} of the unified social credit code is not allowed",
                        i + 1
                    ),
                ));
            };
            values.push(v as u32);
            if i < 17 {
                sum += v as u32 * USCC_WEIGHTS[i];
            }
        }
        let expected = (31 - sum % 31) % 31;
        if values[17] != expected {
            return Err(IdError::new(
                "uscc_check",
                "统一社会信用代码校验位错误，请核对",
                "the check character of the unified social credit code is wrong",
            ));
        }
        Ok(Uscc(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The kind of CN patent, read from the type digit of the application number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatentKind {
    Invention,
    UtilityModel,
    Design,
}

/// A CN patent application number (申请号; the patent number is `ZL` + the same digits).
///
/// Two formats exist: 8 digits + check (1985-2003: YY T NNNNN) and 12 digits + check (since
/// 2003-10-01: YYYY T NNNNNNN). The check character is Σ dᵢ·wᵢ mod 11 with weights 2..9
/// (repeating from 2 for the 12-digit form), 10 written as `X`. `ZL`/`CN` prefixes, spaces and
/// dots are accepted and normalised to `YYYYTNNNNNNN.C`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PatentNumber(String);

impl PatentNumber {
    pub fn parse(raw: &str) -> Result<PatentNumber, IdError> {
        let mut s: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '.' && *c != '．' && *c != '·')
            .collect::<String>()
            .to_ascii_uppercase();
        for prefix in ["ZL", "CN"] {
            if let Some(rest) = s.strip_prefix(prefix) {
                s = rest.to_string();
                break;
            }
        }
        let bad_format = || {
            IdError::new(
                "patent_number_format",
                "专利号格式不正确，应如 ZL202310123456.6 或 ZL98123456.9",
                "a CN patent number looks like ZL202310123456.6 or ZL98123456.9",
            )
        };
        let (body, check) = match s.len() {
            13 | 9 => s.split_at(s.len() - 1),
            _ => return Err(bad_format()),
        };
        if !body.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad_format());
        }
        let check = check.as_bytes()[0];
        if !(check.is_ascii_digit() || check == b'X') {
            return Err(bad_format());
        }
        let (year, type_digit) = if body.len() == 12 {
            (body[..4].parse::<u32>().unwrap_or(0), body.as_bytes()[4])
        } else {
            let yy = body[..2].parse::<u32>().unwrap_or(0);
            (
                if yy >= 85 { 1900 + yy } else { 2000 + yy },
                body.as_bytes()[2],
            )
        };
        let year_ok = if body.len() == 12 {
            (2003..=2099).contains(&year)
        } else {
            (1985..=2004).contains(&year)
        };
        if !year_ok || !b"12389".contains(&type_digit) {
            return Err(bad_format());
        }
        let sum: u32 = body
            .bytes()
            .enumerate()
            .map(|(i, d)| u32::from(d - b'0') * (2 + (i as u32 % 8)))
            .sum();
        let expected = b"0123456789X"[(sum % 11) as usize];
        if expected != check {
            return Err(IdError::new(
                "patent_check_digit",
                "专利号校验位错误，请核对",
                "the check digit of the patent number is wrong",
            ));
        }
        Ok(PatentNumber(format!("{body}.{}", check as char)))
    }

    pub fn kind(&self) -> PatentKind {
        let digit = if self.0.len() == 14 {
            self.0.as_bytes()[4]
        } else {
            self.0.as_bytes()[2]
        };
        match digit {
            b'1' | b'8' => PatentKind::Invention,
            b'2' | b'9' => PatentKind::UtilityModel,
            _ => PatentKind::Design,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A CN trademark registration number: digits (today up to 8), or `G` + digits for a Madrid
/// international registration extended to China.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TrademarkNumber(String);

impl TrademarkNumber {
    pub fn parse(raw: &str) -> Result<TrademarkNumber, IdError> {
        let mut s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        for prefix in ["第", "注册号", "No.", "NO."] {
            if let Some(rest) = s.strip_prefix(prefix) {
                s = rest.to_string();
            }
        }
        let s = s.trim_end_matches('号').to_ascii_uppercase();
        let digits = s.strip_prefix('G').unwrap_or(&s);
        if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdError::new(
                "trademark_number_format",
                "商标注册号应为数字（马德里国际注册可带 G 前缀）",
                "a trademark registration number is digits (G + digits for a Madrid registration)",
            ));
        }
        let trimmed = digits.trim_start_matches('0');
        if trimmed.is_empty() {
            return Err(IdError::new(
                "trademark_number_format",
                "商标注册号不能为零",
                "a trademark registration number cannot be zero",
            ));
        }
        let prefix = if s.starts_with('G') { "G" } else { "" };
        Ok(TrademarkNumber(format!("{prefix}{trimmed}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A mainland China mobile number, normalised to 11 digits (`+86`, spaces and dashes dropped).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MobileNumber(String);

impl MobileNumber {
    pub fn parse(raw: &str) -> Result<MobileNumber, IdError> {
        let s: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        let s = s
            .strip_prefix("+86")
            .or_else(|| s.strip_prefix("0086"))
            .unwrap_or(&s);
        let b = s.as_bytes();
        if b.len() != 11
            || b[0] != b'1'
            || !(b'3'..=b'9').contains(&b[1])
            || !b.iter().all(u8::is_ascii_digit)
        {
            return Err(IdError::new(
                "mobile_format",
                "手机号应为11位中国大陆手机号，如 13812345678",
                "a mainland mobile number has 11 digits, e.g. 13812345678",
            ));
        }
        Ok(MobileNumber(s.to_string()))
    }

    /// `138****5678`: the form shown wherever the full number is not needed (PIPL).
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address: one `@`, a non-empty local part, a dotted domain, at most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, IdError> {
        let s = raw.trim();
        let valid = s.len() <= 254
            && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            && match s.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                        && !domain.contains("..")
                }
                None => false,
            };
        if !valid {
            return Err(IdError::new(
                "email_format",
                "电子邮箱格式不正确",
                "not a valid e-mail address",
            ));
        }
        Ok(Email(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A party name folded for matching: full-width to half-width, case-folded, spaces and common
/// punctuation removed, so that `耐克（中国）有限公司` and `耐克(中国)有限公司 ` compare equal.
pub fn normalize_party_name(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .filter(|c| {
            !c.is_whitespace() && !matches!(c, '(' | ')' | '.' | ',' | '·' | '-' | '"' | '\'')
        })
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uscc_with_check(body17: &str) -> String {
        let sum: u32 = body17
            .bytes()
            .enumerate()
            .map(|(i, b)| {
                USCC_ALPHABET.iter().position(|&a| a == b).unwrap() as u32 * USCC_WEIGHTS[i]
            })
            .sum();
        let c = USCC_ALPHABET[((31 - sum % 31) % 31) as usize] as char;
        format!("{body17}{c}")
    }

    #[test]
    fn a_published_uscc_passes_and_a_changed_character_fails() {
        // 91350100M000100Y43 is the GB 32100-2015 worked example.
        assert_eq!(
            Uscc::parse("91350100M000100Y43").unwrap().as_str(),
            "91350100M000100Y43"
        );
        assert_eq!(
            Uscc::parse("91350100m000100y43").unwrap().as_str(),
            "91350100M000100Y43"
        );
        assert_eq!(
            Uscc::parse("91350100M000100Y44").unwrap_err().code,
            "uscc_check"
        );
        assert_eq!(
            Uscc::parse("91350100M000100Y4").unwrap_err().code,
            "uscc_length"
        );
        assert_eq!(
            Uscc::parse("91350100M000100I43").unwrap_err().code,
            "uscc_character"
        );
    }

    #[test]
    fn weights_are_powers_of_three_mod_31() {
        let mut w = 1u32;
        for expected in USCC_WEIGHTS {
            assert_eq!(w, expected);
            w = w * 3 % 31;
        }
    }

    #[test]
    fn generated_usccs_round_trip() {
        for body in [
            "91440300MA5DC8K2X",
            "12100000400000000",
            "Y1110105MA01ABCDE",
        ] {
            let code = uscc_with_check(body);
            assert!(Uscc::parse(&code).is_ok(), "{code}");
        }
    }

    #[test]
    fn patent_numbers_with_prefixes_and_dots_normalise_to_one_form() {
        // Σ over 202310123456 with weights 2,3,4,5,6,7,8,9,2,3,4,5 = 127; 127 mod 11 = 6.
        for raw in [
            "ZL202310123456.6",
            "CN 2023 1 0123456.6",
            "zl2023101234566",
            "202310123456．6",
        ] {
            let n = PatentNumber::parse(raw).unwrap();
            assert_eq!(n.as_str(), "202310123456.6", "{raw}");
            assert_eq!(n.kind(), PatentKind::Invention);
        }
        assert_eq!(
            PatentNumber::parse("ZL202310123456.5").unwrap_err().code,
            "patent_check_digit"
        );
    }

    #[test]
    fn old_eight_digit_patent_numbers_use_weights_two_to_nine() {
        // 98123456: 9*2+8*3+1*4+2*5+3*6+4*7+5*8+6*9 = 196; 196 mod 11 = 9.
        let n = PatentNumber::parse("ZL98123456.9").unwrap();
        assert_eq!(n.as_str(), "98123456.9");
        assert_eq!(
            PatentNumber::parse("98123456.1").unwrap_err().code,
            "patent_check_digit"
        );
    }

    #[test]
    fn the_check_character_x_stands_for_ten() {
        // find a 12-digit body whose check is 10 and confirm X is accepted, 0 refused
        let body = (0..10_000_000u32)
            .map(|n| format!("20242{n:07}"))
            .find(|b| {
                b.bytes()
                    .enumerate()
                    .map(|(i, d)| u32::from(d - b'0') * (2 + (i as u32 % 8)))
                    .sum::<u32>()
                    % 11
                    == 10
            })
            .unwrap();
        let n = PatentNumber::parse(&format!("{body}.x")).unwrap();
        assert_eq!(n.kind(), PatentKind::UtilityModel);
        assert!(PatentNumber::parse(&format!("{body}.0")).is_err());
    }

    #[test]
    fn patent_numbers_of_the_wrong_shape_are_refused() {
        for raw in [
            "",
            "ZL",
            "12345",
            "ZL202370123456.4",
            "ZL199910123456.1",
            "ZLABCDEFGHIJKL.1",
        ] {
            assert_eq!(
                PatentNumber::parse(raw).unwrap_err().code,
                "patent_number_format",
                "{raw}"
            );
        }
    }

    #[test]
    fn trademark_numbers_accept_common_decorations() {
        assert_eq!(
            TrademarkNumber::parse("第 1234567 号").unwrap().as_str(),
            "1234567"
        );
        assert_eq!(
            TrademarkNumber::parse("g1234567").unwrap().as_str(),
            "G1234567"
        );
        assert!(TrademarkNumber::parse("12a4").is_err());
        assert!(TrademarkNumber::parse("0000").is_err());
    }

    #[test]
    fn mobiles_normalise_and_mask() {
        let m = MobileNumber::parse("+86 138-1234-5678").unwrap();
        assert_eq!(m.as_str(), "13812345678");
        assert_eq!(m.masked(), "138****5678");
        assert!(MobileNumber::parse("12812345678").is_err());
        assert!(MobileNumber::parse("1381234567").is_err());
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert!(Email::parse("legal@nike.com").is_ok());
        for bad in [
            "legal",
            "@nike.com",
            "a@b",
            "a b@c.com",
            "a@.com",
            "a@b..com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn party_names_fold_width_case_and_punctuation() {
        assert_eq!(
            normalize_party_name("耐克（中国）有限公司"),
            normalize_party_name(" 耐克(中国)有限公司")
        );
        assert_eq!(normalize_party_name("NIKE Inc."), "nikeinc");
    }
}
