"""Uploading documents from the manage page and the call card: ownership, limits, messages.

The handlers run as the browser calls them (upload, then the background scan) against the real
ClamAV of the tests.
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlalchemy import Engine
from sqlmodel import Session, select

from balie.models import Appointment, AuditEntry, Document, DocumentStatus, StaffMember
from balie.services import documents
from balie.services.booking import manage_token_for
from balie.services.demo_data import load_demo_data
from balie.settings import get_settings
from balie.states.manage import ManageState
from balie.states.staff import StaffState
from tests.clamav import EICAR, ClamAV
from tests.samples import PROGRAM, pdf_document, png_image
from tests.services.documents.test_documents import book
from tests.states.test_staff_state import appointment_for, minutes_ago_today, signed_in, staff


def upload(name: str, data: bytes) -> rx.UploadFile:
    """A file as the upload endpoint hands it to a handler."""
    return rx.UploadFile(file=io.BytesIO(data), path=Path(name), size=len(data))


def manage_state(appointment: Appointment | None, address: str = "203.0.113.7") -> ManageState:
    """The manage page opened with the personal link of ``appointment`` (or a wrong one)."""
    reference = appointment.reference if appointment else "AAAA-AAAA"
    token = manage_token_for(reference, "s") if appointment else "0" * 64
    state = ManageState(_reflex_internal_init=True)
    state.router = RouterData.from_router_data(
        {
            "pathname": "/afspraak",
            "asPath": f"/afspraak?ref={reference}&token={token}",
            "ip": address,
        }
    )
    ManageState.load.fn(state)
    return state


def send(state_class: Any, state: Any, *files: rx.UploadFile) -> None:
    """Call the upload handler and, as the browser would, the scan it returns."""
    follow_up = asyncio.run(state_class.upload_documents.fn(state, list(files)))
    if follow_up is not None:
        asyncio.run(state_class.check_documents.fn(state))


def stored(session: Session) -> list[Document]:
    """Every document row."""
    session.expire_all()
    return list(session.exec(select(Document)).all())


@pytest.fixture
def booked(session: Session, app_database: Engine, scanning: ClamAV) -> Appointment:
    """Demo data and one appointment, with the app pointed at the test ClamAV."""
    load_demo_data(session)
    return book(session)


def test_the_citizen_sends_a_pdf_and_an_image_and_sees_them(
    session: Session, booked: Appointment
) -> None:
    state = manage_state(booked)
    assert state.found and state.can_upload and state.documents == []
    send(ManageState, state, upload("attest.pdf", pdf_document()), upload("foto.png", png_image()))
    assert state.document_message == "doc_uploaded" and not state.checking
    assert [d.filename for d in state.documents] == ["attest.pdf", "foto.png"]
    token = manage_token_for(booked.reference, "s")
    assert state.documents[0].url.endswith(
        f"/api/v1/appointments/{booked.reference}/documents/{state.documents[0].document_id}"
        f"?token={token}"
    )
    assert {d.status for d in stored(session)} == {DocumentStatus.CLEAN}


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("eicar.pdf", EICAR, "doc_virus"),
        ("programma.pdf", PROGRAM, "doc_wrong_type"),
        ("leeg.pdf", b"", "doc_empty"),
    ],
)
def test_refused_files_get_their_own_message_and_are_not_kept(
    session: Session, booked: Appointment, name: str, data: bytes, message: str
) -> None:
    state = manage_state(booked)
    send(ManageState, state, upload(name, data))
    assert state.document_message == message
    assert state.document_file == name
    assert state.documents == [] and stored(session) == []


def test_a_file_over_the_size_limit_is_refused_without_reading_it_all(
    session: Session, booked: Appointment, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BALIE_DOCUMENT_MAX_BYTES", "2048")
    get_settings.cache_clear()
    state = manage_state(booked)
    send(ManageState, state, upload("groot.pdf", b"%PDF-" + b"x" * 5000))
    assert state.document_message == "doc_too_big" and stored(session) == []


def test_a_scanner_that_is_down_refuses_with_a_clear_message(
    session: Session, booked: Appointment, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BALIE_CLAMD_ADDRESS", f"unix://{tmp_path / 'weg.sock'}")
    monkeypatch.setenv("BALIE_CLAMSCAN_FALLBACK", "false")
    get_settings.cache_clear()
    state = manage_state(booked)
    send(ManageState, state, upload("attest.pdf", pdf_document()))
    assert state.document_message == "doc_scanner_down" and stored(session) == []


def test_the_number_of_documents_per_appointment_is_limited(
    session: Session, booked: Appointment, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BALIE_DOCUMENTS_PER_APPOINTMENT", "2")
    get_settings.cache_clear()
    state = manage_state(booked)
    files = [upload(f"{n}.png", png_image()) for n in range(3)]
    send(ManageState, state, *files)
    assert state.document_message == "doc_too_many"
    assert len(stored(session)) == 2
    send(ManageState, state, upload("nog-een.png", png_image()))
    assert state.document_message == "doc_too_many" and len(stored(session)) == 2


def test_uploads_per_hour_from_one_address_are_limited(
    session: Session, booked: Appointment, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BALIE_DOCUMENT_UPLOADS_PER_ADDRESS_PER_HOUR", "2")
    get_settings.cache_clear()
    state = manage_state(booked, "198.51.100.9")
    send(ManageState, state, upload("1.png", png_image()), upload("2.png", png_image()))
    assert len(stored(session)) == 2
    # Another appointment's link from the same address counts too.
    other = manage_state(book(session, 2), "198.51.100.9")
    send(ManageState, other, upload("3.png", png_image()))
    assert other.document_message == "doc_rate_limited" and len(stored(session)) == 2
    # Another address still may.
    elsewhere = manage_state(booked, "192.0.2.44")
    send(ManageState, elsewhere, upload("4.png", png_image()))
    assert elsewhere.document_message == "doc_uploaded" and len(stored(session)) == 3


def test_no_more_than_three_files_are_taken_from_one_upload(
    session: Session, booked: Appointment
) -> None:
    state = manage_state(booked)
    send(ManageState, state, *[upload(f"{n}.png", png_image()) for n in range(5)])
    assert len(stored(session)) == 3


def test_a_wrong_link_uploads_nothing(session: Session, booked: Appointment) -> None:
    state = manage_state(None)
    assert not state.found
    send(ManageState, state, upload("attest.pdf", pdf_document()))
    state._token, state.reference = "0" * 64, booked.reference  # a forged page
    send(ManageState, state, upload("attest.pdf", pdf_document()))
    assert stored(session) == []


def test_the_counsellor_adds_a_document_and_sees_the_citizens(
    session: Session, app_database: Engine, scanning: ClamAV
) -> None:
    load_demo_data(session)
    lotte = staff(session, "Lotte Claeys")
    today = appointment_for(session, lotte, minutes_ago_today(5))
    citizen = manage_state(today)
    send(ManageState, citizen, upload("loonfiche.pdf", pdf_document()))
    state = signed_in(session, "Lotte Claeys")
    row = next(row for row in state.rows if row.appointment_id == today.id)
    assert [d.filename for d in row.documents] == ["loonfiche.pdf"]
    assert row.documents[0].url.endswith(f"/api/staff/documents/{row.documents[0].document_id}")
    StaffState.open_upload.fn(state, today.id)
    assert state.upload_for_id == today.id
    send(StaffState, state, upload("attest.pdf", pdf_document("Attest")))
    assert state.document_message == "doc_uploaded"
    uploads = session.exec(select(AuditEntry).where(AuditEntry.action == "document.upload")).all()
    assert [(e.staff_id, e.target_id) for e in uploads] == [(lotte.id, today.id)]
    row = next(row for row in state.rows if row.appointment_id == today.id)
    assert [(d.filename, d.from_staff) for d in row.documents] == [
        ("loonfiche.pdf", False),
        ("attest.pdf", True),
    ]
    # The citizen sees it too, marked as coming from the city.
    ManageState.load.fn(citizen)
    assert [(d.filename, d.from_staff) for d in citizen.documents][-1] == ("attest.pdf", True)


def test_a_counsellor_of_another_service_cannot_add_or_open(
    session: Session, app_database: Engine, scanning: ClamAV
) -> None:
    load_demo_data(session)
    lotte = staff(session, "Lotte Claeys")
    target = appointment_for(session, lotte, minutes_ago_today(5))
    outsider = next(
        member
        for member in session.exec(select(StaffMember)).all()
        if "staff" in member.roles
        and not documents.staff_may_access(session, member, session.get(Appointment, target.id))
    )
    state = signed_in(session, outsider.display_name)
    assert all(row.appointment_id != target.id for row in state.rows)
    StaffState.open_upload.fn(state, target.id)
    assert state.upload_for_id == 0
    state._upload_for_id = target.id  # even with a forged panel the row is not theirs
    send(StaffState, state, upload("attest.pdf", pdf_document()))
    assert stored(session) == []
