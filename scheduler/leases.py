"""Who holds an outbox lease, and whether that process is certainly gone, so a restart resumes its deliveries at once.

A lease keeps a second worker away from a delivery in flight. When the process holding it is killed, the lease would
hold its rows until it runs out (minutes). The owner id names the machine, the process namespace, the pid and the
process's start time, so a worker on the same machine and namespace can tell for certain that the holder is dead:
its pid is gone, is a zombie, or now belongs to a process started at another moment. Anything it cannot tell for
certain (another machine, another container) is left to the lease's expiry.
"""

from __future__ import annotations

import functools
import os
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
SEPARATOR = "|"


@dataclass(frozen=True)
class LeaseOwner:
    host: str
    namespace: str
    pid: int
    started: str

    def __str__(self) -> str:
        return SEPARATOR.join((self.host, self.namespace, str(self.pid), self.started))

    @property
    def scope(self) -> str:
        """The prefix shared by every owner this process can judge: same machine, same process namespace."""
        return SEPARATOR.join((self.host, self.namespace)) + SEPARATOR

    @classmethod
    def parse(cls, text: str) -> LeaseOwner | None:
        parts = text.split(SEPARATOR)
        if len(parts) != 4 or not parts[2].isdigit():
            return None
        return cls(host=parts[0], namespace=parts[1], pid=int(parts[2]), started=parts[3])


def _stat(pid: int) -> tuple[str, str] | None:
    """(state, start time in clock ticks since boot) from /proc, or None when there is no such process."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) ": state is field 3, starttime field 22
    return fields[0], fields[19]


def _namespace() -> str:
    try:
        return os.readlink(PROC / "self" / "ns" / "pid")[:40]
    except OSError:
        return "-"


def this_process() -> LeaseOwner:
    """This process's owner id; without /proc its start is a random token (pid reuse then goes undetected)."""
    return _identity(os.getpid())


@functools.cache
def _identity(pid: int) -> LeaseOwner:
    found = owner_of(pid)
    if found is not None:
        return found
    return LeaseOwner(host=_host(), namespace=_namespace(), pid=pid, started=uuid.uuid4().hex[:12])


def owner_of(pid: int) -> LeaseOwner | None:
    """The owner id of a running process of this machine's namespace (None without /proc or such a process)."""
    stat = _stat(pid) if PROC.is_dir() else None
    if stat is None:
        return None
    return LeaseOwner(host=_host(), namespace=_namespace(), pid=pid, started=stat[1])


def _host() -> str:
    return socket.gethostname()[:120]


def is_gone(owner: LeaseOwner, me: LeaseOwner | None = None) -> bool:
    """True only when `owner` is certainly not running: then its leases can be ended early."""
    me = me or this_process()
    if owner.scope != me.scope or owner == me:
        return False
    if owner.pid == me.pid:
        return True  # our pid, another start: an earlier life of this process slot
    if PROC.is_dir():
        stat = _stat(owner.pid)
        return stat is None or stat[0] in ("Z", "X") or stat[1] != owner.started
    try:
        os.kill(owner.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
