"""Leaderboards: calendar periods in the workspace time zone, teams first, people only when allowed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.i18n import Translator
from handlers.kudos.leaderboard import build_leaderboard, leaderboard_card, parse_period, period_start
from handlers.policy import Policy
from storage import people as people_store
from storage.db import Database
from storage.kudos import entries as kudos_store
from storage.kudos.entries import NewKudos, NewRecipient
from storage.models import Person, Team
from tests.conftest import both_engines

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 18, 10, 30, tzinfo=UTC)  # a Wednesday


@pytest.mark.parametrize(
    ("period", "start"),
    [
        ("week", datetime(2026, 11, 15, 23, 0, tzinfo=UTC)),
        ("month", datetime(2026, 10, 31, 23, 0, tzinfo=UTC)),
        ("quarter", datetime(2026, 9, 30, 22, 0, tzinfo=UTC)),
        ("all", None),
    ],
)
def test_periods_start_at_local_midnight(period: str, start: datetime | None) -> None:
    assert period_start(period, NOW, PARIS) == start  # type: ignore[arg-type]


def test_period_words_in_both_languages() -> None:
    assert [parse_period(word) for word in ("", "Month", "trimestre", "tout", "fortnight")] == [
        "week",
        "month",
        "quarter",
        "all",
        None,
    ]


async def _seed(database: Database) -> dict[str, Person]:
    async with database.transaction() as session:
        a, b = Team(name="Alpha"), Team(name="Beta")
        await people_store.save(session, a)
        await people_store.save(session, b)
        people = {
            "giver": Person(display_name="Giver"),
            "ann": Person(display_name="Ann", team_id=a.id),
            "bob": Person(display_name="Bob", team_id=b.id),
            "cy": Person(display_name="Cy", team_id=b.id),
        }
        for person in people.values():
            await people_store.save(session, person)
        moments = [
            ("ann", 3, NOW - timedelta(days=1)),
            ("bob", 2, NOW - timedelta(hours=1)),
            ("cy", 2, NOW - timedelta(hours=2)),
            ("ann", 5, NOW - timedelta(days=10)),
        ]
        for index, (name, points, moment) in enumerate(moments):
            recipient = people[name]
            new = NewKudos(
                giver_id=people["giver"].id or 0,
                points=points,
                message="thanks",
                source="command",
                platform="console",
                idempotency_key=f"k{index}",
                created_at=moment,
                recipients=[NewRecipient(recipient.id or 0, recipient.team_id)],
                values=["teamwork"],
            )
            await kudos_store.insert_many(session, [new])
    return people


@both_engines
async def test_teams_first_then_people_per_period(database: Database) -> None:
    await _seed(database)
    policy = Policy(timezone="Europe/Paris")
    async with database.sessions() as session:
        week = await build_leaderboard(session, policy, period="week", now=NOW)
        month = await build_leaderboard(session, policy, period="month", now=NOW)
        everything = await build_leaderboard(session, policy, period="all", now=NOW)
        hidden = await build_leaderboard(session, Policy(show_people_leaderboard=False), period="week", now=NOW)
    assert [(team.name, team.points, team.kudos) for team in week.teams] == [("Beta", 4, 2), ("Alpha", 3, 1)]
    assert [(p.person.display_name, p.points) for p in week.people] == [("Ann", 3), ("Bob", 2), ("Cy", 2)]
    assert [(team.name, team.points) for team in month.teams] == [("Alpha", 8), ("Beta", 4)]
    assert everything.teams == month.teams
    assert hidden.people == [] and not hidden.people_shown and hidden.teams
    card = leaderboard_card(Translator("fr"), week).plain()
    assert card.index("Équipes") < card.index("Personnes") and "cette semaine" in card and "🥇 Beta" in card
    assert "Personnes" not in leaderboard_card(Translator("fr"), hidden).plain()
