"""The synthetic organisation's pulse history and collective reward rounds, shaped like Bravo's own rows.

Each team was asked `ROUNDS_PER_TEAM` pulses of 3 questions, four weeks apart, the latest closed a few days ago.
Who was asked goes to `pulse_participation`, how many answered to `pulse_respondent` (random keys); answers and
comments carry no person, no time, a random id and no key, exactly as a closed round leaves them. Participation
varies around the figure that yields `Scale.pulse_answers` answers in all, so some teams fall below the anonymity
threshold as in real life.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from bench.org import Row, Scale, Stamp, insert_tables
from handlers.pulse.bank_sync import ensure_bank
from storage.db import Database
from storage.pulse import rounds as pulse_store

ROUNDS_PER_TEAM = 12
QUESTIONS_PER_ROUND = 3
ROUND_SPACING = timedelta(days=28)
LATEST_ROUND_AGE = timedelta(days=6)
WINDOW = timedelta(hours=48)
COMMENT_SHARE = 0.03
TEAM_GOAL = 300
ORGANISATION_GOAL_PER_PERSON = 5

ROUND_COLUMNS = ("id", "team_id", "period", "opened_at", "closes_at", "remind_at", "reminded", "closed")
ROUND_QUESTION_COLUMNS = ("round_id", "question_id", "position")
PARTICIPATION_COLUMNS = ("round_id", "person_id")
RESPONDENT_COLUMNS = ("key", "round_id")
ANSWER_COLUMNS = ("id", "round_id", "question_id", "ballot_hash", "value", "version")
COMMENT_COLUMNS = ("id", "round_id", "question_id", "ballot_hash", "text", "sealed_reply_to")
OPTION_COLUMNS = ("id", "scope", "team_id", "reward", "points", "proposed_by", "active", "created_at")
REWARD_ROUND_COLUMNS = (
    "id",
    "scope_key",
    "team_id",
    "number",
    "status",
    "option_id",
    "goal_points",
    "reward",
    "started_at",
    "ended_at",
    "created_at",
)
VALUE_WEIGHTS = {
    "agree5": ((1, 2, 3, 4, 5), (5, 10, 25, 40, 20)),
    "emoji5": ((1, 2, 3, 4, 5), (5, 10, 25, 40, 20)),
    "scale10": (tuple(range(11)), (2, 1, 2, 3, 4, 6, 9, 14, 20, 20, 19)),
    "yesno": ((1, 0), (70, 30)),
}


def answered_counts(scale: Scale, rng: random.Random) -> list[int]:
    """How many members answered each team round, varying around the mean, summing to the target exactly."""
    rounds = scale.teams * ROUNDS_PER_TEAM
    target = scale.pulse_answers // QUESTIONS_PER_ROUND
    sizes = [len(scale.members(team)) for team in range(1, scale.teams + 1) for _ in range(ROUNDS_PER_TEAM)]
    target = min(target, sum(sizes))
    mean = target / rounds
    counts = [min(size, max(0, round(rng.gauss(mean, 2.0)))) for size in sizes]
    gap = target - sum(counts)
    while gap:
        index = rng.randrange(rounds)
        if gap > 0 and counts[index] < sizes[index]:
            counts[index] += 1
            gap -= 1
        elif gap < 0 and counts[index] > 0:
            counts[index] -= 1
            gap += 1
    return counts


def _random_id(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


class _Rows:
    """The six pulse tables' rows for a batch of teams."""

    def __init__(self) -> None:
        self.rounds: list[Row] = []
        self.round_questions: list[Row] = []
        self.participation: list[Row] = []
        self.respondents: list[Row] = []
        self.answers: list[Row] = []
        self.comments: list[Row] = []

    def tables(self) -> list[tuple[str, tuple[str, ...], list[Row]]]:
        return [
            ("pulse_round", ROUND_COLUMNS, self.rounds),
            ("pulse_round_question", ROUND_QUESTION_COLUMNS, self.round_questions),
            ("pulse_participation", PARTICIPATION_COLUMNS, self.participation),
            ("pulse_respondent", RESPONDENT_COLUMNS, self.respondents),
            ("pulse_answer", ANSWER_COLUMNS, self.answers),
            ("pulse_comment", COMMENT_COLUMNS, self.comments),
        ]


