-- Each metric's value count is kept in up to 64 shards, one per writer's backend (its pid modulo 64),
-- and read as their sum. With one row per metric, every page commit of a metric locked that row from
-- its insert to its commit, so the workers' concurrent pages of one metric took turns: a third of the
-- database time of a history import went to waiting for it. A shard may go below zero (a writer deletes
-- what another inserted); the sum of a metric's shards is its count.
ALTER TABLE metric_value_counts DROP CONSTRAINT metric_value_counts_value_count_check;
ALTER TABLE metric_value_counts ADD COLUMN shard smallint NOT NULL DEFAULT 0 CHECK (shard BETWEEN 0 AND 63);
ALTER TABLE metric_value_counts ALTER COLUMN shard DROP DEFAULT;
ALTER TABLE metric_value_counts DROP CONSTRAINT metric_value_counts_pkey;
ALTER TABLE metric_value_counts ADD PRIMARY KEY (metric_id, shard);

-- One statement now does what three did (a per-statement trigger's statements are most of its cost): it
-- counts the new rows of each existing metric into this backend's shard, and names a metric that does not
-- exist. The counts keep the rule that a value's metric exists and that deleting a metric deletes the
-- values written while it was being deleted, as the metric's FOR KEY SHARE lock kept it: a new count row is
-- checked by its foreign key (which takes that lock), an existing one is locked by the update, and deleting
-- the metric deletes its count rows (ON DELETE CASCADE), so it waits for this transaction before its own
-- trigger deletes the metric's values.
CREATE OR REPLACE FUNCTION metric_values_check_metrics() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    missing bigint;
BEGIN
    WITH counted AS (
        SELECT metric_id, count(*) AS value_count FROM inserted GROUP BY metric_id
    ), kept AS (
        -- In metric order, so that writers of several metrics lock their counts in one order.
        INSERT INTO metric_value_counts AS c (metric_id, shard, value_count)
        SELECT n.metric_id, pg_backend_pid() % 64, n.value_count
        FROM counted n JOIN business_metrics m ON m.id = n.metric_id
        ORDER BY n.metric_id
        ON CONFLICT (metric_id, shard) DO UPDATE SET value_count = c.value_count + excluded.value_count
        RETURNING metric_id
    )
    SELECT n.metric_id INTO missing FROM counted n WHERE n.metric_id NOT IN (SELECT metric_id FROM kept) LIMIT 1;
    IF FOUND THEN
        RAISE foreign_key_violation USING
            MESSAGE = format('insert into metric_values: business metric %s does not exist', missing);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION metric_values_count_deleted() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    -- Only metrics that still exist: a metric's deletion cascades to its values and its counts.
    INSERT INTO metric_value_counts AS c (metric_id, shard, value_count)
    SELECT d.metric_id, pg_backend_pid() % 64, -count(*) FROM deleted d
    WHERE EXISTS (SELECT 1 FROM business_metrics m WHERE m.id = d.metric_id)
    GROUP BY d.metric_id ORDER BY d.metric_id
    ON CONFLICT (metric_id, shard) DO UPDATE SET value_count = c.value_count + excluded.value_count;
    RETURN NULL;
END $$;
