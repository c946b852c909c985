//! `/api/v1/accounts/{username}/contact`: where an account is told of what concerns it, set by
//! an administrator (the accounts page and `kuaiwei user contact` do the same).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};

use crate::accounts::{self, ContactInput};
use crate::auth::Caller;
use crate::{AppError, AppState};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactBody {
    /// Where e-mail notices go; empty or missing: none.
    email: Option<String>,
    /// A mainland mobile number for text messages; empty or missing: none.
    mobile: Option<String>,
    /// `zh-CN` (the default) or `en`.
    lang: Option<String>,
}

/// Where an account is told, masked (`l***@amr.gov.cn`, `139****5678`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct Notices {
    pub email: Option<String>,
    pub mobile: Option<String>,
    /// The language notices are written in: `zh-CN` or `en`.
    pub lang: String,
}

impl Notices {
    pub fn of(c: &kuaiwei_store::Contact) -> Notices {
        Notices {
            email: c.email.as_deref().map(kuaiwei_domain::pii::email),
            mobile: c.mobile.as_deref().map(accounts::masked_mobile),
            lang: c.lang.clone(),
        }
    }
}

/// Sets where an account is told of a supervisor's decision on its request, of requests
/// awaiting its decision and of its daily deadline watch, replacing what was set. For
/// administrators; recorded on the audit chain (`contact_set`, masked).
#[utoipa::path(
    put,
    path = "/api/v1/accounts/{username}/contact",
    tag = "accounts",
    params(("username" = String, Path, description = "the account's user name")),
    request_body = ContactBody,
    responses(
        (status = 200, description = "as now set, masked", body = Notices),
        (status = 400, description = "malformed JSON, or not JSON", body = crate::error::ErrorBody),
        (status = 401, description = "not logged in", body = crate::error::ErrorBody),
        (status = 403, description = "only administrators manage accounts", body = crate::error::ErrorBody),
        (status = 404, description = "no such account", body = crate::error::ErrorBody),
        (status = 422, description = "not an e-mail address, not a mainland mobile number, or a language other than zh-CN and en", body = crate::error::ErrorBody),
    )
)]
pub async fn set_contact(
    State(state): State<AppState>,
    Path(username): Path<String>,
    caller: Caller,
    body: Bytes,
) -> Result<Json<Notices>, AppError> {
    caller
        .require(&state, kuaiwei_access::Action::ManageAccounts, None)
        .await?;
    let b: ContactBody = crate::json::parse(&body)?;
    let input = ContactInput {
        email: b.email.as_deref(),
        mobile: b.mobile.as_deref(),
        lang: b.lang.as_deref(),
    };
    let set = accounts::set_contact(
        &*state.store,
        &caller.actor(),
        &username,
        input,
        state.clock.now(),
    )
    .await?;
    Ok(Json(Notices::of(&set)))
}
