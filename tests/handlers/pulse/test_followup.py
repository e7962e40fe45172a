"""Anonymous comments and the follow-up conversation: the manager replies, the author answers, nobody is named."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlmodel import select, update

from handlers.messages import Card, Reply
from handlers.policy import Policy
from handlers.pulse import close_expired, send_now
from handlers.pulse.followup import AUTHOR_NOTICE_KIND, MANAGER_NOTICE_KIND
from handlers.routing import run_command, submit_form
from handlers.sealing import open_payload, open_person
from storage import people as people_store
from storage.db import Database
from storage.models import OutboxMessage, Person, PulseComment
from tests.handlers.pulse.test_support import (
    BOSS,
    answer_button,
    choice_value,
    context,
    question_card_for,
    seed_org,
    tap,
)


async def _submit(
    database: Database,
    person: Person,
    action: str,
    values: dict[str, tuple[str, ...]],
    metadata: str,
    policy: Policy,
    now: datetime,
) -> Reply:
    async with database.transaction() as session:
        actor = await people_store.get_person(session, person_id=person.id or 0)
        assert actor is not None
        return await submit_form(context(session, actor, policy, now), action, values, metadata)


async def _results(database: Database, person: Person, policy: Policy, now: datetime) -> Card:
    """The results card once the round has closed: only then does it show comments."""
    now += timedelta(hours=49)
    async with database.transaction() as session:
        actor = await people_store.get_person(session, person_id=person.id or 0)
        assert actor is not None
        answer = await run_command(context(session, actor, policy, now), "pulse", "results")
    assert answer.card is not None
    return answer.card


async def _notices(database: Database, kind: str, secret: str = "") -> list[tuple[int | None, Card]]:
    """The queued notices of a kind: to whom, and the card; sealed ones opened with `secret`, as the sender does."""
    async with database.sessions() as session:
        rows = (await session.exec(select(OutboxMessage).where(OutboxMessage.kind == kind))).all()
    found: list[tuple[int | None, Card]] = []
    for row in rows:
        if row.sealed_to is None:
            found.append((row.person_id, Card.model_validate_json(row.payload)))
            continue
        assert row.person_id is None and row.dedupe_key is not None and row.dedupe_key.startswith("sealed:")
        found.append(
            (open_person(secret, row.sealed_to), Card.model_validate_json(open_payload(secret, row.payload) or ""))
        )
    return found


async def _comment_then_answer_all(
    database: Database, policy: Policy, now: datetime
) -> tuple[dict[str, list[Person]], Person]:
    async with database.transaction() as session:
        members = await seed_org(session, {"Ops": 5})
        boss = await people_store.person_by_email(session, email=BOSS)
        await send_now(session, policy=policy, now=now)
    assert boss is not None
    author = members["Ops"][2]
    for person in members["Ops"]:
        card = await question_card_for(database, person, "enps", policy, now)
        await tap(database, person, answer_button(card, 8), policy, now)
        if person.id == author.id:
            opened = await tap(database, person, choice_value(card, "pulse.comment"), policy, now, "pulse.comment")
            assert opened.form is not None
            thanks = await _submit(
                database,
                person,
                opened.form.action,
                {"comment": ("Too many meetings",)},
                opened.form.metadata,
                policy,
                now,
            )
            assert thanks.card is not None and "without your name" in thanks.card.plain()
    return members, boss


async def test_a_manager_replies_and_the_author_answers_without_being_named(
    database: Database, policy: Policy, now: datetime
) -> None:
    keyed = replace(policy, secret_key="k" * 32)
    members, boss = await _comment_then_answer_all(database, keyed, now)
    author = members["Ops"][2]
    results = await _results(database, boss, keyed, now)
    assert "Comment 1: Too many meetings" in results.plain()
    button = next(choice for choice in results.choices if choice.action == "pulse.reply")
    form = await tap(database, boss, button.value, keyed, now, action="pulse.reply")
    assert form.form is not None
    sent = await _submit(
        database, boss, "pulse.reply", {"reply": ("Let's cut one meeting a week.",)}, button.value, keyed, now
    )
    assert sent.card is not None and "will not learn who" in sent.card.plain()
    notices = await _notices(database, AUTHOR_NOTICE_KIND, keyed.secret_key)
    assert [person for person, _ in notices] == [author.id]
    notice = notices[0][1]
    assert "Let's cut" not in notice.model_dump_json() and button.value not in notice.model_dump_json()
    sealed = notice.choices[0].value
    thread = await tap(database, author, sealed, keyed, now, action="pulse.thread")
    assert thread.card is not None and "Boss: Let's cut one meeting a week." in thread.card.plain()
    stranger = await tap(database, members["Ops"][0], sealed, keyed, now, action="pulse.thread")
    assert stranger.card is not None and "no longer available" in stranger.card.plain()
    await _submit(
        database, author, "pulse.answerback", {"reply": ("Thanks, Tuesdays would help.",)}, sealed, keyed, now
    )
    to_manager = await _notices(database, MANAGER_NOTICE_KIND)
    assert [person for person, _ in to_manager] == [boss.id]
    assert "Thanks, Tuesdays would help." in to_manager[0][1].plain()
    assert author.display_name not in to_manager[0][1].model_dump_json()
    async with database.transaction() as session:
        await session.exec(update(OutboxMessage).values(status="sent"))
    async with database.transaction() as session:
        await close_expired(session, now=now)
    assert await _notices(database, AUTHOR_NOTICE_KIND) == []


async def test_the_author_can_end_the_conversation_for_good(database: Database, policy: Policy, now: datetime) -> None:
    keyed = replace(policy, secret_key="k" * 32)
    members, boss = await _comment_then_answer_all(database, keyed, now)
    results = await _results(database, boss, keyed, now)
    comment_id = next(choice for choice in results.choices if choice.action == "pulse.reply").value
    await _submit(database, boss, "pulse.reply", {"reply": ("Tell me more?",)}, comment_id, keyed, now)
    sealed = (await _notices(database, AUTHOR_NOTICE_KIND, keyed.secret_key))[0][1].choices[0].value
    ended = await tap(database, members["Ops"][2], sealed, keyed, now, action="pulse.forget")
    assert ended.card is not None and "nobody can reply" in ended.card.plain()
    again = await _submit(database, boss, "pulse.reply", {"reply": ("Hello?",)}, comment_id, keyed, now)
    assert again.card is not None and "can no longer be reached" in again.card.plain()


async def test_with_the_secret_key_lost_comments_are_shown_but_cannot_be_answered(
    database: Database, policy: Policy, now: datetime
) -> None:
    _members, boss = await _comment_then_answer_all(database, policy, now)
    async with database.sessions() as session:
        comments = (await session.exec(select(PulseComment))).all()
    assert [c.text for c in comments] == ["Too many meetings"]
    lost = replace(policy, secret_key="")
    results = await _results(database, boss, lost, now)
    assert "Too many meetings" in results.plain()
    comment_id = next(choice for choice in results.choices if choice.action == "pulse.reply").value
    refused = await _submit(database, boss, "pulse.reply", {"reply": ("Hello?",)}, comment_id, lost, now)
    assert refused.card is not None and "can no longer be reached" in refused.card.plain()
    assert await _notices(database, AUTHOR_NOTICE_KIND) == []


async def test_only_the_manager_or_an_admin_may_reply(database: Database, policy: Policy, now: datetime) -> None:
    keyed = replace(policy, secret_key="k" * 32)
    members, boss = await _comment_then_answer_all(database, keyed, now)
    comment_id = next(c for c in (await _results(database, boss, keyed, now)).choices).value
    refused = await tap(database, members["Ops"][0], comment_id, keyed, now, action="pulse.reply")
    assert refused.card is not None and "Only the team's manager" in refused.card.plain()
