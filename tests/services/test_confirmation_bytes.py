"""The confirmation e-mail the background job sends, pinned byte for byte.

Only the clock, the Message-ID and the MIME boundary are fixed here; everything else (names
from the catalogue, the organisation's settings and host, the links, the invitation) comes
from the same code the worker runs. Any change to how the job reads or builds the e-mail must
leave these bytes as they are.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from balie.models import Appointment
from balie.services import booking, catalogue_cache, jobs, mime_build, notifications
from balie.services.booking import BookingRequest, manage_token_for, token_hash
from balie.services.catalogue import get_organisation
from balie.services.demo_data import load_demo_data
from balie.services.meetings.interface import Meeting, MeetingRequest
from balie.services.validation import CitizenDetails
from balie.settings import Settings
from balie.worker import organisation_context
from tests.conftest import RecordingMailer

NOW = datetime(2026, 3, 25, 10, 0, tzinfo=UTC)
MONDAY_NINE = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
SECRET = "pinned-secret"
REFERENCE = "K7QX-3MPA"
PINNED = Path(__file__).parent / "pinned" / "confirmation.eml"


class _FrozenDatetime(datetime):
    """``datetime`` whose ``now`` is NOW (the e-mail's Date header and the DTSTAMP)."""

    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        return NOW.astimezone(tz) if tz is not None else NOW.replace(tzinfo=None)


class _Provider:
    """A meeting provider with a fixed room per reference."""

    name = "fake"

    def create(self, request: MeetingRequest) -> Meeting:
        return Meeting(
            self.name, f"room-{request.reference}", f"https://meet.example/r/{request.reference}"
        )

    def update(self, external_id: str, request: MeetingRequest) -> None:
        """Nothing to move."""

    def cancel(self, external_id: str, request: MeetingRequest) -> None:
        """Nothing to cancel."""


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    """The clock, Message-ID and MIME boundaries of e-mails fixed."""
    monkeypatch.setattr(notifications, "datetime", _FrozenDatetime)
    monkeypatch.setattr(notifications, "make_msgid", lambda domain=None: f"<pinned@{domain}>")
    boundaries = iter(uuid.UUID(int=number) for number in range(1, 100))
    monkeypatch.setattr(mime_build, "uuid", SimpleNamespace(uuid4=lambda: next(boundaries)))


def _confirmation(session: Session, engine: Engine) -> bytes:
    """The bytes of the confirmation e-mail the jobs send for a fresh booking."""
    load_demo_data(session)
    gent = get_organisation(session, "gent")
    details = CitizenDetails(
        "Zoë Van den Broeck-Çelik",
        "zoe@example.be",
        "0470 12 34 56",
        "nl",
        "Mijn vraag, met één komma; en een puntkomma",
        True,
    )
    request = BookingRequest("gas-boetes", "vraag-boete", MONDAY_NINE, details)
    appointment = booking.book(
        session, gent, request, meeting_provider="jitsi", secret_key=SECRET, now=NOW
    ).appointment
    appointment = session.get(Appointment, appointment.id)
    appointment.reference = REFERENCE
    appointment.manage_token_hash = token_hash(manage_token_for(REFERENCE, SECRET))
    appointment.join_url = None
    appointment.meeting_external_id = None
    appointment.meeting_state = "pending"
    session.add(appointment)
    session.commit()
    settings = Settings(
        _env_file=None,
        secret_key=SECRET,
        public_base_url="https://balie.example",
        mail_from="Digitale Balie <noreply@balie.example>",
        organisation="gent",
    )
    mailer = RecordingMailer()
    context = jobs.JobContext(
        _Provider(), mailer, settings, lambda: NOW, for_organisation=organisation_context
    )
    catalogue_cache.clear()
    jobs.run_due_jobs(lambda: Session(engine, expire_on_commit=False), context, limit=100)
    confirmations = [m for m in mailer.sent if str(m["Subject"]).startswith("Bevestiging")]
    assert len(confirmations) == 1
    return confirmations[0].as_bytes()


def test_the_confirmation_e_mail_is_byte_for_byte_the_pinned_one(
    session: Session, engine: Engine, frozen: None
) -> None:
    produced = _confirmation(session, engine)
    assert b"K7QX-3MPA" in produced and b"https://meet.example/r/K7QX-3MPA" in produced
    assert produced == PINNED.read_bytes()
