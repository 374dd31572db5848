-- 007: events addressed to a space's readers as one row. A message in a
-- space discussion used to be one events row per participant, each with
-- the body: a thousand rows written, numbered, read back and formatted
-- for one message (BENCHMARKS.md, "Message fan-out"). Such an event now
-- names the space (space_id); who receives it is decided when it is
-- delivered or replayed, by the rule below, the one place that says who
-- reads what a space says.
ALTER TABLE events ADD COLUMN space_id bigint;
CREATE INDEX events_space ON events (space_id, seq)
    WHERE space_id IS NOT NULL;

-- Who hears a space: its active participants, externals not while it is
-- archived.
CREATE VIEW space_readers AS
    SELECT p.space_id, p.user_id
    FROM participants p JOIN spaces s ON s.id = p.space_id
    WHERE p.status = 'active'
      AND (s.archived_at IS NULL
           OR participant_role(p.role, s.network) <> 'external');
