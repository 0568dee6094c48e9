-- Reverts 007: back to the 003 shape. Pending invitations are discarded.
DROP TABLE IF EXISTS invitations;

CREATE TABLE invitations (
    id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    recipient_hash char(64)    NOT NULL,
    sender_hash    char(64)    NOT NULL,
    payload        bytea       NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL
);
CREATE INDEX idx_invitations_recipient ON invitations (recipient_hash, created_at DESC);
CREATE INDEX idx_invitations_sender ON invitations (sender_hash, created_at DESC);
CREATE INDEX idx_invitations_expires_at ON invitations (expires_at);
