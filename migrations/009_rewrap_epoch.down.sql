-- Reverts 009.
ALTER TABLE spaces DROP COLUMN IF EXISTS rewrap_epoch;
