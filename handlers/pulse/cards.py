"""The pulse question card, as delivered, after an answer, and once its round has closed."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.i18n import Translator
from handlers.messages import Card, Choice, Line, Section
from handlers.pulse.questions import SCALES, scale_labels
from handlers.pulse.tokens import answer_value, ballot_ref
from storage.models import PulseQuestion

QUESTION_KIND = "pulse.question"
REMINDER_KIND = "pulse.reminder"
BALLOT_KINDS = (QUESTION_KIND, REMINDER_KIND)
ANSWER_ACTION = "pulse.answer"
COMMENT_ACTION = "pulse.comment"
SHOW_ACTION = "pulse.show"
COMMENT_FORM = "pulse.comment"


def question_text(question: PulseQuestion, language: str) -> str:
    return question.text_fr if language == "fr" and question.text_fr else question.text_en


def question_card(
    t: Translator,
    question: PulseQuestion,
    chain: Sequence[str],
    index: int,
    *,
    deadline: str,
    threshold: int,
    chosen: int | None = None,
    reminder: bool = False,
    saved: bool = False,
) -> Card:
    """Question `index` of a message's questions: one button per answer (one tap answers and moves on to the next
    question), a button to add a comment, and buttons to go back and forth while the pulse is open."""
    labels = scale_labels(t, question.scale)
    number, total = index + 1, len(chain)
    if reminder:
        title = t("Reminder: pulse check, question {number} of {total}", number=number, total=total)
    else:
        title = t("Pulse check: question {number} of {total}", number=number, total=total)
    text = question_text(question, t.language)
    sections = [Section(text=Line.of(text))]
    if chosen is not None:
        sections.append(Section(text=Line.of(t("Your answer: {answer}", answer=labels.get(chosen, str(chosen))))))
    choices = [
        Choice(
            label=labels[value],
            action=ANSWER_ACTION,
            value=answer_value(chain, index, value),
            style="primary" if value == chosen else "default",
        )
        for value in SCALES[question.scale]
    ]
    choices.append(Choice(label=t("Add a comment"), action=COMMENT_ACTION, value=ballot_ref(chain, index)))
    if index > 0:
        choices.append(Choice(label=t("Previous question"), action=SHOW_ACTION, value=ballot_ref(chain, index - 1)))
    if index + 1 < total:
        choices.append(Choice(label=t("Next question"), action=SHOW_ACTION, value=ballot_ref(chain, index + 1)))
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
    return Card(title=title, sections=tuple(sections), choices=tuple(choices), context=tuple(context), summary=text)


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
