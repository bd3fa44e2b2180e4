"""Video meetings behind one interface; Jitsi Meet is the default provider (no account needed)."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from balie.settings import Settings

# Never change: existing appointments would get new transaction ids (and duplicate meetings).
TRANSACTION_NAMESPACE = uuid.UUID("5d7c1e0a-3b59-4f0e-9d2a-6c8b4e1f7a30")


def transaction_id_for(reference: str) -> str:
    """The provider's idempotency key of an appointment: the same UUID for the same reference."""
    return str(uuid.uuid5(TRANSACTION_NAMESPACE, reference))


@dataclass(frozen=True)
class MeetingRequest:
    """What a provider needs to know to make or move a meeting for an appointment."""

    reference: str
    subject: str
    start: datetime | None = None  # aware UTC
    end: datetime | None = None  # aware UTC
    body: str = ""  # plain text for the staff member's calendar item
    organiser: str = ""  # mailbox / Entra object id of the organiser ("" = provider default)
    transaction_id: str = ""  # stable per appointment: a retried create never makes a second one


@dataclass(frozen=True)
class Meeting:
    """A meeting as the provider made it."""

    provider: str
    external_id: str
    join_url: str


class MeetingError(Exception):
    """A provider call that did not succeed.

    ``retryable`` says whether trying again later can help (throttling, outages, time-outs);
    ``retry_after`` is the provider's own advice in seconds, when it gave one; ``code`` is the
    provider's error code (e.g. Graph's ``ErrorAccessDenied``) for the record.
    """

    def __init__(
        self, message: str, *, retryable: bool, retry_after: float | None = None, code: str = ""
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.code = code


class MeetingProvider(Protocol):
    """Makes, moves and cancels video meetings."""

    name: str

    def create(self, request: MeetingRequest) -> Meeting:
        """Make a meeting and return its join link (raises MeetingError)."""
        ...

    def update(self, external_id: str, request: MeetingRequest) -> None:
        """Move the meeting to ``request.start``/``end``; the join link stays the same."""
        ...

    def cancel(self, external_id: str, request: MeetingRequest) -> None:
        """Cancel the meeting so its link is no longer offered."""
        ...


class JitsiProvider:
    """Jitsi Meet rooms: an unguessable room name on a (configurable) Jitsi server.

    Rooms exist as soon as someone opens the link, so moving or cancelling needs no call.
    """

    name = "jitsi"

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def create(self, request: MeetingRequest) -> Meeting:
        """A new room with 128 bits of randomness in its name."""
        room = f"DigitaleBalie-{secrets.token_urlsafe(16)}"
        return Meeting(provider=self.name, external_id=room, join_url=f"{self.base_url}/{room}")

    def update(self, external_id: str, request: MeetingRequest) -> None:
        """Nothing to do: a Jitsi room has no time."""

    def cancel(self, external_id: str, request: MeetingRequest) -> None:
        """Nothing to do: the app stops showing the link."""


def provider_from_settings(settings: Settings) -> MeetingProvider:
    """The configured meeting provider."""
    if settings.meeting_provider == "jitsi":
        return JitsiProvider(settings.jitsi_base_url)
    if settings.meeting_provider == "teams":
        from balie.services.teams import TeamsProvider  # teams imports this module

        return TeamsProvider(settings)
    raise RuntimeError(
        f"Meeting provider {settings.meeting_provider!r} is not available in this version; "
        "set BALIE_MEETING_PROVIDER to jitsi or teams."
    )
