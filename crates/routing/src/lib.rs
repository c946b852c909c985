//! Where a complaint goes, and why. [`RuleSet`] holds the routing rules as data (the bundled
//! `data/rules.toml`, or the administrator's `DATA_DIR/routing.toml`, validated at load with a
//! line number and a zh-CN / en message for every refusal): rules on right kinds, channel, goods
//! crossing the border, amounts against the criminal thresholds in force on the routing date
//! (§2.6), repeat infringement and location, evaluated in order, the first match winning. The
//! [`Route`] names the [`Agency`], the statutory clocks to run (procedure ids of
//! `kuaiwei-deadlines`, the fair desk's F1 first), the rule that decided, the facts that matched
//! and the legal basis. [`completeness`] lists the materials a complaint still lacks, for a
//! supplement request (补正通知). Pure: no I/O, no clock; the date is passed in.

#![forbid(unsafe_code)]

mod agency;
pub mod completeness;
mod error;
#[cfg(test)]
mod fixture;
mod input;
mod rules;
mod text;
mod threshold;

pub use agency::Agency;
pub use completeness::{MaterialKind, Missing, materials_asked, missing_materials};
pub use error::{Issue, NoRoute, RulesError};
pub use input::{ChannelKind, RoutingInput};
pub use rules::{
    BorderMatch, Fact, Match, Outcome, Prepend, Review, Route, Routing, Rule, RuleSet,
    ThresholdCompared,
};
pub use threshold::{
    Band, Compared, Figure, Mark, Metric, Reached, ThresholdSet, ThresholdVersion, Tier,
    TierCondition,
};
