-- Reverts 008. The old hashes are gone: existing invitations get a blank one.
ALTER TABLE invitations ADD COLUMN rate_limit_hash char(64) NOT NULL DEFAULT '';
ALTER TABLE invitations ALTER COLUMN rate_limit_hash DROP DEFAULT;
CREATE INDEX idx_invitations_rate_limit ON invitations (rate_limit_hash, created_at DESC);

DROP TABLE IF EXISTS rate_limit_actions;
