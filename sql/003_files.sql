-- Files shared in a space, and the comments on them.
--
-- The content is kept in PostgreSQL: at the sizes file_max_size allows (10
-- MiB by default) that keeps a space's content with the rest of it, in the
-- same transactions and the same backups, and every agorad node sees it.
-- It is stored in the chunks it was uploaded in (at most 32 KiB each), so
-- that an upload appends rows instead of rewriting one growing value per
-- chunk, and so that no file meets bytea's limit of 1 GB on one value.

-- A file exists from FILE.BEGIN; until FILE.END has checked its size and
-- SHA-256 (completed_at set) only its uploader sees it. received counts the
-- bytes in file_chunks, so the next chunk's offset is known without a sum.
CREATE TABLE files (
    id              bigserial PRIMARY KEY,
    space_id        bigint NOT NULL REFERENCES spaces ON DELETE CASCADE,
    uploader_id     bigint NOT NULL REFERENCES users,
    name            text NOT NULL
                    CHECK (name <> '' AND octet_length(name) <= 255),
    size            bigint NOT NULL CHECK (size >= 0),
    sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    received        bigint NOT NULL DEFAULT 0
                    CHECK (received >= 0 AND received <= size),
    created_at      timestamptz NOT NULL DEFAULT now(),
    completed_at    timestamptz
);
CREATE INDEX files_space ON files (space_id, completed_at);

-- pos is the offset of the chunk's first byte in the file; a file's chunks
-- follow each other without gaps (FILE.CHUNK takes only the next offset).
CREATE TABLE file_chunks (
    file_id         bigint NOT NULL REFERENCES files ON DELETE CASCADE,
    pos             bigint NOT NULL CHECK (pos >= 0),
    data            bytea NOT NULL
                    CHECK (length(data) BETWEEN 1 AND 32768),
    PRIMARY KEY (file_id, pos)
);
-- Most files people share (PDF, images, office documents) are compressed
-- already: do not spend time compressing them again.
ALTER TABLE file_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TABLE file_comments (
    id              bigserial PRIMARY KEY,
    file_id         bigint NOT NULL REFERENCES files ON DELETE CASCADE,
    author_id       bigint NOT NULL REFERENCES users,
    body            text NOT NULL
                    CHECK (body <> '' AND octet_length(body) <= 4000),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX file_comments_file ON file_comments (file_id, id);
