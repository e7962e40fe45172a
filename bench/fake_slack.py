"""The local Slack Web API the benchmarks talk to, in its own process so it never competes with the load loop."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_workspace import make_user


def describe_everyone(api: FakeSlackApi) -> None:
    """Like a real workspace: every user id is someone (`users.info`), every channel a public one of this
    organisation alone (`conversations.info`)."""

    @api.responses_for("users.info")
    def user(args: dict[str, Any]) -> dict[str, Any]:
        user_id = str(args.get("user", ""))
        return {"ok": True, "user": make_user(user_id, f"person.{user_id.lower()}", tz="Europe/Paris")}

    @api.responses_for("conversations.info")
    def channel(args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": {"id": args.get("channel"), "is_private": False, "is_ext_shared": False}}


async def serve(per_channel: float | None, workspace: float | None) -> None:
    async with FakeSlackApi(post_message_per_channel_per_sec=per_channel, workspace_per_sec=workspace) as api:
        describe_everyone(api)
        sys.stdout.write(f"{api.base_url}\n")
        sys.stdout.flush()
        await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-channel", type=float, default=None)
    parser.add_argument("--workspace", type=float, default=None)
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.per_channel, args.workspace))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
