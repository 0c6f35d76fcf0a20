#!/usr/bin/env python3
"""PgQueuer, measured the way its own benchmark measures it, as the peer of `meterbridge-bench queue`.

    py=$(scripts/peers/setup | tail -n 1)
    "$py" scripts/peers/pgqueuer_bench.py --database-url "$DATABASE_URL" --shape both

Prints one JSON line per shape on stdout (logs go to stderr):

- steady: 1 enqueuer inserting batches of 10 in a loop while 5 dequeuers (batch 10) run for --seconds;
  jobs/s = jobs handled during the window / the window.
- drain:  --jobs (50,000) jobs enqueued up front, then 8 dequeuers (batch 10) in drain mode until the
  queue is empty; jobs/s = jobs / time from the dequeuers' start until every one has returned (which
  is after their last completions were written).

How PgQueuer is driven (mirrors `tools/benchmark.py` of the PgQueuer repository, `--driver apg`, which
is what its CI runs and what its docs quote; that tool is not shipped in the wheel):

- Schema: installed by PgQueuer's own CLI, `pgq --pg-dsn URL --schema pgq install` (default durability
  `durable`: every table logged, like MeterBridge's `jobs`), into its own Postgres schema (`--schema`,
  default `pgq`), so its objects (`pgqueuer`, `pgqueuer_log`, `pgqueuer_statistics`,
  `pgqueuer_schedules`, type `pgqueuer_status`, function `fn_pgqueuer_changed`) never meet
  MeterBridge's tables. Each run uninstalls and reinstalls it first (`pgq uninstall`), so every run
  starts from fresh tables; between shapes the queue and logs are cleared as the upstream tool does
  (`clear_queue`, `clear_statistics_log`, plus `clear_queue_log`). `pgq autovac` is not applied,
  as upstream CI does not apply it either.
- Driver: asyncpg, one connection per dequeuer and per enqueuer (`AsyncpgDriver(await
  asyncpg.connect(dsn))`), event loop uvloop when importable (PgQueuer depends on it; upstream uses
  `uvloop.run`).
- Dequeuers: one `PgQueuer(driver)` each, two no-op async entrypoints (upstream names them
  `syncfetch` and `asyncfetch`; 1.x only accepts async handlers, so both are async here), run with
  `pgq.run(batch_size=10, mode=continuous|drain)` and every other argument at its default (NOTIFY on,
  30 s dequeue timeout, 30 s heartbeat, log aggregation every 30 s, the scheduler manager alongside).
  A handler only counts; completion is PgQueuer's own buffered status-log write.
- Enqueuer: `Queries.enqueue(entrypoints, payloads, priorities)` with 10 jobs per statement, the
  entrypoints drawn at random from the two, payload a counter, priority 0, in a loop until the
  window ends. Drain pre-enqueues all jobs in one `enqueue` call with empty payloads, as upstream.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import subprocess
import sys
import time
from itertools import count

ENTRYPOINTS = ("syncfetch", "asyncfetch")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                   help="Postgres URL (default: $DATABASE_URL)")
    p.add_argument("--schema", default="pgq", help="Postgres schema for PgQueuer's objects (default: pgq)")
    p.add_argument("--shape", choices=("steady", "drain", "both"), default="both")
    p.add_argument("--seconds", type=float, default=10.0, help="steady: length of the window (default 10)")
    p.add_argument("--jobs", type=int, default=50_000, help="drain: jobs enqueued up front (default 50,000)")
    p.add_argument("--enqueuers", type=int, default=1, help="steady: enqueue tasks (default 1)")
    p.add_argument("--enqueue-batch", type=int, default=10, help="steady: jobs per enqueue (default 10)")
    p.add_argument("--steady-dequeuers", type=int, default=5, help="steady: dequeuers (default 5)")
    p.add_argument("--drain-dequeuers", type=int, default=8, help="drain: dequeuers (default 8)")
    p.add_argument("--batch", type=int, default=10, help="dequeue batch size (default 10)")
    p.add_argument("--timeout", type=float, default=300.0,
                   help="give up on a shape after this many seconds (default 300)")
    args = p.parse_args()
    if not args.database_url:
        p.error("--database-url or DATABASE_URL is required")
    if args.seconds <= 0 or args.jobs <= 0 or args.batch <= 0:
        p.error("--seconds, --jobs and --batch must be positive")
    return args


def log(message: str) -> None:
    print(f"pgqueuer_bench: {message}", file=sys.stderr, flush=True)


def pgq_cli(args: argparse.Namespace, *command: str, check: bool = True) -> subprocess.CompletedProcess:
    """Runs PgQueuer's own CLI (`pgq`, i.e. `python -m pgqueuer`) against the benchmark schema."""
    cmd = [sys.executable, "-m", "pgqueuer", "--pg-dsn", args.database_url, "--schema", args.schema, *command]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if check and done.returncode != 0:
        raise SystemExit(f"pgq {' '.join(command)} failed ({done.returncode}): {done.stderr.strip()}")
    return done


def install_schema(args: argparse.Namespace) -> None:
    verify = pgq_cli(args, "verify", "--expect", "absent", check=False)
    if verify.returncode != 0:  # something of PgQueuer's is there: start from fresh tables
        pgq_cli(args, "uninstall")
    pgq_cli(args, "install")
    log(f"installed PgQueuer {pgqueuer_version()} into schema {args.schema} with `pgq install`")


def pgqueuer_version() -> str:
    from importlib.metadata import version

    return version("pgqueuer")


