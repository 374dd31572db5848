-- Spaces shared with colleagues and customers: their participants, the
-- single-use links that bring people in, and the outbox through which every
-- e-mail (and later every webhook) leaves, retried until it is delivered.

-- A profile is the person's, whatever the space: company and job title.
ALTER TABLE users
    ADD COLUMN company text NOT NULL DEFAULT ''
        CHECK (length(company) <= 200),
    ADD COLUMN job_title text NOT NULL DEFAULT ''
        CHECK (length(job_title) <= 200);

CREATE TABLE spaces (
    id              bigserial PRIMARY KEY,
    workspace_id    bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    creator_id      bigint NOT NULL REFERENCES users,
    title           text NOT NULL CHECK (title <> '' AND length(title) <= 200),
    description     text NOT NULL DEFAULT ''
                    CHECK (length(description) <= 10000),
    -- may external participants invite others?
    externals_invite boolean NOT NULL DEFAULT false,
    -- The shareable access link's token; NULL until first asked for.
    -- Kept as it is, unlike every other token: the link grants nothing
    -- by itself (whoever follows it can only ask for access), and
    -- participants must be able to get the same link again.
    link_token      text UNIQUE,
    archived_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX spaces_workspace ON spaces (workspace_id);

-- Who is in a space. role: owner (the creator), internal (a member of the
-- space's workspace: the owner's rights), external (anyone else). status:
-- pending (invited, not yet in), active, requested (asked through the
-- access link), revoked.
CREATE TABLE participants (
    space_id        bigint NOT NULL REFERENCES spaces ON DELETE CASCADE,
    user_id         bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    role            text NOT NULL
                    CHECK (role IN ('owner', 'internal', 'external')),
    status          text NOT NULL
                    CHECK (status IN ('pending', 'active', 'requested',
                                      'revoked')),
    invited_by      bigint REFERENCES users ON DELETE SET NULL,
    message         text NOT NULL DEFAULT ''
                    CHECK (length(message) <= 2000),
    invited_at      timestamptz NOT NULL DEFAULT now(),
    last_active_at  timestamptz,
    PRIMARY KEY (space_id, user_id)
);
CREATE INDEX participants_user ON participants (user_id);

-- Single-use tokens sent by e-mail, stored as SHA-256 only: invitations to
-- a space, one-time login links, and the activation sent when access is
-- granted. Consumed (used_at set) in the transaction that uses them; a
-- resent invitation deletes the old one.
CREATE TABLE tokens (
    hash            bytea PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('invite', 'login', 'activate')),
    user_id         bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    space_id        bigint REFERENCES spaces ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    used_at         timestamptz
);
CREATE INDEX tokens_user ON tokens (user_id, kind);

-- What agorad must send. Rows are added in the transaction of the change
-- that causes them, so a message exists if and only if the change
-- committed; workers on every node take due rows with FOR UPDATE SKIP
-- LOCKED, so each is sent by one of them. Nothing is deleted: a sent row
-- keeps sent_at, a row the far end refused for good keeps failed_at and
-- last_error.
CREATE TABLE outbox (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('mail', 'webhook')),
    recipient       text NOT NULL,  -- an e-mail address, or a URL
    subject         text NOT NULL DEFAULT '',
    body            text NOT NULL,  -- mail: plain text; webhook: JSON
    workspace_id    bigint REFERENCES workspaces ON DELETE SET NULL,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    sent_at         timestamptz,
    failed_at       timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_due ON outbox (next_attempt_at)
    WHERE sent_at IS NULL AND failed_at IS NULL;

-- The workers LISTEN on agora_outbox to start at once.
CREATE FUNCTION outbox_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('agora_outbox', NEW.id::text);
    RETURN NULL;
END;
$$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH ROW EXECUTE FUNCTION outbox_notify();
