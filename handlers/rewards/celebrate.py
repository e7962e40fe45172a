"""A reward reached is celebrated at once: a post where the team (or everyone) reads it, and the manager (the admins
for the organisation's goal) asked privately to deliver it.

Whoever notices first celebrates: the scheduler's minute look at the pots that kudos just filled
(`scheduler.goals`), or the weekly leaderboard if that look never ran. Either way the round is claimed like a
scheduled post, `(reward_reached, team:<id>, round-<n>)`, in the transaction that closes it, starts the next round
and queues the messages: replicas, restarts and the leaderboard all find the claim taken and do nothing more.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.context import translator_for_person
from handlers.delivery import NewDelivery, channel_delivery, person_deliveries, queue, recognition_channels
from handlers.delivery import team_channels as delivery_team_channels
from handlers.i18n import Translator
from handlers.messages import Card, Line, Section, text_card
from handlers.policy import Policy
from handlers.rewards.pots import Standing, close_reached, standings
from storage import people as people_store
from storage import rewards as rewards_store
from storage import schedule as schedule_store
from storage.models import Person
from storage.models.schedule import QUEUED, SKIPPED

CELEBRATION = "reward_reached"
REWARD_DUE = "reward_due"


def cheer(t: Translator, item: Standing) -> str:
    """`🎉 Engineering reached 300 points: Team lunch!`"""
    reward, goal = item.reward or "", item.goal or 0
    if item.team is None:
        return t("🎉 Together we reached {goal} points: {reward}!", goal=goal, reward=reward)
    return t("🎉 {team} reached {goal} points: {reward}!", team=item.team.name, goal=goal, reward=reward)


def celebration_card(t: Translator, item: Standing) -> Card:
    """The public post, in the workspace's language: the goal, who will deliver it, and what comes next."""
    if item.team is None:
        who = t("Thank you all: every kudos counted. The admins have been asked to organise the reward.")
    else:
        who = t("Thank you for every kudos that got you there. Your manager has been asked to organise the reward.")
    line = cheer(t, item)
    return Card(
        title=t("Goal reached!"),
        sections=(Section(text=Line.of(line)), Section(text=Line.of(who))),
        context=(Line.of(t("The next round has started. See it, or vote for the next reward, with /rewards.")),),
        summary=line,
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


def celebration_claim(item: Standing) -> dict[str, str]:
    """The round's claim: `(reward_reached, team:<id> or org, round-<n>)`."""
    row = item.round
    assert row is not None
    return {"kind": CELEBRATION, "target": row.scope_key, "period": f"round-{row.number}"}


def celebration_channels(item: Standing, policy: Policy) -> tuple[tuple[str, str], ...]:
    """A team's channel on each platform (the recognition channel where it has none); everyone's for the org."""
    if item.team is None:
        return recognition_channels(policy)
    own = dict(delivery_team_channels(item.team, policy.platforms))
    fallback = dict(recognition_channels(policy))
    platforms = policy.platforms or ("console",)
    found = ((platform, own.get(platform) or fallback.get(platform)) for platform in platforms)
    return tuple((platform, channel) for platform, channel in found if channel)


async def _deliveries(session: AsyncSession, item: Standing, policy: Policy, key: str) -> list[NewDelivery]:
    """The post in the workspace's language, and the request to each owner in theirs."""
    card = celebration_card(Translator(policy.language), item)
    deliveries = [
        channel_delivery(platform=platform, channel=channel, card=card, kind=CELEBRATION, dedupe_key=key)
        for platform, channel in celebration_channels(item, policy)
    ]
    for owner in await _reward_owners(session, item, policy):
        deliveries += person_deliveries(
            person=owner,
            card=reward_due_card(translator_for_person(owner, policy), item),
            kind=REWARD_DUE,
            platforms=policy.platforms,
            dedupe_key=f"{REWARD_DUE}:{item.round_id or 0}:{owner.id}",
        )
    return deliveries


async def celebrate(
    session: AsyncSession, *, policy: Policy, items: Sequence[Standing], now: datetime, owner: str
) -> list[Standing]:
    """Claim, close and celebrate each standing that reached its goal; returns those this call celebrated.

    Rounds are claimed in id order, so two processes celebrating overlapping sets wait for each other instead of
    deadlocking; a claim already taken means another run (or the leaderboard) celebrated that round.
    """
    celebrated: list[Standing] = []
    for item in sorted((item for item in items if item.reached), key=lambda item: item.round_id or 0):
        assert item.round is not None
        key = celebration_claim(item)
        if not await schedule_store.claim(session, **key, owner=owner, now=now):
            continue
        await close_reached(session, item.round, now=now)
        prefix = schedule_store.claim_key(key["kind"], key["target"], key["period"])
        queued = await queue(session, await _deliveries(session, item, policy, prefix))
        status, detail = (QUEUED, None) if queued else (SKIPPED, "no reachable destination")
        await schedule_store.finish(session, **key, status=status, deliveries=queued, now=now, detail=detail)
        celebrated.append(item)
    return celebrated


async def celebrate_reached(
    session: AsyncSession,
    *,
    policy: Policy,
    now: datetime,
    owner: str,
    team_ids: Collection[int] | None = None,
    org: bool = True,
) -> list[Standing]:
    """Celebrate the goals reached by now among `team_ids` (None: every team) and, with `org`, the organisation's."""
    teams, organisation = await standings(session, now=now, team_ids=team_ids, org=org)
    return await celebrate(session, policy=policy, items=[*teams, organisation], now=now, owner=owner)
