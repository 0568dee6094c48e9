-- Per-record wrapped data-encryption key.
ALTER TABLE records ADD COLUMN wrapped_dek bytea;
