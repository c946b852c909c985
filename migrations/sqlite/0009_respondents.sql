-- Respondents you can trust (issue #26): an alias may be held by more than one entity (two
-- companies of one trade name in two cities both hold the name without its city), entities join
-- when a complaint links them and never when their credit codes disagree, every join is recorded
-- and can be undone, and what the rules may not decide is proposed to a caseworker.
--
-- Every complaint is resolved again under the new rules by the start-up backfill (its keys too:
-- the folded name changed), which is what clears the wrong merges of the old first-alias rule.

drop table respondent_aliases;

create table respondent_aliases (
    alias text not null,
    respondent_id integer not null,
    primary key (alias, respondent_id)
) without rowid;

create index respondent_aliases_by_respondent on respondent_aliases (respondent_id);

-- An absorbed entity points at the one it joined (always the final one: chains are flattened).
alter table respondents add column merged_into integer;

-- Joins, by the rules (actor `system`, with the complaint and the aliases that linked them) or by
-- a caseworker (with the reason); `moved` lists the case numbers that moved, so that the join
-- can be undone.
create table respondent_merges (
    id integer primary key,
    survivor integer not null,
    absorbed integer not null,
    case_number text,
    via text not null,
    moved text not null,
    actor text not null,
    reason text,
    at text not null,
    undone_at text
);

create index respondent_merges_survivor on respondent_merges (survivor);
create index respondent_merges_absorbed on respondent_merges (absorbed);

-- Links for a caseworker to decide: a conflict (hard identifiers disagree), an ambiguous name
-- without its city, a name one character away. Ids as they were when proposed; readers follow
-- `merged_into`.
create table respondent_proposals (
    id integer primary key,
    kind text not null,
    respondent_a integer not null,
    respondent_b integer not null,
    case_number text,
    detail text not null,
    created_at text not null,
    decision text,
    decided_by text,
    decided_at text,
    reason text
);

create unique index respondent_proposals_open
    on respondent_proposals (kind, respondent_a, respondent_b) where decision is null;

-- Pairs a caseworker split or refused to join: never joined again by the rules.
create table respondent_apart (
    a integer not null,
    b integer not null,
    primary key (a, b)
) without rowid;

delete from complaint_keys;
delete from respondents;
-- respondent 0 marks the bench's synthetic rows (empty bodies, nothing to resolve): left alone
update complaints set respondent_id = null where respondent_id is not null and respondent_id <> 0;
