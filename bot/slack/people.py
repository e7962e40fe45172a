"""Slack users and user groups as Bravo people and teams: users looked up on first sight, a group's members asked
each time it is mentioned (kept for a minute, `bot.slack.cache`), so a kudos to `@platform-team` reaches whoever is
in it now, whatever their directory team.

People from another organisation in a Slack Connect channel are not Bravo's people: Slack marks them (`is_stranger`,
or a workspace that is neither this one nor one of its Enterprise Grid organisation), and they are never added, so
they can neither give nor receive kudos.

Web API calls happen before the database transaction (`fetch`), so no lock is held while Slack answers; `apply`
then writes what was learnt inside the request's transaction.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.slack.cache import Home, SlackMemory
from bot.slack.lookups import UserLookups
from handlers.people import PlatformProfile, sync_platform_person
from storage import people as people_store
from storage.db import Database
from storage.models import Person, Team

log = logging.getLogger(__name__)
SLACKBOT = "USLACKBOT"


def profile_from_user(user: dict[str, Any]) -> PlatformProfile:
    """A `users.info` user as a neutral profile: real name first, then display name, then handle."""
    profile = user.get("profile") or {}
    name = (
        profile.get("real_name")
        or user.get("real_name")
        or profile.get("display_name")
        or user.get("name")
        or str(user["id"])
    )
    return PlatformProfile(
        platform="slack",
        platform_id=str(user["id"]),
        display_name=str(name)[:200],
        email=profile.get("email") or None,
        timezone=user.get("tz") or None,
        locale=user.get("locale") or None,
        is_bot=bool(user.get("is_bot")) or bool(profile.get("bot_id")) or user["id"] == SLACKBOT,
        deleted=bool(user.get("deleted")),
        handle=str(user["name"]) if user.get("name") else None,
    )


def is_outsider(user: dict[str, Any], home: Home | None) -> bool:
    """Someone from another organisation (Slack Connect): marked `is_stranger`, or from a workspace that is neither
    Bravo's nor one of its Enterprise Grid organisation's."""
    if user.get("is_stranger"):
        return True
    team = user.get("team_id") or (user.get("profile") or {}).get("team")
    if home is None or not home.team_id or not team or team == home.team_id:
        return False
    enterprise = (user.get("enterprise_user") or {}).get("enterprise_id") or user.get("enterprise_id")
    return not (home.enterprise_id and enterprise == home.enterprise_id)


@dataclass(frozen=True)
class Introduction:
    """What a request says of its own user (a slash command's `user_id`, `user_name`, `team_id`; an interaction's
    `user`): enough to record someone new at once, and to tell whether they are from another organisation."""

    user_id: str
    name: str = ""
    team_id: str | None = None
    enterprise_id: str | None = None

    @classmethod
    def of_command(cls, command: Mapping[str, Any]) -> Introduction:
        """From a slash command's form fields."""
        return cls(
            str(command["user_id"]),
            str(command.get("user_name") or ""),
            command.get("team_id") or None,
            command.get("enterprise_id") or None,
        )

    @classmethod
    def of_interaction(cls, body: Mapping[str, Any]) -> Introduction:
        """From an interaction's `user` (a button tap, a form submission, a shortcut)."""
        user = body.get("user") or {}
        enterprise = (body.get("enterprise") or {}).get("id") if isinstance(body.get("enterprise"), dict) else None
        name = str(user.get("name") or user.get("username") or "")
        return cls(str(user["id"]), name, user.get("team_id") or (body.get("team") or {}).get("id"), enterprise)

    def profile(self) -> PlatformProfile:
        name = (self.name or self.user_id)[:200]
        return PlatformProfile(platform="slack", platform_id=self.user_id, display_name=name, handle=name)

    def as_user(self) -> dict[str, Any]:
        return {"id": self.user_id, "team_id": self.team_id, "enterprise_id": self.enterprise_id}


@dataclass(frozen=True)
class UserGroup:
    id: str
    name: str
    members: tuple[str, ...]


@dataclass
class Learnt:
    """What Slack told us: users Bravo had not seen, people from other organisations, the groups' members now."""

    profiles: dict[str, PlatformProfile] = field(default_factory=dict)
    outsiders: dict[str, PlatformProfile] = field(default_factory=dict)
    groups: dict[str, UserGroup] = field(default_factory=dict)
    # Recorded from their request alone: described in the background once the request is answered.
    introduced: set[str] = field(default_factory=set)


@dataclass
class Known:
    """Slack ids resolved to Bravo ids within a transaction; a group's current members; the outsiders met."""

    people: dict[str, Person] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    outsiders: dict[str, PlatformProfile] = field(default_factory=dict)

    @property
    def person_ids(self) -> Mapping[str, int]:
        """Slack id -> person id, read through (a batch's turns share one `Known` of many people)."""
        return _PersonIds(self.people)

    @property
    def people_by_id(self) -> dict[int, Person]:
        return {person.id or 0: person for person in self.people.values()}

    @property
    def team_ids(self) -> dict[str, int]:
        return {group: team.id or 0 for group, team in self.teams.items()}


class _PersonIds(Mapping[str, int]):
    def __init__(self, people: dict[str, Person]) -> None:
        self._people = people

    def __getitem__(self, slack_id: str) -> int:
        return self._people[slack_id].id or 0

    def __iter__(self) -> Iterator[str]:
        return iter(self._people)

    def __len__(self) -> int:
        return len(self._people)


