//! The shared store conformance suite, on a fresh PostgreSQL database per test.
//!
//! Set `KUAIWEI_TEST_POSTGRES_URL` (for example `postgres://postgres@127.0.0.1:5432/postgres`);
//! without it every test here says loudly that it skipped PostgreSQL.

mod common;

use common::fresh;

kuaiwei_store::store_conformance_tests!(fresh());
