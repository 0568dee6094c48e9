-- One row per rate-limited action by a (hashed) actor; rows are short-lived
-- and purged by a maintenance job.
CREATE TABLE rate_limit_actions (
    action     varchar(32) NOT NULL,
    actor_hash char(64)    NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_rate_limit_actions_lookup ON rate_limit_actions (action, actor_hash, created_at);

-- Invitation rate limiting moved to the table above. Dropping the column also
-- drops its index.
ALTER TABLE invitations DROP COLUMN rate_limit_hash;
DROP INDEX IF EXISTS idx_invitations_rate_limit;
