-- Job groups: a job may name a group (for the importer, its Metronome connection), and a group may cap
-- how many of its jobs run at once across every worker. The claim takes jobs group by group, the groups
-- with the fewest running first, so one large group's backlog never fills the slots another group's
-- jobs need, and a slot is never spent on a job that could only wait for its group's request budget.
-- A NULL cap means no cap. Jobs without a group are claimed as before.
CREATE TABLE job_groups (
    key         text PRIMARY KEY,
    max_running integer CONSTRAINT job_groups_cap_positive CHECK (max_running IS NULL OR max_running > 0),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE jobs ADD COLUMN group_key text;

-- The claim's scan of one group, in claim order.
CREATE INDEX jobs_group_claimable ON jobs (group_key, priority, run_at, id)
    WHERE state = 'available' AND group_key IS NOT NULL;
-- Jobs of a group running now, counted against its cap.
CREATE INDEX jobs_group_running ON jobs (group_key) WHERE state = 'running' AND group_key IS NOT NULL;
-- The claim's scan of the jobs without a group, per queue, in claim order.
CREATE INDEX jobs_ungrouped_claimable ON jobs (queue, priority, run_at, id)
    WHERE state = 'available' AND group_key IS NULL;
