"""A local Slack Web API look-alike for integration, resilience and pacing tests.

Point ``slack_sdk``'s ``AsyncWebClient(base_url=api.base_url)`` (or Bolt's client) at it to exercise
Bravo's real Slack code paths without the network, then assert on the recorded calls.

    async with FakeSlackApi() as api:
        client = AsyncWebClient(token="xoxb-test", base_url=api.base_url)
        await client.chat_postMessage(channel="C1", text="hi")
        assert api.calls_to("chat.postMessage")[0].args["text"] == "hi"
"""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar, overload

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

from tests.fakes._http import LocalHttpServer
from tests.fakes.slack_files import UPLOAD_PATH, SlackFiles
from tests.fakes.slack_wire import Call, TokenBucket, auth_error, read_args
from tests.fakes.slack_workspace import JsonDict, SlackWorkspace

ResponseHandler = Callable[[JsonDict], JsonDict | Awaitable[JsonDict]]
H = TypeVar("H", bound=ResponseHandler)

ANY_METHOD = "*"


@dataclass
class _Fault:
    error: str
    status: int
    remaining: int
    retry_after: int | None


class FakeSlackApi(LocalHttpServer):
    """Records every Web API call, answers with realistic defaults, and can inject faults on demand."""

    def __init__(
        self,
        *,
        post_message_per_channel_per_sec: float | None = None,
        workspace_per_sec: float | None = None,
        burst: float = 1.0,
        threaded: bool = False,
    ) -> None:
        """Rate limits are off unless given; ``workspace_per_sec`` caps chat.postMessage across channels.

        Pass ``threaded=True`` when the code under test uses the blocking ``slack_sdk.WebClient`` from the
        test's event loop; overrides then run on the server's own loop.
        """
        super().__init__(threaded=threaded)
        self.workspace = SlackWorkspace()
        self.files = SlackFiles()
        self.workspace.defaults["files.getUploadURLExternal"] = self._get_upload_url
        self.workspace.defaults["files.completeUploadExternal"] = self.files.complete
        self.calls: list[Call] = []
        self.rate_limited = 0
        self._channel_rate = post_message_per_channel_per_sec
        self._workspace_rate = workspace_per_sec
        self._burst = max(1.0, burst)
        self._channel_buckets: dict[str, TokenBucket] = {}
        self._workspace_bucket = TokenBucket(workspace_per_sec, self._burst) if workspace_per_sec else None
        self._faults: dict[str, list[_Fault]] = {}
        self._delays: dict[str, float] = {}
        self._overrides: dict[str, ResponseHandler] = {}

    # -- directory shortcuts -------------------------------------------------------------------

    @property
    def users(self) -> dict[str, JsonDict]:
        """``users.info`` directory keyed by user id; build entries with ``slack_workspace.make_user``."""
        return self.workspace.users

    @property
    def usergroups(self) -> dict[str, list[str]]:
        """``usergroups.users.list`` data: usergroup id -> member user ids."""
        return self.workspace.usergroups

    @property
    def channel_members(self) -> dict[str, list[str]]:
        """``conversations.members`` data: channel id -> member user ids (paginated by ``limit``)."""
        return self.workspace.channel_members

    @property
    def base_url(self) -> str:
        """Value for ``AsyncWebClient(base_url=...)``; ends in ``/api/`` like the real one."""
        return f"{self.origin}/api/"

    # -- inspection ----------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        """Calls received for one API method, in arrival order."""
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until ``count`` calls of ``method`` have arrived; fails with what was received instead."""

        def describe() -> str:
            seen = [(c.method, c.args) for c in self.calls]
            got = len(self.calls_to(method))
            return f"expected {count} {method} call(s) within {timeout}s, got {got}; all calls so far: {seen!r}"

        await self.wait_until(lambda: len(self.calls_to(method)) >= count, timeout, describe)
        return self.calls_to(method)

    def reset(self) -> None:
        """Forget calls, faults, delays, overrides and rate-limit state (for shared fixtures)."""
        self.calls.clear()
        self.rate_limited = 0
        self._faults.clear()
        self._delays.clear()
        self._overrides.clear()
        self._channel_buckets.clear()
        if self._workspace_rate:
            self._workspace_bucket = TokenBucket(self._workspace_rate, self._burst)

    # -- behaviour knobs -----------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        error: str = "channel_not_found",
        status: int = 200,
        times: int = 1,
        retry_after: int | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (or ``"*"``) fail; 429s get ``Retry-After: 1`` by default."""
        if status == 429 and retry_after is None:
            retry_after = 1
        self._faults.setdefault(method, []).append(_Fault(error, status, times, retry_after))

    def delay(self, method: str, seconds: float) -> None:
        """Stall responses to ``method`` (or ``"*"``) for ``seconds``; 0 removes the delay."""
        if seconds > 0:
            self._delays[method] = seconds
        else:
            self._delays.pop(method, None)

    @overload
    def responses_for(self, method: str) -> Callable[[H], H]: ...

    @overload
    def responses_for(self, method: str, handler: H) -> H: ...

    def responses_for(self, method: str, handler: H | None = None) -> H | Callable[[H], H]:
        """Replace a method's response with ``handler(args) -> dict`` (sync or async); usable as a decorator."""
        if handler is not None:
            self._overrides[method] = handler
            return handler

        def register(fn: H) -> H:
            self._overrides[method] = fn
            return fn

        return register

    def clear_response(self, method: str) -> None:
        """Drop a ``responses_for`` override so the default response is used again."""
        self._overrides.pop(method, None)

    def default_response(self, method: str, args: JsonDict) -> JsonDict:
        """The built-in response, handy inside an override that only tweaks it."""
        return self.workspace.respond(method, args)

    # -- HTTP ----------------------------------------------------------------------------------

    def build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle)
        app.router.add_post(UPLOAD_PATH, self._upload)
        return app

    def _get_upload_url(self, args: JsonDict) -> JsonDict:
        self.files.origin = self.origin
        return self.files.get_upload_url(args)

    async def _upload(self, request: web.Request) -> web.Response:
        """Step 2 of files_upload_v2: the file's bytes, posted to the URL step 1 gave (no token needed)."""
        file_id = request.match_info["file_id"]
        data = await request.read()
        call = Call("upload", {"file_id": file_id, "length": len(data)}, CIMultiDictProxy(CIMultiDict(request.headers)))
        self.calls.append(call)
        accepted = self.files.receive(file_id, data)
        call.status, call.failed = (200, False) if accepted else (400, True)
        self.notify_changed()
        return web.Response(status=call.status, text="OK" if accepted else "bad upload")

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call = Call(method, await read_args(request), CIMultiDictProxy(CIMultiDict(request.headers)), request.method)
        call.peer = request.transport.get_extra_info("peername") if request.transport else None
        self.calls.append(call)
        self.notify_changed()
        await self.stall(self._delays.get(method, self._delays.get(ANY_METHOD, 0.0)))
        status, headers, body = await self._decide(call)
        call.status, call.response, call.failed = status, body, not body.get("ok", False)
        self.notify_changed()
        return web.json_response(body, status=status, headers=headers)

    async def _decide(self, call: Call) -> tuple[int, dict[str, str], JsonDict]:
        refused = auth_error(call)
        if refused is not None:
            return 200, {}, {"ok": False, "error": refused}
        fault = self._take_fault(call.method)
        if fault is not None:
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            return fault.status, headers, {"ok": False, "error": fault.error}
        retry_after = self._rate_limit(call)
        if retry_after is not None:
            self.rate_limited += 1
            return 429, {"Retry-After": str(retry_after)}, {"ok": False, "error": "ratelimited"}
        override = self._overrides.get(call.method)
        if override is None:
            return 200, {}, self.workspace.respond(call.method, call.args)
        result = override(call.args)
        body = await result if inspect.isawaitable(result) else result
        return 200, {}, {"ok": True, **body}

    def _take_fault(self, method: str) -> _Fault | None:
        for key in (method, ANY_METHOD):
            queue = self._faults.get(key)
            if queue:
                fault = queue[0]
                fault.remaining -= 1
                if fault.remaining <= 0:
                    queue.pop(0)
                return fault
        return None

    def _rate_limit(self, call: Call) -> int | None:
        """Return a Retry-After (whole seconds, >= 1) when chat.postMessage exceeds the configured rates."""
        if call.method != "chat.postMessage" or not (self._channel_rate or self._workspace_bucket):
            return None
        now = time.monotonic()
        buckets: list[TokenBucket] = []
        if self._channel_rate:
            channel = str(call.args.get("channel", ""))
            bucket = self._channel_buckets.get(channel)
            if bucket is None:
                bucket = self._channel_buckets[channel] = TokenBucket(self._channel_rate, self._burst)
            buckets.append(bucket)
        if self._workspace_bucket is not None:
            buckets.append(self._workspace_bucket)
        wait = max(b.wait_time(now) for b in buckets)
        if wait > 0:
            return max(1, math.ceil(wait))
        for b in buckets:
            b.consume()
        return None
