"""The anonymity rule and where a pulse report applies it: the one module that decides which figures are hidden.

`hidden_groups` decides which sibling groups are too small to show and whether their parent must be hidden too. A
report applies it before any figure is computed: to the teams' latest rounds and the organisation
(`team_visibility`), then to each question's answers in those rounds and in the rounds their changes are measured
against (`question_visibility`). What is hidden gets no number at all, so no reader (chat, digest, CLI, export) can
show one by mistake.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

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
class TeamVisibility:
    """Teams whose latest round shows nothing, whether the organisation shows nothing, and the teams whose
    participation may be compared with their previous round."""

    hidden: set[int]
    organisation_hidden: bool
    comparable: set[int]


def team_visibility(
    answered: Mapping[int, int], answered_before: Mapping[int, int], *, threshold: int
) -> TeamVisibility:
    """`answered`: each asked team's respondents in its latest readable round (0 without one); `answered_before`:
    in the round before that, for the teams that have one."""
    hidden, organisation_hidden = hidden_groups(answered, threshold=threshold)
    hidden_before, _ = hidden_groups(answered_before, threshold=threshold)
    return TeamVisibility(hidden, organisation_hidden, set(answered_before) - hidden_before)


@dataclass(frozen=True)
class QuestionVisibility:
    """For one question: whose answers are hidden now, and whose earlier answers may not give a change."""

    hidden: set[int]
    organisation_hidden: bool
    hidden_before: set[int]
    organisation_hidden_before: bool


def question_visibility(
    answers: Mapping[int, int], answers_before: Mapping[int, int], *, threshold: int, teams: TeamVisibility
) -> QuestionVisibility:
    """Each team's number of answers to the question now and the last time it was asked; hidden teams stay hidden."""
    hidden, parent_hidden = hidden_groups(answers, threshold=threshold, forced=teams.hidden)
    hidden_before, parent_hidden_before = hidden_groups(answers_before, threshold=threshold)
    return QuestionVisibility(hidden, teams.organisation_hidden or parent_hidden, hidden_before, parent_hidden_before)


def visible_in_round(
    team: int, team_answered: Mapping[int, int], question_answers: Mapping[int, int] | None, *, threshold: int
) -> tuple[bool, bool]:
    """Whether a team's earlier round was shown when it was read, and whether the organisation was.

    A figure drawing on several rounds (a change, a trend) is shown only when the group was visible in each round
    it draws on, judged among all the teams of that round (`team_answered`: each team's respondents then;
    `question_answers`: each team's answers to the question then), so that a team hidden then as the next-smallest
    sibling, or by organisation minus the others, stays hidden for good.
    """
    hidden, organisation_hidden = hidden_groups(team_answered, threshold=threshold)
    if question_answers is not None:
        hidden, parent_hidden = hidden_groups(question_answers, threshold=threshold, forced=hidden)
        organisation_hidden = organisation_hidden or parent_hidden or bool(hidden & set(question_answers))
    return team not in hidden, not organisation_hidden
