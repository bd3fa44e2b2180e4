"""The proof-of-work: a valid solution is accepted once; wrong, expired, reused, easy ones not."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
import redis
from sqlmodel import Session

from balie.services.abuse import challenge
from balie.services.abuse.challenge import ChallengeRefused

SECRET = "a-secret-of-the-site"
NOW = datetime.now(UTC)
EASY = 2_000


def memory_marker() -> object:
    """A ``mark_used`` in a set."""
    used: set[str] = set()

    def mark(signature: str, _expires: datetime) -> bool:
        if signature in used:
            return False
        used.add(signature)
        return True

    return mark


def solved(max_number: int = EASY, now: datetime = NOW) -> str:
    """A solved challenge's payload."""
    return challenge.solve(challenge.create(SECRET, max_number, now))


def refusal(payload: object, **changes: object) -> str:
    """The reason ``verify`` gives."""
    arguments = {
        "secret_key": SECRET,
        "required_max_number": EASY,
        "mark_used": memory_marker(),
        "now": NOW,
        **changes,
    }
    with pytest.raises(ChallengeRefused) as refused:
        challenge.verify(payload, **arguments)
    return refused.value.reason


def test_a_solution_is_accepted_once() -> None:
    payload, mark = solved(), memory_marker()
    challenge.verify(payload, SECRET, EASY, mark, NOW)
    assert refusal(payload, mark_used=mark) == "reused"


def test_an_expired_challenge_is_refused() -> None:
    payload = solved(now=NOW - challenge.LIFETIME - timedelta(seconds=1))
    assert refusal(payload) == "expired"


def test_a_challenge_far_easier_than_the_current_rate_asks_is_refused() -> None:
    payload = solved(EASY)
    assert refusal(payload, required_max_number=EASY * 16) == "too_easy"
    challenge.verify(payload, SECRET, EASY * 4, memory_marker(), NOW)  # one level of slack


def test_a_wrong_number_or_another_secret_is_refused() -> None:
    data = json.loads(base64.b64decode(solved()))
    data["number"] += 1
    assert refusal(base64.b64encode(json.dumps(data).encode()).decode()) == "wrong"
    assert refusal(solved(), secret_key="another-secret") == "wrong"


@pytest.mark.parametrize(
    "payload", [None, "", 12, "not base64!", base64.b64encode(b"[1]").decode(), "x" * 5000]
)
def test_garbage_is_refused(payload: object) -> None:
    assert refusal(payload) in ("missing", "invalid")


def test_the_difficulty_rises_with_the_booking_rate() -> None:
    assert challenge.difficulty(50_000, 0, 30) == 50_000
    assert challenge.difficulty(50_000, 30, 30) == 200_000
    assert challenge.difficulty(50_000, 10_000, 30) == 50_000 * 64


def test_used_signatures_are_kept_in_the_database(session: Session) -> None:
    mark = challenge.mark_used_in_database(session)
    payload = solved()
    challenge.verify(payload, SECRET, EASY, mark, NOW)
    assert refusal(payload, mark_used=challenge.mark_used_in_database(session)) == "reused"


def test_used_signatures_are_kept_in_redis() -> None:
    url = "redis://127.0.0.1:6379/2"
    redis.Redis.from_url(url).flushdb()
    payload = solved()
    challenge.verify(payload, SECRET, EASY, challenge.mark_used_in_redis(url), NOW)
    assert refusal(payload, mark_used=challenge.mark_used_in_redis(url)) == "reused"
    redis.Redis.from_url(url).flushdb()
