//! Which respondent (被投诉人) each complaint is about: the pure rules, table-tested; the backends
//! load what they need (the entities the complaints' aliases reach, with every alias of each),
//! call [`resolve_run`] and write what it decides.
//!
//! An entity is known by its aliases: the credit code, the folded name with and without its
//! divisions, shops, seller ids and booths (each on its platform or fair session). A complaint
//! reaches the entities that hold any of its aliases, and
//!
//! 1. never joins one whose hard identifiers disagree with it or with what it already joins:
//!    two different credit codes, or, on one platform, different seller ids under different
//!    names, or names in different cities, or a pair a caseworker split;
//!    where the complaint reached it by a strong key (credit code, full name, seller, shop,
//!    booth) that disagreement is a **conflict** shown to a caseworker;
//! 2. joins every other entity it reaches by a strong key, the entities joining each other
//!    (recorded and reversible): arrival order does not decide;
//! 3. joins the entities reached only by the name without its divisions when they agree with
//!    it and with each other; when two of them disagree (the same trade name in two cities, and
//!    a complaint that names no city and gives no credit code) it joins none and each is
//!    **proposed** to a caseworker;
//! 4. a name one typing error away only **proposes** a link. That is found after the filing, by
//!    a pass over the change log ([`typo_run`]): looking up a dozen one-character variants per
//!    complaint inside the filing's transaction made intake five times slower (BENCHMARKS.md),
//!    and a proposal waits for a caseworker anyway.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use kuaiwei_domain::{Complaint, MatchKind, divisions_compatible, fold_company_name};

/// How strongly an alias ties a complaint to an entity, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rank {
    /// The unified social credit code (a branch's own code included).
    Uscc,
    /// The folded name with its divisions.
    Name,
    /// A seller id on a platform.
    Seller,
    /// A shop on a platform.
    Shop,
    /// A stand at one session of one fair.
    Booth,
    /// The folded name without its divisions: joins only where nothing disagrees.
    Base,
}

/// The aliases of a complaint's respondent: those it is looked up by, with their rank, and those
/// only recorded for later complaints to find (the branch mark; typo deletions).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    pub links: Vec<(String, Rank)>,
    /// Looked up by the typo pass only, to propose a link: names one character away.
    pub typo_lookups: Vec<String>,
    /// Recorded with the entity at filing, never looked up as a link.
    pub marks: Vec<String>,
    /// The name's one-character deletions: recorded with the entity by the typo pass.
    pub typos: Vec<String>,
    /// How a new entity is shown.
    pub display: String,
}

impl Identity {
    pub fn of(c: &Complaint) -> Identity {
        let mut id = Identity {
            display: c.respondent_display(),
            ..Identity::default()
        };
        let folded = c.respondent.name.as_deref().and_then(fold_company_name);
        let branch = folded.as_ref().is_some_and(|f| f.branch.is_some());
        if let Some(u) = &c.respondent.uscc {
            // a branch has a credit code of its own: it finds the branch, and never disagrees
            // with its parent's
            let kind = if branch { "branch_uscc" } else { "uscc" };
            id.links
                .push((format!("{kind}:{}", u.as_str()), Rank::Uscc));
        }
        if let Some(f) = &folded {
            // a name without a division is no registered name: as weak as the base
            let rank = if f.divisions.is_empty() {
                Rank::Base
            } else {
                Rank::Name
            };
            id.links.push((format!("name:{}", f.full()), rank));
            id.links.push((format!("base:{}", f.base), Rank::Base));
            if let Some(b) = &f.branch {
                id.marks.push(format!("branch:{}|{b}", f.base));
            }
            let dels = f.typo_variants();
            id.typos.extend(dels.iter().map(|d| format!("typo:{d}")));
            id.typo_lookups
                .extend(dels.iter().map(|d| format!("typo:{d}")));
            id.typo_lookups
                .extend(dels.iter().map(|d| format!("base:{d}")));
            id.typo_lookups.push(format!("typo:{}", f.base));
        }
        for k in c.match_keys() {
            let rank = match k.kind {
                MatchKind::Seller => Rank::Seller,
                MatchKind::Shop => Rank::Shop,
                MatchKind::Booth => Rank::Booth,
                _ => continue,
            };
            id.links.push((k.alias(), rank));
        }
        id
    }

