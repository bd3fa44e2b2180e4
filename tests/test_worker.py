"""The app runs its background worker, and the booking pages can run an appointment's jobs now."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from balie import worker
from balie.db_types import utcnow
from balie.models import Appointment, Job, MeetingState
from balie.services import booking
from balie.services.catalogue import get_organisation
from balie.services.demo_data import load_demo_data
from balie.services.slots import free_slots
from balie.services.validation import CitizenDetails


def test_the_app_registers_the_background_worker() -> None:
    from balie.balie import app

    registered = [getattr(task, "__name__", "") for task in app.get_lifespan_tasks()]
    assert "background_worker" in registered
    assert "retention_worker" in registered


def test_run_appointment_jobs_makes_the_link_and_sends_the_confirmation(
    session: Session, app_database: Engine, tmp_path
) -> None:
    load_demo_data(session)
    gent = get_organisation(session, "gent")
    service = booking.find_live_service(session, gent, "oog")
    now = utcnow()
    first = free_slots(session, service, now.date(), (now + timedelta(days=14)).date(), now)[0]
    details = CitizenDetails("Nora", "nora@example.be", None, "nl", None, True)
    booked = booking.book(
        session,
        gent,
        booking.BookingRequest("oog", "zaak-starten", first.start, details),
        meeting_provider="jitsi",
        secret_key="s",
    )
    worker.run_appointment_jobs(booked.appointment.id)
    session.expire_all()
    appointment = session.get(Appointment, booked.appointment.id)
    assert appointment.meeting_state == MeetingState.READY
    done = set(session.exec(select(Job.kind).where(Job.state == "done")))
    assert done == {"meeting.create", "mail.confirmation"}
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1


def test_the_retention_round_erases_only_old_personal_data(
    session: Session, app_database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_demo_data(session)
    gent = get_organisation(session, "gent")
    service = booking.find_live_service(session, gent, "oog")
    now = utcnow()
    first = free_slots(session, service, now.date(), (now + timedelta(days=14)).date(), now)[0]
    details = CitizenDetails("Nora", "nora@example.be", "+32470123456", "nl", "Vraag", True)
    booked = booking.book(
        session,
        gent,
        booking.BookingRequest("oog", "zaak-starten", first.start, details),
        meeting_provider="jitsi",
        secret_key="s",
    )
    assert worker.erase_expired_personal_data() == 0  # not yet past the retention period
    monkeypatch.setattr(worker, "utcnow", lambda: first.end + timedelta(days=31))
    assert worker.erase_expired_personal_data() == 1
    session.expire_all()
    stored = session.get(Appointment, booked.appointment.id)
    assert (stored.citizen_name, stored.citizen_email, stored.question) == (None, None, None)
    assert stored.service_id == service.id
