-- Reverts 010. Soft-deleted file rows cannot satisfy the old checks and are
-- removed; file_seq is renumbered from a fresh sequence.
DROP INDEX IF EXISTS idx_files_space_cursor;
ALTER TABLE files DROP CONSTRAINT IF EXISTS files_not_deleted_check;
DELETE FROM files WHERE deleted;
ALTER TABLE files DROP COLUMN IF EXISTS deleted;
ALTER TABLE files DROP COLUMN IF EXISTS cursor;
ALTER TABLE files ADD COLUMN file_seq bigserial;
ALTER TABLE files ADD CONSTRAINT files_size_positive CHECK (size >= 0);
ALTER TABLE files ADD CONSTRAINT files_wrapped_dek_length CHECK (length(wrapped_dek) = 44);
CREATE INDEX idx_files_space_id ON files (space_id);
CREATE INDEX idx_files_space_dek ON files (space_id, file_seq);

DROP INDEX IF EXISTS idx_members_cursor;
ALTER TABLE members DROP COLUMN IF EXISTS cursor;
ALTER TABLE members RENAME COLUMN chain_seq TO seq;

DROP INDEX IF EXISTS idx_records_sync;
ALTER TABLE records DROP COLUMN IF EXISTS deleted;
ALTER TABLE records RENAME COLUMN cursor TO sequence;
CREATE INDEX idx_records_sync ON records (space_id, sequence, id);

ALTER TABLE spaces RENAME COLUMN cursor TO sequence;
