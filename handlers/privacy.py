"""Privacy: what Bravo stores and why, a person's export, and forgetting a person without breaking the record.

Forgetting keeps the kudos a person gave (their recipients keep their recognition) but removes every way back to
who gave them; their "has answered" pulse records go, and anonymous pulse answers are untouched because nothing ever
tied them to anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.i18n import Translator
from handlers.messages import Card, FieldItem, Line, Reply, Section
from handlers.policy import Policy
from storage import people as people_store
from storage import privacy as privacy_store
from storage.models import Person

FORGET_DELETES = {"pulse_participation", "pulse_ballot", "outbox", "teams_conversation", "reward_vote"}
FORGET_DETACHES = {("person", "manager_id"), ("team", "manager_id")}
# Left out of an export though they point at the person: whoever reads an export (the admin who runs it, a mailbox
# it is sent to) must not be able to answer a pulse in their name or link them to an answer. Unused ballot tokens
# are left out, and so is the content of pulse messages (their buttons hold ballot tokens). Answers and comments
# point at nobody, and a sealed notice names nobody, so no export can find them.
EXPORT_WITHHOLDS_TABLES = {"pulse_ballot"}
EXPORT_WITHHOLDS_PAYLOADS_OF = "pulse."
WITHHELD = "(withheld: a pulse message, whose buttons would let its reader answer in this person's name)"
EXPORT_NOTE = (
    "Pulse answers, comments, ballot tokens and the content of pulse messages are not included: answers and "
    "comments are stored with no link to anyone, and tokens would let whoever reads this export answer in your name."
)


def privacy_reply(t: Translator, policy: Policy) -> Reply:
    """The `/kudos privacy` card, in the reader's language."""
    stored = (
        (t("Who you are"), t("name, email, team, manager, time zone and language, from the directory and Slack/Teams")),
        (t("Kudos"), t("who recognised whom, when, the points, values and reason: they are public recognition")),
        (
            t("Pulse answers"),
            t("stored with no link to you; Bravo records that you were asked, and only counts how many answered"),
        ),
        (t("Messages to deliver"), t("kept until delivered, so none is lost if Bravo restarts")),
    )
    fields = tuple(FieldItem(label=label, value=Line.of(text)) for label, text in stored)
    fields += (FieldItem(label=t("How long"), value=Line.of(retention_text(t, policy))),)
    card = Card(
        title=t("What Bravo stores about you, and why"),
        sections=(Section(fields=fields),),
        context=(
            Line.of(
                t(
                    "Pulse results are shown only for groups of at least {threshold} people. "
                    "Ask an admin for an export of your data or to be forgotten.",
                    threshold=policy.anonymity_threshold,
                )
            ),
        ),
        summary=t("What Bravo stores about you, and why"),
    )
    return Reply(card=card)


def retention_text(t: Translator, policy: Policy) -> str:
    """How long the words of kudos and comments are kept, as configured."""
    if policy.kudos_text_retention_days:
        kudos = t(
            "the words of a kudos are removed after {days} days (its points and values stay)",
            days=policy.kudos_text_retention_days,
        )
    else:
        kudos = t("the words of a kudos are kept until you ask an admin to remove them")
    if policy.comment_retention_days:
        comments = t(
            "pulse comments are deleted {days} days after their pulse closes", days=policy.comment_retention_days
        )
    else:
        comments = t("pulse comments are kept with their pulse's results")
    return f"{kudos}; {comments}."


@dataclass(frozen=True)
class ForgetReport:
    person_id: int
    rows_removed: int


async def export_person(session: AsyncSession, *, person: Person) -> dict[str, Any]:
    """Everything about a person, as JSON-ready data."""
    assert person.id is not None
    return {
        "person_id": person.id,
        "note": EXPORT_NOTE,
        "tables": _withhold(await privacy_store.rows_about(session, person_id=person.id)),
    }


def _withhold(tables: dict[str, list[dict[str, object]]]) -> dict[str, list[dict[str, object]]]:
    """The export's tables without what `EXPORT_WITHHOLDS_*` names (keys are `table.column`, or `person`)."""
    kept: dict[str, list[dict[str, object]]] = {}
    for name, rows in tables.items():
        table = name.partition(".")[0]
        if table in EXPORT_WITHHOLDS_TABLES:
            continue
        kept[name] = [
            {**row, "payload": WITHHELD}
            if table == "outbox" and str(row.get("kind", "")).startswith(EXPORT_WITHHOLDS_PAYLOADS_OF)
            else row
            for row in rows
        ]
    return kept


async def forget_person(session: AsyncSession, *, person: Person, t: Translator) -> ForgetReport:
    """Pseudonymise the person and remove what only served to reach them."""
    assert person.id is not None
    removed = await privacy_store.delete_rows_about(session, person_id=person.id, tables=FORGET_DELETES)
    await privacy_store.detach_references(session, person_id=person.id, columns=FORGET_DETACHES)
    person.display_name = t("Former colleague")
    for field in ("email", "slack_id", "slack_dm_channel", "teams_id", "aad_object_id", "timezone", "language"):
        setattr(person, field, None)
    person.team_id = None
    person.manager_id = None
    person.is_admin = False
    person.active = False
    await people_store.save(session, person)
    return ForgetReport(person_id=person.id, rows_removed=removed)