    /// Every alias recorded with the entity the complaint joins, at filing.
    pub fn recorded(&self) -> impl Iterator<Item = &String> {
        self.links.iter().map(|(a, _)| a).chain(&self.marks)
    }

    /// Every alias the entity holds because of this complaint, once the typo pass has seen it.
    pub fn all_aliases(&self) -> impl Iterator<Item = &String> {
        self.recorded().chain(&self.typos)
    }

    /// Every alias to look up before resolving.
    pub fn lookups(&self) -> impl Iterator<Item = &String> {
        self.links.iter().map(|(a, _)| a)
    }
}

/// Why two entities cannot be one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disagreement {
    Uscc,
    Seller,
    Division,
    /// A caseworker split them, or refused to join them.
    KeptApart,
}

impl Disagreement {
    pub fn key(self) -> &'static str {
        match self {
            Disagreement::Uscc => "different_credit_codes",
            Disagreement::Seller => "different_sellers_and_names",
            Disagreement::Division => "different_divisions",
            Disagreement::KeptApart => "kept_apart",
        }
    }
}

/// What an entity's aliases say about who it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Profile {
    usccs: BTreeSet<String>,
    divisions: Vec<String>,
    bases: BTreeSet<String>,
    sellers: BTreeMap<String, BTreeSet<String>>,
}

impl Profile {
    fn of<'a>(aliases: impl IntoIterator<Item = &'a String>) -> Profile {
        let mut p = Profile::default();
        for a in aliases {
            let Some((kind, value)) = a.split_once(':') else {
                continue;
            };
            match kind {
                "uscc" => {
                    p.usccs.insert(value.to_string());
                }
                "name" => {
                    if let Some((divs, base)) = value.split_once('|') {
                        p.divisions
                            .extend(divs.split(',').filter(|d| !d.is_empty()).map(String::from));
                        p.bases.insert(base.to_string());
                    }
                }
                "seller" => {
                    if let Some((platform, seller)) = value.rsplit_once('|') {
                        p.sellers
                            .entry(platform.to_string())
                            .or_default()
                            .insert(seller.to_string());
                    }
                }
                _ => {}
            }
        }
        p.divisions.sort();
        p.divisions.dedup();
        p
    }

    fn absorb(&mut self, other: &Profile) {
        self.usccs.extend(other.usccs.iter().cloned());
        self.divisions.extend(other.divisions.iter().cloned());
        self.divisions.sort();
        self.divisions.dedup();
        self.bases.extend(other.bases.iter().cloned());
        for (p, s) in &other.sellers {
            self.sellers
                .entry(p.clone())
                .or_default()
                .extend(s.iter().cloned());
        }
    }

    fn disagrees(&self, other: &Profile) -> Option<Disagreement> {
        if !self.usccs.is_empty() && !other.usccs.is_empty() && self.usccs.is_disjoint(&other.usccs)
        {
            return Some(Disagreement::Uscc);
        }
        if !divisions_compatible(&self.divisions, &other.divisions) {
            return Some(Disagreement::Division);
        }
        let names_differ = !self.bases.is_empty()
            && !other.bases.is_empty()
            && self.bases.is_disjoint(&other.bases);
        let sellers_differ = self.sellers.iter().any(|(p, mine)| {
            other
                .sellers
                .get(p)
                .is_some_and(|theirs| mine.is_disjoint(theirs))
        });
        (names_differ && sellers_differ).then_some(Disagreement::Seller)
    }
}

/// A link a caseworker should decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProposalKind {
    /// A complaint links two entities whose hard identifiers disagree.
    Conflict,
    /// A name without its city fits entities that disagree with each other.
    Ambiguous,
    /// A name one character away.
    Typo,
}

