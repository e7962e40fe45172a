"""Pulse results for each team and the organisation: the only way any reader gets pulse numbers.

`pulse_report` reads each team's latest readable round (and the earlier rounds its changes compare with), lets
`handlers.pulse.suppression` decide what the anonymity threshold hides, then computes the figures
(`handlers.pulse.figures`) of what is left: a hidden group or question carries no number at all, so no renderer (chat,
digest, CLI, export) can show one by mistake. Teams too small to show are rolled up together
(`handlers.pulse.rollup`) and each roll-up is a group of its own, labelled with its teams' names, without comments;
its trends compare it only with earlier pools of the same teams (`handlers.pulse.continuity`). A round becomes
readable only when it closes: while a team's latest round is open, its group carries only how many have answered
and when it closes, so nobody can watch an average move and learn the answer that moved it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.policy import Policy
from handlers.pulse.continuity import DriverTrend, organisation_trends, rollup_trends, trends
from handlers.pulse.figures import CommentView, DriverResult, Figures, QuestionResult
from handlers.pulse.reading import Rounds, asked, comments, hierarchy, readable_rounds
from handlers.pulse.rollup import Rollup, rollups
from handlers.pulse.suppression import TeamVisibility, team_visibility
from storage import people as people_store


@dataclass(frozen=True)
class GroupResult:
    """A team, a roll-up of small teams (`team_id` None, `members` their ids) or, with `team_id` None and no
    members, the organisation; numbers are None whenever `hidden`."""

    team_id: int | None
    name: str
    hidden: bool
    period: str | None = None
    closed: bool = False
    closes_at: datetime | None = None
    invited: int | None = None
    answered: int | None = None
    participation_change: float | None = None
    questions: tuple[QuestionResult, ...] = ()
    drivers: tuple[DriverResult, ...] = ()
    members: tuple[int, ...] = ()
    trends: tuple[DriverTrend, ...] = ()

    @property
    def rolled_up(self) -> bool:
        """Whether this group is several small teams shown together."""
        return bool(self.members)

    @property
    def participation(self) -> float | None:
        if self.hidden or not self.invited or self.answered is None:
            return None
        return self.answered / self.invited


@dataclass(frozen=True)
class PulseReport:
    teams: tuple[GroupResult, ...]
    organisation: GroupResult
    threshold: int
    rollups: tuple[GroupResult, ...] = ()

    def team(self, team_id: int) -> GroupResult | None:
        return self._by_team.get(team_id)

    def rollup_of(self, team_id: int) -> GroupResult | None:
        """The shown roll-up a team too small to show is part of (None when it has none)."""
        return next((group for group in self.rollups if team_id in group.members and not group.hidden), None)

    def shown_for(self, team_id: int) -> GroupResult | None:
        """What a team's manager sees: the team's results, or its roll-up's when the team is hidden."""
        group = self.team(team_id)
        if group is not None and group.hidden:
            return self.rollup_of(team_id) or group
        return group

    def with_rollups(self, groups: Sequence[GroupResult]) -> list[GroupResult]:
        """`groups`, each hidden team followed by its roll-up (each roll-up once)."""
        found: list[GroupResult] = []
        for group in groups:
            found.append(group)
            rollup = self.rollup_of(group.team_id) if group.hidden and group.team_id is not None else None
            if rollup is not None and rollup not in found:
                found.append(rollup)
        return found

    @cached_property
    def _by_team(self) -> dict[int | None, GroupResult]:
        """Teams by id, built once: the digests look up every team of a large organisation."""
        found: dict[int | None, GroupResult] = {}
        for group in self.teams:
            found.setdefault(group.team_id, group)
        return found


async def team_results(session: AsyncSession, *, team_id: int, policy: Policy, now: datetime) -> GroupResult | None:
    """One team's latest readable results (None when it was never asked), suppressed like every other reader's."""
    return (await pulse_report(session, policy=policy, now=now)).team(team_id)


async def pulse_report(session: AsyncSession, *, policy: Policy, now: datetime) -> PulseReport:
    """Every team's latest readable pulse and the organisation's, with the anonymity rule applied."""
    threshold = policy.anonymity_threshold
    names = {team.id or 0: team.name for team in await people_store.all_teams(session)}
    rounds = await readable_rounds(session, now)
    tree = await hierarchy(session)
    periods = {team: pulse.period for team, pulse in rounds.current.items()}
    groups_of_small = rollups(rounds.answered(), periods, threshold=threshold, hierarchy=tree)
    visibility = team_visibility(
        rounds.answered(), rounds.answered_before(), threshold=threshold, rollups=groups_of_small
    )
    figures = Figures(await asked(session, rounds, tree), threshold=threshold, teams=visibility)
    per_team = figures.questions_by_team()
    shown = [pulse.id or 0 for team, pulse in rounds.current.items() if team not in visibility.hidden]
    report = _Assembly(rounds, visibility, figures, per_team, await comments(session, shown), now)
    ordered = sorted(rounds.asked, key=lambda team: names[team].lower() if team in names else "")
    groups = tuple(report.team(team_id, names.get(team_id, str(team_id))) for team_id in ordered)
    rolled = tuple(report.rollup(group, names) for group in groups_of_small)
    return PulseReport(teams=groups, organisation=report.organisation(), threshold=threshold, rollups=rolled)


