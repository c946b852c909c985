-- The outbox (issue #23): messages a step must send, written in the step's transaction and
-- sent afterwards by the delivery worker, with every attempt recorded.
create table outbox (
    id integer primary key autoincrement,
    case_number text not null,
    channel text not null check (channel in ('email', 'sms', 'webhook')),
    recipient text not null,
    shown_to text not null,
    lang text not null,
    notice text not null,
    state text not null default 'pending' check (state in ('pending', 'sent', 'failed')),
    attempts integer not null default 0,
    next_attempt_at text not null,
    last_detail text,
    created_at text not null,
    sent_at text
);
create index outbox_due on outbox (next_attempt_at, id) where state = 'pending';
create index outbox_case on outbox (case_number, id);
create index outbox_failed on outbox (id) where state = 'failed';

create table outbox_attempts (
    message_id integer not null references outbox (id),
    attempt integer not null,
    at text not null,
    outcome text not null check (outcome in ('sent', 'retry', 'failed')),
    detail text not null,
    primary key (message_id, attempt)
);
