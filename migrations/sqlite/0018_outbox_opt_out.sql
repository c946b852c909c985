-- A complainant may stop the messages of one channel from the tracking page (issue #23): the
-- channel's messages of the case are marked, never sent from then on, and later steps write
-- none for it.
alter table outbox add column opted_out_at text;