impl ProposalKind {
    pub fn key(self) -> &'static str {
        match self {
            ProposalKind::Conflict => "conflict",
            ProposalKind::Ambiguous => "ambiguous",
            ProposalKind::Typo => "typo",
        }
    }

    pub fn parse(s: &str) -> Option<ProposalKind> {
        [
            ProposalKind::Conflict,
            ProposalKind::Ambiguous,
            ProposalKind::Typo,
        ]
        .into_iter()
        .find(|k| k.key() == s)
    }
}

/// A join decided by the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedMerge {
    pub survivor: i64,
    pub absorbed: i64,
    /// The complaint of the run that linked them.
    pub complaint: usize,
    /// The aliases it reached the absorbed entity by.
    pub via: Vec<String>,
    /// Complaints of the run that were on the absorbed entity.
    pub moved_in_run: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedProposal {
    pub kind: ProposalKind,
    /// The entity the complaint joined, and the other one (final ids, `a != b`).
    pub a: i64,
    pub b: i64,
    pub complaint: usize,
    /// Why (`different_credit_codes`, or the aliases that matched).
    pub detail: String,
}

/// What a run of complaints does to the respondents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunPlan {
    /// Per complaint, its entity after the whole run (`None` without any identifying alias).
    pub ids: Vec<Option<i64>>,
    /// Entities to create: id and display name (some may be absorbed later in the run).
    pub created: Vec<(i64, String)>,
    /// Joins, in the order they are to be applied.
    pub merges: Vec<PlannedMerge>,
    /// Aliases to record (final ids); some may be stored already.
    pub aliases: Vec<(String, i64)>,
    pub proposals: Vec<PlannedProposal>,
}

/// The entities a run can reach, as stored.
#[derive(Debug, Clone, Default)]
pub struct World {
    aliases: HashMap<i64, BTreeSet<String>>,
    owners: HashMap<String, BTreeSet<i64>>,
    apart: HashSet<(i64, i64)>,
    next_id: i64,
}

fn pair(a: i64, b: i64) -> (i64, i64) {
    (a.min(b), a.max(b))
}

impl World {
    /// `aliases`: every alias of every entity any alias of the run reaches; `apart`: pairs
    /// kept apart by caseworkers (current ids); `next_id`: the first free entity id.
    pub fn new(
        aliases: impl IntoIterator<Item = (String, i64)>,
        apart: impl IntoIterator<Item = (i64, i64)>,
        next_id: i64,
    ) -> World {
        let mut w = World {
            next_id,
            ..World::default()
        };
        for (alias, id) in aliases {
            w.owners.entry(alias.clone()).or_default().insert(id);
            w.aliases.entry(id).or_default().insert(alias);
        }
        w.apart = apart.into_iter().map(|(a, b)| pair(a, b)).collect();
        w
    }

    fn profile(&self, id: i64) -> Profile {
        self.aliases.get(&id).map(Profile::of).unwrap_or_default()
    }

    fn apart_from(&self, id: i64, others: &[i64]) -> bool {
        others.iter().any(|o| self.apart.contains(&pair(id, *o)))
    }

    fn add_alias(&mut self, alias: &str, id: i64) -> bool {
        let new = self
            .aliases
            .entry(id)
            .or_default()
            .insert(alias.to_string());
        self.owners.entry(alias.to_string()).or_default().insert(id);
        new
    }

    fn merge(&mut self, survivor: i64, absorbed: i64) {
        let moved = self.aliases.remove(&absorbed).unwrap_or_default();
        for a in &moved {
            if let Some(o) = self.owners.get_mut(a) {
                o.remove(&absorbed);
                o.insert(survivor);
            }
        }
        self.aliases.entry(survivor).or_default().extend(moved);
        self.apart = self
            .apart
            .iter()
            .map(|&(a, b)| {
                let m = |x| if x == absorbed { survivor } else { x };
                pair(m(a), m(b))
            })
            .collect();
    }
}