class SlackDirectory:
    """Looks up unknown Slack users (`users.info`, through `UserLookups`) and user groups' members."""

    def __init__(
        self, client: AsyncWebClient, database: Database, memory: SlackMemory, now: datetime, lookups: UserLookups
    ) -> None:
        self.client = client
        self.database = database
        self.memory = memory
        self.now = now
        self.lookups = lookups

    async def fetch(
        self,
        user_ids: Iterable[str],
        usergroups: dict[str, str] | None = None,
        introduced: Mapping[str, Introduction] | None = None,
    ) -> Learnt:
        """Ask Slack about the groups mentioned and the users the database does not know yet.

        A request's own user who is new is recorded from what the request says (`Introduction`) without asking
        Slack, unless a directory person still waits to be linked to Slack (they might be that person: only Slack's
        answer, with the email, can tell).
        """
        wanted = list(dict.fromkeys(user_id for user_id in user_ids if user_id))
        learnt = Learnt()
        for group_id, label in (usergroups or {}).items():
            members = await self._group_members(group_id)
            if members is not None:
                learnt.groups[group_id] = UserGroup(group_id, label or group_id, members)
                wanted.extend(member for member in members if member not in wanted)
        async with self.database.sessions() as session:
            found = await people_store.known_slack_ids(session, slack_ids=wanted)
            unknown = [user_id for user_id in wanted if user_id not in found]
            new = [user_id for user_id in unknown if user_id in (introduced or {})]
            if new and await self._someone_to_link(session):
                new = []
        asked = [user_id for user_id in unknown if user_id not in new]
        users = await asyncio.gather(*(self.lookups.user(user_id, self.now) for user_id in asked))
        home = await self._home() if any(users) or new else None
        described = [(profile_from_user(user), user) for user in users if user is not None]
        for user_id in new:
            introduction = (introduced or {})[user_id]
            described.append((introduction.profile(), introduction.as_user()))
            learnt.introduced.add(user_id)
        for profile, user in described:
            (learnt.outsiders if is_outsider(user, home) else learnt.profiles)[profile.platform_id] = profile
        learnt.introduced.intersection_update(learnt.profiles)
        return learnt

    async def _someone_to_link(self, session: AsyncSession) -> bool:
        """Whether a directory person has an email and no Slack id yet (asked at most once a minute)."""
        waiting = self.memory.unlinked.get("any", self.now)
        if waiting is None:
            waiting = await people_store.someone_unlinked_on_slack(session)
            self.memory.unlinked.put("any", waiting, self.now)
        return waiting

    async def _home(self) -> Home | None:
        """Bravo's workspace, asked once (`auth.test`); None while Slack cannot say."""
        if self.memory.home is None:
            try:
                response = await self.client.auth_test()
            except SlackApiError as error:
                log.warning("auth.test failed: %s", error.response.get("error"))
                return None
            self.memory.home = Home(response.get("team_id") or None, response.get("enterprise_id") or None)
        return self.memory.home

    async def _group_members(self, group_id: str) -> tuple[str, ...] | None:
        """The group's members now (as of a minute ago at most); None when Slack cannot say."""
        members = self.memory.groups.get(group_id, self.now)
        if members is not None:
            return members
        try:
            response = await self.client.usergroups_users_list(usergroup=group_id)
        except SlackApiError as error:
            log.warning("usergroups.users.list %s failed: %s", group_id, error.response.get("error"))
            return None
        members = tuple(str(user) for user in response.get("users") or ())
        self.memory.groups.put(group_id, members, self.now)
        return members

    async def apply(
        self, session: AsyncSession, learnt: Learnt, user_ids: Iterable[str], usergroups: Iterable[str] = ()
    ) -> Known:
        """Create or update the people and teams learnt, and resolve every id the request needs."""
        known = Known(outsiders=dict(learnt.outsiders))
        new = [(user_id, learnt.profiles[user_id].display_name) for user_id in sorted(learnt.introduced)]
        await people_store.record_slack_people(session, new, self.now)
        for profile in learnt.profiles.values():
            if profile.platform_id not in learnt.introduced:
                known.people[profile.platform_id] = await sync_platform_person(session, profile)
        members = [member for group in learnt.groups.values() for member in group.members]
        missing = [user_id for user_id in dict.fromkeys((*user_ids, *members)) if user_id not in known.people]
        known.people.update(await people_store.people_by_slack_ids(session, slack_ids=missing))
        for group in learnt.groups.values():
            known.teams[group.id] = await self._team_for(session, group, known)
            known.groups[group.id] = group.members
        for group_id in usergroups:
            if group_id not in known.teams:
                team = await people_store.team_by_usergroup(session, usergroup=group_id)
                if team is not None:
                    known.teams[group_id] = team
        return known

    async def _team_for(self, session: AsyncSession, group: UserGroup, known: Known) -> Team:
        """The team behind a user group: linked by id, else by name, else created; members without a team join it."""
        team = await people_store.team_by_usergroup(session, usergroup=group.id)
        if team is None:
            team = await people_store.team_by_name(session, name=group.name)
            if team is not None and team.slack_usergroup is None:
                team.slack_usergroup = group.id
            elif team is None:
                team = Team(name=group.name[:120], slack_usergroup=group.id)
            else:
                team = Team(name=f"{group.name} ({group.id})"[:120], slack_usergroup=group.id)
            await people_store.save(session, team)
        for member_id in group.members:
            person = known.people.get(member_id) or await people_store.person_by_slack_id(session, slack_id=member_id)
            if person is not None and person.team_id is None:
                person.team_id = team.id
                await people_store.save(session, person)
        return team
