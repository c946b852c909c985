-- The linked cases of a case (a transfer's, or a route to several authorities), found by
-- their parent for the complainant's status and the case page.
create index if not exists cases_parent on cases (parent_case) where parent_case is not null;
