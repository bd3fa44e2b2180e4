"""Video meetings behind one interface; Jitsi Meet is the default provider (no account needed)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Protocol

from balie.settings import Settings


@dataclass(frozen=True)
class MeetingRequest:
    """What a provider needs to know to make a meeting for an appointment."""

    reference: str
    subject: str


@dataclass(frozen=True)
class Meeting:
    """A meeting as the provider made it."""

    provider: str
    external_id: str
    join_url: str


class MeetingProvider(Protocol):
    """Makes, moves and cancels video meetings."""

    name: str

    def create(self, request: MeetingRequest) -> Meeting:
        """Make a meeting and return its join link."""
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


def provider_from_settings(settings: Settings) -> MeetingProvider:
    """The configured meeting provider."""
    if settings.meeting_provider == "jitsi":
        return JitsiProvider(settings.jitsi_base_url)
    raise RuntimeError(
        f"Meeting provider {settings.meeting_provider!r} is not available in this version; "
        "set BALIE_MEETING_PROVIDER=jitsi."
    )
