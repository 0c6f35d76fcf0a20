#!/usr/bin/env python3
"""dlt, loading the same daily usage MeterBridge imports, as the peer of MeterBridge's usage import.

    py=$(scripts/peers/setup | tail -n 1)
    "$py" scripts/peers/dlt_usage.py --base-url http://127.0.0.1:8099 --database-url "$DATABASE_URL" \\
        --start 2026-10-01 --end 2026-11-30

Walks the Metronome API (the sandbox or the real one) and loads one row per (customer, billable metric,
UTC day) with a value into Postgres, table `usage_daily` of dataset `--dataset-name`, with
`write_disposition="merge"` on the primary key (customer_id, billable_metric_id, day), so a rerun
replaces rather than duplicates. At the end it prints one JSON line on stdout: rows loaded, wall
seconds (catalog walk, extract, normalize and load), rows/s, and the HTTP requests made.

What it fetches, as MeterBridge does (docs/sandbox.md, docs/internals.md):
- customers: `GET /v1/customers?limit=100`, walked twice (active, then `only_archived=true`), since
  usage is imported for archived customers too;
- billable metrics: `GET /v1/billable-metrics?limit=100&include_archived=true`;
- usage: for each metric and each batch of up to 100 customers, `POST /v1/usage` with body
  `{"window_size": "day", "starting_on", "ending_before", "billable_metrics": [{"id"}],
  "customer_ids": [...]}`, following `next_page` in the query string. `/v1/usage` takes no `limit`
  (Metronome answers 400): the server sets the page size, one (customer, metric) pair per page and at
  most 200 daily windows a page. Days whose `value` is null (no events) store no row, as MeterBridge.

How dlt is driven: dlt's REST client (`dlt.sources.helpers.rest_client.RESTClient`: a pooled requests
session whose sends dlt retries on 429, 5xx and connection errors, each attempt counted as a request;
bearer auth; `JSONResponseCursorPaginator(cursor_path="next_page", cursor_param="next_page")`),
inside one `@dlt.resource` generator that yields a page of rows at a time; `dlt.pipeline(destination=postgres).run(...)` then normalizes and loads. Requests are sequential.
Response bodies are parsed with exact decimals (`parse_float=Decimal`, one parse per page) and `value`
is a `decimal` column, so no value passes through a binary float. dlt's telemetry is switched off.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

# Nothing may leave the machine: turn off dlt's anonymous usage telemetry before dlt is imported.
os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"

import dlt  # noqa: E402
from dlt.destinations.impl.postgres.configuration import PostgresCredentials  # noqa: E402
from dlt.sources.helpers.rest_client import RESTClient  # noqa: E402
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth  # noqa: E402
from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator  # noqa: E402

CUSTOMER_BATCH = 100  # customer_ids per /v1/usage walk
MAX_PAGES_PER_WALK = 100_000  # a bound on any one cursor chain


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base-url", required=True, help="Metronome API base URL, e.g. http://127.0.0.1:8099")
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                   help="Postgres URL (default: $DATABASE_URL)")
    p.add_argument("--token", default="sandbox-token", help="bearer token (default: sandbox-token)")
    p.add_argument("--start", required=True, type=dt.date.fromisoformat, help="first day, YYYY-MM-DD")
    p.add_argument("--end", required=True, type=dt.date.fromisoformat, help="day after the last, YYYY-MM-DD")
    p.add_argument("--dataset-name", default="dlt_usage", help="Postgres schema dlt loads into (default dlt_usage)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per HTTP request (default 60)")
    args = p.parse_args()
    if not args.database_url:
        p.error("--database-url or DATABASE_URL is required")
    if args.end <= args.start:
        p.error("--end must be after --start (it is exclusive)")
    return args


def midnight(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def utc_day(timestamp: str) -> dt.date:
    """The UTC day a window starts on, whatever RFC 3339 offset spelling the server used."""
    parsed = dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return parsed.astimezone(dt.timezone.utc).date()


class Metronome:
    """dlt's REST client for the Metronome API, counting the HTTP requests it sends."""

    def __init__(self, base_url: str, token: str, timeout: float) -> None:
        self.requests = 0
        self.timeout = timeout
        self.client = RESTClient(
            base_url=base_url.rstrip("/"),
            auth=BearerTokenAuth(token),
            headers={"Accept": "application/json"},
            paginator=JSONResponseCursorPaginator(cursor_path="next_page", cursor_param="next_page"),
            data_selector="data",
        )

    def _on_response(self, response, *args, **kwargs):
        self.requests += 1
        # Parse the body once, with exact decimals; the paginator and the data selector both call
        # response.json() and get this same object.
        body = json.loads(response.content, parse_float=Decimal) if response.ok else None
        if body is not None:
            response.json = lambda **_: body
        return response

    @staticmethod
    def _raise_for_status(response, *args, **kwargs):
        response.raise_for_status()

    def walk(self, path: str, method: str = "GET", params: dict | None = None, json_body: dict | None = None):
        """Every page of one cursor chain, stopping on a null/empty cursor (never on an empty page)."""
        seen: set[str] = set()
        # Hooks given to paginate replace the client's default (raise on an error status), so both go here.
        hooks = {"response": [self._on_response, self._raise_for_status]}
        pages = self.client.paginate(path, method=method, params=params, json=json_body, hooks=hooks,
                                     timeout=self.timeout)
        for n, page in enumerate(pages):
            yield page
            cursor = page.response.json().get("next_page")
            if cursor:
                if cursor in seen:
                    raise RuntimeError(f"{method} {path}: the server sent cursor {cursor!r} twice")
                seen.add(cursor)
            if n + 1 >= MAX_PAGES_PER_WALK:
                raise RuntimeError(f"{method} {path}: more than {MAX_PAGES_PER_WALK} pages")


