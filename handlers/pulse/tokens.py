"""Ballot tokens, their hashes, and the sealed reply address of an anonymous comment.

A ballot token is a random secret that exists in the person's chat message (the buttons' values) and, until its
first use, in `pulse_ballot`. Answers keep only a hash of it, so whoever holds the message can change their answer
while the round is open, and nobody can go from a stored answer back to a token, let alone to a person.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence

from handlers.sealing import seal, unseal

__all__ = ["seal", "unseal"]

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_CHAIN = 10


def new_token() -> str:
    return secrets.token_urlsafe(16)


def ballot_hash(token: str, purpose: str = "answer") -> str:
    """The stored key of an answer (`answer`) or a comment (`comment`): different, so they cannot be joined."""
    return hashlib.sha256(f"bravo-pulse:{purpose}:{token}".encode()).hexdigest()


def ballot_ref(chain: Sequence[str], index: int) -> str:
    """A position in a message's questions: the message's ballot tokens and which one is shown (`t1.t2.t3@1`)."""
    return f"{'.'.join(chain)}@{index}"


def parse_ballot_ref(value: str) -> tuple[list[str], int] | None:
    """`t1.t2@1` -> ([t1, t2], 1); None for anything else, never an exception."""
    tokens, sep, index = value.strip().rpartition("@")
    chain = tokens.split(".")
    if not sep or not index.isascii() or not index.isdigit() or len(index) > 2 or len(chain) > MAX_CHAIN:
        return None
    if not all(TOKEN_PATTERN.match(token) for token in chain) or int(index) >= len(chain):
        return None
    return chain, int(index)


def answer_value(chain: Sequence[str], index: int, value: int) -> str:
    """What an answer button sends back: its position in the message and the answer (`t1.t2@0:4`)."""
    return f"{ballot_ref(chain, index)}:{value}"


def parse_answer_value(value: str) -> tuple[list[str], int, int] | None:
    """`t1.t2@0:4` -> ([t1, t2], 0, 4); None for anything else, never an exception."""
    ref, sep, answer = value.strip().rpartition(":")
    parsed = parse_ballot_ref(ref) if sep else None
    if parsed is None or not answer.isascii() or not answer.isdigit() or len(answer) > 2:
        return None
    return parsed[0], parsed[1], int(answer)
