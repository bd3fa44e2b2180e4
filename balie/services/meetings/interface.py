"""The interface of video meeting providers and the registry they put themselves in.

Providers (``jitsi``, ``teams``) live in their own modules of this package and register a
factory under their name; nothing here imports them, so no provider imports back into a module
that imports it. ``balie.services.composition`` imports them all.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
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


ProviderFactory = Callable[[Settings], MeetingProvider]
_PROVIDERS: dict[str, ProviderFactory] = {}


def register_provider(name: str, factory: ProviderFactory) -> None:
    """Offer a provider under ``name`` (the value of BALIE_MEETING_PROVIDER)."""
    _PROVIDERS[name] = factory


def provider_names() -> tuple[str, ...]:
    """The names of the registered providers."""
    return tuple(sorted(_PROVIDERS))


def provider_from_settings(settings: Settings) -> MeetingProvider:
    """The configured meeting provider."""
    factory = _PROVIDERS.get(settings.meeting_provider)
    if factory is None:
        raise RuntimeError(
            f"Meeting provider {settings.meeting_provider!r} is not available in this version; "
            f"set BALIE_MEETING_PROVIDER to one of {', '.join(provider_names()) or 'none'}."
        )
    return factory(settings)
