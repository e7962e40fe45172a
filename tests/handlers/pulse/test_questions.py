"""The question bank and its file format: shipped questions, admins' files, answer values."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from handlers.i18n import Translator
from handlers.pulse.questions import (
    ADMIN_SCALES,
    CHECKIN_DRIVER,
    CHECKIN_KEY,
    DRIVERS,
    ENPS_DRIVER,
    QuestionSpec,
    builtin_bank,
    parse_question_file,
    question_spec,
    scale_labels,
    spec_problem,
)
from handlers.pulse.tokens import (
    Ballot,
    MissingSecretKey,
    ballot_token,
    is_ballot_of,
    parse_answer,
    parse_ballot,
    seal,
    stored_key,
    unseal,
)

EN, FR = Translator("en"), Translator("fr")
# The pillars the README groups the drivers under (wanting to, being able to, feeling valued).
PILLARS: dict[str, str] = {
    "purpose": "wanting",
    "goals": "wanting",
    "tools": "able",
    "autonomy": "able",
    "recognition": "valued",
    "respect": "valued",
}


def dump_question_file(specs: list[QuestionSpec]) -> str:
    """The file format admins write (the shipped bank's), for the round trip through the parser."""
    questions = []
    for spec in specs:
        item: dict[str, Any] = {"driver": spec.driver, "scale": spec.scale}
        if spec.key:
            item["key"] = spec.key
        item["text"] = {"en": spec.text_en, "fr": spec.text_fr}
        questions.append(item)
    return json.dumps({"questions": questions}, ensure_ascii=False, indent=2)


def test_the_shipped_bank_covers_every_driver_in_both_languages() -> None:
    bank = builtin_bank()
    assert {spec.driver for spec in bank} == set(DRIVERS)
    assert set(PILLARS.values()) == {"wanting", "able", "valued"} and set(PILLARS) <= set(DRIVERS)
    assert all(spec.text_en and spec.text_fr and spec.text_en != spec.text_fr for spec in bank)
    assert {spec.scale for spec in bank} == set(ADMIN_SCALES)
    enps = [spec for spec in bank if spec.driver == ENPS_DRIVER]
    assert [spec.text_en for spec in enps] == ["How likely are you to recommend working here?"]
    assert len({spec.key for spec in bank}) == len(bank)


def test_scales_have_labels_in_both_languages() -> None:
    assert scale_labels(EN, "agree5")[5] == "Strongly agree"
    assert scale_labels(FR, "agree5")[1] == "Pas du tout d'accord"
    assert scale_labels(FR, "yesno") == {1: "Oui", 0: "Non"}
    assert list(scale_labels(EN, "scale10")) == list(range(11))


def test_a_file_keeps_good_questions_and_names_bad_ones() -> None:
    text = json.dumps(
        {
            "questions": [
                {
                    "driver": "workload",
                    "scale": "agree5",
                    "text": {"en": "I can focus.", "fr": "Je peux me concentrer."},
                },
                {"driver": "workload", "scale": "stars", "text": {"en": "Stars?"}},
                {"key": "x", "driver": "enps", "scale": "agree5", "text": {"en": "Recommend?"}},
                "nonsense",
                {"key": "mine-1", "driver": "Focus Time", "scale": "yesno", "en": "Deep work today?"},
            ]
        }
    )
    specs, errors = parse_question_file(text, EN)
    assert specs == [QuestionSpec("workload", "agree5", "I can focus.", "Je peux me concentrer.")]
    assert [error.split(":")[0] for error in errors] == ["question 2", "question 3", "question 4", "question 5"]
    _, french = parse_question_file("{", FR)
    assert french[0].startswith("JSON invalide")


texts = st.text(min_size=1, max_size=80).filter(lambda text: text.strip() == text and text.strip())
not_reserved = st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True).filter(lambda name: name != CHECKIN_DRIVER)
specs = st.builds(
    QuestionSpec,
    driver=st.sampled_from(DRIVERS[:-1]) | not_reserved,
    scale=st.sampled_from(["agree5", "yesno", "emoji5"]),
    text_en=texts,
    text_fr=texts,
    key=st.none() | st.from_regex(r"[a-z0-9][a-z0-9._-]{0,30}", fullmatch=True).filter(lambda key: key != CHECKIN_KEY),
)


