//! Triage aids shown on a case: the materials still missing (for a supplement request), related
//! cases, the respondent with the repeat-infringer finding, and group infringement at a fair.

use jiff::Timestamp;
use kuaiwei_access::Principal;
use kuaiwei_domain::{Channel, Complaint, MatchKind};
use kuaiwei_routing::completeness::{Missing, missing_materials};
use kuaiwei_store::RespondentRecord;
use serde::Serialize;

use crate::{AppError, AppState};

/// When a respondent counts as a repeat infringer (重复侵权), and when many respondents hitting one
/// right at one fair count as group infringement (群体侵权).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TriageConfig {
    /// Upheld cases (infringement found, exhibits withdrawn, listings taken down) that make a
    /// repeat infringer. Default 2 (`crates/cases/data/case_rules.toml`): 商标法 (2019) Art. 60
    /// ¶2 punishes more heavily "五年内实施两次以上商标侵权行为", and the fair ban of the 2011
    /// revision draft follows two established infringements.
    pub repeat_min_upheld: u32,
    /// The window those cases must have closed in, counted back from today. Default 5 years
    /// (1826 days), the Trademark Law's window.
    pub repeat_window_days: u32,
    /// Distinct respondents on one right at one fair session that make group infringement.
    pub group_min_respondents: u32,
    /// Photos whose 64-bit perceptual hashes differ in at most this many bits are shown as
    /// alike across cases (at most 15). Default 6: a resized, recompressed copy differs in a
    /// few bits, unrelated photos in about 32 (BENCHMARKS.md).
    pub photo_distance: u32,
}

impl TriageConfig {
    /// The repeat-infringer rule these settings give.
    pub fn repeat(&self) -> kuaiwei_cases::RepeatRule {
        kuaiwei_cases::RepeatRule {
            min_upheld: self.repeat_min_upheld,
            window_days: self.repeat_window_days,
        }
    }
}

