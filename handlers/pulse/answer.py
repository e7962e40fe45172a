"""Answering a pulse with one tap per question, moving through the questions, changing answers, adding a comment.

A pulse arrives as one message showing its first question; every button carries the message's ballot tokens and
the position shown, so a tap records that answer and the message moves on to the next question. The first tap on
a ballot stores the answer under the token's hash, deletes the ballot (the only stored link between the token and
the person) and takes the tokens out of the person's queued messages, all in one transaction. Later taps find the
answer by the hash alone: whoever holds the message may change it, and nobody else can.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from handlers.context import Context
from handlers.messages import Card, Form, FormInput, Reply, reply
from handlers.pulse.cards import BALLOT_KINDS, COMMENT_FORM, closed_card, question_card, without_buttons
from handlers.pulse.questions import SCALES
from handlers.pulse.tokens import ballot_hash, ballot_ref, parse_answer_value, parse_ballot_ref, seal
from storage.models import PulseBallot, PulseComment, PulseQuestion, PulseRound
from storage.models.delivery import UNDELIVERED
from storage.pulse import answers as pulse_answers
from storage.pulse import rounds as pulse_store

MAX_COMMENT_LENGTH = 1000
REPLY_TO = "reply-to"


@dataclass(frozen=True)
class Found:
    """What a token leads to: its round and question, and either its unused ballot or its answer."""

    pulse: PulseRound
    question: PulseQuestion
    ballot: PulseBallot | None
    answer_id: str | None
    value: int | None


async def locate(ctx: Context, token: str) -> Found | None:
    ballot = await pulse_store.ballot(ctx.session, token=token)
    answer = None if ballot else await pulse_answers.answer_by_hash(ctx.session, ballot_hash=ballot_hash(token))
    source = ballot or answer
    if source is None:
        return None
    pulse = await pulse_store.get_round(ctx.session, round_id=source.round_id)
    questions = await pulse_store.questions_by_ids(ctx.session, ids=[source.question_id])
    if pulse is None or source.question_id not in questions:
        return None
    question = questions[source.question_id]
    return Found(pulse, question, ballot, answer.id if answer else None, answer.value if answer else None)


def is_open(ctx: Context, pulse: PulseRound) -> bool:
    return not pulse.closed and ctx.now < pulse.closes_at


def closed(ctx: Context, found: Found | None) -> Reply:
    return Reply(card=closed_card(ctx.t, found.question if found else None), replace_original=True)


async def card_at(ctx: Context, chain: Sequence[str], index: int, *, saved: bool = False) -> Card | None:
    """The card showing question `index` of a message, with the answer already given; None once closed."""
    found = await locate(ctx, chain[index])
    if found is None or not is_open(ctx, found.pulse):
        return None
    return question_card(
        ctx.t,
        found.question,
        chain,
        index,
        deadline=ctx.t.deadline(found.pulse.closes_at),
        threshold=ctx.policy.anonymity_threshold,
        chosen=found.value,
        saved=saved,
    )


async def answer(ctx: Context, value: str) -> Reply:
    """`pulse.answer`: record (or change) one answer, then show the next question (or this one, answered)."""
    parsed = parse_answer_value(value)
    found = await locate(ctx, parsed[0][parsed[1]]) if parsed else None
    if parsed is None or found is None or not is_open(ctx, found.pulse):
        return closed(ctx, found)
    chain, index, chosen = parsed
    if chosen not in SCALES[found.question.scale]:
        return reply(ctx.t("That answer is not one of the choices."))
    if found.ballot is not None:
        if found.ballot.person_id != ctx.actor.id:
            return reply(ctx.t("This question was sent to someone else."))
        await _first_answer(ctx, found, chain[index], chosen)
    elif found.answer_id is not None:
        await pulse_answers.change_answer(ctx.session, answer_id=found.answer_id, value=chosen)
    following = index + 1 if index + 1 < len(chain) else index
    card = await card_at(ctx, chain, following, saved=following != index)
    return Reply(card=card, replace_original=True) if card else closed(ctx, found)


async def _first_answer(ctx: Context, found: Found, token: str, chosen: int) -> None:
    round_id = found.pulse.id or 0
    key = ballot_hash(token)
    stored = await pulse_answers.add_answer(
        ctx.session, round_id=round_id, question_id=found.question.id or 0, ballot_hash=key, value=chosen
    )
    if not stored:
        existing = await pulse_answers.answer_by_hash(ctx.session, ballot_hash=key)
        if existing is not None:
            await pulse_answers.change_answer(ctx.session, answer_id=existing.id, value=chosen)
    await pulse_store.use_ballot(ctx.session, token=token)
    await pulse_store.mark_answered(ctx.session, round_id=round_id, person_id=ctx.actor.id or 0)
    for message in await pulse_answers.deliveries_holding(
        ctx.session, person_id=ctx.actor.id or 0, text=token, kinds=BALLOT_KINDS
    ):
        payload = None if message.status in UNDELIVERED else without_buttons(message.payload)
        await pulse_answers.rewrite_delivery(ctx.session, message=message, payload=payload)


async def show(ctx: Context, value: str) -> Reply:
    """`pulse.show`: go back or forth between the questions of a message."""
    parsed = parse_ballot_ref(value)
    card = await card_at(ctx, *parsed) if parsed else None
    return Reply(card=card, replace_original=True) if card else closed(ctx, None)


async def open_questions(ctx: Context, _value: str = "") -> Reply:
    """`/pulse`: the person's unanswered questions of their oldest open pulse, from the first."""
    ballots = await pulse_store.person_ballots(ctx.session, person_id=ctx.actor.id or 0)
    for round_id in dict.fromkeys(ballot.round_id for ballot in ballots):
        chain = [ballot.token for ballot in ballots if ballot.round_id == round_id]
        card = await card_at(ctx, chain, 0)
        if card is not None:
            return Reply(card=card)
    return reply(ctx.t("You have no open pulse questions. Thank you!"))


