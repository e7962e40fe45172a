"""Ballot tokens and answer keys, derived with `BRAVO_SECRET_KEY`, and the sealed reply address of a comment.

Nothing here is stored. A ballot token is HMAC(secret, round, person): it rides in the person's buttons (added when
the message is sent, never in the outbox) and a tap counts only if the token recomputed for the person tapping is the
one pressed, so copied buttons are worth nothing to anyone else. An answer, a comment and "has answered" are stored
under other keys of the same kind (different purposes, so they cannot be joined), which only code holding the secret
can recompute; nothing about a person can be worked out from the database alone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from handlers.errors import RuleError, _
from handlers.sealing import seal, unseal

__all__ = ["seal", "unseal"]

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
TOKEN_BYTES = 16
MAX_NUMBER = 2**31  # every number fits an INTEGER column on both engines
NO_KEY = "no_secret_key"


class MissingSecretKey(RuleError):
    """Pulses cannot be sent (nor answered) without the secret their ballots are made with."""

    messages = {NO_KEY: _("BRAVO_SECRET_KEY is not set: pulses need it to make their anonymous ballots")}


def _mac(secret: str, message: str) -> bytes:
    if not secret:
        raise MissingSecretKey(NO_KEY)
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()


def ballot_token(secret: str, round_id: int, person_id: int) -> str:
    """The token a person's buttons carry for a round (22 URL-safe characters)."""
    digest = _mac(secret, f"bravo-pulse:ballot:{round_id}:{person_id}")[:TOKEN_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def is_ballot_of(secret: str, token: str, round_id: int, person_id: int) -> bool:
    """Whether `token` was made for this person and round (compared in constant time); False without a secret."""
    return bool(secret) and hmac.compare_digest(ballot_token(secret, round_id, person_id), token)


def key_check(secret: str) -> str:
    """A value that tells which secret key made a round's ballots without revealing anything of the key."""
    return _mac(secret, "bravo-pulse:key-check").hex()[:32]


def stored_key(secret: str, purpose: str, round_id: int, person_id: int, question_id: int = 0) -> str:
    """The key of a person's `answer`, `comment` or `respondent` row (hex); each purpose gives unrelated keys."""
    return _mac(secret, f"bravo-pulse:{purpose}:{round_id}:{question_id}:{person_id}").hex()


@dataclass(frozen=True)
class Ballot:
    """What a pulse button carries: the round, the question's position, the answer version its card showed, and
    the token (empty in a queued message: filled in when it is sent)."""

    round_id: int
    position: int
    version: int = 0
    token: str = ""

    def ref(self) -> str:
        """`round.position.version.token`, the value of the navigation and comment buttons."""
        return f"{self.round_id}.{self.position}.{self.version}.{self.token}"

    def answer(self, value: int) -> str:
        """`round.position.version.token:value`, the value of an answer button."""
        return f"{self.ref()}:{value}"


def _number(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 and int(text) < MAX_NUMBER else None


def parse_ballot(value: str) -> Ballot | None:
    """`12.0.1.token` -> Ballot; None for anything else, never an exception."""
    parts = value.strip().split(".")
    if len(parts) != 4 or not (parts[3] == "" or TOKEN_PATTERN.match(parts[3])):
        return None
    numbers = [_number(part) for part in parts[:3]]
    if any(number is None for number in numbers):
        return None
    round_id, position, version = (number or 0 for number in numbers)
    return Ballot(round_id, position, version, parts[3])


def parse_answer(value: str) -> tuple[Ballot, int] | None:
    """`12.0.1.token:4` -> (Ballot, 4); None for anything else."""
    ref, sep, answer = value.strip().rpartition(":")
    ballot = parse_ballot(ref) if sep else None
    chosen = _number(answer) if len(answer) <= 2 else None
    return (ballot, chosen) if ballot is not None and chosen is not None else None
