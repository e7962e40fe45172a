"""The collective reward leaderboard: teams ranked by progress towards their own goal, never people.

Posting it is also the moment goals are settled: votes on teams still choosing become goals, teams that reached
theirs are celebrated, their manager is asked (privately) to deliver the reward, and the next round starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.context import translator_for_person
from handlers.delivery import channel_delivery, person_deliveries, queue
from handlers.i18n import Translator
from handlers.messages import Card, Line, Section, text_card
from handlers.policy import Policy
from handlers.rewards.pots import Standing, advance, progress_bar, ranked, standings
from storage import people as people_store
from storage import rewards as rewards_store
from storage.models import Person

LEADERBOARD = "leaderboard"
REWARD_DUE = "reward_due"


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


def leaderboard_card(
    t: Translator, *, teams: Sequence[Standing], organisation: Standing, reached: Sequence[Standing]
) -> Card:
    """Bars per team, the organisation's goal, celebrations, and who is still choosing."""
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
    for item in reached:
        reward = item.reward or ""
        if item.team is None:
            cheer = t("🎉 Together we reached {goal} points: {reward}!", goal=item.goal or 0, reward=reward or "")
        else:
            cheer = t(
                "🎉 {team} reached {goal} points: {reward}!", team=item.team.name, goal=item.goal or 0, reward=reward
            )
        sections.append(Section(text=Line.of(cheer)))
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


def reward_due_card(t: Translator, item: Standing) -> Card:
    """The private request to deliver a reward the team (or organisation) earned."""
    reward = item.reward or ""
    if item.team is None:
        text = t(
            "The whole organisation reached {goal} points together. Time to deliver the reward: {reward}.",
            goal=item.goal or 0,
            reward=reward,
        )
    else:
        text = t(
            "{team} reached its goal of {goal} points. Time to deliver the reward: {reward}. "
            "Tell the team when it is planned!",
            team=item.team.name,
            goal=item.goal or 0,
            reward=reward,
        )
    return text_card(text, title=t("A reward to deliver"))


async def _reward_owners(session: AsyncSession, item: Standing, policy: Policy) -> list[Person]:
    """Who delivers a reward: the team's manager; the admins for the organisation's."""
    if item.team is not None:
        manager_id = item.team.manager_id
        manager = await people_store.get_person(session, person_id=manager_id) if manager_id else None
        return [manager] if manager is not None and manager.active else []
    return await rewards_store.admins(session, emails=sorted(policy.admin_emails))


async def queue_leaderboard(
    session: AsyncSession,
    *,
    policy: Policy,
    channels: Sequence[tuple[str, str]],
    dedupe_key: str,
    now: datetime,
    dry_run: bool = False,
) -> tuple[Card, int]:
    """Settle the goals, queue the leaderboard post in each `(platform, channel)` and the reward requests.

    Returns the card and how many deliveries were queued. Call it inside the period's claim: it starts rounds.
    With `dry_run` nothing is changed or queued.
    """
    teams, organisation = await standings(session, now=now)
    reached = [item for item in (*teams, organisation) if item.reached]
    if not dry_run:
        reached = await advance(session, items=[*teams, organisation], now=now)
        after, organisation_after = await standings(session, now=now)
        # A team that reached its goal is shown at 100% of it; the others as they stand now (a vote just settled
        # shows the new goal).
        done = {item.round_id for item in reached}
        teams = [before if before.round_id in done else later for before, later in zip(teams, after, strict=True)]
        organisation = organisation if organisation.round_id in done else organisation_after
    card = leaderboard_card(Translator(policy.language), teams=teams, organisation=organisation, reached=reached)
    if dry_run:
        return card, 0
    deliveries = [
        channel_delivery(platform=platform, channel=channel, card=card, kind=LEADERBOARD, dedupe_key=dedupe_key)
        for platform, channel in channels
    ]
    for item in reached:
        for owner in await _reward_owners(session, item, policy):
            deliveries += person_deliveries(
                person=owner,
                card=reward_due_card(translator_for_person(owner, policy), item),
                kind=REWARD_DUE,
                platforms=policy.platforms,
                dedupe_key=f"{REWARD_DUE}:{item.round_id or 0}:{owner.id}",
            )
    return card, await queue(session, deliveries)
