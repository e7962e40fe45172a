"""The kudos grammar: everyone mentioned, an optional number of points among the leading mentions, a reason,
and `#values`."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.kudos.parse import KudosParseError, parse_kudos, tidy_reason, value_tags
from handlers.mentions import person_token, team_token


def test_mentions_points_reason_and_values() -> None:
    draft = parse_kudos("<@1> <@2> 3 thanks for the release #teamwork #Courage")
    assert (draft.people, draft.teams, draft.points, draft.points_given) == ((1, 2), (), 3, True)
    assert draft.reason == "thanks for the release" and draft.values == ("teamwork", "courage")


@pytest.mark.parametrize(
    ("text", "people", "points", "reason"),
    [
        ("<@1> thanks", (1,), 1, "thanks"),
        ("+10 <@1> for the #teamwork on the launch", (1,), 10, "for the #teamwork on the launch"),
        ("<@1>, <@2>: great pairing!", (1, 2), 1, "great pairing!"),
        ("thanks <@1> for helping <@2>", (1, 2), 1, "thanks <@1> for helping <@2>"),
        ("<@1> 2 3 bugs fixed", (1,), 2, "3 bugs fixed"),
        ("<@1>\nthanks\n\n\n\nfor everything  #kindness.", (1,), 1, "thanks\n\nfor everything"),
        ("<@1> <@1> thanks", (1,), 1, "thanks"),
    ],
)
def test_examples(text: str, people: tuple[int, ...], points: int, reason: str) -> None:
    draft = parse_kudos(text)
    assert (draft.people, draft.points, draft.reason) == (people, points, reason)


def test_teams_and_points_left_in_the_reason_for_chat_messages() -> None:
    draft = parse_kudos("<!team:7> 3 bugs fixed before lunch", read_points=False)
    assert (draft.teams, draft.points, draft.points_given, draft.reason) == (
        (7,),
        1,
        False,
        "3 bugs fixed before lunch",
    )


def test_nobody_mentioned_is_a_parse_error() -> None:
    with pytest.raises(KudosParseError) as raised:
        parse_kudos("thanks everyone #teamwork")
    assert raised.value.problem == "no_recipients"


def test_value_tags_ignore_numbers_entities_and_csharp() -> None:
    assert value_tags("C# and #1 and &#39; and #Team-Work and #team-work") == ("team-work",)
    assert tidy_reason(":  thanks #a #b") == "thanks"


words = st.text(alphabet=st.characters(blacklist_characters="<>#@", blacklist_categories=("Cs",)), max_size=15)
ids = st.integers(min_value=1, max_value=10**6)
values = st.from_regex(r"[a-z][a-z-]{0,10}", fullmatch=True)


@given(
    people=st.lists(ids, min_size=1, max_size=4, unique=True),
    teams=st.lists(ids, max_size=2, unique=True),
    points=st.one_of(st.none(), st.integers(min_value=0, max_value=999)),
    reason=st.lists(words, max_size=6).map(lambda parts: " ".join(["for", *parts])),
    tags=st.lists(values, max_size=3, unique=True),
)
def test_what_is_written_is_what_is_read(
    people: list[int], teams: list[int], points: int | None, reason: str, tags: list[str]
) -> None:
    lead = [person_token(p) for p in people] + [team_token(t) for t in teams]
    if points is not None:
        lead.append(str(points))
    text = " ".join([*lead, reason, *(f"#{tag}" for tag in tags)])
    draft = parse_kudos(text)
    assert draft.people == tuple(people) and draft.teams == tuple(teams)
    assert draft.points == (points if points is not None else 1)
    assert set(tags) <= set(draft.values)
    assert all(f"#{tag}" not in draft.reason.split() for tag in tags if draft.reason.endswith(tag))


@given(st.text(max_size=200))
def test_any_text_parses_or_says_why(text: str) -> None:
    try:
        draft = parse_kudos(text)
    except KudosParseError as error:
        assert error.problem == "no_recipients"
        return
    assert draft.has_recipients and draft.points >= 0 and len(draft.reason) <= len(text)
