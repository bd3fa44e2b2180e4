"""Document downloads over HTTP: only the citizen's own link and the service's counsellors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from balie.api import api
from balie.db_types import utcnow
from balie.models import Appointment, AuditEntry, Document, StaffMember, StaffService
from balie.services import documents
from balie.services.booking import manage_token_for
from balie.services.demo_data import load_demo_data
from balie.services.documents.scanner import scanner_from_settings
from balie.services.identity import signin
from balie.services.staff import staff_auth
from balie.settings import get_settings
from tests.clamav import ClamAV
from tests.samples import pdf_document, png_image
from tests.services.documents.test_documents import book
from tests.states.test_manage_identity_state import identified, signed_in

SECRET = "s"  # the secret tests.services.documents.test_documents.book derives tokens with


@pytest.fixture
def client(app_database: Engine, scanning: ClamAV) -> Iterator[TestClient]:
    """A client of the API on the test database, with the real ClamAV behind the app."""
    with TestClient(api, base_url="http://localhost") as client:
        yield client


def add(session: Session, appointment: Appointment, name: str, data: bytes) -> Document:
    """A scanned, clean document of ``appointment``."""
    settings = get_settings()
    store = documents.Vault.from_settings(settings)
    document = documents.receive(session, store, appointment, name, data, utcnow())
    return documents.check(session, store, scanner_from_settings(settings), document.id, utcnow())


def url(appointment: Appointment, document: Document) -> str:
    """The citizen's download address of ``document``."""
    return f"/api/v1/appointments/{appointment.reference}/documents/{document.id}"


def bearer(appointment: Appointment) -> dict[str, str]:
    """The citizen's token for ``appointment`` as a header."""
    return {"Authorization": f"Bearer {manage_token_for(appointment.reference, SECRET)}"}


def cookie_for(session: Session, member: StaffMember) -> dict[str, str]:
    """A live staff session of ``member`` as a cookie."""
    return {staff_auth.SESSION_COOKIE: staff_auth.start_session(session, member, utcnow())}


def outsider(session: Session, appointment: Appointment) -> StaffMember:
    """A counsellor who does not serve the appointment's service."""
    members = session.exec(select(StaffMember)).all()
    for member in members:
        linked = session.exec(
            select(StaffService).where(
                StaffService.staff_id == member.id,
                StaffService.service_id == appointment.service_id,
            )
        ).first()
        if "staff" in member.roles and linked is None and member.id != appointment.staff_id:
            return member
    raise AssertionError("the demo data has no counsellor of another service")


@pytest.fixture
def world(session: Session, client: TestClient) -> dict:
    """Two citizens' appointments, one with a PDF and a PNG."""
    load_demo_data(session)
    mine, theirs = book(session, 1), book(session, 2)
    pdf, png = pdf_document(), png_image()
    return {
        "mine": mine,
        "theirs": theirs,
        "pdf": add(session, mine, "attest.pdf", pdf),
        "png": add(session, mine, "foto.png", png),
        "bytes": {"pdf": pdf, "png": png},
    }


def test_the_owner_downloads_a_pdf_and_an_image_as_attachments(
    client: TestClient, world: dict, session: Session
) -> None:
    mine = world["mine"]
    answer = client.get(url(mine, world["pdf"]), headers=bearer(mine))
    assert answer.status_code == 200
    assert answer.content == world["bytes"]["pdf"]
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == 'attachment; filename="attest.pdf"'
    assert answer.headers["cache-control"] == "no-store"
    token = manage_token_for(mine.reference, SECRET)
    image = client.get(url(mine, world["png"]), params={"token": token})  # the page's link
    assert image.status_code == 200 and image.content == world["bytes"]["png"]
    assert image.headers["content-type"] == "image/png"
    listed = client.get(f"/api/v1/appointments/{mine.reference}/documents", headers=bearer(mine))
    assert [d["filename"] for d in listed.json()["documents"]] == ["attest.pdf", "foto.png"]
    reads = session.exec(select(AuditEntry).where(AuditEntry.action == "document.download"))
    assert [entry.detail["by"] for entry in reads.all()] == ["citizen", "citizen"]