/// What the rules decide for one complaint, before it is applied.
#[derive(Debug, Default)]
struct Decision {
    join: Vec<(i64, Vec<String>)>,
    proposals: Vec<(ProposalKind, i64, String)>,
}

fn decide(world: &World, id: &Identity) -> Decision {
    let own = Profile::of(id.recorded());
    let mut reached: BTreeMap<i64, (Rank, Vec<String>)> = BTreeMap::new();
    for (alias, rank) in &id.links {
        for e in world.owners.get(alias).into_iter().flatten() {
            let entry = reached.entry(*e).or_insert((*rank, Vec::new()));
            entry.0 = entry.0.min(*rank);
            entry.1.push(alias.clone());
        }
    }
    let mut order: Vec<(Rank, i64)> = reached.iter().map(|(e, (r, _))| (*r, *e)).collect();
    order.sort();
    let mut d = Decision::default();
    let mut acc = own;
    let mut accepted: Vec<i64> = Vec::new();
    let mut weak: Vec<i64> = Vec::new();
    for (rank, e) in order {
        if rank == Rank::Base {
            weak.push(e);
            continue;
        }
        if world.apart_from(e, &accepted) {
            continue;
        }
        let p = world.profile(e);
        match acc.disagrees(&p) {
            Some(why) => d
                .proposals
                .push((ProposalKind::Conflict, e, why.key().to_string())),
            None => {
                acc.absorb(&p);
                accepted.push(e);
                d.join.push((e, reached[&e].1.clone()));
            }
        }
    }
    // Reached by the name without its divisions only: all of them or none.
    let fitting: Vec<i64> = weak
        .into_iter()
        .filter(|e| !world.apart_from(*e, &accepted) && acc.disagrees(&world.profile(*e)).is_none())
        .collect();
    let mut together = acc;
    let mut agree = true;
    for (i, e) in fitting.iter().enumerate() {
        let p = world.profile(*e);
        if together.disagrees(&p).is_some() || world.apart_from(*e, &fitting[..i]) {
            agree = false;
            break;
        }
        together.absorb(&p);
    }
    if agree {
        for e in fitting {
            d.join.push((e, reached[&e].1.clone()));
        }
    } else {
        for e in fitting {
            d.proposals
                .push((ProposalKind::Ambiguous, e, reached[&e].1.join(" ")));
        }
    }
    d
}

/// Resolves a run of complaints in order, each seeing what the ones before it did.
pub fn resolve_run(identities: &[Identity], world: &mut World) -> RunPlan {
    let mut plan = RunPlan::default();
    let mut redirect: HashMap<i64, i64> = HashMap::new();
    let mut in_run: HashMap<i64, Vec<usize>> = HashMap::new();
    let mut ids: Vec<Option<i64>> = Vec::with_capacity(identities.len());
    for (i, id) in identities.iter().enumerate() {
        if id.links.is_empty() {
            ids.push(None);
            continue;
        }
        let d = decide(world, id);
        let target = match d.join.iter().map(|(e, _)| *e).min() {
            Some(s) => {
                for (e, via) in d.join.iter().filter(|(e, _)| *e != s) {
                    world.merge(s, *e);
                    redirect.insert(*e, s);
                    let moved = in_run.remove(e).unwrap_or_default();
                    in_run.entry(s).or_default().extend(&moved);
                    plan.merges.push(PlannedMerge {
                        survivor: s,
                        absorbed: *e,
                        complaint: i,
                        via: via.clone(),
                        moved_in_run: moved,
                    });
                }
                s
            }
            None => {
                let s = world.next_id;
                world.next_id += 1;
                plan.created.push((s, id.display.clone()));
                s
            }
        };
        for a in id.recorded() {
            if world.add_alias(a, target) {
                plan.aliases.push((a.clone(), target));
            }
        }
        in_run.entry(target).or_default().push(i);
        for (kind, other, detail) in d.proposals {
            plan.proposals.push(PlannedProposal {
                kind,
                a: target,
                b: other,
                complaint: i,
                detail,
            });
        }
        ids.push(Some(target));
    }
    let last = |mut e: i64| {
        while let Some(n) = redirect.get(&e) {
            e = *n;
        }
        e
    };
    plan.ids = ids.into_iter().map(|e| e.map(last)).collect();
    let mut seen = HashSet::new();
    plan.aliases = std::mem::take(&mut plan.aliases)
        .into_iter()
        .map(|(a, e)| (a, last(e)))
        .filter(|x| seen.insert(x.clone()))
        .collect();
    let mut seen = HashSet::new();
    plan.proposals = std::mem::take(&mut plan.proposals)
        .into_iter()
        .map(|p| PlannedProposal {
            a: last(p.a),
            b: last(p.b),
            ..p
        })
        .filter(|p| p.a != p.b && seen.insert((p.kind, pair(p.a, p.b))))
        .collect();
    plan
}

