-- Keys of machine clients (an e-commerce platform filing complaints for its right holders). The
-- key is shown once, when made; only its SHA-256 is kept. A key is revoked, never deleted, so
-- that the complaints filed with it keep a name to point to.

create table api_tokens (
    name text primary key,
    token_hash text not null unique,
    scope text not null,
    created_at timestamptz not null,
    revoked_at timestamptz
);
