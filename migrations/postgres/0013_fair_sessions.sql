-- Fair sessions the centre runs complaint stations at (展会知识产权投诉站): a supervisor or a
-- caseworker enters the fair, the session, its dates and halls once; each hall's QR poster opens
-- the public filing page with the fair, the session and the hall filled in. The halls are a
-- JSON array of strings.

create table fair_sessions (
    id bigint generated always as identity primary key,
    fair text not null,
    session text not null,
    starts_on date not null,
    ends_on date not null,
    halls text not null,
    created_by text not null,
    created_at timestamptz not null,
    check (ends_on >= starts_on)
);

create index fair_sessions_start on fair_sessions (starts_on desc, id desc);
