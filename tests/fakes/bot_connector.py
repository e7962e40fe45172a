"""A local Bot Framework Connector (Teams ``serviceUrl``) look-alike.

Routes mirror botframework-connector's ``ConversationsOperations`` and ``TeamsOperations`` metadata URLs,
so Bravo's real botbuilder code can post, reply, update and read rosters against it. Use the
``service_url`` as the incoming activity's ``serviceUrl`` and assert on what the bot sent.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

from tests.fakes._http import LocalHttpServer

JsonDict = dict[str, Any]

WRITE_OPERATIONS = frozenset({"create", "send", "reply", "update", "delete", "history"})
_DELIVERY = frozenset({"create", "send", "reply"})
_ERROR_CODES = {
    400: "BadArgument",
    401: "Unauthorized",
    403: "ConversationBlockedByUser",
    404: "ConversationNotFound",
    412: "PreconditionFailed",
    429: "Throttled",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
}


@dataclass
class ConnectorRequest:
    """One request to the connector; ``operation`` names the ConversationsOperations/TeamsOperations call."""

    operation: str
    conversation_id: str | None
    activity_id: str | None
    body: Any
    headers: Mapping[str, str]
    status: int = 0
    failed: bool = False

    @property
    def activity(self) -> JsonDict | None:
        """The activity carried by this request (the initial one for ``create``)."""
        payload = self.body.get("activity") if self.operation == "create" and isinstance(self.body, dict) else self.body
        return payload if isinstance(payload, dict) else None


@dataclass
class _Fault:
    status: int
    remaining: int
    retry_after: int | None
    code: str
    operations: frozenset[str] = field(default_factory=lambda: WRITE_OPERATIONS)


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return text  # recorded verbatim so a test can see the bot sent garbage


def _error(status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status, headers=headers)


class FakeBotConnector(LocalHttpServer):
    """Records outgoing activities, serves rosters and team info, and injects throttling/blocking faults."""

    def __init__(self, *, require_auth: bool = False, threaded: bool = True) -> None:
        """``require_auth`` rejects requests lacking ``Authorization: Bearer ...`` with 401, as Azure does.

        Threaded by default because botbuilder's ``TeamsInfo.get_team_details``/``get_team_channels`` make
        blocking HTTP calls from the bot's event loop, which would deadlock a server sharing that loop.
        """
        super().__init__(threaded=threaded)
        self.require_auth = require_auth
        self.members: list[JsonDict] = []
        self.teams: dict[str, JsonDict] = {}
        self.team_channels: dict[str, list[JsonDict]] = {}
        self.blocked: set[str] = set()  # conversation ids, or member ids/aadObjectIds refused by create
        self.records: list[ConnectorRequest] = []
        self._ids = itertools.count(1)
        self._faults: list[_Fault] = []

    @property
    def service_url(self) -> str:
        """The ``serviceUrl`` to put in incoming activities (ends with ``/`` like Teams' own)."""
        return f"{self.origin}/"

    @property
    def activities(self) -> list[JsonDict]:
        """Activities successfully delivered by send, reply or create, in order; see ``records`` for the rest."""
        return [a for r in self.records if r.operation in _DELIVERY and not r.failed and (a := r.activity)]

    @property
    def updates(self) -> list[ConnectorRequest]:
        """Successful ``update_activity`` (PUT) requests."""
        return [r for r in self.records if r.operation == "update" and not r.failed]

    @property
    def created_conversations(self) -> list[ConnectorRequest]:
        """Successful ``create_conversation`` requests; ``conversation_id`` is the new ``a:new-<n>`` id."""
        return [r for r in self.records if r.operation == "create" and not r.failed]

    def activities_in(self, conversation_id: str) -> list[JsonDict]:
        """Delivered activities addressed to one conversation."""
        return [
            a
            for r in self.records
            if r.operation in _DELIVERY and not r.failed and r.conversation_id == conversation_id and (a := r.activity)
        ]

    async def wait_for_activities(self, count: int, timeout: float = 5.0) -> list[JsonDict]:
        """Wait until ``count`` activities were delivered; fails listing every request seen so far."""

        def describe() -> str:
            seen = [(r.operation, r.conversation_id, r.status, r.body) for r in self.records]
            return f"expected {count} activities within {timeout}s, got {len(self.activities)}; requests: {seen!r}"

        await self.wait_until(lambda: len(self.activities) >= count, timeout, describe)
        return self.activities

    def fail_next(
        self,
        status: int = 429,
        times: int = 1,
        retry_after: int | None = None,
        *,
        code: str | None = None,
        operations: Iterable[str] = WRITE_OPERATIONS,
    ) -> None:
        """Fail the next ``times`` matching requests (writes by default) with ``status``; 403 means blocked."""
        code = code or _ERROR_CODES.get(status, "ServiceError")
        self._faults.append(_Fault(status, times, retry_after, code, frozenset(operations)))

    def build_app(self) -> web.Application:
        app = web.Application()
        r = app.router
        r.add_post("/v3/conversations", self._create)
        r.add_get("/v3/conversations", self._conversations)
        r.add_post("/v3/conversations/{cid}/activities/history", self._send_history)
        r.add_post("/v3/conversations/{cid}/activities", self._send)
        r.add_post("/v3/conversations/{cid}/activities/{aid}", self._reply)
        r.add_put("/v3/conversations/{cid}/activities/{aid}", self._update)
        r.add_delete("/v3/conversations/{cid}/activities/{aid}", self._delete)
        r.add_get("/v3/conversations/{cid}/activities/{aid}/members", self._members)
        r.add_get("/v3/conversations/{cid}/members", self._members)
        r.add_get("/v3/conversations/{cid}/members/{mid}", self._member)
        r.add_get("/v3/conversations/{cid}/pagedmembers", self._paged_members)
        r.add_get("/v3/teams/{tid}", self._team)
        r.add_get("/v3/teams/{tid}/conversations", self._team_channels)
        return app

    async def _begin(self, request: web.Request, operation: str) -> tuple[ConnectorRequest, web.Response | None]:
        """Record the request and return an error response if auth, faults or blocking reject it."""
        body = _parse_json(await request.text()) if request.can_read_body else None
        cid = request.match_info.get("cid")
        record = ConnectorRequest(
            operation, cid, request.match_info.get("aid"), body, CIMultiDictProxy(CIMultiDict(request.headers))
        )
        self.records.append(record)
        failure: web.Response | None = None
        if self.require_auth and not request.headers.get("Authorization", "").startswith("Bearer "):
            failure = web.json_response({"message": "Authorization has been denied for this request."}, status=401)
        elif (fault := self._take_fault(operation)) is not None:
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else None
            failure = _error(fault.status, fault.code, f"Injected {fault.status} fault", headers)
        elif operation in WRITE_OPERATIONS and self._is_blocked(cid, body if operation == "create" else None):
            failure = _error(403, "ConversationBlockedByUser", "User blocked the conversation with the bot.")
        if failure is not None:
            self._finish(record, failure.status)
        return record, failure

    def _finish(self, record: ConnectorRequest, status: int) -> None:
        record.status, record.failed = status, status >= 400
        self.notify_changed()

    def _take_fault(self, operation: str) -> _Fault | None:
        for fault in self._faults:
            if operation in fault.operations:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _is_blocked(self, cid: str | None, create_params: Any) -> bool:
        if cid is not None and cid in self.blocked:
            return True
        members = (create_params.get("members") or []) if isinstance(create_params, dict) else []
        return any({m.get("id"), m.get("aadObjectId")} & self.blocked for m in members if isinstance(m, dict))

    def _new_activity_id(self) -> str:
        return str(1700000000000 + next(self._ids))

    async def _respond(self, request: web.Request, operation: str, payload: Any, status: int = 200) -> web.Response:
        record, failure = await self._begin(request, operation)
        if failure is not None:
            return failure
        self._finish(record, status)
        return web.json_response(payload, status=status)

    async def _create(self, request: web.Request) -> web.Response:
        record, failure = await self._begin(request, "create")
        if failure is not None:
            return failure
        record.conversation_id = f"a:new-{next(self._ids)}"
        record.activity_id = self._new_activity_id()
        self._finish(record, 201)
        payload = {"id": record.conversation_id, "activityId": record.activity_id, "serviceUrl": self.service_url}
        return web.json_response(payload, status=201)

    async def _send(self, request: web.Request) -> web.Response:
        record, failure = await self._begin(request, "send")
        if failure is not None:
            return failure
        record.activity_id = self._new_activity_id()
        self._finish(record, 201)
        return web.json_response({"id": record.activity_id}, status=201)

    async def _reply(self, request: web.Request) -> web.Response:
        record, failure = await self._begin(request, "reply")
        if failure is not None:
            return failure
        record.activity_id = self._new_activity_id()  # the replied-to id stays in body["replyToId"]
        self._finish(record, 201)
        return web.json_response({"id": record.activity_id}, status=201)

    async def _send_history(self, request: web.Request) -> web.Response:
        return await self._respond(request, "history", {"id": self._new_activity_id()}, 201)

    async def _update(self, request: web.Request) -> web.Response:
        return await self._respond(request, "update", {"id": request.match_info["aid"]})

    async def _delete(self, request: web.Request) -> web.Response:
        record, failure = await self._begin(request, "delete")
        if failure is not None:
            return failure
        self._finish(record, 200)
        return web.Response(status=200)

    async def _conversations(self, request: web.Request) -> web.Response:
        return await self._respond(request, "conversations", {"conversations": [], "continuationToken": None})

    async def _members(self, request: web.Request) -> web.Response:
        return await self._respond(request, "members", self.members)

    async def _member(self, request: web.Request) -> web.Response:
        wanted = request.match_info["mid"]
        keys = ("id", "aadObjectId", "userPrincipalName")
        member = next((m for m in self.members if wanted in (m.get(k) for k in keys)), None)
        if member is None:
            record, failure = await self._begin(request, "member")
            if failure is not None:
                return failure
            self._finish(record, 404)
            return _error(404, "MemberNotFoundInConversation", "The member was not found in the conversation.")
        return await self._respond(request, "member", member)

    async def _paged_members(self, request: web.Request) -> web.Response:
        size = int(request.query.get("pageSize") or 200)
        token = request.query.get("continuationToken")
        start = int(base64.b64decode(token).decode()) if token else 0
        end = start + size
        next_token = base64.b64encode(str(end).encode()).decode() if end < len(self.members) else None
        payload = {"members": self.members[start:end], "continuationToken": next_token}
        return await self._respond(request, "pagedmembers", payload)

    async def _team(self, request: web.Request) -> web.Response:
        tid = request.match_info["tid"]
        details = self.teams.get(
            tid, {"id": tid, "name": "Acme Team", "aadGroupId": "00000000-0000-0000-0000-00000000a11d"}
        )
        return await self._respond(request, "team", details)

    async def _team_channels(self, request: web.Request) -> web.Response:
        tid = request.match_info["tid"]
        channels = self.team_channels.get(tid, [{"id": tid, "name": None}])  # General shares the team's id
        return await self._respond(request, "channels", {"conversations": channels})
