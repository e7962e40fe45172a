"""A reaction sent while the database is unreachable is not answered 200, so Slack sends it again.

Before the inbox, Bravo answered 200 to a reaction sent after its database was dropped, and lost it. Here the real
`bravo run` process, its PostgreSQL database dropped under it (its connections cut, reconnecting refused), must
answer a signed `:clap:` reaction with an error. (SQLite has no server to lose: the in-process unit test
`tests/bot/slack/test_inbox.py` fails its commit on both engines.)
"""

from __future__ import annotations

from pathlib import Path

from bench.processes import SIGNING_SECRET
from tests.databases import drop_postgres_database
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_requests import event_callback, reaction_added_event, sign
from tests.soak.harness import Request, Server, environment, fire, fresh_database, slack_resend


async def test_a_reaction_sent_while_the_database_is_unreachable_is_not_answered_200(tmp_path: Path) -> None:
    async with fresh_database("postgresql", tmp_path) as url, FakeSlackApi(threaded=True) as api:
        server = Server(["run"], {}, tmp_path / "bravo.log")
        server.environment = environment(url, api, port=server.port)

        def reaction(index: int, attempt: int) -> Request:
            event = reaction_added_event(
                "clap", user="U0000001", channel="C_GENERAL", item_ts=f"1700000000.00010{index}", item_user="U0000002"
            )
            body, content_type = event_callback(event, event_id=f"EvDOWN{index}")
            headers = {"Content-Type": content_type, **sign(body, SIGNING_SECRET)}
            return slack_resend(server.url, (body.encode(), headers), attempt)

        try:
            await server.start_healthy()
            (before,) = (await fire([0], reaction, concurrency=1)).values()
            assert before.status == 200, f"{before} while the database is up\n{server.output()}"
            await drop_postgres_database(url)
            (answer,) = (await fire([1], reaction, concurrency=1)).values()
            assert answer.status == 503, f"{answer} while the database is gone\n{server.output()}"
            (resent,) = (await fire([1], reaction, concurrency=1, attempt=1)).values()
            assert resent.status == 503, f"{resent} for Slack's resend while the database is still gone"
        finally:
            server.stop()
