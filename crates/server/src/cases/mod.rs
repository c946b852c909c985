//! The case service: checks a step against the life-cycle, derives the clocks it starts, pauses,
//! extends or stops, and writes state, clocks and audit event together. Handlers call [`act`]
//! and [`view`] with the logged-in [`Caller`]: the actor is the session's account, never a
//! field of the request; a step needs the permission `kuaiwei_access::step_permission` names,
//! for the case's agency; another agency's case answers 404, as a missing one does.

mod recompute;
pub mod triage;
mod view;

use kuaiwei_cases::CaseError;
use kuaiwei_cases::GivenFacts;
use kuaiwei_cases::step::{self as parse, ClockPolicy, Reason, Step};
use kuaiwei_domain::{Action, Outcome};
use kuaiwei_store::{CaseRecord, NewEvent};
use serde::Deserialize;

pub use kuaiwei_cases::clocks;
pub use kuaiwei_cases::clocks::due_is_provisional;
pub use recompute::{follow_calendar, take_calendar_changes};
pub use triage::TriageConfig;
pub use view::{CaseView, ClockView, EvidenceView, Personal};

use kuaiwei_access::Action as Permission;

use crate::auth::Caller;
use crate::{AppError, AppState};

/// One step on a case, as sent to `POST /api/v1/cases/{case_number}/actions`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum ActionBody {
    /// 补正: ask the complainant for missing materials. Without `missing`, the request lists
    /// what the completeness check finds missing.
    RequestSupplement {
        reason: String,
        missing: Option<Vec<String>>,
    },
    /// The complainant's supplement arrived.
    Supplement {
        reason: Option<String>,
    },
    Accept {
        reason: Option<String>,
    },
    Refuse {
        reason: String,
    },
    /// Send the case to an agency with the procedures whose clocks it must keep. Without
    /// `agency`, the routing rules decide (and say which rule and why); naming another agency or
    /// other procedures than the rules would is an override and needs a reason. Re-routing
    /// states whether the clocks restart or continue.
    Route {
        reason: Option<String>,
        #[schema(example = "ip_office")]
        agency: Option<String>,
        #[schema(example = json!(["P1", "P3"]))]
        procedures: Option<Vec<String>>,
        /// For a re-route: `restart` or `continue`.
        clock: Option<String>,
        /// The caseworker's routing facts, in place of the complaint's (validated as at filing;
        /// recorded in the event).
        facts: Option<Box<kuaiwei_domain::input::FactsInput>>,
        /// The caseworker's amounts, in place of the complaint's.
        amounts: Option<Box<kuaiwei_domain::input::AmountsInput>>,
    },
    /// 立案
    Open {
        reason: Option<String>,
    },
    /// 中止; `kind` is an excluded-period kind (default `suspension`).
    Suspend {
        reason: String,
        kind: Option<String>,
    },
    Resume {
        reason: Option<String>,
    },
    /// Ask a supervisor to extend, e.g. `1m` or `30d`.
    RequestExtension {
        reason: String,
        amount: String,
    },
    ApproveExtension {
        reason: Option<String>,
    },
    DenyExtension {
        reason: String,
    },
    /// Transfer to another agency (e.g. `police`); the receiving side gets a linked case.
    Transfer {
        reason: String,
        to_agency: String,
        /// Clocks of the receiving side (default for police: T3, 3 days to decide to open).
        procedures: Option<Vec<String>>,
    },
    Close {
        reason: Option<String>,
        outcome: Outcome,
    },
    /// 挂牌督办: mark a major case for supervision (any open state; the state is unchanged).
    Supervise {
        reason: String,
    },
    /// Lift the supervision mark.
    Unsupervise {
        reason: String,
    },
    /// 移送: the special team's report proposing a transfer (e.g. to the police) reaches the
    /// head; the head must decide within 3 days (T1, 移送规定 Art. 5).
    ProposeTransfer {
        reason: String,
    },
    /// The head approves the transfer: it must be sent within 24 hours (T2), by `transfer`.
    ApproveTransfer {
        reason: Option<String>,
    },
    /// On the receiving agency's linked case: the transfer is accepted, and the 3 days to decide
    /// whether to open it (T3, Art. 8) start.
    AcceptTransfer {
        reason: Option<String>,
    },
    /// The head refuses the transfer (不批准移送); the reason is required and recorded (移送规定
    /// Art. 5). T1 stops; the case goes on as an administrative case.
    DenyTransfer {
        reason: String,
    },
}

