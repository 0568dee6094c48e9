-- Reverts 011.
ALTER TABLE spaces DROP COLUMN IF EXISTS home_server;
DROP TABLE IF EXISTS federation_signing_keys;
