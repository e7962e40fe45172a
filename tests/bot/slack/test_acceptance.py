"""The issue's acceptance flows, driven exactly as Slack drives Bravo, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time

from bot.cli.kudos import leaderboard_json
from handlers.kudos.leaderboard import build_leaderboard
from storage import people as people_store
from storage.models.base import utcnow
from tests.bot.slack.conftest import RECOGNITION_CHANNEL, SlackBravo
from tests.conftest import both_engines
from tests.fakes.slack_requests import event_callback, reaction_added_event, slash_command


async def _leaderboard(bravo: SlackBravo) -> dict[str, object]:
    async with bravo.runtime.database.sessions() as session:
        board = await build_leaderboard(
            session, bravo.runtime.policy, period="week", now=utcnow(), include_people=True, limit=None
        )
        names = {team.id: team.name for team in await people_store.all_teams(session)}
    return leaderboard_json(board, names, bravo.runtime)


@both_engines
async def test_a_signed_kudos_is_acknowledged_fast_then_posted_dmed_and_counted(bravo: SlackBravo) -> None:
    status, body, seconds = await bravo.post(
        slash_command("/kudos", "<@U2|bob> thanks for the release #teamwork", user_id="U1")
    )
    assert status == 200 and seconds < 2.0
    answer = json.loads(body)
    assert answer["response_type"] == "ephemeral"
    assert "4 points left" in answer["text"] + json.dumps(answer["blocks"])
    await bravo.drain()
    (post,) = bravo.posts_to(RECOGNITION_CHANNEL)
    assert "<@U1>" in json.dumps(post["blocks"]) and "<@U2>" in json.dumps(post["blocks"])
    assert "thanks for the release" in json.dumps(post["blocks"]) and "#teamwork" in json.dumps(post["blocks"])
    (dm,) = bravo.posts_to("U2")
    assert "You received kudos" in json.dumps(dm["blocks"])
    board = await _leaderboard(bravo)
    people = board["people"]
    assert isinstance(people, list) and len(people) == 1
    assert people[0]["slack_id"] == "U2" and people[0]["points"] == 1 and people[0]["name"] == "Bob Smith"


@both_engines
async def test_the_same_reaction_delivered_twice_counts_once(bravo: SlackBravo) -> None:
    delivery = event_callback(reaction_added_event("clap", user="U1", item_user="U2"), event_id="EvREACT1")
    first = await bravo.post(delivery)
    retry = await bravo.post(delivery, retry_num=1)
    assert first[0] == 200 and retry[0] == 200
    await bravo.settle()
    assert len(bravo.api.calls_to("chat.postEphemeral")) == 1
    assert len(bravo.posts_to("U2")) == 1 and len(bravo.posts_to(RECOGNITION_CHANNEL)) == 1
    board = await _leaderboard(bravo)
    assert [(p["slack_id"], p["points"]) for p in board["people"]] == [("U2", 1)]  # type: ignore[union-attr]


async def test_forged_and_stale_signatures_get_401(bravo: SlackBravo) -> None:
    body, content_type = slash_command("/kudos", "<@U2|bob> thanks", user_id="U1")
    url = str(bravo.client.make_url("/slack/events"))
    forged = await bravo.client.session.post(
        url,
        data=body.encode(),
        headers={
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(int(time.time())),
            "X-Slack-Signature": "v0=" + "0" * 64,
        },
    )
    assert forged.status == 401
    stale = await bravo.post((body, content_type), timestamp=int(time.time()) - 6 * 60)
    assert stale[0] == 401
    await bravo.drain()
    assert bravo.api.calls_to("chat.postMessage") == []


@both_engines
async def test_self_kudos_and_over_allowance_are_explained_and_change_nothing(bravo: SlackBravo) -> None:
    status, body, _ = await bravo.post(slash_command("/kudos", "<@U1|alice> I rock", user_id="U1"))
    assert status == 200 and "yourself" in json.loads(body)["text"]
    await bravo.post(slash_command("/kudos", "<@U2|bob> <@U3|claire> 2 great pairing", user_id="U1"))
    status, body, _ = await bravo.post(slash_command("/kudos", "<@U4|david> 2 thanks for the demo", user_id="U1"))
    answer = json.loads(body)
    assert answer["response_type"] == "ephemeral"
    assert "needs 2 points" in answer["text"] and "1 point left" in answer["text"]
    await bravo.drain()
    board = await _leaderboard(bravo)
    assert sorted((p["slack_id"], p["points"]) for p in board["people"]) == [("U2", 2), ("U3", 2)]  # type: ignore[union-attr]
    assert bravo.posts_to("U4") == [] and bravo.posts_to("U1") == []


@both_engines
async def test_broadcast_mentions_in_a_reason_are_never_posted_raw(bravo: SlackBravo) -> None:
    reason = "<@U2|bob> thanks <!channel> <!here> and <https://evil.example|https://bank.example> &lt;!everyone&gt;"
    status, body, _ = await bravo.post(slash_command("/kudos", reason, user_id="U1"))
    assert status == 200 and "<!channel>" not in body and "<!here>" not in body
    await bravo.drain()
    for call in bravo.api.calls_to("chat.postMessage"):
        sent = json.dumps(call.args)
        assert "<!channel>" not in sent and "<!here>" not in sent and "<!everyone>" not in sent
        assert "<https://evil.example|" not in sent
        assert "&lt;!everyone&gt;" in sent or "!everyone" not in sent
    (post,) = bravo.posts_to(RECOGNITION_CHANNEL)
    text = json.dumps(post["blocks"])
    assert "@channel" in text and "https://bank.example (https://evil.example)" in text
