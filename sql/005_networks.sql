-- 005: business networks, professional contacts, presence and private
-- conversations.

-- A business network is a space flagged as one (at creation or later, by a
-- user whose workspace is on a paid plan).
ALTER TABLE spaces ADD COLUMN network boolean NOT NULL DEFAULT false;

-- A fourth role: collaborator, the creator's rights except archiving and
-- deleting. Stored when an "always make collaborator" preference applied
-- to an invitation; in a network every participant other than the owner
-- acts as one whatever is stored (participant_role below), so that
-- un-flagging a network gives everyone back the role they had.
ALTER TABLE participants DROP CONSTRAINT participants_role_check;
ALTER TABLE participants ADD CONSTRAINT participants_role_check
    CHECK (role IN ('owner', 'internal', 'collaborator', 'external'));

-- The role a participant acts with: the one place that says so.
CREATE FUNCTION participant_role(role text, network boolean) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN network AND role <> 'owner' THEN 'collaborator'
                ELSE role END
$$;

-- Professional contacts: for each user, everyone active with them in a
-- business network that is not archived. Pending invitees, access
-- requests and revoked participants are not active, so they are not
-- anyone's contacts. A pair appears once however many networks it shares.
CREATE VIEW professional_contacts AS
    SELECT DISTINCT a.user_id, b.user_id AS contact_id
    FROM participants a
    JOIN participants b ON b.space_id = a.space_id AND b.user_id <> a.user_id
    JOIN spaces s ON s.id = a.space_id
    WHERE s.network AND s.archived_at IS NULL
      AND a.status = 'active' AND b.status = 'active';

-- A user's invitation preferences for one of their contacts. Kept when the
-- two stop being contacts; they apply only while they are.
CREATE TABLE contact_prefs (
    user_id         bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    contact_id      bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    always_add      boolean NOT NULL DEFAULT false,
    always_collaborator boolean NOT NULL DEFAULT false,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, contact_id),
    CHECK (user_id <> contact_id)
);

-- Presence. Every agorad node has a row it refreshes every few seconds,
-- and counts its signed-in connections per user. A user is online while
-- any live node (seen recently) counts a connection for them; a node that
-- died is swept by the others, which tell its users' contacts.
CREATE TABLE nodes (
    id              text PRIMARY KEY CHECK (length(id) <= 64),
    started_at      timestamptz NOT NULL DEFAULT now(),
    seen_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE presence (
    node_id         text NOT NULL REFERENCES nodes ON DELETE CASCADE,
    user_id         bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    connections     integer NOT NULL CHECK (connections > 0),
    PRIMARY KEY (node_id, user_id)
);
CREATE INDEX presence_user ON presence (user_id);

-- Conversations: one-to-one (kind 'direct', the pair stored lowest id
-- first so that it is found whoever writes first) or a space's discussion
-- (kind 'space').
CREATE TABLE conversations (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('direct', 'space')),
    user_lo         bigint REFERENCES users ON DELETE CASCADE,
    user_hi         bigint REFERENCES users ON DELETE CASCADE,
    space_id        bigint UNIQUE REFERENCES spaces ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'direct' AND user_lo < user_hi AND space_id IS NULL) OR
           (kind = 'space' AND user_lo IS NULL AND user_hi IS NULL
            AND space_id IS NOT NULL)),
    UNIQUE (user_lo, user_hi)
);

CREATE TABLE messages (
    id              bigserial PRIMARY KEY,
    conversation_id bigint NOT NULL REFERENCES conversations ON DELETE CASCADE,
    sender_id       bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    body            text NOT NULL CHECK (body <> '' AND
                                         octet_length(body) <= 16384),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);

-- How far each user has read each conversation: the id of the last
-- message they have seen (0: none).
CREATE TABLE conversation_reads (
    conversation_id bigint NOT NULL REFERENCES conversations ON DELETE CASCADE,
    user_id         bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    last_read       bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, user_id)
);
