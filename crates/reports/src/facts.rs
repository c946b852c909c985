//! A compact copy of stored clocks: what a report classifies.
//!
//! A clock becomes a [`Fact`] of 40 bytes: its three instants as microseconds (the store keeps
//! no finer), its procedure and its case's attributes as small numbers into tables of distinct
//! names, the number of its extensions and its duration net of excluded periods, worked out
//! once from its inputs. A report over a million cases classifies every fact in tens of
//! milliseconds; the server keeps one `Facts` of every clock, replacing a case's clocks as the
//! change log names it (see docs/reports.md). Whether a procedure's end closes the case is
//! taken from the [`Procedures`] given when its first clock is added.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use jiff::Timestamp;
use kuaiwei_deadlines::{ClockInputs, Procedures};
use kuaiwei_store::ReportClock;

mod saved;
pub use saved::{MarkEntry, SavedError, SavedMark};

use crate::compute::net_days;
use crate::numbers::{CaseNumbers, map_bytes};

/// An instant that is not there (not started, not closed, no due date).
pub(crate) const ABSENT: i64 = i64::MIN;
/// The procedure of a fact whose case's clocks were replaced.
const DEAD: u16 = u16::MAX;
/// A name that is not there (a case not routed, not at a fair, not opened).
const NO_NAME: u32 = u32::MAX;

/// One clock, compact.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fact {
    /// Microseconds since 1970, [`ABSENT`] when there is none.
    pub started: i64,
    pub closed: i64,
    pub due: i64,
    pub case: u32,
    /// Index into [`Facts::profiles`]: the case's agency, channel, right type, fair and officer.
    pub profile: u32,
    /// Days from start to close net of excluded periods, in tenths; negative when not closed.
    pub net_tenths: i32,
    /// Index into [`Facts::procedures`]; [`DEAD`] once replaced.
    pub procedure: u16,
    pub extensions: u16,
}

/// The attributes a clock carries from its case, as indexes into [`Facts::names`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Profile {
    pub agency: u32,
    pub channel: u32,
    pub right_type: u32,
    pub fair: u32,
    pub officer: u32,
}

/// A procedure as facts name it: its id and whether its end closes the case.
#[derive(Clone, Debug)]
pub(crate) struct Procedure {
    pub id: Arc<str>,
    pub closes_case: bool,
}

/// Clocks to report on: a store's window of them, or every clock the server keeps.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    facts: Vec<Fact>,
    /// Per case: where its facts start in `facts` and how many there are.
    slots: Vec<(u32, u32)>,
    cases: CaseNumbers,
    names: Texts,
    procedures: Vec<Procedure>,
    procedure_index: HashMap<Arc<str>, u16>,
    profiles: Vec<Profile>,
    profile_index: HashMap<Profile, u32>,
    dead: usize,
    /// Whether every case's facts lie together (after [`Facts::seal`]).
    sealed: bool,
}

impl Facts {
    /// Facts of these clocks, e.g. a window the store read for one report.
    pub fn from_clocks(clocks: Vec<ReportClock>, procedures: &Procedures) -> Facts {
        let mut f = Facts::default();
        f.add(clocks, procedures);
        f.seal();
        f
    }

    /// Adds clocks of cases not held yet, in any order, e.g. a page of a full load; call
    /// [`Facts::seal`] when done. A case's clocks may come in several calls.
    pub fn add(&mut self, clocks: Vec<ReportClock>, procedures: &Procedures) {
        self.sealed = false;
        self.facts.reserve(clocks.len());
        for c in clocks {
            let case = self.case(&c.case_number);
            let fact = self.fact(case, c, procedures);
            self.facts.push(fact);
        }
    }

