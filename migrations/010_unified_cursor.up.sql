-- One monotonic cursor per space, shared by records, membership entries and
-- files, so catch-up is a single ordered scan over all three.

-- spaces: the counter itself.
ALTER TABLE spaces RENAME COLUMN sequence TO cursor;

-- records: tombstones get an explicit flag (a NULL blob meant deleted).
ALTER TABLE records RENAME COLUMN sequence TO cursor;
ALTER TABLE records ADD COLUMN deleted boolean NOT NULL DEFAULT false;
UPDATE records SET deleted = true WHERE blob IS NULL;
DROP INDEX IF EXISTS idx_records_sync;
CREATE INDEX idx_records_sync ON records (space_id, cursor, id);

-- members: the chain position keeps its own name; the cursor is separate.
-- Existing rows keep cursor 0 (not renumbered).
ALTER TABLE members RENAME COLUMN seq TO chain_seq;
ALTER TABLE members ADD COLUMN cursor bigint NOT NULL DEFAULT 0;
CREATE INDEX idx_members_cursor ON members (space_id, cursor);

-- files: the per-file serial gives way to the space cursor plus a deleted
-- flag; size/DEK checks only apply to live rows. wrapped_dek itself stays
-- NOT NULL.
DROP INDEX IF EXISTS idx_files_space_dek;
ALTER TABLE files DROP CONSTRAINT IF EXISTS files_size_positive;
ALTER TABLE files DROP CONSTRAINT IF EXISTS files_wrapped_dek_length;
ALTER TABLE files DROP COLUMN file_seq;
ALTER TABLE files ADD COLUMN cursor bigint NOT NULL DEFAULT 0;
ALTER TABLE files ADD COLUMN deleted boolean NOT NULL DEFAULT false;
ALTER TABLE files ADD CONSTRAINT files_not_deleted_check
    CHECK (deleted OR (size >= 0 AND wrapped_dek IS NOT NULL AND length(wrapped_dek) = 44));
DROP INDEX IF EXISTS idx_files_space_id;
DROP INDEX IF EXISTS idx_files_created_at;
CREATE INDEX idx_files_space_cursor ON files (space_id, cursor);
