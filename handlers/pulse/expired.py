"""What a pulse's buttons say once they no longer verify: the secret key changed (rotated or lost) since the pulse
was sent, so its ballot tokens cannot be recomputed and the tap is refused, in the person's language.

A changed key never makes answers readable: it only means that open pulses can no longer be answered. The tap
handler shows this (translated with the reader's `t`) instead of an error.
"""

from __future__ import annotations

from handlers.errors import _

__all__ = ["NO_LONGER_ANSWERABLE"]

NO_LONGER_ANSWERABLE = _(
    "This pulse can no longer be answered: Bravo's secret key has changed since it was sent. "
    "What you answered before stays anonymous; the next pulse will work as usual."
)
