"""A token rotation must not lose messages: Slack refusing Bravo's own token holds every delivery instead of failing
it for good, `bravo status` and `/metrics` show them, and `bravo outbox retry` sends them once the token is fixed."""

from __future__ import annotations

from typing import Any

import pytest

from bot.cli import build_parser
from bot.metrics import Metrics
from storage.models.delivery import HELD, SENT
from tests.hardening.test_outbound_faults import Outbound

CHANNELS = ("CENG", "CSALES", "CCARE")


async def run_cli(outbound: Outbound, *argv: str) -> int:
    args = build_parser().parse_args(list(argv))
    return int(await args.func(args, outbound.runtime))


@pytest.mark.parametrize("refusal", ["invalid_auth", "token_revoked", "account_inactive"])
async def test_messages_refused_for_the_token_are_held_then_sent_by_outbox_retry(
    outbound: Outbound, refusal: str, capsys: pytest.CaptureFixture[str]
) -> None:
    api = outbound.api
    token_refused = [True]

    @api.responses_for("chat.postMessage")
    def answer(args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": False, "error": refusal} if token_refused[0] else api.default_response("chat.postMessage", args)

    await outbound.queue(*CHANNELS)
    await outbound.worker.drain()
    rows = await outbound.rows()
    assert [(rows[c].status, rows[c].attempts, rows[c].last_error) for c in CHANNELS] == [(HELD, 0, refusal)] * 3

    capsys.readouterr()
    assert await run_cli(outbound, "status") == 0
    shown = capsys.readouterr().out
    assert "outbox: 0 pending, 0 failed, 3 held, 0 sent" in shown
    assert f"held #{rows['CENG'].id} post on slack: {refusal}" in shown and "`outbox retry` command" in shown
    scraped = (await Metrics().render(outbound.runtime.database)).decode()
    assert "bravo_outbox_held 3.0" in scraped and "bravo_outbox_failed 0.0" in scraped

    assert await run_cli(outbound, "outbox", "retry") == 1  # the token is still refused: they stay held
    result = capsys.readouterr()
    assert result.err == (
        "3 messages are still held: Slack or Teams still refuses the token. Fix it, then run this again.\n"
    )
    assert {row.status for row in (await outbound.rows()).values()} == {HELD}

    token_refused[0] = False  # the operator puts the new token in place
    assert await run_cli(outbound, "outbox", "retry") == 0
    assert capsys.readouterr().out == "3 held messages queued again.\nEvery held message went out.\n"
    rows = await outbound.rows()
    assert [rows[c].status for c in CHANNELS] == [SENT] * 3
    assert [outbound.posted(c) for c in CHANNELS] == [1, 1, 1]
    assert await run_cli(outbound, "outbox", "retry") == 0
    assert capsys.readouterr().out == "No message is held.\n"


async def test_retry_can_be_limited_to_one_message(outbound: Outbound, capsys: pytest.CaptureFixture[str]) -> None:
    outbound.api.fail_next("chat.postMessage", "invalid_auth", times=2)
    await outbound.queue("C1", "C2")
    await outbound.worker.drain()
    rows = await outbound.rows()
    assert await run_cli(outbound, "outbox", "retry", "--platform", "slack", "--id", str(rows["C2"].id)) == 1
    rows = await outbound.rows()
    assert (rows["C1"].status, rows["C2"].status) == (HELD, SENT)
    assert "1 message is still held" in capsys.readouterr().err
