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
    id bigint primary key,
    display_name text not null,
    created_at timestamptz not null
);

-- One alias belongs to one respondent; the first complaint to use it decides which.
create table respondent_aliases (
    alias text primary key,
    respondent_id bigint not null
);

alter table complaints add column respondent_id bigint;

create index complaints_respondent on complaints (respondent_id);

create table complaint_keys (
    complaint_id bigint not null,
    kind text not null,
    value text not null,
    primary key (kind, value, complaint_id)
);

-- No index by complaint: a case's own keys are computed from its complaint, then looked up here.

alter table cases add column closed_at timestamptz;
alter table cases add column supervised boolean not null default false;

create index cases_supervised on cases (supervised) where supervised;
