"""The kudos modal, its "try again" button, the message shortcut and App Home buttons, as Slack's interactivity
payloads (`view_submission`, `block_actions`, `message_action`)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from sqlmodel import select

from storage.models import Kudos, KudosValue
from tests.bot.slack.conftest import RECOGNITION_CHANNEL, SlackBravo
from tests.conftest import both_engines
from tests.fakes.slack_requests import (
    block_actions,
    interaction,
    message_action,
    message_event,
    slash_command,
    view_submission,
)

FORM_STATE: dict[str, Any] = json.loads(
    (Path(__file__).parents[2] / "fixtures" / "slack" / "kudos_form_state.json").read_text(encoding="utf-8")
)


def state(**changes: Any) -> dict[str, Any]:
    values = copy.deepcopy(FORM_STATE)
    for name, element in changes.items():
        values[name]["value"].update(element)
    return values


async def submit(bravo: SlackBravo, values: dict[str, Any], *, view_id: str = "V100") -> dict[str, Any]:
    metadata = json.dumps({"channel": "C1"})
    status, body, _ = await bravo.post(
        view_submission("kudos.give", values, private_metadata=metadata, view_id=view_id, user_id="U1")
    )
    assert status == 200, body
    return json.loads(body)


@both_engines
async def test_submitting_the_form_gives_kudos_and_shows_the_confirmation(bravo: SlackBravo) -> None:
    answer = await submit(bravo, state())
    assert answer["response_action"] == "update" and answer["view"]["type"] == "modal"
    shown = json.dumps(answer["view"])
    assert "2 points each" in shown and "1 point left" in shown
    await bravo.drain()
    async with bravo.runtime.database.sessions() as session:
        kudos = (await session.exec(select(Kudos))).one()
        values = {row.value for row in (await session.exec(select(KudosValue))).all()}
    assert (kudos.points, kudos.source, kudos.channel) == (2, "form", "C1")
    assert values == {"teamwork", "courage"}
    assert "<@9>" not in kudos.message
    assert len(bravo.posts_to("U2")) == 1 and len(bravo.posts_to("U3")) == 1
    assert len(bravo.posts_to(RECOGNITION_CHANNEL)) == 1
    again = await submit(bravo, state())
    assert "2 points each" in json.dumps(again["view"])
    async with bravo.runtime.database.sessions() as session:
        assert len((await session.exec(select(Kudos))).all()) == 1


async def test_a_refused_form_offers_to_edit_and_try_again_with_the_inputs_kept(bravo: SlackBravo) -> None:
    answer = await submit(bravo, state(points={"value": "3"}))
    view = answer["view"]
    assert "needs 6 points" in json.dumps(view)
    (button,) = [e for block in view["blocks"] if block["type"] == "actions" for e in block["elements"]]
    opened = {**view, "id": "V100", "type": "modal"}
    status, _, _ = await bravo.post(
        block_actions(button["action_id"], button["value"], view=opened, user_id="U1", block_id="retry")
    )
    assert status == 200
    (update,) = await bravo.api.wait_for("views.update")
    form = update.args["view"]
    assert update.args["view_id"] == "V100" and form["callback_id"] == "kudos.give"
    inputs = {block["block_id"]: block["element"] for block in form["blocks"]}
    assert inputs["people"]["initial_users"] == ["U2", "U3"]
    assert inputs["points"]["initial_value"] == "3"
    assert inputs["message"]["initial_value"].startswith("Thanks for staying late")
    assert [option["value"] for option in inputs["values"]["initial_options"]] == ["teamwork"]


async def test_the_message_shortcut_prefills_the_author_and_their_words(bravo: SlackBravo) -> None:
    message = message_event("Shipped the release & fixed <@U3>'s bug!", user="U2")
    status, _, _ = await bravo.post(message_action("kudos_message", message, user_id="U1"))
    assert status == 200
    (call,) = await bravo.api.wait_for("views.open")
    inputs = {block["block_id"]: block["element"] for block in call.args["view"]["blocks"]}
    assert inputs["people"]["initial_users"] == ["U2"]
    assert inputs["message"]["initial_value"] == "“Shipped the release & fixed @Claire Petit's bug!” "


async def test_the_global_shortcut_opens_an_empty_form(bravo: SlackBravo) -> None:
    payload = {
        "type": "shortcut",
        "token": "legacy-verification-token",
        "action_ts": "1700000000.000001",
        "team": {"id": "T1", "domain": "acme"},
        "user": {"id": "U1", "username": "alice", "team_id": "T1"},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": "kudos_global",
        "trigger_id": "123.456.abc",
    }
    status, _, _ = await bravo.post(interaction(payload))
    assert status == 200
    (call,) = await bravo.api.wait_for("views.open")
    assert call.args["trigger_id"] == "123.456.abc" and call.args["view"]["callback_id"] == "kudos.give"


async def test_the_home_tab_button_opens_the_form(bravo: SlackBravo) -> None:
    home = {"id": "VHOME", "type": "home", "blocks": []}
    status, _, _ = await bravo.post(block_actions("kudos.form|0", "", view=home, user_id="U1"))
    assert status == 200
    (call,) = await bravo.api.wait_for("views.open")
    assert call.args["view"]["callback_id"] == "kudos.give"


async def test_an_unknown_button_is_explained_to_the_person_alone(bravo: SlackBravo) -> None:
    status, _, _ = await bravo.post(block_actions("retired.action|0", "x", user_id="U1"))
    assert status == 200
    (call,) = await bravo.api.wait_for("chat.postEphemeral")
    assert call.args["user"] == "U1" and "no longer available" in call.args["text"]


async def test_with_no_points_left_the_shortcut_says_so_instead_of_opening_the_form(bravo: SlackBravo) -> None:
    status, body, _ = await bravo.post(slash_command("/kudos", "<@U2|bob> 5 thanks for the release", user_id="U1"))
    assert status == 200 and "5 points" in body
    message = message_event("Shipped the release", user="U2")
    status, _, _ = await bravo.post(message_action("kudos_message", message, user_id="U1"))
    assert status == 200
    (call,) = await bravo.api.wait_for("views.open")
    shown = json.dumps(call.args["view"], ensure_ascii=False)
    assert "You have used all 5 of your points for today" in shown and "kudos.give" not in shown
