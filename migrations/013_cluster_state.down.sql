-- Reverts 013.
DROP TABLE IF EXISTS cluster_job_runs;
DROP TABLE IF EXISTS cluster_secrets;
DROP TABLE IF EXISTS cluster_connections;
DROP TABLE IF EXISTS cluster_instances;
