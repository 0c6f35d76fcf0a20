/// Every statement of the job lifecycle, kept together. Each state change of a claimed job is fenced:
/// it matches only `state = 'running' AND lease_token = $lease`, so a worker whose lease expired (and
/// whose job another worker may have reclaimed) changes nothing.
enum JobQueueSQL {
    static let unfinished = "('available', 'running', 'retryable')"

    /// Appends one entry to the bounded error history. `$errorParam` is the message, `kind` a literal.
    static func appendError(message: String, kind: String, limit: Int) -> String {
        """
        (CASE WHEN jsonb_array_length(errors) >= \(limit) THEN errors - 0 ELSE errors END)
            || jsonb_build_array(jsonb_build_object('attempt', attempt, 'at', now(), 'error', \(message)::text, 'kind', '\(kind)'))
        """
    }

    /// Inserts the jobs, skipping unique keys already held, and states each named group's cap (a group's
    /// latest producer decides it).
    static let enqueue = """
        WITH input AS (
            SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::int2[], $5::timestamptz[], $6::int2[], $7::text[],
                $10::text[], $11::int4[])
                AS t(queue, kind, args, priority, run_at, max_attempts, unique_key, group_key, group_cap)
        ), groups AS (
            INSERT INTO job_groups AS g (key, max_running)
            SELECT DISTINCT ON (group_key) group_key, group_cap FROM input WHERE group_key IS NOT NULL
            ON CONFLICT (key) DO UPDATE SET max_running = EXCLUDED.max_running, updated_at = now()
                WHERE g.max_running IS DISTINCT FROM EXCLUDED.max_running
        ), inserted AS (
            INSERT INTO jobs (queue, kind, args, priority, run_at, max_attempts, unique_key, group_key)
            SELECT queue, kind, args, priority, coalesce(run_at, now()), max_attempts, unique_key, group_key FROM input
            ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN \(unfinished) DO NOTHING
            RETURNING id, unique_key
        )
        SELECT id, unique_key, CASE WHEN $8::text IS NOT NULL THEN pg_notify($8::text, $9::text) END AS notified
        FROM inserted
        """

    /// Waits for the claim before this one to commit, when there are groups to take turns for; says
    /// whether there are.
    static let claimTurn = """
        SELECT present.groups,
            CASE WHEN present.groups THEN pg_advisory_xact_lock(hashtextextended(current_schema() || '.jobs.claim', 0))::text END AS turn
        FROM (SELECT EXISTS (SELECT 1 FROM job_groups) AS groups) present
        """

    /// Sets the caps of groups ($2 NULL: no cap).
    static let setGroupCaps = """
        INSERT INTO job_groups AS g (key, max_running)
        SELECT * FROM unnest($1::text[], $2::int4[])
        ON CONFLICT (key) DO UPDATE SET max_running = EXCLUDED.max_running, updated_at = now()
            WHERE g.max_running IS DISTINCT FROM EXCLUDED.max_running
        """

    /// Each group's cap and the jobs of it running now.
    static let groups = """
        SELECT g.key, g.max_running,
            (SELECT count(*) FROM jobs r WHERE r.state = 'running' AND r.group_key = g.key)::int8 AS running,
            (SELECT count(*) FROM jobs a WHERE a.state = 'available' AND a.group_key = g.key)::int8 AS available
        FROM job_groups g ORDER BY g.key
        """

    /// Groups with no unfinished job, untouched for an hour: a later producer states its cap again.
    static let pruneGroups = """
        DELETE FROM job_groups g
        WHERE g.updated_at < now() - interval '1 hour'
            AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.group_key = g.key AND j.state IN \(unfinished))
        """

    static let existingByUniqueKey = """
        SELECT id FROM jobs WHERE unique_key = $1 AND state IN \(unfinished)
        """

