-- Fair pacing: a 429 blocks the connection until `blocked_until`, which requests already waiting for a
-- slot honour too; and a reservation is refused (the job snoozes instead of holding a worker slot) when
-- the next free slot is too far ahead. `last_reserved` tells the statement that asked which it was.
ALTER TABLE rate_limits
    ADD COLUMN blocked_until timestamptz NOT NULL DEFAULT '-infinity',
    ADD COLUMN last_reserved boolean NOT NULL DEFAULT true;