async def comment_form(ctx: Context, value: str) -> Reply:
    """`pulse.comment`: open the comment form; the token travels in the form, never in the database."""
    parsed = parse_ballot_ref(value)
    found = await locate(ctx, parsed[0][parsed[1]]) if parsed else None
    if found is None or not is_open(ctx, found.pulse):
        return reply(ctx.t("This pulse check is closed; comments are no longer accepted."))
    if found.answer_id is None:
        return reply(ctx.t("Choose an answer first, then add your comment."))
    token = parsed[0][parsed[1]] if parsed else ""
    existing = await pulse_answers.comment_by_hash(ctx.session, ballot_hash=ballot_hash(token, "comment"))
    form = Form(
        action=COMMENT_FORM,
        title=ctx.t("Anonymous comment"),
        submit=ctx.t("Send"),
        metadata=ballot_ref([token], 0),
        inputs=(
            FormInput(
                name="comment",
                label=ctx.t("Your comment, shown with your team's results without your name"),
                kind="multiline",
                max_length=MAX_COMMENT_LENGTH,
                initial=(existing.text,) if existing else (),
            ),
        ),
    )
    return Reply(form=form)


async def submit_comment(ctx: Context, values: Mapping[str, tuple[str, ...]], metadata: str) -> Reply:
    """Store (or replace) the comment; with `BRAVO_SECRET_KEY` set, seal who wrote it so replies can reach them."""
    text = " ".join(values.get("comment", ())).strip()[:MAX_COMMENT_LENGTH]
    parsed = parse_ballot_ref(metadata)
    token = parsed[0][parsed[1]] if parsed else ""
    found = await locate(ctx, token) if parsed else None
    if found is None or not is_open(ctx, found.pulse) or found.answer_id is None:
        return reply(ctx.t("This pulse check is closed; comments are no longer accepted."))
    if not text:
        return reply(ctx.t("Your comment was empty, so nothing was saved."))
    key = ballot_hash(token, "comment")
    comment = await pulse_answers.comment_by_hash(ctx.session, ballot_hash=key)
    if comment is None:
        comment = PulseComment(
            round_id=found.pulse.id or 0, question_id=found.question.id or 0, ballot_hash=key, text=""
        )
        if ctx.policy.secret_key:
            comment.sealed_reply_to = seal(ctx.policy.secret_key, f"{REPLY_TO}:{comment.id}", str(ctx.actor.id))
    comment.text = text
    await pulse_answers.save_comment(ctx.session, comment)
    thanks = ctx.t("Thank you. Your comment will be shown with your team's results, without your name.")
    if comment.sealed_reply_to:
        thanks += " " + ctx.t("If a manager replies, Bravo will pass it on to you without telling them who you are.")
    return reply(thanks)
