-- Every value belongs to a business metric, and deleting the metric deletes its values. A foreign key kept
-- that rule by looking the metric up again for every inserted row: about a fifth of Postgres's work in an
-- import, whose pages write a hundred or more values of one metric at a time. The same rule, checked once
-- per statement.
ALTER TABLE metric_values DROP CONSTRAINT metric_values_metric_id_fkey;

-- After an insert: every metric of the new rows exists, and is locked as the foreign key locked it (FOR KEY
-- SHARE), so a concurrent delete waits for this transaction and then removes these values with the rest.
CREATE FUNCTION metric_values_check_metrics() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    missing bigint;
BEGIN
    PERFORM 1 FROM business_metrics WHERE id IN (SELECT DISTINCT metric_id FROM inserted) FOR KEY SHARE;
    SELECT i.metric_id INTO missing FROM inserted i
    WHERE NOT EXISTS (SELECT 1 FROM business_metrics m WHERE m.id = i.metric_id) LIMIT 1;
    IF FOUND THEN
        RAISE foreign_key_violation USING
            MESSAGE = format('insert into metric_values: business metric %s does not exist', missing);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER metric_values_metric_exists AFTER INSERT ON metric_values
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION metric_values_check_metrics();

-- A value never moves to another metric.
CREATE FUNCTION metric_values_keep_metric() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    RAISE foreign_key_violation USING MESSAGE = 'update of metric_values: a value keeps its metric_id';
END $$;

CREATE TRIGGER metric_values_metric_fixed BEFORE UPDATE OF metric_id ON metric_values
    FOR EACH ROW WHEN (OLD.metric_id IS DISTINCT FROM NEW.metric_id) EXECUTE FUNCTION metric_values_keep_metric();

-- Deleting metrics (also through their connection) deletes their values, as ON DELETE CASCADE did.
CREATE FUNCTION business_metrics_delete_values() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    DELETE FROM metric_values v USING deleted d WHERE v.metric_id = d.id;
    RETURN NULL;
END $$;

CREATE TRIGGER business_metrics_delete_values AFTER DELETE ON business_metrics
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION business_metrics_delete_values();
