"""What a kudos looks like to each reader: the public post, the recipient's message, the giver's confirmation.

Each card is built for one reader's language; a reason's `<@id>` tokens become real mentions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from handlers.context import person_ref
from handlers.i18n import Translator
from handlers.mentions import ANY_TOKEN
from handlers.messages import Card, Line, Mention, PersonRef, Section, Text, compose
from storage.models import Person, Team


@dataclass(frozen=True)
class KudosFacts:
    """A stored kudos as the cards need it."""

    giver: Person
    people: tuple[Person, ...]
    team: Team | None
    team_members: tuple[Person, ...]
    points: int
    reason: str
    values: tuple[str, ...]
    source: str
    mentioned: Mapping[int, Person]
    teams: Mapping[int, Team]

    @property
    def recipient_count(self) -> int:
        return len({person.id for person in (*self.people, *self.team_members)})


def reason_line(reason: str, people: Mapping[int, Person], teams: Mapping[int, Team]) -> Line:
    """The reason as written, its mention tokens shown as mentions (or team names)."""
    parts: list[str | PersonRef] = []
    position = 0
    for match in ANY_TOKEN.finditer(reason):
        if match.start() > position:
            parts.append(reason[position : match.start()])
        if match.group(1):
            person = people.get(int(match.group(1)))
            parts.append(person_ref(person) if person else match.group(0))
        else:
            team = teams.get(int(match.group(2)))
            parts.append(team.name if team else match.group(0))
        position = match.end()
    if position < len(reason):
        parts.append(reason[position:])
    return Line.of(*parts)


def values_text(values: Sequence[str]) -> str:
    return " ".join(f"#{value}" for value in values)


def recipients_line(t: Translator, facts: KudosFacts) -> Line:
    """`@Bob, @Carol and the Platform team`."""
    parts: list[Line] = [Line.of(person_ref(person)) for person in facts.people]
    if facts.team is not None:
        parts.append(Line.of(t("the {team} team", team=facts.team.name)))
    if not parts:
        return Line()
    if len(parts) == 1:
        return parts[0]
    head: list[Text | Mention] = []
    for index, part in enumerate(parts[:-1]):
        if index:
            head.append(Text(text=", "))
        head.extend(part.parts)
    return compose(t("{first} and {last}"), first=Line(parts=tuple(head)), last=parts[-1])


def _why_section(t: Translator, facts: KudosFacts) -> Section:
    if facts.reason:
        return Section(text=reason_line(facts.reason, facts.mentioned, facts.teams), quote=True)
    return Section(text=Line.of(t("for their message")), quote=True)


def _context(t: Translator, facts: KudosFacts) -> tuple[Line, ...]:
    lines: list[Line] = []
    if facts.values:
        lines.append(Line.of(t("Values: {values}", values=values_text(facts.values))))
    return tuple(lines)


def recognition_post(t: Translator, facts: KudosFacts) -> Card:
    """The public post in the recognition channel."""
    each = t.plural("{count} point", "{count} points", facts.points)
    if facts.recipient_count == 1 and facts.team is None:
        template = t("{giver} recognised {recipients} ({points})")
    else:
        template = t("{giver} recognised {recipients} ({points} each)")
    headline = compose(template, giver=person_ref(facts.giver), recipients=recipients_line(t, facts), points=each)
    return Card(
        title=t("Kudos!"),
        sections=(Section(text=headline), _why_section(t, facts)),
        context=_context(t, facts),
        summary=headline.plain()[:150],
    )


def recipient_message(t: Translator, facts: KudosFacts, recipient: Person) -> Card:
    """The direct message a recipient gets."""
    points = t.plural("{count} point", "{count} points", facts.points)
    in_team = facts.team is not None and recipient.id in {member.id for member in facts.team_members}
    named = recipient.id in {person.id for person in facts.people}
    if in_team and not named and facts.team is not None:
        headline = compose(
            t("{giver} recognised your team, {team}: you receive {points}."),
            giver=person_ref(facts.giver),
            team=facts.team.name,
            points=points,
        )
    else:
        headline = compose(t("{giver} gave you {points}."), giver=person_ref(facts.giver), points=points)
    return Card(
        title=t("You received kudos!"),
        sections=(Section(text=headline), _why_section(t, facts)),
        context=(*_context(t, facts), Line.of(t("Type /kudos me to see all your kudos."))),
        summary=headline.plain()[:150],
    )


def allowance_line(t: Translator, *, remaining: int, allowance: int, timezone: str) -> Line:
    """How many points are left today, with a heads-up when none are."""
    if remaining <= 0:
        return Line.of(
            t(
                "That was the last of your {allowance} points for today: your allowance resets at midnight "
                "({timezone}).",
                allowance=allowance,
                timezone=timezone,
            )
        )
    return Line.of(
        t.plural("You have {count} point left to give today.", "You have {count} points left to give today.", remaining)
    )


def confirmation(t: Translator, facts: KudosFacts, *, remaining: int, allowance: int, timezone: str) -> Card:
    """The giver's private confirmation."""
    points = t.plural("{count} point", "{count} points", facts.points)
    if facts.recipient_count > 1:
        template = t("You gave {points} each to {recipients}.")
    else:
        template = t("You gave {points} to {recipients}.")
    headline = compose(template, points=points, recipients=recipients_line(t, facts))
    return Card(
        sections=(Section(text=headline), _why_section(t, facts)),
        context=(*_context(t, facts), allowance_line(t, remaining=remaining, allowance=allowance, timezone=timezone)),
        summary=headline.plain()[:150],
    )
