//! The copy of the clocks written to a file and read back, so that a restarted server has its
//! copy in a fraction of a second where reading every clock from the store takes seconds
//! (docs/reports.md, "The saved copy").
//!
//! The file holds the facts as they are (not the clocks they came from), with the change-log
//! position the copy is current to and the entry at that position, so that it is never read
//! against another history: the caller checks the entry against the store before using it, and
//! then catches up from the change log as for any copy. Little-endian throughout; a CRC-32 of
//! everything before it ends the file, so a torn or damaged file is refused, never half read.
//! A file of another [`FORMAT`] or another version of this crate is refused too: what a fact
//! means may have changed. Whether a procedure's end closes the case is taken again from the
//! procedures in use when the file is read.

use std::io::{self, Read, Write};
use std::sync::Arc;

use kuaiwei_deadlines::Procedures;

use super::{DEAD, Fact, Facts, NO_NAME, Procedure, Profile};
use crate::numbers::CaseNumbers;

/// The first bytes of every saved copy.
const MAGIC: &[u8; 8] = b"KWFACTS\n";
/// The layout and the meaning of a saved fact: raise it whenever either changes.
const FORMAT: u32 = 1;
/// The version of the code that wrote a copy; another version's copy is not read.
const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Bytes of one fact in the file.
const FACT_BYTES: usize = 40;
/// Facts read or written per step.
const CHUNK: usize = 8_192;

/// Where a saved copy stands in the store's change log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedMark {
    /// The position the copy is current to.
    pub seq: i64,
    /// The change-log entry at `seq` (none at 0, an empty log).
    pub entry: Option<MarkEntry>,
}

/// A change-log entry as a saved copy remembers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkEntry {
    pub entity: String,
    pub key: String,
    pub op: String,
    /// Its instant in microseconds.
    pub at: i64,
}

impl MarkEntry {
    /// The entry of a change as the store gives it.
    pub fn of(c: &kuaiwei_store::Change) -> MarkEntry {
        MarkEntry {
            entity: c.entity.clone(),
            key: c.key.clone(),
            op: c.op.clone(),
            at: c.at.as_microsecond(),
        }
    }
}

