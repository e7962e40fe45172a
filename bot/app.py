"""The one aiohttp application: Slack events, Teams activities, health, metrics and the privacy and terms pages on
one port."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from bot.inbox_intake import Inbox
from bot.legal import mount_legal
from bot.metrics import METRICS_KEY, install_metrics
from bot.platforms import link_directory, outbox_worker, platform_senders
from bot.runtime import Runtime
from scheduler.outbox_worker import OutboxWorker
from scheduler.stopping import end_tasks

log = logging.getLogger(__name__)

RUNTIME_KEY = web.AppKey("runtime", Runtime)
WORKER_KEY = web.AppKey("outbox_worker", OutboxWorker)
INBOX_KEY = web.AppKey("inbox", Inbox)
# Slack's and Teams' real payloads stay well under 100 KiB; anything larger is refused (413) before it is parsed.
MAX_BODY_BYTES = 256 * 1024


async def healthz(request: web.Request) -> web.Response:
    """200 once the database answers, 503 otherwise (load balancers take the replica out)."""
    runtime = request.app[RUNTIME_KEY]
    if await runtime.database.ping():
        return web.json_response({"status": "ok"})
    return web.json_response({"status": "database unreachable"}, status=503)


def build_app(runtime: Runtime, *, background: bool = True) -> web.Application:
    """Routes for the platforms that are configured; each adapter mounts its own.

    `background=False` leaves the outbox worker and the scheduler stopped, for tests that drain them themselves;
    the inbox worker always runs, since acknowledged events are processed only by it.
    """
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[RUNTIME_KEY] = runtime
    worker = outbox_worker(runtime, platform_senders(runtime))
    app[WORKER_KEY] = worker
    inbox = Inbox.open(runtime.database, max_attempts=runtime.settings.inbox_max_attempts)
    app[INBOX_KEY] = inbox
    # A burst of events is acknowledged and counted before its notifications go out.
    worker.incoming += [inbox.intake.backlogged, inbox.worker.backlogged]
    app.router.add_get("/healthz", healthz)
    install_metrics(app, runtime.database)
    mount_legal(app, runtime.policy)
    if runtime.settings.slack_enabled:
        from bot.slack.http import mount_slack

        mount_slack(app, runtime, worker, inbox)
    if runtime.settings.teams_enabled:
        from bot.teams.http import mount_teams

        mount_teams(app, runtime, worker)
    app.cleanup_ctx.append(_run_inbox_worker)
    if background:
        app.cleanup_ctx.append(_run_outbox_worker)
        app.cleanup_ctx.append(_run_scheduler)
        app.cleanup_ctx.append(_link_directory)
    return app


async def _run_outbox_worker(app: web.Application) -> AsyncIterator[None]:
    """Deliver the outbox for as long as the server runs; at the stop, the deliveries under way end and are
    recorded (within `scheduler.stopping.STOP_SECONDS`)."""
    worker = app[WORKER_KEY]
    task = asyncio.create_task(worker.run_forever(), name="outbox-worker")
    yield
    worker.stop()
    await end_tasks({task}, what="outbox worker")
    await worker.aclose()


async def _run_inbox_worker(app: web.Application) -> AsyncIterator[None]:
    """Process stored events (`scheduler.inbox_worker`) for as long as the server runs."""
    inbox = app[INBOX_KEY]
    if not inbox.worker.processors:
        yield
        return
    task = asyncio.create_task(inbox.worker.run_forever(), name="inbox-worker")
    yield
    inbox.worker.stop()  # ends after the pass under way, handing back what it leased
    await end_tasks({task}, what="inbox worker")


async def _link_directory(app: web.Application) -> AsyncIterator[None]:
    """Link directory people to their platform accounts in the background, so start-up is never held up."""
    task = asyncio.create_task(link_directory(app[RUNTIME_KEY]), name="link-directory")
    yield
    await end_tasks({task}, what="linking the directory")
    if task.done() and not task.cancelled() and task.exception() is not None:
        log.warning("linking the directory failed: %r", task.exception())


async def _run_scheduler(app: web.Application) -> AsyncIterator[None]:
    """Digests, the leaderboard and pulse jobs (APScheduler), started with the server and stopped with it."""
    from scheduler.jobs import ScheduledJobs
    from scheduler.service import build_scheduler

    runtime = app[RUNTIME_KEY]
    config = runtime.settings.scheduler_config()
    jobs = ScheduledJobs(
        runtime.database, config, runtime.policy, on_queued=app[WORKER_KEY].wake, on_run=app[METRICS_KEY].job_ran
    )
    scheduler = build_scheduler(jobs, config)
    scheduler.start()
    yield
    await scheduler.stop()
