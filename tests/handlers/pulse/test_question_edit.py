"""An admin's question bank changes: a question as written on the command line, refused ones, retiring by key."""

from __future__ import annotations

import pytest

from handlers.i18n import Translator
from handlers.pulse import QuestionEditError, add_question, question_bank, question_spec, retire_question
from handlers.pulse.question_edit import UNKNOWN_KEY
from handlers.pulse.questions import ENPS_SCALE
from storage.db import Database


def test_a_question_as_written_is_trimmed_and_the_english_stands_in_for_a_missing_french() -> None:
    spec = question_spec(driver=" Focus ", scale="yesno", english=" Deep work? ", french="  ", key=" Focus-1 ")
    assert (spec.driver, spec.text_en, spec.text_fr, spec.key) == ("focus", "Deep work?", "Deep work?", "focus-1")
    assert question_spec(driver="focus", scale="yesno", english="Deep work?", key="  ").key is None


async def test_questions_are_added_refused_and_retired(database: Database) -> None:
    async with database.transaction() as session:
        shipped = len(await question_bank(session))
        spec = question_spec(driver="focus", scale="yesno", english="Did you get a day of deep work?")
        assert (await add_question(session, spec)).added == 1
        with pytest.raises(QuestionEditError) as refused:
            await add_question(session, question_spec(driver="enps", scale="agree5", english="x?"))
        assert refused.value.code == ENPS_SCALE and "0-10" in refused.value.message(Translator("en"))
        retired = await retire_question(session, key=" CUSTOM-FOCUS-1 ")
        assert retired.key == "custom-focus-1" and retired.active is False
        with pytest.raises(QuestionEditError) as unknown:
            await retire_question(session, key="nope")
        assert unknown.value.code == UNKNOWN_KEY
        assert unknown.value.message(Translator("en")) == "no question has the key nope"
        questions = await question_bank(session)
    assert len(questions) == shipped + 1 and not questions[-1].active
