//! The case numbers a [`crate::Facts`] holds, compact: a number of the usual form
//! `KW-YYYY-NNNNNN` (six to twelve digits, `kuaiwei_domain::CaseNumber`) is packed into eight
//! bytes whose order is the order of its text, so no text is kept for it and a case is found by
//! binary search; a number of any other form (an import, a test) is kept as written, apart.
//! At a million cases this is 8 MB where a table of texts with a hash index took about 100 MB.

use std::cmp::Ordering;
use std::collections::HashMap;

/// A key whose top bit is set names a number kept as text: the rest is its place in `odd`.
const ODD: u64 = 1 << 63;
/// Digits of the sequence a packed number may have, at most (the domain allows 6 to 12).
const DIGITS: usize = 12;
/// Fewest digits of the sequence a packed number has.
const MIN_DIGITS: usize = 6;
/// Each digit place holds 0 (no digit: the sequence ended) or a digit plus one, so that a
/// shorter sequence sorts before a longer one that starts the same, as text does.
const BASE: u64 = 11;
/// `BASE` to the power `DIGITS`: one year's span of keys.
const YEAR_SPAN: u64 = 3_138_428_376_721;
/// `KW-YYYY-` and at most twelve digits.
const MAX_LEN: usize = 8 + DIGITS;
// every year's keys lie below the mark of a number kept as text
const _: () = assert!(10_000 * YEAR_SPAN <= ODD);

/// Case numbers, each with its number in the order it was first given (its place in `keys`),
/// until [`CaseNumbers::sort`] renumbers them in the order of their text.
#[derive(Clone, Debug, Default)]
pub(crate) struct CaseNumbers {
    /// Per case, its key: a packed number, or [`ODD`] and a place in `odd`.
    keys: Vec<u64>,
    /// `keys[..sorted]` are in strictly rising order of their text.
    sorted: usize,
    /// The cases after `sorted`, by key (empty while numbers come in rising order).
    tail: HashMap<u64, u32>,
    /// Numbers not of the usual form, as written, with their places.
    odd: Vec<Box<str>>,
    odd_index: HashMap<Box<str>, u32>,
}

impl CaseNumbers {
    /// The number of a case, given it the first time.
    pub(crate) fn id(&mut self, number: &str) -> u32 {
        let key = match pack(number) {
            Some(key) => key,
            None => match self.odd_index.get(number) {
                Some(&i) => ODD | u64::from(i),
                None => {
                    let i = u32::try_from(self.odd.len()).expect("fewer than 2^32 odd numbers");
                    self.odd.push(number.into());
                    self.odd_index.insert(number.into(), i);
                    return self.insert(ODD | u64::from(i));
                }
            },
        };
        if let Some(i) = self.find(key) {
            return i;
        }
        self.insert(key)
    }

    /// The case of a key already held, if any.
    fn find(&self, key: u64) -> Option<u32> {
        // loads and new filings come mostly in rising order: the last case first
        if self.tail.is_empty() && self.keys.last() == Some(&key) {
            return Some(self.keys.len() as u32 - 1);
        }
        if let Ok(i) = self.keys[..self.sorted].binary_search_by(|&k| self.cmp_keys(k, key)) {
            return Some(i as u32);
        }
        self.tail.get(&key).copied()
    }

    fn insert(&mut self, key: u64) -> u32 {
        let i = u32::try_from(self.keys.len()).expect("fewer than 2^32 cases");
        let rising = self.tail.is_empty()
            && self
                .keys
                .last()
                .is_none_or(|&last| self.cmp_keys(last, key) == Ordering::Less);
        self.keys.push(key);
        if rising {
            self.sorted += 1;
        } else {
            self.tail.insert(key, i);
        }
        i
    }

    /// What a saved copy keeps: each case's key in the order of the cases' numbers, and the
    /// numbers kept as text.
    pub(crate) fn saved_parts(&self) -> (&[u64], &[Box<str>]) {
        (&self.keys, &self.odd)
    }

