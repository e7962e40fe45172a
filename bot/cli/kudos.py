"""`bravo leaderboard`: teams and people by points received, as text or JSON; `bravo leaderboard post --now`
posts the collective leaderboard right away (the scheduler's job, run by hand)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.runtime import Runtime
from handlers.i18n import Translator
from handlers.kudos import PERIODS, Leaderboard, build_leaderboard, period_label
from storage import people as people_store
from storage.models.base import utcnow


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `bravo leaderboard`."""
    board = subcommands.add_parser("leaderboard", help="teams and people recognised the most")
    board.add_argument("action", nargs="?", choices=["post"], help="post: publish the collective leaderboard now")
    board.add_argument("--period", choices=PERIODS, default="week", help="this week (default), month, quarter or all")
    board.add_argument("--json", action="store_true", help="machine-readable output")
    board.add_argument("--limit", type=int, default=None, metavar="N", help="only the first N teams and people")
    board.add_argument("--now", action="store_true", help="with post: publish immediately")
    board.set_defaults(func=_leaderboard)


async def _leaderboard(args: argparse.Namespace, runtime: Runtime) -> int:
    if args.action == "post":
        from bot.cli.schedule import post_leaderboard_now

        return await post_leaderboard_now(args, runtime)
    async with runtime.database.sessions() as session:
        board = await build_leaderboard(
            session, runtime.policy, period=args.period, now=utcnow(), include_people=True, limit=args.limit
        )
        team_names = {team.id: team.name for team in await people_store.all_teams(session)}
    if args.json:
        sys.stdout.write(json.dumps(leaderboard_json(board, team_names, runtime), indent=2, ensure_ascii=False) + "\n")
        return 0
    sys.stdout.write(leaderboard_text(board, Translator(runtime.policy.language)))
    return 0


def leaderboard_json(board: Leaderboard, team_names: dict[int | None, str], runtime: Runtime) -> dict[str, Any]:
    """The leaderboard for scripts: every figure, with each person's ids on every platform."""
    return {
        "period": board.period,
        "start": board.start.isoformat() if board.start else None,
        "end": board.end.isoformat(),
        "people_shown_in_chat": runtime.policy.show_people_leaderboard,
        "teams": [
            {"rank": rank, "team": team.name, "team_id": team.team_id, "points": team.points, "kudos": team.kudos}
            for rank, team in enumerate(board.teams, start=1)
        ],
        "people": [
            {
                "rank": rank,
                "name": standing.person.display_name,
                "email": standing.person.email,
                "slack_id": standing.person.slack_id,
                "teams_id": standing.person.teams_id,
                "team": team_names.get(standing.person.team_id),
                "points": standing.points,
                "kudos": standing.kudos,
            }
            for rank, standing in enumerate(board.people, start=1)
        ],
    }


def leaderboard_text(board: Leaderboard, t: Translator) -> str:
    lines = [t("Leaderboard, {period}", period=period_label(t, board.period))]
    lines.append(t("Teams"))
    lines.extend(
        f"  {rank:>3}. {team.name}  {t.plural('{count} point', '{count} points', team.points)}"
        for rank, team in enumerate(board.teams, start=1)
    )
    if not board.teams:
        lines.append("  " + t("No team has received kudos {period} yet.", period=period_label(t, board.period)))
    lines.append(t("People"))
    lines.extend(
        f"  {rank:>3}. {standing.person.display_name}  {t.plural('{count} point', '{count} points', standing.points)}"
        for rank, standing in enumerate(board.people, start=1)
    )
    return "\n".join(lines) + "\n"