    /// Puts each case's facts together, in the order a report lists them (case number, then
    /// clock), and drops replaced ones. Cases are numbered in the order of their case numbers,
    /// so the facts sorted by case are in that order; cases added later come after, in the
    /// order they come (usually their numbers' order too).
    pub fn seal(&mut self) {
        self.facts.retain(|f| f.procedure != DEAD);
        // a load grows the vector by doubling: give back what it will not need soon (a large
        // block shrinks in place)
        self.facts
            .shrink_to(self.facts.len() + self.facts.len() / 32);
        let renumber = self.cases.sort();
        let mut by_id: Vec<u16> = (0..self.procedures.len() as u16).collect();
        by_id.sort_by(|&a, &b| {
            self.procedures[a as usize]
                .id
                .cmp(&self.procedures[b as usize].id)
        });
        let mut rank = vec![0u16; self.procedures.len()];
        for (r, &p) in by_id.iter().enumerate() {
            rank[p as usize] = r as u16;
        }
        for f in &mut self.facts {
            f.case = renumber[f.case as usize];
        }
        self.facts
            .sort_unstable_by_key(|f| (f.case, rank[f.procedure as usize]));
        self.dead = 0;
        self.slots = vec![(0, 0); self.cases.len()];
        let mut i = 0;
        while i < self.facts.len() {
            let case = self.facts[i].case;
            let run = self.facts[i..]
                .iter()
                .take_while(|f| f.case == case)
                .count();
            self.slots[case as usize] = (i as u32, run as u32);
            i += run;
        }
        self.sealed = true;
    }

    /// Replaces the clocks of one case with its clocks as stored now (none: it has none).
    pub fn replace(
        &mut self,
        case_number: &str,
        clocks: Vec<ReportClock>,
        procedures: &Procedures,
    ) {
        if !self.sealed {
            self.seal();
        }
        let case = self.case(case_number);
        if self.slots.len() <= case as usize {
            self.slots.resize(case as usize + 1, (0, 0));
        }
        let (start, len) = self.slots[case as usize];
        let (start, len) = (start as usize, len as usize);
        let new: Vec<Fact> = clocks
            .into_iter()
            .map(|c| self.fact(case, c, procedures))
            .collect();
        if new.len() <= len {
            // in place; what is left over is dead
            self.facts[start..start + new.len()].copy_from_slice(&new);
            for f in &mut self.facts[start + new.len()..start + len] {
                f.procedure = DEAD;
            }
            self.dead += len - new.len();
            self.slots[case as usize].1 = new.len() as u32;
        } else {
            for f in &mut self.facts[start..start + len] {
                f.procedure = DEAD;
            }
            self.dead += len;
            self.slots[case as usize] = (self.facts.len() as u32, new.len() as u32);
            self.facts.extend(new);
        }
        // compact once a quarter is dead (each case moves a few times in its life)
        if self.dead * 4 > self.facts.len() {
            self.seal();
        }
    }

    /// Clocks held (replaced ones not counted).
    pub fn len(&self) -> usize {
        self.facts.len() - self.dead
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Cases held.
    pub fn cases(&self) -> usize {
        self.cases.len()
    }

    /// The memory the facts and their tables take by their own count (capacities, the case
    /// numbers, the text of each name with its reference counts; the allocator's overhead not
    /// counted), in bytes. While a copy is loaded again, the old one is held too.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.facts.capacity() * size_of::<Fact>()
            + self.slots.capacity() * size_of::<(u32, u32)>()
            + self.cases.heap_bytes()
            + self.names.heap_bytes()
            + self.profiles.capacity() * size_of::<Profile>()
            + map_bytes(self.profile_index.capacity(), size_of::<(Profile, u32)>())
            + self.procedures.capacity() * size_of::<Procedure>()
            + map_bytes(
                self.procedure_index.capacity(),
                size_of::<(Arc<str>, u16)>(),
            )
    }

    pub(crate) fn live(&self) -> impl Iterator<Item = &Fact> {
        self.facts.iter().filter(|f| f.procedure != DEAD)
    }

    pub(crate) fn case_number(&self, f: &Fact) -> String {
        self.cases.text(f.case)
    }

    /// The order of two facts' case numbers (as text).
    pub(crate) fn cmp_cases(&self, a: &Fact, b: &Fact) -> Ordering {
        self.cases.cmp(a.case, b.case)
    }

    pub(crate) fn procedure(&self, f: &Fact) -> &Procedure {
        &self.procedures[f.procedure as usize]
    }

    pub(crate) fn profile(&self, f: &Fact) -> &Profile {
        &self.profiles[f.profile as usize]
    }

