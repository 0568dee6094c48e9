-- Signing keys can be retired, and exactly one of them signs (the primary).
ALTER TABLE federation_signing_keys
    ADD COLUMN is_active boolean NOT NULL DEFAULT true,
    ADD COLUMN is_primary boolean NOT NULL DEFAULT false,
    ADD COLUMN deactivated_at timestamptz;

-- The oldest existing key (ties broken by kid) becomes the primary.
UPDATE federation_signing_keys
SET is_primary = true
WHERE kid = (
    SELECT kid FROM federation_signing_keys
    ORDER BY created_at ASC, kid ASC
    LIMIT 1
);

-- At most one primary row in the whole table.
CREATE UNIQUE INDEX federation_signing_keys_single_primary_idx
    ON federation_signing_keys ((is_primary))
    WHERE is_primary = true;
