"""Finding a platform's real message rate: raise it while deliveries succeed, cut it when the platform says 429.

Slack and Teams do not publish the workspace-wide limit of `chat.postMessage` or of a bot in a tenant, and it differs
by workspace, so a fixed rate is either too slow (a configured 10/s against a Slack allowing 100/s) or collects
429s. This controller is the congestion control of TCP applied to a rate:

- *slow start*: until the first refusal the rate grows by a fixed share per delivered message, which doubles it
  every few messages and reaches a few hundred a second within a fraction of a second;
- *the refused rate*: a 429 answers a message sent a moment ago, when the rate may have been lower than now (slow
  start goes on while the answer travels), so the rate remembered as the `peak` where refusals start is the one the
  refused message left at, not the current one;
- *cut*: the first refusal halves that rate (slow start overshoots by an unknown amount); once the limit is
  bracketed, a refusal takes the rate to a little under the refused rate (15 % less) instead of halving it again: a
  chance 429 (a clump of requests from a busy machine) costs a few messages, and a limit that really fell is followed
  within a few refusals, since each cut goes below the rate just refused. An isolated refusal below the peak (none
  in the two seconds before) is taken for jitter: it cuts the rate but leaves the peak, so the rate climbs straight
  back; a second one soon after lowers the peak too. Refusals of messages sent before the cut are the same
  congestion seen late and cut nothing more;
- *recovery*: each delivered message closes a quarter of the gap to just under the peak, so a cut costs a few
  messages only;
- *probing*: near the peak the rate grows slowly (two per cent a second), then faster the longer nothing is
  refused, so a limit that was raised is found again, and a limit reached produces a refusal every few seconds at
  most.

Only messages that waited for their turn count as successes: a rate that was never used proves nothing.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

# Moderate: within what every platform allows a bot for a few messages, and ten times faster to the top than 2.
START_RATE = 20.0
MIN_RATE = 0.5
MAX_RATE = 1000.0
SLOW_START_GAIN = 0.2
DECREASE = 0.5
# Once the limit is bracketed (after the first refusal): where a refusal takes the rate, relative to the refused one.
BRACKETED_DECREASE = 0.85
# A refusal more than this long after the last cut, below the peak, is taken for jitter (a clump of requests from a
# busy machine): it cuts the rate but leaves the peak where it was, so the rate climbs straight back. A second one
# within this time means the limit really is lower.
ISOLATED_SECONDS = 2.0
# How long the rates of the recent past are kept, to know the rate a refused message left at (its answer's delay).
HISTORY_SECONDS = 10.0
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
    # (since when, rate) for each rate of the last HISTORY_SECONDS, oldest first.
    history: deque[tuple[float, float]] = field(default_factory=deque)

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
            self._set(self.rate * (1 + SLOW_START_GAIN), now)
            return
        target = self.peak * RECOVERED
        if self.rate < target:
            self._set(self.rate + (target - self.rate) * RECOVERY_GAIN, now)
            return
        if self.probing_since is None:
            self.probing_since = now
        doublings = min(PROBE_MAX_DOUBLINGS, max(0.0, now - self.probing_since) / PROBE_DOUBLING_SECONDS)
        # `rate` messages a second, each adding this much, grow the rate by PROBE_PER_SECOND × 2^doublings a second.
        self._set(self.rate + PROBE_PER_SECOND * 2**doublings, now)

    def refused(self, sent_at: float, now: float) -> bool:
        """The platform refused a message sent at `sent_at` (a 429): cut the rate under the one that message left
        at, unless a cut since it was sent already answered the same congestion. True when the rate was cut."""
        if sent_at <= self.cut_at:
            return False
        refused_rate = min(self.rate_at(sent_at), self.rate) if self.peak else self.rate_at(sent_at)
        decrease = BRACKETED_DECREASE if self.peak else DECREASE
        isolated = self.peak > refused_rate and now - self.cut_at > ISOLATED_SECONDS
        self.peak = self.peak if isolated else refused_rate
        self._set(min(self.rate, refused_rate * decrease), now)
        self.cut_at = now
        self.probing_since = None
        return True

    def rate_at(self, when: float) -> float:
        """The rate messages left at, at monotonic time `when` (the current one when the history does not go back
        that far)."""
        found = self.rate
        for since, rate in reversed(self.history):
            found = rate
            if since <= when:
                break
        return found

    def _set(self, rate: float, now: float) -> None:
        """Change the rate from `now` on, remembering the one it replaces for `rate_at`."""
        if not self.history:
            self.history.append((-math.inf, self.rate))
        self.rate = self._bounded(rate)
        self.history.append((now, self.rate))
        while len(self.history) > 1 and self.history[1][0] < now - HISTORY_SECONDS:
            self.history.popleft()
