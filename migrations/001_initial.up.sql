-- less-sync schema, step 1: spaces, records, files and the membership log.
-- Unqualified names on purpose: objects land in the first schema of search_path.

-- A space with no root key is a personal space (JWT only); a root key makes it
-- a shared space whose access is delegated with UCANs.
CREATE TABLE spaces (
    id                 uuid        PRIMARY KEY,
    client_id          text        NOT NULL,
    root_public_key    bytea,
    key_generation     integer     NOT NULL DEFAULT 1,
    min_key_generation integer     NOT NULL DEFAULT 1,
    metadata_version   integer     NOT NULL DEFAULT 0,
    sequence           bigint      NOT NULL DEFAULT 0,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

-- Record ids are unique across all spaces, not per space.
CREATE TABLE records (
    id       uuid   PRIMARY KEY,
    space_id uuid   NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    blob     bytea,
    sequence bigint NOT NULL
);
CREATE INDEX idx_records_sync ON records (space_id, sequence, id);

-- File metadata only; the bytes live in the blob store.
CREATE TABLE files (
    space_id    uuid        NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    id          uuid        NOT NULL,
    size        bigint      NOT NULL,
    wrapped_dek bytea       NOT NULL,
    file_seq    bigserial,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (space_id, id),
    CONSTRAINT files_size_positive CHECK (size >= 0),
    CONSTRAINT files_wrapped_dek_length CHECK (length(wrapped_dek) = 44)
);
CREATE INDEX idx_files_space_id ON files (space_id);
CREATE INDEX idx_files_created_at ON files (created_at);
CREATE INDEX idx_files_space_dek ON files (space_id, file_seq);

-- Opaque, client-encrypted membership entries chained by hash per space.
CREATE TABLE members (
    space_id   uuid        NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    seq        integer     NOT NULL,
    prev_hash  bytea,
    entry_hash bytea       NOT NULL,
    payload    bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (space_id, seq)
);

CREATE FUNCTION update_updated_at_column() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$fn$;

CREATE TRIGGER spaces_updated_at
    BEFORE UPDATE ON spaces
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
