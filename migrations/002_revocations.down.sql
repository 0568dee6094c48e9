-- Reverts 002.
DROP TABLE IF EXISTS revocations;
