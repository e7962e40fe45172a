"""`POST /api/messages`: Bot Framework activities from Teams, authenticated, processed by the Teams bot.

A request without a well-formed bearer token signed the way Microsoft signs (RS256, with a key id) is refused (401)
before botbuilder sees it, so a stray or hostile request never makes Bravo fetch Microsoft's signing keys;
botbuilder then validates the token itself, with keys fetched off the event loop (`signing_keys`).
"""

from __future__ import annotations

import codecs
import json
import logging

import jwt
import requests
from aiohttp import web
from botbuilder.core import serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity

from bot.runtime import Runtime
from bot.teams.bot import BravoTeamsBot
from bot.teams.lookups import MemberLookups
from bot.teams.pacing import Pacer
from bot.teams.sender import TeamsSender
from scheduler.outbox_worker import OutboxWorker

log = logging.getLogger(__name__)
TEAMS_BOT_KEY = web.AppKey("teams_bot", BravoTeamsBot)

MESSAGES_PATH = "/api/messages"
SIGNING_ALGORITHM = "RS256"  # the only one botframework-connector verifies Bot Framework tokens with


def well_formed_bearer(header: str) -> bool:
    """`Bearer <JWT>` whose header and claims decode, signed with RS256 and naming its key, as Microsoft's tokens
    are (the signature itself is botbuilder's to check)."""
    scheme, _, token = header.partition(" ")
    if scheme != "Bearer" or not token.strip():
        return False
    try:
        headers = jwt.get_unverified_header(token.strip())
        jwt.decode(token.strip(), options={"verify_signature": False})
    except jwt.PyJWTError:
        return False
    kid = headers.get("kid")
    return headers.get("alg") == SIGNING_ALGORITHM and isinstance(kid, str) and bool(kid)


async def json_body(request: web.Request) -> tuple[object, web.Response | None]:
    """The request's JSON, or the 4xx answer for a body that is not JSON Bravo can read: an unknown charset (415),
    bytes that are not in it or not JSON, or JSON nested too deeply to parse (400)."""
    raw = await request.read()
    charset = request.charset or "utf-8"
    try:
        codecs.lookup(charset)
    except LookupError:
        return None, web.json_response({"error": f"unsupported charset {charset[:40]!r}"}, status=415)
    try:
        return json.loads(raw.decode(charset)), None
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None, web.json_response({"error": "malformed JSON"}, status=400)


def readable_activity(body: object) -> Activity | None:
    """The activity in a JSON body, or None when it is not one Bravo can read or answer (a list, a string where an
    object belongs, no sender or conversation): such a body cannot come from Teams and is refused with 400."""
    if not isinstance(body, dict):
        return None
    try:
        activity = Activity().deserialize(body)
    except Exception as error:  # noqa: BLE001 - msrest raises its own DeserializationError and plain TypeErrors
        log.info("Teams request refused: unreadable activity (%s)", type(error).__name__)
        return None
    if not isinstance(activity, Activity) or not answerable(activity):
        return None
    return activity


def answerable(activity: Activity) -> bool:
    """Teams always says who sent an activity, in which conversation and where to answer."""
    sender, conversation = activity.from_property, activity.conversation
    return bool(
        sender is not None
        and isinstance(sender.id, str)
        and sender.id
        and conversation is not None
        and isinstance(conversation.id, str)
        and conversation.id
        and isinstance(activity.service_url, str)
        and activity.service_url
    )


class TeamsEndpoint:
    """Authenticates, then runs the activity through the adapter (what `CloudAdapter.process` does, in two steps).

    Splitting authentication from the turn lets every way a token can be wrong (forged, expired, unknown key,
    malformed, or signed by a key that cannot be fetched in time) answer 401, and a failing turn answer 500 so
    Teams delivers the activity again.
    """

    def __init__(self, adapter: CloudAdapter, bot: BravoTeamsBot, *, authenticated: bool) -> None:
        self.adapter = adapter
        self.bot = bot
        self.authenticated = authenticated

    async def handle(self, request: web.Request) -> web.StreamResponse:
        header = request.headers.get("Authorization", "")
        if self.authenticated and not well_formed_bearer(header):
            return web.json_response({"error": "unauthorized"}, status=401)
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.json_response({"error": "expected application/json"}, status=415)
        body, refusal = await json_body(request)
        if refusal is not None:
            return refusal
        activity = readable_activity(body)
        if activity is None or not activity.type:
            return web.json_response({"error": "not an activity"}, status=400)
        try:
            identity = await self.adapter.bot_framework_authentication.authenticate_request(activity, header)
        except PermissionError as error:
            log.info("Teams activity refused: %s", error)
            return web.json_response({"error": "unauthorized"}, status=401)
        except (OSError, requests.RequestException):
            log.warning("cannot reach Microsoft to check a Teams token", exc_info=True)
            return web.json_response({"error": "cannot verify the token now"}, status=503)
        except Exception as error:  # noqa: BLE001 - any token botbuilder cannot validate is unauthorized
            log.info("Teams activity refused: %r", error)
            return web.json_response({"error": "unauthorized"}, status=401)
        try:
            invoke = await self.adapter.process_activity(identity, activity, self.bot.on_turn)
        except Exception:  # noqa: BLE001 - logged; a 500 makes Teams deliver the activity again
            log.exception("Teams activity %s failed", activity.id)
            return web.json_response({"error": "internal error"}, status=500)
        if invoke is None:
            return web.Response(status=201)
        body = (
            invoke.body
            if invoke.body is None or isinstance(invoke.body, dict | list)
            else serializer_helper(invoke.body)
        )
        return web.json_response(data=body, status=invoke.status)


def mount_teams(app: web.Application, runtime: Runtime, worker: OutboxWorker) -> None:
    """Add `POST /api/messages`; the bot shares the outbox sender's adapter and pacer (one pace per conversation)."""
    settings = runtime.settings
    sender = worker.senders.get("teams")
    if isinstance(sender, TeamsSender):
        adapter, pacer = sender.adapter, sender.pacer
    else:
        sender = TeamsSender(runtime)
        adapter, pacer = sender.adapter, Pacer()
    authenticated = not settings.teams_auth_disabled
    if not authenticated:
        log.warning(
            "Teams endpoint %s accepts UNAUTHENTICATED activities (TEAMS_ALLOW_UNAUTHENTICATED=true, no "
            "MICROSOFT_APP_ID): for local development only",
            MESSAGES_PATH,
        )
    lookups = MemberLookups(adapter, settings.microsoft_app_id)
    bot = BravoTeamsBot(runtime, pacer=pacer, wake=worker.wake, lookups=lookups)
    app[TEAMS_BOT_KEY] = bot
    app.on_cleanup.append(lambda _app: bot.enricher.stop())
    endpoint = TeamsEndpoint(adapter, bot, authenticated=authenticated)
    app.router.add_post(MESSAGES_PATH, endpoint.handle)
