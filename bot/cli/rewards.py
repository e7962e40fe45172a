"""`bravo rewards …`: propose rewards teams can vote for, set goals, and see where every team stands."""

from __future__ import annotations

import argparse
import sys

from bot.runtime import Runtime
from handlers.i18n import Translator
from handlers.rewards import RewardError, progress_bar, propose, set_goal, standings, withdraw
from storage import people as people_store
from storage import rewards as rewards_store
from storage.models import Team
from storage.models.base import utcnow
from storage.models.rewards import ORG_SCOPE


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `bravo rewards`."""
    rewards = subcommands.add_parser("rewards", help="collective rewards: options, goals and progress")
    actions = rewards.add_subparsers(dest="rewards_command", required=True, metavar="ACTION")

    offer = actions.add_parser("propose", help="propose a reward teams can vote for")
    offer.add_argument("points", type=int, help="points the team must collect")
    offer.add_argument("reward", nargs="+", help="what the team gets, e.g. team lunch")
    _scope(offer, required=False)
    offer.set_defaults(func=_propose)

    goal = actions.add_parser("goal", help="set a team's (or the organisation's) goal directly")
    goal.add_argument("points", type=int, help="points to reach")
    goal.add_argument("reward", nargs="+", help="what is delivered when the goal is reached")
    _scope(goal, required=True)
    goal.set_defaults(func=_goal)

    actions.add_parser("list", help="goals, progress and proposed options").set_defaults(func=_list)

    withdraw = actions.add_parser("withdraw", help="withdraw a proposed option (by its number in `list`)")
    withdraw.add_argument("option", type=int, help="the option's number")
    withdraw.set_defaults(func=_withdraw)


def _scope(parser: argparse.ArgumentParser, *, required: bool) -> None:
    scope = parser.add_mutually_exclusive_group(required=required)
    scope.add_argument("--team", metavar="NAME", help="one team (default for propose: every team)")
    scope.add_argument("--org", action="store_true", help="the organisation-wide goal")


async def _team(runtime: Runtime, name: str | None, t: Translator) -> tuple[bool, Team | None]:
    """(found, team): a name that matches no team is reported."""
    if not name:
        return True, None
    async with runtime.database.sessions() as session:
        team = await people_store.team_by_name(session, name=name)
    if team is None:
        sys.stderr.write(t("No team is called {name}.", name=name) + "\n")
        return False, None
    return True, team


def _problem(t: Translator, error: RewardError) -> str:
    if error.code == "points_out_of_range":
        return t("Points must be a positive whole number.")
    if error.code == "reward_too_long":
        return t("The reward text is too long.")
    return t("Say what the reward is.")


async def _propose(args: argparse.Namespace, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    found, team = await _team(runtime, args.team, t)
    if not found:
        return 1
    try:
        async with runtime.database.transaction() as session:
            proposal = await propose(
                session,
                team_id=team.id if team else None,
                org=args.org,
                points=args.points,
                reward=" ".join(args.reward),
                proposed_by=None,
            )
    except RewardError as error:
        sys.stderr.write(_problem(t, error) + "\n")
        return 2
    audience = t("the organisation") if args.org else (team.name if team else t("every team"))
    option = proposal.option
    if not proposal.new:
        already = t(
            "Option {number} is already this reward for {audience}: {reward} ({points} points).",
            number=option.id,
            audience=audience,
            reward=option.reward,
            points=option.points,
        )
        sys.stdout.write(already + "\n")
        return 0
    sys.stdout.write(
        t(
            "Option {number} proposed to {audience}: {reward} ({points} points).",
            number=option.id,
            audience=audience,
            reward=option.reward,
            points=option.points,
        )
        + "\n"
    )
    return 0


async def _goal(args: argparse.Namespace, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    found, team = await _team(runtime, args.team, t)
    if not found:
        return 1
    try:
        async with runtime.database.transaction() as session:
            row = await set_goal(
                session,
                team_id=team.id if team else None,
                points=args.points,
                reward=" ".join(args.reward),
                now=utcnow(),
            )
    except RewardError as error:
        sys.stderr.write(_problem(t, error) + "\n")
        return 2
    name = team.name if team else t("the organisation")
    sys.stdout.write(
        t("Goal of {name}: {reward}, {points} points.", name=name, reward=row.reward or "", points=row.goal_points)
        + "\n"
    )
    return 0


async def _list(args: argparse.Namespace, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    async with runtime.database.sessions() as session:
        teams, organisation = await standings(session, now=utcnow())
        options = await rewards_store.all_options(session)
        names = {team.id: team.name for team in await people_store.all_teams(session)}
    sys.stdout.write(t("Goals") + "\n")
    for item in (organisation, *teams):
        name = item.team.name if item.team else t("Organisation")
        if item.goal:
            progress = f"{item.pot} / {item.goal}  {progress_bar(item.pot, item.goal)}"
            sys.stdout.write(f"  {name}: {item.reward}  {progress}\n")
        else:
            sys.stdout.write(f"  {name}: " + t("no goal yet") + "\n")
    sys.stdout.write(t("Options") + "\n")
    for option in options:
        if not option.active:
            continue
        if option.scope == ORG_SCOPE:
            audience = t("Organisation")
        else:
            audience = names.get(option.team_id, t("every team")) if option.team_id else t("every team")
        sys.stdout.write(f"  #{option.id}  {option.reward} ({option.points})  [{audience}]\n")
    return 0


async def _withdraw(args: argparse.Namespace, runtime: Runtime) -> int:
    t = Translator(runtime.policy.language)
    try:
        async with runtime.database.transaction() as session:
            await withdraw(session, option_id=args.option)
    except RewardError:
        sys.stderr.write(t("There is no option {number}.", number=args.option) + "\n")
        return 1
    sys.stdout.write(t("Option {number} withdrawn.", number=args.option) + "\n")
    return 0
