"""All tables, one module per aggregate; importing this package registers every table on the metadata."""

from sqlmodel import SQLModel

from storage.models.actions import ActionCheckin, ActionPlan, ActionProposal, ActionSuggestion, ActionVote
from storage.models.conversation_references import TeamsConversation
from storage.models.delivery import OutboxMessage, ProcessedEvent
from storage.models.inbox import InboxEvent
from storage.models.kudos import Kudos, KudosRecipient, KudosValue
from storage.models.kudos_summary import KudosSummary, KudosSummaryChange, KudosSummaryState
from storage.models.people import CompanyValue, Person, Team
from storage.models.pulse import (
    PulseAnswer,
    PulseComment,
    PulseFollowup,
    PulseParticipation,
    PulsePlan,
    PulseQuestion,
    PulseRespondent,
    PulseRound,
    PulseRoundQuestion,
)
from storage.models.rewards import RewardOption, RewardRound, RewardVote
from storage.models.schedule import ScheduledPost, TeamSchedule

metadata = SQLModel.metadata

__all__ = [
    "ActionCheckin",
    "ActionPlan",
    "ActionProposal",
    "ActionSuggestion",
    "ActionVote",
    "CompanyValue",
    "InboxEvent",
    "Kudos",
    "KudosRecipient",
    "KudosSummary",
    "KudosSummaryChange",
    "KudosSummaryState",
    "KudosValue",
    "OutboxMessage",
    "Person",
    "ProcessedEvent",
    "PulseAnswer",
    "PulseComment",
    "PulseFollowup",
    "PulseParticipation",
    "PulsePlan",
    "PulseQuestion",
    "PulseRespondent",
    "PulseRound",
    "PulseRoundQuestion",
    "RewardOption",
    "RewardRound",
    "RewardVote",
    "ScheduledPost",
    "Team",
    "TeamSchedule",
    "TeamsConversation",
    "metadata",
]
