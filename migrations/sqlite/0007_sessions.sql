-- Browser sessions, kept server-side so that logging out ends them everywhere. The cookie holds a
-- random token; only its SHA-256 is stored, so a copy of the database opens no session.

create table sessions (
    token_hash text primary key,
    username text not null,
    created_at text not null,
    last_seen_at text not null,
    expires_at text not null
);

create index sessions_user on sessions (username);
create index sessions_expiry on sessions (expires_at);
