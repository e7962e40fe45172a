"""Pulse checks: the question bank, plans, rounds, and answers stored so that none leads back to a person.

Who was asked (`pulse_participation`, written when the pulse is sent) is kept apart from who answered
(`pulse_respondent`) and from what was answered (`pulse_answer`, `pulse_comment`). Answer, comment and respondent rows
carry no person, no team finer than the round's, no timestamp and a random id; their only key is keyed with
`BRAVO_SECRET_KEY` (never in the database) from the round, the question and the person, so only code holding the
secret can find a person's own rows again, and the keys are erased when the round closes. A tap writes only these.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import timestamp_field


def random_id() -> str:
    """A random row id: unlike an autoincrement it says nothing about insertion order."""
    return uuid.uuid4().hex


class PulseQuestion(SQLModel, table=True):
    """A question of the bank (shipped, `builtin`) or added by an admin; retired ones stay for old results."""

    __tablename__ = "pulse_question"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True)
    driver: str = Field(max_length=32, index=True)
    scale: str = Field(max_length=16)
    text_en: str = Field(sa_type=Text)
    text_fr: str = Field(sa_type=Text)
    builtin: bool = True
    active: bool = True


class PulsePlan(SQLModel, table=True):
    """When a team is asked; the row without a team overrides the settings for every team. Empty fields inherit."""

    __tablename__ = "pulse_plan"

    id: int | None = Field(default=None, primary_key=True)
    team_id: int | None = Field(default=None, foreign_key="team.id", unique=True)
    cadence: str | None = Field(default=None, max_length=16)
    weekday: int | None = None
    local_time: str | None = Field(default=None, max_length=5)
    questions: int | None = None
    window_hours: int | None = None
    enabled: bool | None = None


PULSE = "pulse"
CHECKIN = "checkin"


class PulseRound(SQLModel, table=True):
    """One pulse sent to one team; `period` (the pulse's date, or the moment of a manual send) makes it unique.

    A `checkin` round is a team's one-question check-in after an action it committed to (`subject`: the action's
    text): the same ballots and rules, but never read as the team's pulse results."""

    __tablename__ = "pulse_round"
    __table_args__ = (UniqueConstraint("team_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    period: str = Field(max_length=32)
    opened_at: datetime = timestamp_field()
    closes_at: datetime = timestamp_field(index=True)
    remind_at: datetime = timestamp_field()
    reminded: bool = False
    closed: bool = Field(default=False, index=True)
    # Which secret key made the round's ballots (a keyed check value, not the key): a tap that no longer verifies
    # because the key changed is told so, instead of "sent to someone else".
    key_check: str | None = Field(default=None, max_length=32)
    kind: str = Field(default=PULSE, max_length=16, index=True, sa_column_kwargs={"server_default": PULSE})
    subject: str | None = Field(default=None, sa_type=Text)


class PulseRoundQuestion(SQLModel, table=True):
    """The questions of a round, in the order they are asked."""

    __tablename__ = "pulse_round_question"

    round_id: int = Field(foreign_key="pulse_round.id", primary_key=True)
    question_id: int = Field(foreign_key="pulse_question.id", primary_key=True)
    position: int = 0


class PulseParticipation(SQLModel, table=True):
    """Who was invited to a round, written when it is sent and never touched by an answer."""

    __tablename__ = "pulse_participation"

    round_id: int = Field(foreign_key="pulse_round.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)


class PulseRespondent(SQLModel, table=True):
    """Someone answered a round: only a key made with the secret from the round and the person (random once the
    round closes). Participation is the count of these rows; reminders recompute the keys to skip respondents."""

    __tablename__ = "pulse_respondent"

    key: str = Field(max_length=64, primary_key=True)
    round_id: int = Field(foreign_key="pulse_round.id", index=True)


class PulseAnswer(SQLModel, table=True):
    """One answer to one question: no person, no time, a random id. `ballot_hash` is the keyed answer key that lets
    the person change it while the round is open (erased when it closes); `version` counts the writes, so a replayed
    or stale tap (carrying an older version) changes nothing."""

    __tablename__ = "pulse_answer"

    id: str = Field(default_factory=random_id, max_length=32, primary_key=True)
    round_id: int = Field(foreign_key="pulse_round.id", index=True)
    question_id: int = Field(foreign_key="pulse_question.id", index=True)
    ballot_hash: str | None = Field(default=None, max_length=64, unique=True)
    value: int
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class PulseComment(SQLModel, table=True):
    """An optional comment on a question, unlinked from the score (its hash differs from the answer's).

    `sealed_reply_to` lets the bot forward a manager's reply: the author's address encrypted with a key that is
    not in the database (`BRAVO_SECRET_KEY`); the database alone cannot open it.
    """

    __tablename__ = "pulse_comment"

    id: str = Field(default_factory=random_id, max_length=32, primary_key=True)
    round_id: int = Field(foreign_key="pulse_round.id", index=True)
    question_id: int = Field(foreign_key="pulse_question.id", index=True)
    ballot_hash: str | None = Field(default=None, max_length=64, unique=True)
    text: str = Field(sa_type=Text)
    sealed_reply_to: str | None = Field(default=None, sa_type=Text)


class PulseFollowup(SQLModel, table=True):
    """A message in the anonymous conversation about a comment: a manager's (named) or the author's (not)."""

    __tablename__ = "pulse_followup"
    __table_args__ = (UniqueConstraint("comment_id", "position"),)

    id: str = Field(default_factory=random_id, max_length=32, primary_key=True)
    # No database-level foreign key: comments are rewritten in a random order when their round closes.
    comment_id: str = Field(max_length=32, index=True)
    position: int
    from_author: bool
    manager_id: int | None = Field(default=None, foreign_key="person.id")
    text: str = Field(sa_type=Text)