impl Default for TriageConfig {
    /// The repeat-infringer rule of `crates/cases/data/case_rules.toml`, with its legal basis.
    fn default() -> Self {
        let repeat = kuaiwei_cases::RepeatRule::default();
        TriageConfig {
            repeat_min_upheld: repeat.min_upheld,
            repeat_window_days: repeat.window_days,
            group_min_respondents: 3,
            photo_distance: 6,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TriageView {
    /// Materials the complaint still lacks, per right type and channel, with their legal basis:
    /// what a supplement request (补正) lists.
    #[schema(value_type = Vec<Object>)]
    pub missing_materials: Vec<Missing>,
    /// Material kinds of the evidence held.
    pub materials_held: Vec<String>,
    /// Same respondent first, then by the strongest key shared (credit code, name, shop,
    /// seller, booth, listing, right), newest first within each.
    pub related: Vec<RelatedView>,
    /// How many cases share each kind of link with this one (`same_respondent`, `uscc`, …),
    /// counted in full (also cases of agencies the caller may not read, and beyond the cases
    /// listed for a popular right).
    pub related_counts: Vec<RelatedCount>,
    pub respondent: Option<RespondentSummary>,
    pub group_infringement: Vec<GroupView>,
    /// Other cases (the caller may read) with a photo that looks like one of this case's: the
    /// same product photographed at two booths, one listing image on two shops. Nearest
    /// first, at most 20.
    pub similar_photos: Vec<crate::evidence::SimilarPhoto>,
    /// What the routing rules decide for this complaint today: the agency and procedures (or
    /// that a caseworker must decide), the rule, why, and its legal basis. Routing without
    /// naming an agency takes this.
    pub routing: RoutingSuggestion,
}

/// The routing rules' answer for a complaint (see `kuaiwei_routing::RuleSet::route_all`): the
/// case's own authority first (the fields at the top level, as before), then every other
/// authority the complaint's rights need, what is left to a caseworker, the amounts a supervisor
/// must weigh for a transfer, and the facts the rules looked at.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoutingSuggestion {
    /// `None`: no single authority follows from the facts; a caseworker names one.
    pub agency: Option<String>,
    pub procedures: Vec<String>,
    /// The rule that decided (none when no rule matched).
    pub rule_id: Option<String>,
    pub reason_zh: String,
    pub reason_en: String,
    pub legal_basis: String,
    pub transfer_to_police: bool,
    /// The rights the case's own authority acts on.
    pub rights: Vec<String>,
    /// The other authorities: routing opens a linked case for each.
    pub also: Vec<RoutePart>,
    /// Rights no rule routes, or that a rule leaves to a caseworker (when the case has an
    /// authority for its other rights).
    pub unrouted: Vec<RoutePart>,
    /// Amounts in the band of unconfirmed criminal thresholds: a supervisor decides whether to
    /// transfer to the police (legal-deadlines §8.7).
    pub reviews: Vec<ReviewView>,
    /// The facts the rules looked at, in words.
    pub facts: Vec<FactView>,
}

/// One authority of a route (or a part left to a caseworker, `agency` none).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoutePart {
    pub agency: Option<String>,
    pub procedures: Vec<String>,
    pub rule_id: Option<String>,
    pub rights: Vec<String>,
    pub reason_zh: String,
    pub reason_en: String,
    pub legal_basis: String,
    pub transfer_to_police: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewView {
    pub rule_id: String,
    pub threshold: String,
    /// `illegal_gains`, `sales`, `copies` …
    pub metric: String,
    /// In fen, or a count for copies and labels.
    pub amount: i64,
    pub lowest: i64,
    pub threshold_figure: Option<i64>,
    pub reason_zh: String,
    pub reason_en: String,
    pub legal_basis: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FactView {
    pub key: String,
    pub zh: String,
    pub en: String,
}

fn keys(rights: &[kuaiwei_domain::RightKind]) -> Vec<String> {
    rights.iter().map(|k| k.key().to_string()).collect()
}

impl From<&kuaiwei_routing::Routing> for RoutingSuggestion {
    fn from(routing: &kuaiwei_routing::Routing) -> Self {
        let part = |r: &kuaiwei_routing::Route| RoutePart {
            agency: Some(r.agency.key().to_string()),
            procedures: r.procedures.clone(),
            rule_id: Some(r.rule_id.clone()),
            rights: keys(&r.rights),
            reason_zh: r.reason_zh.clone(),
            reason_en: r.reason_en.clone(),
            legal_basis: r.legal_basis.clone(),
            transfer_to_police: r.transfer_to_police,
        };
        let left = |n: &kuaiwei_routing::NoRoute| RoutePart {
            agency: None,
            procedures: n.procedures.clone(),
            rule_id: n.rule_id.clone(),
            rights: keys(&n.rights),
            reason_zh: n.reason_zh.clone(),
            reason_en: n.reason_en.clone(),
            legal_basis: n.legal_basis.clone(),
            transfer_to_police: false,
        };
        let first = match routing.primary() {
            Ok(r) => part(r),
            Err(n) => left(n),
        };
        let skip_unrouted = usize::from(routing.routes.is_empty());
        RoutingSuggestion {
            agency: first.agency,
            procedures: first.procedures,
            rule_id: first.rule_id,
            reason_zh: first.reason_zh,
            reason_en: first.reason_en,
            legal_basis: first.legal_basis,
            transfer_to_police: first.transfer_to_police,
            rights: first.rights,
            also: routing.routes.iter().skip(1).map(part).collect(),
            unrouted: routing
                .unrouted
                .iter()
                .skip(skip_unrouted)
                .map(left)
                .collect(),
            reviews: routing
                .reviews
                .iter()
                .map(|r| ReviewView {
                    rule_id: r.rule_id.clone(),
                    threshold: r.threshold.clone(),
                    metric: metric_key(r.metric),
                    amount: r.amount,
                    lowest: r.lowest,
                    threshold_figure: r.threshold_figure,
                    reason_zh: r.reason_zh.clone(),
                    reason_en: r.reason_en.clone(),
                    legal_basis: r.legal_basis.clone(),
                })
                .collect(),
            facts: routing
                .facts
                .iter()
                .map(|f| FactView {
                    key: f.key.to_string(),
                    zh: f.zh.clone(),
                    en: f.en.clone(),
                })
                .collect(),
        }
    }
}

fn metric_key(m: kuaiwei_routing::Metric) -> String {
    m.key().trim_end_matches("_fen").to_string()
}

/// Another case linked to this one, with every reason.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RelatedView {
    pub case_number: String,
    pub state: kuaiwei_domain::CaseState,
    #[schema(value_type = String, format = DateTime)]
    pub received_at: Timestamp,
    /// `same_respondent` and/or the match keys shared (`uscc`, `respondent_name`, `booth`,
    /// `shop`, `seller`, `right`, `url`).
    pub matched_on: Vec<String>,
    /// The shared values (folded), in the order of `matched_on`'s keys.
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RelatedCount {
    pub kind: String,
    pub cases: u64,
}

/// The order of related cases: the same respondent, then the strongest shared key.
fn link_rank(key: &str) -> usize {
    const ORDER: [&str; 8] = [
        "same_respondent",
        "uscc",
        "respondent_name",
        "shop",
        "seller",
        "booth",
        "url",
        "right",
    ];
    ORDER.iter().position(|k| *k == key).unwrap_or(ORDER.len())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RespondentSummary {
    pub id: i64,
    pub display_name: String,
    pub cases: usize,
    /// 重复侵权: at least `repeat_min_upheld` upheld cases closed within the window.
    pub repeat_infringer: bool,
    /// The upheld cases inside the window, the grounds of the finding (those the caller may
    /// read; see `upheld_elsewhere`).
    pub upheld_cases: Vec<String>,
    /// Upheld cases inside the window held by agencies the caller may not read: counted in
    /// the finding, not named.
    pub upheld_elsewhere: usize,
    pub rule_zh: String,
    pub rule_en: String,
}

/// One right hit by many respondents at one fair session.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GroupView {
    pub right: String,
    pub fair: String,
    pub respondents: usize,
    /// Every case on the right at the fair.
    pub total: usize,
    /// The latest of them ([`GROUP_LISTED`] at most) that the reader may see.
    pub cases: Vec<String>,
}

/// Cases of a group infringement listed in the triage view.
pub const GROUP_LISTED: u32 = 200;

/// Whether `viewer` may read a case of `agency`.
pub fn sees(viewer: &Principal, agency: Option<&str>) -> bool {
    kuaiwei_access::can(viewer, kuaiwei_access::Action::ReadCase, agency)
}

/// The repeat-infringer finding on `r` as of `now`, over all its cases (the finding is the
/// law's, whoever reads it); the cases behind it are named only where `viewer` may read them.
pub fn summarise(
    cfg: &TriageConfig,
    viewer: &Principal,
    r: &RespondentRecord,
    now: Timestamp,
) -> RespondentSummary {
    let rule = cfg.repeat();
    let (upheld, elsewhere): (Vec<_>, Vec<_>) = rule
        .upheld(&r.cases, now)
        .partition(|c| sees(viewer, c.agency.as_deref()));
    RespondentSummary {
        id: r.id,
        display_name: r.display_name.clone(),
        cases: r.cases.len(),
        repeat_infringer: rule.is_repeat(upheld.len() + elsewhere.len()),
        upheld_cases: upheld.iter().map(|c| c.case_number.to_string()).collect(),
        upheld_elsewhere: elsewhere.len(),
        rule_zh: rule.rule_zh(),
        rule_en: rule.rule_en(),
    }
}

/// The respondent finding for a case, if its respondent is known.
pub async fn respondent_of(
    state: &AppState,
    viewer: &Principal,
    respondent_id: Option<i64>,
    now: Timestamp,
) -> Result<Option<RespondentSummary>, AppError> {
    let Some(id) = respondent_id else {
        return Ok(None);
    };
    Ok(state
        .store
        .respondent(id)
        .await?
        .map(|r| summarise(&state.triage, viewer, &r, now)))
}

/// Group infringement: for each right of a fair complaint, the cases on that right at the same
/// fair session, when they come from enough distinct respondents.
async fn groups(
    state: &AppState,
    viewer: &Principal,
    c: &Complaint,
) -> Result<Vec<GroupView>, AppError> {
    if !matches!(c.channel, Channel::Fair { .. }) {
        return Ok(Vec::new());
    }
    let keys = c.match_keys();
    let Some(fair) = keys.iter().find(|k| k.kind == MatchKind::Fair) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for right in keys.iter().filter(|k| k.kind == MatchKind::Right) {
        let pair = [right.clone(), fair.clone()];
        // counted in the store; the cases listed only when they make a group, the latest
        // GROUP_LISTED of them
        let (total, respondents) = state.store.key_group_size(&pair).await?;
        if respondents >= u64::from(state.triage.group_min_respondents) {
            let cases = state.store.cases_with_keys(&pair, GROUP_LISTED).await?;
            out.push(GroupView {
                right: right.value.clone(),
                fair: fair.value.clone(),
                respondents: respondents as usize,
                total: total as usize,
                cases: cases
                    .iter()
                    .filter(|k| sees(viewer, k.agency.as_deref()))
                    .map(|k| k.case_number.to_string())
                    .collect(),
            });
        }
    }
    Ok(out)
}

pub async fn view(
    state: &AppState,
    viewer: &Principal,
    number: &str,
    respondent_id: Option<i64>,
    now: Timestamp,
) -> Result<Option<TriageView>, AppError> {
    // a complaint filed a moment ago gets its respondent and keys from the respondent pass
    crate::respondents::before_reading(state).await?;
    let respondent_id = match respondent_id {
        Some(id) => Some(id),
        None => state
            .store
            .case(number)
            .await?
            .and_then(|c| c.respondent_id),
    };
    let Some(record) = state.store.complaint_of_case(number).await? else {
        return Ok(None);
    };
    let have = kuaiwei_cases::materials_held(&record);
    let mut related: Vec<RelatedView> = Vec::new();
    let original = record.case_number.as_str();
    let found = state.store.related_cases(original, 200).await?;
    for r in found
        .into_iter()
        .filter(|r| sees(viewer, r.agency.as_deref()))
    {
        let (key, value) = match (&r.kind, &r.value) {
            (Some(k), Some(v)) => (k.key().to_string(), v.clone()),
            _ => ("same_respondent".to_string(), String::new()),
        };
        match related
            .iter_mut()
            .find(|x| x.case_number == r.case_number.as_str())
        {
            Some(x) => {
                x.matched_on.push(key);
                x.values.push(value);
            }
            None => related.push(RelatedView {
                case_number: r.case_number.to_string(),
                state: r.state,
                received_at: r.received_at,
                matched_on: vec![key],
                values: vec![value],
            }),
        }
    }
    let rank = |r: &RelatedView| r.matched_on.iter().map(|k| link_rank(k)).min();
    related.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then(b.received_at.cmp(&a.received_at))
            .then(b.case_number.cmp(&a.case_number))
    });
    let mut related_counts: Vec<RelatedCount> = state
        .store
        .related_counts(original)
        .await?
        .into_iter()
        .map(|(kind, cases)| RelatedCount {
            kind: kind.map_or("same_respondent", |k| k.key()).to_string(),
            cases,
        })
        .filter(|c| c.cases > 0)
        .collect();
    related_counts.sort_by_key(|c| link_rank(&c.kind));
    let mut similar_photos = Vec::new();
    for p in crate::evidence::similar_photos(state, original, &record).await? {
        if similar_photos.len() == 20 {
            break;
        }
        if let Some(c) = state.store.case(&p.case_number).await?
            && sees(viewer, c.agency.as_deref())
        {
            similar_photos.push(p);
        }
    }
    let respondent = respondent_of(state, viewer, respondent_id, now).await?;
    let today = kuaiwei_deadlines::local_date(now);
    let input = kuaiwei_routing::RoutingInput::from_complaint(
        &record.complaint,
        respondent.as_ref().is_some_and(|r| r.repeat_infringer),
        None,
        kuaiwei_deadlines::local_date(record.received_at),
        today,
    );
    let routing = RoutingSuggestion::from(&state.rules.route_all(&input));
    Ok(Some(TriageView {
        routing,
        similar_photos,
        missing_materials: missing_materials(&record.complaint, &have),
        materials_held: have.iter().map(|m| m.key().to_string()).collect(),
        related,
        related_counts,
        respondent,
        group_infringement: groups(state, viewer, &record.complaint).await?,
    }))
}
