"""The app runs its background worker, and the booking pages can run an appointment's jobs now."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from balie import db, worker
from balie.api import api
from balie.db_types import utcnow
from balie.models import Appointment, Job, MeetingState
from balie.services import booking, jobs
from balie.services.catalogue import get_organisation
from balie.services.demo_data import load_demo_data
from balie.services.slots import free_slots
from balie.services.validation import CitizenDetails


def book_first_free_oog_time(
    session: Session, phone: str | None = None, question: str | None = None
) -> booking.Booked:
    """The demo data, and Nora's booking of OOG's first free time (a Jitsi meeting)."""
    load_demo_data(session)
    gent = get_organisation(session, "gent")
    service = booking.find_live_service(session, gent, "oog")
    now = utcnow()
    first = free_slots(session, service, now.date(), (now + timedelta(days=14)).date(), now)[0]
    details = CitizenDetails("Nora", "nora@example.be", phone, "nl", question, True)
    return booking.book(
        session,
        gent,
        booking.BookingRequest("oog", "zaak-starten", first.start, details),
        meeting_provider="jitsi",
        secret_key="s",
    )


def eventually(check: Callable[[], bool], seconds: float = 30) -> bool:
    """Whether ``check`` holds within ``seconds`` (polled every 0.1 s: a busy machine is slow)."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_the_app_registers_the_background_worker() -> None:
    from balie.balie import app

    registered = [getattr(task, "__name__", "") for task in app.get_lifespan_tasks()]
    assert "background_worker" in registered
    assert "retention_worker" in registered


def test_run_appointment_jobs_makes_the_link_and_sends_the_confirmation(
    session: Session, app_database: Engine, tmp_path
) -> None:
    booked = book_first_free_oog_time(session)
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
    booked = book_first_free_oog_time(session, "+32470123456", "Vraag")
    service_id, end = booked.appointment.service_id, booked.appointment.end_at
    assert worker.erase_expired_personal_data() == 0  # not yet past the retention period
    monkeypatch.setattr(worker, "utcnow", lambda: end + timedelta(days=31))
    assert worker.erase_expired_personal_data() == 1
    session.expire_all()
    stored = session.get(Appointment, booked.appointment.id)
    assert (stored.citizen_name, stored.citizen_email, stored.question) == (None, None, None)
    assert stored.service_id == service_id


def test_the_booking_answer_has_the_link_but_leaves_the_e_mail_to_the_worker(
    session: Session, app_database: Engine, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker, "_wake", None)  # no worker runs in this test: nothing sends
    load_demo_data(session)
    session.commit()
    with TestClient(api, base_url="http://localhost") as client:
        answer = post_first_oog_time(client)
    assert answer["http"] == 201
    assert answer["meeting_state"] == "ready" and answer["join_url"]
    outbox = tmp_path / "outbox"
    assert not list(outbox.glob("*.eml"))  # the answer did not wait for the e-mail
    pending = set(session.exec(select(Job.kind).where(Job.state == "pending")))
    assert "mail.confirmation" in pending

    # The app restarts: a new process has only the job rows in the database.
    db.forget_engines()
    worker.get_settings.cache_clear()
    assert jobs.run_due_jobs(db.session_scope, worker.job_context()) >= 1
    assert jobs.run_due_jobs(db.session_scope, worker.job_context()) == 0
    assert len(list(outbox.glob("*.eml"))) == 1  # sent, and exactly once


