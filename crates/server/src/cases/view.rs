//! A case as an officer sees it: state, allowed next steps, clocks recomputed at the moment of
//! reading (with the derivation of each due date) and the audited timeline.

use jiff::Timestamp;
use kuaiwei_access::Principal;
use kuaiwei_domain::{Action, CaseState, Outcome};
use kuaiwei_store::{CaseRecord, ClockStanding};
use serde::Serialize;

use super::clocks;
use crate::{AppError, AppState};

#[derive(Serialize, utoipa::ToSchema)]
pub struct CaseView {
    pub case_number: String,
    pub state: CaseState,
    pub state_zh: &'static str,
    pub agency: Option<String>,
    pub outcome: Option<Outcome>,
    /// The case this one was transferred from.
    pub parent: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub received_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<Timestamp>,
    /// 挂牌督办: marked by a supervisor as a major case.
    pub supervised: bool,
    /// The officer handling it: who opened it (立案).
    pub officer: Option<String>,
    pub version: i64,
    /// The steps the life-cycle allows from here.
    pub allowed_actions: Vec<&'static str>,
    /// Those of them the caller's role may take on this case.
    pub permitted_actions: Vec<&'static str>,
    pub clocks: Vec<ClockView>,
    /// The complaint as filed, personal information masked unless the caller asked for it in
    /// full and may read it.
    pub complaint: Option<ComplaintView>,
    /// Completeness, related cases, the respondent and group infringement.
    pub triage: Option<super::triage::TriageView>,
    pub timeline: Vec<EventView>,
    /// What the case told people (the complainant, the filing platform, staff): to whom
    /// (masked), on which channel, and whether it arrived.
    pub messages: Vec<MessageView>,
}

/// One message of the case's outbox.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MessageView {
    /// `email`, `sms` or `webhook`.
    pub channel: String,
    /// The recipient, masked (`z***@example.com`, `138****5678`, `api:taobao`; for staff the
    /// account and its address, `officer.li · l***@amr.gov.cn`).
    pub to: String,
    /// The account told, for a message to staff.
    pub staff: Option<String>,
    /// The step it tells of (`received`, `request_supplement`, `route` …; to staff
    /// `request_extension`, `approve_extension`, `deny_extension`, `propose_transfer`,
    /// `approve_transfer`, `deny_transfer`).
    pub kind: String,
    /// `pending`, `sent` or `failed`.
    pub state: &'static str,
    pub attempts: u32,
    /// What the receiver said at the last attempt.
    pub last_detail: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub sent_at: Option<Timestamp>,
}