impl ActionBody {
    fn action(&self) -> Action {
        match self {
            ActionBody::RequestSupplement { .. } => Action::RequestSupplement,
            ActionBody::Supplement { .. } => Action::Supplement,
            ActionBody::Accept { .. } => Action::Accept,
            ActionBody::Refuse { .. } => Action::Refuse,
            ActionBody::Route { .. } => Action::Route,
            ActionBody::Open { .. } => Action::Open,
            ActionBody::Suspend { .. } => Action::Suspend,
            ActionBody::Resume { .. } => Action::Resume,
            ActionBody::RequestExtension { .. } => Action::RequestExtension,
            ActionBody::ApproveExtension { .. } => Action::ApproveExtension,
            ActionBody::DenyExtension { .. } => Action::DenyExtension,
            ActionBody::Transfer { .. } => Action::Transfer,
            ActionBody::Close { .. } => Action::Close,
            ActionBody::Supervise { .. } => Action::Supervise,
            ActionBody::Unsupervise { .. } => Action::Unsupervise,
            ActionBody::ProposeTransfer { .. } => Action::ProposeTransfer,
            ActionBody::ApproveTransfer { .. } => Action::ApproveTransfer,
            ActionBody::AcceptTransfer { .. } => Action::AcceptTransfer,
            ActionBody::DenyTransfer { .. } => Action::DenyTransfer,
        }
    }
}

/// The steps allowed on `case` (see [`kuaiwei_cases::allowed`]).
pub fn allowed(state: &AppState, case: &CaseRecord) -> Vec<Action> {
    kuaiwei_cases::allowed(case, &state.procedures)
}

/// The case `number` if `caller` may read it. Another agency's case is `NotFound`, exactly like
/// a missing one (its existence is not disclosed, the refusal is audited); a role that reads no
/// case at all is refused with 403.
pub async fn readable(
    state: &AppState,
    caller: &Caller,
    number: &str,
) -> Result<CaseRecord, AppError> {
    if !kuaiwei_access::holds(caller.principal.role, Permission::ReadCase) {
        caller.require(state, Permission::ReadCase, None).await?;
    }
    let case = state.store.case(number).await?.ok_or(AppError::NotFound)?;
    caller
        .require_or_hide(state, Permission::ReadCase, case.agency.as_deref(), number)
        .await?;
    Ok(case)
}

/// The case as `caller` sees it. Personal information in full is for the officer handling it
/// (403 for anyone else, audited); each full reading is a `personal_data_viewed` event on the
/// case's own timeline.
pub async fn view(
    state: &AppState,
    caller: &Caller,
    number: &str,
    personal: Personal,
) -> Result<CaseView, AppError> {
    let case = readable(state, caller, number).await?;
    if personal == Personal::Full {
        let p = &caller.principal;
        if !kuaiwei_access::can_read_personal_data(
            p,
            case.agency.as_deref(),
            case.officer.as_deref(),
        ) {
            return Err(caller
                .refuse(
                    state,
                    Permission::ReadPersonalData,
                    case.agency.as_deref(),
                    number,
                )
                .await);
        }
        state
            .store
            .record_event(kuaiwei_store::RecordedEvent {
                subject: number.to_string(),
                event: NewEvent {
                    actor: caller.actor(),
                    kind: "personal_data_viewed".into(),
                    payload: serde_json::json!({}),
                    reason: None,
                },
                at: state.clock.now(),
            })
            .await?;
    }
    view::view_of(state, &caller.principal, case, personal).await
}

/// Applies one step as `caller` and returns the case as it now stands.
pub async fn act(
    state: &AppState,
    caller: &Caller,
    number: &str,
    body: ActionBody,
) -> Result<CaseView, AppError> {
    // every field checked before anything is read
    let step = body.step()?;
    let given = match &body {
        ActionBody::Route { facts, amounts, .. } => GivenFacts {
            facts: facts.as_deref().cloned(),
            amounts: amounts.as_deref().cloned(),
        },
        _ => GivenFacts::default(),
    };
    let case = readable(state, caller, number).await?;
    caller
        .require(
            state,
            kuaiwei_access::step_permission(body.action(), case.agency.is_some()),
            case.agency.as_deref(),
        )
        .await?;
    let by = kuaiwei_cases::Actor {
        actor: caller.actor(),
        username: caller.principal.username.clone(),
    };
    state.cases().take(&case, &step, &given, &by).await?;
    // the step's result, even when it moved the case out of the caller's reach (a re-route)
    let case = state.store.case(number).await?.ok_or(AppError::NotFound)?;
    view::view_of(state, &caller.principal, case, Personal::Masked).await
}

