"""The kudos form (a Slack modal, an Adaptive Card, console prompts) and what happens when it is submitted."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from handlers.context import Context
from handlers.kudos.allowance import over_allowance, remaining_allowance
from handlers.kudos.give import give_kudos
from handlers.kudos.parse import KudosDraft, tidy_reason, value_tags
from handlers.kudos.rules import known_values
from handlers.messages import Choice, Form, FormInput, FormOption, Reply, reply

FORM_ACTION = "kudos.give"
OPEN_FORM_ACTION = "kudos.form"
MAX_PREFILL_MESSAGE = 1500
MAX_ROW_ID = 2**63 - 1
MAX_ID_DIGITS = 19


async def kudos_form(
    ctx: Context,
    *,
    people: Sequence[int] = (),
    points: int = 1,
    values: Sequence[str] = (),
    message: str = "",
) -> Form:
    """The form, optionally pre-filled (a message shortcut names its author; "try again" restores the inputs)."""
    t, policy = ctx.t, ctx.policy
    known = await known_values(ctx)
    return Form(
        action=FORM_ACTION,
        title=t("Give kudos"),
        submit=t("Send"),
        metadata=json.dumps({"channel": ctx.channel}) if ctx.channel else "",
        inputs=(
            FormInput(
                name="people",
                label=t("Who do you want to recognise?"),
                kind="people",
                initial=tuple(str(person_id) for person_id in people),
            ),
            FormInput(
                name="points",
                label=t("Points for each person"),
                kind="number",
                initial=(str(points),),
                min_value=1,
                max_value=policy.max_points_per_kudos,
            ),
            FormInput(
                name="values",
                label=t("Company values"),
                kind="multiselect",
                options=tuple(FormOption(label=f"#{value}", value=value) for value in known),
                initial=tuple(value for value in values if value in known),
                required=False,
            ),
            FormInput(
                name="message",
                label=t("Why? Say what they did"),
                kind="multiline",
                initial=(message,) if message else (),
                max_length=policy.max_message_length,
                placeholder=t("Thanks for staying late to get the release out #teamwork"),
            ),
        ),
    )


async def form_reply(
    ctx: Context, *, people: Sequence[int] = (), points: int = 1, values: Sequence[str] = (), message: str = ""
) -> Reply:
    """The form to fill, or, when the giver has no points left today, why not: before its four questions, not after."""
    if await remaining_allowance(ctx) <= 0:
        return reply(over_allowance(ctx, cost=1, left=0))
    return Reply(form=await kudos_form(ctx, people=people, points=points, values=values, message=message))


async def open_form(ctx: Context, value: str) -> Reply:
    """The "Give kudos" button: opens the form, restoring inputs carried in `value`."""
    prefill = _decode(value)
    return await form_reply(
        ctx,
        people=[number for item in prefill.get("p", []) if (number := _row_id(str(item))) is not None],
        points=_row_id(str(prefill.get("n", 1))) or 1,
        values=[str(item) for item in prefill.get("v", [])],
        message=str(prefill.get("m", "")),
    )


def prefill_value(people: Sequence[int], points: int, values: Sequence[str], message: str) -> str:
    """The inputs "Edit and try again" restores: a line of JSON for the choices, then the message as typed.

    The message stays out of the JSON, which would escape every non-ASCII character, quote and line break (up to
    twelve characters each: a 325-letter Cyrillic message already passed Slack's 2,000-character button value): here
    each character costs one, so a 1,500-character message in any script fits. The choices come first, so a value a
    platform had to shorten still restores them.
    """
    choices = json.dumps({"p": list(people), "n": points, "v": list(values)}, separators=(",", ":"))
    return choices + "\n" + message[:MAX_PREFILL_MESSAGE]


def _decode(value: str) -> dict[str, Any]:
    """A prefill value (`prefill_value`, or the former single JSON object), or form metadata."""
    head, newline, message = value.partition("\n")
    try:
        data = json.loads(head) if head else {}
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {**data, "m": message} if newline else data


def _row_id(text: str) -> int | None:
    """A positive whole number a database row can hold, from a form's raw text in any script's decimal digits; None
    for anything else (digits such as "²" that `int` refuses, numbers beyond a 64-bit key)."""
    text = text.strip()
    if not text.isdecimal() or len(text) > MAX_ID_DIGITS:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ROW_ID else None


def _first(values: Mapping[str, tuple[str, ...]], name: str) -> str:
    items = values.get(name, ())
    return items[0].strip() if items else ""


async def submit_form(ctx: Context, values: Mapping[str, tuple[str, ...]], metadata: str) -> Reply:
    """Give the kudos the form describes; a refusal offers to reopen the form with the inputs kept."""
    channel = _decode(metadata).get("channel")
    if isinstance(channel, str) and not ctx.channel:
        ctx.channel = channel
    people = tuple(dict.fromkeys(number for item in values.get("people", ()) if (number := _row_id(item)) is not None))
    raw_points = _first(values, "points") or "1"
    message = _first(values, "message")
    chosen = tuple(item.strip().lower().lstrip("#") for item in values.get("values", ()) if item.strip())
    if _row_id(raw_points.lstrip("+")) is None:
        answer = reply(ctx.t("Points must be a whole number from 1 to {most}.", most=ctx.policy.max_points_per_kudos))
        return _with_retry(ctx, answer, people, 1, chosen, message)
    points = int(raw_points.lstrip("+"))
    draft = KudosDraft(
        people=people,
        teams=(),
        points=points,
        reason=tidy_reason(message),
        values=tuple(dict.fromkeys((*chosen, *value_tags(message)))),
        points_given=True,
    )
    outcome = await give_kudos(ctx, draft, source="form")
    if outcome.kudos_id is None:
        return _with_retry(ctx, outcome.reply, people, points, chosen, message)
    return outcome.reply


def _with_retry(
    ctx: Context, answer: Reply, people: Sequence[int], points: int, values: Sequence[str], message: str
) -> Reply:
    if answer.card is None:
        return answer
    value = prefill_value(people, points, values, message)
    retry = Choice(label=ctx.t("Edit and try again"), action=OPEN_FORM_ACTION, value=value, style="primary")
    return Reply(card=answer.card.model_copy(update={"choices": (*answer.card.choices, retry)}))
