-- 008: what an account has proven, and what a link proves.
--
-- An invitation link that agora mailed proves that its holder reads the
-- invitee's mailbox; one handed over by hand (INVITE.REMIND how=link)
-- proves nothing about the address. So an account records when its
-- address was proven (verified_at: a mailed link used, or made by an
-- administrator), and a link whether it was mailed. An account that was
-- never proven reaches only the space it came in by, and the first proof
-- through the mailbox voids the password and sessions set before it
-- (agora-protocol(7), SECURITY: pre-account hijacking).
ALTER TABLE users
    ADD COLUMN verified_at timestamptz,
    ADD COLUMN last_login_at timestamptz;
ALTER TABLE tokens ADD COLUMN mailed boolean NOT NULL DEFAULT true;

-- Accounts in use before this migration were proven by being used.
UPDATE users u SET
    last_login_at = (SELECT max(s.created_at) FROM sessions s
                     WHERE s.user_id = u.id);
UPDATE users u SET verified_at = u.created_at
    WHERE u.password_hash IS NOT NULL OR u.last_login_at IS NOT NULL
       OR EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id);

