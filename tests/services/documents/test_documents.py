"""Documents of an appointment against the real ClamAV: refused, accepted, encrypted, erased."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from balie.db_types import utcnow
from balie.models import (
    Appointment,
    AuditEntry,
    Document,
    DocumentStatus,
    Organisation,
    StaffMember,
    StaffService,
)
from balie.services import documents
from balie.services.demo_data import load_demo_data
from balie.services.documents import vault
from balie.services.documents.scanner import ClamdScanner, ClamscanScanner, FallbackScanner
from balie.services.privacy import retention
from tests.clamav import EICAR, REPORTED_AS, ClamAV
from tests.samples import PROGRAM, ZIP_ARCHIVE, pdf_document, png_image
from tests.states.test_staff_authorization import booked_appointment

KEY = bytes(range(32))


@pytest.fixture
def store(tmp_path: Path) -> documents.Vault:
    """An empty document store with a fixed key."""
    return documents.Vault(tmp_path / "docs", KEY, max_bytes=1_000_000, per_appointment=4)


@pytest.fixture
def scanner(clamav: ClamAV) -> ClamdScanner:
    """The real clamd of the tests."""
    return ClamdScanner(clamav.clamd_address, timeout=30)


def book(session: Session, days: int = 1, service_slug: str = "verhuurderspunt") -> Appointment:
    """A booked appointment in ``days`` days with a counsellor of the service."""
    return booked_appointment(session, "Burger Document", "document@example.be", days, service_slug)


@pytest.fixture
def appointment(session: Session) -> Appointment:
    """Demo data and one booked appointment."""
    load_demo_data(session)
    return book(session)


def upload(
    session: Session,
    store: documents.Vault,
    scanner: object,
    appointment: Appointment,
    name: str,
    data: bytes,
) -> Document:
    """Receive and check one document as the citizen."""
    document = documents.receive(session, store, appointment, name, data, utcnow())
    return documents.check(session, store, scanner, document.id, utcnow())


def refusal(session: Session, store: documents.Vault, scanner: object, *args: object) -> str:
    """The code with which an upload is refused."""
    with pytest.raises(documents.DocumentRefused) as refused:
        upload(session, store, scanner, *args)
    return refused.value.code


def stored_files(store: documents.Vault) -> list[Path]:
    """Every file in the store."""
    return sorted(path for path in store.folder.rglob("*") if path.is_file())


def test_the_eicar_file_is_refused_as_a_virus_and_nothing_is_kept(
    session: Session, store: documents.Vault, scanner: ClamdScanner, appointment: Appointment
) -> None:
    with pytest.raises(documents.DocumentRefused) as refused:
        upload(session, store, scanner, appointment, "eicar.pdf", EICAR)
    assert refused.value.code == documents.VIRUS
    assert refused.value.detail == REPORTED_AS
    assert documents.documents_of(session, appointment.id) == []
    assert stored_files(store) == []


def test_a_wrong_type_renamed_to_pdf_is_refused(
    session: Session, store: documents.Vault, scanner: ClamdScanner, appointment: Appointment
) -> None:
    for data in (PROGRAM, ZIP_ARCHIVE, b"<html>not a pdf</html>"):
        assert refusal(session, store, scanner, appointment, "attest.pdf", data) == "wrong_type"
    assert documents.documents_of(session, appointment.id) == []
    assert stored_files(store) == []


def test_a_pdf_and_a_png_are_accepted_and_read_back_by_the_citizen(
    session: Session, store: documents.Vault, scanner: ClamdScanner, appointment: Appointment
) -> None:
    pdf, png = pdf_document(), png_image()
    first = upload(session, store, scanner, appointment, "Attest ../../etc/passwd.pdf", pdf)
    second = upload(session, store, scanner, appointment, "foto.jpeg", png)
    assert (first.status, first.content_type) == (DocumentStatus.CLEAN, "application/pdf")
    assert first.filename == "passwd.pdf"  # the base name only, never a path
    # The name follows the content: a PNG called .jpeg gets .png.
    assert (second.content_type, second.filename) == ("image/png", "foto.png")
    assert documents.read(session, store, first, appointment, utcnow()) == pdf
    assert documents.read(session, store, second, appointment, utcnow()) == png
    reads = session.exec(select(AuditEntry).where(AuditEntry.action == "document.download")).all()
    assert [entry.detail["by"] for entry in reads] == ["citizen", "citizen"]
    assert {entry.target_id for entry in reads} == {appointment.id}


def test_documents_are_encrypted_on_disk(
    session: Session, store: documents.Vault, scanner: ClamdScanner, appointment: Appointment
) -> None:
    pdf = pdf_document("Geheim attest 12345")
    document = upload(session, store, scanner, appointment, "attest.pdf", pdf)
    on_disk = vault.stored_path(store.folder, document.storage_name).read_bytes()
    assert b"%PDF" not in on_disk and b"Geheim attest" not in on_disk
    assert len(on_disk) == len(pdf) + 3 + 12 + 16  # marker, nonce, GCM tag
    again = upload(session, store, scanner, appointment, "attest.pdf", pdf)
    second = vault.stored_path(store.folder, again.storage_name).read_bytes()
    assert second[3:15] != on_disk[3:15]  # a fresh nonce per file
    other_key = documents.Vault(store.folder, bytes(32), store.max_bytes, store.per_appointment)
    with pytest.raises(vault.VaultError):
        documents.read(session, other_key, document, appointment, utcnow())


def test_a_quarantined_document_cannot_be_read(
    session: Session, store: documents.Vault, appointment: Appointment
) -> None:
    document = documents.receive(session, store, appointment, "a.pdf", pdf_document(), utcnow())
    assert document.status == DocumentStatus.QUARANTINE
    with pytest.raises(LookupError):
        documents.read(session, store, document, appointment, utcnow())


def test_size_count_and_state_limits_hold(
    session: Session, store: documents.Vault, scanner: ClamdScanner, appointment: Appointment
) -> None:
    too_big = b"%PDF-" + b"x" * store.max_bytes
    assert refusal(session, store, scanner, appointment, "big.pdf", too_big) == "too_big"
    assert refusal(session, store, scanner, appointment, "empty.pdf", b"") == "empty"
    for number in range(store.per_appointment):
        upload(session, store, scanner, appointment, f"{number}.png", png_image())
    assert refusal(session, store, scanner, appointment, "one-more.png", png_image()) == "too_many"
    assert len(documents.documents_of(session, appointment.id)) == store.per_appointment
    other = book(session, days=2)
    other.status = "cancelled"
    session.add(other)
    session.commit()
    assert refusal(session, store, scanner, other, "late.png", png_image()) == "closed"


def test_a_scanner_that_is_down_refuses_the_upload_with_its_own_code(
    session: Session, store: documents.Vault, appointment: Appointment, tmp_path: Path
) -> None:
    down = ClamdScanner(f"unix://{tmp_path / 'no-clamd.sock'}", timeout=2)
    assert refusal(session, store, down, appointment, "a.pdf", pdf_document()) == "scanner_down"
    assert stored_files(store) == []


def test_clamscan_takes_over_when_clamd_is_down(
    session: Session,
    store: documents.Vault,
    appointment: Appointment,
    clamav: ClamAV,
    tmp_path: Path,
) -> None:
    down = ClamdScanner(f"unix://{tmp_path / 'no-clamd.sock'}", timeout=2)
    fallback = FallbackScanner(down, ClamscanScanner(database=clamav.database))
    assert refusal(session, store, fallback, appointment, "e.pdf", EICAR) == "virus"
    assert upload(session, store, fallback, appointment, "a.pdf", pdf_document()).status == "clean"


def test_only_counsellors_of_the_service_may_access(
    session: Session, appointment: Appointment
) -> None:
    organisation = session.exec(select(Organisation)).one()
    own = session.get(StaffMember, appointment.staff_id)
    assert documents.staff_may_access(session, own, appointment)
    others = session.exec(
        select(StaffMember).where(StaffMember.organisation_id == organisation.id)
    ).all()
    outsiders = [
        member
        for member in others
        if not session.exec(
            select(StaffService).where(
                StaffService.staff_id == member.id,
                StaffService.service_id == appointment.service_id,
            )
        ).first()
    ]
    assert outsiders
    for member in outsiders:
        assert not documents.staff_may_access(session, member, appointment)


def test_documents_are_erased_with_the_personal_data(
    session: Session, store: documents.Vault, scanner: ClamdScanner, appointment: Appointment
) -> None:
    upload(session, store, scanner, appointment, "attest.pdf", pdf_document())
    upload(session, store, scanner, appointment, "foto.png", png_image())
    keeper = book(session, days=2)
    kept = upload(session, store, scanner, keeper, "blijft.pdf", pdf_document())
    keeper.end_at = appointment.end_at + timedelta(days=20)
    session.add(keeper)
    session.commit()
    assert len(stored_files(store)) == 3
    later = appointment.end_at + timedelta(days=31)
    retention.erase_due(session, later, 30, store)
    assert documents.documents_of(session, appointment.id) == []
    assert stored_files(store) == [vault.stored_path(store.folder, kept.storage_name)]
    assert retention.is_erased(session.get(Appointment, appointment.id))
    assert [d.id for d in documents.documents_of(session, keeper.id)] == [kept.id]


def test_stale_quarantine_is_purged(
    session: Session, store: documents.Vault, appointment: Appointment
) -> None:
    documents.receive(session, store, appointment, "a.pdf", pdf_document(), utcnow())
    assert documents.purge_stale_quarantine(session, store, utcnow()) == 0
    later = utcnow() + documents.QUARANTINE_LIMIT + timedelta(minutes=1)
    assert documents.purge_stale_quarantine(session, store, later) == 1
    assert stored_files(store) == []
