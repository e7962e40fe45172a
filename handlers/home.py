"""The home screen (Slack's App Home tab): your kudos, this week's leaderboard, your team's collective reward and
its action plan commitments."""

from __future__ import annotations

from handlers.actions import team_commitment_sections
from handlers.context import Context
from handlers.kudos import OPEN_FORM_ACTION, build_leaderboard, leaderboard_sections, my_kudos_sections, period_label
from handlers.messages import Card, Choice, Line, Section
from handlers.rewards import goal_card


async def home_card(ctx: Context) -> Card:
    """Everything `/kudos me` and `/kudos leaderboard` show, plus the team's progress to its reward."""
    t = ctx.t
    give = Choice(label=t("Give kudos"), action=OPEN_FORM_ACTION, style="primary")
    sections: list[Section] = [
        Section(text=Line.of(t("Recognise a colleague with the button, or type /kudos @name thanks for … #value."))),
        Section(text=Line.of(t("Your kudos"))),
        *await my_kudos_sections(ctx),
    ]
    board = await build_leaderboard(ctx.session, ctx.policy, period="week", now=ctx.now)
    sections.append(Section(text=Line.of(t("Leaderboard, {period}", period=period_label(t, board.period)))))
    sections.extend(leaderboard_sections(t, board))
    goal = await goal_card(ctx, team_id=ctx.actor.team_id)
    if goal.title:
        sections.append(Section(text=Line.of(goal.title)))
    sections.extend(goal.sections)
    sections.extend(await team_commitment_sections(ctx))
    return Card(
        title=t("Bravo: recognise your colleagues"),
        sections=tuple(sections),
        choices=(give, *goal.choices),
        context=goal.context,
        summary=t("Bravo: recognise your colleagues"),
    )
