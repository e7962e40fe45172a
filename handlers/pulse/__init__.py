"""Pulse checks: the entry points the scheduler, the digests, the CLI and the chat routing use.

Scheduler jobs (each in its own transaction, every few minutes): `send_due_pulses`, `send_reminders`,
`close_expired`. Readers of results: `pulse_report` / `team_results` (already suppressed below the anonymity
threshold), rendered with `results_card` or `report_json`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.pulse.answer import answer, comment_form, show, submit_comment
from handlers.pulse.cards import ANSWER_ACTION, COMMENT_ACTION, COMMENT_FORM, SHOW_ACTION
from handlers.pulse.followup import (
    ANSWER_BACK_ACTION,
    FORGET_ACTION,
    REPLY_ACTION,
    THREAD_ACTION,
    answer_back_form,
    forget,
    reply_form,
    show_thread,
    submit_answer_back,
    submit_reply,
)
from handlers.pulse.results import GroupResult, PulseReport, pulse_report, team_results
from handlers.pulse.send import close_expired, close_now, send_due_pulses, send_now, send_reminders, start_round
from handlers.pulse.view import report_json, results_card

if TYPE_CHECKING:
    from handlers.actions import ActionHandler, FormHandler

__all__ = [
    "GroupResult",
    "PulseReport",
    "close_expired",
    "close_now",
    "pulse_actions",
    "pulse_forms",
    "pulse_report",
    "report_json",
    "results_card",
    "send_due_pulses",
    "send_now",
    "send_reminders",
    "start_round",
    "team_results",
]


def pulse_actions() -> dict[str, ActionHandler]:
    """Pulse buttons, keyed by `Choice.action`."""
    return {
        ANSWER_ACTION: answer,
        COMMENT_ACTION: comment_form,
        SHOW_ACTION: show,
        REPLY_ACTION: reply_form,
        THREAD_ACTION: show_thread,
        ANSWER_BACK_ACTION: answer_back_form,
        FORGET_ACTION: forget,
    }


def pulse_forms() -> dict[str, FormHandler]:
    """Pulse forms, keyed by `Form.action`."""
    return {COMMENT_FORM: submit_comment, REPLY_ACTION: submit_reply, ANSWER_BACK_ACTION: submit_answer_back}
