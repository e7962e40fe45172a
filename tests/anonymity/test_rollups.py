"""Small teams rolled up: the demo's Sales and Customer Care (3 people each) see their results together, and no
difference between two shown groups, in one round or across rounds, gives the figures of a team too small to show.

The attacker reads only outputs (`bravo pulse results --json`, `/pulse results`, the manager digests): every shown
group's distribution of answers for each question, and each shown team's previous figures through its change. It
subtracts every shown figure from every other and fails when a difference is the answers of a group under the
threshold (Sales alone, Customer Care alone, in either round).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta
from itertools import permutations
from typing import Any

from bot.console.demo import seed_demo
from handlers.policy import Policy
from handlers.pulse import close_now, pulse_report, report_json, send_now
from handlers.pulse.bank_sync import ensure_bank
from handlers.pulse.questions import on_ten
from handlers.routing import run_command
from scheduler.runs import send_digests
from storage import people as people_store
from storage.db import Database
from storage.models import Person
from storage.pulse import rounds as pulse_store
from tests.anonymity.support import no_leak
from tests.conftest import both_engines
from tests.handlers.pulse.test_support import answer_question, context
from tests.scheduler.support import config

ASKED = ("goals-1", "workload-1")
# Each round: team -> answers of its first members (the others do not answer), the same for both questions.
ROUNDS: tuple[dict[str, list[int]], ...] = (
    {"Engineering": [4, 4, 5, 3, 4, 5], "Sales": [1, 2, 2], "Customer Care": [5, 4, 5]},
    {"Engineering": [3, 3, 4, 2, 5, 4], "Sales": [2, 3, 1], "Customer Care": [4, 4]},
)
SMALL = ("Sales", "Customer Care")
Figure = tuple[int, ...]


def _distribution(values: list[int]) -> Figure:
    counts = Counter(values)
    return tuple(counts.get(value, 0) for value in range(1, 6))


def _shown(document: dict[str, Any], label: str) -> dict[str, dict[str, Figure]]:
    """Every shown group's distribution per question: `label/group -> question -> counts of 1..5`."""
    groups = [*document["teams"], *document["rollups"], {**document["organisation"], "team": "organisation"}]
    found: dict[str, dict[str, Figure]] = {}
    for group in groups:
        for question in group.get("questions", []):
            if not question["hidden"]:
                figure = tuple(question["distribution"][str(value)] for value in range(1, 6))
                found.setdefault(f"{label}/{group['team']}", {})[question["id"]] = figure
    return found


def _totals(document: dict[str, Any], label: str) -> dict[str, dict[str, tuple[int, float]]]:
    """Every shown group's (answers, sum of answers) per question, and its previous ones through its change."""
    groups = [*document["teams"], *document["rollups"], {**document["organisation"], "team": "organisation"}]
    found: dict[str, dict[str, tuple[int, float]]] = {}
    for group in groups:
        for question in group.get("questions", []):
            if question["hidden"]:
                continue
            responses, average = question["responses"], question["average"]
            found.setdefault(f"{label}/{group['team']}", {})[question["id"]] = (responses, average * responses)
            if question.get("change") is not None:
                before = (responses, (average - question["change"]) * responses)
                found.setdefault(f"{label}/{group['team']} before", {})[question["id"]] = before
    return found


def _leaks(shown: Mapping[str, Figure], secrets: Mapping[str, Figure]) -> list[str]:
    """Every shown figure, and every difference of two, that equals a hidden group's figure."""
    problems = [f"{name} shows {what}" for name, figure in shown.items() for what, s in secrets.items() if figure == s]
    for (first, a), (second, b) in permutations(shown.items(), 2):
        difference = tuple(x - y for x, y in zip(a, b, strict=True))
        problems.extend(f"{first} − {second} = {secret}" for secret, s in secrets.items() if difference == s)
    return problems


async def _run_round(database: Database, people: dict[str, list[Person]], policy: Policy, at: datetime, n: int) -> None:
    async with database.transaction() as session:
        assert len(await send_now(session, policy=policy, now=at)) == 3
    for key in ASKED:
        for team, values in ROUNDS[n].items():
            await answer_question(database, people[team][: len(values)], key, values, policy, at)
    async with database.transaction() as session:
        await close_now(session, now=at + timedelta(hours=1))


async def _demo(database: Database, policy: Policy) -> dict[str, list[Person]]:
    async with database.transaction() as session:
        await seed_demo(session, values=policy.company_values)
        await ensure_bank(session)
        for question in await pulse_store.all_questions(session):
            question.active = question.key in ASKED
            await pulse_store.save_question(session, question)
        people: dict[str, list[Person]] = {}
        for team in ROUNDS[0]:
            found = await people_store.team_by_name(session, name=team)
            assert found is not None
            members = await people_store.team_members(session, team_id=found.id or 0)
            people[team] = sorted(members, key=lambda person: person.id != found.manager_id)
    return people


