"""Pulse results in the digests: shown only above the anonymity threshold, with trends, drops, eNPS, comments and
one suggested action; the team's channel never sees comments."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.digest.manager import MANAGER_DIGEST
from handlers.digest.pulse_section import manager_pulse_sections, team_pulse_sections
from handlers.digest.team import TEAM_DIGEST
from handlers.i18n import Translator
from handlers.messages import Card
from handlers.policy import Policy
from handlers.pulse.cards import ANSWER_ACTION
from handlers.pulse.figures import CommentView, DriverResult, QuestionResult
from handlers.pulse.results import GroupResult
from handlers.pulse.send import close_now, send_now
from handlers.pulse.stats import question_stats
from scheduler.runs import send_digests
from storage.db import Database
from storage.models import PulseQuestion
from tests.handlers.pulse.test_support import delivered_cards, tap
from tests.scheduler.support import config, seed_database

ENPS = PulseQuestion(id=1, key="enps", driver="enps", scale="scale10", text_en="Recommend?", text_fr="Recommander ?")
WORKLOAD = PulseQuestion(id=2, key="load", driver="workload", scale="agree5", text_en="Load ok?", text_fr="Charge ?")


def shown_group() -> GroupResult:
    return GroupResult(
        team_id=7,
        name="Engineering",
        hidden=False,
        period="2026-03-24",
        closed=True,
        invited=8,
        answered=6,
        participation_change=0.125,
        questions=(
            QuestionResult(ENPS, hidden=False, stats=question_stats("scale10", [10, 9, 9, 7, 3, 0], is_enps=True)),
            QuestionResult(
                WORKLOAD,
                hidden=False,
                stats=question_stats("agree5", [2, 2, 1, 3, 2, 2], is_enps=False),
                change=-1.2,
                comments=(CommentView("c1", "Too many meetings on Fridays", 0, True),),
            ),
        ),
        drivers=(
            DriverResult("workload", 2.5, 6, -1.5),
            DriverResult("recognition", 7.9, 6, 0.4),
            DriverResult("goals", 6.0, 6, None),
            DriverResult("enps", 6.0, 6, 0.1),
        ),
    )


def text(sections: list) -> str:  # type: ignore[type-arg]
    return Card(sections=tuple(sections)).plain()


def test_the_manager_sees_participation_scores_trends_enps_drops_comments_and_one_action() -> None:
    shown = text(manager_pulse_sections(Translator("en"), shown_group(), threshold=5))
    lines = shown.splitlines()
    assert lines[0] == "Pulse of Mar 24, 2026: 6 of 8 people answered (75%). +12 points since the previous pulse."
    assert lines[1:4] == ["Recognition: 7.9/10 ↑", "Goals: 6.0/10", "Workload: 2.5/10 ↓"]
    assert "eNPS: +17" in shown  # 3 promoters, 2 detractors out of 6
    assert "⚠ Significant drop: Workload fell by 1.5 points since the previous pulse." in shown
    assert "Recognition" not in [line for line in lines if line.startswith("⚠")]
    assert "Anonymous comments" in lines and "Too many meetings on Fridays" in lines
    assert lines[-1].startswith("Suggested action (Workload): Review workloads in your next one-to-ones")


def test_the_manager_reads_it_in_french() -> None:
    shown = text(manager_pulse_sections(Translator("fr"), shown_group(), threshold=5))
    assert "Pulse du 24 mars 2026 : 6 personnes sur 8 ont répondu (75 %)." in shown
    assert "Action suggérée" in shown


def test_a_pulse_sent_by_hand_is_dated_in_the_readers_language_and_time_zone() -> None:
    """A manual pulse's period is the moment it was sent, stored as ISO; the reader sees their own clock and words."""
    manual = replace(shown_group(), period="2026-12-03T07:41:49+00:00")
    english = text(manager_pulse_sections(Translator("en", ZoneInfo("America/New_York")), manual, threshold=5))
    english = english.replace("\u202f", " ")  # CLDR puts a narrow no-break space before AM
    assert english.splitlines()[0].startswith("Pulse of Dec 3, 2026, 2:41 AM: 6 of 8 people answered")
    french = text(team_pulse_sections(Translator("fr", ZoneInfo("Europe/Paris")), manual))
    assert french.splitlines()[0].startswith("Pulse du 3 déc. 2026, 08:41 : 6 personnes sur 8")
    assert "2026-12-03" not in english + french and "+00:00" not in english + french


