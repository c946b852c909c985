//! Telling people what they need to know, through one outbox.
//!
//! A case step that should tell someone writes its messages into the store's outbox in the
//! same transaction as the step (so a crash between the step and the sending loses nothing):
//! who (the channel and the recipient, with a masked form for the timeline), in which language,
//! and what happened ([`Notice`], as data). The delivery [`worker`] renders each message when it
//! sends it ([`template`]), retries with growing delays, records every attempt, and gives up
//! after [`worker::Backoff::attempts`]; every message and attempt shows on the case's timeline.
//!
//! Staff are told too ([`staff`]): the officer who asked, of a supervisor's decision on an
//! extension or a transfer; the supervisors who may decide, of a new request; and each officer
//! and supervisor, once a day, of their cases overdue or due soon ([`digest`]). They are told at
//! the e-mail address (and mobile) an administrator set on their account, in its language.
//!
//! Channels ([`channel`]), each off unless configured (`[notify]` in the config file): e-mail
//! over SMTP, SMS through the centre's HTTP gateway (a signed JSON POST, [`sign`]), and signed
//! webhooks to the platforms that filed with an API key.

#![forbid(unsafe_code)]

pub mod channel;
pub mod compose;
pub mod digest;
pub mod sign;
pub mod staff;
pub mod template;
pub mod worker;

pub use channel::{Attempt, Poster, Smtp, SmtpSecurity, SmtpSettings};
pub use compose::{Configured, follow_up, receipt};
pub use staff::{StaffChannels, StaffNotice};
pub use template::{Lang, Notice};
pub use worker::{Backoff, Channels, HttpTarget};
