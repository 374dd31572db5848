-- 013: replies kept for requests that may be retried.
--
-- A mutating request may carry rid=, a 128-bit id its client chose
-- (agora-protocol(7), IDEMPOTENT REQUESTS). Its final reply is kept here,
-- written in the mutation's own transaction (server/rid.c), so a retry
-- with the same rid, on any node, is answered from here and runs nothing.
--
-- A row is its user's: another user's rid never answers. The rid itself
-- is not kept, only its SHA-256 (rid_hash), and the reply is encrypted
-- with a key derived from the rid (AES-256-GCM): what is stored tells
-- nothing to whoever reads the table without the client's rid, a link a
-- reply handed over included. reply is NULL only inside the transaction
-- that claimed the row; once committed it is set.
CREATE TABLE request_replies (
    user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    rid_hash        bytea NOT NULL,
    verb            text NOT NULL,
    reply           bytea,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, rid_hash)
);
CREATE INDEX request_replies_created ON request_replies (created_at);

-- Replies are kept a day, then deleted by the scheduler.
INSERT INTO schedule (job) VALUES ('replies.purge');
