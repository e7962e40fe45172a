"""Team action plans: what a team chose to do itself about its weakest driver after a pulse, and its votes.

A plan is opened once per team and pulse period, when that period's results are out and shown (above the
anonymity threshold). Members propose actions (what, who owns it, by when), vote for them with one vote each, and
the top one or two become the team's commitments; an owner marks a commitment done. `action_vote` has the same
columns as `reward_vote` (`round_id` is the plan, `option_id` the proposal) so that one piece of storage code casts
and counts the votes of both.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import optional_timestamp_field, timestamp_field

VOTING = "voting"
DECIDED = "decided"

PROPOSED = "proposed"
COMMITTED = "committed"
DONE = "done"


class ActionPlan(SQLModel, table=True):
    """A team's plan for one pulse period: the driver it looks at and until when its members vote."""

    __tablename__ = "action_plan"
    __table_args__ = (UniqueConstraint("team_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    period: str = Field(max_length=32)
    driver: str = Field(max_length=32)
    # The driver's score (0–10) as the team saw it: shown to the team already, above the threshold.
    score: float | None = None
    status: str = Field(default=VOTING, max_length=16)
    vote_closes_at: datetime = timestamp_field(index=True)
    created_at: datetime = timestamp_field()


class ActionProposal(SQLModel, table=True):
    """An action a member proposed: `proposed`, then `committed` if the vote chose it, then `done`."""

    __tablename__ = "action_proposal"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="action_plan.id", index=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    text: str = Field(max_length=200)
    owner_id: int = Field(foreign_key="person.id")
    due_on: date
    proposed_by: int | None = Field(default=None, foreign_key="person.id")
    status: str = Field(default=PROPOSED, max_length=16)
    committed_at: datetime | None = optional_timestamp_field()
    done_at: datetime | None = optional_timestamp_field()
    created_at: datetime = timestamp_field()


class ActionVote(SQLModel, table=True):
    """A person's vote in a plan (`round_id`) for a proposal (`option_id`); voting again moves it."""

    __tablename__ = "action_vote"
    __table_args__ = (UniqueConstraint("round_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="action_plan.id", index=True)
    option_id: int = Field(foreign_key="action_proposal.id")
    person_id: int = Field(foreign_key="person.id")
    created_at: datetime = timestamp_field()


class ActionCheckin(SQLModel, table=True):
    """The check-in after a commitment was done: its anonymous round (`pulse_round`, kind `checkin`; None when
    nobody could be asked) and the driver's trend since the action started, kept as the team was shown it when the
    check-in closed (scores of rounds shown above the threshold, like `ActionPlan.score`)."""

    __tablename__ = "action_checkin"

    proposal_id: int = Field(foreign_key="action_proposal.id", primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    round_id: int | None = Field(default=None, foreign_key="pulse_round.id", unique=True)
    driver: str = Field(max_length=32)
    before_score: float | None = None
    before_at: datetime | None = optional_timestamp_field()
    after_score: float | None = None
    after_at: datetime | None = optional_timestamp_field()
    announced_at: datetime | None = optional_timestamp_field()
    created_at: datetime = timestamp_field()


class ActionSuggestion(SQLModel, table=True):
    """An admin's own suggested action for a driver, in one language, shown after the shipped ones."""

    __tablename__ = "action_suggestion"
    __table_args__ = (UniqueConstraint("driver", "language", "text"),)

    id: int | None = Field(default=None, primary_key=True)
    driver: str = Field(max_length=32)
    language: str = Field(max_length=8)
    text: str = Field(max_length=200)
    created_at: datetime = timestamp_field()
