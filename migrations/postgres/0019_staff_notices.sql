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

alter table outbox alter column case_number drop not null;
alter table outbox add column staff text;
alter table outbox add column dedup_key text unique;

-- backfill
-- Who asked for an extension still pending, and who proposed a transfer: the account named in
-- the actor (`role:name`) of the latest such event.
update cases
   set extension_requested_by = (
           select substr(e.actor, strpos(e.actor, ':') + 1) from audit_events e
            where e.case_number = cases.case_number and e.kind = 'request_extension'
            order by e.seq desc limit 1)
 where pending_extension is not null;

update cases
   set transfer_proposed_by = (
           select substr(e.actor, strpos(e.actor, ':') + 1) from audit_events e
            where e.case_number = cases.case_number and e.kind = 'propose_transfer'
            order by e.seq desc limit 1);
-- end backfill