async def _read(database: Database, policy: Policy, at: datetime) -> tuple[dict[str, Any], str, str]:
    """The JSON export, Bruno's (Sales) `/pulse results` and every manager digest as it would go."""
    async with database.transaction() as session:
        document = report_json(await pulse_report(session, policy=policy, now=at), "en")
        (bruno,) = await people_store.people_named(session, name="Bruno Dubois")
        card = (await run_command(context(session, bruno, policy, at), "pulse", "results")).card
    outcomes = await send_digests(
        database, config=config(leaderboard=None), policy=policy, now=at, force=True, dry_run=True
    )
    digests = "\n".join(item.card.plain() for item in outcomes if item.card is not None)
    return document, card.plain() if card else "", digests


@both_engines
async def test_the_demo_small_teams_see_rolled_up_results_and_nothing_gives_either_alone(
    database: Database, policy: Policy, now: datetime
) -> None:
    assert policy.anonymity_threshold == 5
    people = await _demo(database, policy)
    shown: dict[str, dict[str, Figure]] = {}
    totals: dict[str, dict[str, tuple[int, float]]] = {}
    secrets: dict[str, Figure] = {}
    for number in range(len(ROUNDS)):
        at = now + timedelta(days=7 * number)
        await _run_round(database, people, policy, at, number)
        document, chat, digests = await _read(database, policy, at + timedelta(hours=2))
        (rollup,) = document["rollups"]
        assert rollup["team"] == "Customer Care + Sales" and rollup["rolled_up"]
        assert rollup["answered"] == sum(len(ROUNDS[number][team]) for team in SMALL)
        assert {group["team"]: group.get("rolled_up_into") for group in document["teams"] if group["hidden"]} == {
            "Sales": "Customer Care + Sales",
            "Customer Care": "Customer Care + Sales",
        }
        assert "Customer Care + Sales (petites équipes regroupées)" in chat, chat
        assert "Pulse de Customer Care + Sales ensemble" in digests
        shown.update(_shown(document, f"round {number + 1}"))
        totals.update(_totals(document, f"round {number + 1}"))
        for team in SMALL:
            secrets[f"{team} in round {number + 1}"] = _distribution(ROUNDS[number][team])
    problems: list[str] = []
    for key in ASKED:
        by_group = {name: figures[key] for name, figures in shown.items() if key in figures}
        problems.extend(f"{key}: {leak}" for leak in _leaks(by_group, secrets))
        sums = {name: figures[key] for name, figures in totals.items() if key in figures}
        for (first, (n1, s1)), (second, (n2, s2)) in permutations(sums.items(), 2):
            for secret, figure in secrets.items():
                values = [value for value, count in zip(range(1, 6), figure, strict=True) for _ in range(count)]
                if n1 - n2 == len(values) and abs(s1 - s2 - sum(values)) < 0.05 * len(values):
                    problems.append(f"{key}: total of {first} − {second} = {secret}")
    no_leak(problems, "A group under the threshold is recovered from the shown figures:")


def test_the_attacker_finds_a_group_left_as_the_difference_of_two_shown_ones() -> None:
    shown = {"organisation": (1, 2, 0, 1, 0), "Engineering": (0, 1, 0, 1, 0)}
    assert _leaks(shown, {"Sales": (1, 1, 0, 0, 0)}) == ["organisation − Engineering = Sales"]
    assert _leaks(shown, {"Sales": (1, 0, 0, 0, 0)}) == []


def _mean_on_ten(values: list[int]) -> float:
    return sum(on_ten("agree5", value) for value in values) / len(values)


@both_engines
async def test_a_rollups_change_across_rounds_compares_pools_of_the_same_teams_and_gives_neither_alone(
    database: Database, policy: Policy, now: datetime
) -> None:
    people = await _demo(database, policy)
    for number in range(len(ROUNDS)):
        await _run_round(database, people, policy, now + timedelta(days=7 * number), number)
    at = now + timedelta(days=7, hours=2)
    async with database.transaction() as session:
        report = await pulse_report(session, policy=policy, now=at)
    (rollup,) = report.rollups
    pools = [[value for team in SMALL for value in ROUNDS[number][team]] for number in range(len(ROUNDS))]
    for driver in ("goals", "workload"):
        trend = next(item for item in rollup.trends if item.driver == driver)
        assert [round(measure.score, 6) for measure in trend.measures] == [round(_mean_on_ten(p), 6) for p in pools]
        assert trend.change is not None
        # What the change and the participation let a reader compute: the previous pool's mean and total, and the
        # difference of the two pools' totals. None is one small team's figure, in either round.
        previous, last = trend.last.score - trend.change, trend.last.score
        figures = {(len(pool), _mean_on_ten(pool) * len(pool)) for pool in pools}
        figures.add((len(pools[0]) - len(pools[1]), previous * len(pools[0]) - last * len(pools[1])))
        alone = [
            (len(ROUNDS[n][team]), _mean_on_ten(ROUNDS[n][team]) * len(ROUNDS[n][team]))
            for n in (0, 1)
            for team in SMALL
        ]
        assert not [
            item for item in alone for count, total in figures if count == item[0] and abs(total - item[1]) < 1e-6
        ]
    _, _, digests = await _read(database, policy, at)
    goals = next(item for item in rollup.trends if item.driver == "goals")
    assert f"{goals.last.score:.1f}/10 ↓ {goals.change:+.1f}" in digests
