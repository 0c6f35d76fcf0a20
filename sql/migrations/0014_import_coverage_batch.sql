-- A coverage row names its customer batch in a column of its own. The batch was packed with the
-- window's end into one text key ("3@2026-01-01") and unpacked with split_part wherever it was read;
-- the window's start and end already say which window a row is.
ALTER TABLE import_coverage ADD COLUMN import_batch integer;
UPDATE import_coverage SET import_batch = split_part(batch_key, '@', 1)::integer;
ALTER TABLE import_coverage ALTER COLUMN import_batch SET NOT NULL;
ALTER TABLE import_coverage DROP CONSTRAINT import_coverage_pkey;
ALTER TABLE import_coverage DROP COLUMN batch_key;
ALTER TABLE import_coverage ADD PRIMARY KEY (metric_id, import_batch, window_start, window_end);
