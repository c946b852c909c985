//! Values that cross the [`crate::Store`] trait.

use jiff::Timestamp;
use kuaiwei_domain::{CaseNumber, Complaint, ComplaintStatus};
use serde::{Deserialize, Serialize};

/// A validated complaint ready to be stored, with what the server decided about it.
#[derive(Debug, Clone)]
pub struct NewComplaint {
    pub complaint: Complaint,
    pub received_at: Timestamp,
    /// SHA-256 of the tracking token; the token itself is only ever in the receipt.
    pub token_hash: [u8; 32],
    /// The receipt's tracking token, kept with the idempotency record (and only there) so that
    /// a retry within the replay window can be answered with the same receipt.
    pub tracking_token: String,
    pub idempotency: Option<IdempotencyKey>,
    pub evidence: Vec<EvidenceRef>,
    /// The machine client that filed it (`api:taobao`), when an API key was used; recorded in
    /// the `received` event.
    pub source: Option<String>,
    /// The receipt and the platform's callback, written to the outbox in the filing's
    /// transaction (under the case number it gets).
    pub messages: Vec<crate::NewMessage>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub key: String,
    /// SHA-256 over the request as received (JSON and every file's digest).
    pub request_hash: [u8; 32],
}

/// An evidence file already stored content-addressed; the store records which complaint it
/// belongs to and under what name the complainant sent it (for display only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRef {
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    pub filename: Option<String>,
    /// The material kind the complainant tagged it with (`right_certificate`,
    /// `power_of_attorney` …); untagged evidence is `infringement_evidence`.
    #[serde(default = "default_material")]
    pub material: String,
    /// What the file told about itself at intake: size, pages, EXIF (staff only).
    #[serde(default, skip_serializing_if = "EvidenceMeta::is_empty")]
    pub meta: EvidenceMeta,
}

/// What an evidence file told about itself when it was checked: its size in pixels or pages,
/// and a photo's EXIF capture time, device and GPS position (evidence of where and when a booth
/// was photographed: shown to the handling officer, never in a copy served to anyone else),
/// and its perceptual hash.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
    /// EXIF `DateTimeOriginal` as the camera wrote it (its local time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// Latitude and longitude in millionths of a degree (south and west negative).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gps_e6: Option<(i32, i32)>,
    /// 64-bit perceptual hash (pHash), for near-duplicate photos.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phash: Option<i64>,
}

impl EvidenceMeta {
    pub fn is_empty(&self) -> bool {
        *self == EvidenceMeta::default()
    }

    /// The JSON kept in `evidence_files.meta` (without the hash, which has its own column).
    pub fn to_db(&self) -> Option<String> {
        let stored = EvidenceMeta {
            phash: None,
            ..self.clone()
        };
        (!stored.is_empty()).then(|| serde_json::to_string(&stored).unwrap_or_default())
    }

    /// From `evidence_files.meta` and `.phash`; unreadable JSON reads as nothing known.
    pub fn from_db(meta: Option<&str>, phash: Option<i64>) -> EvidenceMeta {
        let mut m: EvidenceMeta = meta
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default();
        m.phash = phash;
        m
    }

    /// What anyone but the handling officer may see: the size only.
    pub fn public(&self) -> EvidenceMeta {
        EvidenceMeta {
            width: self.width,
            height: self.height,
            pages: self.pages,
            ..EvidenceMeta::default()
        }
    }
}

pub const DEFAULT_MATERIAL: &str = "infringement_evidence";

fn default_material() -> String {
    DEFAULT_MATERIAL.to_string()
}

/// What the complainant gets back, and gets again on a replayed request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub case_number: CaseNumber,
    pub tracking_token: String,
    pub received_at: Timestamp,
    pub status: ComplaintStatus,
    pub evidence: Vec<EvidenceRef>,
    /// True when this receipt answers a retry and nothing new was stored.
    #[serde(skip)]
    pub replayed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ComplaintRecord {
    pub case_number: CaseNumber,
    pub received_at: Timestamp,
    pub status: ComplaintStatus,
    pub complaint: Complaint,
    pub evidence: Vec<EvidenceRef>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintSummary {
    /// Position in the listing, for keyset pagination (`Page::before_id`).
    pub id: i64,
    pub case_number: CaseNumber,
    pub received_at: Timestamp,
    pub status: ComplaintStatus,
    pub channel: String,
    pub respondent: Option<String>,
    pub evidence_count: u32,
}

/// Filters on listings are data, ANDed together, never strings spliced into SQL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComplaintFilter {
    pub channel: Option<String>,
    pub status: Option<ComplaintStatus>,
    pub received_from: Option<Timestamp>,
    pub received_before: Option<Timestamp>,
}

/// Keyset pagination: newest first, strictly older than the summary with `before_id` when given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub limit: u32,
    pub before_id: Option<i64>,
}

impl Page {
    pub const MAX: u32 = 200;

    pub fn first(limit: u32) -> Page {
        Page {
            limit: limit.clamp(1, Page::MAX),
            before_id: None,
        }
    }
}

/// One entry of the change log: the search index and other followers tail it by `seq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub seq: i64,
    pub entity: String,
    pub key: String,
    pub op: String,
    pub at: Timestamp,
}

/// The year a case number carries: the year of receipt in Asia/Shanghai, where the centre is.
pub fn case_year(received_at: Timestamp) -> i16 {
    // China has used UTC+8 without daylight saving since 1991; a fixed offset keeps the store
    // free of a time-zone database.
    let offset = jiff::tz::Offset::constant(8);
    received_at
        .to_zoned(jiff::tz::TimeZone::fixed(offset))
        .year()
}

/// Both databases keep microseconds; receipts must show what was stored, not more.
pub fn truncate_to_micros(t: Timestamp) -> Timestamp {
    let micros = t.as_microsecond();
    Timestamp::from_microsecond(micros).unwrap_or(t)
}

/// Compares secrets without an early exit, so response time says nothing about how much matched.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What the single writer of a store is asked to do.
#[derive(Debug, Clone)]
pub enum WriteOp {
    Submit(Box<NewComplaint>),
    Update(Box<crate::CaseUpdate>),
    /// An event about something other than a case step (a login, an account change), on the
    /// same chain.
    Record(Box<RecordedEvent>),
    /// A caseworker's correction of respondent entities.
    Correct(Box<crate::RespondentCorrection>),
    /// A typo pass planned off the writer (`respondents::TypoWork`), applied if the follower's
    /// position is still where the plan read from.
    TypoApply(Box<crate::respondents::TypoWork>),
    /// Recognises the respondent of at most this many complaints filed without one (intake
    /// leaves it to the respondent pass), oldest first, and records their match keys.
    Resolve(u32),
}

/// An event appended to the audit chain under `subject` (e.g. `account:officer.li`).
#[derive(Debug, Clone)]
pub struct RecordedEvent {
    pub subject: String,
    pub event: crate::NewEvent,
    pub at: jiff::Timestamp,
}

/// What it did.
#[derive(Debug, Clone)]
pub enum WriteDone {
    Submitted(Receipt),
    Updated(UpdatedCase),
    Recorded,
    Corrected(crate::Corrected),
    /// How many change-log entries the typo pass consumed.
    TypoPassed(usize),
    /// How many pending complaints were given their respondent and keys.
    Resolved(usize),
}

/// The result of a step on a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdatedCase {
    pub version: i64,
    /// The linked cases the step opened (a transfer's, or a multi-authority route's), in order.
    pub linked: Vec<CaseNumber>,
}