def usage_resource(api: Metronome, start: dt.date, end: dt.date, counts: dict):
    @dlt.resource(
        name="usage_daily",
        write_disposition="merge",
        primary_key=("customer_id", "billable_metric_id", "day"),
        columns={
            "customer_id": {"data_type": "text", "nullable": False},
            "billable_metric_id": {"data_type": "text", "nullable": False},
            "day": {"data_type": "date", "nullable": False},
            "value": {"data_type": "decimal", "precision": 38, "scale": 12, "nullable": False},
        },
    )
    def usage_daily():
        customers: list[str] = []
        for archived in ("false", "true"):
            for page in api.walk("/v1/customers", params={"limit": 100, "only_archived": archived}):
                customers.extend(c["id"] for c in page)
        metrics: list[str] = []
        for page in api.walk("/v1/billable-metrics", params={"limit": 100, "include_archived": "true"}):
            metrics.extend(m["id"] for m in page)
        counts["customers"], counts["billable_metrics"] = len(customers), len(metrics)
        for metric in metrics:
            for i in range(0, len(customers), CUSTOMER_BATCH):
                body = {
                    "window_size": "day",
                    "starting_on": midnight(start),
                    "ending_before": midnight(end),
                    "billable_metrics": [{"id": metric}],
                    "customer_ids": customers[i:i + CUSTOMER_BATCH],
                }
                for page in api.walk("/v1/usage", method="POST", json_body=body):
                    counts["usage_pages"] += 1
                    rows = [
                        {
                            "customer_id": w["customer_id"],
                            "billable_metric_id": w["billable_metric_id"],
                            "day": utc_day(w["start_timestamp"]),
                            "value": w["value"],
                        }
                        for w in page
                        if w.get("value") is not None
                    ]
                    counts["windows"] += len(page)
                    counts["rows"] += len(rows)
                    if rows:
                        yield rows

    return usage_daily


def postgres_credentials(url: str) -> PostgresCredentials:
    """dlt insists on a password; a server with trust (or peer) auth never asks for one, so a URL
    without one gets $PGPASSWORD or a placeholder that is never sent."""
    credentials = PostgresCredentials()
    credentials.parse_native_representation(url)
    if not credentials.password:
        credentials.password = os.environ.get("PGPASSWORD") or "unused-no-password-in-url"
    return credentials


def main() -> None:
    args = parse_args()
    api = Metronome(args.base_url, args.token, args.timeout)
    counts = {"customers": 0, "billable_metrics": 0, "usage_pages": 0, "windows": 0, "rows": 0}
    # A pipeline working directory of its own each run: dlt keeps state there, and the database it
    # loads into may be a new throwaway one each time.
    workdir = Path(tempfile.mkdtemp(prefix="meterbridge-dlt-"))
    try:
        pipeline = dlt.pipeline(
            pipeline_name="meterbridge_peer_usage",
            pipelines_dir=str(workdir),
            destination=dlt.destinations.postgres(credentials=postgres_credentials(args.database_url)),
            dataset_name=args.dataset_name,
            progress="log" if os.environ.get("DLT_PROGRESS") else None,
        )
        start = time.perf_counter()
        load_info = pipeline.run(usage_resource(api, args.start, args.end, counts))
        seconds = time.perf_counter() - start
        load_info.raise_on_failed_jobs()
        stages = {}
        for step in pipeline.last_trace.steps:
            if step.step in ("extract", "normalize", "load") and step.finished_at and step.started_at:
                stages[f"{step.step}_seconds"] = round((step.finished_at - step.started_at).total_seconds(), 3)
        with pipeline.sql_client() as sql:
            table_rows = sql.execute_sql(f"SELECT count(*) FROM {sql.make_qualified_table_name('usage_daily')}")[0][0]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result = {
        "peer": "dlt",
        "version": dlt.__version__,
        "destination": "postgres",
        "write_disposition": "merge",
        "dataset": args.dataset_name,
        "start": args.start.isoformat(),
        "end": args.end.isoformat(),
        **counts,
        "rows_loaded": counts["rows"],
        "table_rows": table_rows,
        "seconds": round(seconds, 3),
        "rows_per_s": round(counts["rows"] / seconds, 1) if seconds > 0 else None,
        "requests": api.requests,
        **stages,
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    sys.exit(main())
