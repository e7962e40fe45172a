"""The pulse question card, as delivered, after an answer, and once its round has closed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from handlers.i18n import Translator
from handlers.messages import Card, Choice, Line, Section
from handlers.pulse.questions import CHECKIN_DRIVER, SCALES, scale_labels
from handlers.pulse.tokens import Ballot, ballot_token, parse_answer, parse_ballot
from storage.models import PulseQuestion

QUESTION_KIND = "pulse.question"
REMINDER_KIND = "pulse.reminder"
ANSWER_ACTION = "pulse.answer"
COMMENT_ACTION = "pulse.comment"
SHOW_ACTION = "pulse.show"
COMMENT_FORM = "pulse.comment"
# Buttons whose value is a ballot (`tokens.Ballot`): a tap on one writes nothing about the person tapping.
BALLOT_ACTIONS = frozenset({ANSWER_ACTION, COMMENT_ACTION, SHOW_ACTION})


def question_text(question: PulseQuestion, language: str) -> str:
    return question.text_fr if language == "fr" and question.text_fr else question.text_en


def question_card(
    t: Translator,
    question: PulseQuestion,
    ballot: Ballot,
    total: int,
    *,
    deadline: str,
    threshold: int,
    chosen: int | None = None,
    reminder: bool = False,
    saved: bool = False,
    subject: str | None = None,
) -> Card:
    """Question `ballot.position` of a round's `total`: one button per answer (one tap answers and moves on to the
    next question), a button to add a comment, and buttons to go back and forth while the pulse is open. The ballot
    carries the version of the answer shown and the person's token (empty in a queued message). A check-in's one
    question shows what it asks about (`subject`, the team's action) and takes no comment."""
    labels = scale_labels(t, question.scale)
    index = ballot.position
    checkin = question.driver == CHECKIN_DRIVER
    text = question_text(question, t.language)
    sections = [Section(text=Line.of(subject), quote=True)] if subject else []
    sections.append(Section(text=Line.of(text)))
    if chosen is not None:
        sections.append(Section(text=Line.of(t("Your answer: {answer}", answer=labels.get(chosen, str(chosen))))))
    choices = _ballot_choices(t, labels, SCALES[question.scale], ballot, total, chosen, comment=not checkin)
    context = []
    if saved:
        context.append(Line.of(t("Thank you, your answer to the previous question is saved.")))
    if chosen is not None and index + 1 == total:
        context.append(Line.of(t("Thank you, that was the last question.")))
    context.append(
        Line.of(
            t(
                "Anonymous: your answer is stored without your name, and results are shown only once at least "
                "{threshold} people have answered.",
                threshold=threshold,
            )
        )
    )
    context.append(
        Line.of(
            t("You can change your answer until {deadline}.", deadline=deadline)
            if chosen is not None
            else t("Open until {deadline}.", deadline=deadline)
        )
    )
    title = _title(t, number=index + 1, total=total, reminder=reminder, checkin=checkin)
    return Card(title=title, sections=tuple(sections), choices=tuple(choices), context=tuple(context), summary=text)


def _title(t: Translator, *, number: int, total: int, reminder: bool, checkin: bool) -> str:
    if checkin:
        return t("Reminder: check-in on your team's action") if reminder else t("Check-in on your team's action")
    if reminder:
        return t("Reminder: pulse check, question {number} of {total}", number=number, total=total)
    return t("Pulse check: question {number} of {total}", number=number, total=total)


def _ballot_choices(
    t: Translator,
    labels: dict[int, str],
    values: Sequence[int],
    ballot: Ballot,
    total: int,
    chosen: int | None,
    *,
    comment: bool = True,
) -> list[Choice]:
    """The answer buttons (carrying the answer's version), the comment button, and the way back and forth."""
    choices = [
        Choice(
            label=labels[value],
            action=ANSWER_ACTION,
            value=ballot.answer(value),
            style="primary" if value == chosen else "default",
        )
        for value in values
    ]
    if comment:
        choices.append(Choice(label=t("Add a comment"), action=COMMENT_ACTION, value=ballot.ref()))
    at = Ballot(ballot.round_id, 0, 0, ballot.token)
    if ballot.position > 0:
        previous = replace(at, position=ballot.position - 1).ref()
        choices.append(Choice(label=t("Previous question"), action=SHOW_ACTION, value=previous))
    if ballot.position + 1 < total:
        following = replace(at, position=ballot.position + 1).ref()
        choices.append(Choice(label=t("Next question"), action=SHOW_ACTION, value=following))
    return choices


def closed_card(t: Translator, question: PulseQuestion | None) -> Card:
    """What a button press on a closed pulse shows: the buttons are gone and nothing was counted."""
    sections = [Section(text=Line.of(question_text(question, t.language)))] if question else []
    notice = t("This pulse check is closed; your answer was not counted.")
    sections.append(Section(text=Line.of(notice)))
    return Card(title=t("Pulse check closed"), sections=tuple(sections), summary=notice)


def without_buttons(payload: str) -> str:
    """A delivered pulse card with its buttons (and so its ballot token) removed."""
    card = Card.model_validate_json(payload)
    return card.model_copy(update={"choices": ()}).model_dump_json()


def _with_tokens(card: Card, token_of: Callable[[int], str]) -> Card:
    """The card with the token of every ballot button set to `token_of(round id)`."""
    choices = []
    for choice in card.choices:
        answer = parse_answer(choice.value) if choice.action == ANSWER_ACTION else None
        ballot = answer[0] if answer else parse_ballot(choice.value) if choice.action in BALLOT_ACTIONS else None
        if ballot is not None:
            filled = replace(ballot, token=token_of(ballot.round_id))
            choice = choice.model_copy(update={"value": filled.answer(answer[1]) if answer else filled.ref()})
        choices.append(choice)
    return card.model_copy(update={"choices": tuple(choices)})


def with_ballots(card: Card, *, person_id: int, secret: str) -> Card:
    """The card as it is sent to `person_id`: their ballot token in each pulse button (`MissingSecretKey` without a
    secret). Cards without pulse buttons come back unchanged."""
    if not any(choice.action in BALLOT_ACTIONS for choice in card.choices):
        return card
    return _with_tokens(card, lambda round_id: ballot_token(secret, round_id, person_id))


def without_ballots(card: Card) -> Card:
    """The card with its ballot tokens taken out, as a card holding them may be stored (`with_ballots` puts them
    back when it is sent)."""
    if not any(choice.action in BALLOT_ACTIONS for choice in card.choices):
        return card
    return _with_tokens(card, lambda _round_id: "")
