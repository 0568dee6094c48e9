-- Reverts 001: removes the base tables, the trigger and its function.
DROP TRIGGER IF EXISTS spaces_updated_at ON spaces;
DROP FUNCTION IF EXISTS update_updated_at_column();
DROP TABLE IF EXISTS members;
DROP TABLE IF EXISTS files;
DROP TABLE IF EXISTS records;
DROP TABLE IF EXISTS spaces;