def _team_batches(
    scale: Scale, questions: list[tuple[int, str]], stamp: Stamp, now: datetime, rng: random.Random
) -> Iterator[_Rows]:
    counts = answered_counts(scale, rng)
    rows = _Rows()
    for team in range(1, scale.teams + 1):
        members = list(scale.members(team))
        for number in range(ROUNDS_PER_TEAM):
            round_id = (team - 1) * ROUNDS_PER_TEAM + number + 1
            opened = now - LATEST_ROUND_AGE - (ROUNDS_PER_TEAM - 1 - number) * ROUND_SPACING
            rows.rounds.append(
                (
                    round_id,
                    team,
                    opened.date().isoformat(),
                    stamp(opened),
                    stamp(opened + WINDOW),
                    stamp(opened + WINDOW / 2),
                    True,
                    True,
                )
            )
            asked = [
                questions[((team + number) * QUESTIONS_PER_ROUND + position) % len(questions)]
                for position in range(QUESTIONS_PER_ROUND)
            ]
            rows.round_questions.extend((round_id, question, position) for position, (question, _) in enumerate(asked))
            answered = set(rng.sample(members, counts[round_id - 1]))
            rows.participation.extend((round_id, person) for person in members)
            rows.respondents.extend((_random_id(rng), round_id) for _ in answered)
            for _ in answered:
                for question, scale_name in asked:
                    values, weights = VALUE_WEIGHTS[scale_name]
                    value = rng.choices(values, weights)[0]
                    rows.answers.append((_random_id(rng), round_id, question, None, value, 1))
                if rng.random() < COMMENT_SHARE * QUESTIONS_PER_ROUND:
                    question = rng.choice(asked)[0]
                    text = f"Comment {len(rows.comments)} on round {round_id}: more focus time would help."
                    rows.comments.append((_random_id(rng), round_id, question, None, text, None))
        if len(rows.answers) >= 200_000:
            yield rows
            rows = _Rows()
    yield rows


async def load_pulses(database: Database, scale: Scale, *, stamp: Stamp, now: datetime, rng: random.Random) -> None:
    """The pulse history: the shipped question bank first (as Bravo stores it), then rounds and answers."""
    async with database.transaction() as session:
        await ensure_bank(session)
        bank = await pulse_store.all_questions(session, active_only=True)
    questions = [(question.id or 0, question.scale) for question in bank]
    for rows in _team_batches(scale, questions, stamp, now, rng):
        await insert_tables(database, list(rows.tables()))


async def load_rewards(database: Database, scale: Scale, *, stamp: Stamp, now: datetime, rng: random.Random) -> None:
    """One reward option for every team and one for the organisation; most teams are filling a pot, some voting."""
    created = stamp(now - timedelta(days=120))
    options: list[Row] = [
        (1, "team", None, "Team lunch", TEAM_GOAL, None, True, created),
        (2, "org", None, "Charity day", ORGANISATION_GOAL_PER_PERSON * scale.people, None, True, created),
    ]
    rounds: list[Row] = []
    for team in range(1, scale.teams + 1):
        started = now - timedelta(days=rng.uniform(1, 90))
        if team % 10 == 0:
            rounds.append((team, f"team:{team}", team, 1, "voting", None, None, None, None, None, created))
        else:
            rounds.append(
                (team, f"team:{team}", team, 1, "active", 1, TEAM_GOAL, "Team lunch", stamp(started), None, created)
            )
    organisation_goal = ORGANISATION_GOAL_PER_PERSON * scale.people
    org_started = stamp(now - timedelta(days=60))
    rounds.append(
        (scale.teams + 1, "org", None, 1, "active", 2, organisation_goal, "Charity day", org_started, None, created)
    )
    await insert_tables(
        database,
        [("reward_option", OPTION_COLUMNS, options), ("reward_round", REWARD_ROUND_COLUMNS, rounds)],
    )
