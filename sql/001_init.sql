-- agora's first schema: accounts, workspaces, sessions, the event log that
-- feeds every client's live updates, and the audit log.

CREATE TABLE users (
    id              bigserial PRIMARY KEY,
    email           text NOT NULL CHECK (email <> '' AND length(email) <= 254),
    name            text NOT NULL CHECK (name <> '' AND length(name) <= 200),
    phone           text CHECK (length(phone) <= 40),
    -- scrypt$N$r$p$salt$hash; NULL until the user sets a password
    password_hash   text,
    created_at      timestamptz NOT NULL DEFAULT now()
);
-- E-mail addresses are unique whatever their case.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE workspaces (
    id              bigserial PRIMARY KEY,
    name            text NOT NULL CHECK (name <> '' AND length(name) <= 200),
    plan            text NOT NULL DEFAULT 'free'
                    CHECK (plan IN ('free', 'premium', 'pro')),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX workspaces_name_key ON workspaces (lower(name));

CREATE TABLE memberships (
    workspace_id    bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    user_id         bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    role            text NOT NULL
                    CHECK (role IN ('owner', 'admin', 'manager', 'member')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE sessions (
    id              bigserial PRIMARY KEY,
    user_id         bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    token_hash      bytea NOT NULL UNIQUE,  -- SHA-256 of the token
    address         text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_seen_at    timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed logins, counted per account and per address over a window.
CREATE TABLE login_failures (
    key             text NOT NULL,          -- 'acct:<email>' or 'addr:<ip>'
    at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key ON login_failures (key, at);
CREATE INDEX login_failures_at ON login_failures (at);

-- Every change that a client may need to see. An event is addressed to a
-- user, to a workspace's members, or both. seq is handed out under a row
-- lock held until commit (event_seq below), so events become visible in
-- seq order and a reader that has seen seq N has seen everything before it.
CREATE TABLE events (
    seq             bigint PRIMARY KEY,
    created_at      timestamptz NOT NULL DEFAULT now(),
    type            text NOT NULL,
    workspace_id    bigint,
    user_id         bigint,
    data            text NOT NULL DEFAULT ''   -- encoded protocol params
);
CREATE INDEX events_user ON events (user_id, seq) WHERE user_id IS NOT NULL;
CREATE INDEX events_workspace ON events (workspace_id, seq)
    WHERE workspace_id IS NOT NULL;

CREATE TABLE event_seq (
    one             boolean PRIMARY KEY DEFAULT true CHECK (one),
    last            bigint NOT NULL
);
INSERT INTO event_seq VALUES (true, 0);

CREATE FUNCTION events_assign_seq() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE event_seq SET last = last + 1 RETURNING last INTO NEW.seq;
    RETURN NEW;
END;
$$;
CREATE TRIGGER events_seq BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_assign_seq();

-- Every agorad LISTENs on agora_events; the payload is the seq.
CREATE FUNCTION events_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('agora_events', NEW.seq::text);
    RETURN NULL;
END;
$$;
CREATE TRIGGER events_notify AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_notify();

-- Who did what, when, from where.
CREATE TABLE audit_log (
    id              bigserial PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT now(),
    actor_id        bigint,                 -- users.id; NULL: not logged in
    session_id      bigint,
    address         text,                   -- client address; NULL: admin CLI
    action          text NOT NULL,
    target          text,
    detail          text
);
CREATE INDEX audit_log_at ON audit_log (at);
