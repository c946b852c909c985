-- TRUNCATE bypasses row triggers: the audit tables refuse it by a statement trigger. A
-- complaint as filed is sealed by the digest in its `received` event (`kuaiwei audit verify`
-- checks it); the database also refuses to change what was filed: a complaint's body, its
-- removal, and its evidence rows.

create function kuaiwei_refuse_truncate() returns trigger language plpgsql as $$
begin
    raise exception '% cannot be truncated (append-only)', tg_table_name;
end;
$$;

create trigger audit_events_no_truncate before truncate on audit_events
for each statement execute function kuaiwei_refuse_truncate();

create trigger audit_head_no_truncate before truncate on audit_head
for each statement execute function kuaiwei_refuse_truncate();

create trigger complaints_no_truncate before truncate on complaints
for each statement execute function kuaiwei_refuse_truncate();

create trigger complaint_evidence_no_truncate before truncate on complaint_evidence
for each statement execute function kuaiwei_refuse_truncate();

create function kuaiwei_refuse_filed_change() returns trigger language plpgsql as $$
begin
    if tg_table_name = 'complaints' and tg_op = 'UPDATE' then
        if new.body is distinct from old.body then
            raise exception 'a filed complaint cannot be edited';
        end if;
        return new;
    end if;
    raise exception '% rows of filed complaints are append-only', tg_table_name;
end;
$$;

create trigger complaints_sealed before update or delete on complaints
for each row execute function kuaiwei_refuse_filed_change();

create trigger complaint_evidence_append_only before update or delete on complaint_evidence
for each row execute function kuaiwei_refuse_filed_change();
