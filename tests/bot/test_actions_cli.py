"""`bravo actions …` and the plans `bravo pulse close` opens, as an admin runs them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.runtime import Runtime, open_runtime
from handlers.actions.suggestions import suggestions_for
from storage.models.base import utcnow
from tests.bot.test_pulse_cli import run
from tests.handlers.actions.support import as_person, choice_values, closed_pulse, open_plans_now, posts


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    async with open_runtime(settings) as opened:
        yield opened


async def test_pulse_close_opens_the_teams_action_plans(runtime: Runtime, capsys: pytest.CaptureFixture[str]) -> None:
    now = utcnow()
    await closed_pulse(runtime.database, runtime.policy, now, teams={"Engineering": 6}, close=False)
    code, out, err = await run(runtime, capsys, "pulse", "close")
    assert code == 0, err
    assert "1 pulse closed." in out and "1 team action plan opened." in out
    assert [row.channel for row in await posts(runtime.database)] == ["team-engineering"]
    code, out, _ = await run(runtime, capsys, "pulse", "close")
    assert code == 0 and "action plan" not in out  # opened once


async def test_actions_list_shows_every_proposal_in_text_and_json(
    runtime: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    now = utcnow()
    team = (await closed_pulse(runtime.database, runtime.policy, now, teams={"Engineering": 6}))["Engineering"]
    code, out, _ = await run(runtime, capsys, "actions", "list")
    assert code == 0 and "No team has proposed an action yet." in out
    await open_plans_now(runtime.database, runtime.policy, now)
    [plan_post] = await posts(runtime.database)
    from tests.handlers.actions.support import card_of

    [plan_id] = choice_values(card_of(plan_post), "actions.propose")
    values = {"what": ("Demo day",), "owner": (str(team[1].id),), "due": ("14",)}
    await as_person(runtime.database, team[0], runtime.policy, now, "form", "actions.propose.form", values, plan_id)
    code, out, _ = await run(runtime, capsys, "actions", "list", "--team", "Engineering")
    assert code == 0 and "Engineering: Demo day (Engineering 2, due" in out and "proposed, 0 votes" in out
    code, out, _ = await run(runtime, capsys, "actions", "list", "--json")
    [row] = json.loads(out)["actions"]
    assert (row["team"], row["action"], row["owner"], row["status"], row["votes"]) == (
        "Engineering",
        "Demo day",
        "Engineering 2",
        "proposed",
        0,
    )
    code, out, err = await run(runtime, capsys, "actions", "list", "--team", "Nobody")
    assert code == 1 and out == "" and err == "no team is called Nobody\n"


async def test_an_admin_adds_a_suggested_action_shown_after_the_shipped_ones(
    runtime: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ("actions", "suggestions", "add", "--driver", "tools", "--language", "fr", "Un", "wiki", "des", "outils")
    code, out, err = await run(runtime, capsys, *argv)
    assert code == 0, err
    assert "Suggested action added for tools: Un wiki des outils" in out
    async with runtime.database.sessions() as session:
        french = await suggestions_for(session, driver="tools", language="fr")
        english = await suggestions_for(session, driver="tools", language="en")
    assert french[-1] == "Un wiki des outils" and len(french) == 3
    assert "Un wiki des outils" not in english
    code, _, err = await run(runtime, capsys, *argv)
    assert code == 1 and err == "this suggestion is already there\n"
    code, _, err = await run(runtime, capsys, "actions", "suggestions", "add", "--driver", "enps", "Smile")
    assert code == 1 and err.startswith("unknown driver 'enps' (use purpose, goals, tools") and err.count("\n") == 1
    code, _, err = await run(
        runtime, capsys, "actions", "suggestions", "add", "--driver", "tools", "--language", "de", "x"
    )
    assert code == 1 and err == "unknown language 'de' (use en or fr)\n"


async def test_actions_tick_closes_ended_votes_and_ahead_is_checked(
    runtime: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    now = utcnow()
    await closed_pulse(runtime.database, runtime.policy, now, teams={"Engineering": 6})
    await open_plans_now(runtime.database, runtime.policy, now)
    code, out, _ = await run(runtime, capsys, "actions", "tick")
    assert code == 0 and "0 votes closed." in out and "0 owners reminded." in out
    code, out, _ = await run(runtime, capsys, "actions", "tick", "--ahead", "8")
    assert code == 0 and "1 vote closed." in out
    code, out, err = await run(runtime, capsys, "actions", "tick", "--ahead", "400")
    assert code == 1 and out == "" and err == "--ahead is a number of days from 0 to 366\n"


async def test_the_demo_reaches_the_checkin_with_actions_tick_ahead_and_lists_its_outcome(
    runtime: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    """The documented walk-through: done today, `actions tick --ahead 28` asks the team, everyone answers (the
    round stays open until then), the next `actions tick --ahead 28` closes it and posts the answer and the trend."""
    from tests.handlers.actions.support import card_of
    from tests.handlers.pulse.test_support import answer_button, delivered_cards, tap

    now, policy, database = utcnow(), runtime.policy, runtime.database
    team = (await closed_pulse(database, policy, now, teams={"Engineering": 6}, answers={"purpose": 2}))["Engineering"]
    await open_plans_now(database, policy, now)
    [plan_id] = choice_values(card_of((await posts(database))[0]), "actions.propose")
    values = {"what": ("Demo day",), "owner": (str(team[1].id),), "due": ("14",)}
    await as_person(database, team[0], policy, now, "form", "actions.propose.form", values, plan_id)
    [vote] = choice_values(card_of((await posts(database))[-1]), "actions.vote")
    for person in team[:4]:
        await as_person(database, person, policy, now, "action", "actions.vote", vote)
    [proposal] = json.loads((await run(runtime, capsys, "actions", "list", "--json"))[1])["actions"]
    await as_person(database, team[1], policy, now, "action", "actions.done", str(proposal["id"]))
    code, out, _ = await run(runtime, capsys, "actions", "list")
    assert code == 0 and "Check-in on " in out and ": did it help?" in out
    code, out, _ = await run(runtime, capsys, "actions", "tick", "--ahead", "27")
    assert code == 0 and "0 check-ins sent." in out
    code, out, _ = await run(runtime, capsys, "actions", "tick", "--ahead", "28")
    assert code == 0 and "1 check-in sent." in out and "0 check-in results posted." in out
    for person, value in zip(team, [2, 2, 2, 1, 1, 0], strict=True):
        async with database.sessions() as session:
            card = (await delivered_cards(session, person, secret=policy.secret_key))[-1]
        await tap(database, person, answer_button(card, value), policy, utcnow())
    code, out, _ = await run(runtime, capsys, "actions", "tick", "--ahead", "28")
    assert code == 0 and "1 check-in result posted." in out
    code, out, _ = await run(runtime, capsys, "actions", "list")
    assert "Did it help? Yes: 3, somewhat: 2, no: 1 (6 answers)." in out
    assert "Purpose: 2.5/10 before the action" in out and "not measured again since." in out
    code, out, _ = await run(runtime, capsys, "actions", "list", "--json")
    checkin = json.loads(out)["actions"][0]["checkin"]
    assert (checkin["status"], checkin["yes"], checkin["somewhat"], checkin["no"]) == ("closed", 3, 2, 1)
    assert checkin["trend"]["before"]["score"] == 2.5 and checkin["trend"]["latest"] is None


async def test_pulse_close_also_closes_open_checkins_and_posts_their_outcome(
    runtime: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before the secret key changes, `pulse close` leaves no ballot open: check-ins close too, counted apart."""
    from datetime import timedelta

    from storage.models import ActionPlan, ActionProposal
    from storage.models.actions import DONE

    now, database = utcnow(), runtime.database
    team = (await closed_pulse(database, runtime.policy, now, teams={"Engineering": 6}))["Engineering"]
    async with database.transaction() as session:
        plan = ActionPlan(team_id=team[0].team_id or 0, period="p", driver="tools", score=3.0, vote_closes_at=now)
        session.add(plan)
        await session.flush()
        done = now - timedelta(days=runtime.policy.action_checkin_days, minutes=1)
        session.add(
            ActionProposal(
                plan_id=plan.id or 0,
                team_id=plan.team_id,
                text="Tools wiki",
                owner_id=team[0].id or 0,
                due_on=done.date(),
                status=DONE,
                committed_at=done,
                done_at=done,
            )
        )
    code, out, _ = await run(runtime, capsys, "actions", "tick")
    assert code == 0 and "1 check-in sent." in out
    code, out, _ = await run(runtime, capsys, "pulse", "close")
    assert code == 0 and "0 pulses closed." in out and "1 check-in closed." in out
    assert "1 check-in result posted." in out
    code, out, _ = await run(runtime, capsys, "actions", "list")
    assert "Check-in: not enough answers to show (results appear with at least 5)." in out
