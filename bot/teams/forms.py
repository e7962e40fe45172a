"""The Teams people picker speaks AAD object ids, the core Bravo person ids; and what a form becomes when Teams has
not said yet who someone picked is.

A picked person the roster has not described within the wait (`bot.teams.picker`) makes the form come back
instead of being submitted without them: the same form, nothing given, the picker showing everyone who was picked
(Teams shows a person from their AAD object id alone) and a line saying how many Teams has not found yet. Every
other answer (points, values, message) rides along unseen, so "Send again" a moment later, when the look-up has
landed, gives exactly what was asked, and someone who is not in this team can be taken out of the picker first.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.teams.activities import Submission
from handlers.i18n import Translator
from handlers.messages import Form, FormInput, FormOption
from storage import people as people_store

AGAIN_FORM = "teams.form.again"


async def people_choices(session: AsyncSession, form: Form) -> Form:
    """Pre-selected people (Bravo ids) as picker choices (AAD ids) the card can show selected; an AAD object id
    already there (a form come back, `again_form`) stays as it is: Teams shows that person by it."""
    inputs: list[FormInput] = []
    for item in form.inputs:
        if item.kind != "people" or not item.initial:
            inputs.append(item)
            continue
        ids = [int(value) for value in item.initial if value.isdigit()]
        people = [person for person in await people_store.people_by_ids(session, ids=ids) if person.aad_object_id]
        options = tuple(FormOption(label=person.display_name, value=person.aad_object_id or "") for person in people)
        initial = (*(option.value for option in options), *(value for value in item.initial if not value.isdigit()))
        inputs.append(item.model_copy(update={"options": (*item.options, *options), "initial": initial}))
    return form.model_copy(update={"inputs": tuple(inputs)})


def again_form(t: Translator, submission: Submission, missing: int) -> Form:
    """The submitted form back, unsent: its people pickers as they were picked, its other answers carried along."""
    carried = {
        "form": submission.form,
        "metadata": submission.metadata,
        "inputs": {name: list(values) for name, values in submission.inputs.items()},
        "rendering": submission.rendering,
    }
    note = t.plural(
        "Teams has not found one of the people you picked yet, so nothing was sent. Send it again in a moment "
        "(your other answers are kept), or take out anyone who is not in this team.",
        "Teams has not found {count} of the people you picked yet, so nothing was sent. Send it again in a moment "
        "(your other answers are kept), or take out anyone who is not in this team.",
        missing,
    )
    inputs = tuple(
        FormInput(name=name, label=note if index == 0 else "", kind="people", initial=picked)
        for index, (name, picked) in enumerate(submission.people_inputs.items())
    )
    return Form(
        action=AGAIN_FORM,
        title=t("Nothing was sent yet"),
        submit=t("Send again"),
        inputs=inputs,
        metadata=json.dumps(carried, ensure_ascii=False, separators=(",", ":")),
    )


def unwrapped(submission: Submission) -> Submission:
    """A form sent again (`again_form`) as the original submission, with the people as now picked."""
    if submission.form != AGAIN_FORM:
        return submission
    try:
        carried = json.loads(submission.metadata)
    except ValueError:
        carried = None
    if not isinstance(carried, dict):
        return Submission(form=AGAIN_FORM, card_id=submission.card_id)
    inputs = carried.get("inputs")
    return Submission(
        form=str(carried.get("form") or ""),
        metadata=str(carried.get("metadata") or ""),
        inputs=_inputs(inputs if isinstance(inputs, Mapping) else {}),
        people_inputs=submission.people_inputs,
        card_id=submission.card_id,
        rendering=str(carried.get("rendering") or ""),
    )


def _inputs(raw: Mapping[str, object]) -> dict[str, tuple[str, ...]]:
    return {
        str(name): tuple(str(value) for value in values) for name, values in raw.items() if isinstance(values, list)
    }
