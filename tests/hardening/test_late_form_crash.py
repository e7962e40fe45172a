"""A real `bravo run` killed (SIGKILL) after a late kudos form said "working on it" and while its answer, a direct
message, was on its way to Slack: whether Slack had not yet posted it or had posted it without Bravo hearing back,
the restarted process leaves exactly one answer in the giver's messages with Bravo, and the kudos counts once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.ingest import count_kudos
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_workspace import JsonDict
from tests.hardening.late_crash import late_run
from tests.soak.harness import ENGINES
from tests.soak.mix import kudos_form

GIVER_DM = "DU0000001"
GIVER = ("U0000001", GIVER_DM)  # a direct message is posted to the person's id or to the conversation's
ANSWER = "You gave 1 point"
HANG_SECONDS = 60.0


def hang_the_answer(api: FakeSlackApi, *, posted: bool) -> None:
    """Slack takes the giver's direct message and hangs until the kill, before posting it or (`posted`) after."""

    async def post(args: JsonDict) -> JsonDict:
        to_giver = args.get("channel") in GIVER
        if to_giver and not posted:
            await api.stall(HANG_SECONDS)
        body = api.default_response("chat.postMessage", args)
        if to_giver and posted:
            await api.stall(HANG_SECONDS)
        return body

    api.responses_for("chat.postMessage", post)


def sent_to_giver(api: FakeSlackApi) -> int:
    """How many times Bravo asked Slack to post in the giver's direct messages."""
    return sum(call.args.get("channel") in GIVER for call in api.calls_to("chat.postMessage"))


def answers_shown(api: FakeSlackApi) -> list[str]:
    """The giver's direct messages from Bravo that answer the form."""
    texts = [json.dumps(message) for _when, message in api.workspace.history.get(GIVER_DM, [])]
    return [text for text in texts if ANSWER in text]


@pytest.mark.parametrize("posted", [False, True], ids=["before-slack-posted-it", "after-slack-posted-it"])
@pytest.mark.parametrize("engine", ENGINES)
async def test_a_kill_between_working_on_it_and_the_forms_direct_message_leaves_one_answer(
    engine: str, posted: bool, tmp_path: Path
) -> None:
    async with late_run(engine, tmp_path) as run:
        api, server = run.api, run.server
        hang_the_answer(api, posted=posted)
        body, _ = kudos_form(1, 2, "thanks for the release #teamwork", view_id="Vcrash1")
        await server.start_healthy()
        status, text = await run.post(body)
        assert status == 200 and "Working on it" in text, text
        await api.wait_until(
            lambda: sent_to_giver(api) == 1 and len(answers_shown(api)) == int(posted),
            20,
            lambda: f"the answer never reached Slack: {[call.args for call in api.calls]!r}",
        )
        server.kill()
        api.clear_response("chat.postMessage")
        await server.start_healthy()
        await run.drained()
        assert len(answers_shown(api)) == 1, answers_shown(api)
        assert sent_to_giver(api) == (1 if posted else 2)  # found in Slack's history, or sent again
        assert await count_kudos(run.url) == 1
