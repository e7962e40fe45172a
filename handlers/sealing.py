"""Sealing with the server's secret key: values only code holding `BRAVO_SECRET_KEY` can open or recompute.

The key never reaches the database, so whoever reads the database (a backup, an admin, a leaked file) sees sealed
values as noise: a seal is encrypted and authenticated (AES-GCM, a fresh nonce each time, so two seals of one value
differ), and a keyed digest (HMAC-SHA256) cannot be recomputed from a guess without the key. Each use names its
`purpose`, which goes into the key derivation, so a value sealed for one use never opens for another.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
SEALED_PERSON = "outbox-person"
SEALED_PAYLOAD = "outbox-payload"


def _key(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), f"bravo-pulse-seal:{purpose}".encode(), hashlib.sha256).digest()


def seal(secret: str, purpose: str, plaintext: str) -> str:
    """Encrypt with a key derived from `BRAVO_SECRET_KEY`; a fresh nonce makes two seals of one value differ."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(_key(secret, purpose)).encrypt(nonce, plaintext.encode(), purpose.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def unseal(secret: str, purpose: str, sealed: str) -> str | None:
    """The sealed value, or None when it was not sealed with this key and purpose (or is not a seal at all)."""
    if not secret or not sealed:
        return None
    try:
        raw = base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4))
        if len(raw) <= NONCE_BYTES:
            return None
        plain = AESGCM(_key(secret, purpose)).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode())
        return plain.decode()
    except (InvalidTag, ValueError, binascii.Error, UnicodeDecodeError):
        return None


def keyed_digest(secret: str, purpose: str, value: str) -> str:
    """A stable stand-in for `value` (hex), equal for equal values, that nobody without the key can recompute: an
    idempotency key built from a comment's id, say, without the id being readable or guessable from it."""
    return hmac.new(_key(secret, purpose), value.encode(), hashlib.sha256).hexdigest()


def seal_person(secret: str, person_id: int) -> str:
    """A delivery's recipient as only the sending code can read it (`storage.models.OutboxMessage.sealed_to`)."""
    return seal(secret, SEALED_PERSON, str(person_id))


def open_person(secret: str, sealed: str) -> int | None:
    """The person a sealed destination names; None when it does not open with this key (rotated, lost, forged)."""
    opened = unseal(secret, SEALED_PERSON, sealed)
    return int(opened) if opened is not None and opened.isdigit() else None


def seal_payload(secret: str, payload: str) -> str:
    """A sealed delivery's card (JSON), unreadable in the outbox: its language alone would narrow the recipient."""
    return seal(secret, SEALED_PAYLOAD, payload)


def open_payload(secret: str, sealed: str) -> str | None:
    return unseal(secret, SEALED_PAYLOAD, sealed)
