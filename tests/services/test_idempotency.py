"""Idempotency keys as the IETF draft and Stripe describe them: hashed, bound to the body, 24 h."""

from __future__ import annotations

import hashlib
import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from balie.models import Appointment, Organisation
from balie.services import booking
from balie.services.catalogue import get_organisation
from balie.services.demo_data import load_demo_data
from tests.services.test_booking import (
    MONDAY_NINE,
    NOW,
    SECRET,
    details,
    do_book,
    request,
)


@pytest.fixture
def gent(session: Session) -> Organisation:
    """Demo data loaded; the organisation Stad Gent."""
    load_demo_data(session)
    return get_organisation(session, "gent")


def rows(session: Session) -> list[Appointment]:
    """Every appointment in the database, as it is now."""
    session.expire_all()
    return list(session.exec(select(Appointment)).all())


def test_the_key_and_the_request_are_stored_as_hashes(session: Session, gent: Organisation) -> None:
    appointment = do_book(session, gent, request(key="click-1")).appointment
    scoped = hashlib.sha256(f"{gent.id}:click-1".encode()).hexdigest()
    assert appointment.idempotency_key == scoped
    assert len(appointment.idempotency_request_hash) == 64
    assert "click-1" not in appointment.idempotency_request_hash


def test_the_same_key_with_the_same_body_replays_even_in_another_offset(
    session: Session, gent: Organisation
) -> None:
    first = do_book(session, gent, request(key="click-1"))
    local = MONDAY_NINE.astimezone(ZoneInfo("Europe/Brussels"))  # the same instant as +02:00
    again = do_book(session, gent, request(local, key="click-1"))
    assert again.replayed and again.appointment.id == first.appointment.id
    assert again.manage_token == first.manage_token
    assert len(rows(session)) == 1


@pytest.mark.parametrize(
    "changed",
    [
        {"citizen": details("Iemand Anders")},
        {"citizen": details(email="ander@example.be")},
        {"start": MONDAY_NINE + timedelta(minutes=25)},
        {"topic": "bezwaar"},
    ],
)
def test_the_same_key_with_another_body_is_refused_and_books_nothing(
    session: Session, gent: Organisation, changed: dict
) -> None:
    do_book(session, gent, request(key="click-1"))
    with pytest.raises(booking.IdempotencyKeyReused):
        do_book(session, gent, request(key="click-1", **changed))
    assert len(rows(session)) == 1


def test_after_24_hours_the_key_books_again(session: Session, gent: Organisation) -> None:
    first = do_book(session, gent, request(key="click-1")).appointment
    later = NOW + timedelta(hours=24, seconds=1)
    other = request(MONDAY_NINE + timedelta(minutes=25), key="click-1")
    second = booking.book(
        session, gent, other, meeting_provider="jitsi", secret_key=SECRET, now=later
    )
    assert not second.replayed and second.appointment.id != first.id
    old = session.get(Appointment, first.id, populate_existing=True)
    assert old.idempotency_key is None and old.idempotency_request_hash is None
    assert len(rows(session)) == 2


def test_a_key_is_scoped_to_its_organisation(session: Session, gent: Organisation) -> None:
    do_book(session, gent, request(key="click-1"))
    assert booking.idempotency_key_hash(gent.id, "k") != booking.idempotency_key_hash(
        gent.id + 1, "k"
    )


def test_the_cleanup_job_clears_keys_older_than_24_hours(
    session: Session, gent: Organisation
) -> None:
    old = do_book(session, gent, request(key="old")).appointment
    young = booking.book(
        session,
        gent,
        request(MONDAY_NINE + timedelta(minutes=25), key="young"),
        meeting_provider="jitsi",
        secret_key=SECRET,
        now=NOW + timedelta(hours=20),
    ).appointment
    assert booking.expire_idempotency_keys(session, NOW + timedelta(hours=25)) == 1
    by_id = {row.id: row for row in rows(session)}
    assert by_id[old.id].idempotency_key is None
    assert by_id[young.id].idempotency_key is not None


def test_two_clients_racing_with_one_key_make_one_appointment(
    engine: Engine, session: Session, gent: Organisation
) -> None:
    """Eight retries of one request arrive together: one booking, the others replay it."""
    clients = 8
    barrier = threading.Barrier(clients)
    outcomes: list[tuple[bool, int]] = []
    lock = threading.Lock()

    def client() -> None:
        with Session(engine, expire_on_commit=False) as own:
            organisation = own.get(Organisation, gent.id)
            barrier.wait(timeout=120)  # a thread that failed before this never hangs the rest
            booked = booking.book(
                own,
                organisation,
                request(key="same-click"),
                meeting_provider="jitsi",
                secret_key=SECRET,
                now=NOW,
            )
        with lock:
            outcomes.append((booked.replayed, booked.appointment.id))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == clients
    assert [replayed for replayed, _ in outcomes].count(False) == 1
    assert len({appointment_id for _, appointment_id in outcomes}) == 1
    assert len(rows(session)) == 1
