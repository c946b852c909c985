-- Cases: one per complaint (plus linked cases opened by a transfer), their statutory clocks with
-- stored due dates (queues sort by them), and the hash-chained audit trail, append-only.

create table cases (
    case_number text primary key,
    complaint_id bigint not null references complaints (id),
    state text not null,
    agency text,
    outcome text,
    parent_case text references cases (case_number),
    received_at timestamptz not null,
    next_due_at timestamptz,
    version bigint not null
);

create index cases_queue on cases (agency, state, next_due_at);

create table case_clocks (
    case_number text not null references cases (case_number),
    procedure_id text not null,
    position integer not null,
    started_at timestamptz,
    closed_at timestamptz,
    due_at timestamptz,
    status text not null,
    inputs jsonb not null,
    primary key (case_number, procedure_id)
);

create table audit_events (
    seq bigint primary key,
    case_number text not null,
    actor text not null,
    at timestamptz not null,
    kind text not null,
    payload text not null,
    reason text,
    prev_hash text not null,
    hash text not null unique
);

create index audit_events_case on audit_events (case_number, seq);

-- The chain's end, kept apart so that removing the last events is detectable too.
create table audit_head (
    id integer primary key check (id = 1),
    seq bigint not null,
    hash text not null
);

create function kuaiwei_refuse_audit_change() returns trigger language plpgsql as $$
begin
    raise exception 'audit events are append-only';
end;
$$;

create trigger audit_events_append_only before update or delete on audit_events
for each row execute function kuaiwei_refuse_audit_change();

create function kuaiwei_audit_head_forward() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' or new.seq <= old.seq then
        raise exception 'the audit head only moves forward';
    end if;
    return new;
end;
$$;

create trigger audit_head_forward_only before update or delete on audit_head
for each row execute function kuaiwei_audit_head_forward();

insert into cases (case_number, complaint_id, state, received_at, version)
select case_number, id, 'received', received_at, 1 from complaints;
