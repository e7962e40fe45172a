"""Pulse checks: the entry points the scheduler, the digests, the CLI and the chat routing use.

Ballots: `with_ballots` puts a person's tokens into a queued pulse card as it is sent (the outbox worker), and
`without_ballots` takes them out of a card that must be stored; a tap on a `BALLOT_ACTIONS` button (or the
`COMMENT_FORM`) writes nothing about the person tapping, so adapters run it without recording anything about them.

Scheduler jobs (each in its own transaction, every few minutes): `send_due_pulses`, `send_reminders`,
`close_expired`. Check-ins after a team's action (`start_checkin`, `close_due_checkins`, read with
`checkin_results`) are rounds of their own kind that no pulse report reads. Readers of results: `pulse_report` /
`team_results` (already suppressed below the anonymity threshold; a team too small to show alone is shown with its
roll-up, `PulseReport.shown_for`; each shown team carries its drivers' `DriverTrend`s), rendered with
`results_card` or `report_json`. Inside, `reading` reads the rounds, `rollup` groups small teams, `suppression`
decides what the threshold hides, `figures` computes what is left and `continuity` each driver's recent measures.
An admin's changes, each raising a typed error the CLI prints: `edit_plan` / `plan_overview`, `add_question`,
`retire_question`, `question_bank`.
"""

from __future__ import annotations

from handlers.pulse.answer import answer, comment_form, show, submit_comment
from handlers.pulse.bank_sync import add_questions
from handlers.pulse.cards import (
    ANSWER_ACTION,
    BALLOT_ACTIONS,
    COMMENT_ACTION,
    COMMENT_FORM,
    SHOW_ACTION,
    with_ballots,
    without_ballots,
)
from handlers.pulse.checkin import CheckinResult, checkin_results, close_due_checkins, start_checkin
from handlers.pulse.commands import handle
from handlers.pulse.continuity import DriverTrend, Measure, last_known
from handlers.pulse.figures import DriverResult
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
from handlers.pulse.plan import (
    CADENCES,
    MAX_QUESTIONS,
    MAX_WINDOW_HOURS,
    WEEKDAYS,
    parse_clock,
    parse_weekday,
)
from handlers.pulse.plan_edit import PlanChange, PlanEditError, TeamPlan, edit_plan, plan_overview
from handlers.pulse.question_edit import QuestionEditError, add_question, question_bank, retire_question
from handlers.pulse.questions import (
    ADMIN_SCALES,
    DRIVERS,
    ENPS_DRIVER,
    SCALES,
    QuestionSpec,
    driver_name,
    parse_question_file,
    question_spec,
)
from handlers.pulse.results import GroupResult, PulseReport, pulse_report, team_results
from handlers.pulse.send import close_expired, close_now, send_due_pulses, send_now, send_reminders, start_round
from handlers.pulse.tokens import MissingSecretKey
from handlers.pulse.view import open_notice, report_json, results_card
from handlers.routes import Routes

__all__ = [
    "ADMIN_SCALES",
    "BALLOT_ACTIONS",
    "CADENCES",
    "COMMENT_FORM",
    "CheckinResult",
    "DRIVERS",
    "DriverResult",
    "DriverTrend",
    "ENPS_DRIVER",
    "GroupResult",
    "MAX_QUESTIONS",
    "MAX_WINDOW_HOURS",
    "Measure",
    "last_known",
    "MissingSecretKey",
    "PlanChange",
    "PlanEditError",
    "PulseReport",
    "QuestionEditError",
    "QuestionSpec",
    "ROUTES",
    "SCALES",
    "TeamPlan",
    "WEEKDAYS",
    "add_question",
    "add_questions",
    "checkin_results",
    "close_due_checkins",
    "close_expired",
    "close_now",
    "driver_name",
    "edit_plan",
    "open_notice",
    "parse_clock",
    "parse_question_file",
    "parse_weekday",
    "plan_overview",
    "pulse_report",
    "question_bank",
    "question_spec",
    "report_json",
    "results_card",
    "retire_question",
    "send_due_pulses",
    "send_now",
    "send_reminders",
    "start_checkin",
    "start_round",
    "team_results",
    "with_ballots",
    "without_ballots",
]


ROUTES = Routes(
    commands={"pulse": handle},
    actions={
        ANSWER_ACTION: answer,
        COMMENT_ACTION: comment_form,
        SHOW_ACTION: show,
        REPLY_ACTION: reply_form,
        THREAD_ACTION: show_thread,
        ANSWER_BACK_ACTION: answer_back_form,
        FORGET_ACTION: forget,
    },
    forms={COMMENT_FORM: submit_comment, REPLY_ACTION: submit_reply, ANSWER_BACK_ACTION: submit_answer_back},
)