def test_another_citizens_link_cannot_download(client: TestClient, world: dict) -> None:
    mine, theirs = world["mine"], world["theirs"]
    for headers in (bearer(theirs), {"Authorization": "Bearer " + "0" * 64}, {}):
        answer = client.get(url(mine, world["pdf"]), headers=headers)
        assert answer.status_code == 404
        assert answer.content != world["bytes"]["pdf"]
    # Their own reference with their own token does not open my document either.
    other = f"/api/v1/appointments/{theirs.reference}/documents/{world['pdf'].id}"
    assert client.get(other, headers=bearer(theirs)).status_code == 404
    listed = client.get(f"/api/v1/appointments/{mine.reference}/documents", headers=bearer(theirs))
    assert listed.status_code == 404


def test_only_a_counsellor_of_the_service_downloads(
    client: TestClient, world: dict, session: Session
) -> None:
    mine = world["mine"]
    address = f"/api/staff/documents/{world['pdf'].id}"
    assert client.get(address).status_code == 404  # no session
    stranger = outsider(session, mine)
    client.cookies.update(cookie_for(session, stranger))
    assert client.get(address).status_code == 404
    client.cookies.clear()
    counsellor = session.get(StaffMember, mine.staff_id)
    client.cookies.update(cookie_for(session, counsellor))
    answer = client.get(address)
    assert answer.status_code == 200 and answer.content == world["bytes"]["pdf"]
    assert answer.headers["content-disposition"] == 'attachment; filename="attest.pdf"'
    reads = session.exec(
        select(AuditEntry).where(
            AuditEntry.action == "document.download", AuditEntry.staff_id == counsellor.id
        )
    ).all()
    assert len(reads) == 1 and reads[0].detail["by"] == "staff"


def test_a_document_in_quarantine_is_not_downloadable(
    client: TestClient, world: dict, session: Session
) -> None:
    mine = world["mine"]
    store = documents.Vault.from_settings(get_settings())
    waiting = documents.receive(session, store, mine, "a.pdf", pdf_document(), utcnow())
    assert client.get(url(mine, waiting), headers=bearer(mine)).status_code == 404


def test_hostile_document_ids_are_404(client: TestClient, world: dict) -> None:
    mine = world["mine"]
    base = f"/api/v1/appointments/{mine.reference}/documents/"
    for bad in ("0", "-1", "abc", "99999999999999999999", "1%00"):
        assert client.get(base + bad, headers=bearer(mine)).status_code == 404


def test_an_identified_appointment_needs_the_same_persons_sign_in_too(
    client: TestClient, session: Session, scanning: ClamAV
) -> None:
    load_demo_data(session)
    mine = identified(session)
    pdf = add(session, mine, "huurcontract.pdf", pdf_document())
    listing = f"/api/v1/appointments/{mine.reference}/documents"
    assert client.get(url(mine, pdf), headers=bearer(mine)).status_code == 404  # link alone
    assert client.get(listing, headers=bearer(mine)).status_code == 404
    namesake = signed_in(session, "namesake", "cd" * 32).split("=", 1)[1]
    client.cookies.set(signin.COOKIE, namesake)
    assert client.get(url(mine, pdf), headers=bearer(mine)).status_code == 404
    assert client.get(listing, headers=bearer(mine)).status_code == 404
    client.cookies.set(signin.COOKIE, signed_in(session, "jan").split("=", 1)[1])
    answer = client.get(url(mine, pdf), headers=bearer(mine))
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    assert [d["filename"] for d in client.get(listing, headers=bearer(mine)).json()["documents"]]
    assert client.get(url(mine, pdf)).status_code == 404  # the sign-in alone: no link, nothing
