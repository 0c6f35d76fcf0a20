-- A day is complete only once it is over. A sync imports today's usage so far, which still grows, and
-- "complete through" said today: a report ending today then mixed a partial day into every total. The
-- view is the same as in 0009 but stops at yesterday (UTC), whatever the coverage reaches.
CREATE OR REPLACE VIEW metric_complete_through AS
WITH batches AS (
    SELECT m.id AS metric_id, m.since, c.import_batch, array_agg(c.id) AS customer_ids
    FROM business_metrics m
    JOIN customers c ON c.connection_id = m.connection_id
    GROUP BY m.id, m.since, c.import_batch
), windows AS (
    SELECT DISTINCT b.metric_id, b.import_batch, cov.window_start, cov.window_end
    FROM batches b
    JOIN import_coverage cov ON cov.metric_id = b.metric_id AND cov.customer_ids && b.customer_ids
), ordered AS (
    -- The furthest end reached by the earlier windows of the batch (windows are half-open: [start, end)).
    SELECT metric_id, import_batch, window_start, window_end,
        max(window_end) OVER (PARTITION BY metric_id, import_batch ORDER BY window_start, window_end
                              ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reached
    FROM windows
), islands AS (
    -- Windows that touch or overlap form one island; a window starting past every earlier end opens the next.
    SELECT metric_id, import_batch, window_start, window_end,
        count(*) FILTER (WHERE reached IS NULL OR window_start > reached)
            OVER (PARTITION BY metric_id, import_batch ORDER BY window_start, window_end ROWS UNBOUNDED PRECEDING) AS island
    FROM ordered
), spans AS (
    SELECT metric_id, import_batch, min(window_start) AS span_start, max(window_end) AS span_end
    FROM islands GROUP BY metric_id, import_batch, island
), reach AS (
    -- Per batch, the exclusive end of the island holding `since` (NULL when none does).
    SELECT b.metric_id, b.import_batch, s.span_end
    FROM batches b
    LEFT JOIN spans s ON s.metric_id = b.metric_id AND s.import_batch = b.import_batch
        AND s.span_start <= b.since AND s.span_end > b.since
)
SELECT m.id AS metric_id,
    CASE WHEN count(r.import_batch) > 0 AND bool_and(r.span_end IS NOT NULL)
        THEN least(min(r.span_end) - 1, (now() AT TIME ZONE 'UTC')::date - 1) END AS complete_through
FROM business_metrics m
LEFT JOIN reach r ON r.metric_id = m.id
GROUP BY m.id;
