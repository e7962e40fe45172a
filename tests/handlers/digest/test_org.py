"""The organisation digest: its numbers, its charts (real PNGs whose text alternatives carry the same numbers), and
hidden groups left empty, never drawn."""

from __future__ import annotations

import ast
import re
import struct
import subprocess
import sys
from dataclasses import replace
from io import BytesIO
from pathlib import Path

from PIL import Image as Picture

from handlers.charts import grid_figure
from handlers.digest.org import org_digest_card
from handlers.digest.org_data import GridRow, pulse_grid
from handlers.i18n import Translator
from handlers.messages import Card, TrendChart
from handlers.pulse.results import DriverResult, GroupResult, PulseReport
from tests.validators.catalogue import ZONE
from tests.validators.catalogue_org import WINDOW, org_data

ROOT = Path(__file__).resolve().parents[3]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def card(language: str = "en", **options: bool) -> Card:
    return org_digest_card(Translator(language), data=org_data(**options), window=WINDOW, zone=ZONE)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk, after checking the signature."""
    assert data[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def imported_names(path: Path) -> set[str]:
    """Every module and name a source file imports, split at dots (`matplotlib.pyplot` gives both parts)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(part for alias in node.names for part in alias.name.split("."))
        elif isinstance(node, ast.ImportFrom):
            names.update((node.module or "").split("."))
            names.update(alias.name for alias in node.names)
    return names


def numbers(text: str) -> list[str]:
    return re.findall(r"[+-]?\d+(?:\.\d+)?", text)


def test_the_digest_shows_participation_enps_recognition_plans_and_rewards() -> None:
    text = card().plain()
    assert "87 of 120 people answered (72%)" in text
    assert "+4 points since the previous pulse" in text
    assert "eNPS: +18 (-6 since the previous pulse)" in text
    assert "People recognised in the last 30 days: 301 of 480 (63%)." in text
    assert "Teams without kudos this month: Team 20, Team 21, Team 22, Team 23, Team 24 and Team 25." in text
    assert "Action plans: 9 started, 4 done." in text
    first, second = (item.team.name for item in org_data().reached if item.team is not None)
    assert f"Rewards reached: {first} and {second}." in text


def test_without_the_action_plans_feature_the_line_is_left_out_and_french_reads_french() -> None:
    text = card("fr", charts=False).plain()
    assert "Plans d'action" not in text
    assert "Bilan de l'organisation" in text
    assert "Personnes reconnues ces 30 derniers jours : 301 sur 480 (63 %)." in text


def test_every_chart_is_a_png_whose_text_alternative_has_the_digests_numbers() -> None:
    built = card()
    assert [chart.name for chart in built.images] == [
        "enps-trend.png",
        "drivers.png",
        "teams-drivers.png",
        "rewards.png",
    ]
    for chart in built.images:
        width, height = png_size(chart.data())
        assert 100 <= width <= 800 and 100 <= height <= 600
        picture = Picture.open(BytesIO(chart.data()))
        picture.load()  # decodes every pixel
        assert picture.size == (width, height) and len(picture.getcolors(256) or ()) > 2
    enps, drivers, grid, rewards = (chart.alt for chart in built.images)
    text = built.plain()
    assert enps in text.splitlines()  # the digest's own line: the six measures with their days
    assert enps.startswith("eNPS over the last 6 pulses: -10 (") and enps.count("→") == 5
    assert enps.endswith("+24 (Nov 4, 2026) → +18 (Nov 18, 2026)")
    trend = built.images[0].chart
    assert isinstance(trend, TrendChart) and [value for _, value in trend.points] == [-10, 0, 5, 12, 24, 18]
    for field in re.findall(r"^(\w[\w ]*): (\d\.\d/10 \([+-]\d\.\d\))$", text, re.MULTILINE):
        assert f"{field[0]} {field[1]}" in drivers
    for line in text.splitlines():
        if line.startswith("Team 2:") or line.startswith("Team 5:"):
            assert line in grid
    assert "Team 4: hidden (too few answers)" in grid and "Team 3: pulse still open" in grid
    assert numbers(rewards)[-2:] == ["700", "300"]  # the seventh team: 700 of 300 points


def test_without_a_history_the_enps_chart_shows_the_previous_and_the_latest_pulse() -> None:
    data = replace(org_data(), enps_measures=())
    built = org_digest_card(Translator("en"), data=data, window=WINDOW, zone=ZONE)
    assert built.images[0].alt == "eNPS trend: previous pulse +24, latest pulse +18."
    assert "eNPS over the last" not in built.plain()


def test_a_digest_with_nothing_to_chart_has_no_chart() -> None:
    assert card(charts=False).images == ()


def test_hidden_and_open_groups_have_no_scores_in_the_grid() -> None:
    drivers = (DriverResult("purpose", 7.0, 9, None), DriverResult("goals", 6.0, 9, 0.5))
    shown = GroupResult(
        team_id=1, name="Engineering", hidden=False, closed=True, invited=9, answered=9, drivers=drivers
    )
    hidden = GroupResult(team_id=2, name="Sales", hidden=True)
    still_open = GroupResult(team_id=3, name="Product", hidden=False, closed=False, drivers=drivers)
    report = PulseReport(teams=(shown, hidden, still_open), organisation=shown, threshold=5)
    rows, columns = pulse_grid(report)
    assert columns == ("purpose", "goals")
    assert rows == (
        GridRow("Engineering", {"purpose": 7.0, "goals": 6.0}),
        GridRow("Sales", {}),
        GridRow("Product", {}, open=True),
    )


def test_a_hidden_cell_is_masked_and_carries_no_number() -> None:
    figure = grid_figure("grid", ["Shown", "Hidden"], ["Purpose", "Goals"], [[7.0, None], [None, None]])
    axes = figure.axes[0]
    mask = axes.images[0].get_array().mask  # type: ignore[union-attr]
    assert mask.tolist() == [[False, True], [True, True]]
    assert [text.get_text() for text in axes.texts] == ["7.0"]


def test_the_server_never_imports_pyplot() -> None:
    sources = [
        path for package in ("bot", "handlers", "scheduler", "storage") for path in (ROOT / package).rglob("*.py")
    ]
    assert [str(path) for path in sources if "pyplot" in imported_names(path)] == []
    script = (
        "import sys\n"
        "from tests.validators.catalogue_org import org_cards\n"
        "import bot.__main__, bot.teams.render, bot.slack.sender, bot.console.render\n"
        "assert org_cards('en')[0][1].images\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
        "import matplotlib\n"
        "assert matplotlib.get_backend().lower() != 'tkagg'\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True)