    /// Takes jobs group by group and the jobs without a group queue by queue, each an ordered index scan
    /// (`jobs_group_claimable`, `jobs_ungrouped_claimable`), so the cost does not grow with the backlog.
    /// A group gives at most its cap less the jobs of it already running (fleet-wide); its jobs get turns
    /// 1, 2, … after those running, and the best `$2` by priority, then turn, then `run_at` are taken: a
    /// group with fewer jobs running goes first, so every group gets its share of the slots before any
    /// gets more. A job without a group takes turn 1 (the order is as it was before groups). Paused
    /// queues and rows other claimers hold are skipped.
    ///
    /// Only the jobs taken are locked: grouped candidates are read without locks (claims of grouped jobs
    /// take turns), and the picked ones are locked at the end, skipping any another transaction holds.
    /// Locking every group's candidates cost a row lock per group and claim (400 at 200 connections),
    /// which made claims, and so the turnover of short jobs, slow.
    ///
    /// The running counts are those of the statement's snapshot: the cap holds for claims that do not
    /// overlap, which ``JobQueue/claim(queues:limit:workerID:)`` ensures by taking turns (`claimTurn`).
    static let claim = """
        WITH queues AS (
            SELECT q.name FROM unnest($1::text[]) AS q(name)
            WHERE NOT EXISTS (SELECT 1 FROM job_queues p WHERE p.name = q.name AND p.paused_at IS NOT NULL)
        ), groups AS (
            SELECT g.key, g.max_running,
                (SELECT count(*) FROM jobs r WHERE r.state = 'running' AND r.group_key = g.key)::int AS running
            FROM job_groups g
        ), grouped AS (
            SELECT c.id, c.priority, c.run_at, groups.running + c.turn AS turn
            FROM groups, LATERAL (
                SELECT free.id, free.priority, free.run_at, row_number() OVER (ORDER BY free.priority, free.run_at, free.id) AS turn
                FROM (
                    SELECT j.id, j.priority, j.run_at FROM jobs j
                    WHERE j.state = 'available' AND j.group_key = groups.key AND j.run_at <= now()
                        AND j.queue IN (SELECT name FROM queues)
                    ORDER BY j.priority, j.run_at, j.id
                    LIMIT least($2, coalesce(groups.max_running - groups.running, $2))
                ) free
            ) c
            WHERE groups.max_running IS NULL OR groups.running < groups.max_running
        ), ungrouped AS (
            SELECT candidate.id, candidate.priority, candidate.run_at, 1::int8 AS turn FROM queues, LATERAL (
                SELECT id, priority, run_at FROM jobs
                WHERE state = 'available' AND group_key IS NULL AND queue = queues.name AND run_at <= now()
                ORDER BY priority, run_at, id
                LIMIT $2
                FOR UPDATE SKIP LOCKED
            ) candidate
        ), picked AS (
            SELECT id FROM (SELECT * FROM grouped UNION ALL SELECT * FROM ungrouped) candidates
            ORDER BY priority, turn, run_at, id
            LIMIT $2
        ), locked AS (
            SELECT j.id FROM jobs j JOIN picked ON picked.id = j.id WHERE j.state = 'available'
            FOR UPDATE OF j SKIP LOCKED
        )
        UPDATE jobs SET state = 'running', attempt = jobs.attempt + 1, attempted_at = now(), locked_by = $3,
            lease_token = gen_random_uuid(), lease_expires_at = now() + make_interval(secs => $4::float8)
        FROM locked WHERE jobs.id = locked.id
        RETURNING jobs.id, jobs.lease_token, jobs.queue, jobs.kind, jobs.args, jobs.priority, jobs.attempt,
            jobs.max_attempts, jobs.snoozes, jobs.cursor, jobs.created_at
        """

    static let heartbeat = """
        UPDATE jobs SET lease_expires_at = now() + make_interval(secs => $3::float8)
        FROM unnest($1::bigint[], $2::uuid[]) AS held(id, token)
        WHERE jobs.id = held.id AND jobs.lease_token = held.token AND jobs.state = 'running'
        RETURNING jobs.id
        """

