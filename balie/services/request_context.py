"""The id of the request (or job) being handled, for log lines and the jobs it enqueues."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar, Token

_REQUEST_ID: ContextVar[str | None] = ContextVar("balie_request_id", default=None)
_SAFE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def current_request_id() -> str | None:
    """The request id of the work in progress, if any."""
    return _REQUEST_ID.get()


def accept_request_id(candidate: str | None) -> str:
    """The caller's X-Request-ID when it is short and plain, else a new one."""
    if candidate and _SAFE.match(candidate):
        return candidate
    return uuid.uuid4().hex


def set_request_id(value: str | None) -> Token:
    """Make ``value`` the current request id; returns the token to reset it."""
    return _REQUEST_ID.set(value)


def reset_request_id(token: Token) -> None:
    """Restore the request id that was current before ``set_request_id``."""
    _REQUEST_ID.reset(token)
