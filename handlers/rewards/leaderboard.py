"""The collective reward leaderboard: teams ranked by progress towards their own goal, never people.

Posting it is also the moment votes are settled: on teams still choosing, the most voted option becomes the goal.
Goals are celebrated when they are reached (`handlers.rewards.celebrate`); the leaderboard shows those reached since
the previous one without cheering them again, and celebrates only a goal nobody celebrated yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.delivery import channel_delivery, queue
from handlers.i18n import Translator
from handlers.messages import Card, Line, Section
from handlers.policy import Policy
from handlers.rewards.celebrate import celebrate, cheer
from handlers.rewards.pots import Standing, progress_bar, ranked, reached_since, settle_votes, standings
from storage import schedule as schedule_store

LEADERBOARD = "leaderboard"


def standing_line(t: Translator, rank: int, item: Standing) -> str:
    name = item.team.name if item.team else ""
    return t(
        "{rank}. {team}: {pot} / {goal} points towards {reward}",
        rank=rank,
        team=name,
        pot=item.pot,
        goal=item.goal or 0,
        reward=item.reward or "",
    )


def reached_line(t: Translator, item: Standing) -> str:
    """A goal reached since the last leaderboard and celebrated then: shown, not cheered again."""
    if item.team is None:
        return t("✓ Together we reached {goal} points: {reward}", goal=item.goal or 0, reward=item.reward or "")
    return t(
        "✓ {team} reached {goal} points: {reward}", team=item.team.name, goal=item.goal or 0, reward=item.reward or ""
    )


def leaderboard_card(
    t: Translator,
    *,
    teams: Sequence[Standing],
    organisation: Standing,
    reached: Sequence[Standing],
    earlier: Sequence[Standing] = (),
) -> Card:
    """Bars per team, the organisation's goal, the goals reached now (cheered) and since the last leaderboard
    (already celebrated when they were reached), and who is still choosing."""
    sections: list[Section] = []
    if organisation.goal:
        together = t(
            "Together: {pot} / {goal} points towards {reward}",
            pot=organisation.pot,
            goal=organisation.goal,
            reward=organisation.reward or "",
        )
        sections.append(Section(text=Line.of(together + "\n" + progress_bar(organisation.pot, organisation.goal))))
    for rank, item in enumerate(ranked(teams), start=1):
        bar = progress_bar(item.pot, item.goal or 0)
        sections.append(Section(text=Line.of(standing_line(t, rank, item) + "\n" + bar)))
    sections.extend(Section(text=Line.of(cheer(t, item))) for item in reached)
    if earlier:
        sections.append(Section(text=Line.of("\n".join(reached_line(t, item) for item in earlier))))
    choosing = sorted((item.team.name for item in teams if item.team is not None and not item.goal), key=str.lower)
    if choosing:
        sections.append(Section(text=Line.of(t("Still choosing a goal: {teams}", teams=t.join(choosing)))))
    if not sections:
        sections.append(Section(text=Line.of(t("No team has a goal yet."))))
    return Card(
        title=t("Collective rewards: where the teams stand"),
        sections=tuple(sections),
        context=(
            Line.of(
                t("Every kudos a member receives fills their team's pot. Vote for your team's reward with /rewards.")
            ),
        ),
        summary=t("Collective rewards: where the teams stand"),
    )


async def queue_leaderboard(
    session: AsyncSession,
    *,
    policy: Policy,
    channels: Sequence[tuple[str, str]],
    dedupe_key: str,
    now: datetime,
    since: datetime,
    owner: str = "",
    dry_run: bool = False,
) -> tuple[Card, int]:
    """Settle the votes, celebrate goals reached that nobody celebrated yet, and queue the leaderboard post in each
    `(platform, channel)`; goals reached since the previous leaderboard (posted at `since` on schedule, or later)
    and celebrated then are shown.

    Returns the card and how many posts were queued. Call it inside the period's claim: it starts rounds.
    With `dry_run` nothing is changed or queued.
    """
    teams, organisation = await standings(session, now=now)
    reached = [item for item in (*teams, organisation) if item.reached]
    done = {item.round_id for item in reached}
    if not dry_run:
        await settle_votes(session, items=[*teams, organisation], now=now)
        reached = await celebrate(session, policy=policy, items=reached, now=now, owner=owner)
        after, organisation_after = await standings(session, now=now)
        # A team that reached its goal is shown at 100% of it; the others as they stand now (a vote just settled
        # shows the new goal).
        done = {item.round_id for item in reached}
        teams = [before if before.round_id in done else later for before, later in zip(teams, after, strict=True)]
        organisation = organisation if organisation.round_id in done else organisation_after
    # Read after celebrating: a goal another process celebrated meanwhile (its claim made ours wait) is listed.
    previous = await schedule_store.last_claimed_at(session, kind=LEADERBOARD, before=now)
    closed = await reached_since(session, since=max(since, previous) if previous else since, until=now)
    earlier = [item for item in closed if item.round_id not in done]
    card = leaderboard_card(
        Translator(policy.language), teams=teams, organisation=organisation, reached=reached, earlier=earlier
    )
    if dry_run:
        return card, 0
    deliveries = [
        channel_delivery(platform=platform, channel=channel, card=card, kind=LEADERBOARD, dedupe_key=dedupe_key)
        for platform, channel in channels
    ]
    return card, await queue(session, deliveries)
