"""A team's check-in after an action it committed to: a pulse round of one question, "did it help?".

It reuses a pulse round (kind `checkin`) so that everything pulses promise holds for it too: keyed ballots, a tap
that writes nothing about the person tapping, respondents counted under keys, answers rewritten in a random order
when it closes, figures only once it is closed. It is never read as the team's pulse results (the report reads
`pulse` rounds only) and never counts in participation, eNPS or driver trends. Its outcome is read here only, through
the same suppression rule as every pulse figure: a check-in with fewer answers than the threshold shows no number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.errors import _
from handlers.i18n import Translator
from handlers.policy import Policy
from handlers.pulse.questions import CHECKIN_DRIVER, CHECKIN_KEY, CHECKIN_SCALE
from handlers.pulse.send import close_round, queue_question, reachable_members
from handlers.pulse.suppression import hidden_groups
from handlers.pulse.tokens import NO_KEY, MissingSecretKey, key_check
from storage.models import PulseQuestion, PulseRound, Team
from storage.models.pulse import CHECKIN
from storage.pulse import answers as pulse_answers
from storage.pulse import rounds as pulse_store
from storage.upsert import insert_ignore

QUESTION_TEXT = _("Did this action help the team?")
YES, SOMEWHAT, NO = 2, 1, 0


@dataclass(frozen=True)
class CheckinResult:
    """A check-in round as readers may see it: while open, how many answered and until when; once closed, the
    answers counted per choice, or `hidden` (no number at all) when fewer than the threshold answered."""

    round_id: int
    closed: bool
    closes_at: datetime
    invited: int
    answered: int
    hidden: bool = True
    counts: tuple[tuple[int, int], ...] = ()

    def count(self, value: int) -> int | None:
        """How many answered `value` (YES, SOMEWHAT, NO); None while open or hidden."""
        return None if self.hidden or not self.closed else dict(self.counts).get(value, 0)

    @property
    def responses(self) -> int | None:
        return None if self.hidden or not self.closed else sum(count for _, count in self.counts)


async def checkin_question(session: AsyncSession) -> PulseQuestion:
    """The one check-in question, stored once (inactive, so no pulse ever asks it), in English and French."""
    values = {
        "key": CHECKIN_KEY,
        "driver": CHECKIN_DRIVER,
        "scale": CHECKIN_SCALE,
        "text_en": Translator("en")(QUESTION_TEXT),
        "text_fr": Translator("fr")(QUESTION_TEXT),
        "builtin": True,
        "active": False,
    }
    await insert_ignore(session, PulseQuestion, values)
    question = await pulse_store.question_by_key(session, key=CHECKIN_KEY)
    assert question is not None  # stored just above, or by an earlier run
    return question


async def start_checkin(
    session: AsyncSession, *, team: Team, policy: Policy, now: datetime, subject: str, period: str
) -> PulseRound | None:
    """Ask the team's reachable members, now, whether the action `subject` helped; open for the check-in window.

    None when nobody can be asked or the round for `period` exists (another run opened it). Raises
    `MissingSecretKey` without `BRAVO_SECRET_KEY`: ballots are never made without it."""
    if not policy.secret_key:
        raise MissingSecretKey(NO_KEY)
    members = await reachable_members(session, team=team, policy=policy)
    if not members:
        return None
    window = timedelta(days=policy.action_checkin_window_days)
    checkin = await pulse_store.create_round(
        session,
        team_id=team.id or 0,
        period=period,
        opened_at=now,
        closes_at=now + window,
        remind_at=now + window / 2,
        key_check=key_check(policy.secret_key),
        kind=CHECKIN,
        subject=subject,
    )
    if checkin is None:
        return None
    question = await checkin_question(session)
    await pulse_store.add_round_questions(session, round_id=checkin.id or 0, question_ids=[question.id or 0])
    await pulse_store.invite(session, round_id=checkin.id or 0, person_ids=[member.id or 0 for member in members])
    for member in members:
        await queue_question(
            session, pulse=checkin, person=member, first=question, total=1, policy=policy, not_before=None
        )
    return checkin


async def close_due_checkins(session: AsyncSession, *, now: datetime) -> int:
    """Close the open check-ins whose window has ended (as the pulse job does) or that everyone asked answered."""
    rounds = await pulse_store.open_rounds(session, kind=CHECKIN)
    counts = await pulse_store.participation_counts(session, round_ids=[item.id or 0 for item in rounds])
    closed = 0
    for item in rounds:
        invited, answered = counts[item.id or 0]
        if item.closes_at <= now:
            closed += await close_round(session, pulse=item)
        elif invited and answered >= invited:
            closed += await close_round(session, pulse=item, now=now)
    return closed


async def checkin_results(
    session: AsyncSession, *, round_ids: Sequence[int], threshold: int
) -> dict[int, CheckinResult]:
    """Each check-in round's result; the answers of a round are read only once it is closed."""
    rounds = await pulse_store.rounds_by_ids(session, ids=round_ids)
    rounds = {key: item for key, item in rounds.items() if item.kind == CHECKIN}
    counts = await pulse_store.participation_counts(session, round_ids=sorted(rounds))
    closed = sorted(key for key, item in rounds.items() if item.closed)
    values: dict[int, dict[int, int]] = defaultdict(dict)
    for round_id, _question, value, count in await pulse_answers.answer_values(session, round_ids=closed):
        values[round_id][value] = values[round_id].get(value, 0) + count
    found: dict[int, CheckinResult] = {}
    for key, item in rounds.items():
        invited, answered = counts.get(key, (0, 0))
        result = CheckinResult(key, item.closed, item.closes_at, invited, answered)
        if item.closed:
            answers = values.get(key, {})
            hidden, _whole = hidden_groups({key: sum(answers.values())}, threshold=threshold)
            if key not in hidden:
                shown = tuple((value, answers.get(value, 0)) for value in (YES, SOMEWHAT, NO))
                result = CheckinResult(key, True, item.closes_at, invited, answered, hidden=False, counts=shown)
        found[key] = result
    return found
