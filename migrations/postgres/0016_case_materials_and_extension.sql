-- What a step needs to know of a case's past, kept on the case (#16 item 5) instead of being
-- rebuilt by scanning its audit events for kinds and parsing their JSON:
-- - materials_received_at: when the materials the acceptance relies on were received, the
--   filing or the last supplement (补正) since; the fair hand-over F1 runs from there
--   (展会知识产权保护办法 Art. 11, legal-deadlines.md §8.4).
-- - pending_extension: the amount (`30d`, `1m` …) of an extension request awaiting a
--   supervisor's decision, null when none awaits.
alter table cases add column materials_received_at timestamptz;
alter table cases add column pending_extension text;

-- backfill
-- From the events the steps wrote (payloads are JSON text). A test runs this section again,
-- down to its end mark.
update cases c
   set materials_received_at = greatest(
           c.received_at,
           (select max(e.at) from audit_events e
             where e.case_number = c.case_number and e.kind = 'supplement'));

update cases c
   set pending_extension = (
           select e.payload::jsonb ->> 'amount' from audit_events e
            where e.case_number = c.case_number and e.kind = 'request_extension'
              and not exists (select 1 from audit_events d
                               where d.case_number = e.case_number and d.seq > e.seq
                                 and d.kind in ('approve_extension', 'deny_extension'))
            order by e.seq desc limit 1);
-- end backfill

alter table cases alter column materials_received_at set not null;