/// Why a saved copy was not read.
#[derive(Debug, thiserror::Error)]
pub enum SavedError {
    #[error("cannot read the saved copy: {0}")]
    Io(#[from] io::Error),
    #[error("not a saved copy of the clocks")]
    NotACopy,
    #[error("the saved copy is of format {found}, this version reads {FORMAT}")]
    Format { found: u32 },
    #[error("the saved copy was written by version {found}, this is {VERSION}")]
    Version { found: String },
    #[error("the saved copy is damaged: {0}")]
    Damaged(&'static str),
}

impl Facts {
    /// Writes the copy with its mark. Any state will do (replaced facts are left out); the
    /// caller holds the copy still meanwhile.
    pub fn write_saved(&self, mark: &SavedMark, out: impl Write) -> io::Result<()> {
        let mut w = Hashing::new(out);
        w.write_all(MAGIC)?;
        w.put_u32(FORMAT)?;
        w.put_text(VERSION)?;
        w.put_i64(mark.seq)?;
        match &mark.entry {
            None => w.put_u8(0)?,
            Some(e) => {
                w.put_u8(1)?;
                w.put_text(&e.entity)?;
                w.put_text(&e.key)?;
                w.put_text(&e.op)?;
                w.put_i64(e.at)?;
            }
        }
        w.put_len(self.procedures.len())?;
        for p in &self.procedures {
            w.put_text(&p.id)?;
        }
        w.put_len(self.names.list.len())?;
        for n in &self.names.list {
            w.put_text(n)?;
        }
        w.put_len(self.profiles.len())?;
        for p in &self.profiles {
            for v in [p.agency, p.channel, p.right_type, p.fair, p.officer] {
                w.put_u32(v)?;
            }
        }
        let (keys, odd) = self.cases.saved_parts();
        w.put_len(keys.len())?;
        let mut buf = Vec::with_capacity(CHUNK * FACT_BYTES);
        for chunk in keys.chunks(CHUNK) {
            buf.clear();
            for k in chunk {
                buf.extend_from_slice(&k.to_le_bytes());
            }
            w.write_all(&buf)?;
        }
        w.put_len(odd.len())?;
        for t in odd {
            w.put_text(t)?;
        }
        w.put_i64(self.len() as i64)?;
        let mut written = 0;
        let mut facts = self.live().peekable();
        while facts.peek().is_some() {
            buf.clear();
            for f in facts.by_ref().take(CHUNK) {
                put_fact(&mut buf, f);
                written += 1;
            }
            w.write_all(&buf)?;
        }
        debug_assert_eq!(written, self.len());
        let crc = w.hasher.clone().finalize();
        let mut out = w.inner;
        out.write_all(&crc.to_le_bytes())?;
        out.flush()
    }

    /// Reads a copy written by [`Facts::write_saved`], `size` bytes long, with its mark;
    /// whether each procedure closes the case is taken from `procedures`.
    pub fn read_saved(
        input: impl Read,
        size: u64,
        procedures: &Procedures,
    ) -> Result<(SavedMark, Facts), SavedError> {
        // a count is checked against the size before anything is set aside for it
        let fits = |count: usize, each: u64| (count as u64).saturating_mul(each) <= size;
        let mut r = Hashing::new(input);
        let mut magic = [0u8; 8];
        r.read_exact(&mut magic).map_err(|_| SavedError::NotACopy)?;
        if &magic != MAGIC {
            return Err(SavedError::NotACopy);
        }
        let format = r.u32()?;
        if format != FORMAT {
            return Err(SavedError::Format { found: format });
        }
        let version = r.text()?;
        if version != VERSION {
            return Err(SavedError::Version { found: version });
        }
        let seq = r.i64()?;
        let entry = match r.u8()? {
            0 => None,
            1 => Some(MarkEntry {
                entity: r.text()?,
                key: r.text()?,
                op: r.text()?,
                at: r.i64()?,
            }),
            _ => return Err(SavedError::Damaged("the mark")),
        };
        let mut f = Facts::default();
        for _ in 0..r.len(u16::MAX as usize)? {
            let id: Arc<str> = r.text()?.into();
            let i = f.procedures.len() as u16;
            f.procedures.push(Procedure {
                id: id.clone(),
                closes_case: procedures.get(&id).is_some_and(|p| p.closes_case),
            });
            if f.procedure_index.insert(id, i).is_some() {
                return Err(SavedError::Damaged("a procedure named twice"));
            }
        }
        let names = r.len(u32::MAX as usize)?;
        for _ in 0..names {
            let name = r.text()?;
            f.names.number(&name);
        }
        if f.names.list.len() != names {
            return Err(SavedError::Damaged("a name given twice"));
        }
        for _ in 0..r.len(u32::MAX as usize)? {
            let mut v = [0u32; 5];
            for x in &mut v {
                *x = r.u32()?;
                if *x != NO_NAME && *x as usize >= names {
                    return Err(SavedError::Damaged("a profile naming no name"));
                }
            }
            let [agency, channel, right_type, fair, officer] = v;
            let p = Profile {
                agency,
                channel,
                right_type,
                fair,
                officer,
            };
            let i = f.profiles.len() as u32;
            f.profiles.push(p);
            if f.profile_index.insert(p, i).is_some() {
                return Err(SavedError::Damaged("a profile given twice"));
            }
        }
        let cases = r.len(u32::MAX as usize)?;
        if !fits(cases, 8) {
            return Err(SavedError::Damaged("the count of cases"));
        }
        let mut keys = Vec::with_capacity(cases);
        let mut buf = vec![0u8; CHUNK * FACT_BYTES];
        while keys.len() < cases {
            let n = (cases - keys.len()).min(CHUNK);
            let b = &mut buf[..n * 8];
            r.fill(b)?;
            keys.extend(
                b.chunks_exact(8)
                    .map(|k| u64::from_le_bytes(k.try_into().unwrap())),
            );
        }
        let odd = (0..r.len(u32::MAX as usize)?)
            .map(|_| r.text().map(String::into_boxed_str))
            .collect::<Result<Vec<_>, _>>()?;
        f.cases =
            CaseNumbers::from_saved(keys, odd).ok_or(SavedError::Damaged("the case numbers"))?;
        let n = usize::try_from(r.i64()?)
            .ok()
            .filter(|&n| fits(n, FACT_BYTES as u64))
            .ok_or(SavedError::Damaged("the count of facts"))?;
        f.facts.reserve_exact(n);
        while f.facts.len() < n {
            let k = (n - f.facts.len()).min(CHUNK);
            let b = &mut buf[..k * FACT_BYTES];
            r.fill(b)?;
            for raw in b.chunks_exact(FACT_BYTES) {
                let fact = get_fact(raw);
                if fact.case as usize >= cases
                    || fact.profile as usize >= f.profiles.len()
                    || fact.procedure as usize >= f.procedures.len()
                    || fact.procedure == DEAD
                {
                    return Err(SavedError::Damaged("a fact naming what is not there"));
                }
                f.facts.push(fact);
            }
        }
        let crc = r.hasher.clone().finalize();
        let stored = r.array::<4>()?;
        if u32::from_le_bytes(stored) != crc {
            return Err(SavedError::Damaged("its checksum does not match"));
        }
        if r.inner.read(&mut [0u8; 1])? != 0 {
            return Err(SavedError::Damaged("bytes after its end"));
        }
        f.seal();
        if !f.cases.distinct() {
            return Err(SavedError::Damaged("a case number given twice"));
        }
        Ok((SavedMark { seq, entry }, f))
    }
}

fn put_fact(buf: &mut Vec<u8>, f: &Fact) {
    buf.extend_from_slice(&f.started.to_le_bytes());
    buf.extend_from_slice(&f.closed.to_le_bytes());
    buf.extend_from_slice(&f.due.to_le_bytes());
    buf.extend_from_slice(&f.case.to_le_bytes());
    buf.extend_from_slice(&f.profile.to_le_bytes());
    buf.extend_from_slice(&f.net_tenths.to_le_bytes());
    buf.extend_from_slice(&f.procedure.to_le_bytes());
    buf.extend_from_slice(&f.extensions.to_le_bytes());
}

fn get_fact(b: &[u8]) -> Fact {
    let i64_at = |i: usize| i64::from_le_bytes(b[i..i + 8].try_into().unwrap());
    let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().unwrap());
    let u16_at = |i: usize| u16::from_le_bytes(b[i..i + 2].try_into().unwrap());
    Fact {
        started: i64_at(0),
        closed: i64_at(8),
        due: i64_at(16),
        case: u32_at(24),
        profile: u32_at(28),
        net_tenths: u32_at(32) as i32,
        procedure: u16_at(36),
        extensions: u16_at(38),
    }
}

/// A reader or writer that keeps the CRC-32 of the bytes through it.
struct Hashing<T> {
    inner: T,
    hasher: crc32fast::Hasher,
}

impl<T> Hashing<T> {
    fn new(inner: T) -> Self {
        Hashing {
            inner,
            hasher: crc32fast::Hasher::new(),
        }
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write> Hashing<W> {
    fn put_u8(&mut self, v: u8) -> io::Result<()> {
        self.write_all(&[v])
    }
    fn put_u32(&mut self, v: u32) -> io::Result<()> {
        self.write_all(&v.to_le_bytes())
    }
    fn put_i64(&mut self, v: i64) -> io::Result<()> {
        self.write_all(&v.to_le_bytes())
    }
    fn put_len(&mut self, n: usize) -> io::Result<()> {
        self.put_u32(u32::try_from(n).map_err(|_| io::Error::other("more than 2^32 entries"))?)
    }
    fn put_text(&mut self, s: &str) -> io::Result<()> {
        self.put_len(s.len())?;
        self.write_all(s.as_bytes())
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

impl<R: Read> Hashing<R> {
    fn fill(&mut self, b: &mut [u8]) -> Result<(), SavedError> {
        self.read_exact(b).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => SavedError::Damaged("it ends too soon"),
            _ => SavedError::Io(e),
        })
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], SavedError> {
        let mut b = [0u8; N];
        self.fill(&mut b)?;
        Ok(b)
    }
    fn u8(&mut self) -> Result<u8, SavedError> {
        Ok(self.array::<1>()?[0])
    }
    fn u32(&mut self) -> Result<u32, SavedError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn i64(&mut self) -> Result<i64, SavedError> {
        Ok(i64::from_le_bytes(self.array()?))
    }
    /// A count, refused above `max`.
    fn len(&mut self, max: usize) -> Result<usize, SavedError> {
        let n = self.u32()? as usize;
        if n > max {
            return Err(SavedError::Damaged("a count out of range"));
        }
        Ok(n)
    }
    fn text(&mut self) -> Result<String, SavedError> {
        let n = self.len(1 << 20)?;
        let mut b = vec![0u8; n];
        self.fill(&mut b)?;
        String::from_utf8(b).map_err(|_| SavedError::Damaged("a text that is not UTF-8"))
    }
}
