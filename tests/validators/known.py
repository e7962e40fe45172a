"""Known failures, marked so the suite stays green today and turns red, to be unmarked, once each is fixed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pytest


def with_known_failures(names: Iterable[str], known: Mapping[str, str]) -> list[Any]:
    """Test parameters named after the cards; those whose name is a known prefix (followed by nothing or by `.`,
    e.g. a language) are marked `xfail(strict=True)` with the reason, so an unexpected pass fails the suite."""
    params: list[Any] = []
    for name in names:
        reason = next((why for prefix, why in known.items() if name == prefix or name.startswith(prefix + ".")), None)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(name, marks=marks, id=name))
    return params
