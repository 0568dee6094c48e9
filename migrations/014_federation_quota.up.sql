-- Federation quotas counted per service (FED-QUOTA-02..06 across instances). Additive only.

-- Open peer sockets and subscribed spaces per instance and peer domain; the rows of a dead instance go
-- with its cluster_instances row, so its share is freed within the liveness window.
CREATE TABLE cluster_federation_peers (
    instance_id text NOT NULL REFERENCES cluster_instances (instance_id) ON DELETE CASCADE,
    domain text NOT NULL,
    connections integer NOT NULL DEFAULT 0 CHECK (connections >= 0),
    spaces integer NOT NULL DEFAULT 0 CHECK (spaces >= 0),
    PRIMARY KEY (instance_id, domain)
);
CREATE INDEX cluster_federation_peers_domain_idx ON cluster_federation_peers (domain);

-- Hourly budgets per peer domain, shared by every instance: lazy tumbling windows, one start each.
-- last_refusal names the limit that refused the latest request (NULL when it fit).
CREATE TABLE cluster_federation_windows (
    domain text PRIMARY KEY,
    records bigint NOT NULL DEFAULT 0 CHECK (records >= 0),
    records_start timestamptz NOT NULL,
    bytes bigint NOT NULL DEFAULT 0 CHECK (bytes >= 0),
    bytes_start timestamptz NOT NULL,
    invitations bigint NOT NULL DEFAULT 0 CHECK (invitations >= 0),
    invitations_start timestamptz NOT NULL,
    last_refusal text
);
