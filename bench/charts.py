"""Chart rendering: each organisation digest chart drawn (matplotlib, Agg) and encoded as a palette PNG, for twelve
teams and every driver; budget 200 ms a chart. Timed after one warm-up (font cache, imports), in wall-clock time and
in CPU time (the CPU time stays meaningful when other processes share the cores)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from handlers.digest.org import CHARTS
from handlers.i18n import Translator
from tests.validators.catalogue_org import org_data

RUNS = 10
BUDGET_MS = 200.0


def measure(runs: int = RUNS) -> list[tuple[str, float, float, int]]:
    """(chart, median wall ms, median CPU ms, PNG bytes) for one chart, each of the four charts drawn alone."""
    t = Translator("en")
    data = org_data()
    figures = []
    for build in CHARTS:
        chart = build(t, data)
        assert chart is not None
        wall: list[float] = []
        cpu: list[float] = []
        for _ in range(runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            build(t, data)
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        figures.append((chart.name, statistics.median(wall), statistics.median(cpu), len(chart.data())))
    return figures


def report(figures: list[tuple[str, float, float, int]], out: Callable[[str], None]) -> None:
    out("| chart | median wall ms | median CPU ms | PNG bytes | within 200 ms (CPU) |")
    out("|---|---|---|---|---|")
    for name, wall, cpu, size in figures:
        out(f"| {name} | {wall:.0f} | {cpu:.0f} | {size:,} | {'yes' if cpu <= BUDGET_MS else 'NO'} |")