    static let complete = """
        UPDATE jobs SET state = 'completed', finalized_at = now(), locked_by = NULL, lease_token = NULL,
            lease_expires_at = NULL
        WHERE id = $1 AND lease_token = $2 AND state = 'running'
        """

    static let completeMany = """
        UPDATE jobs SET state = 'completed', finalized_at = now(), locked_by = NULL, lease_token = NULL,
            lease_expires_at = NULL
        FROM unnest($1::bigint[], $2::uuid[]) AS held(id, token)
        WHERE jobs.id = held.id AND jobs.lease_token = held.token AND jobs.state = 'running'
        RETURNING jobs.id
        """

    static func fail(errorLimit: Int) -> String {
        """
        UPDATE jobs SET
            state = CASE WHEN attempt >= max_attempts OR $4 THEN 'discarded'::job_state ELSE 'retryable'::job_state END,
            run_at = CASE WHEN attempt >= max_attempts OR $4 THEN run_at ELSE now() + make_interval(secs => $5::float8) END,
            finalized_at = CASE WHEN attempt >= max_attempts OR $4 THEN now() END,
            errors = \(appendError(message: "$3", kind: "failure", limit: errorLimit)),
            locked_by = NULL, lease_token = NULL, lease_expires_at = NULL
        WHERE id = $1 AND lease_token = $2 AND state = 'running'
        RETURNING state, run_at
        """
    }

    static func discard(errorLimit: Int) -> String {
        """
        UPDATE jobs SET state = 'discarded', finalized_at = now(),
            errors = \(appendError(message: "$3", kind: "discarded", limit: errorLimit)),
            locked_by = NULL, lease_token = NULL, lease_expires_at = NULL
        WHERE id = $1 AND lease_token = $2 AND state = 'running'
        """
    }

    /// A snooze gives the attempt back; past the snooze cap the job is discarded instead, so a job that
    /// is throttled forever still surfaces. A hold ($7 false) is not counted and never hits the cap.
    static func snooze(errorLimit: Int) -> String {
        """
        UPDATE jobs SET
            state = CASE WHEN $7 AND snoozes >= $4 THEN 'discarded'::job_state ELSE 'available'::job_state END,
            attempt = CASE WHEN $7 AND snoozes >= $4 THEN attempt ELSE attempt - 1 END,
            snoozes = snoozes + CASE WHEN $7 THEN 1 ELSE 0 END,
            run_at = now() + make_interval(secs => $3::float8),
            finalized_at = CASE WHEN $7 AND snoozes >= $4 THEN now() END,
            errors = CASE WHEN $7 AND snoozes >= $4
                THEN \(appendError(message: "'snoozed ' || snoozes || ' times: ' || $5", kind: "snooze_limit", limit: errorLimit))
                WHEN $6 THEN \(appendError(message: "$5", kind: "snoozed", limit: errorLimit))
                ELSE errors END,
            locked_by = NULL, lease_token = NULL, lease_expires_at = NULL
        WHERE id = $1 AND lease_token = $2 AND state = 'running'
        RETURNING state
        """
    }

    static let checkpoint = fencedCheckpoint(firstParameter: 1)

    /// The fenced checkpoint, its parameters (job id, lease token, cursor JSON) numbered from
    /// `firstParameter`, narrowed by `condition` when one is given: alone, or as a part of another
    /// statement (``JobQueue/checkpointStatementPart(firstParameter:when:)``).
    static func fencedCheckpoint(firstParameter first: Int, when condition: String? = nil) -> String {
        """
        UPDATE jobs SET cursor = $\(first + 2)::jsonb
        WHERE id = $\(first) AND lease_token = $\(first + 1) AND state = 'running'\(condition.map { " AND (\($0))" } ?? "")
        """
    }

    static let release = """
        UPDATE jobs SET state = 'available', attempt = attempt - 1, run_at = now(),
            locked_by = NULL, lease_token = NULL, lease_expires_at = NULL
        WHERE id = $1 AND lease_token = $2 AND state = 'running'
        """

