-- Respondents, aliases and keys are derived from the complaints by the single writer, in the
-- complaint's own transaction; they carry no foreign keys because a referential check per key row
-- (7 per complaint) halved PostgreSQL's intake rate (BENCHMARKS.md), and nothing else writes them.
--
-- Triage: the material kind of each evidence file (for the completeness check), the match keys
-- that link related complaints, respondents as entities recognised by their aliases (credit
-- code, folded name, shop, seller, booth), when a case closed (for the repeat-infringer window)
-- and the major-case supervision mark (挂牌督办).

alter table complaint_evidence add column material text not null default 'infringement_evidence';

create table respondents (
    id integer primary key,
    display_name text not null,
    created_at text not null
);

-- One alias belongs to one respondent; the first complaint to use it decides which.
create table respondent_aliases (
    alias text primary key,
    respondent_id integer not null
) without rowid;

alter table complaints add column respondent_id integer;

create index complaints_respondent on complaints (respondent_id);

create table complaint_keys (
    complaint_id integer not null,
    kind text not null,
    value text not null,
    primary key (kind, value, complaint_id)
) without rowid;

-- No index by complaint: a case's own keys are computed from its complaint, then looked up here.

alter table cases add column closed_at text;
alter table cases add column supervised integer not null default 0;

create index cases_supervised on cases (supervised) where supervised = 1;
