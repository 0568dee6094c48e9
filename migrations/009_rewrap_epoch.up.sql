-- Set while an epoch advance waits for its DEK re-wrap to finish; a further
-- advance is refused until it is cleared.
ALTER TABLE spaces ADD COLUMN rewrap_epoch integer;
