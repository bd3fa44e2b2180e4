"""Booking, moving and cancelling: fair, idempotent, and never a double booking."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from balie.models import Appointment, AppointmentStatus, Job, MeetingState, Organisation
from balie.services import booking, jobs
from balie.services.booking import BookingRequest
from balie.services.catalogue import get_organisation
from balie.services.demo_data import load_demo_data
from balie.services.meetings.interface import MeetingError
from balie.services.meetings.jitsi import JitsiProvider
from balie.services.validation import CitizenDetails
from balie.settings import Settings
from tests.conftest import RecordingMailer

NOW = datetime(2026, 3, 25, 10, 0, tzinfo=UTC)
# Monday 30 March 2026, the day after the switch to summer time: 09:00 in Ghent is 07:00 UTC.
MONDAY_NINE = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
SECRET = "test-secret"
JITSI = JitsiProvider("https://meet.jit.si")


def details(name: str = "Jan Peeters", email: str = "jan@example.be") -> CitizenDetails:
    """Valid citizen details."""
    return CitizenDetails(name, email, None, "nl", "Hoe vraag ik een premie aan?", True)


def request(
    start: datetime = MONDAY_NINE,
    key: str | None = None,
    topic: str = "vraag-boete",
    service: str = "gas-boetes",
    **kw,
) -> BookingRequest:
    """A booking request for GAS-boetes (20 minutes + 5 buffer, two counsellors)."""
    return BookingRequest(
        service, topic, start, kw.pop("citizen", details()), idempotency_key=key, **kw
    )


@pytest.fixture
def gent(session: Session) -> Organisation:
    """Demo data loaded; the organisation Stad Gent."""
    load_demo_data(session)
    return get_organisation(session, "gent")


def run_jobs(session: Session, provider, now: datetime = NOW) -> RecordingMailer:
    """Run every job due at ``now`` with ``provider`` (the booking's background work)."""
    mailer = RecordingMailer()
    context = jobs.JobContext(
        provider=provider, mailer=mailer, settings=Settings(_env_file=None), now=lambda: now
    )
    engine = session.get_bind()

    def factory() -> Session:
        return Session(engine, expire_on_commit=False)

    while jobs.run_due_jobs(factory, context, limit=50):
        pass
    return mailer


def do_book(session: Session, gent: Organisation, req: BookingRequest) -> booking.Booked:
    """Book with the test defaults."""
    return booking.book(session, gent, req, meeting_provider="jitsi", secret_key=SECRET, now=NOW)


def test_booking_creates_an_appointment_with_link_and_private_token(
    session: Session, gent: Organisation
) -> None:
    booked = do_book(session, gent, request())
    appointment = booked.appointment
    assert len(appointment.reference) == 9 and appointment.reference[4] == "-"
    assert appointment.start_at == MONDAY_NINE
    assert appointment.end_at == MONDAY_NINE + timedelta(minutes=20)
    assert appointment.busy_until == MONDAY_NINE + timedelta(minutes=25)
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.meeting_state == MeetingState.PENDING
    kinds = set(session.exec(select(Job.kind).where(Job.appointment_id == appointment.id)))
    assert kinds == {"meeting.create", "mail.confirmation", "mail.reminder"}
    run_jobs(session, JITSI)
    session.refresh(appointment)
    assert appointment.meeting_state == MeetingState.READY
    assert appointment.join_url.startswith("https://meet.jit.si/DigitaleBalie-")
    assert len(booked.manage_token) >= 32  # 256-bit HMAC, hex
    assert booked.manage_token not in appointment.manage_token_hash
    assert booking.find_by_token(session, appointment.reference, booked.manage_token).id == (
        appointment.id
    )


def test_wrong_token_or_reference_finds_nothing(session: Session, gent: Organisation) -> None:
    booked = do_book(session, gent, request())
    reference = booked.appointment.reference
    assert booking.find_by_token(session, reference, "x" * 64) is None
    assert booking.find_by_token(session, "AAAA-AAAA", booked.manage_token) is None
    assert booking.find_by_token(session, reference, None) is None


def test_two_counsellors_then_the_time_is_full(session: Session, gent: Organisation) -> None:
    first = do_book(session, gent, request(citizen=details("Ann")))
    second = do_book(session, gent, request(citizen=details("Bart")))
    assert first.appointment.staff_id != second.appointment.staff_id
    with pytest.raises(booking.SlotTaken):
        do_book(session, gent, request(citizen=details("Cis")))
    assert len(session.exec(select(Appointment)).all()) == 2


def test_the_counsellor_with_fewest_appointments_that_day_gets_the_booking(
    session: Session, gent: Organisation
) -> None:
    a = do_book(session, gent, request(MONDAY_NINE + timedelta(minutes=25))).appointment
    b = do_book(session, gent, request(MONDAY_NINE + timedelta(minutes=50))).appointment
    assert a.staff_id != b.staff_id  # second booking went to the one without appointments
    c = do_book(session, gent, request(MONDAY_NINE + timedelta(minutes=75))).appointment
    d = do_book(session, gent, request(MONDAY_NINE + timedelta(minutes=100))).appointment
    assert c.staff_id != d.staff_id


def test_the_same_idempotency_key_books_once(session: Session, gent: Organisation) -> None:
    first = do_book(session, gent, request(key="click-1"))
    again = do_book(session, gent, request(key="click-1"))
    assert again.replayed
    assert again.appointment.id == first.appointment.id
    assert again.manage_token == first.manage_token
    assert len(session.exec(select(Appointment)).all()) == 1


def test_in_person_topic_is_refused_with_its_reason(session: Session, gent: Organisation) -> None:
    with pytest.raises(booking.TopicNotBookable) as refused:
        do_book(session, gent, request(service="burgerzaken", topic="identiteitskaart"))
    assert "vingerafdrukken" in refused.value.reason["nl"]


def test_unknown_service_topic_and_not_yet_live(session: Session, gent: Organisation) -> None:
    with pytest.raises(booking.UnknownService):
        do_book(session, gent, request(service="bestaat-niet"))
    with pytest.raises(booking.UnknownTopic):
        do_book(session, gent, request(topic="bestaat-niet"))
    before_wave = datetime(2026, 2, 20, 10, 0, tzinfo=UTC)
    with pytest.raises(booking.UnknownService):
        booking.book(
            session, gent, request(), meeting_provider="jitsi", secret_key=SECRET, now=before_wave
        )


def test_a_time_off_the_grid_is_not_bookable(session: Session, gent: Organisation) -> None:
    with pytest.raises(booking.SlotTaken):
        do_book(session, gent, request(MONDAY_NINE + timedelta(minutes=7)))


def test_a_failing_meeting_provider_never_loses_the_booking(
    session: Session, gent: Organisation
) -> None:
    class Refused:
        name = "refused"

        def create(self, _request):
            raise MeetingError("no licence", retryable=False, code="ErrorAccessDenied")

    booked = do_book(session, gent, request())
    run_jobs(session, Refused())
    session.expire_all()
    stored = session.get(Appointment, booked.appointment.id)
    assert stored.status == AppointmentStatus.BOOKED
    assert stored.meeting_state == MeetingState.FAILED
    assert stored.join_url is None
    job = session.exec(select(Job).where(Job.kind == "meeting.create")).one()
    assert (job.state, job.error_code) == ("failed", "ErrorAccessDenied")


def test_cancel_frees_the_time_and_cannot_be_repeated(session: Session, gent: Organisation) -> None:
    a = do_book(session, gent, request(citizen=details("Ann"))).appointment
    do_book(session, gent, request(citizen=details("Bart")))
    booking.cancel(session, a, "Ik ben ziek", now=NOW)
    assert a.status == AppointmentStatus.CANCELLED
    assert a.calendar_sequence == 1
    assert a.cancel_reason == "Ik ben ziek"
    do_book(session, gent, request(citizen=details("Cis")))  # the freed place can be booked
    with pytest.raises(booking.NotChangeable):
        booking.cancel(session, a, now=NOW)


def test_reschedule_keeps_link_and_counsellor(session: Session, gent: Organisation) -> None:
    a = do_book(session, gent, request()).appointment
    run_jobs(session, JITSI)
    session.refresh(a)
    link, staff = a.join_url, a.staff_id
    assert link
    later = MONDAY_NINE + timedelta(days=1, minutes=50)
    booking.reschedule(session, a, later, now=NOW)
    session.expire_all()
    moved = session.get(Appointment, a.id)
    assert moved.start_at == later
    assert moved.end_at == later + timedelta(minutes=20)
    assert moved.join_url == link
    assert moved.staff_id == staff
    assert moved.calendar_sequence == 1


def test_reschedule_to_a_full_time_keeps_the_old_time(session: Session, gent: Organisation) -> None:
    target = MONDAY_NINE + timedelta(minutes=25)
    do_book(session, gent, request(target, citizen=details("Ann")))
    do_book(session, gent, request(target, citizen=details("Bart")))
    mine = do_book(session, gent, request(MONDAY_NINE, citizen=details("Cis"))).appointment
    with pytest.raises(booking.SlotTaken):
        booking.reschedule(session, mine, target, now=NOW)
    session.expire_all()
    assert session.get(Appointment, mine.id).start_at == MONDAY_NINE


def test_past_appointments_cannot_be_changed(session: Session, gent: Organisation) -> None:
    a = do_book(session, gent, request()).appointment
    with pytest.raises(booking.NotChangeable):
        booking.cancel(session, a, now=MONDAY_NINE + timedelta(minutes=1))


def test_clients_racing_for_the_last_place_get_one_appointment(
    engine: Engine, session: Session, gent: Organisation
) -> None:
    """Twelve clients race for the two places at one time: exactly two succeed.

    Twelve, because each client holds a pooled connection (pool: 5 + 10 overflow) at the barrier.
    """
    clients = 12
    barrier = threading.Barrier(clients)
    outcomes: list[str] = []
    lock = threading.Lock()

    def client(index: int) -> None:
        with Session(engine, expire_on_commit=False) as own:
            organisation = own.get(Organisation, gent.id)
            barrier.wait()
            try:
                booking.book(
                    own,
                    organisation,
                    request(citizen=details(f"Burger {index}")),
                    meeting_provider="jitsi",
                    secret_key=SECRET,
                    now=NOW,
                )
                result = "booked"
            except booking.SlotTaken:
                result = "taken"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("booked") == 2
    assert outcomes.count("taken") == clients - 2
    session.expire_all()
    rows = session.exec(select(Appointment)).all()
    assert len(rows) == 2
    assert len({row.staff_id for row in rows}) == 2


def test_a_locked_database_is_reported_as_busy_and_nothing_is_half_done(
    session: Session, gent: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    def locked() -> None:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(session, "commit", locked)
    with pytest.raises(booking.Busy):
        do_book(session, gent, request())
    monkeypatch.undo()
    session.rollback()
    assert session.exec(select(Appointment)).all() == []


class DeadlockDetected(Exception):
    """What psycopg raises when PostgreSQL breaks a deadlock (SQLSTATE 40P01)."""

    sqlstate = "40P01"


def racing_inserts(session: Session, monkeypatch: pytest.MonkeyPatch, races: int) -> list[int]:
    """Make the first ``races`` appointment inserts lose a deadlock; the inserts tried so far."""
    from sqlalchemy.exc import OperationalError

    real_flush = session.flush
    tried: list[int] = []

    def flush(*args, **kwargs) -> None:
        inserting = [row for row in session.new if isinstance(row, Appointment)]
        if inserting:
            tried.append(inserting[0].staff_id)
            if len(tried) <= races:
                raise OperationalError("INSERT", {}, DeadlockDetected("deadlock detected"))
        real_flush(*args, **kwargs)

    monkeypatch.setattr(session, "flush", flush)
    return tried


def test_a_booking_that_lost_a_deadlock_to_a_racing_booking_tries_again(
    session: Session, gent: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL aborts one of two racing inserts; its time may still be free, so no 503."""
    tried = racing_inserts(session, monkeypatch, races=2)
    booked = do_book(session, gent, request()).appointment
    assert len(tried) == 3 and len(set(tried)) == 1  # the same counsellor, tried again
    monkeypatch.undo()
    assert [row.id for row in session.exec(select(Appointment)).all()] == [booked.id]


def test_a_booking_that_keeps_losing_races_is_answered_busy_and_nothing_is_half_done(
    session: Session, gent: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    tried = racing_inserts(session, monkeypatch, races=booking.RACE_ATTEMPTS)
    with pytest.raises(booking.Busy):
        do_book(session, gent, request())
    assert len(tried) == booking.RACE_ATTEMPTS
    monkeypatch.undo()
    session.rollback()
    assert session.exec(select(Appointment)).all() == []
    assert session.exec(select(Job)).all() == []


def test_hostile_slugs_and_references_find_nothing(session: Session, gent: Organisation) -> None:
    with pytest.raises(booking.UnknownService):
        do_book(session, gent, request(service="gas\x00boetes"))
    with pytest.raises(booking.UnknownTopic):
        do_book(session, gent, request(topic="vraag\x00boete"))
    assert booking.find_by_token(session, "AB\x00C", "x") is None
    assert booking.find_by_token(session, "ABCD-EFGH", "x" * 300) is None


def test_a_preferred_counsellor_gets_the_booking_when_free(
    session: Session, gent: Organisation
) -> None:
    first = do_book(session, gent, request(MONDAY_NINE + timedelta(minutes=25))).appointment
    busier = first.staff_id  # fair order would now pick the other counsellor
    preferred = booking.book(
        session,
        gent,
        request(MONDAY_NINE + timedelta(minutes=50), citizen=details("Ann")),
        meeting_provider="jitsi",
        secret_key=SECRET,
        now=NOW,
        preferred_staff_id=busier,
    ).appointment
    assert preferred.staff_id == busier
    # Busy at that time (or not a staff member of the service): the fair order decides.
    for wanted in (busier, 999_999):
        other = booking.book(
            session,
            gent,
            request(MONDAY_NINE + timedelta(minutes=50), citizen=details("Bart")),
            meeting_provider="jitsi",
            secret_key=SECRET,
            now=NOW,
            preferred_staff_id=wanted,
        ).appointment
        assert other.staff_id != busier
        booking.cancel(session, other, now=NOW)
