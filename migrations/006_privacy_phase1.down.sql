-- Reverts 006. The columns come back with their original shape; their old
-- values are gone (existing rows get '' / now()).
ALTER TABLE revocations ADD COLUMN revoked_by text NOT NULL DEFAULT '';
ALTER TABLE revocations ALTER COLUMN revoked_by DROP DEFAULT;
ALTER TABLE revocations ADD COLUMN revoked_at timestamptz NOT NULL DEFAULT now();

ALTER TABLE files ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX idx_files_created_at ON files (created_at);

ALTER TABLE members ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
