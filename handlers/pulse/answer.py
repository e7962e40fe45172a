"""Answering a pulse with one tap per question, moving through the questions, changing answers, adding a comment.

A pulse arrives as one message showing its first question; every button carries a ballot (`tokens.Ballot`): the
round, the question's position, the version of the answer the card showed and the person's token. A tap counts only
when that token is the one recomputed for the person tapping, so someone else's buttons are worth nothing. The answer
is stored under a key made with the secret, and the round's first answer adds a respondent row under another such
key: nothing else is written, nothing that names the person, so reading the database before and after a tap tells
nobody who tapped. A tap carrying an older version than the stored answer's (a replayed request, a Slack retry, an
old copy of the card) changes nothing: it moves on when the answer kept is the one tapped (a double click), and
otherwise shows the question as it is now.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from handlers.context import Context
from handlers.messages import Card, Form, FormInput, Line, Reply, reply
from handlers.pulse.cards import COMMENT_FORM, closed_card, question_card
from handlers.pulse.expired import NO_LONGER_ANSWERABLE
from handlers.pulse.questions import SCALES
from handlers.pulse.tokens import (
    Ballot,
    ballot_token,
    is_ballot_of,
    key_check,
    parse_answer,
    parse_ballot,
    seal,
    stored_key,
)
from storage.models import PulseAnswer, PulseComment, PulseQuestion, PulseRound
from storage.pulse import answers as pulse_answers
from storage.pulse import rounds as pulse_store

MAX_COMMENT_LENGTH = 1000
REPLY_TO = "reply-to"


@dataclass(frozen=True)
class Found:
    """What a ballot of the person tapping leads to: its round and question, and their answer to it if any."""

    pulse: PulseRound
    question: PulseQuestion
    total: int
    ballot: Ballot
    answer: PulseAnswer | None

    def key(self, ctx: Context, purpose: str) -> str:
        """The person's `answer` or `comment` key for this question."""
        round_id, person_id = self.ballot.round_id, ctx.actor.id or 0
        return stored_key(ctx.policy.secret_key, purpose, round_id, person_id, self.question.id or 0)


def mine(ctx: Context, ballot: Ballot) -> bool:
    """Whether the ballot's token was made for the person tapping."""
    return is_ballot_of(ctx.policy.secret_key, ballot.token, ballot.round_id, ctx.actor.id or 0)


async def not_mine(ctx: Context, ballot: Ballot) -> Reply:
    """Why a ballot does not verify: the secret key changed since the round was sent (its buttons can no longer
    answer), or the buttons were made for someone else."""
    pulse = await pulse_store.get_round(ctx.session, round_id=ballot.round_id)
    secret = ctx.policy.secret_key
    if pulse is not None and pulse.key_check and (not secret or key_check(secret) != pulse.key_check):
        return reply(ctx.t(NO_LONGER_ANSWERABLE))
    return reply(ctx.t("This question was sent to someone else."))


async def locate(ctx: Context, ballot: Ballot) -> Found | None:
    """The question a ballot of the person tapping points to, and their answer; None when there is none."""
    pulse = await pulse_store.get_round(ctx.session, round_id=ballot.round_id)
    ids = (await pulse_store.round_question_ids(ctx.session, round_ids=[ballot.round_id])).get(ballot.round_id, [])
    if pulse is None or ballot.position >= len(ids):
        return None
    question = (await pulse_store.questions_by_ids(ctx.session, ids=[ids[ballot.position]])).get(ids[ballot.position])
    if question is None:
        return None
    found = Found(pulse, question, len(ids), ballot, None)
    answer = await pulse_answers.answer_by_hash(ctx.session, ballot_hash=found.key(ctx, "answer"))
    return replace(found, answer=answer)


def is_open(ctx: Context, pulse: PulseRound) -> bool:
    return not pulse.closed and ctx.now < pulse.closes_at


def closed(ctx: Context, found: Found | None) -> Reply:
    return Reply(card=closed_card(ctx.t, found.question if found else None), replace_original=True)


async def card_at(ctx: Context, ballot: Ballot, *, saved: bool = False) -> Card | None:
    """The card showing the ballot's question with the person's answer (and its version); None once closed."""
    found = await locate(ctx, ballot)
    if found is None or not is_open(ctx, found.pulse):
        return None
    answer = found.answer
    return question_card(
        ctx.t,
        found.question,
        replace(ballot, version=answer.version if answer else 0),
        found.total,
        deadline=ctx.t.deadline(found.pulse.closes_at),
        threshold=ctx.policy.anonymity_threshold,
        chosen=answer.value if answer else None,
        saved=saved,
        subject=found.pulse.subject,
    )


