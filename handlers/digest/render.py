"""Pieces shared by the manager digest and the team digest: highlighted quotes, values and reward progress."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from handlers.context import person_ref
from handlers.i18n import Translator
from handlers.mentions import ANY_TOKEN
from handlers.messages import Line, PersonRef, Section, compose
from handlers.rewards import Standing, progress_bar
from storage.digest import Highlight
from storage.models import Person, Team

QUOTE_LENGTH = 200


def message_line(message: str, people: Mapping[int, Person], teams: Mapping[int, Team]) -> Line:
    """A kudos reason as written (shortened), its `<@id>` tokens shown as mentions and team tokens as names."""
    text = message if len(message) <= QUOTE_LENGTH else message[: QUOTE_LENGTH - 1].rstrip() + "…"
    parts: list[str | PersonRef] = []
    position = 0
    for match in ANY_TOKEN.finditer(text):
        if match.start() > position:
            parts.append(text[position : match.start()])
        if match.group(1):
            person = people.get(int(match.group(1)))
            parts.append(person_ref(person) if person else "@?")
        else:
            team = teams.get(int(match.group(2)))
            parts.append(team.name if team else "@?")
        position = match.end()
    if position < len(text):
        parts.append(text[position:])
    return Line.of(*parts)


def highlight_sections(
    t: Translator, items: Sequence[Highlight], people: Mapping[int, Person], teams: Mapping[int, Team]
) -> list[Section]:
    """`@Ann to @Bob, @Cy:` followed by the quoted reason, for each highlight."""
    sections: list[Section] = []
    for item in items:
        giver = people.get(item.giver_id)
        recipients = [person_ref(people[person_id]) for person_id in item.recipient_ids if person_id in people]
        if giver is None or not recipients:
            continue
        heading = compose(t("{giver} to {recipients}:"), giver=person_ref(giver), recipients=recipients)
        sections.append(Section(text=heading))
        sections.append(Section(text=message_line(item.message, people, teams), quote=True))
    return sections


def values_line(values: Sequence[tuple[str, int]]) -> str:
    """`#teamwork (5), #courage (2)`."""
    return ", ".join(f"#{value} ({count})" for value, count in values)


def goal_line(t: Translator, standing: Standing) -> str:
    """A team's (or the organisation's) progress towards its reward, or how to choose one."""
    if standing.goal:
        return t(
            "{pot} / {goal} points towards {reward} {bar}",
            pot=standing.pot,
            goal=standing.goal,
            reward=standing.reward or "",
            bar=progress_bar(standing.pot, standing.goal),
        )
    return t("No goal yet: vote for the reward you want to work towards with /rewards.")


def highlight_people_ids(items: Sequence[Highlight]) -> set[int]:
    """Everyone a set of highlights names: givers, recipients and people mentioned in the reasons."""
    ids: set[int] = set()
    for item in items:
        ids.add(item.giver_id)
        ids.update(item.recipient_ids)
        ids.update(int(match.group(1)) for match in ANY_TOKEN.finditer(item.message) if match.group(1))
    return ids


def highlight_team_ids(items: Sequence[Highlight]) -> set[int]:
    return {int(match.group(2)) for item in items for match in ANY_TOKEN.finditer(item.message) if match.group(2)}