    /// The name at an index of a profile; `None` for [`NO_NAME`].
    pub(crate) fn name(&self, i: u32) -> Option<&str> {
        (i != NO_NAME).then(|| &*self.names.list[i as usize])
    }

    fn case(&mut self, number: &str) -> u32 {
        self.cases.id(number)
    }

    fn name_of(&mut self, name: Option<&str>) -> u32 {
        name.map_or(NO_NAME, |n| self.names.number(n))
    }

    fn procedure_of(&mut self, id: &str, procedures: &Procedures) -> u16 {
        if let Some(&i) = self.procedure_index.get(id) {
            return i;
        }
        let i = u16::try_from(self.procedures.len())
            .ok()
            .filter(|&i| i < DEAD)
            .expect("fewer than 65,535 distinct procedures");
        let id: Arc<str> = id.into();
        self.procedures.push(Procedure {
            id: id.clone(),
            closes_case: procedures.get(&id).is_some_and(|p| p.closes_case),
        });
        self.procedure_index.insert(id, i);
        i
    }

    fn profile_of(&mut self, c: &ReportClock) -> u32 {
        let p = Profile {
            agency: self.name_of(c.agency.as_deref()),
            channel: self.name_of(Some(&c.channel)),
            right_type: self.name_of(c.right_type.as_deref()),
            fair: self.name_of(c.fair.as_deref()),
            officer: self.name_of(c.officer.as_deref()),
        };
        if let Some(&i) = self.profile_index.get(&p) {
            return i;
        }
        let i = self.profiles.len() as u32;
        self.profiles.push(p);
        self.profile_index.insert(p, i);
        i
    }

    /// What a clock becomes. A saved copy holds facts, not clocks: change what this computes
    /// (or [`Fact`]'s fields) and raise `saved::FORMAT`, so that no copy saved before is read.
    fn fact(&mut self, case: u32, c: ReportClock, procedures: &Procedures) -> Fact {
        // Most clocks were never paused or extended: their inputs hold no object at all.
        let inputs: ClockInputs = if c.inputs.get(1..).is_some_and(|rest| rest.contains('{')) {
            serde_json::from_str(&c.inputs).unwrap_or_default()
        } else {
            ClockInputs::default()
        };
        let net_tenths = match (c.started_at, c.closed_at) {
            (Some(s), Some(e)) => (net_days(s, e, &inputs) * 10.0).round() as i32,
            _ => -1,
        };
        Fact {
            started: micros(c.started_at),
            closed: micros(c.closed_at),
            due: micros(c.due_at),
            case,
            profile: self.profile_of(&c),
            net_tenths,
            procedure: self.procedure_of(&c.procedure_id, procedures),
            extensions: u16::try_from(inputs.extensions.len()).unwrap_or(u16::MAX),
        }
    }
}

/// Distinct texts, each with its number (its place in `list`).
#[derive(Clone, Debug, Default)]
struct Texts {
    list: Vec<Arc<str>>,
    index: HashMap<Arc<str>, u32>,
}

impl Texts {
    /// The number of a text, given it the first time.
    fn number(&mut self, text: &str) -> u32 {
        if let Some(&i) = self.index.get(text) {
            return i;
        }
        let i = self.list.len() as u32;
        let text: Arc<str> = text.into();
        self.list.push(text.clone());
        self.index.insert(text, i);
        i
    }

    /// Bytes held: the list, each text with its reference counts, and the map.
    fn heap_bytes(&self) -> usize {
        self.list.capacity() * std::mem::size_of::<Arc<str>>()
            + self.list.iter().map(|s| s.len() + 16).sum::<usize>()
            + map_bytes(
                self.index.capacity(),
                std::mem::size_of::<(Arc<str>, u32)>(),
            )
    }
}

/// An instant as microseconds ([`ABSENT`] for none). Stored instants carry no finer part.
pub(crate) fn micros(t: Option<Timestamp>) -> i64 {
    t.map_or(ABSENT, |t| t.as_microsecond())
}

/// The instant of microseconds, `None` for [`ABSENT`].
pub(crate) fn instant(m: i64) -> Option<Timestamp> {
    (m != ABSENT)
        .then(|| Timestamp::from_microsecond(m).ok())
        .flatten()
}