/// What the typo pass records for a run of filed complaints.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypoPlan {
    /// The complaints' one-character deletions, with their entity; some may be stored already.
    pub aliases: Vec<(String, i64)>,
    /// `a` is the complaint's entity; `complaint` its index in the run.
    pub proposals: Vec<PlannedProposal>,
}

/// The typo pass over a run of filed complaints, in filing order: each complaint's entity (as it
/// is now, after any join) and identity. Proposes, per complaint, at most
/// [`TYPO_CANDIDATES_PER_COMPLAINT`] entities (the lowest ids, the longest known) that hold a
/// name one character away, hold none of its link aliases (those the filing decided on), and
/// agree with the complaint's entity (credit codes, cities,
/// sellers) and were not kept apart from it; then records the complaint's own deletions, so
/// that the run's later complaints and every later pass find it. `world` holds the run's
/// entities and the candidates, with all their aliases.
pub fn typo_run(filed: &[(i64, &Identity)], world: &mut World) -> TypoPlan {
    let mut plan = TypoPlan::default();
    let mut seen = HashSet::new();
    for (i, (entity, id)) in filed.iter().enumerate() {
        let own = world.profile(*entity);
        let mut found: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for alias in &id.typo_lookups {
            for e in world.owners.get(alias).into_iter().flatten() {
                if e != entity {
                    found.entry(*e).or_default().push(alias.clone());
                }
            }
        }
        // one the complaint reaches by a link alias was joined at filing, or proposed there as a
        // conflict or an ambiguous name
        let linked = |e: i64| {
            world
                .aliases
                .get(&e)
                .is_some_and(|held| id.links.iter().any(|(a, _)| held.contains(a)))
        };
        let fitting = found.into_iter().filter(|(e, _)| {
            !linked(*e)
                && !world.apart_from(*e, std::slice::from_ref(entity))
                && own.disagrees(&world.profile(*e)).is_none()
        });
        for (e, via) in fitting.take(TYPO_CANDIDATES_PER_COMPLAINT) {
            if seen.insert(pair(*entity, e)) {
                plan.proposals.push(PlannedProposal {
                    kind: ProposalKind::Typo,
                    a: *entity,
                    b: e,
                    complaint: i,
                    detail: via.join(" "),
                });
            }
        }
        for t in &id.typos {
            if world.add_alias(t, *entity) {
                plan.aliases.push((t.clone(), *entity));
            }
        }
    }
    plan
}

/// A typo pass planned from what was read (off the writer), to be applied by the writer if no
/// other pass moved the position meanwhile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypoWork {
    /// The position the pass read from, and the one it reached.
    pub after: i64,
    pub last: i64,
    /// Change-log entries consumed.
    pub consumed: usize,
    pub plan: TypoPlan,
    /// The case numbers of the run's complaints, by index.
    pub numbers: Vec<String>,
}

/// A change-log entry as the followers read it: (position, entity, key, operation).
pub type Change = (i64, String, String, String);

