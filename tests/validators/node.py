"""Microsoft's validators (Node's `adaptivecards` and `@microsoft/app-manifest`) from pytest, one process per session.

`validate.mjs` runs as one long-lived `node` process, started on first use and fed one JSON line per card, so a test
can check hundreds of cards in well under a second. Its packages come from the committed `package-lock.json`:
`npm ci` runs here once when `node_modules` is missing or older than the lock file (`make test` may run it first:
`npm ci --prefix tests/validators`). Where Node or npm is missing, or `npm ci` fails, every test that asks for a
verdict is skipped with the reason, never passed; with `BRAVO_REQUIRE_NODE=1` (CI on a machine with Node) it fails.
"""

from __future__ import annotations

import atexit
import fcntl
import json
import os
import queue
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "validate.mjs"
LOCK_FILE = HERE / "package-lock.json"
INSTALLED = HERE / "node_modules" / ".package-lock.json"
REQUIRE_NODE = os.environ.get("BRAVO_REQUIRE_NODE") == "1"
INSTALL_SECONDS = 600
ANSWER_SECONDS = 60


@dataclass(frozen=True)
class Verdict:
    """What Microsoft's library said of one card or manifest."""

    ok: bool
    errors: tuple[str, ...]
    warnings: tuple[str, ...]


class NodeUnavailable(Exception):
    """Node, npm or the packages cannot be had here: the tests that need them skip (or fail where required)."""


def install_problem() -> str | None:
    """Why the validators cannot run here, after installing them if needed; None when they can."""
    if shutil.which("node") is None:
        return "node is not installed (the Teams card and manifest validators run on Node)"
    if _installed():
        return None
    npm = shutil.which("npm")
    if npm is None:
        return "npm is not installed, so the validators' packages cannot be installed"
    with open(HERE / ".npm-ci.lock", "w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)  # parallel test runs install once
        if _installed():
            return None
        command = [npm, "ci", "--no-audit", "--no-fund", "--prefix", str(HERE)]
        try:
            done = subprocess.run(command, cwd=HERE, capture_output=True, text=True, timeout=INSTALL_SECONDS)
        except subprocess.TimeoutExpired:
            return f"`{' '.join(command)}` did not finish in {INSTALL_SECONDS} s"
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
            return f"`npm ci` in {HERE} failed ({done.returncode}): {' / '.join(tail)}"
    return None if _installed() else f"`npm ci` in {HERE} left no node_modules"


def _installed() -> bool:
    return INSTALLED.exists() and INSTALLED.stat().st_mtime >= LOCK_FILE.stat().st_mtime


class NodeValidators:
    """The `validate.mjs` process: one request line in, one result line out, in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process = subprocess.Popen(
            ["node", str(SCRIPT)],
            cwd=HERE,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.versions = self.ask({"kind": "versions"})["versions"]

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._lines.put(line)
        self._lines.put("")

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        """Send one request and wait for its answer; a dead or silent process is an error, not a pass."""
        with self._lock:
            assert self._process.stdin is not None
            try:
                self._process.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
                self._process.stdin.flush()
                line = self._lines.get(timeout=ANSWER_SECONDS)
            except (BrokenPipeError, queue.Empty) as error:
                raise RuntimeError(f"validate.mjs did not answer: {error!r} {self._stderr()}") from error
            if not line:
                raise RuntimeError(f"validate.mjs stopped: {self._stderr()}")
            answer: dict[str, Any] = json.loads(line)
            return answer

    def _stderr(self) -> str:
        if self._process.poll() is None or self._process.stderr is None:
            return ""
        return self._process.stderr.read()[-2000:]

    def verdict(self, request: dict[str, Any]) -> Verdict:
        answer = self.ask(request)
        return Verdict(ok=answer["ok"], errors=tuple(answer["errors"]), warnings=tuple(answer["warnings"]))

    def close(self) -> None:
        if self._process.poll() is None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()


_shared: NodeValidators | None = None
_unavailable: str | None = None
_start_lock = threading.Lock()


def shared() -> NodeValidators:
    """The session's validator process, started (and its packages installed) on first use.

    Skips the calling test with the reason when Node cannot run here; fails it instead under BRAVO_REQUIRE_NODE=1.
    """
    global _shared, _unavailable
    with _start_lock:
        if _shared is None and _unavailable is None:
            _unavailable = install_problem()
            if _unavailable is None:
                _shared = NodeValidators()
                atexit.register(_shared.close)
    if _shared is None:
        reason = f"Teams validators unavailable: {_unavailable}"
        if REQUIRE_NODE:
            pytest.fail(f"{reason} (BRAVO_REQUIRE_NODE=1)")
        pytest.skip(reason)
    return _shared


def card_verdict(card: dict[str, Any]) -> Verdict:
    """An Adaptive Card (the attachment's `content`) judged by `adaptivecards` with the Teams host configuration."""
    return shared().verdict({"kind": "card", "card": card})


def manifest_verdict(manifest: dict[str, Any]) -> Verdict:
    """A Teams app manifest or localisation file judged against the schema it names."""
    return shared().verdict({"kind": "manifest", "manifest": manifest})


def teams_problems(card: dict[str, Any]) -> list[str]:
    """The card's errors, empty when Teams would show it whole (for `assert not teams_problems(card)`)."""
    return list(card_verdict(card).errors)
