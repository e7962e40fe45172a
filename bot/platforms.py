"""Which platform adapters are on, and their senders for the outbox worker."""

from __future__ import annotations

from collections.abc import Mapping

from bot.runtime import Runtime
from scheduler.outbox_worker import OutboxWorker
from scheduler.sending import Sender


def platform_senders(runtime: Runtime) -> dict[str, Sender]:
    """A sender for each configured platform; imported lazily so an unused SDK is never loaded."""
    senders: dict[str, Sender] = {}
    if runtime.settings.slack_enabled:
        from bot.slack.sender import SlackSender

        senders["slack"] = SlackSender(runtime)
    if runtime.settings.teams_enabled:
        from bot.teams.sender import TeamsSender

        senders["teams"] = TeamsSender(runtime)
    return senders


def outbox_worker(runtime: Runtime, senders: Mapping[str, Sender]) -> OutboxWorker:
    """The outbox worker as configured: paced by the settings, adding pulse ballots with the secret key."""
    return OutboxWorker(
        runtime.database, senders, pacer=runtime.settings.outbox_pacer(), secret_key=runtime.policy.secret_key
    )


async def link_directory(runtime: Runtime) -> int:
    """Match directory people to their platform accounts by email; how many were newly linked."""
    if not runtime.settings.slack_enabled:
        return 0
    from bot.slack.client import web_client
    from bot.slack.directory_sync import sync_slack_directory

    return await sync_slack_directory(web_client(runtime.settings), runtime.database)
