"""A kill in the middle of a pulse fan-out and of a digest run: after the re-run or restart, each person has exactly
one pulse message and each manager exactly one digest. Once per engine in CI; `make soak` repeats each 10 times."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.soak.harness import ENGINES, SOAK, base_seed
from tests.soak.scheduled_crash import digest_crash, pulse_crash

SOAK_RUNS = 10
only_in_soak = pytest.mark.skipif(not SOAK, reason="heavy: `make soak` runs it (BRAVO_SOAK=1)")


@pytest.mark.parametrize("engine", ENGINES)
async def test_a_kill_during_a_pulse_fan_out_leaves_one_pulse_dm_each(engine: str, tmp_path: Path) -> None:
    await pulse_crash(engine, seed=base_seed(), folder=tmp_path)


@pytest.mark.parametrize("engine", ENGINES)
async def test_a_kill_during_a_digest_run_leaves_one_digest_per_manager(engine: str, tmp_path: Path) -> None:
    await digest_crash(engine, seed=base_seed(), folder=tmp_path)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.soak
@only_in_soak
async def test_ten_kills_during_pulse_fan_outs(engine: str, tmp_path: Path) -> None:
    seed = base_seed()
    for run in range(SOAK_RUNS):
        await pulse_crash(engine, seed=seed + run, folder=tmp_path, people=60, teams=6)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.soak
@only_in_soak
async def test_ten_kills_during_digest_runs(engine: str, tmp_path: Path) -> None:
    seed = base_seed()
    for run in range(SOAK_RUNS):
        await digest_crash(engine, seed=seed + run, folder=tmp_path, teams=40)
