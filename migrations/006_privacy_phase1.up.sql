-- Drop metadata that was written but never read, so it is not kept at all.
ALTER TABLE revocations DROP COLUMN revoked_by;
ALTER TABLE revocations DROP COLUMN revoked_at;

DROP INDEX IF EXISTS idx_files_created_at;
ALTER TABLE files DROP COLUMN created_at;

ALTER TABLE members DROP COLUMN created_at;
