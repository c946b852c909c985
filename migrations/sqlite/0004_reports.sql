-- Reports: what the on-time report breaks its figures down by, kept beside the case so that a
-- month over a million cases is read without parsing complaint bodies (right type, fair, the
-- officer who opened the case); indexes for the report's date windows; and frozen months,
-- append-only like the audit trail.

alter table complaints add column right_type text;
alter table complaints add column fair text;

update complaints set
    right_type = json_extract(body, '$.rights[0].kind'),
    fair = case when channel = 'fair' then
        case when coalesce(trim(json_extract(body, '$.channel.session')), '') = ''
             then trim(json_extract(body, '$.channel.fair_name'))
             else trim(json_extract(body, '$.channel.fair_name')) || ' ' || trim(json_extract(body, '$.channel.session'))
        end
    end;

-- Who opened the case (立案): the officer the report credits it to until cases are assigned.
alter table cases add column officer text;

create index case_clocks_started on case_clocks (started_at);
create index case_clocks_due on case_clocks (due_at);
create index case_clocks_closed on case_clocks (closed_at, due_at);
create index case_clocks_open_due on case_clocks (due_at) where closed_at is null;

create table report_freezes (
    period text primary key,
    frozen_at text not null,
    frozen_by text not null,
    body text not null,
    hash text not null
);

create trigger report_freezes_no_update before update on report_freezes
begin
    select raise(abort, 'a frozen report cannot be changed');
end;

create trigger report_freezes_no_delete before delete on report_freezes
begin
    select raise(abort, 'a frozen report cannot be removed');
end;