    static func rescue(errorLimit: Int) -> String {
        """
        WITH expired AS (
            SELECT id FROM jobs WHERE state = 'running' AND lease_expires_at < now()
            ORDER BY lease_expires_at LIMIT $1 FOR UPDATE SKIP LOCKED
        )
        UPDATE jobs SET
            state = CASE WHEN attempt >= max_attempts THEN 'discarded'::job_state ELSE 'available'::job_state END,
            finalized_at = CASE WHEN attempt >= max_attempts THEN now() END,
            run_at = now(),
            errors = \(appendError(message: "'lease expired (held by ' || coalesce(locked_by, '?') || ')'", kind: "lease_expired", limit: errorLimit)),
            locked_by = NULL, lease_token = NULL, lease_expires_at = NULL
        FROM expired WHERE jobs.id = expired.id
        RETURNING jobs.id
        """
    }

    static let promote = """
        WITH due AS (
            SELECT id FROM jobs WHERE state = 'retryable' AND run_at <= now()
            ORDER BY run_at LIMIT $1 FOR UPDATE SKIP LOCKED
        )
        UPDATE jobs SET state = 'available' FROM due WHERE jobs.id = due.id
        RETURNING jobs.queue
        """

    static let prune = """
        DELETE FROM jobs WHERE id IN (
            SELECT id FROM jobs
            WHERE state IN ('completed', 'discarded', 'cancelled') AND finalized_at < now() - make_interval(secs => $1::float8)
            ORDER BY finalized_at LIMIT $2
        )
        """

    static let lead = """
        INSERT INTO job_leaders (name, leader_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3::float8))
        ON CONFLICT (name) DO UPDATE SET
            leader_id = EXCLUDED.leader_id, expires_at = EXCLUDED.expires_at,
            elected_at = CASE WHEN job_leaders.leader_id = EXCLUDED.leader_id THEN job_leaders.elected_at ELSE now() END
        WHERE job_leaders.leader_id = EXCLUDED.leader_id OR job_leaders.expires_at < now()
        RETURNING leader_id
        """

    static let resign = "DELETE FROM job_leaders WHERE name = $1 AND leader_id = $2"

    /// The operators' job filter: `$1` ids, `$2` kind, `$3` args containment (jsonb), `$4` queue, `$5`
    /// state, `$6` finished at or after. A NULL parameter does not filter.
    static let filter = """
        ($1::bigint[] IS NULL OR id = ANY($1::bigint[])) AND ($2::text IS NULL OR kind = $2)
          AND ($3::jsonb IS NULL OR args @> $3::jsonb) AND ($4::text IS NULL OR queue = $4)
          AND ($5::job_state IS NULL OR state = $5) AND ($6::timestamptz IS NULL OR finalized_at >= $6)
        """

    /// Requeue puts final failures back to work, raising `max_attempts` so each really runs again. A job
    /// whose unique key is held by another unfinished job stays as it is (that job covers the work).
    static let requeue = """
        WITH candidates AS (
            SELECT DISTINCT ON (coalesce(unique_key, id::text)) id FROM jobs j
            WHERE state IN ('discarded', 'cancelled') AND \(filter)
              AND (unique_key IS NULL OR NOT EXISTS (
                  SELECT 1 FROM jobs o WHERE o.unique_key = j.unique_key AND o.state IN \(unfinished)))
            ORDER BY coalesce(unique_key, id::text), id DESC
        )
        UPDATE jobs SET state = 'available', run_at = now(), finalized_at = NULL,
            max_attempts = GREATEST(max_attempts, attempt + 1), snoozes = 0
        FROM candidates WHERE jobs.id = candidates.id
        RETURNING jobs.id
        """

    static let cancel = """
        UPDATE jobs SET state = 'cancelled', finalized_at = now(), locked_by = NULL, lease_token = NULL,
            lease_expires_at = NULL
        WHERE state IN \(unfinished) AND \(filter)
        RETURNING id
        """

