-- 010: a space's content goes with the space, and its workspace's storage
-- is bounded.
--
-- Deleting a space (SPACE.DELETE) must leave nothing of what was said or
-- shared in it where a client could read it back, the event log included.
-- So every event about a space now names it in space_id: the rows
-- addressed to each participant (user_id set) as well as the shared ones
-- of 007 (user_id and workspace_id NULL, delivered to space_readers). A
-- row is shared when, and only when, it names a space and no user; the
-- event bus and SYNC say so. Deleting a space deletes its rows by that
-- column and leaves one tombstone per user who had been told about it,
-- space.deleted.
--
-- The rows written before this migration named their space only in
-- their data, first ("space=N ...") for every space event, second for
-- conversation.read of a space's discussion. They are named here once;
-- nothing reads data for this afterwards.
UPDATE events
SET space_id = substring(data from '^space=([0-9]+)')::bigint
WHERE space_id IS NULL AND user_id IS NOT NULL
  AND data ~ '^space=[0-9]+( |$)';
UPDATE events
SET space_id =
    substring(data from '^conversation=[0-9]+ space=([0-9]+)')::bigint
WHERE space_id IS NULL AND user_id IS NOT NULL
  AND type = 'conversation.read'
  AND data ~ '^conversation=[0-9]+ space=[0-9]+( |$)';

-- Each row naming a space is in one of two indexes: the shared ones in
-- the one SYNC reads for a space's readers (the rows of 007's
-- events_space, which it replaces, so that a message costs what it did),
-- the others in one for deleting them.
DROP INDEX events_space;
CREATE INDEX events_space_shared ON events (space_id, seq)
    WHERE space_id IS NOT NULL AND user_id IS NULL;
CREATE INDEX events_space_user ON events (space_id)
    WHERE space_id IS NOT NULL AND user_id IS NOT NULL;

-- Mail about a space (an invitation, an access request, ...) names it, so
-- that what was not sent yet when the space is deleted is not sent. Mail
-- already sent keeps its row: that is the mail log.
ALTER TABLE outbox ADD COLUMN space_id bigint;
CREATE INDEX outbox_space ON outbox (space_id)
    WHERE space_id IS NOT NULL AND sent_at IS NULL AND failed_at IS NULL;

-- The audit log keeps who did what to a deleted space, not its content:
-- SPACE.DELETE clears the detail (a title, a file's name) of the rows
-- whose target is the space ("space N" or "space N ...").
CREATE INDEX audit_log_space
    ON audit_log ((substring(target from '^space ([0-9]+)')::bigint))
    WHERE target LIKE 'space %';

-- The storage quota (storage_quota in agorad.conf) is checked against the
-- sum of a workspace's files; unfinished uploads count with the size they
-- announced until they are finished or purged.
CREATE INDEX files_unfinished ON files (created_at)
    WHERE completed_at IS NULL;

-- Jobs agorad runs by itself, on whichever node claims one first: a node
-- looks at the due ones every few seconds and takes a row with FOR UPDATE
-- SKIP LOCKED, runs the job and sets when it is due next, in one
-- transaction; so with several nodes each run happens once. A job the
-- code knows has a row here (added by the migration that adds the job).
CREATE TABLE schedule (
    job             text PRIMARY KEY,
    due_at          timestamptz NOT NULL DEFAULT now(),
    last_run_at     timestamptz,
    last_node       text
);
-- Unfinished uploads older than upload_expiry are deleted.
INSERT INTO schedule (job) VALUES ('uploads.purge');
