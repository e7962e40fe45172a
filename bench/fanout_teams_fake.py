"""The fan-out benchmark's Teams: a Bot Connector in its own process that enforces Teams' rates Bravo is not told.

Each conversation accepts about 7 messages a second and the tenant (the `tenantId` of the activity's conversation)
about 30, with a burst; beyond either, the connector answers `429` with `Retry-After`, as Teams does.
`GET /bench/deliveries` answers how many messages each conversation accepted, how many were refused with a 429,
and when each accepted message arrived (on the machine's monotonic clock).
"""

from __future__ import annotations

import argparse
import math
import time
from collections import Counter
from typing import Any

from aiohttp import web

from bench.fanout_fake import serve_forever
from tests.fakes.bot_connector import ConnectorRequest, FakeBotConnector, _error
from tests.fakes.slack_wire import TokenBucket

DELIVERIES = frozenset({"send", "reply", "create"})


class LimitedConnector(FakeBotConnector):
    """The fake Bot Connector with per-conversation and per-tenant token buckets, and the summary route."""

    def __init__(self, *, per_conversation: float, per_tenant: float, burst: float) -> None:
        super().__init__(threaded=False)
        self.per_conversation, self.per_tenant, self.burst = per_conversation, per_tenant, burst
        self._conversation_buckets: dict[str, TokenBucket] = {}
        self._tenant_buckets: dict[str, TokenBucket] = {}
        self.rate_limited = 0
        self.accepted: Counter[str] = Counter()
        self.times: list[float] = []

    def build_app(self) -> web.Application:
        app = super().build_app()
        app.router.add_get("/bench/deliveries", self._deliveries)
        return app

    async def _begin(self, request: web.Request, operation: str) -> tuple[ConnectorRequest, web.Response | None]:
        record, failure = await super()._begin(request, operation)
        if failure is not None or operation not in DELIVERIES:
            return record, failure
        wait = self._throttle(record)
        if wait > 0:
            self.rate_limited += 1
            self._finish(record, 429)
            return record, _error(429, "Throttled", "Too many requests", {"Retry-After": str(max(1, math.ceil(wait)))})
        self.accepted[record.conversation_id or ""] += 1
        self.times.append(time.monotonic())
        return record, None

    def _throttle(self, record: ConnectorRequest) -> float:
        """Seconds until this message would fit both buckets (0: it fits now, and is counted)."""
        activity = record.activity or {}
        tenant = str((activity.get("conversation") or {}).get("tenantId") or "")
        buckets = [
            self._bucket(self._conversation_buckets, record.conversation_id or "", self.per_conversation),
            self._bucket(self._tenant_buckets, tenant, self.per_tenant),
        ]
        now = time.monotonic()
        wait = max(bucket.wait_time(now) for bucket in buckets)
        if wait <= 0:
            for bucket in buckets:
                bucket.consume()
        return wait

    def _bucket(self, table: dict[str, TokenBucket], key: str, rate: float) -> TokenBucket:
        bucket = table.get(key)
        if bucket is None:
            bucket = table[key] = TokenBucket(rate, self.burst)
        return bucket

    async def _deliveries(self, _request: web.Request) -> web.Response:
        body: dict[str, Any] = {
            "accepted": dict(self.accepted),
            "rate_limited": self.rate_limited,
            "calls": len(self.records),
            "times": sorted(self.times),
        }
        return web.json_response(body)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-conversation", type=float, required=True)
    parser.add_argument("--per-tenant", type=float, required=True)
    parser.add_argument("--burst", type=float, default=1.0)
    args = parser.parse_args()
    connector = LimitedConnector(per_conversation=args.per_conversation, per_tenant=args.per_tenant, burst=args.burst)
    serve_forever(connector, lambda: connector.service_url)


if __name__ == "__main__":
    main()
