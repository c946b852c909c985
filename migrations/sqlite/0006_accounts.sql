-- Staff accounts: a role (caseworker, officer, supervisor, administrator), the agency an officer
-- or agency supervisor belongs to, an argon2id password hash (PHC string). Accounts are
-- disabled, never deleted, so that every action stays attributable.

create table accounts (
    username text primary key,
    display_name text not null,
    role text not null,
    agency text,
    password_hash text not null,
    created_at text not null,
    password_changed_at text not null,
    disabled_at text
);