/// The filed complaints of a typo window: case number, entity, identity.
pub type Filed = Vec<(String, i64, Identity)>;

/// How much of a run of change-log entries the typo pass takes now, and the complaints filed in
/// it with their entity and identity, in filing order. `stored` holds each filed complaint's
/// respondent (`None`: not resolved yet) and body, by case number. The window ends before the
/// first complaint still without its respondent: the respondent pass resolves it first, and
/// passing it by would never propose its names one character away. A complaint resolved to
/// none (0), or no longer stored, is passed by. `None`: nothing can be taken yet.
pub fn typo_window(
    changes: &[Change],
    stored: &HashMap<String, (Option<i64>, String)>,
) -> Result<Option<(usize, Filed)>, serde_json::Error> {
    let mut filed = Vec::new();
    let mut taken = 0;
    for (_, entity, key, op) in changes {
        if entity == "complaint" && op == "created" {
            match stored.get(key) {
                Some((None, _)) => break,
                Some((Some(e), body)) if *e != 0 => {
                    let c: Complaint = serde_json::from_str(body)?;
                    filed.push((key.clone(), *e, Identity::of(&c)));
                }
                _ => {}
            }
        }
        taken += 1;
    }
    Ok((taken > 0).then_some((taken, filed)))
}

/// Every alias the typo pass looks up for a run, without repeats.
pub fn typo_lookups<'a>(identities: impl IntoIterator<Item = &'a Identity>) -> Vec<String> {
    let mut all: Vec<String> = identities
        .into_iter()
        .flat_map(|i| i.typo_lookups.iter().cloned())
        .collect();
    all.sort();
    all.dedup();
    all
}

/// The typo pass's position in the change log (`follower_positions.name`).
pub const TYPO_FOLLOWER: &str = "respondent_typos";

/// How many entities reached by a one-character alias are proposed, per complaint. A deletion
/// index over numbered names (某某1店, 某某12店 …) reaches hundreds of entities a complaint, and
/// a caseworker reads a few proposals, not hundreds.
pub const TYPO_CANDIDATES_PER_COMPLAINT: usize = 4;

/// At most this many holders of one alias are read back by the typo pass (the lowest ids):
/// sending every holder of a crowded deletion variant row by row cost more than all the rest
/// (BENCHMARKS.md).
pub const TYPO_HOLDERS_PER_ALIAS: i64 = 4;

/// The entities the typo pass loads for a run of `complaints` whose entities are `own`, from
/// what its look-ups hit (alias, entity): the run's own, and of the others at most
/// [`TYPO_CANDIDATES_PER_COMPLAINT`] per complaint of the run, the lowest ids first.
pub fn typo_entities_to_load(own: &[i64], hits: &[(String, i64)], complaints: usize) -> Vec<i64> {
    let own: BTreeSet<i64> = own.iter().copied().collect();
    let room = TYPO_CANDIDATES_PER_COMPLAINT.saturating_mul(complaints.max(1));
    let others: BTreeSet<i64> = hits
        .iter()
        .map(|(_, e)| *e)
        .filter(|e| !own.contains(e))
        .collect();
    own.iter()
        .copied()
        .chain(others.into_iter().take(room))
        .collect::<BTreeSet<i64>>()
        .into_iter()
        .collect()
}

/// Every alias a run looks up at filing, without repeats.
pub fn lookups(identities: &[Identity]) -> Vec<String> {
    let mut all: Vec<String> = identities
        .iter()
        .flat_map(|i| i.lookups().cloned())
        .collect();
    all.sort();
    all.dedup();
    all
}

/// The aliases an entity holds given the complaints on it: what a caseworker's split leaves
/// each side with.
pub fn aliases_of_complaints<'a>(
    complaints: impl IntoIterator<Item = &'a Complaint>,
) -> Vec<String> {
    let mut all = BTreeSet::new();
    for c in complaints {
        all.extend(Identity::of(c).all_aliases().cloned());
    }
    all.into_iter().collect()
}

#[cfg(test)]
mod tests;
