"""French as a French reader expects it: "de" elided before a vowel ("d'Engineering"), a question without a colon
after it, words that agree with how many people they are about."""

from __future__ import annotations

from handlers.i18n import Translator, elide
from handlers.policy import Policy
from storage.db import Database
from tests.bot.console.test_console_kudos import chat

FR = Translator("fr")


def test_de_is_elided_before_a_name_that_starts_with_a_vowel() -> None:
    assert FR("Team digest of {team} ({period})", team="Engineering", period="2026-W49").startswith(
        "Bilan d'équipe d'Engineering"
    )
    assert FR("Team digest of {team} ({period})", team="Sales", period="2026-W49").startswith("Bilan d'équipe de Sales")
    assert FR("Goal of {name}: {reward}, {points} points.", name="Émeraude", reward="x", points=3).startswith(
        "Objectif d'Émeraude"
    )
    assert (
        elide("fr", "Décrivez en moins de {limit} caractères", {"limit": 80})
        == "Décrivez en moins de {limit} caractères"
    )
    assert elide("en", "Goal of {name}", {"name": "Engineering"}) == "Goal of {name}"


def test_plurals_agree_with_one_person() -> None:
    one = FR.plural(
        "{team}: {count} of {invited} has answered so far. Results appear when the pulse closes ({closes}).",
        "{team}: {count} of {invited} have answered so far. Results appear when the pulse closes ({closes}).",
        1,
        team="Sales",
        invited=4,
        closes="x",
    )
    assert one.startswith("Sales : 1 personne sur 4 a répondu")
    assert FR.plural("{count} pulse started.", "{count} pulses started.", 1) == "1 pulse lancé."
    assert FR.plural("{count} pulse started.", "{count} pulses started.", 2) == "2 pulses lancés."


async def test_the_form_asks_its_question_without_a_colon_after_the_question_mark(
    database: Database, policy: Policy
) -> None:
    shown = await chat(database, policy, "/kudos\nEmma\n", as_person="Claire Petit")
    assert "Qui voulez-vous remercier ? " in shown and "remercier ? :" not in shown
    assert "Points pour chaque personne (1) : " in shown
