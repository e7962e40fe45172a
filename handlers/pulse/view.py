"""Pulse results as a chat card and as JSON (`bravo pulse results --json`), from an already suppressed report."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from handlers.i18n import Translator
from handlers.messages import Card, Choice, FieldItem, Line, Section
from handlers.pulse.cards import question_text
from handlers.pulse.figures import QuestionResult
from handlers.pulse.followup import REPLY_ACTION
from handlers.pulse.questions import driver_name, scale_labels, scale_maximum
from handlers.pulse.results import GroupResult, PulseReport

MAX_REPLY_BUTTONS = 10


def _number(t: Translator, value: float, *, signed: bool = False, digits: int = 1) -> str:
    text = f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
    return text.replace(".", ",") if t.language == "fr" else text


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def open_notice(t: Translator, group: GroupResult, name: str) -> str:
    """What a round still open shows: how many have answered so far and when it closes, no figure at all."""
    closes = t.deadline(group.closes_at) if group.closes_at else ""
    return t.plural(
        "{team}: {count} of {invited} has answered so far. Results appear when the pulse closes ({closes}).",
        "{team}: {count} of {invited} have answered so far. Results appear when the pulse closes ({closes}).",
        group.answered or 0,
        team=name,
        invited=group.invited or 0,
        closes=closes,
    )


def question_json(result: QuestionResult, language: str) -> dict[str, Any]:
    question = result.question
    item: dict[str, Any] = {
        "id": question.key,
        "text": question_text(question, language),
        "driver": question.driver,
        "scale": question.scale,
        "hidden": result.hidden,
    }
    if result.hidden or result.stats is None:
        return item
    stats = result.stats
    item.update(
        responses=stats.responses,
        average=round(stats.average, 2),
        enps=_rounded(stats.enps, 1),
        distribution={str(value): count for value, count in stats.distribution.items()},
        change=_rounded(result.change, 2),
        comments=[comment.text for comment in result.comments],
    )
    return item


def group_label(t: Translator, group: GroupResult) -> str:
    """A team's name, a roll-up's teams labelled as shown together, or the whole organisation."""
    if group.rolled_up:
        return t("{teams} (small teams shown together)", teams=group.name)
    return group.name if group.team_id is not None else t("Whole organisation")


def group_json(group: GroupResult, language: str, report: PulseReport | None = None) -> dict[str, Any]:
    named = group.team_id is not None or group.rolled_up
    item: dict[str, Any] = {"team": group.name if named else None, "hidden": group.hidden}
    if group.rolled_up:
        item["rolled_up"] = True
    if group.hidden:
        rollup = report.rollup_of(group.team_id) if report is not None and group.team_id is not None else None
        if rollup is not None:
            item["rolled_up_into"] = rollup.name
        item["questions"] = []
        return item
    if not group.closed:
        closes = group.closes_at.isoformat() if group.closes_at else None
        item.update(invited=group.invited, answered=group.answered, period=group.period, closed=False, closes_at=closes)
        item.update(questions=[], drivers=[])
        return item
    item.update(
        participation=_rounded(group.participation, 3),
        invited=group.invited,
        answered=group.answered,
        participation_change=_rounded(group.participation_change, 3),
        period=group.period,
        closed=group.closed,
        questions=[question_json(result, language) for result in group.questions],
        drivers=[
            {
                "driver": driver.driver,
                "score": round(driver.score, 2),
                "responses": driver.responses,
                "change": _rounded(driver.change, 2),
            }
            for driver in group.drivers
        ],
    )
    return item


def report_json(report: PulseReport, language: str, *, team_ids: Iterable[int] | None = None) -> dict[str, Any]:
    wanted = None if team_ids is None else set(team_ids)
    teams = [group for group in report.teams if wanted is None or group.team_id in wanted]
    rollups = [group for group in report.rollups if not group.hidden]
    if wanted is not None:
        rollups = [group for group in rollups if wanted & set(group.members)]
    document: dict[str, Any] = {
        "threshold": report.threshold,
        "teams": [group_json(group, language, report) for group in teams],
        "rollups": [group_json(group, language) for group in rollups],
    }
    if wanted is None:
        document["organisation"] = group_json(report.organisation, language)
    return document


def _question_section(t: Translator, result: QuestionResult) -> Section:
    text = Line.of(question_text(result.question, t.language))
    if result.hidden or result.stats is None:
        return Section(text=Line.of(text.plain() + "\n" + t("Not enough answers yet.")))
    stats = result.stats
    average = t(
        "{average} out of {maximum}",
        average=_number(t, stats.average),
        maximum=scale_maximum(result.question.scale),
    )
    if result.change is not None:
        average += f" ({_number(t, result.change, signed=True)})"
    labels = scale_labels(t, result.question.scale)
    spread = ", ".join(f"{labels[value]}: {count}" for value, count in stats.distribution.items())
    fields = [FieldItem(label=t("Answers"), value=Line.of(str(stats.responses)))]
    if stats.enps is not None:
        fields.append(FieldItem(label=t("eNPS"), value=Line.of(_number(t, stats.enps, signed=True))))
    else:
        fields.append(FieldItem(label=t("Average"), value=Line.of(average)))
    fields.append(FieldItem(label=t("Distribution"), value=Line.of(spread)))
    return Section(text=text, fields=tuple(fields))


def group_sections(t: Translator, group: GroupResult, threshold: int) -> list[Section]:
    name = group_label(t, group)
    if group.hidden:
        notice = t(
            "{team}: not enough answers yet (results appear once at least {threshold} people have answered).",
            team=name,
            threshold=threshold,
        )
        return [Section(text=Line.of(notice))]
    if not group.closed:
        return [Section(text=Line.of(open_notice(t, group, name)))]
    heading = t(
        "{team}: {answered} of {invited} answered ({percent}%)",
        team=name,
        answered=group.answered or 0,
        invited=group.invited or 0,
        percent=round((group.participation or 0) * 100),
    )
    sections = [Section(text=Line.of(heading))]
    sections.extend(_question_section(t, result) for result in group.questions)
    if group.drivers:
        fields = []
        for driver in group.drivers:
            score = t("{score} out of 10", score=_number(t, driver.score))
            if driver.change is not None:
                score += f" ({_number(t, driver.change, signed=True)})"
            fields.append(FieldItem(label=driver_name(t, driver.driver), value=Line.of(score)))
        sections.append(Section(fields=tuple(fields)))
    return sections


def results_card(t: Translator, report: PulseReport, groups: Iterable[GroupResult], *, can_reply: bool = False) -> Card:
    """The results a reader may see; comments are listed under their question, with reply buttons for managers."""
    sections: list[Section] = []
    choices: list[Choice] = []
    number = 0
    for group in groups:
        sections.extend(group_sections(t, group, report.threshold))
        for result in group.questions:
            for comment in result.comments:
                number += 1
                label = t("Comment {number}: {text}", number=number, text=comment.text)
                if comment.replies:
                    replies = comment.replies
                    label += " " + t.plural(
                        "({count} message in the conversation)", "({count} messages in the conversation)", replies
                    )
                sections.append(Section(text=Line.of(label), quote=True))
                if can_reply and comment.can_reply and len(choices) < MAX_REPLY_BUTTONS:
                    choices.append(
                        Choice(
                            label=t("Reply to comment {number}", number=number), action=REPLY_ACTION, value=comment.id
                        )
                    )
    if not sections:
        sections.append(Section(text=Line.of(t("No pulse results yet."))))
    return Card(
        title=t("Pulse results"),
        sections=tuple(sections),
        choices=tuple(choices),
        context=(
            Line.of(
                t("Answers are anonymous; groups under {threshold} answers are hidden.", threshold=report.threshold)
            ),
        ),
        summary=t("Pulse results"),
    )
