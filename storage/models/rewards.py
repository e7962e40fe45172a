"""Collective rewards: goals a team (or the whole organisation) works towards together, chosen by vote.

A round is one attempt at a goal: `voting` until a goal is chosen, `active` while the pot fills, `reached` once it
was celebrated (within a minute of the kudos that reached it, or by the leaderboard post; `ended_at` says when).
Rounds of a scope are numbered; `(scope_key, number)` is unique so that two processes can never start the same next
round twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import optional_timestamp_field, timestamp_field

TEAM_SCOPE = "team"
ORG_SCOPE = "org"

VOTING = "voting"
ACTIVE = "active"
REACHED = "reached"


class RewardOption(SQLModel, table=True):
    """A reward to work towards: proposed by an admin (for every team, or the organisation) or by a team itself."""

    __tablename__ = "reward_option"

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(default=TEAM_SCOPE, max_length=8)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    reward: str = Field(max_length=200)
    points: int = Field(ge=1)
    proposed_by: int | None = Field(default=None, foreign_key="person.id")
    active: bool = True
    created_at: datetime = timestamp_field()


class RewardRound(SQLModel, table=True):
    """One attempt at a goal by a team (`team:<id>`) or the organisation (`org`)."""

    __tablename__ = "reward_round"
    __table_args__ = (UniqueConstraint("scope_key", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    scope_key: str = Field(max_length=32)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    number: int = Field(ge=1)
    status: str = Field(default=VOTING, max_length=16)
    option_id: int | None = Field(default=None, foreign_key="reward_option.id")
    goal_points: int | None = None
    reward: str | None = Field(default=None, max_length=200)
    started_at: datetime | None = optional_timestamp_field()
    ended_at: datetime | None = optional_timestamp_field()
    created_at: datetime = timestamp_field()


class RewardVote(SQLModel, table=True):
    """A person's vote in a round: for its goal while it is `voting`, for the next goal while it is `active`.

    One vote per person and round; voting again moves the vote.
    """

    __tablename__ = "reward_vote"
    __table_args__ = (UniqueConstraint("round_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="reward_round.id", index=True)
    option_id: int = Field(foreign_key="reward_option.id")
    person_id: int = Field(foreign_key="person.id")
    created_at: datetime = timestamp_field()
