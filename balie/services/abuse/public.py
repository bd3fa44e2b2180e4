"""The abuse protection wired to the settings: what the wizard and the API call."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache

from sqlmodel import Session, select

from balie.models import AuditEntry
from balie.services.abuse import challenge
from balie.services.abuse.gate import (
    SPIKE_ACTION,
    Gate,
    Limits,
    Requester,
    booking_guard,
)
from balie.services.abuse.limiter import shared_limiter
from balie.services.validation import CitizenDetails


def gate_for(settings: object) -> Gate:
    """The gate of this process for ``settings``."""
    return Gate(
        shared_limiter(settings.redis_url),
        Limits.from_settings(settings),
        settings.secret_key.get_secret_value(),
    )


def guard_for(settings: object, who: Requester, details: CitizenDetails, now: datetime) -> Callable:
    """The guard to pass to ``booking.book`` for a public booking."""
    return booking_guard(gate_for(settings), who, details, now)


def required_max_number(settings: object) -> int:
    """The puzzle's difficulty for the current rate of public bookings."""
    recent = gate_for(settings).recent_public_bookings()
    return challenge.difficulty(
        settings.proof_of_work_max_number, recent, settings.proof_of_work_raise_after
    )


def issue_challenge(settings: object, now: datetime) -> challenge.IssuedChallenge:
    """A new challenge at the current difficulty."""
    return challenge.create(
        settings.secret_key.get_secret_value(), required_max_number(settings), now
    )


@lru_cache(maxsize=4)
def _redis_marker(redis_url: str) -> Callable:
    """One Redis client per process for used signatures."""
    return challenge.mark_used_in_redis(redis_url)


def verify_challenge(session: Session, settings: object, payload: object, now: datetime) -> None:
    """Accept a solution once, or raise ``challenge.ChallengeRefused``."""
    if settings.redis_url:
        mark = _redis_marker(settings.redis_url)
    else:
        mark = challenge.mark_used_in_database(session)
    challenge.verify(
        payload,
        settings.secret_key.get_secret_value(),
        required_max_number(settings),
        mark,
        now,
    )


def recent_spikes(session: Session, organisation_id: int, now: datetime) -> list[AuditEntry]:
    """Spikes written to the audit log in the last 7 days, newest first."""
    return list(
        session.exec(
            select(AuditEntry)
            .where(
                AuditEntry.organisation_id == organisation_id,
                AuditEntry.action == SPIKE_ACTION,
                AuditEntry.at > now - timedelta(days=7),
            )
            .order_by(AuditEntry.at.desc())
            .limit(50)
        ).all()
    )
