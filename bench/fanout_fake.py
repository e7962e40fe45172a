"""The fan-out benchmark's Slack: the rate-limited fake Web API in its own process, with a summary of what it accepted.

`GET /bench/deliveries` answers how many `chat.postMessage` calls each channel had accepted, how many were refused
with a 429, and when each accepted call arrived (on the machine's monotonic clock): enough to count lost and
duplicated messages and to measure the achieved rate and its gaps, without shipping every call back.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from collections.abc import Callable

from aiohttp import web

from tests.fakes._http import LocalHttpServer
from tests.fakes.slack_api import FakeSlackApi


class CountingSlackApi(FakeSlackApi):
    """The fake Slack Web API plus the summary route."""

    def build_app(self) -> web.Application:
        app = super().build_app()
        app.router.add_get("/bench/deliveries", self._deliveries)
        return app

    async def _deliveries(self, _request: web.Request) -> web.Response:
        accepted: Counter[str] = Counter()
        times: list[float] = []
        for call in self.calls:
            if call.method != "chat.postMessage" or call.status != 200 or call.failed:
                continue
            accepted[str(call.args.get("channel", ""))] += 1
            times.append(call.received_at)
        body = {
            "accepted": dict(accepted),
            "rate_limited": self.rate_limited,
            "calls": len(self.calls),
            "times": sorted(times),
            "now": time.monotonic(),
        }
        return web.json_response(body)


def serve_forever(server: LocalHttpServer, address: Callable[[], str]) -> None:
    """Start `server`, write its address on standard output (the benchmark reads it), and serve until killed."""

    async def serve() -> None:
        async with server:
            sys.stdout.write(f"{address()}\n")
            sys.stdout.flush()
            await asyncio.Event().wait()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-channel", type=float, required=True)
    parser.add_argument("--workspace", type=float, required=True)
    parser.add_argument("--burst", type=float, default=1.0)
    args = parser.parse_args()
    api = CountingSlackApi(
        post_message_per_channel_per_sec=args.per_channel, workspace_per_sec=args.workspace, burst=args.burst
    )
    serve_forever(api, lambda: api.base_url)


if __name__ == "__main__":
    main()
