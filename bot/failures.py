"""What a failed Bot Connector call tells: its status, error code and Retry-After, and
whether retrying can help. The errors `Outbound` raises.

botbuilder raises msrest's errors for connector calls (bot/outbound.py says which); this
module reads them so nothing else has to.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import aiohttp
from azure.core.exceptions import DeserializationError  # what msrest 0.7 raises as its own
from msrest.exceptions import ClientRequestError, HttpOperationError

# A Retry-After beyond this is taken as this (a bogus header must not park a sender for hours).
MAX_RETRY_AFTER_S = 300.0

UNREACHABLE = frozenset({403, 404})
RETRYABLE = frozenset({408, 412, 429})
# Teams' answer to updating a message it cannot find: not the conversation's fault; the caller
# posts a fresh message instead (msteams-docs#6139).
ACTIVITY_NOT_FOUND = "ActivityNotFoundInConversation"


class OutboundError(Exception):
    """A send that did not happen."""

    def __init__(self, message: str, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class ConversationUnreachable(OutboundError):
    """403 or 404: the bot may no longer post there (removed, blocked, conversation gone).
    Not retried; the caller marks the conversation unreachable and stops sending to it."""

    status: int

    def __init__(self, status: int, code: str | None = None) -> None:
        super().__init__(
            f"conversation unreachable: HTTP {status} {code or ''}".strip(), status, code
        )


class ActivityNotFound(OutboundError):
    """`update` of a message Teams cannot find; post a new one instead."""

    def __init__(self, status: int, code: str | None = None) -> None:
        super().__init__(f"activity not found: HTTP {status} {code or ''}".strip(), status, code)


class DeliveryFailed(OutboundError):
    """Gave up: attempts ran out on retryable failures, or the failure cannot be retried."""

    def __init__(self, status: int | None, code: str | None, attempts: int) -> None:
        what = f"HTTP {status}" if status is not None else "no HTTP answer"
        super().__init__(f"delivery failed after {attempts} attempt(s): {what}", status, code)
        self.attempts = attempts


@dataclass(frozen=True)
class Failure:
    """What a failed connector call tells about retrying. `status` None = no HTTP answer."""

    status: int | None
    code: str | None = None
    retry_after: float | None = None


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _header(headers: object, name: str) -> str | None:
    """A header from requests' or aiohttp's (case-insensitive) headers or a plain mapping."""
    if not isinstance(headers, Mapping):
        return None
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if str(k).lower() == name.lower()), None)
    return value if isinstance(value, str) else None


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After value: delta-seconds ("3", also "1.5") or an HTTP date."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


def _error_code(error: BaseException, response: object) -> str | None:
    # msrest deserialised the body into botbuilder's ErrorResponse: error.error.error.code.
    body = getattr(error, "error", None)
    code = getattr(getattr(body, "error", None), "code", None)
    if isinstance(code, str) and code:
        return code
    text = getattr(response, "text", None)  # requests.Response
    if isinstance(text, str) and text:
        try:
            parsed = json.loads(text)
        except ValueError:
            return None
        inner = parsed.get("error") if isinstance(parsed, dict) else None
        code = inner.get("code") if isinstance(inner, dict) else None
        return code if isinstance(code, str) and code else None
    return None


def failure_of(error: BaseException) -> Failure | None:
    """Status, error code and Retry-After of a failed connector call, or None when `error`
    is not a failed call at all (a bug: not to be retried).

    botbuilder raises `ErrorResponseException` (an msrest `HttpOperationError`) for a non-2xx
    answer; its `.response` is the transport's response: `requests.Response` (status_code,
    headers) with the default pipeline, aiohttp's `ClientResponse` (status, headers) with an
    aiohttp one. A call that got no answer raises msrest's `ClientRequestError` (wrapping the
    requests error). An error answer whose body is not JSON (an HTML page from a gateway)
    raises msrest's `DeserializationError`, which carries no status at all: it is taken as
    transient. aiohttp's own errors and timeouts may appear with other pipelines."""
    response = getattr(error, "response", None)
    if isinstance(error, HttpOperationError) or response is not None:
        status = _int_or_none(getattr(response, "status_code", None))
        if status is None:
            status = _int_or_none(getattr(response, "status", None))
        if status is not None:
            headers = getattr(response, "headers", None)
            return Failure(
                status,
                _error_code(error, response),
                parse_retry_after(_header(headers, "Retry-After")),
            )
    if isinstance(error, aiohttp.ClientResponseError):  # carries status and headers itself
        headers = error.headers
        return Failure(error.status, None, parse_retry_after(_header(headers, "Retry-After")))
    if isinstance(error, DeserializationError):
        # An answer whose body is neither JSON nor XML (a gateway's HTML error page, say)
        # fails in msrest's body parsing before the status is looked at: the status is lost.
        return Failure(None)
    if isinstance(
        error,
        ClientRequestError | HttpOperationError | aiohttp.ClientError | TimeoutError | OSError,
    ):
        return Failure(None)
    return None


def is_retryable(failure: Failure) -> bool:
    status = failure.status
    return status is None or status in RETRYABLE or status >= 500
