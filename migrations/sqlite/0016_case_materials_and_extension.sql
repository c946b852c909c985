-- What a step needs to know of a case's past, kept on the case (#16 item 5) instead of being
-- rebuilt by scanning its audit events for kinds and parsing their JSON:
-- - materials_received_at: when the materials the acceptance relies on were received, the
--   filing or the last supplement (补正) since; the fair hand-over F1 runs from there
--   (展会知识产权保护办法 Art. 11, legal-deadlines.md §8.4). Written at every insert; SQLite
--   cannot add a NOT NULL column without a default, and the store refuses a null as corrupt.
-- - pending_extension: the amount (`30d`, `1m` …) of an extension request awaiting a
--   supervisor's decision, null when none awaits.
alter table cases add column materials_received_at text;
alter table cases add column pending_extension text;

-- backfill
-- From the events the steps wrote (timestamps are fixed-width UTC text, so text order is time
-- order). A test runs this section again, down to its end mark.
update cases
   set materials_received_at = max(
           received_at,
           coalesce((select max(e.at) from audit_events e
                      where e.case_number = cases.case_number and e.kind = 'supplement'),
                    received_at));

update cases
   set pending_extension = (
           select json_extract(e.payload, '$.amount') from audit_events e
            where e.case_number = cases.case_number and e.kind = 'request_extension'
              and not exists (select 1 from audit_events d
                               where d.case_number = e.case_number and d.seq > e.seq
                                 and d.kind in ('approve_extension', 'deny_extension'))
            order by e.seq desc limit 1);
-- end backfill