def _with_comments(result: QuestionResult, comments: Sequence[CommentView]) -> QuestionResult:
    if result.hidden or not comments:
        return result
    return QuestionResult(result.question, False, result.stats, result.change, tuple(comments))


@dataclass(frozen=True)
class _Assembly:
    """The groups of a report, from its rounds, what is hidden, the figures and the comments of the shown rounds."""

    rounds: Rounds
    visibility: TeamVisibility
    figures: Figures
    per_team: dict[int, list[QuestionResult]]
    comments: dict[tuple[int, int], list[CommentView]]
    now: datetime

    def team(self, team_id: int, name: str) -> GroupResult:
        if team_id in self.rounds.open:
            return self._open_team(team_id, name)
        pulse = self.rounds.current.get(team_id)
        if pulse is None or team_id in self.visibility.hidden:
            return GroupResult(team_id=team_id, name=name, hidden=True)
        invited, answered = self.rounds.counts[pulse.id or 0]
        results = tuple(
            _with_comments(result, self.comments.get((pulse.id or 0, result.question.id or 0), ()))
            for result in self.per_team.get(team_id, [])
        )
        return GroupResult(
            team_id=team_id,
            name=name,
            hidden=False,
            period=pulse.period,
            closed=True,
            closes_at=pulse.closes_at,
            invited=invited,
            answered=answered,
            participation_change=self._participation_change(team_id, invited, answered),
            questions=results,
            drivers=self.figures.drivers(team_id, results),
            trends=trends(
                self.figures.asked,
                team_id,
                threshold=self.figures.threshold,
                hidden_now={result.question.id or 0 for result in results if result.hidden},
            ),
        )

    def rollup(self, group: Rollup, names: dict[int, str]) -> GroupResult:
        """Small teams shown together (their rounds share a period): pooled figures and their trends over the earlier
        shown pools of the same teams, no comments."""
        members = tuple(sorted(group, key=lambda team: names.get(team, str(team)).lower()))
        name = " + ".join(names.get(team, str(team)) for team in members)
        if group in self.visibility.hidden_rollups:
            return GroupResult(team_id=None, name=name, hidden=True, members=members)
        pulses = [self.rounds.current[team] for team in members]
        counts = [self.rounds.counts[pulse.id or 0] for pulse in pulses]
        results = tuple(self.figures.rollup_results.get(group, []))
        return GroupResult(
            team_id=None,
            name=name,
            hidden=False,
            period=pulses[0].period,
            closed=True,
            closes_at=max(pulse.closes_at for pulse in pulses),
            invited=sum(invited for invited, _ in counts),
            answered=sum(answered for _, answered in counts),
            questions=results,
            drivers=self.figures.drivers(group, results),
            members=members,
            trends=rollup_trends(
                self.figures.asked,
                group,
                threshold=self.figures.threshold,
                hidden_now={result.question.id or 0 for result in results if result.hidden},
            ),
        )

    def _open_team(self, team_id: int, name: str) -> GroupResult:
        """A team whose round is still open: how many have answered so far and when it closes, nothing else."""
        pulse = self.rounds.open[team_id]
        invited, answered = self.rounds.counts.get(pulse.id or 0, (0, 0))
        return GroupResult(
            team_id=team_id,
            name=name,
            hidden=False,
            period=pulse.period,
            closed=False,
            closes_at=pulse.closes_at,
            invited=invited,
            answered=answered,
        )

    def _participation_change(self, team_id: int, invited: int, answered: int) -> float | None:
        if team_id not in self.visibility.comparable:
            return None
        previous = self.rounds.history[team_id][-2]
        if not self.figures.asked.visible_then(previous, None, threshold=self.figures.threshold)[0]:
            return None
        before_invited, before_answered = self.rounds.counts[self.rounds.history[team_id][-2].id or 0]
        return answered / invited - before_answered / before_invited if invited and before_invited else None

    def organisation(self) -> GroupResult:
        if self.rounds.open and not self.rounds.history:
            return self._open_organisation()
        if self.visibility.organisation_hidden:
            return GroupResult(team_id=None, name="", hidden=True)
        current = self.rounds.current.values()
        results = tuple(self.figures.organisation_results)
        return GroupResult(
            team_id=None,
            name="",
            hidden=False,
            invited=sum(self.rounds.counts[pulse.id or 0][0] for pulse in current),
            answered=sum(self.rounds.counts[pulse.id or 0][1] for pulse in current),
            questions=results,
            drivers=self.figures.drivers(None, results),
            closed=True,
            trends=organisation_trends(self.figures.asked, threshold=self.figures.threshold),
        )

    def _open_organisation(self) -> GroupResult:
        """Every asked team's round is open: the organisation shows only how many have answered so far."""
        counts = [self.rounds.counts.get(pulse.id or 0, (0, 0)) for pulse in self.rounds.open.values()]
        return GroupResult(
            team_id=None,
            name="",
            hidden=False,
            closed=False,
            closes_at=max(pulse.closes_at for pulse in self.rounds.open.values()),
            invited=sum(invited for invited, _ in counts),
            answered=sum(answered for _, answered in counts),
        )
