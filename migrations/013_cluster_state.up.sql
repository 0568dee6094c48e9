-- State shared by every instance of one service (many processes on one database). Additive only.

-- Live instances; a row whose heartbeat is older than the liveness window is dead and reaped.
CREATE TABLE cluster_instances (
    instance_id text PRIMARY KEY,
    started_at timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now()
);

-- One row per open client connection: the per-mailbox cap counted across instances.
CREATE TABLE cluster_connections (
    slot text PRIMARY KEY,
    instance_id text NOT NULL REFERENCES cluster_instances (instance_id) ON DELETE CASCADE,
    mailbox_id text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cluster_connections_mailbox_idx ON cluster_connections (mailbox_id);
CREATE INDEX cluster_connections_instance_idx ON cluster_connections (instance_id);

-- Secrets generated once for the whole service when not configured (identity hash key, pseudonyms).
CREATE TABLE cluster_secrets (
    name text PRIMARY KEY,
    value bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Last run of each scheduled job, so a job runs once per interval across the service.
CREATE TABLE cluster_job_runs (
    name text PRIMARY KEY,
    ran_at timestamptz NOT NULL
);
