"""Charts in the terminal: each PNG is saved under `data/charts/` and the card shows its path and text alternative."""

from __future__ import annotations

import hashlib
from pathlib import Path

from handlers.messages import Image

CHARTS_DIR = Path("data") / "charts"


def save_chart(chart: Image, directory: Path = CHARTS_DIR) -> Path:
    """Write the chart once (named after its content, so a chart shown twice is one file) and return its path."""
    data = chart.data()
    path = directory / f"{hashlib.sha256(data).hexdigest()[:12]}-{chart.name}"
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return path


def chart_lines(charts: tuple[Image, ...], directory: Path = CHARTS_DIR) -> list[str]:
    """`[chart] data/charts/…png` then the chart's text alternative, for each chart."""
    lines: list[str] = []
    for chart in charts:
        lines.append(f"  [{chart.title}] {save_chart(chart, directory)}")
        lines.append(f"  {chart.alt}")
    return lines