def test_an_open_pulse_says_when_it_closes_on_the_readers_clock() -> None:
    still_open = GroupResult(
        team_id=7,
        name="Engineering",
        hidden=False,
        period="2026-12-03",
        closes_at=datetime(2026, 12, 5, 16, 0, tzinfo=UTC),
    )
    shown = text(team_pulse_sections(Translator("fr", ZoneInfo("Europe/Paris")), still_open))
    assert "5 déc. 2026, 17:00 (Europe/Paris)" in shown and "2026-12-05" not in shown


def test_below_the_threshold_no_number_is_shown_anywhere() -> None:
    hidden = GroupResult(team_id=7, name="Sales", hidden=True)
    t = Translator("en")
    assert text(manager_pulse_sections(t, hidden, threshold=5)) == (
        "Pulse: too few answers to show results (at least 5 are needed to keep them anonymous)."
    )
    assert team_pulse_sections(t, hidden) == []
    assert manager_pulse_sections(t, None, threshold=5) == [] and team_pulse_sections(t, None) == []


def test_the_team_channel_gets_participation_and_scores_but_no_comments() -> None:
    shown = text(team_pulse_sections(Translator("en"), shown_group()))
    assert "6 of 8 people answered" in shown and "Workload: 2.5/10 ↓" in shown
    assert "Too many meetings" not in shown and "Suggested action" not in shown


async def test_digests_show_a_teams_pulse_only_when_enough_people_answered(database: Database, policy: Policy) -> None:
    """End to end through the pulse use cases: Engineering's three answers are shown, Sales (nobody) is not."""
    policy = replace(policy, anonymity_threshold=3)
    org = await seed_database(database, channels=True)
    asked = datetime(2026, 3, 24, 8, 0, tzinfo=UTC)
    async with database.transaction() as session:
        await send_now(session, policy=policy, now=asked)
    for name in ("Bob", "Claire", "David"):
        async with database.sessions() as session:
            (card,) = await delivered_cards(session, org[name])
        for _question in range(policy.pulse_questions):  # each answer brings the next question
            answers = [c.value for c in card.choices if c.action == ANSWER_ACTION]
            reply = await tap(database, org[name], answers[-1], policy, asked + timedelta(minutes=5))
            assert reply.card is not None
            card = reply.card
    async with database.transaction() as session:
        await close_now(session, now=asked + timedelta(hours=1))
    settings = config(leaderboard=None, team_digest=config().manager_digest, platforms=("slack",))
    outcomes = await send_digests(database, config=settings, policy=policy, now=asked + timedelta(days=6), force=True)
    found = {(item.kind, item.recipient): item.card.plain() if item.card else "" for item in outcomes}
    engineering = found[(MANAGER_DIGEST, "Alice Martin")]
    assert "3 of 3 people answered (100%)" in engineering and "/10" in engineering
    assert "eNPS: +100" in engineering and "Suggested action" in engineering
    sales = found[(MANAGER_DIGEST, "Noah Brown")]
    assert "too few answers" in sales and "/10" not in sales and "answered" not in sales
    assert "3 of 3 people answered" in found[(TEAM_DIGEST, "Engineering")]
    assert "Pulse of Mar 24, 2026, 9:00\u202fAM: 3 of 3" in engineering  # sent at 08:00 UTC, read by Alice in Paris
    assert not [card for card in found.values() if "2026-03-24" in card or "T08:00" in card]
    charts = {(item.kind, item.recipient): item.card.images for item in outcomes if item.card is not None}
    engineering_charts = {chart.name: chart for chart in charts[(MANAGER_DIGEST, "Alice Martin")]}
    assert {"enps-trend.png", "drivers.png"} <= set(engineering_charts)
    assert engineering_charts["enps-trend.png"].alt in engineering.splitlines()
    assert {"enps-trend.png", "drivers.png"} <= {chart.name for chart in charts[(TEAM_DIGEST, "Engineering")]}
    assert not {"enps-trend.png", "drivers.png"} & {chart.name for chart in charts[(MANAGER_DIGEST, "Noah Brown")]}
    for chart in engineering_charts.values():
        assert chart.png == "" and chart.data()[:8] == b"\x89PNG\r\n\x1a\n"  # numbers queued, drawn on delivery
