"""Chart rendering: each chart the digests carry, drawn (matplotlib, Agg) and encoded as a palette PNG as a sender
draws it at delivery: the organisation digest's four (twelve teams, every driver, eNPS over six pulses) and a manager
digest's three (eNPS over six pulses, every driver with its previous measure, reward progress); budget 200 ms a
chart. Timed after one warm-up (font cache, imports), in wall-clock time and in CPU time (the CPU time stays
meaningful when other processes share the cores). Building a digest's charts (their numbers, what the digest run
queues) is timed too: it draws nothing."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from handlers.charts import render
from handlers.digest.org import CHARTS
from handlers.digest.pulse_charts import digest_charts
from handlers.i18n import Translator
from handlers.messages import Image
from tests.validators.catalogue import QUESTIONS, group, standing
from tests.validators.catalogue_org import org_data

RUNS = 10
BUDGET_MS = 200.0


def charts() -> list[tuple[str, Image]]:
    """(label, chart) for every chart measured."""
    t = Translator("en")
    data = org_data()
    found = []
    for build in CHARTS:
        chart = build(t, data)
        assert chart is not None
        found.append((f"org {chart.name}", chart))
    for chart in digest_charts(t, [(group(1, questions=QUESTIONS), standing(1, goal=True))]):
        found.append((f"manager {chart.name}", chart))
    return found


def _timed(action: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall-clock and CPU milliseconds of `runs` calls."""
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def measure(runs: int = RUNS) -> list[tuple[str, float, float, int]]:
    """(chart, median wall ms, median CPU ms, PNG bytes) for each chart drawn alone, uncached; then the numbers of a
    manager digest's charts built (what the digest run does for each digest)."""
    figures = []
    for name, chart in charts():
        assert chart.chart is not None
        spec = chart.chart
        size = len(chart.data())  # the warm-up
        wall, cpu = _timed(lambda spec=spec: render(spec), runs)  # type: ignore[misc]
        figures.append((name, wall, cpu, size))
    t = Translator("en")
    parts = [(group(1, questions=QUESTIONS), standing(1, goal=True))]
    wall, cpu = _timed(lambda: digest_charts(t, parts), runs)
    figures.append(("manager digest's charts built, not drawn (the run)", wall, cpu, 0))
    return figures


def report(figures: list[tuple[str, float, float, int]], out: Callable[[str], None]) -> None:
    out("| chart | median wall ms | median CPU ms | PNG bytes | within 200 ms (CPU) |")
    out("|---|---|---|---|---|")
    for name, wall, cpu, size in figures:
        out(f"| {name} | {wall:.1f} | {cpu:.1f} | {size:,} | {'yes' if cpu <= BUDGET_MS else 'NO'} |")