    /// Case numbers read back from [`CaseNumbers::saved_parts`], numbered as they were; `None`
    /// when a key names a text that is not there, or a text is given twice. Call
    /// [`CaseNumbers::sort`] before looking a number up, then [`CaseNumbers::distinct`].
    pub(crate) fn from_saved(keys: Vec<u64>, odd: Vec<Box<str>>) -> Option<CaseNumbers> {
        let odd_index: HashMap<Box<str>, u32> = odd
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as u32))
            .collect();
        let named = |k: &u64| k & ODD == 0 || ((k & !ODD) as usize) < odd.len();
        (odd_index.len() == odd.len() && keys.iter().all(named)).then(|| CaseNumbers {
            keys,
            sorted: 0,
            tail: HashMap::new(),
            odd,
            odd_index,
        })
    }

    /// After [`CaseNumbers::sort`]: whether no two cases have the same number.
    pub(crate) fn distinct(&self) -> bool {
        self.keys
            .windows(2)
            .all(|w| self.cmp_keys(w[0], w[1]) == Ordering::Less)
    }

    /// Cases held.
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Renumbers the cases in the order of their text; what each old number became.
    pub(crate) fn sort(&mut self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.keys.len() as u32).collect();
        order
            .sort_unstable_by(|&a, &b| self.cmp_keys(self.keys[a as usize], self.keys[b as usize]));
        let mut renumber = vec![0u32; self.keys.len()];
        for (new, &old) in order.iter().enumerate() {
            renumber[old as usize] = new as u32;
        }
        let mut keys: Vec<u64> = order.iter().map(|&old| self.keys[old as usize]).collect();
        keys.shrink_to_fit();
        self.keys = keys;
        self.sorted = self.keys.len();
        self.tail = HashMap::new();
        renumber
    }

    /// The text of a case's number.
    pub(crate) fn text(&self, case: u32) -> String {
        self.spell(self.keys[case as usize]).as_str().to_string()
    }

    /// The order of two cases' numbers as text.
    pub(crate) fn cmp(&self, a: u32, b: u32) -> Ordering {
        self.cmp_keys(self.keys[a as usize], self.keys[b as usize])
    }

    fn cmp_keys(&self, a: u64, b: u64) -> Ordering {
        if a & ODD == 0 && b & ODD == 0 {
            a.cmp(&b)
        } else {
            self.spell(a).as_str().cmp(self.spell(b).as_str())
        }
    }

    fn spell(&self, key: u64) -> Spelled<'_> {
        if key & ODD == 0 {
            Spelled::Packed(unpack(key))
        } else {
            Spelled::Odd(&self.odd[(key & !ODD) as usize])
        }
    }

    /// Bytes held by their own count (the allocator's overhead not counted).
    pub(crate) fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.keys.capacity() * size_of::<u64>()
            + map_bytes(self.tail.capacity(), size_of::<(u64, u32)>())
            + self.odd.capacity() * size_of::<Box<str>>()
            + self.odd.iter().map(|s| s.len()).sum::<usize>() * 2
            + map_bytes(self.odd_index.capacity(), size_of::<(Box<str>, u32)>())
    }
}

/// Bytes of a hash map: 8 slots for each 7 it can fill, each a key, a value and a control byte.
pub(crate) fn map_bytes(capacity: usize, slot: usize) -> usize {
    capacity * 8 / 7 * (slot + 1)
}

/// A number's text, written out on the stack when packed.
enum Spelled<'a> {
    Packed(([u8; MAX_LEN], usize)),
    Odd(&'a str),
}

impl Spelled<'_> {
    fn as_str(&self) -> &str {
        match self {
            Spelled::Packed((bytes, len)) => {
                std::str::from_utf8(&bytes[..*len]).expect("ASCII written by unpack")
            }
            Spelled::Odd(s) => s,
        }
    }
}

/// The key of a number of the usual form, exactly as the domain writes it (upper case, four
/// digits of year, six to twelve of sequence); `None` for any other text.
fn pack(number: &str) -> Option<u64> {
    let b = number.as_bytes();
    let rest = b.strip_prefix(b"KW-")?;
    let (year, rest) = (rest.get(..4)?, rest.get(4..)?);
    let digits = rest.strip_prefix(b"-")?;
    if !(MIN_DIGITS..=DIGITS).contains(&digits.len())
        || !year.iter().chain(digits).all(u8::is_ascii_digit)
    {
        return None;
    }
    let year = year.iter().fold(0u64, |y, d| y * 10 + u64::from(d - b'0'));
    let mut sequence = 0u64;
    for place in 0..DIGITS {
        let d = digits.get(place).map_or(0, |d| u64::from(d - b'0') + 1);
        sequence = sequence * BASE + d;
    }
    Some(year * YEAR_SPAN + sequence)
}

