"""The neutral cards of team action plans: the invitation after a pulse, the vote, the commitments, the reminder.

Every figure here comes from the pulse report (already suppressed below the anonymity threshold) or from the plan
that stored what the team was shown; people are mentions, what members typed is plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from handlers.actions.focus import Focus, pillar_name
from handlers.actions.numbers import score_text
from handlers.actions.outcome import CheckinView, outcome_lines
from handlers.i18n import Translator
from handlers.messages import Card, Choice, FieldItem, Line, PersonRef, Section, compose
from handlers.pulse import ENPS_DRIVER, DriverResult, driver_name
from storage.models import ActionPlan, ActionProposal
from storage.models.actions import DONE

PROPOSE_ACTION = "actions.propose"
VOTE_ACTION = "actions.vote"
DONE_ACTION = "actions.done"
PLAN_KIND = "action_plan"
REMINDER_KIND = "action_reminder"
MAX_VOTE_BUTTONS = 4
MAX_SUGGESTIONS = 5
MAX_SHOWN = 10


@dataclass(frozen=True)
class Proposed:
    """A proposal as a card shows it: its owner as a mention and its votes."""

    proposal: ActionProposal
    owner: PersonRef
    votes: int = 0
    checkin: CheckinView | None = None


def driver_fields(t: Translator, drivers: Sequence[DriverResult]) -> tuple[FieldItem, ...]:
    """The team's driver scores, weakest first (eNPS is not a driver a team acts on)."""
    ranked = sorted((item for item in drivers if item.driver != ENPS_DRIVER), key=lambda item: item.score)
    return tuple(
        FieldItem(label=driver_name(t, item.driver), value=Line.of(score_text(t, item.score))) for item in ranked
    )


def focus_line(t: Translator, focus: Focus) -> str:
    driver = driver_name(t, focus.driver)
    if focus.pillar is None:
        return t("Lowest score: {driver} ({score}).", driver=driver, score=score_text(t, focus.score))
    return t(
        "Weakest pillar: {pillar}, with {driver} at {score}.",
        pillar=pillar_name(t, focus.pillar),
        driver=driver,
        score=score_text(t, focus.score),
    )


def proposal_line(t: Translator, item: Proposed, *, votes: bool = True) -> Line:
    """`Fix the build: @Owner, by Dec 17 (2 votes)`."""
    line = compose(
        t("{action}: {owner}, by {day}"), action=item.proposal.text, owner=item.owner, day=t.day(item.proposal.due_on)
    )
    suffix = ""
    if votes:
        suffix = " (" + t.plural("{count} vote", "{count} votes", item.votes) + ")"
    if item.proposal.status == DONE:
        suffix += " ✓ " + t("done")
    return Line(parts=(*line.parts, *Line.of(suffix).parts)) if suffix else line


def plan_card(
    t: Translator,
    *,
    team: str,
    plan: ActionPlan,
    focus: Focus,
    drivers: Sequence[DriverResult] = (),
    suggestions: Sequence[str] = (),
    proposed: Sequence[Proposed] = (),
) -> Card:
    """The invitation after a pulse (with `drivers`), or the vote as it stands (without)."""
    driver = driver_name(t, focus.driver)
    title = t("{team}: what could we do ourselves?", team=team)
    sections: list[Section] = []
    if drivers:
        sections.append(Section(text=Line.of(t("Your pulse results are out."))))
        sections.append(Section(fields=driver_fields(t, drivers)))
    sections.append(Section(text=Line.of(focus_line(t, focus))))
    sections.append(Section(text=Line.of(t("What could we do ourselves about {driver}?", driver=driver))))
    if suggestions:
        ideas = "\n".join(f"• {idea}" for idea in suggestions[:MAX_SUGGESTIONS])
        sections.append(Section(text=Line.of(t("Ideas to start from:") + "\n" + ideas)))
    if proposed:
        sections.append(Section(text=Line.of(t("Proposed actions:"))))
        sections.extend(Section(text=proposal_line(t, item)) for item in proposed[:MAX_SHOWN])
    choices = [Choice(label=t("Propose an action"), action=PROPOSE_ACTION, value=str(plan.id), style="primary")]
    choices.extend(
        Choice(label=t("Vote: {action}", action=item.proposal.text)[:75], action=VOTE_ACTION, value=_vote(item))
        for item in proposed[:MAX_VOTE_BUTTONS]
    )
    closes = t.deadline(plan.vote_closes_at)
    context = t(
        "One vote each; voting again moves your vote. The one or two actions with the most votes when the vote "
        "closes ({closes}) become the team's commitments; one backed by more than half of the team at once.",
        closes=closes,
    )
    return Card(
        title=title, sections=tuple(sections), choices=tuple(choices), context=(Line.of(context),), summary=title
    )


def _vote(item: Proposed) -> str:
    return f"{item.proposal.plan_id}:{item.proposal.id}"


def commitment_sections(t: Translator, items: Sequence[Proposed], *, team: str | None = None) -> list[Section]:
    """The team's commitments, for `/pulse`, the App Home and the manager digest; nothing when there are none."""
    if not items:
        return []
    heading = t("Commitments of {team}:", team=team) if team else t("Your team's commitments:")
    lines: list[Section] = []
    for item in items[:MAX_SHOWN]:
        lines.append(Section(text=proposal_line(t, item, votes=False)))
        if item.checkin is not None:
            lines.append(Section(text=Line.of("\n".join(outcome_lines(t, item.checkin))), quote=True))
    return [Section(text=Line.of(heading)), *lines]


def reminder_card(t: Translator, item: Proposed) -> Card:
    """The owner's reminder before the due date, with the one tap that marks it done."""
    title = t("Reminder: your team's action is due {day}", day=t.day(item.proposal.due_on))
    return Card(
        title=title,
        sections=(Section(text=Line.of(item.proposal.text), quote=True),),
        choices=(Choice(label=t("Mark as done"), action=DONE_ACTION, value=str(item.proposal.id), style="primary"),),
        context=(Line.of(t("You own this action. Mark it done once it is done.")),),
        summary=title,
    )


def done_choices(t: Translator, items: Sequence[Proposed]) -> tuple[Choice, ...]:
    """One "Mark as done" button per commitment not done yet."""
    return tuple(
        Choice(
            label=t("Mark as done: {action}", action=item.proposal.text)[:75],
            action=DONE_ACTION,
            value=str(item.proposal.id),
        )
        for item in items
        if item.proposal.status != DONE
    )


def decided_card(t: Translator, *, team: str, items: Sequence[Proposed]) -> Card:
    """What the team chose, posted when its commitments are decided."""
    title = t("{team} commits to:", team=team)
    sections = tuple(Section(text=proposal_line(t, item, votes=False)) for item in items)
    choices = done_choices(t, items)
    context = (Line.of(t("The owner marks each action done with one tap.")),)
    return Card(title=title, sections=sections, choices=choices, context=context, summary=title)
