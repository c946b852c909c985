//! What the chain says was filed, held against what the store holds now: each `received`
//! event carries the digest of the complaint as filed and the digests of its evidence, each
//! supplement the digests of the files it added. A complaint edited after filing, an evidence
//! row added or removed behind kuaiwei's back, or a complaint removed, is found here; the files
//! themselves are then re-hashed against their digests.

use std::collections::{BTreeSet, HashMap};

use kuaiwei_domain::Complaint;
use kuaiwei_store::{AuditEvent, FiledComplaint, complaint_digest, plan::RECEIVED_KIND};

/// What one case's events sealed.
#[derive(Debug, Default)]
struct Seal {
    received: bool,
    /// `None`: a `received` event written before complaints were digested.
    complaint: Option<String>,
    evidence: BTreeSet<String>,
}

/// The seals of every case, gathered while the chain is walked, then held against the store.
#[derive(Debug, Default)]
pub struct Seals {
    cases: HashMap<String, Seal>,
    matched: BTreeSet<String>,
    pub problems: Vec<String>,
    /// Complaints checked against their digest.
    pub complaints: usize,
    /// Complaints whose `received` event predates complaint digests (their evidence is still
    /// checked).
    pub without_digest: usize,
    /// Complaints filed before the chain existed (no `received` event at all).
    pub before_chain: usize,
    /// Every evidence file the store references: (digest, size), to re-hash.
    pub files: BTreeSet<(String, u64)>,
}

#[derive(serde::Deserialize)]
struct Sealed {
    complaint: Option<String>,
    #[serde(default)]
    evidence: Vec<String>,
}

impl Seals {
    /// Takes note of one event of the chain (in order).
    pub fn push(&mut self, e: &AuditEvent) {
        let Ok(sealed) = serde_json::from_str::<Sealed>(&e.payload) else {
            return;
        };
        if e.kind != RECEIVED_KIND && sealed.evidence.is_empty() {
            return;
        }
        let seal = self.cases.entry(e.case_number.clone()).or_default();
        if e.kind == RECEIVED_KIND {
            seal.received = true;
            seal.complaint = sealed.complaint;
        }
        seal.evidence.extend(sealed.evidence);
    }

    /// Holds one stored complaint against its seal.
    pub fn check(&mut self, filed: &FiledComplaint) {
        let number = &filed.case_number;
        self.files
            .extend(filed.evidence.iter().map(|e| (e.sha256.clone(), e.size)));
        let Some(seal) = self.cases.get(number).filter(|s| s.received) else {
            self.before_chain += 1;
            return;
        };
        self.matched.insert(number.clone());
        match &seal.complaint {
            None => self.without_digest += 1,
            Some(sealed) => {
                self.complaints += 1;
                match serde_json::from_str::<Complaint>(&filed.body) {
                    Ok(c) if complaint_digest(&c) == *sealed => {}
                    Ok(_) => self.problems.push(format!(
                        "案件 {number}：投诉内容在提交后被改动（与 received 事件中的摘要不符）/ case {number}: the complaint was edited after filing (it does not match the digest in its received event)"
                    )),
                    Err(_) => self.problems.push(format!(
                        "案件 {number}：所存投诉内容已无法读取（被改动）/ case {number}: the stored complaint is no longer readable (edited)"
                    )),
                }
            }
        }
        let stored: BTreeSet<&String> = filed.evidence.iter().map(|e| &e.sha256).collect();
        for d in seal.evidence.iter().filter(|d| !stored.contains(d)) {
            self.problems.push(format!(
                "案件 {number}：随案提交的证据 {d} 已不在数据库中 / case {number}: evidence {d} filed with it is no longer referenced"
            ));
        }
        for d in stored.iter().filter(|d| !seal.evidence.contains(**d)) {
            self.problems.push(format!(
                "案件 {number}：证据 {d} 不是随案提交的（在 kuaiwei 之外加入）/ case {number}: evidence {d} was never filed with it (added outside kuaiwei)"
            ));
        }
    }

    /// After every stored complaint was checked: the cases received on the chain whose
    /// complaint is gone.
    pub fn finish(&mut self) {
        let mut gone: Vec<&String> = self
            .cases
            .iter()
            .filter(|(n, s)| s.received && !self.matched.contains(*n))
            .map(|(n, _)| n)
            .collect();
        gone.sort();
        for number in gone {
            self.problems.push(format!(
                "案件 {number}：审计链记录了其受理，但投诉已不在数据库中（被删除）/ case {number}: the chain records its filing, but the complaint is gone from the database (deleted)"
            ));
        }
    }
}
