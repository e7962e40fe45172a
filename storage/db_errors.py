"""One line saying why the configured database cannot be used, and what to do about it, instead of a traceback.

The causes an operator meets on a first start (a database not created yet, a wrong password, a server not running,
a folder that does not exist) are recognised by their PostgreSQL error code or the system error underneath, so the
line names the database and the host, never the password.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.engine import URL

MISSING_DATABASE = "3D000"  # invalid_catalog_name
LOGIN_REFUSED = frozenset({"28P01", "28000"})  # invalid_password, invalid_authorization_specification


class DatabaseUnavailable(Exception):
    """The configured database cannot be used; the message says why and what to do, in one line."""


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, the driver error SQLAlchemy wraps, and their causes."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending.extend((getattr(current, "orig", None), current.__cause__, current.__context__))


def _where(url: URL) -> str:
    return f"{url.host or 'localhost'}:{url.port or 5432}"


def describe(error: BaseException, url: URL) -> str:
    """What went wrong with the database at `url`, in one line (no password, no traceback)."""
    chain = list(_chain(error))
    states = {getattr(item, "sqlstate", None) or getattr(item, "pgcode", None) for item in chain}
    name = url.database or ""
    if url.get_backend_name() == "sqlite":
        return f"cannot open the SQLite database {name}: {_first_line(error)}"
    if MISSING_DATABASE in states:
        user = f" -U {url.username}" if url.username else ""
        return (
            f"database {name} does not exist on {_where(url)}; "
            f"create it with: createdb -h {url.host or 'localhost'} -p {url.port or 5432}{user} {name}"
        )
    if states & LOGIN_REFUSED:
        return f"the database server at {_where(url)} refused user {url.username}: check DATABASE_URL"
    for item in chain:
        if isinstance(item, OSError):
            reason = item.strerror or str(item) or type(item).__name__
            return f"cannot reach the database at {_where(url)}: {reason}"
    return f"database error on {_where(url)}: {_first_line(error)}"


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__
