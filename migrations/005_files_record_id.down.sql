-- Reverts 005.
DROP INDEX IF EXISTS idx_files_record_id;
ALTER TABLE files DROP CONSTRAINT IF EXISTS files_record_fk;
ALTER TABLE files DROP COLUMN IF EXISTS record_id;