/// The complaint behind a case.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ComplaintView {
    /// `masked` (mobiles `138****5678`, natural persons' names, e-mail, addresses, ID numbers in
    /// text) or `full` (as filed: for the officer handling the case, with `?full=true`; each such
    /// reading is a `personal_data_viewed` event on the case's timeline).
    pub personal_data: &'static str,
    /// The complaint's fields as filed (channel, complainant, agent, rights, respondent,
    /// description, goods, amounts, requested measures).
    #[schema(value_type = Object)]
    pub filed: serde_json::Value,
    pub evidence: Vec<EvidenceView>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EvidenceView {
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    pub filename: Option<String>,
    /// The material kind it was tagged with (`right_certificate`, `infringement_evidence` …).
    pub material: String,
    /// Size in pixels (photos) or pages (PDFs), when known.
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub pages: Option<u32>,
    /// The photo's EXIF: capture time as the camera wrote it, device, and GPS position in
    /// degrees. For the case's own agency only (the officer handling it); absent for others.
    pub captured_at: Option<String>,
    pub device: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// `GET` these: the original (a download, recorded on the case's audit chain as custody)
    /// and the preview (`?size=thumb|screen`; photos only, no metadata).
    pub original_url: String,
    pub preview_url: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ClockView {
    pub procedure: String,
    pub name_zh: String,
    pub name_en: String,
    pub legal_basis: String,
    /// pending, running, paused, due_soon, overdue, closed_on_time, closed_late, not_computable
    #[schema(value_type = String)]
    pub status: ClockStanding,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub started_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due: Option<Timestamp>,
    pub explanation_zh: Vec<String>,
    pub explanation_en: Vec<String>,
    /// Why no due date could be computed, if none could.
    pub problem: Option<String>,
    /// The years whose holiday schedule is not yet published that the due date depends on: it
    /// is provisional (legal-deadlines.md §8.6) and is recomputed when the schedule is loaded.
    pub provisional_years: Vec<i16>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EventView {
    pub seq: i64,
    pub kind: String,
    pub actor: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    pub reason: Option<String>,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// This event's link in the audit chain.
    pub hash: String,
}

/// How much personal information a view shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Personal {
    Masked,
    /// Checked by the caller of [`view_of`] and recorded on the chain.
    Full,
}

/// The view of `case` for `viewer`, who may read it (checked by the caller of this function);
/// other cases named in its triage aids are shown only when the viewer may read them too.
pub async fn view_of(
    state: &AppState,
    viewer: &Principal,
    case: CaseRecord,
    personal: Personal,
) -> Result<CaseView, AppError> {
    let number = case.case_number.as_str();
    let events = state.store.case_events(number).await?;
    let messages = state.store.case_messages(number).await?;
    let now = state.clock.now();
    let calendar = state.calendar.current();
    let clocks = case
        .clocks
        .iter()
        .map(|c| {
            let p = state.procedures.get(&c.procedure_id);
            let mut v = ClockView {
                procedure: c.procedure_id.clone(),
                name_zh: p.map(|p| p.name_zh.clone()).unwrap_or_default(),
                name_en: p.map(|p| p.name_en.clone()).unwrap_or_default(),
                legal_basis: p.map(|p| p.citation()).unwrap_or_default(),
                status: ClockStanding::Pending,
                started_at: c.started_at,
                closed_at: c.closed_at,
                due: None,
                explanation_zh: vec![],
                explanation_en: vec![],
                problem: None,
                provisional_years: Vec::new(),
            };
            match clocks::compute(&calendar, &state.procedures, c, now) {
                None => {}
                Some(Ok(s)) => {
                    v.status = ClockStanding::Computed(s.status);
                    v.due = Some(s.due);
                    v.provisional_years = s.provisional.clone();
                    v.explanation_zh = s.explanation.iter().map(|x| x.zh.clone()).collect();
                    v.explanation_en = s.explanation.iter().map(|x| x.en.clone()).collect();
                }
                Some(Err(e)) => {
                    v.status = ClockStanding::NotComputable;
                    v.problem = Some(e.to_string());
                }
            }
            v
        })
        .collect();
    let allowed = super::allowed(state, &case);
    let permitted_actions = allowed
        .iter()
        .filter(|a| {
            kuaiwei_access::can(
                viewer,
                kuaiwei_access::step_permission(**a, case.agency.is_some()),
                case.agency.as_deref(),
            )
        })
        .map(|a| a.key())
        .collect();
    let allowed_actions = allowed.into_iter().map(Action::key).collect();
    let triage = super::triage::view(state, viewer, number, case.respondent_id, now).await?;
    // where and when a photo was taken: for the agency handling the case (its officers and
    // supervisors), as personal data in full is
    let exif_visible = kuaiwei_access::can_read_personal_data(
        viewer,
        case.agency.as_deref(),
        case.officer.as_deref(),
    );
    let complaint = state
        .store
        .complaint_of_case(number)
        .await?
        .map(|r| ComplaintView {
            personal_data: match personal {
                Personal::Masked => "masked",
                Personal::Full => "full",
            },
            filed: match personal {
                Personal::Masked => kuaiwei_domain::pii::masked_complaint(&r.complaint),
                Personal::Full => serde_json::to_value(&r.complaint).unwrap_or_default(),
            },
            evidence: r
                .evidence
                .into_iter()
                .map(|e| {
                    let m = if exif_visible {
                        e.meta.clone()
                    } else {
                        e.meta.public()
                    };
                    let has_preview = kuaiwei_evidence::MediaType::from_mime(&e.media_type)
                        .is_some_and(|t| t.has_preview());
                    let url = format!("/api/v1/cases/{number}/evidence/{}", e.sha256);
                    EvidenceView {
                        original_url: url.clone(),
                        preview_url: has_preview.then(|| format!("{url}/preview")),
                        sha256: e.sha256,
                        size: e.size,
                        media_type: e.media_type,
                        filename: e.filename,
                        material: e.material,
                        width: m.width,
                        height: m.height,
                        pages: m.pages,
                        captured_at: m.captured_at,
                        device: m.device,
                        latitude: m.gps_e6.map(|(lat, _)| f64::from(lat) / 1e6),
                        longitude: m.gps_e6.map(|(_, lon)| f64::from(lon) / 1e6),
                    }
                })
                .collect(),
        });
    Ok(CaseView {
        case_number: case.case_number.to_string(),
        state: case.state,
        state_zh: case.state.zh(),
        agency: case.agency,
        outcome: case.outcome,
        parent: case.parent.map(|p| p.to_string()),
        received_at: case.received_at,
        closed_at: case.closed_at,
        supervised: case.supervised,
        officer: case.officer.clone(),
        version: case.version,
        allowed_actions,
        permitted_actions,
        clocks,
        complaint,
        triage,
        timeline: events
            .into_iter()
            .map(|e| EventView {
                seq: e.seq,
                kind: e.kind,
                actor: e.actor,
                at: e.at,
                reason: e.reason,
                payload: serde_json::from_str(&e.payload).unwrap_or(serde_json::Value::Null),
                hash: e.hash,
            })
            .collect(),
        messages: messages
            .into_iter()
            .map(|m| MessageView {
                channel: m.channel,
                to: m.shown_to,
                staff: m.staff,
                kind: m.notice["kind"].as_str().unwrap_or_default().to_string(),
                state: m.state.key(),
                attempts: m.attempts,
                last_detail: m.last_detail,
                created_at: m.created_at,
                sent_at: m.sent_at,
            })
            .collect(),
    })
}
