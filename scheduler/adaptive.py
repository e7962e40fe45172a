"""Finding a platform's real message rate: raise it while deliveries succeed, cut it when the platform says 429.

Slack and Teams do not publish the workspace-wide limit of `chat.postMessage` or of a bot in a tenant, and it differs
by workspace, so a fixed rate is either too slow (a configured 10/s against a Slack allowing 100/s) or collects
429s. This controller is the congestion control of TCP applied to a rate:

- *slow start*: until the first refusal the rate grows by a fixed share per delivered message, which doubles it
  every few messages and reaches a few hundred a second within a fraction of a second;
- *cut*: a refusal sets the rate to half of what it was (and remembers that rate as the `peak` where refusals start);
  refusals of messages sent before the cut are the same congestion seen late and cut nothing more;
- *recovery*: each delivered message closes a quarter of the gap to just under the peak, so the halving costs a few
  messages only;
- *probing*: near the peak the rate grows slowly (two per cent a second), then faster the longer nothing is
  refused, so a limit that was raised is found again, and a limit reached produces a refusal every few seconds at
  most.

Only messages that waited for their turn count as successes: a rate that was never used proves nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Moderate: within what every platform allows a bot for a few messages, and ten times faster to the top than 2.
START_RATE = 20.0
MIN_RATE = 0.5
MAX_RATE = 1000.0
SLOW_START_GAIN = 0.2
DECREASE = 0.5
RECOVERY_GAIN = 0.25
RECOVERED = 0.95
PROBE_PER_SECOND = 0.02
PROBE_DOUBLING_SECONDS = 5.0
PROBE_MAX_DOUBLINGS = 6.0


@dataclass
class AdaptiveRate:
    """One workspace's (or tenant's) allowed rate in messages per second, at most `ceiling` when it is set."""

    rate: float = START_RATE
    ceiling: float = 0.0
    peak: float = 0.0
    cut_at: float = -math.inf
    probing_since: float | None = None

    def __post_init__(self) -> None:
        self.rate = self._bounded(self.rate)

    def _bounded(self, rate: float) -> float:
        top = min(MAX_RATE, self.ceiling) if self.ceiling > 0 else MAX_RATE
        return max(MIN_RATE, min(rate, top))

    @property
    def interval(self) -> float:
        """Seconds between two messages at the current rate."""
        return 1.0 / self.rate

    def delivered(self, now: float) -> None:
        """A message that waited for its turn was accepted: the platform could take more."""
        if not self.peak:
            self.rate = self._bounded(self.rate * (1 + SLOW_START_GAIN))
            return
        target = self.peak * RECOVERED
        if self.rate < target:
            self.rate = self._bounded(self.rate + (target - self.rate) * RECOVERY_GAIN)
            return
        if self.probing_since is None:
            self.probing_since = now
        doublings = min(PROBE_MAX_DOUBLINGS, max(0.0, now - self.probing_since) / PROBE_DOUBLING_SECONDS)
        # `rate` messages a second, each adding this much, grow the rate by PROBE_PER_SECOND × 2^doublings a second.
        self.rate = self._bounded(self.rate + PROBE_PER_SECOND * 2**doublings)

    def refused(self, sent_at: float, now: float) -> bool:
        """The platform refused a message sent at `sent_at` (a 429): halve the rate, unless a cut since that message
        was sent already answered the same congestion. True when the rate was cut."""
        if sent_at <= self.cut_at:
            return False
        self.peak = self.rate
        self.rate = self._bounded(self.rate * DECREASE)
        self.cut_at = now
        self.probing_since = None
        return True
