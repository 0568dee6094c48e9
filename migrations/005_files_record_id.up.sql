-- Every file belongs to a record. The nil-UUID default only exists while the
-- column is added (the table is expected to be empty at this point) and is
-- dropped straight away, so inserts must always name the record.
ALTER TABLE files ADD COLUMN record_id uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE files ALTER COLUMN record_id DROP DEFAULT;
-- Points at the global record id (no ON DELETE action).
ALTER TABLE files ADD CONSTRAINT files_record_fk FOREIGN KEY (record_id) REFERENCES records (id);
CREATE INDEX idx_files_record_id ON files (record_id);
