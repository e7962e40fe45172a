"""The one aiohttp application: Slack events, Teams activities, health and metrics on one port."""

from __future__ import annotations

from aiohttp import web

from bot.runtime import Runtime

RUNTIME_KEY = web.AppKey("runtime", Runtime)


async def healthz(request: web.Request) -> web.Response:
    """200 once the database answers, 503 otherwise (load balancers take the replica out)."""
    runtime = request.app[RUNTIME_KEY]
    if await runtime.database.ping():
        return web.json_response({"status": "ok"})
    return web.json_response({"status": "database unreachable"}, status=503)


def build_app(runtime: Runtime) -> web.Application:
    """Routes for the platforms that are configured; each adapter mounts its own."""
    app = web.Application(client_max_size=1024 * 1024)
    app[RUNTIME_KEY] = runtime
    app.router.add_get("/healthz", healthz)
    return app