    static let pause = """
        INSERT INTO job_queues (name, paused_at, updated_at) VALUES ($1, CASE WHEN $2 THEN now() END, now())
        ON CONFLICT (name) DO UPDATE SET paused_at = CASE WHEN $2 THEN coalesce(job_queues.paused_at, now()) END,
            updated_at = now()
        """

    static let selectJob = """
        SELECT id, queue, kind, state, args::text AS args, priority, attempt, max_attempts, snoozes, run_at, locked_by,
            lease_expires_at, cursor::text AS cursor, errors::text AS errors, unique_key, created_at, attempted_at,
            finalized_at
        FROM jobs
        """

    static let args = """
        SELECT args::text FROM jobs
        WHERE kind = ANY($1::text[]) AND state::text = ANY($2::text[]) AND args @> $3::jsonb
        """

    static let wake = """
        UPDATE jobs SET run_at = now() WHERE state = 'available' AND run_at > now() AND args @> $1::jsonb
        """

    /// Unfinished jobs that saved a checkpoint: kind, args and cursor, at most `$1`.
    static let checkpointed = """
        SELECT kind, args::text, cursor::text FROM jobs
        WHERE state IN ('available', 'running', 'retryable') AND cursor IS NOT NULL ORDER BY id LIMIT $1
        """

    static let backlog = """
        SELECT count(*) FROM jobs WHERE state IN ('available', 'retryable') AND queue = $1
        """

    static let hasWork = """
        SELECT EXISTS (SELECT 1 FROM jobs WHERE state = 'running')
            OR EXISTS (SELECT 1 FROM jobs WHERE state IN ('available', 'retryable')
                       AND run_at <= now() + make_interval(secs => $1::float8))
        """

    /// Jobs per state among those the operators' filter selects.
    static let stateCounts = """
        SELECT state, count(*) FROM jobs WHERE \(filter) GROUP BY state
        """

    /// The newest entries of the error histories of the jobs the operators' filter selects; `$7` the limit.
    static let newestErrors = """
        SELECT e::text FROM jobs, jsonb_array_elements(errors) e
        WHERE \(filter)
        ORDER BY e->>'at' DESC LIMIT $7
        """

    /// Jobs per element of the args' array `$1` (e.g. each metric id of `metric_ids`) and state.
    static let stateCountsByArgsElement = """
        SELECT m.value, j.state, count(*) FROM jobs j CROSS JOIN LATERAL jsonb_array_elements_text(j.args -> $1) AS m(value)
        WHERE jsonb_typeof(j.args -> $1) = 'array' GROUP BY m.value, j.state
        """

    /// The newest `$2` error entries per element of the args' array `$1`, newest first.
    static let newestErrorsByArgsElement = """
        SELECT element, entry FROM (
            SELECT m.value AS element, e.value::text AS entry,
                row_number() OVER (PARTITION BY m.value ORDER BY e.value->>'at' DESC) AS rank
            FROM jobs j CROSS JOIN LATERAL jsonb_array_elements_text(j.args -> $1) AS m(value)
                CROSS JOIN LATERAL jsonb_array_elements(j.errors) AS e(value)
            WHERE jsonb_typeof(j.args -> $1) = 'array' AND j.errors <> '[]'::jsonb
        ) ranked WHERE rank <= $2 ORDER BY element, rank
        """

    static let counts = """
        SELECT j.queue, j.state, count(*)::bigint,
               EXISTS (SELECT 1 FROM job_queues q WHERE q.name = j.queue AND q.paused_at IS NOT NULL)
        FROM jobs j GROUP BY j.queue, j.state ORDER BY j.queue, j.state
        """

    static let prunable = """
        SELECT count(*) FROM jobs WHERE state IN ('completed', 'discarded', 'cancelled')
          AND finalized_at < now() - make_interval(secs => $1::float8)
        """

    static let analyze = "ANALYZE jobs"
    static let vacuumAnalyze = "VACUUM ANALYZE jobs"
}
