"""The database itself refuses overlapping appointments of one staff member."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from balie.models import (
    Appointment,
    AppointmentStatus,
    Organisation,
    Service,
    StaffMember,
    Topic,
)

NINE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(session: Session) -> dict[str, int]:
    """One organisation, service, topic and two staff members."""
    organisation = Organisation(slug="test", name="Teststad")
    session.add(organisation)
    session.flush()
    service = Service(
        organisation_id=organisation.id,
        slug="svc",
        name={"nl": "Dienst"},
        description={"nl": "Uitleg"},
        live_from=date(2025, 1, 1),
    )
    session.add(service)
    session.flush()
    topic = Topic(
        service_id=service.id, slug="t", name={"nl": "Onderwerp"}, channel_reason={}, preparation={}
    )
    anna = StaffMember(organisation_id=organisation.id, display_name="Anna", email="a@x.invalid")
    bert = StaffMember(organisation_id=organisation.id, display_name="Bert", email="b@x.invalid")
    session.add_all([topic, anna, bert])
    session.commit()
    return {
        "org": organisation.id,
        "service": service.id,
        "topic": topic.id,
        "anna": anna.id,
        "bert": bert.id,
    }


def _appointment(
    world: dict[str, int],
    staff: str,
    start: datetime,
    minutes: int = 30,
    buffer: int = 0,
    ref: str | None = None,
) -> Appointment:
    """An appointment for ``staff`` starting at ``start``."""
    ref = ref or f"R{staff[0]}{start:%H%M}{minutes}"
    return Appointment(
        reference=ref,
        organisation_id=world["org"],
        service_id=world["service"],
        topic_id=world["topic"],
        staff_id=world[staff],
        start_at=start,
        end_at=start + timedelta(minutes=minutes),
        busy_until=start + timedelta(minutes=minutes + buffer),
        manage_token_hash=f"hash-{ref}",
    )


def test_overlapping_insert_is_refused(session: Session, world: dict[str, int]) -> None:
    session.add(_appointment(world, "anna", NINE))
    session.commit()
    session.add(_appointment(world, "anna", NINE + timedelta(minutes=15)))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    assert len(session.exec(select(Appointment)).all()) == 1


def test_adjacent_and_other_staff_are_allowed(session: Session, world: dict[str, int]) -> None:
    session.add(_appointment(world, "anna", NINE))
    session.add(_appointment(world, "anna", NINE + timedelta(minutes=30)))
    session.add(_appointment(world, "bert", NINE))
    session.commit()
    assert len(session.exec(select(Appointment)).all()) == 3


def test_buffer_counts_as_busy(session: Session, world: dict[str, int]) -> None:
    session.add(_appointment(world, "anna", NINE, buffer=10))
    session.commit()
    session.add(_appointment(world, "anna", NINE + timedelta(minutes=35)))
    with pytest.raises(IntegrityError):
        session.commit()


def test_cancelled_appointment_frees_the_time(session: Session, world: dict[str, int]) -> None:
    first = _appointment(world, "anna", NINE)
    session.add(first)
    session.commit()
    first.status = AppointmentStatus.CANCELLED
    session.commit()
    session.add(_appointment(world, "anna", NINE, ref="SECOND"))
    session.commit()
    # Reviving the cancelled one now overlaps and must be refused.
    first.status = AppointmentStatus.BOOKED
    with pytest.raises(IntegrityError):
        session.commit()


def test_moving_onto_a_busy_time_is_refused(session: Session, world: dict[str, int]) -> None:
    session.add(_appointment(world, "anna", NINE))
    later = _appointment(world, "anna", NINE + timedelta(hours=2))
    session.add(later)
    session.commit()
    later.start_at = NINE + timedelta(minutes=10)
    later.end_at = later.start_at + timedelta(minutes=30)
    later.busy_until = later.end_at
    with pytest.raises(IntegrityError):
        session.commit()


def test_concurrent_inserts_give_exactly_one_appointment(
    engine: Engine, world: dict[str, int]
) -> None:
    """Eight connections insert the same time at once; the database lets one through."""
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def book(index: int) -> None:
        with Session(engine) as own:
            appointment = _appointment(world, "anna", NINE, ref=f"RACE{index}")
            barrier.wait()
            try:
                own.add(appointment)
                own.commit()
                result = "ok"
            except IntegrityError:
                own.rollback()
                result = "refused"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=book, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] + ["refused"] * 7
    with Session(engine) as check:
        assert len(check.exec(select(Appointment)).all()) == 1


def test_times_come_back_as_utc(session: Session, world: dict[str, int]) -> None:
    brussels_nine = datetime.fromisoformat("2026-03-30T09:00:00+02:00")
    session.add(_appointment(world, "anna", brussels_nine))
    session.commit()
    session.expire_all()
    stored = session.exec(select(Appointment)).one()
    assert stored.start_at == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert stored.start_at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(session: Session, world: dict[str, int]) -> None:
    session.add(_appointment(world, "anna", datetime(2026, 3, 2, 9, 0)))
    with pytest.raises(Exception, match="naive datetime"):
        session.commit()
