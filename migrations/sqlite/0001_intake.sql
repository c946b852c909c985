-- Complaint intake: complaints, their evidence, idempotency records, per-year case counters and
-- the ordered change log that followers (the search index) tail. Append-only: never edit a
-- migration that has shipped; add the next one.

create table case_counters (
    year integer primary key,
    last_sequence integer not null
);

create table complaints (
    id integer primary key,
    case_number text not null unique,
    token_hash blob not null,
    status text not null,
    channel text not null,
    respondent_name text,
    received_at text not null,
    body text not null
);

create index complaints_channel on complaints (channel, id);

create table evidence_files (
    sha256 text primary key,
    size integer not null,
    media_type text not null
);

create table complaint_evidence (
    complaint_id integer not null references complaints (id),
    position integer not null,
    sha256 text not null references evidence_files (sha256),
    filename text,
    primary key (complaint_id, position)
);

create table idempotency_keys (
    key text primary key,
    request_hash blob not null,
    complaint_id integer not null references complaints (id),
    tracking_token text not null,
    created_at text not null
);

create index idempotency_keys_created on idempotency_keys (created_at);

create table change_log (
    seq integer primary key autoincrement,
    entity text not null,
    entity_key text not null,
    op text not null,
    at text not null
);
