"""Who may see and do what, each rule attacked: pulse results and digests only for the team's manager (and admins),
organisation-wide rewards only for admins, anonymous replies only from the comment's team manager, and `/kudos me`
only about oneself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import datetime

import pytest
from sqlmodel import select

from handlers.context import Context
from handlers.digest.manager import MANAGER_DIGEST
from handlers.directory import DirectoryRow, import_directory
from handlers.i18n import Translator
from handlers.kudos.give import give_from_text
from handlers.messages import Card, Reply
from handlers.policy import Policy
from handlers.pulse import send_now
from handlers.pulse.answer import REPLY_TO
from handlers.pulse.followup import REPLY_ACTION
from handlers.pulse.tokens import seal
from handlers.routing import run_action, run_command, submit_form
from scheduler.runs import send_digests
from storage import people as people_store
from storage.db import Database
from storage.models import (
    OutboxMessage,
    Person,
    PulseComment,
    PulseFollowup,
    PulseQuestion,
    PulseRoundQuestion,
    RewardOption,
)
from storage.pulse import rounds as pulse_store
from tests.hardening.support import count
from tests.scheduler.support import config

SECRET = "a-long-random-secret-for-sealing-comment-authors"
ADMIN = "admin@example.com"


@dataclass
class Org:
    """Ops (managed by Boss One) and Lab (managed by Boss Two), a team without a manager, and an admin."""

    database: Database
    policy: Policy
    now: datetime
    people: dict[str, Person]

    async def run(self, who: str, call: str, name: str, text: str = "", values: object = None) -> Reply:
        async with self.database.transaction() as session:
            actor = await people_store.person_by_email(session, email=self.people[who].email or "")
            assert actor is not None
            ctx = Context(session=session, actor=actor, policy=self.policy, now=self.now, platform="slack")
            if call == "command":
                return await run_command(ctx, name, text)
            if call == "action":
                return await run_action(ctx, name, text)
            return await submit_form(ctx, name, values or {}, text)  # type: ignore[arg-type]

    async def shown(self, who: str, command: str, text: str = "") -> str:
        answer = await self.run(who, "command", command, text)
        assert answer.card is not None
        return answer.card.plain()


def _rows() -> list[DirectoryRow]:
    people = [("boss1", "Boss One", "", ""), ("boss2", "Boss Two", "", ""), ("admin", "Ada Admin", "", "")]
    people += [(f"ops{n}", f"Ops {n}", "Ops", "boss1") for n in range(1, 6)]
    people += [(f"lab{n}", f"Lab {n}", "Lab", "boss2") for n in range(1, 6)]
    people += [("orphan", "Olive Orphan", "Orphans", "")]
    return [
        DirectoryRow(
            line=n + 2,
            email=ADMIN if key == "admin" else f"{key}@acme.test",
            name=name,
            team=team,
            manager_email=f"{manager}@acme.test" if manager else "",
            timezone="Europe/Paris",
            language="",
        )
        for n, (key, name, team, manager) in enumerate(people)
    ]


@pytest.fixture
async def org(database: Database, policy: Policy, now: datetime) -> AsyncIterator[Org]:
    keyed = replace(policy, secret_key=SECRET, admin_emails=frozenset({ADMIN}))
    async with database.transaction() as session:
        await import_directory(session, _rows(), Translator("en"))
        people = {}
        for row in _rows():
            person = await people_store.person_by_email(session, email=row.email)
            assert person is not None
            person.slack_id = "U" + row.email.split("@")[0].upper()
            await people_store.save(session, person)
            people[row.email.split("@")[0]] = person
        await send_now(session, policy=keyed, now=now)
    yield Org(database, keyed, now, people)


async def test_pulse_results_only_for_the_team_s_manager_and_admins(org: Org) -> None:
    refusal = "shown to each team's manager and to admins"
    assert refusal in await org.shown("ops1", "pulse", "results")
    assert refusal in await org.shown("ops1", "pulse", "results Ops")
    assert refusal in await org.shown("orphan", "pulse", "results Orphans")
    other_manager = await org.shown("boss2", "pulse", "results Ops")
    assert "cannot see" in other_manager and "Ops:" not in other_manager
    own = await org.shown("boss2", "pulse", "results")
    assert "Lab:" in own and "Ops:" not in own and "Whole organisation" not in own
    everything = await org.shown("admin", "pulse", "results")
    assert all(team in everything for team in ("Ops:", "Lab:", "Whole organisation"))


async def test_manager_digests_go_to_each_team_s_manager_alone(org: Org) -> None:
    """Boss Two also joins Ops as a member: Ops's digest still reaches Boss One only; the team without a manager
    sends its digest to nobody."""
    async with org.database.transaction() as session:
        boss2 = await people_store.person_by_email(session, email="boss2@acme.test")
        ops = await people_store.team_by_name(session, name="Ops")
        assert boss2 is not None and ops is not None
        boss2.team_id = ops.id
        await people_store.save(session, boss2)
        await give_from_text(
            Context(session=session, actor=org.people["ops2"], policy=org.policy, now=org.now, platform="slack"),
            f"<@{org.people['ops1'].id}> thanks for the release",
            source="command",
        )
    await send_digests(org.database, config=config(), policy=org.policy, now=org.now, force=True, owner="test")
    async with org.database.sessions() as session:
        rows = (await session.exec(select(OutboxMessage).where(OutboxMessage.kind == MANAGER_DIGEST))).all()
    received = {row.person_id: Card.model_validate_json(row.payload).plain() for row in rows}
    assert set(received) == {org.people["boss1"].id, org.people["boss2"].id}
    assert "Ops" in received[org.people["boss1"].id] and "Lab" not in received[org.people["boss1"].id]
    assert "Lab" in received[org.people["boss2"].id] and "Ops" not in received[org.people["boss2"].id]


async def test_organisation_rewards_are_for_admins_and_a_member_proposes_for_their_team_only(org: Org) -> None:
    refused = await org.shown("ops1", "rewards", "propose org 2000 charity day")
    assert "Only an admin" in refused and await count(org.database, RewardOption) == 0
    await org.run("ops1", "command", "rewards", "propose 300 team lunch")
    await org.run("admin", "command", "rewards", "propose 500 escape game")
    await org.run("admin", "command", "rewards", "propose org 2000 charity day")
    async with org.database.sessions() as session:
        options = {row.reward: row for row in (await session.exec(select(RewardOption))).all()}
    ops_id = org.people["ops1"].team_id
    assert (options["team lunch"].scope, options["team lunch"].team_id) == ("team", ops_id)
    assert (options["escape game"].scope, options["escape game"].team_id) == ("team", None)
    assert (options["charity day"].scope, options["charity day"].team_id) == ("org", None)


async def test_operator_commands_do_nothing_in_chat(org: Org) -> None:
    """Question banks and schedules are managed with `bravo …` on the server; typed in chat they change nothing."""
    before = await count(org.database, PulseQuestion)
    for command, text in (
        ("pulse", "questions add --driver workload --scale agree5 --en Hacked --fr Pirate"),
        ("schedule", "set --team Ops --manager-digest off"),
        ("rewards", "goal 1 free holidays --team Ops"),
        ("privacy", "export --email boss1@acme.test"),
    ):
        answer = await org.run("ops1", "command", command, text)
        assert answer.card is not None and "boss1@acme.test" not in answer.card.plain()
    assert await count(org.database, PulseQuestion) == before
    assert await count(org.database, RewardOption) == 0


async def test_kudos_me_is_only_ever_about_the_caller(org: Org) -> None:
    async with org.database.transaction() as session:
        giver = org.people["lab1"]
        ctx = Context(session=session, actor=giver, policy=org.policy, now=org.now, platform="slack")
        await give_from_text(ctx, f"<@{org.people['lab2'].id}> secret project praise", source="command")
    for text in (f"me <@{org.people['lab2'].id}>", f"me <@{org.people['lab1'].id}>", "me lab2@acme.test", "moi"):
        shown = await org.shown("ops1", "kudos", text)
        assert "secret project" not in shown and "No kudos yet" in shown
    assert "secret project" in await org.shown("lab2", "kudos", "me")


async def _lab_comment(org: Org) -> str:
    """A comment in Lab's pulse whose author (Lab 3) can be reached through the sealed address."""
    async with org.database.transaction() as session:
        lab = await people_store.team_by_name(session, name="Lab")
        assert lab is not None
        (pulse,) = await pulse_store.open_rounds(session, team_id=lab.id or 0)
        question = (
            await session.exec(select(PulseRoundQuestion).where(PulseRoundQuestion.round_id == pulse.id))
        ).first()
        assert question is not None
        comment = PulseComment(round_id=pulse.id or 0, question_id=question.question_id, text="Too many meetings")
        comment.sealed_reply_to = seal(SECRET, f"{REPLY_TO}:{comment.id}", str(org.people["lab3"].id))
        session.add(comment)
    return comment.id


async def test_only_the_comment_s_team_manager_can_reply_anonymously(org: Org) -> None:
    comment_id = await _lab_comment(org)
    reply = {"reply": ("Let's talk about it",)}
    for intruder in ("boss1", "lab1", "ops1"):
        opened = await org.run(intruder, "action", REPLY_ACTION, comment_id)
        assert opened.form is None and "Only the team's manager" in (opened.card or Card()).plain()
        sent = await org.run(intruder, "form", REPLY_ACTION, comment_id, reply)
        assert "Only the team's manager" in (sent.card or Card()).plain()
    assert await count(org.database, PulseFollowup) == 0
    assert (await org.run("boss2", "action", REPLY_ACTION, comment_id)).form is not None
    sent = await org.run("boss2", "form", REPLY_ACTION, comment_id, reply)
    assert "on its way" in (sent.card or Card()).plain() and await count(org.database, PulseFollowup) == 1
