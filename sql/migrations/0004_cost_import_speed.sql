-- Faster cost imports. A foreign key on cost_daily ran a lookup for every inserted row and more than
-- doubled the time of a COPY; a B-tree index cost another insertion per row. Both go:
-- - Integrity is kept without the key: the only writer, `costs import`, takes the source id from the
--   cost_sources row it has locked in the same transaction, and deleting a source deletes its rows
--   through the trigger below.
-- - Days (and sources) are found through a BRIN index, which costs almost nothing to maintain and suits
--   rows that arrive a file, that is a billing period, at a time.
ALTER TABLE cost_daily DROP CONSTRAINT cost_daily_source_id_fkey;
DROP INDEX cost_daily_source_day;
CREATE INDEX cost_daily_day_source ON cost_daily USING brin (day, source_id);

CREATE FUNCTION cost_sources_delete_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM cost_daily WHERE source_id = OLD.id;
    RETURN OLD;
END
$$;

CREATE TRIGGER cost_sources_delete_rows AFTER DELETE ON cost_sources
FOR EACH ROW EXECUTE FUNCTION cost_sources_delete_rows();
