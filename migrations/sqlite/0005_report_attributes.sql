-- The on-time report reads a month's clocks without joining cases and complaints: each clock
-- carries what the report breaks its figures down by (agency, channel, right type, fair, the
-- officer who opened the case). They are written with the clocks, which are rewritten on every
-- step of a case, so they always equal the case's own values.

alter table case_clocks add column agency text;
alter table case_clocks add column channel text;
alter table case_clocks add column right_type text;
alter table case_clocks add column fair text;
alter table case_clocks add column officer text;

update case_clocks set
    (agency, channel, right_type, fair, officer) = (
        select c.agency, p.channel, p.right_type, p.fair, c.officer
          from cases c join complaints p on p.id = c.complaint_id
         where c.case_number = case_clocks.case_number);
