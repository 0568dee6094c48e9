-- Invitations are addressed to a client-derived mailbox id instead of
-- server-computed recipient/sender hashes. Existing invitations are discarded.
DROP TABLE invitations;

CREATE TABLE invitations (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    mailbox_id      char(64)    NOT NULL,
    rate_limit_hash char(64)    NOT NULL,
    payload         bytea       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL
);
CREATE INDEX idx_invitations_mailbox ON invitations (mailbox_id, created_at DESC);
CREATE INDEX idx_invitations_rate_limit ON invitations (rate_limit_hash, created_at DESC);
CREATE INDEX idx_invitations_expires_at ON invitations (expires_at);
