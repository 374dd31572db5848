-- 012: who reads an event, written once (DESIGN §7).
--
-- An event row is addressed to one user (user_id), to the members of one
-- workspace (workspace_id), or, when it names a space and no user, to the
-- space's readers (space_readers, 007) at the time it is read. The event
-- bus (server/bus.c) asks this view for an event's readers when it
-- pushes it; SYNC (server/cmd-events.c) asks it for a user's events when
-- it replays them. So live pushes and replays cannot disagree.
CREATE VIEW event_readers AS
    SELECT e.seq, e.user_id FROM events e WHERE e.user_id IS NOT NULL
    UNION ALL
    SELECT e.seq, m.user_id FROM events e
    JOIN memberships m ON m.workspace_id = e.workspace_id
    UNION ALL
    SELECT e.seq, r.user_id FROM events e
    JOIN space_readers r ON r.space_id = e.space_id
    WHERE e.user_id IS NULL;
