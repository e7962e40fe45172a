"""Scores as action plan cards write them, with the reader's decimal separator."""

from __future__ import annotations

from handlers.i18n import Translator


def _local(t: Translator, text: str) -> str:
    return text.replace(".", ",") if t.language == "fr" else text


def score_text(t: Translator, score: float) -> str:
    """`7.5/10`, with the reader's decimal separator (`7,5/10` in French)."""
    return _local(t, f"{score:.1f}/10")


def signed_text(t: Translator, change: float) -> str:
    """`+2.5` or `-1.0` points, with the reader's decimal separator."""
    return _local(t, f"{change:+.1f}")
