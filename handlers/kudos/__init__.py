"""Peer recognition: giving kudos, the rules they follow, their cards, notifications and leaderboards.

Where to look: `parse` reads what a person typed; `give` gives one kudos or a burst of them, by the `rules`
(recipients, points, reason, values) and the daily `allowance`, and stores them; `outcome` is what the giver is told
(also for a request seen before); `cards` builds the neutral cards, `notify` queues the recognition post and
messages; `commands` and `form` are the `/kudos` command and its form, `leaderboard` the rankings. The rest of Bravo
imports this package only.
"""

from __future__ import annotations

from handlers.kudos.cards import reason_line
from handlers.kudos.commands import gives_kudos, handle, my_kudos_sections
from handlers.kudos.form import FORM_ACTION, OPEN_FORM_ACTION, form_reply, open_form, submit_form
from handlers.kudos.give import KudosText, give_from_text, give_from_texts, give_kudos
from handlers.kudos.leaderboard import PERIODS, Leaderboard, build_leaderboard, leaderboard_sections, period_label
from handlers.kudos.outcome import KudosOutcome
from handlers.kudos.parse import KudosDraft
from handlers.kudos.rules import KudosRequest
from handlers.routes import Routes

ROUTES = Routes(commands={"kudos": handle}, actions={OPEN_FORM_ACTION: open_form}, forms={FORM_ACTION: submit_form})

__all__ = [
    "FORM_ACTION",
    "KudosDraft",
    "KudosOutcome",
    "KudosRequest",
    "KudosText",
    "Leaderboard",
    "OPEN_FORM_ACTION",
    "PERIODS",
    "ROUTES",
    "build_leaderboard",
    "form_reply",
    "give_from_text",
    "give_from_texts",
    "give_kudos",
    "gives_kudos",
    "handle",
    "leaderboard_sections",
    "my_kudos_sections",
    "open_form",
    "period_label",
    "reason_line",
    "submit_form",
]
