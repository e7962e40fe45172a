"""The kudos rules and effects, platform-neutral, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

from sqlmodel import select

from handlers.context import Context
from handlers.kudos.allowance import local_midnight, remaining_allowance
from handlers.kudos.give import KudosText, give_from_text, give_from_texts
from handlers.messages import Card, Reply
from handlers.policy import Policy
from storage import people as people_store
from storage.db import Database
from storage.models import Kudos, KudosRecipient, OutboxMessage, Person, Team
from tests.conftest import both_engines

POLICY = Policy(recognition_channel="C_KUDOS", company_values=("teamwork", "kindness"))


async def org(database: Database) -> dict[str, Person]:
    """Ann (Tokyo) and Ben (London) in Platform, Cara (French) in Sales, a bot, and someone who left."""
    async with database.transaction() as session:
        platform, sales = Team(name="Platform"), Team(name="Sales")
        await people_store.save(session, platform)
        await people_store.save(session, sales)
        people = {
            "ann": Person(display_name="Ann", timezone="Asia/Tokyo", team_id=platform.id, slack_id="UANN"),
            "ben": Person(display_name="Ben", timezone="Europe/London", team_id=platform.id, slack_id="UBEN"),
            "cara": Person(display_name="Cara", language="fr", team_id=sales.id, slack_id="UCARA"),
            "bot": Person(display_name="Deploy", is_bot=True, team_id=platform.id),
            "gone": Person(display_name="Gone", active=False),
        }
        for person in people.values():
            await people_store.save(session, person)
    return people


async def give(
    database: Database, actor: Person, text: str, *, now: datetime, key: str | None = None, policy: Policy = POLICY
) -> Reply:
    async with database.transaction() as session:
        ctx = Context(session=session, actor=actor, policy=policy, now=now, platform="slack", event_key=key)
        return (await give_from_text(ctx, text)).reply


def said(answer: Reply) -> str:
    assert isinstance(answer.card, Card)
    return answer.card.plain()


async def points_received(database: Database) -> dict[int, int]:
    async with database.sessions() as session:
        rows = (await session.exec(select(KudosRecipient))).all()
    totals: dict[int, int] = {}
    for row in rows:
        totals[row.recipient_id] = totals.get(row.recipient_id, 0) + row.points
    return totals


@both_engines
async def test_the_allowance_resets_at_midnight_in_the_givers_time_zone(database: Database) -> None:
    people = await org(database)
    ann, ben, cara = people["ann"], people["ben"], people["cara"]
    late_in_tokyo = datetime(2026, 11, 18, 14, 30, tzinfo=UTC)  # 23:30 in Tokyo, 14:30 in London
    assert "That was the last of your 5 points" in said(
        await give(database, ann, f"<@{cara.id}> 5 thanks", now=late_in_tokyo)
    )
    assert "used all 5" in said(await give(database, ann, f"<@{cara.id}> thanks", now=late_in_tokyo))
    assert "4 points left" in said(await give(database, ben, f"<@{cara.id}> thanks", now=late_in_tokyo))
    after_midnight_in_tokyo = datetime(2026, 11, 18, 15, 30, tzinfo=UTC)
    assert "4 points left" in said(await give(database, ann, f"<@{cara.id}> thanks", now=after_midnight_in_tokyo))
    assert "needs 5 points" in said(await give(database, ben, f"<@{cara.id}> 5 thanks", now=after_midnight_in_tokyo))
    assert local_midnight(after_midnight_in_tokyo, ann, POLICY) == datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
    assert await points_received(database) == {cara.id: 7}


@both_engines
async def test_a_repeated_delivery_returns_the_first_confirmation_without_counting_twice(
    database: Database, now: datetime
) -> None:
    people = await org(database)
    first = await give(database, people["ben"], f"<@{people['cara'].id}> 2 merci #kindness", now=now, key="ev-1")
    again = await give(database, people["ben"], f"<@{people['cara'].id}> 2 merci #kindness", now=now, key="ev-1")
    assert said(first) == said(again) and "3 points left" in said(again)
    assert await points_received(database) == {people["cara"].id: 2}
    async with database.sessions() as session:
        assert len((await session.exec(select(OutboxMessage))).all()) == 2


@both_engines
async def test_simultaneous_kudos_from_one_giver_never_exceed_the_allowance(database: Database, now: datetime) -> None:
    people = await org(database)
    text = f"<@{people['cara'].id}> 3 thanks"
    answers = await asyncio.gather(*(give(database, people["ben"], text, now=now, key=f"k{i}") for i in range(4)))
    assert sum("You gave" in said(answer) for answer in answers) == 1
    assert await points_received(database) == {people["cara"].id: 3}


@both_engines
async def test_a_team_recognition_reaches_every_member_but_the_giver_and_bots(
    database: Database, now: datetime
) -> None:
    people = await org(database)
    platform = people["ann"].team_id
    answer = await give(database, people["ann"], f"<!team:{platform}> 2 thanks for the migration", now=now)
    assert "the Platform team" in said(answer) and "3 points left" in said(answer)
    async with database.sessions() as session:
        kudos = (await session.exec(select(Kudos))).one()
        rows = (await session.exec(select(KudosRecipient))).all()
    assert kudos.team_recognition_id == platform
    assert {(row.recipient_id, row.team_id, row.points) for row in rows} == {(people["ben"].id, platform, 2)}


@both_engines
async def test_cross_team_kudos_count_for_the_recipients_team_and_reach_readers_in_their_language(
    database: Database, now: datetime
) -> None:
    people = await org(database)
    await give(database, people["ann"], f"<@{people['cara'].id}> <@{people['ben'].id}> thanks #teamwork", now=now)
    async with database.sessions() as session:
        rows = (await session.exec(select(KudosRecipient))).all()
        outbox = (await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert {row.recipient_id: row.team_id for row in rows} == {
        people["cara"].id: people["cara"].team_id,
        people["ben"].id: people["ben"].team_id,
    }
    post, *dms = outbox
    assert post.channel == "C_KUDOS" and "recognised" in Card.model_validate_json(post.payload).plain()
    by_person = {dm.person_id: Card.model_validate_json(dm.payload).plain() for dm in dms}
    assert "Vous avez reçu des kudos" in by_person[people["cara"].id]
    assert "You received kudos" in by_person[people["ben"].id]


@both_engines
async def test_rules_that_refuse(database: Database, now: datetime) -> None:
    people = await org(database)
    ben = people["ben"]
    cases = {
        f"<@{ben.id}> me": "yourself",
        f"<@{people['bot'].id}> thanks": "is a bot",
        f"<@{people['gone'].id}> thanks": "no longer active",
        f"<@{people['ann'].id}> thanks #kindnes": "Did you mean #kindness?",
        f"<@{people['ann'].id}> thanks #zzz": "Pick from: #teamwork #kindness",
        f"<@{people['ann'].id}>": "needs a reason",
        f"<@{people['ann'].id}> 0 thanks": "from 1 to 5",
        f"<@{people['ann'].id}> " + "y" * 501: "501 characters",
        "<@999999> thanks": "don't know one of the people",
        "<!team:999999> thanks": "don't know the team",
    }
    for text, expected in cases.items():
        assert expected in said(await give(database, ben, text, now=now)), text
    assert await points_received(database) == {}


@both_engines
async def test_a_policy_without_a_recognition_channel_only_sends_direct_messages(
    database: Database, now: datetime
) -> None:
    people = await org(database)
    quiet = replace(POLICY, recognition_channel=None)
    await give(database, people["ben"], f"<@{people['ann'].id}> thanks", now=now, policy=quiet)
    async with database.sessions() as session:
        outbox = (await session.exec(select(OutboxMessage))).all()
        ctx = Context(session=session, actor=people["ben"], policy=quiet, now=now, platform="slack")
        assert await remaining_allowance(ctx) == 4
    assert [(row.channel, row.person_id) for row in outbox] == [(None, people["ann"].id)]


async def give_together(database: Database, items: list[tuple[Person, str, str]], *, now: datetime) -> list[Reply]:
    """Several kudos given in one transaction, as a burst of `/kudos` commands is (`give_from_texts`)."""
    async with database.transaction() as session:
        texts = [
            KudosText(
                Context(session=session, actor=actor, policy=POLICY, now=now, platform="slack", event_key=key), text
            )
            for actor, text, key in items
        ]
        return [outcome.reply for outcome in await give_from_texts(texts)]


@both_engines
async def test_a_batch_decides_each_kudos_in_order_as_if_it_came_alone(database: Database, now: datetime) -> None:
    people = await org(database)
    ann, ben, cara = people["ann"], people["ben"], people["cara"]
    answers = await give_together(
        database,
        [
            (ben, f"<@{cara.id}> 3 thanks for the demo", "b1"),
            (ann, f"<@{ben.id}> thanks #kindness", "a1"),
            (ben, f"<@{cara.id}> 3 thanks again", "b2"),  # only 2 points left after the first
            (ben, f"<@{cara.id}> 3 thanks for the demo", "b1"),  # Slack's retry of the first, in the same burst
            (cara, "no mention here", "c1"),
            (cara, f"<@{ann.id}> merci #kindnes", "c2"),
            (ben, f"<@{cara.id}> 2 thanks once more", "b3"),
        ],
        now=now,
    )
    assert "2 points left" in said(answers[0])
    assert "4 points left" in said(answers[1])
    assert "needs 3 points" in said(answers[2]) and "2 points left" in said(answers[2])
    assert said(answers[3]) == said(answers[0])
    assert "Qui voulez-vous remercier ?" in said(answers[4])  # Cara reads French
    assert "Vouliez-vous dire #kindness ?" in said(answers[5])
    assert "That was the last of your 5 points" in said(answers[6])
    assert await points_received(database) == {cara.id: 5, ben.id: 1}
    async with database.sessions() as session:
        keys = sorted(kudos.idempotency_key for kudos in (await session.exec(select(Kudos))).all())
        queued = (await session.exec(select(OutboxMessage))).all()
    assert keys == ["a1", "b1", "b3"]
    assert len(queued) == 6  # a post and a message for each of the three kudos


@both_engines
async def test_a_batch_repeats_a_kudos_committed_by_an_earlier_request(database: Database, now: datetime) -> None:
    people = await org(database)
    ben, cara = people["ben"], people["cara"]
    first = await give(database, ben, f"<@{cara.id}> 2 merci", now=now, key="ev-9")
    (again, other) = await give_together(
        database, [(ben, f"<@{cara.id}> 2 merci", "ev-9"), (cara, f"<@{ben.id}> thanks", "ev-10")], now=now
    )
    assert said(again) == said(first) and "Vous avez donné 1 point" in said(other)
    assert await points_received(database) == {cara.id: 2, ben.id: 1}


async def test_a_name_typed_without_picking_the_mention_gets_a_did_you_mean(database: Database, now: datetime) -> None:
    people = await org(database)
    assert "I don't know anyone called @cara. Did you mean @Cara?" in said(
        await give(database, people["ann"], "@cara thanks for the demo", now=now)
    )
    french = said(await give(database, people["cara"], "@Benn merci", now=now))
    assert "Je ne connais personne qui s'appelle @Benn. Vouliez-vous dire @Ben ?" in french
    nobody = said(await give(database, people["ann"], "thanks for the demo @zzzz", now=now))
    assert nobody.startswith("Who do you want to recognise?")
