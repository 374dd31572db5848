-- 009: what a space knows about a participant. The owner's side of a
-- space may say how it knows an external (name, company, job title);
-- that is the space's, shown in its listings and events only. The
-- person's own profile (users) is changed by that person alone.
-- NULL: the space shows the person's own value. A value the space sets
-- equal to the person's own is stored as NULL, and the person's own edit
-- of a field clears the space's value of that field in every space (the
-- person has the last word on who they are).
ALTER TABLE participants
    ADD COLUMN local_name text
        CHECK (local_name <> '' AND length(local_name) <= 200),
    ADD COLUMN local_company text
        CHECK (local_company <> '' AND length(local_company) <= 200),
    ADD COLUMN local_job_title text
        CHECK (local_job_title <> '' AND length(local_job_title) <= 200);
