-- Cases: one per complaint (plus linked cases opened by a transfer), their statutory clocks with
-- stored due dates (queues sort by them), and the hash-chained audit trail, append-only.

create table cases (
    case_number text primary key,
    complaint_id integer not null references complaints (id),
    state text not null,
    agency text,
    outcome text,
    parent_case text references cases (case_number),
    received_at text not null,
    next_due_at text,
    version integer not null
);

create index cases_queue on cases (agency, state, next_due_at);

create table case_clocks (
    case_number text not null references cases (case_number),
    procedure_id text not null,
    position integer not null,
    started_at text,
    closed_at text,
    due_at text,
    status text not null,
    inputs text not null,
    primary key (case_number, procedure_id)
);

create table audit_events (
    seq integer primary key,
    case_number text not null,
    actor text not null,
    at text not null,
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
    seq integer not null,
    hash text not null
);

create trigger audit_events_no_update before update on audit_events
begin
    select raise(abort, 'audit events are append-only');
end;

create trigger audit_events_no_delete before delete on audit_events
begin
    select raise(abort, 'audit events are append-only');
end;

create trigger audit_head_forward_only before update on audit_head
when new.seq <= old.seq
begin
    select raise(abort, 'the audit head only moves forward');
end;

create trigger audit_head_no_delete before delete on audit_head
begin
    select raise(abort, 'the audit head cannot be removed');
end;

-- Complaints filed before this migration become received cases (their receipt predates the chain).
insert into cases (case_number, complaint_id, state, received_at, version)
select case_number, id, 'received', received_at, 1 from complaints;
