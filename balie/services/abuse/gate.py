"""The one gate every public booking passes (wizard and API): limits, cap, spikes.

The contact centre does not pass here (its bookings are audited in ``contact_centre``).
Identifiers (address, e-mail, phone, key) are stored only as keyed hashes in the counters.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import Session, func, select

from balie.models import Appointment, AppointmentStatus, Service
from balie.scoping import scope_of
from balie.services.abuse.limiter import (
    Limiter,
    Plan,
    RateLimitItem,
    RateLimitItemPerHour,
    RateLimitItemPerMinute,
    Rule,
    Tally,
)
from balie.services.booking import BookingError
from balie.services.staff.staff_auth import audit
from balie.services.validation import CitizenDetails

SPIKE_ACTION = "booking_spike"
RATE_WINDOW_MINUTES = 10  # the proof-of-work difficulty follows bookings in this window
COUNT_CEILING = 1_000_000  # a "limit" no one reaches: used to count hits in a window


class RateLimited(BookingError):
    """Too many bookings from this address, e-mail address, phone number or API key."""

    key = "error_rate_limited"

    def __init__(self, retry_after: int, what: str) -> None:
        super().__init__(what)
        self.retry_after = retry_after
        self.what = what


class TooManyActive(BookingError):
    """This e-mail address already holds the maximum of future appointments."""

    key = "error_too_many_active"

    def __init__(self, per_service: bool) -> None:
        super().__init__("service" if per_service else "total")
        self.per_service = per_service


@dataclass(frozen=True)
class Limits:
    """The thresholds in force (from the settings)."""

    per_address_per_hour: int = 10
    per_email_per_hour: int = 3
    per_phone_per_hour: int = 3
    active_per_service: int = 2
    active_total: int = 4
    spike_per_service: int = 20
    spike_per_address: int = 8
    spike_window_minutes: int = 10

    @classmethod
    def from_settings(cls, settings: object) -> Limits:
        """The limits of the ``BALIE_…`` settings."""
        return cls(
            per_address_per_hour=settings.bookings_per_address_per_hour,
            per_email_per_hour=settings.bookings_per_email_per_hour,
            per_phone_per_hour=settings.bookings_per_phone_per_hour,
            active_per_service=settings.active_bookings_per_service,
            active_total=settings.active_bookings_total,
            spike_per_service=settings.spike_bookings_per_service,
            spike_per_address=settings.spike_bookings_per_address,
            spike_window_minutes=settings.spike_window_minutes,
        )


@dataclass(frozen=True)
class Requester:
    """Who asks for a public booking: the client address, or a partner's API key."""

    address: str
    api_key_id: int | None = None
    api_key_per_hour: int = 0


@dataclass(frozen=True)
class Gate:
    """The limiter, thresholds and secret one booking is checked with."""

    limiter: Limiter
    limits: Limits
    secret_key: str

    def _id(self, kind: str, value: str) -> str:
        """A keyed hash of an identifier (the counters never hold an address in clear)."""
        digest = hmac.new(self.secret_key.encode(), f"{kind}:{value}".encode(), hashlib.sha256)
        return f"{kind}:{digest.hexdigest()[:32]}"

    def _rules(
        self, who: Requester, details: CitizenDetails
    ) -> list[tuple[RateLimitItem, str, str]]:
        """(limit, identifier, what) for every hourly limit this booking falls under."""
        rules = [self._requester_rule(who)]
        email = details.email.strip().lower()
        rules.append(
            (
                RateLimitItemPerHour(self.limits.per_email_per_hour),
                self._id("email", email),
                "email",
            )
        )
        if details.phone:
            phone = "".join(ch for ch in details.phone if ch.isdigit() or ch == "+")
            rules.append(
                (
                    RateLimitItemPerHour(self.limits.per_phone_per_hour),
                    self._id("phone", phone),
                    "phone",
                )
            )
        return rules

    def _requester_rule(self, who: Requester) -> tuple[RateLimitItem, str, str]:
        """The hourly limit of the API key, or else of the client address."""
        if who.api_key_id is not None:
            per_hour = RateLimitItemPerHour(max(1, who.api_key_per_hour))
            return per_hour, self._id("key", str(who.api_key_id)), "api_key"
        per_hour = RateLimitItemPerHour(self.limits.per_address_per_hour)
        return per_hour, self._id("address", who.address), "address"

    def check_rates(self, who: Requester, details: CitizenDetails | None) -> None:
        """Count this booking under every hourly limit, or raise RateLimited (nothing counted).

        Without ``details`` (a move of an existing booking) only the address or key counts.
        """
        rules = self._rules(who, details) if details else [self._requester_rule(who)]
        outcome = self.limiter.run(Plan(rules=tuple(_rule(item, key) for item, key, _ in rules)))
        if outcome.refused is not None:
            raise RateLimited(outcome.retry_after, rules[outcome.refused][2])

    def _counter(self, identifier: str, minutes: int, scope: str, threshold: int) -> Tally:
        """A counting key, marked once per spike window from ``threshold`` hits on."""
        mark = RateLimitItemPerMinute(1, self.limits.spike_window_minutes)
        return Tally(
            _rule(RateLimitItemPerMinute(COUNT_CEILING, minutes), identifier),
            threshold,
            _rule(mark, f"spike-logged:{scope}"),
        )

    def count_booking(
        self, who: Requester, details: CitizenDetails, service: Service, capped: bool
    ) -> Counted:
        """Count a public attempt and, unless ``capped``, the hourly limits and the service:
        all counters at once (one round trip on Redis)."""
        window = self.limits.spike_window_minutes
        before = [
            Tally(_rule(RateLimitItemPerMinute(COUNT_CEILING, RATE_WINDOW_MINUTES), "rate:all"))
        ]
        if who.api_key_id is None:
            before.append(
                self._counter(
                    self._id("spike-address", who.address),
                    window,
                    # One audit entry per spike and city: each city's administrators see their own.
                    f"{service.organisation_id}:address:{who.address}",
                    self.limits.spike_per_address,
                )
            )
        rules = [] if capped else self._rules(who, details)
        after = (
            ()
            if capped
            else (
                self._counter(
                    f"spike-service:{service.id}",
                    window,
                    f"service:{service.id}",
                    self.limits.spike_per_service,
                ),
            )
        )
        outcome = self.limiter.run(
            Plan(tuple(before), tuple(_rule(item, key) for item, key, _ in rules), after)
        )
        counted = Counted()
        if who.api_key_id is None:
            counted.address_count = outcome.counts[1]
            counted.address_spike = outcome.marked[1]
        if outcome.refused is not None:
            counted.refused = RateLimited(outcome.retry_after, rules[outcome.refused][2])
        elif after:
            counted.service_count = outcome.counts[-1]
            counted.service_spike = outcome.marked[-1]
        return counted

    def recent_public_bookings(self) -> int:
        """Public booking attempts in the last ``RATE_WINDOW_MINUTES`` (all addresses)."""
        item = RateLimitItemPerMinute(COUNT_CEILING, RATE_WINDOW_MINUTES)
        return COUNT_CEILING - self.limiter.get_window_stats(item, "rate:all").remaining


