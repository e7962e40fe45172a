"""Bot Connector failures translated into Bravo's delivery errors: what to retry, when, and what to give up on."""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.sending import DeliveryError

PERMANENT_STATUSES = frozenset({400, 403, 404, 405, 410, 413})
# The Bot Connector refused Bravo's token: the app password was rotated or revoked. Held, not failed.
CREDENTIALS_REFUSED = 401
DEFAULT_THROTTLE_SECONDS = 2.0


@dataclass(frozen=True)
class ConnectorFailure:
    status: int | None
    code: str
    retry_after: float | None


def connector_failure(error: BaseException) -> ConnectorFailure | None:
    """Status, error code and Retry-After of a failed connector call (msrest `HttpOperationError`), else None."""
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None) if response is not None else None
    if status is None:
        return None
    headers = getattr(response, "headers", None) or {}
    retry_after: float | None = None
    try:
        raw = headers.get("Retry-After")
        retry_after = float(raw) if raw is not None else None
    except (TypeError, ValueError):
        retry_after = None
    details = getattr(getattr(error, "error", None), "error", None)
    code = str(getattr(details, "code", "") or "")
    return ConnectorFailure(status=int(status), code=code, retry_after=retry_after)


class ConversationGone(DeliveryError):
    """Teams no longer knows the conversation (404): a stored 1:1 chat may be recreated."""


def delivery_error(error: BaseException) -> DeliveryError:
    """429 and 5xx are retried (honouring Retry-After); a blocked or unknown conversation is given up on; refused
    credentials hold the message until `bravo outbox retry`."""
    if isinstance(error, PermissionError):  # botframework: Azure refused the app id and password for a token
        return DeliveryError(f"Teams credentials refused: {error}"[:300], permanent=False, held=True)
    failure = connector_failure(error)
    if failure is None:
        return DeliveryError(f"Teams unreachable: {error!r}"[:300], permanent=False)
    reason = f"Teams answered {failure.status} {failure.code}".strip()
    if failure.status == 429:
        return DeliveryError(reason, permanent=False, retry_after=failure.retry_after or DEFAULT_THROTTLE_SECONDS)
    if failure.status == CREDENTIALS_REFUSED:
        return DeliveryError(reason, permanent=False, held=True)
    if failure.status == 404:
        return ConversationGone(reason, permanent=True)
    return DeliveryError(reason, permanent=failure.status in PERMANENT_STATUSES, retry_after=failure.retry_after)
