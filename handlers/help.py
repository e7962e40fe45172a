"""The `/help` card: every command, in the reader's language."""

from __future__ import annotations

from handlers.i18n import Translator
from handlers.messages import Card, FieldItem, Line, Reply, Section
from handlers.policy import Policy


def command_lines(t: Translator, policy: Policy) -> list[tuple[str, str]]:
    """(usage, what it does) for every command a person can type."""
    return [
        ("/help", t("show this list")),
        (
            t("/kudos @name [points] reason #value"),
            t("recognise colleagues ({allowance} points a day to give)", allowance=policy.daily_allowance),
        ),
        ("/kudos", t("open the kudos form")),
        (t("/kudos leaderboard [week|month|quarter|all]"), t("teams and people recognised the most")),
        ("/kudos me", t("kudos you received and gave, and what you have left to give today")),
        ("/kudos help", t("every way to give kudos, and the rules")),
        ("/kudos privacy", t("what Bravo stores about you and why")),
        ("/pulse", t("answer your open pulse questions")),
        ("/pulse results", t("pulse results of the teams you manage")),
        ("/rewards", t("your team's collective goal: see it, vote for the reward, propose one")),
    ]


def help_reply(t: Translator, policy: Policy) -> Reply:
    values = " ".join(f"#{value}" for value in policy.company_values)
    fields = tuple(FieldItem(label=usage, value=Line.of(meaning)) for usage, meaning in command_lines(t, policy))
    card = Card(
        title=t("Bravo: recognise your colleagues, tell us how it's going"),
        sections=(Section(fields=fields),),
        context=(Line.of(t("Company values: {values}", values=values)),),
        summary=t("Bravo commands"),
    )
    return Reply(card=card)
