-- Where each follower of the change log has got to. The typo pass of the respondent rules
-- (one-character names proposed to a caseworker) runs after the filing, off its transaction.
create table follower_positions (
    name text primary key,
    seq bigint not null
);

-- Complaints filed before this migration had their typo aliases and proposals written at
-- filing: the pass starts after them.
insert into follower_positions (name, seq)
select 'respondent_typos', coalesce(max(seq), 0) from change_log;
