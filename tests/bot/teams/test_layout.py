"""Cards with more choices than Teams shows (6 per action list) keep every choice reachable."""

from __future__ import annotations

import pytest

from bot.teams.activities import parse_submission
from bot.teams.layout import PICK_KEY, rows, shared_words
from bot.teams.render import render_card
from handlers.messages import Card, Choice, Line, Section
from tests.bot.teams.cards import action_lists, button, buttons, choice_input

QUESTION = Section(text=Line.of("How likely are you to recommend working here?"))
SMALL_PRINT = (Line.of("Anonymous."),)


def scale(count: int, *, chosen: int | None = None) -> tuple[Choice, ...]:
    return tuple(
        Choice(label=str(n), action="pulse.answer", value=f"t@0:{n}", style="primary" if n == chosen else "default")
        for n in range(count)
    )


NAVIGATION = (
    Choice(label="Add a comment", action="pulse.comment", value="t@1"),
    Choice(label="Previous question", action="pulse.show", value="t@0"),
    Choice(label="Next question", action="pulse.show", value="t@2"),
)


def test_up_to_six_choices_stay_the_card_s_own_buttons() -> None:
    rendered = render_card(Card(sections=(QUESTION,), choices=scale(3) + NAVIGATION))
    assert [action["title"] for action in rendered["actions"]] == ["0", "1", "2", *(c.label for c in NAVIGATION)]
    assert action_lists(rendered)[:-1] == []


def test_an_eleven_point_scale_becomes_two_rows_of_one_tap_answers_above_the_small_print() -> None:
    rendered = render_card(Card(sections=(QUESTION,), choices=scale(11, chosen=7) + NAVIGATION, context=SMALL_PRINT))
    kinds = [item["type"] for item in rendered["body"]]
    assert kinds == ["TextBlock", "ActionSet", "ActionSet", "TextBlock"]
    assert [[action["title"] for action in row] for row in action_lists(rendered)] == [
        ["0", "1", "2", "3", "4", "5"],
        ["6", "7", "8", "9", "10"],
        ["Add a comment", "Previous question", "Next question"],
    ]
    assert button(rendered, "7")["style"] == "positive" and "style" not in button(rendered, "6")
    submission = parse_submission(button(rendered, "10")["data"])
    assert submission is not None and (submission.action, submission.value) == ("pulse.answer", "t@0:10")


def test_choices_that_share_their_first_words_become_one_list_and_one_button() -> None:
    votes = tuple(Choice(label=f"Vote: option {n}", action="rewards.vote", value=f"1:{n}") for n in range(10))
    rendered = render_card(Card(sections=(QUESTION,), choices=votes))
    listed = choice_input(rendered)
    assert listed["label"] == "Vote" and listed["isRequired"] and listed["style"] == "expanded"
    assert [item["title"] for item in listed["choices"]] == [f"option {n}" for n in range(10)]
    (vote,) = buttons(rendered)
    assert vote["title"] == "Vote" and vote["data"][PICK_KEY] == listed["id"]
    picked = parse_submission({**vote["data"], listed["id"]: "1:7"})
    assert picked is not None and (picked.action, picked.value) == ("rewards.vote", "1:7")
    nothing = parse_submission(vote["data"])
    assert nothing is not None and nothing.value == ""


def test_a_list_beside_other_buttons_is_optional_so_they_still_work_and_keep_their_own_value() -> None:
    replies = tuple(Choice(label=f"Reply to comment {n}", action="pulse.reply", value=f"c{n}") for n in range(1, 9))
    rendered = render_card(Card(choices=(*replies, Choice(label="Close", action="x.close", value="v"))))
    listed = choice_input(rendered)
    assert listed["label"] == "Reply to comment" and not listed["isRequired"]
    assert [item["title"] for item in listed["choices"]] == [str(n) for n in range(1, 9)]
    close = parse_submission({**button(rendered, "Close")["data"], listed["id"]: "c3"})
    assert close is not None and (close.action, close.value) == ("x.close", "v")


def test_many_unrelated_choices_become_rows_of_six_at_most() -> None:
    many = tuple(Choice(label=f"Thing {chr(65 + n)}{n}", action=f"a{n}") for n in range(14))
    lists = action_lists(render_card(Card(choices=many)))
    assert [len(actions) for actions in lists] == [5, 5, 4]
    assert [action["title"] for actions in lists for action in actions] == [choice.label for choice in many]


@pytest.mark.parametrize(
    ("labels", "shared"),
    [
        (["Vote: team lunch", "Vote: team trip"], "Vote"),
        (["Voter : déjeuner", "Voter : sortie"], "Voter"),
        (["Reply to comment 1", "Reply to comment 10"], "Reply to comment"),
        (["Répondre au commentaire 1", "Répondre au commentaire 2"], "Répondre au commentaire"),
        (["0", "1", "10"], ""),
        (["Strongly disagree", "Disagree", "Strongly agree"], ""),
        (["Strongly disagree", "Strongly agree"], "Strongly"),
        (["Vote: a", "Vote"], ""),
        (["😞", "🙁", "😐"], ""),
    ],
)
def test_shared_words_are_whole_words_up_to_a_colon(labels: list[str], shared: str) -> None:
    assert shared_words(labels) == shared


def test_rows_are_as_few_and_as_even_as_possible() -> None:
    assert [len(row) for row in rows([{}] * 7)] == [4, 3]
    assert [len(row) for row in rows([{}] * 13)] == [5, 5, 3]
    assert rows([]) == []
