-- Reverts 004.
ALTER TABLE records DROP COLUMN IF EXISTS wrapped_dek;
