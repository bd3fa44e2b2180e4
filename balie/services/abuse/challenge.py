"""Proof-of-work (the ALTCHA approach, version 1 of the ``altcha`` package).

The server hands out a signed challenge: SHA-256 of a random salt plus a secret number below
``max_number``. The browser tries numbers until the hash matches (no tracking, no third party,
nothing to see or solve for the citizen) and sends the number back. A solution is accepted once,
before the challenge expires, and only when its difficulty is not far below what the current
booking rate asks.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import altcha
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, delete

from balie.models import UsedChallenge

LIFETIME = timedelta(minutes=10)
LEVELS = 3  # the puzzle gets at most 4**3 = 64 times harder than when bookings are calm
MAX_PAYLOAD_CHARS = 2_000


class ChallengeRefused(Exception):
    """A proof-of-work solution that is missing, wrong, expired, reused or too easy."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class IssuedChallenge:
    """A challenge as the browser (or an API client) receives it."""

    algorithm: str
    challenge: str
    max_number: int
    salt: str
    signature: str

    def as_dict(self) -> dict[str, object]:
        """The JSON form (the field names of the ALTCHA widget)."""
        return {
            "algorithm": self.algorithm,
            "challenge": self.challenge,
            "maxnumber": self.max_number,
            "salt": self.salt,
            "signature": self.signature,
        }


def hmac_key(secret_key: str) -> str:
    """The challenges' HMAC key, derived from the site secret (never the secret itself)."""
    return hmac.new(secret_key.encode(), b"balie:altcha:v1", hashlib.sha256).hexdigest()


def difficulty(base: int, recent_bookings: int, raise_after: int) -> int:
    """The max number for the current rate: 4 times harder per ``raise_after`` recent bookings."""
    level = min(LEVELS, max(0, recent_bookings) // max(1, raise_after))
    return base * 4**level


def create(secret_key: str, max_number: int, now: datetime) -> IssuedChallenge:
    """A new challenge that expires after ``LIFETIME``; its difficulty is signed into the salt."""
    made = altcha.create_challenge_v1(
        algorithm="SHA-256",
        max_number=max_number,
        hmac_key=hmac_key(secret_key),
        expires=now + LIFETIME,
        params={"max": str(max_number)},
    )
    return IssuedChallenge(
        made.algorithm, made.challenge, made.max_number, made.salt, made.signature
    )


def solve(issued: IssuedChallenge) -> str:
    """The solution payload for ``issued`` (what the browser sends; for tests and API clients)."""
    solution = altcha.solve_challenge_v1(
        issued.challenge, issued.salt, issued.algorithm, issued.max_number
    )
    if solution is None:
        raise ChallengeRefused("unsolvable")
    payload = {
        "algorithm": issued.algorithm,
        "challenge": issued.challenge,
        "number": solution.number,
        "salt": issued.salt,
        "signature": issued.signature,
    }
    return base64.b64encode(json.dumps(payload).encode()).decode()


def _decode(payload: object) -> dict:
    """The payload's JSON object, or ChallengeRefused."""
    if not isinstance(payload, str) or not 0 < len(payload) <= MAX_PAYLOAD_CHARS:
        raise ChallengeRefused("missing")
    try:
        data = json.loads(base64.b64decode(payload, validate=True).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError) as problem:
        raise ChallengeRefused("invalid") from problem
    if not isinstance(data, dict) or not all(
        isinstance(data.get(name), str) for name in ("algorithm", "challenge", "salt", "signature")
    ):
        raise ChallengeRefused("invalid")
    if not isinstance(data.get("number"), int) or isinstance(data.get("number"), bool):
        raise ChallengeRefused("invalid")
    return data


def _salt_params(salt: str) -> dict[str, str]:
    """The signed parameters in the salt (expiry and difficulty)."""
    _nonce, _, query = salt.partition("?")
    return dict(urllib.parse.parse_qsl(query.rstrip("&")))


def verify(
    payload: object,
    secret_key: str,
    required_max_number: int,
    mark_used: Callable[[str, datetime], bool],
    now: datetime,
) -> None:
    """Accept a solution once, or raise ChallengeRefused saying why.

    ``mark_used(signature, expires_at)`` records the signature and says whether it was new.
    A challenge issued at a difficulty more than one level below ``required_max_number`` is
    refused: puzzles stocked up while bookings were calm cannot be spent in a flood.
    """
    data = _decode(payload)
    params = _salt_params(data["salt"])
    try:
        expires = datetime.fromtimestamp(int(params["expires"]), UTC)
        issued_max = int(params["max"])
    except (KeyError, ValueError, OverflowError, OSError) as problem:
        raise ChallengeRefused("invalid") from problem
    if expires <= now:
        raise ChallengeRefused("expired")
    ok, _error = altcha.verify_solution_v1(data, hmac_key(secret_key), check_expires=False)
    if not ok or data["number"] > issued_max:
        raise ChallengeRefused("wrong")
    if issued_max * 4 < required_max_number:
        raise ChallengeRefused("too_easy")
    if not mark_used(data["signature"], expires):
        raise ChallengeRefused("reused")


def mark_used_in_database(session: Session) -> Callable[[str, datetime], bool]:
    """A ``mark_used`` that remembers signatures in the ``usedchallenge`` table; commits."""

    def mark(signature: str, expires_at: datetime) -> bool:
        """Store the signature; False when it was there already."""
        now = datetime.now(UTC)
        session.exec(delete(UsedChallenge).where(UsedChallenge.expires_at < now))
        session.add(UsedChallenge(signature=signature[:128], expires_at=expires_at))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return False
        return True

    return mark


def mark_used_in_redis(redis_url: str) -> Callable[[str, datetime], bool]:
    """A ``mark_used`` on Redis (SET NX with the challenge's remaining lifetime)."""
    import redis

    client = redis.Redis.from_url(redis_url)

    def mark(signature: str, expires_at: datetime) -> bool:
        """Store the signature; False when it was there already."""
        seconds = max(1, int((expires_at - datetime.now(UTC)).total_seconds()) + 1)
        return bool(client.set(f"balie:pow-used:{signature[:128]}", 1, nx=True, ex=seconds))

    return mark
