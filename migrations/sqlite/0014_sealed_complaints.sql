-- A complaint as filed is sealed by the digest in its `received` event (`kuaiwei audit verify`
-- checks it); the database also refuses to change what was filed: a complaint's body, its
-- removal, and its evidence rows. (SQLite has no TRUNCATE; a `delete` without `where` fires
-- the audit tables' delete triggers like any other.)

create trigger complaints_body_sealed before update of body on complaints
begin
    select raise(abort, 'a filed complaint cannot be edited');
end;

create trigger complaints_no_delete before delete on complaints
begin
    select raise(abort, 'a filed complaint cannot be removed');
end;

create trigger complaint_evidence_no_update before update on complaint_evidence
begin
    select raise(abort, 'evidence rows are append-only');
end;

create trigger complaint_evidence_no_delete before delete on complaint_evidence
begin
    select raise(abort, 'evidence rows are append-only');
end;
