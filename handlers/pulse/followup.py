"""Anonymous follow-up: a manager replies to a comment, its author reads and answers, and stays unknown.

The comment carries its author's address sealed with `BRAVO_SECRET_KEY` (not in the database). Bravo opens it only
to queue a neutral "you have a reply" notice through a sealed destination (`handlers.delivery.sealed_person_deliveries`:
the outbox row holds the author sealed again, and an idempotency key nobody can recompute), whose button holds the
conversation's id, sealed too; the outbox worker opens the destination as it sends and deletes the row once delivered.
The manager's side is named; the author's never is, even while the platform keeps failing.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.context import Context, first_time, translator_for_person
from handlers.delivery import NewDelivery, person_deliveries, queue, sealed_person_deliveries
from handlers.messages import Card, Choice, Form, FormInput, Line, Reply, Section, reply
from handlers.pulse.answer import MAX_COMMENT_LENGTH, REPLY_TO
from handlers.sealing import seal, unseal
from storage import people as people_store
from storage.models import Person, PulseComment
from storage.models.delivery import UNDELIVERED
from storage.pulse import answers as pulse_answers
from storage.pulse import rounds as pulse_store

REPLY_ACTION = "pulse.reply"
THREAD_ACTION = "pulse.thread"
ANSWER_BACK_ACTION = "pulse.answerback"
FORGET_ACTION = "pulse.forget"
AUTHOR_NOTICE_KIND = "pulse.followup"
MANAGER_NOTICE_KIND = "pulse.followup.manager"
THREAD = "thread"


async def _may_reply(ctx: Context, comment: PulseComment) -> bool:
    if ctx.is_admin:
        return True
    pulse = await pulse_store.get_round(ctx.session, round_id=comment.round_id)
    team = await people_store.get_team(ctx.session, team_id=pulse.team_id) if pulse else None
    return team is not None and team.manager_id == ctx.actor.id


def _author_id(ctx: Context, comment: PulseComment) -> str | None:
    """The author's person id from the comment's sealed address; None without one, or when the secret key has
    changed since the comment was written (the address then stays closed for good)."""
    return unseal(ctx.policy.secret_key, f"{REPLY_TO}:{comment.id}", comment.sealed_reply_to or "")


async def reply_form(ctx: Context, comment_id: str) -> Reply:
    """`pulse.reply`: a manager opens the form to answer an anonymous comment."""
    comment = await pulse_answers.get_comment(ctx.session, comment_id=comment_id)
    if comment is None or not await _may_reply(ctx, comment):
        return reply(ctx.t("Only the team's manager can reply to this comment."))
    if _author_id(ctx, comment) is None:
        return reply(ctx.t("This comment's author can no longer be reached."))
    form = Form(
        action=REPLY_ACTION,
        title=ctx.t("Reply anonymously"),
        submit=ctx.t("Send"),
        metadata=comment.id,
        inputs=(
            FormInput(
                name="reply",
                label=ctx.t("Your reply to: {comment}", comment=comment.text[:300]),
                kind="multiline",
                max_length=MAX_COMMENT_LENGTH,
            ),
        ),
    )
    return Reply(form=form)


def _notice(ctx: Context, person: Person, card: Card, *, kind: str, key: str) -> list[NewDelivery]:
    """A follow-up notice to a manager in the conversation, due now, queued once per message (`key`)."""
    return person_deliveries(
        person=person,
        card=card,
        kind=kind,
        platforms=ctx.policy.platforms,
        dedupe_key=f"pulse-followup:{key}",
        not_before=ctx.now,
    )


def _sealed_notice(ctx: Context, author: Person, card: Card, *, key: str) -> list[NewDelivery]:
    """The notice to the comment's author: a sealed destination, so that no row names them (`key` is digested)."""
    return sealed_person_deliveries(
        person=author,
        card=card,
        kind=AUTHOR_NOTICE_KIND,
        secret=ctx.policy.secret_key,
        platforms=ctx.policy.platforms,
        dedupe_key=f"pulse-followup:{key}",
        not_before=ctx.now,
    )


async def submit_reply(ctx: Context, values: Mapping[str, tuple[str, ...]], comment_id: str) -> Reply:
    """Store the manager's reply and queue a neutral notice to the author, found through the sealed address."""
    text = " ".join(values.get("reply", ())).strip()[:MAX_COMMENT_LENGTH]
    comment = await pulse_answers.get_comment(ctx.session, comment_id=comment_id)
    if comment is None or not await _may_reply(ctx, comment):
        return reply(ctx.t("Only the team's manager can reply to this comment."))
    author_id = _author_id(ctx, comment)
    author = await people_store.get_person(ctx.session, person_id=int(author_id)) if author_id else None
    if author is None or not author.active:
        return reply(ctx.t("This comment's author can no longer be reached."))
    if not text:
        return reply(ctx.t("Your reply was empty, so nothing was sent."))
    if not await first_time(ctx, REPLY_ACTION):
        return reply(ctx.t("Your reply is on its way. The author can answer you; you will not learn who they are."))
    added = await pulse_answers.add_followup(
        ctx.session, comment_id=comment.id, from_author=False, text=text, manager_id=ctx.actor.id
    )
    t = translator_for_person(author, ctx.policy)
    notice = Card(
        title=t("A manager replied to your anonymous comment"),
        sections=(Section(text=Line.of(t("They do not know who you are. Open the reply to read it and answer."))),),
        choices=(
            Choice(
                label=t("Read the reply"), action=THREAD_ACTION, value=seal(ctx.policy.secret_key, THREAD, comment.id)
            ),
        ),
        summary=t("A manager replied to your anonymous comment"),
    )
    await queue(ctx.session, _sealed_notice(ctx, author, notice, key=f"{comment.id}:{added.position}"))
    return reply(ctx.t("Your reply is on its way. The author can answer you; you will not learn who they are."))


