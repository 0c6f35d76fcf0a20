-- A budget-aware plan.
--
-- When each (metric, customer batch) last refreshed its trailing sync window ('sync') or its hot days
-- ('hot'). Coverage says which days were ever imported; this says how fresh the recent ones are, so
-- coverage rows can be merged into a few ranges per batch instead of one row per daily sync.
CREATE TABLE import_refreshes (
    metric_id    bigint NOT NULL REFERENCES business_metrics ON DELETE CASCADE,
    import_batch integer NOT NULL,
    scope        text NOT NULL CHECK (scope IN ('sync', 'hot')),
    refreshed_at timestamptz NOT NULL,
    PRIMARY KEY (metric_id, import_batch, scope)
);

-- The planner's latest projection per connection, for `meterbridge status`: what the backfill still
-- needs, what the sync costs, and the intervals after keeping the sync within its budget share.
CREATE TABLE plan_projections (
    connection_id         bigint PRIMARY KEY REFERENCES connections ON DELETE CASCADE,
    backfill_requests     bigint NOT NULL,
    sync_requests         bigint NOT NULL,
    sync_requests_per_day double precision NOT NULL,
    sync_budget_share     double precision NOT NULL,
    sync_interval_seconds double precision NOT NULL,
    hot_interval_seconds  double precision,
    stretched             boolean NOT NULL,
    requests_per_second   double precision NOT NULL,
    planned_at            timestamptz NOT NULL DEFAULT now()
);
