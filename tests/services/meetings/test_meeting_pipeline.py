"""Booking, moving and cancelling reach the fake Graph as create, PATCH and cancel calls."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from balie.models import Appointment
from balie.services import booking, jobs
from balie.services.catalogue import get_organisation
from balie.services.demo_data import load_demo_data
from balie.services.meetings.teams import TeamsProvider
from balie.services.validation import CitizenDetails
from tests.conftest import RecordingMailer
from tests.fakes.microsoft import MicrosoftFakes, running_fakes

NOW = datetime(2026, 3, 25, 10, 0, tzinfo=UTC)
MONDAY_NINE = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
QUESTION = "Mijn buurman heeft een boete gekregen voor mijn auto."


@pytest.fixture
def fakes() -> Iterator[MicrosoftFakes]:
    """Fake Entra and Graph on loopback."""
    with running_fakes() as running:
        yield running


def run_all(session: Session, fakes: MicrosoftFakes, **settings: object) -> RecordingMailer:
    """Run every due job against the fakes."""
    engine = session.get_bind()
    mailer = RecordingMailer()
    config = fakes.settings(**settings)
    context = jobs.JobContext(
        provider=TeamsProvider(config, sleep=fakes.clock.advance),
        mailer=mailer,
        settings=config,
        now=lambda: NOW,
    )
    while jobs.run_due_jobs(lambda: Session(engine, expire_on_commit=False), context, limit=50):
        pass
    return mailer


def book_one(session: Session) -> Appointment:
    """A GAS-fine appointment with a question."""
    load_demo_data(session)
    gent = get_organisation(session, "gent")
    details = CitizenDetails("Jan", "jan@example.be", None, "nl", QUESTION, True)
    request = booking.BookingRequest("gas-boetes", "niet-akkoord", MONDAY_NINE, details)
    booked = booking.book(session, gent, request, meeting_provider="teams", secret_key="s", now=NOW)
    return booked.appointment


def test_booking_makes_a_teams_event_and_mails_its_link(
    session: Session, fakes: MicrosoftFakes
) -> None:
    appointment = book_one(session)
    mailer = run_all(session, fakes)
    session.refresh(appointment)
    assert appointment.join_url.startswith("https://teams.microsoft.com/l/meetup-join/")
    create = fakes.calls("create_event")[0].body
    assert create["isOnlineMeeting"] is True
    assert create["onlineMeetingProvider"] == "teamsForBusiness"
    assert QUESTION not in str(create)  # the question stays with the city by default
    confirmation = mailer.sent[0]
    assert appointment.join_url in confirmation.get_body(("plain",)).get_content()


def test_the_question_goes_along_only_when_the_city_enables_it(
    session: Session, fakes: MicrosoftFakes
) -> None:
    book_one(session)
    run_all(session, fakes, share_question_with_meeting_provider=True)
    assert QUESTION in str(fakes.calls("create_event")[0].body)


def test_moving_patches_the_same_event_and_cancelling_cancels_it(
    session: Session, fakes: MicrosoftFakes
) -> None:
    appointment = book_one(session)
    run_all(session, fakes)
    session.refresh(appointment)
    link = appointment.join_url
    later = MONDAY_NINE + timedelta(days=1)
    booking.reschedule(session, appointment, later, now=NOW)
    run_all(session, fakes)
    patch = fakes.calls("update_event")
    assert len(patch) == 1
    assert set(patch[0].body) == {"start", "end"}
    assert patch[0].body["start"]["dateTime"].startswith("2026-03-31T07:00")
    session.refresh(appointment)
    assert appointment.join_url == link
    booking.cancel(session, appointment, "", now=NOW)
    mailer = run_all(session, fakes)
    assert len(fakes.calls("cancel_event")) == 1
    assert "Geannuleerd" in mailer.sent[-1]["Subject"]
    assert len(fakes.graph.events_in(fakes.organiser)) == 0  # cancelled events are hidden