async def answer(ctx: Context, value: str) -> Reply:
    """`pulse.answer`: record (or change) one answer, then show the next question (or this one, answered)."""
    parsed = parse_answer(value)
    if parsed is None:
        return closed(ctx, None)
    ballot, chosen = parsed
    if not mine(ctx, ballot):
        return await not_mine(ctx, ballot)
    found = await locate(ctx, ballot)
    if found is None or not is_open(ctx, found.pulse):
        return closed(ctx, found)
    if chosen not in SCALES[found.question.scale]:
        return reply(ctx.t("That answer is not one of the choices."))
    following = ballot.position
    if await _record(ctx, found, chosen) or await _holds(ctx, ballot, chosen):
        following = min(ballot.position + 1, found.total - 1)
    card = await card_at(ctx, replace(ballot, position=following), saved=following != ballot.position)
    return Reply(card=card, replace_original=True) if card else closed(ctx, found)


async def _record(ctx: Context, found: Found, chosen: int) -> bool:
    """Store a first answer (and count the person once as a respondent) or change the answer the card showed;
    False, with nothing written, for a tap whose version is not the stored one."""
    key = found.key(ctx, "answer")
    if found.answer is not None:
        version = found.ballot.version
        return await pulse_answers.change_answer(ctx.session, ballot_hash=key, value=chosen, version=version)
    round_id = found.pulse.id or 0
    if found.ballot.version != 0 or not await pulse_answers.add_answer(
        ctx.session, round_id=round_id, question_id=found.question.id or 0, ballot_hash=key, value=chosen
    ):
        return False
    respondent = stored_key(ctx.policy.secret_key, "respondent", round_id, ctx.actor.id or 0)
    await pulse_store.add_respondent(ctx.session, round_id=round_id, key=respondent)
    return True


async def _holds(ctx: Context, ballot: Ballot, chosen: int) -> bool:
    """Whether the stored answer already is `chosen`: a double click or a platform's retry moves on as the first
    tap did, while a stale tap for another value stays on the question, showing the answer kept."""
    found = await locate(ctx, ballot)
    return found is not None and found.answer is not None and found.answer.value == chosen


async def show(ctx: Context, value: str) -> Reply:
    """`pulse.show`: go back or forth between the questions of a message."""
    ballot = parse_ballot(value)
    if ballot is not None and not mine(ctx, ballot):
        return await not_mine(ctx, ballot)
    card = await card_at(ctx, ballot) if ballot else None
    return Reply(card=card, replace_original=True) if card else closed(ctx, None)


async def open_questions(ctx: Context, _value: str = "") -> Reply:
    """`/pulse`: the first unanswered question of the person's oldest open pulse that has one, numbered as in the
    pulse; when every question is answered, the first one with its answer, to change it while the pulse is open."""
    secret, person_id = ctx.policy.secret_key, ctx.actor.id or 0
    rounds = await pulse_store.invited_open_rounds(ctx.session, person_id=person_id) if secret else []
    asked = await pulse_store.round_question_ids(ctx.session, round_ids=[pulse.id or 0 for pulse in rounds])
    answered: list[Ballot] = []
    for pulse in rounds:
        round_id = pulse.id or 0
        token = ballot_token(secret, round_id, person_id)
        for position, question_id in enumerate(asked.get(round_id, [])):
            key = stored_key(secret, "answer", round_id, person_id, question_id)
            if await pulse_answers.answer_by_hash(ctx.session, ballot_hash=key) is None:
                card = await card_at(ctx, Ballot(round_id, position, 0, token))
                if card is not None:
                    return Reply(card=card)
                break
        else:
            answered.append(Ballot(round_id, 0, 0, token))
    for ballot in answered:
        card = await card_at(ctx, ballot)
        if card is not None:
            note = Line.of(ctx.t("You have answered every question of this pulse; tap another answer to change one."))
            return Reply(card=card.model_copy(update={"context": (note, *card.context)}))
    return reply(ctx.t("You have no open pulse questions. Thank you!"))


async def _own_question(ctx: Context, value: str) -> Found | Reply:
    """The answered, open question a comment button or form points to, else the reply saying why not."""
    ballot = parse_ballot(value)
    if ballot is not None and not mine(ctx, ballot):
        return await not_mine(ctx, ballot)
    found = await locate(ctx, ballot) if ballot else None
    if found is None or not is_open(ctx, found.pulse):
        return reply(ctx.t("This pulse check is closed; comments are no longer accepted."))
    if found.answer is None:
        return reply(ctx.t("Choose an answer first, then add your comment."))
    return found


async def comment_form(ctx: Context, value: str) -> Reply:
    """`pulse.comment`: open the comment form; the ballot travels in the form, never in the database."""
    found = await _own_question(ctx, value)
    if isinstance(found, Reply):
        return found
    existing = await pulse_answers.comment_by_hash(ctx.session, ballot_hash=found.key(ctx, "comment"))
    form = Form(
        action=COMMENT_FORM,
        title=ctx.t("Anonymous comment"),
        submit=ctx.t("Send"),
        metadata=found.ballot.ref(),
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
    found = await _own_question(ctx, metadata)
    if isinstance(found, Reply):
        return found
    if not text:
        return reply(ctx.t("Your comment was empty, so nothing was saved."))
    key = found.key(ctx, "comment")
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
