"""The local Slack Web API the benchmarks talk to, in its own process so it never competes with the load loop."""

from __future__ import annotations

import argparse
import asyncio
import sys

from tests.fakes.slack_api import FakeSlackApi


async def serve(per_channel: float | None, workspace: float | None) -> None:
    async with FakeSlackApi(post_message_per_channel_per_sec=per_channel, workspace_per_sec=workspace) as api:
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
