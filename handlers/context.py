"""What every use case receives (who is asking, in which transaction, under which rules, at what time), and the
once-per-delivery claim for use cases whose result is not keyed by itself (Slack redelivers with the same event key)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.i18n import Translator, normalise_language
from handlers.messages import PersonRef
from handlers.policy import Policy
from storage.events import claim_event
from storage.models import Person


@dataclass(frozen=True)
class Capabilities:
    """What the platform a request came from lets people do besides typing commands, so help promises only that."""

    user_groups: bool = True  # `/kudos @group …` recognises every member of a platform user group
    emoji_kudos: bool = True  # the kudos emoji in a channel message, or as a reaction, gives kudos


@dataclass
class Context:
    """One request's world; adapters build it, use cases read it."""

    session: AsyncSession
    actor: Person
    policy: Policy
    now: datetime
    platform: str
    event_key: str | None = None
    channel: str | None = None
    locale: str | None = None
    capabilities: Capabilities = field(default_factory=Capabilities)
    t: Translator = field(init=False)

    def __post_init__(self) -> None:
        self.t = translator_for_person(self.actor, self.policy, self.locale)

    @property
    def is_admin(self) -> bool:
        return self.actor.is_admin or (self.actor.email or "") in self.policy.admin_emails


def person_ref(person: Person) -> PersonRef:
    return PersonRef(id=person.id or 0, name=person.display_name, slack_id=person.slack_id, teams_id=person.teams_id)


def language_of(person: Person | None, policy: Policy, locale: str | None = None) -> str:
    """A person's language: their directory entry, else their platform locale, else the workspace default."""
    if person is not None and person.language:
        return normalise_language(person.language, policy.language)
    return normalise_language(locale, policy.language)


def translator_for_person(person: Person | None, policy: Policy, locale: str | None = None) -> Translator:
    """The reader's language and time zone, so every text and date in what they get is theirs."""
    return Translator(language_of(person, policy, locale), timezone_of(person, policy))


def timezone_of(person: Person | None, policy: Policy) -> ZoneInfo:
    """A person's time zone, else the workspace's; an unknown name falls back too."""
    for name in ((person.timezone if person else None), policy.timezone):
        if name:
            try:
                return ZoneInfo(name)
            except (KeyError, ValueError):
                continue
    return ZoneInfo("UTC")


async def first_time(ctx: Context, what: str) -> bool:
    """True unless this very delivery already did `what`; always True without an event key (the console)."""
    if not ctx.event_key:
        return True
    return await claim_event(ctx.session, key=f"{what}:{ctx.event_key}")