async def _own_comment(ctx: Context, sealed_ref: str) -> PulseComment | None:
    """The comment a sealed conversation id points to, if the person asking is its author."""
    comment_id = unseal(ctx.policy.secret_key, THREAD, sealed_ref)
    comment = await pulse_answers.get_comment(ctx.session, comment_id=comment_id) if comment_id else None
    if comment is None:
        return None
    return comment if _author_id(ctx, comment) == str(ctx.actor.id) else None


async def show_thread(ctx: Context, sealed_ref: str) -> Reply:
    """`pulse.thread`: the author reads the conversation about their comment."""
    comment = await _own_comment(ctx, sealed_ref)
    if comment is None:
        return reply(ctx.t("This conversation is no longer available."))
    sections = [Section(text=Line.of(ctx.t("Your comment: {comment}", comment=comment.text)), quote=True)]
    for message in await pulse_answers.followups(ctx.session, comment_id=comment.id):
        if message.from_author:
            line = ctx.t("You: {text}", text=message.text)
        else:
            manager = await people_store.get_person(ctx.session, person_id=message.manager_id or 0)
            name = manager.display_name if manager else ctx.t("Manager")
            line = ctx.t("{name}: {text}", name=name, text=message.text)
        sections.append(Section(text=Line.of(line)))
    card = Card(
        title=ctx.t("Anonymous conversation"),
        sections=tuple(sections),
        choices=(
            Choice(label=ctx.t("Answer"), action=ANSWER_BACK_ACTION, value=sealed_ref, style="primary"),
            Choice(label=ctx.t("End the conversation"), action=FORGET_ACTION, value=sealed_ref),
        ),
        context=(Line.of(ctx.t("Your name is never shown to the manager.")),),
        summary=ctx.t("Anonymous conversation"),
    )
    return Reply(card=card)


async def answer_back_form(ctx: Context, sealed_ref: str) -> Reply:
    """`pulse.answerback`: the author opens the form to answer the manager."""
    if await _own_comment(ctx, sealed_ref) is None:
        return reply(ctx.t("This conversation is no longer available."))
    form = Form(
        action=ANSWER_BACK_ACTION,
        title=ctx.t("Answer anonymously"),
        submit=ctx.t("Send"),
        metadata=sealed_ref,
        inputs=(FormInput(name="reply", label=ctx.t("Your answer"), kind="multiline", max_length=MAX_COMMENT_LENGTH),),
    )
    return Reply(form=form)


async def submit_answer_back(ctx: Context, values: Mapping[str, tuple[str, ...]], sealed_ref: str) -> Reply:
    """Store the author's answer and tell the managers in the conversation, without a name."""
    comment = await _own_comment(ctx, sealed_ref)
    if comment is None:
        return reply(ctx.t("This conversation is no longer available."))
    text = " ".join(values.get("reply", ())).strip()[:MAX_COMMENT_LENGTH]
    if not text:
        return reply(ctx.t("Your reply was empty, so nothing was sent."))
    if not await first_time(ctx, ANSWER_BACK_ACTION):
        return reply(ctx.t("Sent. Your name was not shared."))
    await pulse_answers.add_followup(ctx.session, comment_id=comment.id, from_author=True, text=text)
    messages = await pulse_answers.followups(ctx.session, comment_id=comment.id)
    managers = {message.manager_id for message in messages if message.manager_id is not None}
    notices: list[NewDelivery] = []
    for manager in await people_store.people_by_ids(ctx.session, ids=sorted(managers)):
        t = translator_for_person(manager, ctx.policy)
        card = Card(
            title=t("An anonymous colleague answered you"),
            sections=(
                Section(text=Line.of(t("About the comment: {comment}", comment=comment.text[:300])), quote=True),
                Section(text=Line.of(text)),
            ),
            choices=(Choice(label=t("Reply"), action=REPLY_ACTION, value=comment.id, style="primary"),),
            summary=t("An anonymous colleague answered you"),
        )
        notices += _notice(
            ctx, manager, card, kind=MANAGER_NOTICE_KIND, key=f"{comment.id}:{len(messages)}:{manager.id}"
        )
    await queue(ctx.session, notices)
    return reply(ctx.t("Sent. Your name was not shared."))


async def forget(ctx: Context, sealed_ref: str) -> Reply:
    """`pulse.forget`: the author ends the conversation; the sealed address is erased for good."""
    comment = await _own_comment(ctx, sealed_ref)
    if comment is None:
        return reply(ctx.t("This conversation is no longer available."))
    await pulse_answers.forget_reply_address(ctx.session, comment_id=comment.id)
    return reply(ctx.t("Done: nobody can reply to this comment any more."))


async def forget_delivered_notices(session: AsyncSession) -> None:
    """Delete delivered "you have a reply" notices: once sent, the outbox need not remember whom they went to."""
    for message in await pulse_answers.deliveries_of_kind(session, kind=AUTHOR_NOTICE_KIND):
        if message.status not in UNDELIVERED:
            await pulse_answers.rewrite_delivery(session, message=message, payload=None)
