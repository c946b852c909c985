-- Queues and case pages at a million cases. A case by its complaint: related cases join the
-- match keys to their cases through it (without it, every key matched scanned every case).
-- The clocks that run, by procedure: a supervisor's queue of transfer reports waiting for a decision (T1) and approved transfers to send (T2). And cases
-- in due-date order: the whole centre's (and what is overdue), per state (a caseworker's
-- triage, a supervisor's extensions to approve), per agency (an officer's queue) and per
-- officer; the store reads the dated cases and the undated ones apart, so each of these gives
-- a page of a queue in index order.

create index cases_complaint on cases (complaint_id);

create index case_clocks_running on case_clocks (procedure_id, case_number)
    where closed_at is null and started_at is not null;

create index cases_due on cases (next_due_at, case_number)
    where next_due_at is not null;

create index cases_state_due on cases (state, next_due_at, case_number);

create index cases_agency_due on cases (agency, next_due_at, case_number);

create index cases_officer_due on cases (officer, next_due_at, case_number)
    where officer is not null;
