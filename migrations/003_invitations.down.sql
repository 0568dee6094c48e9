-- Reverts 003.
DROP TABLE IF EXISTS invitations;