/// The text of a packed key.
fn unpack(key: u64) -> ([u8; MAX_LEN], usize) {
    let mut out = [0u8; MAX_LEN];
    out[..3].copy_from_slice(b"KW-");
    let (mut year, mut sequence) = (key / YEAR_SPAN, key % YEAR_SPAN);
    for i in (3..7).rev() {
        out[i] = b'0' + (year % 10) as u8;
        year /= 10;
    }
    out[7] = b'-';
    let mut places = [0u8; DIGITS];
    for p in places.iter_mut().rev() {
        *p = (sequence % BASE) as u8;
        sequence /= BASE;
    }
    let mut len = 8;
    for p in places.into_iter().take_while(|&p| p != 0) {
        out[len] = b'0' + p - 1;
        len += 1;
    }
    (out, len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_span_of_a_year_is_eleven_to_the_twelfth() {
        assert_eq!(YEAR_SPAN, BASE.pow(DIGITS as u32));
    }

    #[test]
    fn numbers_of_the_usual_form_pack_and_come_back_as_written() {
        for n in [
            "KW-2026-000123",
            "KW-0000-000000",
            "KW-9999-999999999999",
            "KW-2026-1234567",
            "KW-2024-0000001",
        ] {
            let key = pack(n).unwrap_or_else(|| panic!("{n} packs"));
            let (bytes, len) = unpack(key);
            assert_eq!(std::str::from_utf8(&bytes[..len]).unwrap(), n);
        }
    }

    #[test]
    fn other_texts_are_not_packed() {
        for n in [
            "",
            "KW-2026-00012",
            "KW-2026-0000000000001",
            "kw-2026-000123",
            "KW-26-000123",
            "KW-2026-00012a",
            "KW-2026-000123-1",
            "KW-2026_000123",
            "XX-2026-000123",
            "KW-２０２６-000123",
            "KW-2026-000123 ",
        ] {
            assert_eq!(pack(n), None, "{n:?}");
        }
    }

    #[test]
    fn odd_numbers_are_kept_as_written_and_found_again() {
        let mut c = CaseNumbers::default();
        let a = c.id("legacy/17");
        let b = c.id("KW-2026-000001");
        let d = c.id("kw-2026-000002");
        assert_eq!((c.id("legacy/17"), c.id("KW-2026-000001")), (a, b));
        assert_eq!(c.id("kw-2026-000002"), d);
        assert_eq!(c.len(), 3);
        assert_eq!(c.text(a), "legacy/17");
        assert_eq!(c.text(d), "kw-2026-000002");
        let renumber = c.sort();
        // text order: "KW-…" < "kw-…" < "legacy/17"
        assert_eq!(renumber, vec![2, 0, 1]);
        assert_eq!(c.text(0), "KW-2026-000001");
        assert_eq!(c.id("legacy/17"), 2);
        assert_eq!(c.id("kw-2026-000002"), 1);
    }

    #[test]
    fn numbers_read_back_are_refused_when_they_name_no_text_or_repeat() {
        let a = pack("KW-2026-000001").unwrap();
        let b = pack("KW-2026-000002").unwrap();
        let mut c = CaseNumbers::from_saved(vec![b, ODD, a], vec!["legacy/1".into()]).unwrap();
        assert_eq!(c.sort(), vec![1, 2, 0]);
        assert!(c.distinct());
        assert_eq!(c.id("legacy/1"), 2);
        assert!(CaseNumbers::from_saved(vec![ODD | 1], vec!["x".into()]).is_none());
        assert!(CaseNumbers::from_saved(vec![], vec!["x".into(), "x".into()]).is_none());
        let mut twice = CaseNumbers::from_saved(vec![a, b, a], vec![]).unwrap();
        twice.sort();
        assert!(!twice.distinct());
    }

    fn number() -> impl Strategy<Value = String> {
        prop_oneof![
            // the usual form, from short sequences to long ones
            (2020u32..2030, 0u64..2_000_000).prop_map(|(y, s)| format!("KW-{y:04}-{s:06}")),
            (0u32..10_000, "[0-9]{6,12}").prop_map(|(y, s)| format!("KW-{y:04}-{s}")),
            // anything else
            "[A-Za-z0-9/-]{0,16}",
        ]
    }

    proptest! {
        #[test]
        fn keys_order_as_their_texts_and_every_number_is_found_again(
            numbers in proptest::collection::vec(number(), 0..200),
        ) {
            let mut c = CaseNumbers::default();
            let ids: Vec<u32> = numbers.iter().map(|n| c.id(n)).collect();
            for (n, &i) in numbers.iter().zip(&ids) {
                prop_assert_eq!(&c.text(i), n);
                prop_assert_eq!(c.id(n), i);
            }
            let mut distinct = numbers.clone();
            distinct.sort();
            distinct.dedup();
            prop_assert_eq!(c.len(), distinct.len());
            let renumber = c.sort();
            for (n, &i) in numbers.iter().zip(&ids) {
                let new = renumber[i as usize];
                prop_assert_eq!(&c.text(new), n);
                prop_assert_eq!(c.id(n), new);
            }
            for (place, n) in distinct.iter().enumerate() {
                prop_assert_eq!(&c.text(place as u32), n);
            }
            for a in 0..c.len() as u32 {
                for b in 0..c.len() as u32 {
                    prop_assert_eq!(c.cmp(a, b), c.text(a).cmp(&c.text(b)));
                }
            }
            prop_assert_eq!(c.len(), distinct.len(), "nothing added by looking");
        }
    }
}
