-- The clocks that run, by procedure: a supervisor's queue of transfer reports waiting for a
-- decision (T1) and approved transfers to send (T2) reads them without scanning every clock.

create index case_clocks_running on case_clocks (procedure_id, case_number)
    where closed_at is null and started_at is not null;