async def connect(args: argparse.Namespace):
    import asyncpg
    from pgqueuer.db import AsyncpgDriver

    return AsyncpgDriver(await asyncpg.connect(dsn=args.database_url))


async def fresh_queries(args: argparse.Namespace):
    from pgqueuer.queries import Queries

    queries = Queries(await connect(args))
    await queries.clear_statistics_log()
    await queries.clear_queue_log()
    await queries.clear_queue()
    return queries


def make_consumer(driver, counter: list[int]):
    from pgqueuer import PgQueuer
    from pgqueuer.models import Job

    pgq = PgQueuer(driver)

    @pgq.entrypoint("asyncfetch")
    async def asyncfetch(job: Job) -> None:
        counter[0] += 1

    @pgq.entrypoint("syncfetch")
    async def syncfetch(job: Job) -> None:
        counter[0] += 1

    return pgq


async def server_settings(args: argparse.Namespace) -> dict[str, str]:
    import asyncpg

    conn = await asyncpg.connect(dsn=args.database_url)
    try:
        rows = await conn.fetch(
            "SELECT name, setting FROM pg_settings WHERE name IN "
            "('server_version', 'fsync', 'synchronous_commit', 'shared_buffers') ORDER BY name")
        return {r["name"]: r["setting"] for r in rows}
    finally:
        await conn.close()


async def queued_rows(queries) -> int:
    return sum(x.count for x in await queries.queue_size())


async def steady(args: argparse.Namespace, base: dict) -> dict:
    from pgqueuer.types import QueueExecutionMode

    util = await fresh_queries(args)
    handled = [0]
    consumers = [make_consumer(await connect(args), handled) for _ in range(args.steady_dequeuers)]
    producers = [await connect(args) for _ in range(args.enqueuers)]
    stop = asyncio.Event()
    serial = count()
    enqueued = [0]

    async def produce(driver) -> None:
        from pgqueuer.queries import Queries

        queries = Queries(driver)
        names = list(ENTRYPOINTS) * args.enqueue_batch
        n = args.enqueue_batch
        while not stop.is_set():
            await queries.enqueue(random.sample(names, k=n), [f"{next(serial)}".encode() for _ in range(n)], [0] * n)
            enqueued[0] += n

    runs = [asyncio.create_task(c.run(batch_size=args.batch, mode=QueueExecutionMode.continuous))
            for c in consumers]
    feeds = [asyncio.create_task(produce(d)) for d in producers]
    start = time.perf_counter()
    try:
        await asyncio.sleep(args.seconds)
    finally:
        done_in_window = handled[0]
        window = time.perf_counter() - start
        stop.set()
        for c in consumers:
            c.shutdown.set()
        await asyncio.wait_for(asyncio.gather(*feeds, *runs), timeout=args.timeout)
    left = await queued_rows(util)
    return {**base, "shape": "steady", "enqueuers": args.enqueuers, "enqueue_batch": args.enqueue_batch,
            "dequeuers": args.steady_dequeuers, "batch": args.batch, "seconds": round(window, 3),
            "jobs": done_in_window, "jobs_per_s": round(done_in_window / window, 1),
            "enqueued": enqueued[0], "enqueued_per_s": round(enqueued[0] / window, 1),
            "handled_total": handled[0], "left_in_queue": left}


async def drain(args: argparse.Namespace, base: dict) -> dict:
    from pgqueuer.types import QueueExecutionMode

    util = await fresh_queries(args)
    t = time.perf_counter()
    await util.enqueue(random.choices(ENTRYPOINTS, k=args.jobs), [b""] * args.jobs, [0] * args.jobs)
    enqueue_s = time.perf_counter() - t
    handled = [0]
    consumers = [make_consumer(await connect(args), handled) for _ in range(args.drain_dequeuers)]
    start = time.perf_counter()
    await asyncio.wait_for(
        asyncio.gather(*(c.run(batch_size=args.batch, mode=QueueExecutionMode.drain) for c in consumers)),
        timeout=args.timeout)
    elapsed = time.perf_counter() - start
    left = await queued_rows(util)
    if left:
        log(f"drain: {left} jobs still in the queue after the dequeuers returned")
    return {**base, "shape": "drain", "dequeuers": args.drain_dequeuers, "batch": args.batch,
            "jobs": args.jobs, "seconds": round(elapsed, 3), "jobs_per_s": round(args.jobs / elapsed, 1),
            "handled_total": handled[0], "left_in_queue": left, "enqueue_seconds": round(enqueue_s, 3)}


async def main_async(args: argparse.Namespace, loop_name: str) -> None:
    import asyncpg

    base = {"peer": "pgqueuer", "version": pgqueuer_version(), "asyncpg": asyncpg.__version__,
            "driver": "asyncpg", "loop": loop_name, "schema": args.schema,
            "postgres": await server_settings(args)}
    shapes = ("steady", "drain") if args.shape == "both" else (args.shape,)
    for shape in shapes:
        result = await (steady(args, base) if shape == "steady" else drain(args, base))
        print(json.dumps(result), flush=True)


def main() -> None:
    args = parse_args()
    # PgQueuer reads its object names once, from the environment (PGQUEUER_SCHEMA): set it before import.
    os.environ["PGQUEUER_SCHEMA"] = args.schema
    os.environ.pop("PGQUEUER_PREFIX", None)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    logging.getLogger("pgqueuer").setLevel(logging.WARNING)
    install_schema(args)
    try:
        import uvloop
    except ImportError:
        uvloop = None
    if uvloop is not None:
        uvloop.run(main_async(args, "uvloop"))
    else:
        asyncio.run(main_async(args, "asyncio"))


if __name__ == "__main__":
    main()
