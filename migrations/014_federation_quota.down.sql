-- Reverts 014.
DROP TABLE IF EXISTS cluster_federation_windows;
DROP TABLE IF EXISTS cluster_federation_peers;
