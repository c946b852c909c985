//! The server's side of search: the indexer (crates/search) runs over this state's store while
//! the server serves (see `serve_with`); the query behind `GET /api/v1/search` is in
//! `routes::search`.

use kuaiwei_search::SearchIndex;

use crate::{AppError, AppState};

pub use kuaiwei_search::BUNDLED_SYNONYMS;

/// Applies every change logged since the index's last commit to `index`, from this state's
/// store; how many cases it indexed.
pub async fn catch_up(state: &AppState, index: &SearchIndex) -> Result<usize, AppError> {
    kuaiwei_search::catch_up(state.store.as_ref(), index)
        .await
        .map_err(|e| match e {
            kuaiwei_search::IndexerError::Store(e) => e.into(),
            e => AppError::Internal(e.to_string()),
        })
}
