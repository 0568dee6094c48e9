-- First generation of invitations (replaced wholesale by 007).
-- gen_random_uuid() is built in from PostgreSQL 13 on.
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
