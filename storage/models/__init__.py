"""All tables, one module per aggregate; importing this package registers every table on the metadata."""

from sqlmodel import SQLModel

from storage.models.delivery import OutboxMessage, ProcessedEvent
from storage.models.kudos import Kudos, KudosRecipient, KudosValue
from storage.models.people import CompanyValue, Person, Team

metadata = SQLModel.metadata

__all__ = [
    "CompanyValue",
    "Kudos",
    "KudosRecipient",
    "KudosValue",
    "OutboxMessage",
    "Person",
    "ProcessedEvent",
    "Team",
    "metadata",
]
