"""The same seven-person team on Microsoft Teams, driven from the outside: Bravo installed in the team (its roster
synced), `bravo pulse send --now`, and `Action.Submit` activities exactly as Teams posts them when someone taps."""

from __future__ import annotations

from collections.abc import AsyncIterator
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
from tests.bot.teams.conftest import TeamsApp, teams_settings
from tests.fakes import teams_activities as ta
from tests.fakes.bot_connector import FakeBotConnector

JsonDict = dict[str, Any]


class TeamsTeam:
    """Bravo on Teams with one team of seven and their manager, a pulse delivered to each in a 1:1 chat."""

    def __init__(self, app: TeamsApp, capsys: pytest.CaptureFixture[str]) -> None:
        self.app = app
        self.capsys = capsys
        self.accounts = {name: ta.teams_user(name) for _, _, name in [*MEMBERS, MANAGER]}
        self.identities: dict[str, Identity] = {}
        self.cards: dict[str, tuple[str, JsonDict]] = {}
        self.chats: dict[str, str] = {}

    @property
    def runtime(self) -> Runtime:
        return self.app.runtime

    @property
    def connector(self) -> FakeBotConnector:
        return self.app.connector

    @property
    def users(self) -> list[str]:
        return [name for _, _, name in MEMBERS]

    async def cli(self, *argv: str) -> str:
        """A `bravo` command on this runtime, as the admin types it; what it printed."""
        self.capsys.readouterr()
        args = build_parser().parse_args(list(argv))
        code = await args.func(args, self.app.runtime)
        printed = self.capsys.readouterr()
        assert code == 0, printed.err + printed.out
        return printed.out

    def _pulses(self, *, latest: bool = False) -> None:
        """Each member's 1:1 chat (created by Bravo) and the pulse card sent in it: its activity id and content
        (with `latest`, the last card sent there, such as a check-in after the pulse)."""
        names = {account["id"]: name for name, account in self.accounts.items()}
        for record in self.connector.created_conversations:
            for member in record.body.get("members") or []:
                if member.get("id") in names and record.conversation_id:
                    self.chats[names[member["id"]]] = record.conversation_id
        for record in self.connector.records:
            activity = record.activity
            if record.operation != "send" or activity is None or not record.activity_id:
                continue
            for name, chat in self.chats.items():
                fresh = latest or name not in self.cards
                if record.conversation_id == chat and fresh and activity.get("attachments"):
                    self.cards[name] = (record.activity_id, activity["attachments"][0]["content"])

    def card(self, user: str) -> JsonDict:
        """The person's pulse card as they see it now: as sent, or as Bravo last updated it."""
        card_id, content = self.cards[user]
        updates = [item for item in self.connector.updates if item.activity_id == card_id]
        return updates[-1].body["attachments"][0]["content"] if updates else content

    def follow_latest_cards(self) -> None:
        """From now on, tap each member's latest card (a check-in sent after the pulse)."""
        self._pulses(latest=True)

    async def tap(self, user: str, answer: str) -> None:
        """Press the button whose value ends with `:answer` (or whose title is `answer`) on the person's card."""
        card_id, _ = self.cards[user]
        actions = submit_actions(self.card(user))
        chosen = next(
            (a for a in actions if str(a["data"].get("value", "")).endswith(f":{answer}") or a["title"] == answer),
            None,
        )
        assert chosen is not None, f"no button {answer!r} on {user}'s card: {[a['title'] for a in actions]}"
        before = len(self.connector.records)
        press = ta.submit_message(
            chosen["data"], service_url=self.connector.service_url, from_user=self.accounts[user], reply_to_id=card_id
        )
        press["conversation"]["id"] = self.chats[user]
        assert await self.app.post(press) == 201
        assert len(self.connector.records) > before, "Bravo did not answer the tap"

    def received_tokens(self) -> set[str]:
        """Every ballot token the Bot Connector was given to show anyone: in cards sent or updated."""
        return ballot_tokens([record.body for record in self.connector.records])


async def _identities(team: TeamsTeam) -> dict[str, Identity]:
    found: dict[str, Identity] = {}
    async with team.app.runtime.database.sessions() as session:
        for _, username, name in [*MEMBERS, MANAGER]:
            person = (await session.exec(select(Person).where(Person.email == email(username)))).one()
            account = team.accounts[name]
            identity = Identity(label=name, person_id=person.id or 0)
            for role, value in (
                ("their Teams user id", account["id"]),
                ("their Teams user id", person.teams_id),
                ("their AAD object id", account["aadObjectId"]),
                ("their AAD object id", person.aad_object_id),
                ("their 1:1 chat", team.chats.get(name)),
                ("their 1:1 chat", ta.personal_conversation_id(account)),
                ("their name", name),
                ("their email", email(username)),
            ):
                identity.add(role, value)
            found[name] = identity
    return found


@pytest.fixture
async def teams_team(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> AsyncIterator[TeamsTeam]:
    async with FakeBotConnector() as connector:
        everyone = [*MEMBERS, MANAGER]
        connector.members = [ta.roster_member(name, email=email(username)) for _, username, name in everyone]
        settings = teams_settings(database_url, monkeypatch, BRAVO_SECRET_KEY=SECRET_KEY)
        async with open_runtime(settings) as runtime:
            async with TestClient(TestServer(build_app(runtime, background=False))) as client:
                app = TeamsApp(client=client, runtime=runtime, connector=connector)
                await start_person_ids_at(runtime.database)
                rows = [(email(MANAGER[1]), MANAGER[2], "")]
                rows += [(email(username), name, TEAM) for _, username, name in MEMBERS]
                await app.import_people(*rows, manager=email(MANAGER[1]))
                await drop_placeholder(runtime.database)
                team = TeamsTeam(app, capsys)
                install = ta.install_update(service_url=connector.service_url, from_user=team.accounts[MANAGER[2]])
                assert await app.post(install) == 201
                await app.worker.drain()
                output = await team.cli("pulse", "send", "--now")
                assert "1 pulse started." in output, output
                team._pulses()
                assert sorted(team.cards) == sorted(team.users), output
                team.identities = await _identities(team)
                yield team


def submit_actions(node: object) -> list[JsonDict]:
    """Every button of a card, wherever Teams' layout puts it (the card's actions or rows of actions in its body)."""
    if isinstance(node, list):
        return [action for item in node for action in submit_actions(item)]
    if not isinstance(node, dict):
        return []
    found = [node] if node.get("type") == "Action.Submit" and isinstance(node.get("data"), dict) else []
    nested = [value for value in node.values() if isinstance(value, (list, dict))]
    return found + [action for value in nested for action in submit_actions(value)]
