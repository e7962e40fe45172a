"""A seven-person team on the local Slack look-alike, driven only from the outside: the `bravo` commands an admin
types, and signed requests exactly as Slack sends them when someone taps a button, types `/pulse` or sends a modal."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.app import build_app
from bot.cli import build_parser
from bot.runtime import Runtime, open_runtime
from storage.models import Person
from tests.anonymity.support import Identity, drop_placeholder, start_person_ids_at
from tests.anonymity.taps import MANAGER, MEMBERS, SECRET_KEY, TEAM, ballot_tokens, email
from tests.bot.slack.conftest import SlackBravo, slack_settings
from tests.bot.slack.test_pulse import current, dms, tap
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_requests import block_actions, slash_command, view_submission
from tests.fakes.slack_workspace import make_user

FORWARDED_TS = "1700000000.000001"


@dataclass
class SlackTeam:
    """Bravo on Slack with one team of seven and their manager, a pulse sent to them."""

    bravo: SlackBravo
    capsys: pytest.CaptureFixture[str]
    identities: dict[str, Identity]

    @property
    def runtime(self) -> Runtime:
        return self.bravo.runtime

    @property
    def api(self) -> FakeSlackApi:
        return self.bravo.api

    @property
    def users(self) -> list[str]:
        return [uid for uid, _, _ in MEMBERS]

    async def cli(self, *argv: str) -> str:
        """A `bravo` command on this runtime, as the admin types it; what it printed."""
        self.capsys.readouterr()
        args = build_parser().parse_args(list(argv))
        code = await args.func(args, self.bravo.runtime)
        printed = self.capsys.readouterr()
        assert code == 0, printed.err + printed.out
        return printed.out

    async def tap(self, user: str, answer: str, which: int = 0) -> None:
        await tap(self.bravo, user, answer, which)

    def message(self, user: str, which: int = 0) -> dict[str, Any]:
        return current(self.bravo, user, which)[0]

    def request(self, user: str, element: dict[str, Any], *, copied: bool = False) -> tuple[str, str]:
        """The body of `user` pressing `element` in their DM: on Bravo's message to them, or (`copied`) on a copy
        of someone else's message that reached them (forwarded, pasted, a shared screen)."""
        own = dms(self.bravo, user)[0][1]
        ts = FORWARDED_TS if copied else own["ts"]
        posted = {"type": "message", "user": "UBOT", "bot_id": "BBOT", "text": "", "ts": ts}
        return block_actions(
            element["action_id"],
            element["value"],
            user_id=user,
            channel_id=own["channel"],
            message=posted,
            block_id="pulse",
        )

    async def send(self, request: tuple[str, str], timestamp: int) -> dict[str, Any] | None:
        """Post a tap signed at `timestamp` (the same body and time replay it byte for byte); what Bravo showed."""
        before = len(self.api.calls_to("chat.update"))
        status, body, _ = await self.bravo.post(request, timestamp=timestamp)
        assert status == 200, body
        for _ in range(100):
            updates = self.api.calls_to("chat.update")
            if len(updates) > before:
                return updates[-1].args
            await asyncio.sleep(0.02)
        return None

    async def slash(self, user: str, command: str, text: str) -> str:
        """What Slack shows the person who typed the command (the body of Bravo's acknowledgement)."""
        status, body, _ = await self.bravo.post(slash_command(command, text, user_id=user, channel_id="C_GENERAL"))
        assert status == 200, body
        return body

    async def submit_modal(self, user: str, view: dict[str, Any], value: str) -> str:
        (block,) = view["blocks"]
        values = {block["block_id"]: {block["element"]["action_id"]: {"type": "plain_text_input", "value": value}}}
        submission = view_submission(
            str(view["callback_id"]), values, private_metadata=view["private_metadata"], user_id=user
        )
        status, body, _ = await self.bravo.post(submission)
        assert status == 200, body
        return body

    def received_tokens(self) -> set[str]:
        """Every ballot token Slack was given to show anyone: in buttons and modal metadata, posted or updated."""
        return ballot_tokens([call.args for call in self.api.calls])


def directory_csv(folder: Path) -> Path:
    rows = ["email,name,team,manager_email,timezone,language", f"{email(MANAGER[1])},{MANAGER[2]},,,Europe/Paris,"]
    rows += [f"{email(username)},{name},{TEAM},{email(MANAGER[1])},Europe/Paris," for _, username, name in MEMBERS]
    path = folder / "people.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


async def identities(team: SlackBravo) -> dict[str, Identity]:
    """Everything that names each member, read back once Bravo has linked them to Slack."""
    found: dict[str, Identity] = {}
    async with team.runtime.database.sessions() as session:
        for uid, username, name in [*MEMBERS, MANAGER]:
            person = (await session.exec(select(Person).where(Person.email == email(username)))).one()
            identity = Identity(label=name, person_id=person.id or 0)
            for role, value in (
                ("their Slack user id", uid),
                ("their Slack user id", person.slack_id),
                ("their DM channel", person.slack_dm_channel),
                ("their DM channel", f"D{uid}"),
                ("their Slack username", username),
                ("their name", name),
                ("their email", email(username)),
            ):
                identity.add(role, value)
            found[uid] = identity
    return found


@pytest.fixture
async def slack_team(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> AsyncIterator[SlackTeam]:
    async with FakeSlackApi() as api:
        for uid, username, name in [*MEMBERS, MANAGER]:
            api.users[uid] = make_user(uid, username, email=email(username), real_name=name, tz="Europe/Paris")
        settings = slack_settings(database_url, api, monkeypatch, BRAVO_SECRET_KEY=SECRET_KEY)
        async with open_runtime(settings) as runtime:
            app = build_app(runtime, background=False)
            async with TestClient(TestServer(app)) as client:
                bravo = SlackBravo(client=client, api=api, app=app, runtime=runtime)
                await start_person_ids_at(runtime.database)
                team = SlackTeam(bravo=bravo, capsys=capsys, identities={})
                await team.cli("directory", "import", str(directory_csv(tmp_path)))
                await drop_placeholder(runtime.database)
                output = await team.cli("pulse", "send", "--now")
                assert "1 pulse started." in output and "7 messages delivered." in output, output
                team.identities = await identities(bravo)
                assert all(len(dms(bravo, uid)) == 1 for uid in team.users)
                yield team


def blocks_text(message: dict[str, Any]) -> str:
    return json.dumps(message.get("blocks", []), ensure_ascii=False)
