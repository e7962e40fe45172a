"""Kill Bravo (SIGKILL) while kudos (slash commands and reactions) pour in over HTTP, restart it: no kudos lost,
doubled or half-written, and every notification delivered exactly once. A short run per engine in CI; `make soak`
repeats 1,000 requests 10 times."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.soak.harness import ENGINES, SOAK, base_seed, log
from tests.soak.kudos_crash import kudos_crash

CI_REQUESTS = 200
# Fewer people in CI: less to set up (their pulse DMs, their Teams installs), more kudos per person.
CI_PEOPLE = 60
SOAK_REQUESTS = 1000
SOAK_RUNS = 10


@pytest.mark.parametrize("engine", ENGINES)
async def test_a_kill_under_load_loses_and_doubles_nothing(engine: str, tmp_path: Path) -> None:
    await kudos_crash(engine, requests=CI_REQUESTS, seed=base_seed(), folder=tmp_path, people=CI_PEOPLE)


@pytest.mark.soak
@pytest.mark.skipif(not SOAK, reason="heavy: `make soak` runs it (BRAVO_SOAK=1)")
@pytest.mark.parametrize("engine", ENGINES)
async def test_ten_kills_in_a_row_under_load_lose_and_double_nothing(engine: str, tmp_path: Path) -> None:
    """Every run is made, failed or not, so the summary says how many of the ten passed (and which seeds failed)."""
    seed = base_seed()
    failures: list[str] = []
    for run in range(SOAK_RUNS):
        try:
            await kudos_crash(engine, requests=SOAK_REQUESTS, seed=seed + run, folder=tmp_path / f"run{run}")
        except AssertionError as error:
            failures.append(str(error)[:3000])
            log(f"{engine}: run {run + 1} FAILED (BRAVO_SOAK_SEED={seed + run}): {str(error)[:300]}")
    log(f"{engine}: {SOAK_RUNS - len(failures)}/{SOAK_RUNS} runs passed")
    assert not failures, "\n\n".join(failures)
