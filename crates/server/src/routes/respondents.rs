//! A caseworker's corrections of respondent entities, and the links the rules left to decide:
//! the rules never join two credit codes, and what they cannot decide (a conflict, a name
//! without its city that fits two companies, a typo) waits here. Every correction needs a
//! reason and is on the audit chain (subject `respondent:<id>`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use jiff::Timestamp;
use kuaiwei_access::Action;
use kuaiwei_store::{Correction, RespondentCorrection, RespondentProposal, StoreError};
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::{AppError, AppState};

/// A correction, as sent to `POST /api/v1/respondents/{id}/actions`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum RespondentAction {
    /// Join entity `with` into this one: one infringer, whatever the rules found.
    Join { with: i64, reason: String },
    /// Move these cases out of this entity into a new one; the two are kept apart from then on.
    Split { cases: Vec<String>, reason: String },
    /// Undo a join recorded on this entity (by the rules or by hand): the cases it moved go
    /// back, and the two are kept apart from then on.
    UndoJoin { join: i64, reason: String },
    /// Join the two entities of a proposal naming this one.
    AcceptProposal { proposal: i64, reason: String },
    /// Keep the two entities of a proposal naming this one apart.
    RejectProposal { proposal: i64, reason: String },
}

impl RespondentAction {
    fn reason(&self) -> &str {
        match self {
            RespondentAction::Join { reason, .. }
            | RespondentAction::Split { reason, .. }
            | RespondentAction::UndoJoin { reason, .. }
            | RespondentAction::AcceptProposal { reason, .. }
            | RespondentAction::RejectProposal { reason, .. } => reason,
        }
    }

    fn correction(&self, id: i64) -> Correction {
        match self {
            RespondentAction::Join { with, .. } => Correction::Join {
                survivor: id,
                absorbed: *with,
            },
            RespondentAction::Split { cases, .. } => Correction::Split {
                from: id,
                cases: cases.clone(),
            },
            RespondentAction::UndoJoin { join, .. } => Correction::UndoJoin { join: *join },
            RespondentAction::AcceptProposal { proposal, .. } => Correction::Decide {
                proposal: *proposal,
                accept: true,
            },
            RespondentAction::RejectProposal { proposal, .. } => Correction::Decide {
                proposal: *proposal,
                accept: false,
            },
        }
    }
}

/// What a correction left.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CorrectionDone {
    /// The entities as they stand after it: the one acted on first (for a split, then the new
    /// one; for a rejected proposal, both).
    pub respondents: Vec<i64>,
}

fn id_of(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// Correct a respondent entity: join another into it, split cases out of it, undo a join, or
/// decide a proposed link. Caseworkers only; a reason is required.
#[utoipa::path(
    post,
    path = "/api/v1/respondents/{id}/actions",
    tag = "cases",
    params(("id" = i64, Path, description = "the respondent id shown on a case")),
    request_body = RespondentAction,
    responses(
        (status = 200, body = CorrectionDone),
        (status = 400, description = "malformed body", body = crate::error::ErrorBody),
        (status = 401, description = "not logged in", body = crate::error::ErrorBody),
        (status = 403, description = "a role that does not correct respondents", body = crate::error::ErrorBody),
        (status = 404, description = "no such (or since joined) entity, join, proposal, or a case not on the entity", body = crate::error::ErrorBody),
        (status = 409, description = "an entity joined to itself, a split of all or none of its cases, a join undone or a proposal decided before, or a join or proposal that does not name this entity", body = crate::error::ErrorBody),
        (status = 422, description = "a missing reason", body = crate::error::ErrorBody),
    )
)]
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<CorrectionDone>, AppError> {
    caller
        .require(&state, Action::CorrectRespondents, None)
        .await?;
    let id = id_of(&id)?;
    let body: RespondentAction = crate::json::parse(&body)?;
    Ok(Json(correct(&state, &caller, id, body).await?))
}

