"""`bravo outbox retry`: send again the messages held because Slack or Teams refused Bravo's token.

A revoked or rotated token makes every delivery fail alike, none by its own fault: they are held, not failed (see
`scheduler.sending.DeliveryError.held`). Once the token is fixed, this puts them back in the queue and, when a
platform is configured here, delivers them at once; a `bravo run` elsewhere would deliver them as well.
"""

from __future__ import annotations

import argparse
import sys

from bot.platforms import outbox_worker, platform_senders
from bot.runtime import Runtime
from handlers.i18n import Translator
from storage import outbox
from storage.models.base import utcnow

DELIVERY_WAIT_SECONDS = 30.0


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this area's subcommands."""
    box = subcommands.add_parser("outbox", help="messages waiting to be delivered")
    actions = box.add_subparsers(dest="outbox_command", required=True, metavar="ACTION")
    retry = actions.add_parser("retry", help="send again the messages held by a refused Slack or Teams token")
    retry.add_argument("--platform", choices=("slack", "teams"), help="only this platform's held messages")
    retry.add_argument("--id", dest="ids", type=int, action="append", default=[], help="only this message (repeatable)")
    retry.set_defaults(func=_retry)


async def _retry(args: argparse.Namespace, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    async with runtime.database.transaction() as session:
        released = await outbox.release_held(session, now=utcnow(), platform=args.platform, ids=args.ids)
    if not released:
        sys.stdout.write(t("No message is held.") + "\n")
        return 0
    sys.stdout.write(t.plural("{count} held message queued again.", "{count} held messages queued again.", released))
    sys.stdout.write("\n")
    senders = platform_senders(runtime)
    if not senders:
        sys.stdout.write(t("No chat platform is configured here: `bravo run` will deliver them.") + "\n")
        return 0
    async with outbox_worker(runtime, senders) as worker:
        await worker.drain_pending(within=DELIVERY_WAIT_SECONDS)
    async with runtime.database.sessions() as session:
        held = (await outbox.stats(session)).held
    if held:
        line = t.plural(
            "{count} message is still held: Slack or Teams still refuses the token. Fix it, then run this again.",
            "{count} messages are still held: Slack or Teams still refuses the token. Fix it, then run this again.",
            held,
        )
        sys.stderr.write(line + "\n")
        return 1
    sys.stdout.write(t("Every held message went out.") + "\n")
    return 0