def _rule(item: RateLimitItem, identifier: str) -> Rule:
    """The limiter's rule for ``item`` and one identifier (the key ``limits`` uses)."""
    return Rule(item.key_for(identifier), item.amount, item.get_expiry())


@dataclass
class Counted:
    """What the counters of one public booking say."""

    address_count: int = 0
    address_spike: bool = False  # the address crossed the spike threshold first in this window
    refused: RateLimited | None = None
    service_count: int = 0
    service_spike: bool = False


# Built once: a statement object keeps its cache key, so each booking skips building and keying.
_ACTIVE_COUNTS = (
    select(Appointment.service_id, func.count())
    .where(
        Appointment.organisation_id == bindparam("organisation_id"),
        func.lower(Appointment.citizen_email) == bindparam("email"),
        Appointment.status == AppointmentStatus.BOOKED,
        Appointment.start_at > bindparam("now"),
    )
    .group_by(Appointment.service_id)
)


def active_counts(
    session: Session, organisation_id: int, email: str, service_id: int, now: datetime
) -> tuple[int, int]:
    """Future booked appointments of this e-mail address: for ``service_id`` and in total."""
    scope = scope_of(session)
    if scope is not None and scope != organisation_id:
        return 0, 0  # what the scoped session would see of another organisation
    parameters = {"organisation_id": organisation_id, "email": email.strip().lower(), "now": now}
    # Core: the statement names its organisation, so the ORM's scoping would only add cost.
    rows = session.connection().execute(_ACTIVE_COUNTS, parameters).all()
    counts = dict(rows)
    return counts.get(service_id, 0), sum(counts.values())


def check_active_cap(
    session: Session, limits: Limits, service: Service, email: str, now: datetime
) -> None:
    """Refuse a booking over the cap of future appointments per e-mail address."""
    for_service, total = active_counts(session, service.organisation_id, email, service.id, now)
    if for_service >= limits.active_per_service:
        raise TooManyActive(per_service=True)
    if total >= limits.active_total:
        raise TooManyActive(per_service=False)


def _audit_spike(
    session: Session, organisation_id: int, scope: str, count: int, window: int, **detail: object
) -> None:
    """One audit entry for a spike (committed on its own: the booking may have failed)."""
    audit(
        session,
        None,
        SPIKE_ACTION,
        "spike",
        None,
        organisation_id=organisation_id,
        scope=scope,
        count=count,
        window_minutes=window,
        **detail,
    )
    session.commit()


def booking_guard(
    gate: Gate, who: Requester, details: CitizenDetails, now: datetime
) -> Callable[[Session, Service], None]:
    """The check ``booking.book`` runs once it knows the service (not for idempotent replays)."""

    def guard(session: Session, service: Service) -> None:
        """Count the attempt, note spikes, then apply the cap and the hourly limits."""
        limits = gate.limits
        try:
            check_active_cap(session, limits, service, details.email, now)
            capped = None
        except TooManyActive as refusal:
            capped = refusal
        counted = gate.count_booking(who, details, service, capped is not None)
        if counted.address_spike:
            _audit_spike(
                session,
                service.organisation_id,
                "address",
                counted.address_count,
                limits.spike_window_minutes,
                address=who.address,
            )
        if capped is not None:
            raise capped
        if counted.refused is not None:
            raise counted.refused
        if counted.service_spike:
            _audit_spike(
                session,
                service.organisation_id,
                "service",
                counted.service_count,
                limits.spike_window_minutes,
                service=service.slug,
            )

    return guard
