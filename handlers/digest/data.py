"""Everything the digests of a batch of teams show, loaded with one query per figure for the whole batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.digest.render import highlight_people_ids, highlight_team_ids
from handlers.rewards import Standing, standings
from storage import digest as digest_store
from storage import people as people_store
from storage.digest import Highlight, KudosTally
from storage.models import Person, Team

QUIET_DAYS = 30


@dataclass(frozen=True)
class Window:
    """The half-open period `[since, until)` a digest covers, in UTC."""

    since: datetime
    until: datetime

    @classmethod
    def of(cls, since: datetime, until: datetime) -> Window:
        return cls(since=since.astimezone(UTC), until=until.astimezone(UTC))


@dataclass(frozen=True)
class TeamWeek:
    """One team's recognition over a window, its reward progress and the people nobody recognised lately."""

    team: Team
    members: int
    tally: KudosTally
    givers: int
    values: list[tuple[str, int]]
    highlights: list[Highlight]
    quiet: list[Person]
    standing: Standing


@dataclass
class DigestData:
    """A batch of team weeks plus the people and teams their highlights name."""

    window: Window
    weeks: dict[int, TeamWeek]
    people: dict[int, Person] = field(default_factory=dict)
    teams: dict[int, Team] = field(default_factory=dict)
    organisation: Standing | None = None


async def load_digest_data(session: AsyncSession, *, teams: Sequence[Team], window: Window) -> DigestData:
    """Aggregate the window for every team in `teams` at once."""
    ids = [team.id for team in teams if team.id is not None]
    since, until = window.since, window.until
    sizes = await digest_store.team_sizes(session, team_ids=ids)
    tallies = await digest_store.kudos_tallies(session, team_ids=ids, since=since, until=until)
    givers = await digest_store.givers_per_team(session, team_ids=ids, since=since, until=until)
    values = await digest_store.top_values(session, team_ids=ids, since=since, until=until)
    picked = await digest_store.highlights(session, team_ids=ids, since=since, until=until)
    quiet = await digest_store.unrecognised_members(session, team_ids=ids, since=until - timedelta(days=QUIET_DAYS))
    team_standings, organisation = await standings(session, now=until)
    by_team = {item.team.id: item for item in team_standings if item.team is not None}
    weeks: dict[int, TeamWeek] = {}
    for team in teams:
        team_id = team.id or 0
        weeks[team_id] = TeamWeek(
            team=team,
            members=sizes.get(team_id, 0),
            tally=tallies.get(team_id, KudosTally()),
            givers=givers.get(team_id, 0),
            values=values.get(team_id, []),
            highlights=picked.get(team_id, []),
            quiet=[person for person in quiet.get(team_id, []) if person.id != team.manager_id],
            standing=by_team.get(team_id) or Standing.of(team, None, 0),
        )
    all_highlights = [item for week in weeks.values() for item in week.highlights]
    people = await people_store.people_by_ids(session, ids=sorted(highlight_people_ids(all_highlights)))
    mentioned_teams = {team.id or 0: team for team in teams}
    for team_id in highlight_team_ids(all_highlights) - mentioned_teams.keys():
        found = await people_store.get_team(session, team_id=team_id)
        if found is not None:
            mentioned_teams[team_id] = found
    return DigestData(
        window=window,
        weeks=weeks,
        people={person.id or 0: person for person in people},
        teams=mentioned_teams,
        organisation=organisation,
    )
