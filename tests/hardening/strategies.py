"""Hypothesis strategies for hostile input: command text, platform markup, points, JSON payloads.

Each strategy mixes plausible pieces (mentions, numbers, tags, markup) with arbitrary unicode, so examples reach
deep into the parsers instead of failing at their first check.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Random examples on a developer's machine (new ones each run); the same ones in CI (`CI=true`), so a red build is
# reproducible. Every example found failing is saved by hypothesis and replayed first on the next local run.
FUZZ_SETTINGS: dict[str, Any] = {"max_examples": 60, "deadline": None, "derandomize": bool(os.environ.get("CI"))}


def fuzz(max_examples: int = 60) -> settings:
    """Hypothesis settings for the hardening suite (fixtures such as the app are shared by a test's examples)."""
    return settings(
        **{**FUZZ_SETTINGS, "max_examples": max_examples},
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )


POINTS = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.integers(min_value=0, max_value=10**7).map(lambda n: f"+{n}"),
    st.sampled_from(["+", "-", "+-3", "0", "00", "+0", "1e9", "3.5", "½", "٣", "３", "𝟑", "²", "9" * 40, "-0", "NaN"]),
)
SLACK_MARKUP = st.sampled_from(
    [
        "<@U2>",
        "<@U2|bob>",
        "<@U3|claire>",
        "<@U1>",
        "<@UBOT2>",
        "<@U999>",
        "<@W123|ghost>",
        "<!channel>",
        "<!here>",
        "<!everyone>",
        "<!subteam^S123|@devs>",
        "<!subteam^S999>",
        "<#C123|general>",
        "<http://evil.example|https://bank.example>",
        "<mailto:a@b.c|x>",
        "<!date^1392734382^{date}|Feb 18>",
        "&lt;@U2&gt;",
        "&lt;!channel&gt;",
        "&amp;",
        "<@5>",
        "<!team:1>",
        "<@٣>",
        "<>",
        "<<@U2>>",
        "<@U2|<!here>>",
        ":clap:",
        ":clap::skin-tone-3:",
    ]
)
CANONICAL = st.one_of(
    st.integers(min_value=0, max_value=40).map(lambda n: f"<@{n}>"),
    st.integers(min_value=0, max_value=10).map(lambda n: f"<!team:{n}>"),
    st.sampled_from(["<@999999999999999999>", "<!team:999999999999999999>", "<@>", "<@-1>", "<@٣>"]),
)
WORDS = st.sampled_from(
    [
        "thanks",
        "merci",
        "#teamwork",
        "#temwork",
        "#courage!",
        "#",
        "##",
        "#1",
        "and",
        "et",
        ",",
        ":",
        "results",
        "résultats",
        "propose",
        "org",
        "me",
        "leaderboard",
        "week",
        "all",
        "help",
        "privacy",
        "answer",
        "\u00a0",
        "\n",
        "\u200b",
        "[x](http://evil.example)",
        "<at>Bob Jones</at>",
        "**bold**",
        "`code`",
    ]
)
TEXT = st.text(max_size=40)


def pieces(*extra: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Text made of hostile pieces joined by spaces (or nothing)."""
    piece = st.one_of(WORDS, POINTS, TEXT, *extra)
    return st.builds(lambda parts, sep: sep.join(parts), st.lists(piece, max_size=12), st.sampled_from([" ", "", "  "]))


COMMAND_TEXT = pieces(CANONICAL)
SLACK_TEXT = pieces(SLACK_MARKUP)

JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**63), max_value=2**63), st.floats(allow_nan=False), TEXT
)
JSON = st.recursive(
    JSON_SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(TEXT, children, max_size=4)),
    max_leaves=12,
)


def shaped(keys: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """A dict with some of the expected keys (each with a plausible or arbitrary value) and some junk keys."""
    optional = {key: st.one_of(strategy, JSON) for key, strategy in keys.items()}
    return st.builds(
        lambda known, junk: {**junk, **known},
        st.fixed_dictionaries({}, optional=optional),
        st.dictionaries(TEXT, JSON, max_size=2),
    )
