"""`/pulse …`: answering pulse checks and reading their results."""

from __future__ import annotations

from handlers.context import Context
from handlers.messages import Reply, reply
from handlers.pulse.answer import open_questions
from handlers.pulse.results import pulse_report
from handlers.pulse.view import results_card
from storage import people as people_store


async def handle(ctx: Context, text: str) -> Reply:
    """`/pulse` lists your open questions; `/pulse results [team]` shows the results you may see."""
    words = text.strip().split(maxsplit=1)
    command = words[0].lower() if words else ""
    if command in ("", "answer", "questions", "repondre", "répondre"):
        return await open_questions(ctx)
    if command in ("results", "resultats", "résultats"):
        return await results(ctx, words[1] if len(words) > 1 else "")
    return reply(ctx.t("Type /pulse to answer your open questions, or /pulse results to see your teams' results."))


async def results(ctx: Context, team_name: str) -> Reply:
    """Admins see every team and the organisation, a manager the teams they manage, nobody else any: a team sees
    its (suppressed) scores in its team digest, which its manager's digest and these results complement."""
    managed = {team.id for team in await people_store.teams_managed_by(ctx.session, person_id=ctx.actor.id or 0)}
    if not ctx.is_admin and not managed:
        return reply(
            ctx.t(
                "Pulse results are shown to each team's manager and to admins. Your team sees its scores in the "
                "team digest."
            )
        )
    report = await pulse_report(ctx.session, policy=ctx.policy, now=ctx.now)
    allowed = {group.team_id for group in report.teams} if ctx.is_admin else managed
    groups = [group for group in report.teams if group.team_id in allowed]
    if team_name:
        groups = [group for group in groups if group.name.lower() == team_name.strip().lower()]
        if not groups:
            return reply(ctx.t("You cannot see results for a team called {team}.", team=team_name.strip()))
    groups = report.with_rollups(groups)
    if ctx.is_admin and not team_name:
        groups.append(report.organisation)
    can_reply = ctx.is_admin or bool(managed & {group.team_id for group in groups})
    return Reply(card=results_card(ctx.t, report, groups, can_reply=can_reply))
