"""Every test file the README and docs/ name as the proof of a promise exists: a renamed or deleted test must not
leave a promise pointing at nothing."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
NAMED_TEST = re.compile(r"`(tests/[A-Za-z0-9_/]+\.py)`")


def test_every_test_a_document_names_exists() -> None:
    named = {(document.name, path) for document in DOCUMENTS for path in NAMED_TEST.findall(document.read_text())}
    assert len(named) >= 10, "the anonymity promises name their tests"
    missing = sorted(f"{document}: {path}" for document, path in named if not (ROOT / path).is_file())
    assert missing == []
