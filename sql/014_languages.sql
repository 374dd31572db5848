-- 014: the language agora writes to people in (po/, common/i18n.h).
--
-- A user's own choice, if any; else the workspace's, which an invitee
-- without an account is written to in. A language is a catalog's code
-- ("en", "fr"): the code knows which there are, and an unknown one reads
-- as English, so adding a language takes no migration.
ALTER TABLE users ADD COLUMN lang text
    CHECK (lang ~ '^[a-z]{2,3}$');
ALTER TABLE workspaces ADD COLUMN lang text NOT NULL DEFAULT 'en'
    CHECK (lang ~ '^[a-z]{2,3}$');
