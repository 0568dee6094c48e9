-- This server's own Ed25519 keys for signing federation requests.
CREATE TABLE federation_signing_keys (
    kid         text        PRIMARY KEY,
    private_key bytea       NOT NULL,
    public_key  bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- The server a space lives on, when it is not this one.
ALTER TABLE spaces ADD COLUMN home_server text;
