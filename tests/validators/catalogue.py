"""Every card Bravo's core can build, at the sizes a large organisation reaches, for the platform validators.

Built with the core's own card builders from plain data (no database): kudos posts, messages and confirmations with
twenty recipients and 1,500-character reasons in Cyrillic, CJK, Arabic and emoji; pulse questions on every scale at
the first, a middle and the last of ten questions; results with many teams, ten questions and many comments; both
leaderboards; digests of many teams; help. `tests/validators/catalogue_db.py` adds the cards and forms that need a
database (the kudos form, a refused form's retry, `/kudos me`, App Home, `/rewards`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from handlers.digest.data import DigestData, TeamWeek, Window
from handlers.digest.manager import manager_digest_card
from handlers.digest.pulse_charts import digest_charts
from handlers.digest.pulse_section import manager_pulse_sections, team_pulse_sections
from handlers.digest.team import team_digest_card
from handlers.i18n import Translator
from handlers.kudos.cards import KudosFacts, confirmation, recipient_message, recognition_post
from handlers.kudos.commands import kudos_help
from handlers.kudos.leaderboard import Leaderboard, leaderboard_card
from handlers.messages import Card, Section
from handlers.policy import Policy
from handlers.pulse.cards import closed_card, question_card
from handlers.pulse.continuity import DriverTrend, Measure
from handlers.pulse.figures import CommentView, DriverResult, QuestionResult
from handlers.pulse.questions import DRIVERS, ENPS_DRIVER, SCALES
from handlers.pulse.results import GroupResult, PulseReport
from handlers.pulse.stats import question_stats
from handlers.pulse.tokens import Ballot, ballot_token
from handlers.rewards import celebrate
from handlers.rewards import leaderboard as rewards_board
from handlers.rewards.pots import Standing
from handlers.routing import help_reply
from storage.digest import Highlight, KudosTally
from storage.kudos.leaderboard import PersonTotal, TeamTotal
from storage.models import Person, PulseQuestion, RewardRound, Team

LANGUAGES = ("en", "fr")
POLICY = Policy(anonymity_threshold=5)
NOW = datetime(2026, 11, 18, 10, 30, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Paris")
SCRIPTS = {
    "cyrillic": "Спасибо за помощь с релизом, ты спас нашу неделю! ",
    "cjk": "发布期间的帮助非常感谢，你拯救了我们的一周。リリースありがとう！",
    "arabic": "شكرا جزيلا على مساعدتك في الإصدار، لقد أنقذت أسبوعنا! ",
    "emoji": "🎉🙏🚀👏💯🔥✨🥳",
}
REASON_LENGTH = 1500
RECIPIENTS = 20
TEAMS = 12
QUESTIONS = 10
COMMENTS = 15
LONG_TEAM = "Plateforme données et infrastructure partagée — équipe Europe, Moyen-Orient et Afrique"


def reason(script: str, length: int = REASON_LENGTH) -> str:
    """`length` characters of one script, with the characters Slack and Teams must escape mixed in."""
    unit = SCRIPTS[script] + "<&> *_~ "
    return (unit * (length // len(unit) + 1))[:length]


def person(index: int, *, slack: bool = True, teams: bool = True) -> Person:
    name = f"Ксения Длинноимённая-Ёлкина {index}" if index % 3 else f"李小龙 {index}"
    return Person(
        id=index,
        display_name=name,
        slack_id=f"U{index:08d}" if slack else None,
        teams_id=f"29:1{index:040d}" if teams else None,
        team_id=1,
    )


def team(index: int) -> Team:
    return Team(id=index, name=f"{LONG_TEAM} {index}"[:120], manager_id=1)


def kudos_facts(script: str) -> KudosFacts:
    people = tuple(person(index, slack=index % 4 != 0, teams=index % 5 != 0) for index in range(2, RECIPIENTS + 2))
    members = tuple(person(index) for index in range(100, 110))
    mentioned = {item.id or 0: item for item in people[:3]}
    text = f"<@{people[0].id}> <@{people[1].id}> " + reason(script, REASON_LENGTH - 20)
    return KudosFacts(
        giver=person(1),
        people=people,
        team=team(1),
        team_members=members,
        points=POLICY.max_points_per_kudos,
        reason=text,
        values=POLICY.company_values,
        source="command",
        mentioned=mentioned,
        teams={1: team(1)},
    )


def kudos_cards() -> Iterator[tuple[str, Card]]:
    for script in SCRIPTS:
        facts = kudos_facts(script)
        for language in LANGUAGES:
            t = Translator(language)
            yield f"kudos.post.{script}.{language}", recognition_post(t, facts)
            yield f"kudos.received.{script}.{language}", recipient_message(t, facts, facts.people[0])
            yield f"kudos.received-as-team.{script}.{language}", recipient_message(t, facts, facts.team_members[0])
            yield (
                f"kudos.confirmation.{script}.{language}",
                confirmation(t, facts, remaining=0, allowance=POLICY.daily_allowance, timezone="Europe/Paris"),
            )


def question(scale: str, index: int = 0) -> PulseQuestion:
    driver = ENPS_DRIVER if scale == "scale10" else DRIVERS[index % (len(DRIVERS) - 1)]
    text = "How likely are you to recommend working here to a friend, and what would change your answer? " * 3
    return PulseQuestion(
        id=index + 1, key=f"q{index}-{scale}", driver=driver, scale=scale, text_en=text[:300], text_fr=text[:300]
    )


def question_cards(scale: str, language: str) -> Iterator[tuple[str, Card]]:
    """One scale's question card in every state a person meets: first, middle and last of ten, answered, reminded."""
    t = Translator(language)
    token = ballot_token("catalogue-secret", 123456, 7890)
    deadline = "2026-11-20 10:00 (Europe/Paris)"
    top = max(SCALES[scale])
    for index in (0, QUESTIONS // 2, QUESTIONS - 1):
        at = Ballot(123456, index, 0, token)
        built = question_card(t, question(scale, index), at, QUESTIONS, deadline=deadline, threshold=5)
        yield f"pulse.question.{scale}.{index + 1}-of-{QUESTIONS}", built
        answered = question_card(
            t,
            question(scale, index),
            Ballot(123456, index, 99, token),
            QUESTIONS,
            deadline=deadline,
            threshold=5,
            chosen=top,
            saved=index > 0,
        )
        yield f"pulse.question.{scale}.{index + 1}-of-{QUESTIONS}.answered", answered
    first = Ballot(123456, 0, 0, token)
    reminder = question_card(t, question(scale), first, QUESTIONS, deadline=deadline, threshold=5, reminder=True)
    yield f"pulse.question.{scale}.reminder", reminder
    yield (
        f"pulse.question.{scale}.alone",
        question_card(t, question(scale), first, 1, deadline=deadline, threshold=5),
    )


def question_result(scale: str, index: int, comments: int) -> QuestionResult:
    values = [value for value in SCALES[scale] for _ in range(3)]
    stats = question_stats(scale, values, is_enps=scale == "scale10")
    notes = tuple(
        CommentView(id=f"c{index}-{number}", text=reason("cyrillic", 300), replies=number % 3, can_reply=True)
        for number in range(comments)
    )
    return QuestionResult(question=question(scale, index), hidden=False, stats=stats, change=-0.4, comments=notes)


def group(
    team_id: int | None, *, questions: int, comments: int = 0, hidden: bool = False, members: tuple[int, ...] = ()
) -> GroupResult:
    name = " + ".join(team(member).name for member in members) if members else team(team_id or 1).name
    if hidden:
        return GroupResult(team_id=team_id, name=name, hidden=True)
    scales = list(SCALES)
    results = tuple(
        question_result(scales[index % len(scales)], index, comments if index == 0 else 0) for index in range(questions)
    )
    drivers = tuple(DriverResult(driver=driver, score=7.5, responses=12, change=0.5) for driver in DRIVERS)
    return GroupResult(
        team_id=team_id,
        name=name,
        hidden=False,
        period="2026-W47",
        closed=True,
        invited=40,
        answered=31,
        participation_change=0.05,
        questions=results,
        drivers=drivers,
        members=members,
        trends=trends(),
    )


def trends() -> tuple[DriverTrend, ...]:
    """Every driver measured twice, eNPS six times: the longest history a digest prints."""
    measures = [Measure(NOW - timedelta(weeks=4 * week), -35.0 + 7 * week) for week in range(6)]
    return tuple(
        DriverTrend(driver, tuple(measures[::-1] if driver == ENPS_DRIVER else measures[1::-1])) for driver in DRIVERS
    )


ROLLED_UP = tuple(range(1, 9))


def results_cards(language: str) -> Iterator[tuple[str, Card]]:
    """`/pulse results` as an admin (every team, then the organisation) and as a manager reading comments."""
    from handlers.pulse.view import results_card

    t = Translator(language)

    def report(*teams: GroupResult) -> PulseReport:
        return PulseReport(teams=teams, organisation=group(None, questions=QUESTIONS), threshold=5)

    small = report(group(1, questions=3))
    yield "pulse.results.one-team-three-questions", results_card(t, small, small.teams, can_reply=True)
    two = report(group(1, questions=QUESTIONS), group(2, questions=QUESTIONS))
    yield "pulse.results.admin-two-teams-ten-questions", results_card(t, two, (*two.teams, two.organisation))
    many = report(*(group(index, questions=3) for index in range(1, TEAMS + 1)))
    yield "pulse.results.admin-twelve-teams", results_card(t, many, (*many.teams, many.organisation))
    hidden = report(*(group(index, questions=3, hidden=True) for index in range(1, TEAMS + 1)))
    yield "pulse.results.admin-twelve-hidden-teams", results_card(t, hidden, hidden.teams)
    commented = report(group(1, questions=3, comments=COMMENTS))
    yield "pulse.results.manager-many-comments", results_card(t, commented, commented.teams, can_reply=True)
    rolled = PulseReport(
        teams=(group(1, questions=3, hidden=True),),
        organisation=group(None, questions=QUESTIONS),
        threshold=5,
        rollups=(group(None, questions=QUESTIONS, members=ROLLED_UP),),
    )
    yield "pulse.results.manager-rolled-up", results_card(t, rolled, rolled.with_rollups(rolled.teams))
    yield "pulse.closed", closed_card(t, question("scale10"))


def board_cards(language: str) -> Iterator[tuple[str, Card]]:
    t = Translator(language)
    teams = [TeamTotal(team_id=index, name=team(index).name, points=500 - index, kudos=90) for index in range(1, 11)]
    people = [PersonTotal(person=person(index), points=90 - index, kudos=30) for index in range(1, 11)]
    board = Leaderboard(
        period="quarter", start=NOW - timedelta(days=40), end=NOW, teams=teams, people=people, people_shown=True
    )
    yield "kudos.leaderboard", leaderboard_card(t, board)
    standings = [standing(index, goal=index % 3 != 0) for index in range(1, 31)]
    organisation = Standing(
        team=None, round=None, pot=4000, status="active", goal_points=5000, reward="Journée à la mer"
    )
    reached = [standing(1, goal=True, pot=10_000), organisation]
    earlier = [standing(index, goal=True, pot=300) for index in range(2, 31)]
    card = rewards_board.leaderboard_card(
        t, teams=standings, organisation=organisation, reached=reached, earlier=earlier
    )
    yield "rewards.leaderboard", card
    yield "rewards.due", celebrate.reward_due_card(t, standing(1, goal=True))
    yield "rewards.reached.team", celebrate.celebration_card(t, standing(1, goal=True, pot=10_000))
    yield "rewards.reached.org", celebrate.celebration_card(t, organisation)


def standing(index: int, *, goal: bool, pot: int = 240) -> Standing:
    reward = "Un déjeuner d'équipe au restaurant du coin, avec dessert et café pour tout le monde"
    row = RewardRound(
        id=index, scope_key=f"team:{index}", number=1, team_id=index, status="active" if goal else "voting"
    )
    return Standing(
        team=team(index),
        round=row,
        pot=pot,
        round_id=index,
        status=row.status,
        goal_points=300 if goal else None,
        reward=reward if goal else None,
    )


def team_week(index: int) -> TeamWeek:
    highlights = [
        Highlight(
            kudos_id=number,
            giver_id=1,
            message=f"<@{2 + number}> " + reason("arabic", REASON_LENGTH),
            points=3,
            created_at=NOW,
            recipient_ids=tuple(range(2, RECIPIENTS + 2)),
        )
        for number in range(5)
    ]
    quiet = [person(number) for number in range(200, 225)]
    return TeamWeek(
        team=team(index),
        members=40,
        tally=KudosTally(kudos=37, receivers=21, points=96),
        givers=18,
        values=[(value, 9) for value in POLICY.company_values],
        highlights=highlights,
        quiet=quiet,
        standing=standing(index, goal=True),
    )


def typical_week(week: TeamWeek) -> TeamWeek:
    """A usual week: two short highlights and two quiet members, where the charts fit in a Teams card."""
    highlights = [replace(item, message=reason("emoji", 120), recipient_ids=(2,)) for item in week.highlights[:2]]
    return replace(week, highlights=highlights, quiet=week.quiet[:2])


def digest_cards(language: str) -> Iterator[tuple[str, Card]]:
    t = Translator(language)
    weeks = [team_week(index) for index in range(1, 9)]
    people = {number: person(number) for number in range(1, RECIPIENTS + 30)}
    data = DigestData(
        window=Window.of(NOW - timedelta(days=7), NOW),
        weeks={week.team.id or 0: week for week in weeks},
        people=people,
        teams={},
    )
    groups = {week.team.id or 0: group(week.team.id, questions=QUESTIONS) for week in weeks}
    pulse = {team_id: manager_pulse_sections(t, found, threshold=5) for team_id, found in groups.items()}

    def manager(count: int, found: dict[int, GroupResult], sections: dict[int, list[Section]]) -> Card:
        """The digest of a manager of the first `count` teams, with its charts."""
        parts = [(found[week.team.id or 0], week.standing) for week in weeks[:count]]
        charts = digest_charts(t, parts)
        return manager_digest_card(t, weeks=weeks[:count], data=data, pulse=sections, zone=ZONE, charts=charts)

    yield "digest.manager.one-team", manager(1, groups, pulse)
    yield "digest.manager.three-teams", manager(3, groups, pulse)
    yield "digest.manager.eight-teams", manager(8, groups, pulse)
    rollup = group(None, questions=QUESTIONS, members=ROLLED_UP)
    rolled = {week.team.id or 0: manager_pulse_sections(t, rollup, threshold=5) for week in weeks}
    yield "digest.manager.rolled-up", manager(3, {week.team.id or 0: rollup for week in weeks}, rolled)
    typical = {1: group(1, questions=4)}
    weeks[0] = typical_week(weeks[0])
    yield "digest.manager.typical", manager(1, typical, {1: manager_pulse_sections(t, typical[1], threshold=5)})
    card = team_digest_card(
        t,
        week=weeks[0],
        data=data,
        pulse=team_pulse_sections(t, typical[1]),
        zone=ZONE,
        charts=digest_charts(t, [(typical[1], weeks[0].standing)]),
    )
    assert card is not None
    yield "digest.team.typical", card
    weeks[0] = team_week(1)
    team_pulse = team_pulse_sections(t, groups[1])
    charts = digest_charts(t, [(groups[1], weeks[0].standing)])
    card = team_digest_card(t, week=weeks[0], data=data, pulse=team_pulse, zone=ZONE, charts=charts)
    assert card is not None
    yield "digest.team", card


def help_cards(language: str) -> Iterator[tuple[str, Card]]:
    t = Translator(language)
    card = help_reply(t, POLICY).card
    assert card is not None
    yield "help", card
    yield "kudos.help", kudos_help(t, POLICY)


def action_cards(language: str) -> Iterator[tuple[str, Card]]:
    """A team's action plan at its largest: every driver scored, long ideas, ten long proposals, two commitments."""
    from handlers.actions.cards import Proposed, decided_card, plan_card, reminder_card
    from handlers.actions.focus import Focus
    from handlers.context import person_ref
    from storage.models import ActionPlan, ActionProposal

    t = Translator(language, ZONE)
    plan = ActionPlan(id=987654, team_id=1, period="2026-W47", driver="tools", score=3.25, vote_closes_at=NOW)
    drivers = tuple(
        DriverResult(driver=driver, score=index * 0.9, responses=40, change=None)
        for index, driver in enumerate(DRIVERS)
    )
    ideas = [reason(script, 200) for script in SCRIPTS] + [reason("cyrillic", 200)]
    proposed = [
        Proposed(
            ActionProposal(
                id=100000 + index,
                plan_id=987654,
                team_id=1,
                text=reason(list(SCRIPTS)[index % 4], 200),
                owner_id=index,
                due_on=NOW.date() + timedelta(days=56),
            ),
            person_ref(person(index)),
            votes=40 - index,
        )
        for index in range(1, 11)
    ]
    focus = Focus("tools", 3.25, "able")
    name = team(1).name
    yield "actions.invitation", plan_card(t, team=name, plan=plan, focus=focus, drivers=drivers, suggestions=ideas)
    yield "actions.vote.ten-proposals", plan_card(t, team=name, plan=plan, focus=focus, proposed=proposed)
    yield "actions.vote.other-driver", plan_card(t, team=name, plan=plan, focus=Focus("workload", 1.0, None))
    yield "actions.decided", decided_card(t, team=name, items=proposed[:2])
    yield "actions.reminder", reminder_card(t, proposed[0])
    yield from checkin_cards(t, proposed)


def checkin_cards(t: Translator, proposed: list[Any]) -> Iterator[tuple[str, Card]]:
    """The check-in after a done action: its question (sent, answered, reminded), the team's post when it closes
    (shown, hidden, not measured again) and the commitments with every state of a check-in, at their largest."""
    from dataclasses import replace

    from handlers.actions.cards import commitment_sections
    from handlers.actions.outcome import CheckinView, outcome_card
    from handlers.pulse import CheckinResult, Measure
    from storage.models.actions import DONE

    checkin = PulseQuestion(
        id=999,
        key="action-checkin",
        driver="action-checkin",
        scale="helped3",
        text_en="Did this action help the team?",
        text_fr="Cette action a-t-elle aidé l'équipe ?",
    )
    subject = reason("arabic", 200)
    token = ballot_token("catalogue-secret", 123457, 7890)
    deadline = "2026-11-25 10:00 (Europe/Paris)"
    sent = Ballot(123457, 0, 0, token)
    question = question_card(t, checkin, sent, 1, deadline=deadline, threshold=5, subject=subject)
    yield "actions.checkin.question", question
    answered = replace(sent, version=3)
    yield (
        "actions.checkin.answered",
        question_card(t, checkin, answered, 1, deadline=deadline, threshold=5, chosen=1, subject=subject),
    )
    reminded = question_card(t, checkin, sent, 1, deadline=deadline, threshold=5, reminder=True, subject=subject)
    yield "actions.checkin.reminder", reminded
    counts = ((2, 400), (1, 300), (0, 299))
    shown = CheckinResult(1, True, NOW, 1000, 999, hidden=False, counts=counts)
    before, after = Measure(NOW - timedelta(days=90), 2.25), Measure(NOW, 8.75)
    view = CheckinView(5, result=shown, driver="collaboration", before=before, after=after)
    name = LONG_TEAM
    yield "actions.checkin.outcome", outcome_card(t, team=name, action=subject, view=view)
    hidden = CheckinView(5, result=CheckinResult(1, True, NOW, 4, 2), driver="tools", before=before)
    yield "actions.checkin.outcome-hidden", outcome_card(t, team=name, action=subject, view=hidden)
    states = [
        view,
        hidden,
        CheckinView(5, result=CheckinResult(1, False, NOW, 1000, 999)),
        CheckinView(5, due=NOW),
        CheckinView(5),
    ]
    done = [
        replace(item, proposal=item.proposal.model_copy(update={"status": DONE}), checkin=states[index % len(states)])
        for index, item in enumerate(proposed)
    ]
    sections = commitment_sections(t, done, team=name)
    yield "actions.checkin.commitments", Card(title=name, sections=tuple(sections), summary=name)


def all_cards() -> dict[str, Card]:
    """Every card above, and the organisation digests (`catalogue_org`), in English and French, by a name that says
    what and how large."""
    from tests.validators.catalogue_org import org_card_items

    cards: dict[str, Card] = {}
    for language in LANGUAGES:
        items = [
            *results_cards(language),
            *board_cards(language),
            *digest_cards(language),
            *org_card_items(language),
            *help_cards(language),
            *action_cards(language),
        ]
        for scale in SCALES:
            items.extend(question_cards(scale, language))
        cards.update((f"{name}.{language}", card) for name, card in items)
    cards.update(kudos_cards())
    return cards
