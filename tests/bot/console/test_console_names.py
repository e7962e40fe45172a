"""`@Chloe` finds Chloé (accents and case do not matter), and a name or a command nobody has gets a "did you mean",
in the reader's language."""

from __future__ import annotations

from handlers.i18n import Translator
from handlers.policy import Policy
from handlers.spelling import closest, fold, folded_prefix
from storage.db import Database
from tests.bot.console.test_console_kudos import chat


def test_folding_ignores_accents_and_case_and_keeps_what_was_typed() -> None:
    assert fold("Chloé") == fold("CHLOE") == fold("chloe\u0301") == "chloe"
    assert folded_prefix("Chloe\u0301 thanks", "chloe") == "Chloe\u0301"
    assert folded_prefix("Chlo thanks", "chloe") is None
    assert closest("kudoz", ["help", "kudos", "pulse", "rewards"]) == "kudos"
    assert closest("zzz", ["help", "kudos"]) is None


async def test_a_mention_without_its_accent_or_case_finds_the_person(database: Database, policy: Policy) -> None:
    shown = await chat(database, policy, "/kudos @chloe merci pour la démo\n/kudos @INES @Hugo Bernard bravo\n")
    assert "You gave 1 point to @Chloé Lambert." in shown
    assert "You gave 1 point each to @Inès Moreau and @Hugo Bernard." in shown


async def test_an_unknown_name_or_command_gets_a_did_you_mean_in_the_readers_language(
    database: Database, policy: Policy
) -> None:
    english = await chat(database, policy, "/kudos @Chloee thanks\n/kudoz @Chloé thanks\n")
    assert "I don't know anyone called @Chloee. Did you mean @Chloé Lambert?" in english
    assert "I don't know the command /kudoz. Did you mean /kudos?" in english
    french = await chat(database, policy, "/kudos @Emmma merci\n/puls\n/xyzzy\n", as_person="Claire Petit")
    assert "Je ne connais personne qui s'appelle @Emmma. Vouliez-vous dire @Emma Wilson ?" in french
    assert "Je ne connais pas la commande /puls. Vouliez-vous dire /pulse ?" in french
    assert (
        Translator("fr")("I don't know the command /{name}. Type /help to see what I can do.", name="xyzzy") in french
    )


async def test_a_misspelled_kudos_word_gets_a_did_you_mean(database: Database, policy: Policy) -> None:
    shown = await chat(database, policy, "/kudos leaderbord\n/kudos thanks\n")
    assert "Did you mean /kudos leaderboard?" in shown
    assert "Who do you want to recognise?" in shown
