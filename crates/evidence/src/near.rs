//! Finding photos within a Hamming distance of a 64-bit perceptual hash without a scan:
//! multi-index hashing. The hash is cut into four 16-bit blocks, each with its own table; two
//! hashes within distance `d` differ in at most `d / 4` bits of some block (pigeonhole), so a
//! query looks up, in each table, every block value within that many bits of its own
//! (1 + 16 = 17 values per block at `d` ≤ 7) and checks the few candidates found.

use std::collections::HashMap;

/// The largest distance a query may ask for: beyond it the block probes grow past use (and
/// such photos are no longer "the same picture").
pub const MAX_DISTANCE: u32 = 15;

/// Perceptual hashes of stored photos, each with a payload (the file's digest).
#[derive(Debug, Default)]
pub struct NearIndex<T> {
    entries: Vec<(u64, T)>,
    blocks: [HashMap<u16, Vec<u32>>; 4],
}

fn block(hash: u64, i: usize) -> u16 {
    (hash >> (16 * i)) as u16
}

impl<T: PartialEq> NearIndex<T> {
    pub fn new() -> NearIndex<T> {
        NearIndex {
            entries: Vec::new(),
            blocks: Default::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds a photo (the same hash and payload twice is kept once).
    pub fn insert(&mut self, hash: u64, payload: T) {
        if self.within(hash, 0).any(|(_, p, _)| *p == payload) {
            return;
        }
        let id = u32::try_from(self.entries.len()).expect("fewer than 4 billion photos");
        self.entries.push((hash, payload));
        for (i, table) in self.blocks.iter_mut().enumerate() {
            table.entry(block(hash, i)).or_default().push(id);
        }
    }

    /// Every stored photo within `distance` bits of `hash` (capped at [`MAX_DISTANCE`]), with
    /// its hash and distance; each once.
    pub fn within(&self, hash: u64, distance: u32) -> impl Iterator<Item = (u64, &T, u32)> {
        let distance = distance.min(MAX_DISTANCE);
        let radius = distance / 4;
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for (i, table) in self.blocks.iter().enumerate() {
            let own = block(hash, i);
            for probe in variants(own, radius) {
                for id in table.get(&probe).into_iter().flatten() {
                    if !seen.insert(*id) {
                        continue;
                    }
                    let (h, p) = &self.entries[*id as usize];
                    let d = (h ^ hash).count_ones();
                    if d <= distance {
                        out.push((*h, p, d));
                    }
                }
            }
        }
        out.into_iter()
    }
}

/// Every 16-bit value within `radius` bits of `v`.
fn variants(v: u16, radius: u32) -> Vec<u16> {
    let mut out = vec![v];
    let mut frontier = vec![(v, 0u32)];
    for _ in 0..radius {
        let mut next = Vec::new();
        for (x, lowest) in frontier {
            // flip bits above the last flipped one: each set of flips once
            for bit in lowest..16 {
                let y = x ^ (1 << bit);
                out.push(y);
                next.push((y, bit + 1));
            }
        }
        frontier = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift): the tests need spread hashes, not quality.
    fn hashes(n: usize, mut s: u64) -> Vec<u64> {
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                s
            })
            .collect()
    }

    #[test]
    fn variants_are_every_value_within_the_radius_once() {
        for r in 0..=3u32 {
            let v = variants(0b1010_0000_1111_0001, r);
            let mut sorted = v.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), v.len(), "no repeats at radius {r}");
            let expected: usize = (0..=r).map(|k| binomial(16, k)).sum();
            assert_eq!(v.len(), expected);
            assert!(
                v.iter()
                    .all(|x| (x ^ 0b1010_0000_1111_0001u16).count_ones() <= r)
            );
        }
    }

    fn binomial(n: u32, k: u32) -> usize {
        (0..k).fold(1usize, |acc, i| acc * (n - i) as usize / (i + 1) as usize)
    }

    #[test]
    fn finds_exactly_what_a_scan_finds() {
        let stored = hashes(5_000, 0x9E37_79B9_7F4A_7C15);
        let mut index = NearIndex::new();
        for (i, h) in stored.iter().enumerate() {
            index.insert(*h, i);
        }
        // queries: stored hashes with a few bits flipped, and unrelated ones
        let mut queries: Vec<u64> = stored
            .iter()
            .take(300)
            .zip(hashes(300, 42))
            .map(|(h, noise)| h ^ (noise & noise.rotate_left(17) & noise.rotate_left(31)))
            .collect();
        queries.extend(hashes(100, 7));
        for distance in [0, 3, 7, 10, 15] {
            for q in &queries {
                let mut found: Vec<usize> =
                    index.within(*q, distance).map(|(_, p, _)| *p).collect();
                found.sort();
                let scan: Vec<usize> = stored
                    .iter()
                    .enumerate()
                    .filter(|(_, h)| (*h ^ q).count_ones() <= distance)
                    .map(|(i, _)| i)
                    .collect();
                assert_eq!(found, scan, "query {q:016x} at distance {distance}");
            }
        }
    }

    #[test]
    fn the_same_photo_twice_is_kept_once() {
        let mut index = NearIndex::new();
        index.insert(42, "a");
        index.insert(42, "a");
        index.insert(42, "b");
        assert_eq!(index.len(), 2);
    }
}
