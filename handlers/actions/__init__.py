"""Team action plans: after a pulse, the team chooses what it will do itself about its weakest driver.

The rest of Bravo imports this package only. Scheduler and CLI: `open_plans` (after pulses close), `decide_due`
(votes that ended), `send_reminders` (owners, before the due date), `open_checkins`, `close_checkins` and
`announce_checkins` (the anonymous "did it help?" after an action is done). Readers: `commitments_by_team` and
`commitment_sections` (manager digest), `team_commitment_sections` (App Home), `with_commitments` (`/pulse`),
`actions_json` (`bravo actions list`). Admins: `add_suggestion`.
"""

from __future__ import annotations

from handlers.actions.cards import commitment_sections
from handlers.actions.chat import ACTIONS, FORMS
from handlers.actions.checkins import announce_checkins, close_checkins, open_checkins
from handlers.actions.commitments import (
    actions_json,
    checkin_texts,
    commitments_by_team,
    team_commitment_sections,
    with_commitments,
)
from handlers.actions.plans import decide_due, open_plans
from handlers.actions.reminders import send_reminders
from handlers.actions.suggestions import SuggestionError, action_drivers, add_suggestion
from handlers.routes import Routes

ROUTES = Routes(actions=ACTIONS, forms=FORMS)

__all__ = [
    "ROUTES",
    "SuggestionError",
    "action_drivers",
    "actions_json",
    "add_suggestion",
    "announce_checkins",
    "checkin_texts",
    "close_checkins",
    "commitment_sections",
    "commitments_by_team",
    "decide_due",
    "open_checkins",
    "open_plans",
    "send_reminders",
    "team_commitment_sections",
    "with_commitments",
]
