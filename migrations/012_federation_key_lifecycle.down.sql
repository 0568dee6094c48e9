-- Reverts 012.
DROP INDEX IF EXISTS federation_signing_keys_single_primary_idx;
ALTER TABLE federation_signing_keys
    DROP COLUMN IF EXISTS deactivated_at,
    DROP COLUMN IF EXISTS is_primary,
    DROP COLUMN IF EXISTS is_active;
