"""POST /api/v1/appointments with an Idempotency-Key: replay, refusal and expiry."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from balie.db_types import utcnow
from balie.models import Appointment
from balie.services.demo_data import load_demo_data
from tests.test_api_v1 import bare_client, book, count_appointments, free_slots

__all__ = ["bare_client"]  # the fixture the client below builds on


@pytest.fixture
def client(session: Session, bare_client: TestClient) -> TestClient:
    """A client of the API on the test database with the Ghent demo data."""
    load_demo_data(session)
    return bare_client


def test_the_same_key_and_body_replays_with_200_and_the_token(
    client: TestClient, session: Session
) -> None:
    slot = free_slots(client)[0]
    first = book(client, slot["start"], key="retry-1")
    again = book(client, slot["start"], key="retry-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["reference"] == first.json()["reference"]
    assert again.json()["manage_url"] == first.json()["manage_url"]
    assert count_appointments(session) == 1


def test_the_same_key_with_another_body_is_422_without_token_or_reference(
    client: TestClient, session: Session
) -> None:
    slots = free_slots(client)
    first = book(client, slots[0]["start"], key="retry-1")
    assert first.status_code == 201
    for changes in (
        {"name": "Iemand Anders", "email": "ander@example.be"},
        {"start": slots[1]["start"]},
        {"question": "Een andere vraag."},
    ):
        start = changes.pop("start", slots[0]["start"])
        refused = book(client, start, key="retry-1", **changes)
        assert refused.status_code == 422, refused.text
        body = refused.json()
        assert body["error"] == "idempotency_key_reused"
        assert first.json()["reference"] not in refused.text
        assert "manage_url" not in body and "token" not in refused.text
    assert count_appointments(session) == 1


def test_after_24_hours_the_key_makes_a_new_booking(client: TestClient, session: Session) -> None:
    slots = free_slots(client)
    first = book(client, slots[0]["start"], key="retry-1")
    stored = session.exec(select(Appointment)).one()
    stored.created_at = utcnow() - timedelta(hours=24, minutes=1)
    session.add(stored)
    session.commit()
    second = book(client, slots[1]["start"], key="retry-1", email="ander@example.be")
    assert second.status_code == 201, second.text
    assert second.json()["reference"] != first.json()["reference"]
    assert count_appointments(session) == 2


def test_concurrent_posts_with_one_key_make_one_appointment(
    client: TestClient, session: Session
) -> None:
    slot = free_slots(client)[0]
    barrier = threading.Barrier(4)
    answers: list[tuple[int, str]] = []

    def post() -> None:
        barrier.wait(timeout=120)
        response = book(client, slot["start"], key="double-click")
        answers.append((response.status_code, response.json()["reference"]))

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _ in answers) == [200, 200, 200, 201]
    assert len({reference for _, reference in answers}) == 1
    assert count_appointments(session) == 1
