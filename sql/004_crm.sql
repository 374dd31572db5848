-- 004: the CRM activity log. A workspace on plan 'pro' may have one CRM
-- webhook; each invitation made in one of its spaces is then queued in
-- the outbox (kind 'webhook', recipient the URL, body the JSON) in the
-- INVITE's own transaction, and the outbox worker POSTs it over HTTPS.
-- Set and removed by an administrator: agorad workspace crm NAME.

-- The token is kept as it is, not hashed like our own tokens: it is the
-- CRM's credential, not ours, and the worker must send it back to the CRM
-- in an Authorization header. It is read from this table at each send
-- (never copied into the outbox), so changing or removing it takes effect
-- for messages already queued. Only agorad's own database role, the owner
-- of this schema, can read it: the same trust as smtp_password in
-- agorad.conf. It never goes to clients, logs or the audit log.
CREATE TABLE crm_webhooks (
    workspace_id    bigint PRIMARY KEY
                    REFERENCES workspaces ON DELETE CASCADE,
    url             text NOT NULL
                    CHECK (url LIKE 'https://%' AND length(url) <= 2048),
    token           text NOT NULL
                    CHECK (token <> '' AND length(token) <= 4096),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
