"""Which organisation a request belongs to: from the request's host, never from user input.

Interface shared by the HTTP routes, the websocket states and the jobs. This first version
serves one organisation (``BALIE_ORGANISATION``) on every allowed host; the host table
replaces its body without changing the signatures.
"""

from __future__ import annotations

from balie.settings import get_settings


def normalised_host(raw: str) -> str:
    """A Host header value without port, lower case ('' when empty or malformed)."""
    host = raw.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else ""
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def organisation_slug_for_host(host: str) -> str | None:
    """The slug of the organisation served at ``host`` (already normalised); None if unknown."""
    settings = get_settings()
    if host not in settings.allowed_host_names():
        return None
    return settings.organisation
