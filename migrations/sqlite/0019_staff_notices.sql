-- Telling staff (issue #23): an account may give an e-mail address and a mobile number for
-- notices, and the language they are written in; a case keeps who asked for the pending
-- extension and who proposed its transfer, so that the supervisor's decision is told to them;
-- the outbox holds staff messages (`staff`: the account told) and messages of no case (the
-- daily watch digest), each written once however often its writer runs (`dedup_key`).

alter table accounts add column email text;
alter table accounts add column mobile text;
alter table accounts add column lang text not null default 'zh-CN';

alter table cases add column extension_requested_by text;
alter table cases add column transfer_proposed_by text;

-- SQLite cannot drop a NOT NULL constraint: the outbox is rebuilt (ids kept), its attempts with
-- it so that their reference follows the table's new name.
create table outbox_new (
    id integer primary key autoincrement,
    case_number text,
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
    sent_at text,
    opted_out_at text,
    staff text,
    dedup_key text unique
);
insert into outbox_new (id, case_number, channel, recipient, shown_to, lang, notice, state,
                        attempts, next_attempt_at, last_detail, created_at, sent_at, opted_out_at)
select id, case_number, channel, recipient, shown_to, lang, notice, state,
       attempts, next_attempt_at, last_detail, created_at, sent_at, opted_out_at
  from outbox;

create table outbox_attempts_new (
    message_id integer not null references outbox_new (id),
    attempt integer not null,
    at text not null,
    outcome text not null check (outcome in ('sent', 'retry', 'failed')),
    detail text not null,
    primary key (message_id, attempt)
);
insert into outbox_attempts_new select message_id, attempt, at, outcome, detail from outbox_attempts;

drop table outbox_attempts;
drop table outbox;
-- renaming also renames the reference of outbox_attempts_new
alter table outbox_new rename to outbox;
alter table outbox_attempts_new rename to outbox_attempts;
create index outbox_due on outbox (next_attempt_at, id) where state = 'pending';
create index outbox_case on outbox (case_number, id);
create index outbox_failed on outbox (id) where state = 'failed';

-- backfill
-- Who asked for an extension still pending, and who proposed a transfer: the account named in
-- the actor (`role:name`) of the latest such event.
update cases
   set extension_requested_by = (
           select substr(e.actor, instr(e.actor, ':') + 1) from audit_events e
            where e.case_number = cases.case_number and e.kind = 'request_extension'
            order by e.seq desc limit 1)
 where pending_extension is not null;

update cases
   set transfer_proposed_by = (
           select substr(e.actor, instr(e.actor, ':') + 1) from audit_events e
            where e.case_number = cases.case_number and e.kind = 'propose_transfer'
            order by e.seq desc limit 1);
-- end backfill