def test_a_change_waits_for_the_meeting_and_wakes_the_worker_for_the_e_mail(
    session: Session, app_database: Engine, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The manage page, the contact centre and the staff pages: the e-mail is the worker's."""
    loop = asyncio.new_event_loop()
    woken = asyncio.Event()
    monkeypatch.setattr(worker, "_wake", (loop, woken))  # a worker runs in this process
    booked = book_first_free_oog_time(session)
    worker.run_appointment_jobs(booked.appointment.id)
    session.expire_all()
    assert session.get(Appointment, booked.appointment.id).meeting_state == MeetingState.READY
    outbox = tmp_path / "outbox"
    assert not list(outbox.glob("*.eml"))  # the answer did not wait for the e-mail
    pending = set(session.exec(select(Job.kind).where(Job.state == "pending")))
    assert "mail.confirmation" in pending and "meeting.create" not in pending
    loop.run_until_complete(asyncio.wait_for(woken.wait(), 5))  # the worker was woken
    loop.close()

    # The app restarts before the worker's round: the job row is all a new process has.
    db.forget_engines()
    worker.get_settings.cache_clear()
    assert jobs.run_due_jobs(db.session_scope, worker.job_context()) == 1
    assert jobs.run_due_jobs(db.session_scope, worker.job_context()) == 0
    assert len(list(outbox.glob("*.eml"))) == 1  # sent, and exactly once


def test_a_slow_meeting_provider_holds_the_answer_only_for_the_configured_wait(
    session: Session, app_database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    booked = book_first_free_oog_time(session)
    release = threading.Event()
    real_context = worker.job_context

    def slow_context() -> jobs.JobContext:
        context = real_context()
        create = context.provider.create

        def slow_create(request):
            release.wait(30)
            return create(request)

        context.provider.create = slow_create
        return context

    monkeypatch.setattr(worker, "job_context", slow_context)
    worker.make_meeting_now(booked.appointment.id, wait=0.2)
    session.expire_all()
    assert session.get(Appointment, booked.appointment.id).meeting_state == MeetingState.PENDING
    release.set()  # the provider answers after all: the link is made without anyone waiting

    def ready() -> bool:
        session.expire_all()
        return session.get(Appointment, booked.appointment.id).meeting_state == MeetingState.READY

    assert eventually(ready)


@pytest.fixture
def demo_api(session: Session, app_database: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo data in the app's database; no worker in this process (nothing sends)."""
    monkeypatch.setattr(worker, "_wake", None)
    load_demo_data(session)
    session.commit()


def post_first_oog_time(client: TestClient, email: str = "nora@example.be") -> dict:
    """POST a booking of OOG's first free time; the answer's body with its HTTP status."""
    today = utcnow().date()
    slots = client.get(
        "/api/v1/services/oog/slots",
        params={"from": str(today), "to": str(today + timedelta(days=14))},
    ).json()["slots"]
    answer = client.post(
        "/api/v1/appointments",
        json={
            "service": "oog",
            "topic": "zaak-starten",
            "start": slots[0]["start"],
            "name": "Nora",
            "email": email,
            "consent": True,
        },
    )
    return {**answer.json(), "http": answer.status_code}


def meeting_jobs(session: Session) -> list[tuple[str, int]]:
    """State and attempts of every meeting.create job."""
    session.expire_all()
    rows = session.exec(select(Job.state, Job.attempts).where(Job.kind == "meeting.create"))
    return [(str(state), attempts) for state, attempts in rows]


def test_the_answer_makes_the_meeting_from_the_job_it_claimed_at_birth(
    session: Session, demo_api: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TestClient(api, base_url="http://localhost") as client:
        answer = post_first_oog_time(client)
    assert answer["http"] == 201 and answer["meeting_state"] == "ready"
    assert answer["join_url"].startswith("https://")
    assert meeting_jobs(session) == [("done", 1)]
    assert jobs.run_due_jobs(db.session_scope, worker.job_context(), kinds=("meeting.create",)) == 0


def test_with_every_meeting_thread_busy_the_answer_leaves_the_meeting_to_the_worker(
    session: Session, demo_api: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = 0
    while worker._meeting_places.acquire(blocking=False):
        held += 1
    try:
        with TestClient(api, base_url="http://localhost") as client:
            answer = post_first_oog_time(client)
    finally:
        for _ in range(held):
            worker._meeting_places.release()
    assert held == worker.MEETING_THREADS
    assert answer["http"] == 201 and answer["meeting_state"] == "pending"
    assert meeting_jobs(session) == [("pending", 0)]  # not claimed: the worker's at once
    assert jobs.run_due_jobs(db.session_scope, worker.job_context()) >= 1
    session.expire_all()
    stored = session.exec(select(Appointment)).one()
    assert stored.meeting_state == MeetingState.READY and stored.join_url


def test_refused_bookings_give_their_meeting_thread_back(
    session: Session, demo_api: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TestClient(api, base_url="http://localhost") as client:
        start = post_first_oog_time(client)["start"]
        refusals = 0
        for attempt in range(50):  # every counsellor free at that time gets booked, then 409s
            again = client.post(
                "/api/v1/appointments",
                json={
                    "service": "oog",
                    "topic": "zaak-starten",
                    "start": start,
                    "name": "Piet",
                    "email": f"piet{attempt}@example.be",
                    "consent": True,
                },
            )
            refusals += again.status_code == 409
            if refusals == 2 * worker.MEETING_THREADS:
                break
        last = post_first_oog_time(client, "jan@example.be")
    assert refusals == 2 * worker.MEETING_THREADS
    assert last["http"] == 201 and last["meeting_state"] == "ready"


def test_a_slow_provider_finishes_the_claimed_meeting_after_the_answer(
    session: Session, demo_api: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BALIE_MEETING_WAIT_SECONDS", "0.2")
    worker.get_settings.cache_clear()
    release = threading.Event()
    real_context = worker.job_context
    created: list[str] = []

    def slow_context() -> jobs.JobContext:
        context = real_context()
        create = context.provider.create

        def slow_create(request):
            release.wait(30)
            created.append(request.reference)
            return create(request)

        context.provider.create = slow_create
        return context

    monkeypatch.setattr(worker, "job_context", slow_context)
    with TestClient(api, base_url="http://localhost") as client:
        answer = post_first_oog_time(client)
    assert answer["http"] == 201 and answer["meeting_state"] == "pending"
    assert meeting_jobs(session) == [("running", 0)]  # still ours: no worker makes it twice
    assert jobs.run_due_jobs(db.session_scope, real_context(), kinds=("meeting.create",)) == 0
    release.set()
    assert eventually(lambda: meeting_jobs(session) == [("done", 1)])
    assert created == [answer["reference"]]
