"""The anonymity rule and where a pulse report applies it: the one module that decides which figures are hidden.

`hidden_groups` decides which sibling groups are too small to show and whether their parent must be hidden too;
`suppress` applies it at every level of the tree a report shows: the organisation, the teams and the roll-ups of small
teams under it (`handlers.pulse.rollup`), the teams each roll-up pools. A report applies it before any figure is
computed: to the teams' latest rounds and the organisation (`team_visibility`), then to each question's answers in
those rounds and in the rounds their changes are measured against (`question_visibility`, `round_suppressed`).
What is hidden gets no number at all, so no reader (chat, digest, CLI, export) can show one by mistake.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from handlers.pulse.rollup import Rollup

K = TypeVar("K", bound=Hashable)


def hidden_groups(counts: Mapping[K, int], *, threshold: int, forced: Iterable[K] = ()) -> tuple[set[K], bool]:
    """Which sibling groups to hide, and whether their parent (all of them together) must be hidden too.

    A group with fewer than `threshold` respondents is hidden. Because the parent shows everyone's answers, the
    hidden groups could be computed by subtraction (parent minus the shown siblings); so the hidden groups must
    together hold no respondent or at least `threshold` of them: otherwise the next-smallest shown sibling is hidden
    too, and when none is left the parent is hidden. `forced` groups are hidden whatever their size.
    """
    hidden = {key for key, count in counts.items() if count < threshold} | (set(forced) & set(counts))
    if sum(counts.values()) < threshold:
        return set(counts), True

    def leaks() -> bool:
        together = sum(counts[key] for key in hidden)
        return 0 < together < threshold

    while leaks():
        shown = [key for key, count in counts.items() if key not in hidden and count > 0]
        if not shown:
            return hidden, True
        hidden.add(min(shown, key=lambda key: (counts[key], str(key))))
    return hidden, False


@dataclass(frozen=True)
class Suppressed:
    """What the tree hides: teams, roll-ups, and whether the organisation is hidden."""

    hidden: set[int]
    hidden_rollups: set[Rollup]
    organisation_hidden: bool


def suppress(
    counts: Mapping[int, int],
    *,
    threshold: int,
    rollups: Sequence[Rollup] = (),
    forced: Iterable[int] = (),
    forced_rollups: Iterable[Rollup] = (),
) -> Suppressed:
    """The anonymity rule over the whole tree, so that no difference between two shown groups is a hidden one.

    Under a roll-up, its teams are the siblings (each under the threshold, so hidden, and the roll-up shown only when
    they reach it together). Under the organisation, the siblings are the roll-ups and the teams outside any: a
    hidden sibling there makes the next-smallest one hidden too, roll-up or team. Every figure (a team's, a
    roll-up's, the organisation's, now or in an earlier round) is decided here.
    """
    forced = set(forced)
    hidden = {team for team, count in counts.items() if count < threshold} | (forced & set(counts))
    hidden_rollups = set(forced_rollups) & set(rollups)
    for group in rollups:
        inner, whole = hidden_groups({team: counts.get(team, 0) for team in group}, threshold=threshold, forced=forced)
        hidden |= inner
        if whole:
            hidden_rollups.add(group)
    inside: set[int] = set().union(*rollups) if rollups else set()
    children: dict[tuple[str, tuple[int, ...]], int] = {
        ("team", (team,)): count for team, count in counts.items() if team not in inside
    }
    children.update({("rollup", tuple(sorted(g))): sum(counts.get(team, 0) for team in g) for g in rollups})
    already: list[tuple[str, tuple[int, ...]]] = [("team", (team,)) for team in hidden if team not in inside]
    already += [("rollup", tuple(sorted(group))) for group in hidden_rollups]
    top, organisation_hidden = hidden_groups(children, threshold=threshold, forced=already)
    for kind, members in top:
        if kind == "team":
            hidden.add(members[0])
        else:
            hidden_rollups.add(frozenset(members))
    return Suppressed(hidden, hidden_rollups, organisation_hidden)


@dataclass(frozen=True)
class TeamVisibility:
    """Teams whose latest round shows nothing, whether the organisation shows nothing, the teams whose
    participation may be compared with their previous round, and the roll-ups of small teams (those hidden too)."""

    hidden: set[int]
    organisation_hidden: bool
    comparable: set[int]
    rollups: tuple[Rollup, ...] = ()
    hidden_rollups: frozenset[Rollup] = frozenset()


def team_visibility(
    answered: Mapping[int, int],
    answered_before: Mapping[int, int],
    *,
    threshold: int,
    rollups: Sequence[Rollup] = (),
) -> TeamVisibility:
    """`answered`: each asked team's respondents in its latest readable round (0 without one); `answered_before`:
    in the round before that, for the teams that have one."""
    now = suppress(answered, threshold=threshold, rollups=rollups)
    hidden_before, _ = hidden_groups(answered_before, threshold=threshold)
    comparable = set(answered_before) - hidden_before
    return TeamVisibility(
        now.hidden, now.organisation_hidden, comparable, tuple(rollups), frozenset(now.hidden_rollups)
    )


@dataclass(frozen=True)
class QuestionVisibility:
    """For one question: whose answers are hidden now (teams, roll-ups), and whose earlier answers may not give a
    change."""

    hidden: set[int]
    organisation_hidden: bool
    hidden_before: set[int]
    organisation_hidden_before: bool
    hidden_rollups: set[Rollup]


def question_visibility(
    answers: Mapping[int, int], answers_before: Mapping[int, int], *, threshold: int, teams: TeamVisibility
) -> QuestionVisibility:
    """Each team's number of answers to the question now and the last time it was asked; hidden teams stay hidden."""
    now = suppress(
        answers,
        threshold=threshold,
        rollups=teams.rollups,
        forced=teams.hidden,
        forced_rollups=teams.hidden_rollups,
    )
    hidden_before, parent_hidden_before = hidden_groups(answers_before, threshold=threshold)
    return QuestionVisibility(
        now.hidden,
        teams.organisation_hidden or now.organisation_hidden,
        hidden_before,
        parent_hidden_before,
        now.hidden_rollups,
    )


def round_suppressed(
    team_answered: Mapping[int, int],
    question_answers: Mapping[int, int] | None,
    *,
    threshold: int,
    rollups: Sequence[Rollup] = (),
) -> Suppressed:
    """What an earlier round hid (for a question, when given): its teams, its roll-ups and the organisation.

    A figure drawing on several rounds (a change, a trend) is shown only when the group was visible in each round
    it draws on, judged among all the teams of that round (`team_answered`: each team's respondents then;
    `question_answers`: each team's answers to the question then; `rollups`: the roll-ups of that round), so that a
    team or roll-up hidden then as the next-smallest sibling, or by organisation minus the others, stays hidden for
    good.
    """
    then = suppress(team_answered, threshold=threshold, rollups=rollups)
    if question_answers is None:
        return then
    asked = [group for group in rollups if group & set(question_answers)]
    question = suppress(
        question_answers,
        threshold=threshold,
        rollups=asked,
        forced=then.hidden,
        forced_rollups=then.hidden_rollups,
    )
    hidden = then.hidden | question.hidden
    organisation_hidden = then.organisation_hidden or question.organisation_hidden
    organisation_hidden = organisation_hidden or bool(hidden & set(question_answers))
    return Suppressed(hidden, then.hidden_rollups | question.hidden_rollups, organisation_hidden)
