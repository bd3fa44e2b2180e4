"""Jitsi Meet rooms, the default meeting provider (no account needed)."""

from __future__ import annotations

import secrets

from balie.services.meetings.interface import Meeting, MeetingRequest, register_provider
from balie.settings import Settings


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


def _from_settings(settings: Settings) -> JitsiProvider:
    """The Jitsi server the settings name."""
    return JitsiProvider(settings.jitsi_base_url)


register_provider(JitsiProvider.name, _from_settings)