/// One correction of respondent `id` by `caller` (the API and the respondent page).
pub async fn correct(
    state: &AppState,
    caller: &Caller,
    id: i64,
    body: RespondentAction,
) -> Result<CorrectionDone, AppError> {
    caller
        .require(state, Action::CorrectRespondents, None)
        .await?;
    let reason = body.reason().trim();
    if reason.is_empty() || reason.chars().count() > 2000 {
        return Err(AppError::field(
            "reason",
            "required",
            "此项为必填项（最多2000字）",
            "required, at most 2000 characters",
        ));
    }
    names_this_entity(state, id, &body).await?;
    let done = state
        .store
        .correct_respondents(RespondentCorrection {
            correction: body.correction(id),
            actor: caller.principal.username.clone(),
            reason: reason.to_string(),
            at: state.clock.now(),
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict(why) => AppError::StateConflict {
                code: "respondent_correction_refused",
                zh: "该更正无法执行（实体相同、拆分须两边都有案件，或已处理）".into(),
                en: why,
            },
            other => other.into(),
        })?;
    Ok(CorrectionDone {
        respondents: done.respondents,
    })
}

/// A join to undo or a proposal to decide must name the entity in the path, so that the
/// request says what it touches.
async fn names_this_entity(
    state: &AppState,
    id: i64,
    body: &RespondentAction,
) -> Result<(), AppError> {
    let record = state
        .store
        .respondent(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let names = match body {
        RespondentAction::UndoJoin { join, .. } => record.joins.iter().any(|j| j.id == *join),
        RespondentAction::AcceptProposal { proposal, .. }
        | RespondentAction::RejectProposal { proposal, .. } => {
            record.proposals.iter().any(|p| p.id == *proposal)
        }
        _ => true,
    };
    if names {
        Ok(())
    } else {
        Err(AppError::StateConflict {
            code: "not_this_respondent",
            zh: "该合并记录或建议不涉及此被投诉人".into(),
            en: "the join or proposal does not name this respondent".into(),
        })
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ProposalQuery {
    /// At most this many (1-1000, default 200).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProposalView {
    pub id: i64,
    /// `conflict` (hard identifiers disagree), `ambiguous` (a name without its city fits
    /// entities that disagree), `typo` (a name one character away).
    pub kind: String,
    pub respondents: [i64; 2],
    /// The case whose complaint raised it.
    pub case_number: Option<String>,
    pub detail: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl From<RespondentProposal> for ProposalView {
    fn from(p: RespondentProposal) -> Self {
        ProposalView {
            id: p.id,
            kind: p.kind,
            respondents: [p.a, p.b],
            case_number: p.case_number,
            detail: p.detail,
            created_at: p.created_at,
        }
    }
}

/// Links the rules would not decide, oldest first: accept or reject each through the actions
/// of either respondent.
#[utoipa::path(
    get,
    path = "/api/v1/respondent-proposals",
    tag = "cases",
    params(ProposalQuery),
    responses(
        (status = 200, body = Vec<ProposalView>),
        (status = 401, description = "not logged in", body = crate::error::ErrorBody),
        (status = 403, description = "a role that does not correct respondents", body = crate::error::ErrorBody),
        (status = 422, description = "`limit` outside 1-1000, or an unreadable query string", body = crate::error::ErrorBody),
    )
)]
pub async fn proposals(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<ProposalQuery>, QueryRejection>,
) -> Result<Json<Vec<ProposalView>>, AppError> {
    caller
        .require(&state, Action::CorrectRespondents, None)
        .await?;
    let q = crate::routes::reports::query(query)?;
    Ok(Json(
        open_proposals(
            &state,
            crate::routes::bounded("limit", q.limit, 200, 1..=1000)?,
        )
        .await?,
    ))
}

/// The links waiting for a caseworker, the respondent pass brought up to date first.
pub async fn open_proposals(state: &AppState, limit: u32) -> Result<Vec<ProposalView>, AppError> {
    crate::respondents::before_reading(state).await?;
    let found = state.store.respondent_proposals(limit).await?;
    Ok(found.into_iter().map(ProposalView::from).collect())
}
