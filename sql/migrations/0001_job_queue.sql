-- The generic job queue: one table of jobs with one state column, plus queue pauses and leader leases.

CREATE TYPE job_state AS ENUM ('available', 'running', 'retryable', 'completed', 'discarded', 'cancelled');

CREATE TABLE jobs (
    id               bigserial PRIMARY KEY,
    queue            text NOT NULL DEFAULT 'default',
    kind             text NOT NULL,
    args             jsonb NOT NULL DEFAULT '{}',
    state            job_state NOT NULL DEFAULT 'available',
    priority         smallint NOT NULL DEFAULT 2,          -- lower runs first
    run_at           timestamptz NOT NULL DEFAULT now(),
    attempt          smallint NOT NULL DEFAULT 0,
    max_attempts     smallint NOT NULL DEFAULT 20,
    snoozes          integer NOT NULL DEFAULT 0,
    locked_by        text,                                 -- the claiming worker, for people
    lease_token      uuid,                                 -- the claim itself, for fencing
    lease_expires_at timestamptz,
    cursor           jsonb,                                -- checkpoint saved by the handler
    errors           jsonb NOT NULL DEFAULT '[]',          -- one entry per failed attempt, bounded
    unique_key       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    attempted_at     timestamptz,
    finalized_at     timestamptz,
    CONSTRAINT jobs_kind_present CHECK (kind <> ''),
    CONSTRAINT jobs_attempts_positive CHECK (max_attempts > 0),
    CONSTRAINT jobs_running_is_locked CHECK (state <> 'running' OR (lease_token IS NOT NULL AND lease_expires_at IS NOT NULL))
) WITH (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);

-- Exactly the claim predicate, in claim order.
CREATE INDEX jobs_claimable ON jobs (queue, priority, run_at, id) WHERE state = 'available';
-- The rescuer's scan for expired leases.
CREATE INDEX jobs_leases ON jobs (lease_expires_at) WHERE state = 'running';
-- The promoter's scan for due retries.
CREATE INDEX jobs_retryable ON jobs (run_at) WHERE state = 'retryable';
-- The pruner's scan for old finished jobs.
CREATE INDEX jobs_finalized ON jobs (finalized_at) WHERE finalized_at IS NOT NULL;
-- A unique key holds only while a job is unfinished: once it completes, the same key can be enqueued again.
CREATE UNIQUE INDEX jobs_unique_key ON jobs (unique_key)
    WHERE unique_key IS NOT NULL AND state IN ('available', 'running', 'retryable');

CREATE TABLE job_queues (
    name       text PRIMARY KEY,
    paused_at  timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per elected role; a leader keeps its row by renewing it before it expires.
CREATE UNLOGGED TABLE job_leaders (
    name       text PRIMARY KEY,
    leader_id  text NOT NULL,
    elected_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
