-- Revoked UCANs, by content id, per space.
CREATE TABLE revocations (
    space_id   uuid        NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    ucan_cid   text        NOT NULL,
    revoked_by text        NOT NULL,
    revoked_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (space_id, ucan_cid)
);