/// The complainant's supplement (补正) to a case that asked for one: the files are kept, then
/// the case service adds them to the complaint and sends the case back to `received`.
pub async fn complainant_supplement(
    state: &AppState,
    number: &str,
    token_hash: &[u8; 32],
    supplement: crate::intake::Supplement,
) -> Result<(), AppError> {
    state
        .store
        .complaint_for_complainant(number, token_hash)
        .await?
        .ok_or(AppError::NotFound)?;
    let case = state.store.case(number).await?.ok_or(AppError::NotFound)?;
    // refused before any file is kept
    kuaiwei_cases::supplement_awaited(&case)?;
    let note = supplement.note.clone();
    let persisted = crate::intake::persist_supplement(state, supplement).await?;
    let added = persisted.evidence.clone();
    let result = state
        .cases()
        .complainant_supplement(&case, added, note)
        .await;
    if result.is_ok() {
        persisted.committed(state);
    } else {
        persisted.refused(state).await;
    }
    Ok(result?)
}

impl ActionBody {
    /// The typed step: every field checked here, at the edge (reasons, agencies, the clock
    /// policy of a re-route, excluded-period kinds, extension amounts).
    fn step(&self) -> Result<Step, CaseError> {
        use ActionBody as B;
        let req = |r: &str| Reason::required("reason", r);
        let opt = |r: &Option<String>| Reason::optional("reason", r.as_deref());
        Ok(match self {
            B::RequestSupplement { reason, missing } => Step::RequestSupplement {
                reason: req(reason)?,
                missing: missing.clone(),
            },
            B::Supplement { reason } => Step::Supplement {
                reason: opt(reason)?,
            },
            B::Accept { reason } => Step::Accept {
                reason: opt(reason)?,
            },
            B::Refuse { reason } => Step::Refuse {
                reason: req(reason)?,
            },
            B::Route {
                reason,
                agency,
                procedures,
                clock,
                ..
            } => Step::Route {
                reason: opt(reason)?,
                agency: agency
                    .as_deref()
                    .map(|a| parse::agency(a, "agency"))
                    .transpose()?,
                procedures: procedures.clone(),
                clock: ClockPolicy::parse(clock.as_deref())?,
            },
            B::Open { reason } => Step::Open {
                reason: opt(reason)?,
            },
            B::Suspend { reason, kind } => Step::Suspend {
                reason: req(reason)?,
                kind: parse::exclusion_kind(kind.as_deref())?,
            },
            B::Resume { reason } => Step::Resume {
                reason: opt(reason)?,
            },
            B::RequestExtension { reason, amount } => Step::RequestExtension {
                reason: req(reason)?,
                amount: parse::amount(amount)?,
            },
            B::ApproveExtension { reason } => Step::ApproveExtension {
                reason: opt(reason)?,
            },
            B::DenyExtension { reason } => Step::DenyExtension {
                reason: req(reason)?,
            },
            B::Transfer {
                reason,
                to_agency,
                procedures,
            } => Step::Transfer {
                reason: req(reason)?,
                to: parse::agency(to_agency, "to_agency")?,
                procedures: procedures.clone(),
            },
            B::Close { reason, outcome } => Step::Close {
                reason: opt(reason)?,
                outcome: *outcome,
            },
            B::Supervise { reason } => Step::Supervise {
                reason: req(reason)?,
            },
            B::Unsupervise { reason } => Step::Unsupervise {
                reason: req(reason)?,
            },
            B::ProposeTransfer { reason } => Step::ProposeTransfer {
                reason: req(reason)?,
            },
            B::ApproveTransfer { reason } => Step::ApproveTransfer {
                reason: opt(reason)?,
            },
            B::AcceptTransfer { reason } => Step::AcceptTransfer {
                reason: opt(reason)?,
            },
            B::DenyTransfer { reason } => Step::DenyTransfer {
                reason: req(reason)?,
            },
        })
    }
}

/// Checks an agency key named in a request (`path` names the field in the error).
pub fn known_agency(key: &str, path: &str) -> Result<(), AppError> {
    kuaiwei_cases::step::agency(key, path).map(|_| ())?;
    Ok(())
}
