"""API keys for booking partners: their own hourly limit instead of the proof-of-work.

Only a SHA-256 hash of a key is stored; the key itself is shown once, when it is made.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from balie.models import ApiKey

KEY_PREFIX = "balie_"
MAX_KEY_CHARS = 128


class ApiKeyProblem(ValueError):
    """A key that cannot be made as asked; ``key`` names the message."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class NewKey:
    """A key just made: ``secret`` is shown once and never stored."""

    row: ApiKey
    secret: str


def _hash(secret: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(
    session: Session,
    organisation_id: int,
    name: str,
    partner: str,
    bookings_per_hour: int,
    now: datetime,
) -> NewKey:
    """Make a key for a partner (commits); the caller shows ``secret`` once."""
    name, partner = name.strip()[:120], partner.strip()[:200]
    if not name:
        raise ApiKeyProblem("admin_error_api_key_name")
    if not isinstance(bookings_per_hour, int) or not 1 <= bookings_per_hour <= 10_000:
        raise ApiKeyProblem("admin_error_api_key_rate")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        organisation_id=organisation_id,
        key_hash=_hash(secret),
        prefix=secret[: len(KEY_PREFIX) + 6],
        name=name,
        partner=partner,
        bookings_per_hour=bookings_per_hour,
        created_at=now,
    )
    session.add(row)
    session.commit()
    session.refresh(row)
    return NewKey(row, secret)


def revoke_key(session: Session, organisation_id: int, key_id: int, now: datetime) -> bool:
    """Revoke a key of this organisation (commits); False when there is no such active key."""
    row = session.get(ApiKey, key_id)
    if row is None or row.organisation_id != organisation_id or not row.active:
        return False
    row.active, row.revoked_at = False, now
    session.add(row)
    session.commit()
    return True


def find_active(session: Session, organisation_id: int, secret: object) -> ApiKey | None:
    """The active key of this organisation that ``secret`` is, or None."""
    if not isinstance(secret, str) or not 0 < len(secret) <= MAX_KEY_CHARS or "\x00" in secret:
        return None
    wanted = _hash(secret.strip())
    row = session.exec(select(ApiKey).where(ApiKey.key_hash == wanted)).first()
    if row is None or not hmac.compare_digest(row.key_hash, wanted):
        return None
    return row if row.active and row.organisation_id == organisation_id else None


def list_keys(session: Session, organisation_id: int) -> list[ApiKey]:
    """The organisation's keys, newest first (revoked ones too, for the record)."""
    return list(
        session.exec(
            select(ApiKey)
            .where(ApiKey.organisation_id == organisation_id)
            .order_by(ApiKey.created_at.desc(), ApiKey.id.desc())
        ).all()
    )
