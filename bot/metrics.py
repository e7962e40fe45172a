"""Prometheus metrics: requests by route and status, time to answer, outbox depth and failures, events inbox depth
and parked events, scheduler runs.

Each application owns its registry, so tests and several apps in one process never share counters. Job runs are
counted through the scheduler's `on_run` hook (the scheduler knows nothing of Prometheus); scheduled posts are read
from their claims at scrape time, so every replica reports the same totals. When the database cannot be read,
`/metrics` still answers, with `bravo_database_up 0` and the database-derived gauges at their last values: the moment
an operator most needs the other numbers is when the database is down.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from storage import inbox, outbox
from storage import schedule as schedule_store
from storage.db import Database

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 3.0, 5.0)
DATABASE_READ_SECONDS = 5.0  # a scrape must not hang on a database that does not answer

log = logging.getLogger(__name__)


class Metrics:
    """The counters one application exposes at `GET /metrics`."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "bravo_http_requests", "HTTP requests answered", ["route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "bravo_http_ack_seconds",
            "Time from request to answer (Slack wants under 3 s)",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.outbox_pending = Gauge("bravo_outbox_pending", "Deliveries waiting to be sent", registry=self.registry)
        self.outbox_failed = Gauge("bravo_outbox_failed", "Deliveries that failed for good", registry=self.registry)
        self.outbox_sent = Gauge("bravo_outbox_sent", "Deliveries sent", registry=self.registry)
        self.outbox_held = Gauge(
            "bravo_outbox_held", "Deliveries held until `bravo outbox retry` (token refused)", registry=self.registry
        )
        self.database_up = Gauge(
            "bravo_database_up", "1 when this scrape could read the database, else 0", registry=self.registry
        )
        self.inbox_pending = Gauge(
            "bravo_inbox_pending", "Stored events waiting to be processed", registry=self.registry
        )
        self.inbox_parked = Gauge(
            "bravo_inbox_parked", "Stored events parked after failing too often", registry=self.registry
        )
        self.job_runs = Counter(
            "bravo_job_runs", "Scheduler job runs in this process", ["job", "outcome"], registry=self.registry
        )
        self.job_last_run = Gauge(
            "bravo_job_last_run_timestamp_seconds", "When each job last ran here", ["job"], registry=self.registry
        )
        self.scheduled_posts = Gauge(
            "bravo_scheduled_posts",
            "Scheduled posts and daily jobs by kind and status",
            ["kind", "status"],
            registry=self.registry,
        )

    def job_ran(self, job: str, outcome: str) -> None:
        """The scheduler's `on_run` hook."""
        self.job_runs.labels(job=job, outcome=outcome).inc()
        self.job_last_run.labels(job=job).set(time.time())

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Count every request by its route pattern (never the raw path, which would explode the label set)."""
        started = time.perf_counter()
        route = request.match_info.route.resource.canonical if request.match_info.route.resource else "unmatched"
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as error:
            status = error.status
            raise
        finally:
            self.requests.labels(route=route, status=str(status)).inc()
            self.latency.labels(route=route).observe(time.perf_counter() - started)

    async def render(self, database: Database) -> bytes:
        """The exposition; the database part is read with a time limit, and its failure is reported, not raised."""
        try:
            await asyncio.wait_for(self._read_database(database), DATABASE_READ_SECONDS)
        except Exception as error:  # noqa: BLE001 - whatever the cause, the database is down for this scrape
            log.warning("metrics: the database could not be read: %s", str(error) or type(error).__name__)
            self.database_up.set(0)
        else:
            self.database_up.set(1)
        return bytes(generate_latest(self.registry))

    async def _read_database(self, database: Database) -> None:
        async with database.sessions() as session:
            counts = await outbox.stats(session)
            claims = await schedule_store.claim_counts(session)
            events = await inbox.stats(session)
        self.scheduled_posts.clear()  # a claim that moved on (queued -> sent) must not leave its old label behind
        for (kind, status), total in claims.items():
            self.scheduled_posts.labels(kind=kind, status=status).set(total)
        self.outbox_pending.set(counts.pending)
        self.outbox_failed.set(counts.failed)
        self.outbox_sent.set(counts.sent)
        self.outbox_held.set(counts.held)
        self.inbox_pending.set(events.pending)
        self.inbox_parked.set(events.parked)


METRICS_KEY = web.AppKey("metrics", Metrics)


def install_metrics(app: web.Application, database: Database) -> Metrics:
    """Add the middleware and the `GET /metrics` route."""
    metrics = Metrics()
    app[METRICS_KEY] = metrics
    app.middlewares.append(metrics.middleware)

    async def serve_metrics(_request: web.Request) -> web.Response:
        body = await metrics.render(database)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/metrics", serve_metrics)
    return metrics