def test_the_checkin_question_driver_key_and_scale_are_kept_for_action_checkins() -> None:
    checkin = question_spec(driver="action-checkin", scale="agree5", english="Did it help?")
    keyed = question_spec(driver="workload", scale="agree5", english="Did it help?", key="action-checkin")
    helped = question_spec(driver="workload", scale="helped3", english="Did it help?")
    reserved = "'action-checkin' is kept for the check-ins after a team's actions"
    assert spec_problem(checkin, EN) == spec_problem(keyed, EN) == reserved
    assert spec_problem(helped, EN) == "unknown scale 'helped3' (use agree5, scale10, yesno, emoji5)"


@given(st.lists(specs, max_size=6, unique_by=lambda spec: spec.key or id(spec)))
def test_dumping_and_parsing_a_file_gives_the_same_questions(questions: list[QuestionSpec]) -> None:
    parsed, errors = parse_question_file(dump_question_file(questions), EN)
    assert errors == [] and parsed == questions


@given(st.text(max_size=300))
def test_any_text_is_parsed_without_an_exception(text: str) -> None:
    good, bad = parse_question_file(text, EN)
    assert isinstance(good, list) and isinstance(bad, list)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda c: st.lists(c) | st.dictionaries(st.text(max_size=5), c),
        max_leaves=20,
    )
)
def test_any_json_document_is_parsed_without_an_exception(document: object) -> None:
    parse_question_file(json.dumps({"questions": document}), EN)


@given(st.integers(min_value=1, max_value=10**6), st.integers(0, 9), st.integers(0, 10**6), st.integers(0, 10))
def test_answer_values_and_refs_round_trip(round_id: int, position: int, version: int, value: int) -> None:
    ballot = Ballot(round_id, position, version, ballot_token("secret", round_id, 7))
    assert parse_answer(ballot.answer(value)) == (ballot, value)
    assert parse_ballot(ballot.ref()) == ballot
    assert parse_ballot(Ballot(round_id, position).ref()) == Ballot(round_id, position, 0, "")


@given(st.text(max_size=200))
def test_any_button_value_is_read_without_an_exception(value: str) -> None:
    parsed = parse_answer(value)
    assert parsed is None or 0 <= parsed[1] <= 99
    ballot = parse_ballot(value)
    assert ballot is None or min(ballot.round_id, ballot.position, ballot.version) >= 0


def test_a_token_is_good_only_for_its_person_round_and_secret() -> None:
    token = ballot_token("secret", 3, 42)
    assert len(token) == 22 and token == ballot_token("secret", 3, 42)
    assert is_ballot_of("secret", token, 3, 42)
    assert not is_ballot_of("secret", token, 3, 43) and not is_ballot_of("secret", token, 4, 42)
    assert not is_ballot_of("other", token, 3, 42) and not is_ballot_of("", token, 3, 42)
    keys = {stored_key("secret", purpose, 3, 42, 5) for purpose in ("answer", "comment", "respondent")}
    assert len(keys) == 3 and token not in keys


def test_no_ballot_is_made_without_a_secret() -> None:
    for make in (lambda: ballot_token("", 3, 42), lambda: stored_key("", "answer", 3, 42)):
        try:
            make()
        except MissingSecretKey as error:
            assert error.message(EN).startswith("BRAVO_SECRET_KEY is not set")
        else:
            raise AssertionError("a ballot was made without a secret")


def test_sealed_values_open_only_with_the_same_key_and_purpose() -> None:
    sealed = seal("secret", "reply-to:abc", "42")
    assert sealed != seal("secret", "reply-to:abc", "42")
    assert unseal("secret", "reply-to:abc", sealed) == "42"
    assert unseal("other", "reply-to:abc", sealed) is None
    assert unseal("secret", "reply-to:xyz", sealed) is None
    assert unseal("secret", "reply-to:abc", "garbage!") is None
    assert unseal("", "reply-to:abc", sealed) is None


def test_numbers_no_integer_column_holds_are_refused_not_raised() -> None:
    token = ballot_token("secret", 1, 1)
    assert parse_ballot(f"{'9' * 5000}.0.0.{token}") is None
    assert parse_ballot(f"{2**31}.0.0.{token}") is None and parse_ballot(f"{2**31 - 1}.0.0.{token}") is not None
    assert parse_answer(f"1.0.{2**31}.{token}:4") is None
