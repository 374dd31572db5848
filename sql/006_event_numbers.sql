-- 006: events numbered in bulk. A space message is one events row per
-- recipient, and numbering each row by updating event_seq (001) rewrote
-- that one row a thousand times in one transaction, and sent a thousand
-- NOTIFYs: 42 ms of PostgreSQL's time for a space of 1,000 (BENCHMARKS.md,
-- "Message fan-out").
--
-- Now a statement takes the event_seq row lock once, before its first
-- row (so, as before, events become visible in seq order: the lock is held
-- until commit, and whoever numbers next waits for it); the rows take
-- their numbers from a sequence, as their default; and after the
-- statement, event_seq.last (the high-water mark SYNC and the event bus
-- read) moves once and one NOTIFY is sent. The bus never read the payload.
CREATE SEQUENCE event_numbers;
SELECT setval('event_numbers', (SELECT last FROM event_seq) + 1, false);

DROP TRIGGER events_seq ON events;
DROP TRIGGER events_notify ON events;
DROP FUNCTION events_assign_seq();
DROP FUNCTION events_notify();
ALTER TABLE events ALTER COLUMN seq SET DEFAULT nextval('event_numbers');

CREATE FUNCTION events_lock() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM event_seq FOR UPDATE;
    RETURN NULL;
END;
$$;
CREATE TRIGGER events_lock BEFORE INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_lock();

CREATE FUNCTION events_mark() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    top bigint;
BEGIN
    SELECT max(seq) INTO top FROM added;
    IF top IS NOT NULL THEN
        UPDATE event_seq SET last = greatest(last, top);
        PERFORM pg_notify('agora_events', '');
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER events_mark AFTER INSERT ON events
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION events_mark();
