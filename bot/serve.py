"""`bravo run`: serve Slack and Teams over HTTP when configured, otherwise chat in the terminal."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import sys
from typing import TYPE_CHECKING

from aiohttp import web

from bot.app import build_app
from bot.console.chat import ConsoleChat
from bot.console.demo import DEMO_DEFAULT_PERSON, seed_demo
from bot.runtime import Runtime
from bot.workers import exit_with_parent, extra_workers, is_worker
from handlers.i18n import Translator
from handlers.pulse import send_now
from storage import people as people_store
from storage.models.base import utcnow

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

log = logging.getLogger(__name__)


async def serve_or_chat(runtime: Runtime, *, as_person: str | None, force_console: bool) -> int:
    settings = runtime.settings
    if (settings.slack_enabled or settings.teams_enabled) and not force_console:
        if problem := settings.teams_serving_problem():
            sys.stderr.write(f"bravo: invalid setting {problem}\n")
            return 2
        await serve(runtime)
        return 0
    return await chat(runtime, as_person)


async def serve(runtime: Runtime) -> None:
    """Run the HTTP server until cancelled (with its sibling processes when `BRAVO_WORKERS` > 1)."""
    settings = runtime.settings
    app = build_app(runtime)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port, reuse_port=settings.workers > 1 or None)
    await site.start()
    # What start-up allocated lives as long as the process: keep the cyclic collector from walking it again and
    # again under load (measured: about a tenth of the CPU of a burst of kudos). A request allocates thousands of
    # short-lived objects, almost all freed by reference counting: collecting every 10,000 allocations instead of
    # every 700 cut the collector's time in a burst of 10,000 events from about 0.9 s to 0.3 s.
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    log.info("Bravo listening on %s:%s", settings.host, settings.port)
    socket_mode = await _start_slack_socket_mode(app, runtime)
    try:
        async with extra_workers(settings.workers - 1):
            await _until_stopped()
    finally:
        if socket_mode is not None:
            await socket_mode.close_async()  # type: ignore[no-untyped-call]
        await runner.cleanup()
        log.info("Bravo stopped")


async def _until_stopped() -> None:
    """Until SIGTERM (or Ctrl-C), or in a worker until its first process is gone. SIGTERM is a graceful stop, as
    orchestrators send it before SIGKILL: no new connections, the requests and background work under way end (each
    wait bounded, `bot.stopping`), then the database closes. A second SIGTERM during the stop ends the process."""
    loop = asyncio.get_running_loop()
    asked = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, asked.set)
    waits: set[asyncio.Future[object]] = {asyncio.ensure_future(asked.wait())}
    if is_worker():
        waits.add(asyncio.ensure_future(exit_with_parent()))
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        log.info("stopping: finishing the work under way")
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        for wait in waits:
            wait.cancel()
        await asyncio.gather(*waits, return_exceptions=True)


async def _start_slack_socket_mode(app: web.Application, runtime: Runtime) -> AsyncSocketModeHandler | None:
    """With `SLACK_APP_TOKEN`, Slack's requests arrive over Socket Mode instead of `POST /slack/events`."""
    settings = runtime.settings
    if not (settings.slack_enabled and settings.slack_app_token):
        return None
    from bot.app import INBOX_KEY
    from bot.slack.http import BOLT_APP_KEY
    from bot.slack.socket_mode import start_socket_mode

    return await start_socket_mode(
        app[BOLT_APP_KEY], settings.slack_app_token, app[INBOX_KEY].intake, runtime.policy.kudos_emoji
    )


async def chat(runtime: Runtime, as_person: str | None) -> int:
    """The console: seed the demo organisation on first use, then chat as the chosen person."""
    t = Translator(runtime.policy.language)
    async with runtime.database.transaction() as session:
        if await seed_demo(session, values=runtime.policy.company_values):
            await send_now(session, policy=runtime.policy, now=utcnow())
        matches = await people_store.people_named(session, name=as_person or DEMO_DEFAULT_PERSON)
        if len(matches) != 1:
            everyone = await people_store.all_people(session)
    if len(matches) != 1:
        names = ", ".join(person.display_name for person in (matches or everyone))
        wanted = as_person or DEMO_DEFAULT_PERSON
        if matches:
            problem = t("{name} could be several people: {names}", name=wanted, names=names)
        else:
            problem = t("No one is called {name}. Pick one of: {names}", name=wanted, names=names)
        sys.stderr.write(problem + "\n")
        return 2
    await ConsoleChat(runtime, matches[0], sys.stdin, sys.stdout).run()
    return 0
