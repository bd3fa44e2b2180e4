"""Documents exchanged for an appointment: receive, scan, read and erase.

A document arrives in quarantine (encrypted on disk, not downloadable), is scanned by ClamAV
and its type checked by its bytes, and only then becomes ``clean``. A virus, a wrong type or a
scanner that does not answer removes it again, with a code that the pages turn into words.
Every read is audited. No Reflex here: the states and the API call these functions.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from balie.models import (
    Appointment,
    AppointmentStatus,
    Document,
    DocumentStatus,
    StaffMember,
    StaffService,
)
from balie.services.abuse.limiter import Limiter, RateLimitItemPerHour
from balie.services.documents import content, vault
from balie.services.documents.scanner import Scanner, ScannerUnavailable
from balie.services.staff.staff_auth import audit, has_role

# Quarantined documents older than this were never scanned (the process died): removed.
QUARANTINE_LIMIT = timedelta(hours=1)
AFTER_CALL = timedelta(hours=2)
# Codes of the refusals (the pages have a text for each, as "doc_<code>").
TOO_BIG, WRONG_TYPE, VIRUS, SCANNER_DOWN = "too_big", "wrong_type", "virus", "scanner_down"
TOO_MANY, EMPTY, CLOSED, RATE_LIMITED = "too_many", "empty", "closed", "rate_limited"


class DocumentRefused(Exception):
    """A document was not accepted; ``code`` says why."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Vault:
    """Where the documents are kept and the key that encrypts them."""

    folder: Path
    key: bytes
    max_bytes: int
    per_appointment: int

    @classmethod
    def from_settings(cls, settings: object) -> Vault:
        """The vault the settings describe."""
        return cls(
            folder=Path(settings.documents_dir),
            key=vault.key_from_settings(settings),
            max_bytes=settings.document_max_bytes,
            per_appointment=settings.documents_per_appointment,
        )


def may_exchange(appointment: Appointment, now: datetime) -> bool:
    """Documents can be added before and during the call, and up to 2 hours after its end."""
    open_statuses = (AppointmentStatus.BOOKED, AppointmentStatus.COMPLETED)
    return appointment.status in open_statuses and now < appointment.end_at + AFTER_CALL


def admit_upload(limiter: Limiter, secret_key: str, address: str, per_hour: int) -> None:
    """Count one citizen upload from ``address``; DocumentRefused when over the hourly limit."""
    digest = hmac.new(secret_key.encode(), f"doc-address:{address}".encode(), hashlib.sha256)
    if not limiter.hit(RateLimitItemPerHour(per_hour), f"doc-address:{digest.hexdigest()[:32]}"):
        raise DocumentRefused(RATE_LIMITED)


def staff_may_access(session: Session, staff: StaffMember, appointment: Appointment) -> bool:
    """A counsellor of the appointment's service (or its own counsellor), same organisation."""
    if not staff.active or appointment.organisation_id != staff.organisation_id:
        return False
    if not has_role(staff, "staff"):
        return False
    if appointment.staff_id == staff.id:
        return True
    linked = session.exec(
        select(StaffService).where(
            StaffService.staff_id == staff.id, StaffService.service_id == appointment.service_id
        )
    ).first()
    return linked is not None


def documents_of(session: Session, appointment_id: int) -> list[Document]:
    """The documents of an appointment, oldest first (quarantined ones included)."""
    return list(
        session.exec(
            select(Document)
            .where(Document.appointment_id == appointment_id)
            .order_by(col(Document.created_at), col(Document.id))
        ).all()
    )


def documents_for(session: Session, appointment_ids: list[int]) -> dict[int, list[Document]]:
    """The documents of several appointments at once (one query), per appointment id."""
    found: dict[int, list[Document]] = {}
    if not appointment_ids:
        return found
    rows = session.exec(
        select(Document)
        .where(col(Document.appointment_id).in_(appointment_ids))
        .order_by(col(Document.created_at), col(Document.id))
    ).all()
    for document in rows:
        found.setdefault(document.appointment_id, []).append(document)
    return found


def size_label(size: int) -> str:
    """A size people read: '820 kB', '2.4 MB', '10 MB' (no decimals from 10 MB on)."""
    if size < 1_000_000:
        return f"{max(1, round(size / 1000))} kB"
    if size < 9_950_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{size // 1_000_000} MB"  # rounded down: the limit is never shown above itself


def receive(
    session: Session,
    store: Vault,
    appointment: Appointment,
    filename: str,
    data: bytes,
    now: datetime,
    staff: StaffMember | None = None,
) -> Document:
    """Keep an upload in quarantine (encrypted, not downloadable) until it is scanned."""
    if not may_exchange(appointment, now):
        raise DocumentRefused(CLOSED)
    if not data:
        raise DocumentRefused(EMPTY)
    if len(data) > store.max_bytes:
        raise DocumentRefused(TOO_BIG)
    if len(documents_of(session, appointment.id)) >= store.per_appointment:
        raise DocumentRefused(TOO_MANY)
    name = vault.new_storage_name()
    vault.store(store.folder, store.key, name, data)
    document = Document(
        appointment_id=appointment.id,
        storage_name=name,
        filename=(filename or "document")[:120],
        size=len(data),
        staff_id=staff.id if staff else None,
        created_at=now,
    )
    session.add(document)
    if staff is not None:
        audit(session, staff, "document.upload", "appointment", appointment.id, at=now)
    session.commit()
    return document


def _discard(session: Session, store: Vault, document: Document) -> None:
    """Remove a document's file and row."""
    vault.remove(store.folder, document.storage_name)
    session.delete(document)
    session.commit()


def check(
    session: Session, store: Vault, scanner: Scanner, document_id: int, now: datetime
) -> Document:
    """Scan a quarantined document and check its type; clean, or removed with DocumentRefused."""
    document = session.get(Document, document_id)
    if document is None:
        raise LookupError(document_id)
    if document.status == DocumentStatus.CLEAN:
        return document
    data = vault.load(store.folder, store.key, document.storage_name)
    try:
        verdict = scanner.scan(data)
    except ScannerUnavailable as error:
        _discard(session, store, document)
        raise DocumentRefused(SCANNER_DOWN, str(error)) from error
    if not verdict.clean:
        _discard(session, store, document)
        raise DocumentRefused(VIRUS, verdict.signature)
    content_type = content.sniff(data)
    if content_type is None:
        _discard(session, store, document)
        raise DocumentRefused(WRONG_TYPE)
    document.content_type = content_type
    document.filename = content.safe_filename(document.filename, content_type)
    document.status = DocumentStatus.CLEAN
    document.scanned_at = now
    session.add(document)
    session.commit()
    return document


def read(
    session: Session,
    store: Vault,
    document: Document,
    appointment: Appointment,
    now: datetime,
    staff: StaffMember | None = None,
) -> bytes:
    """The plaintext of a clean document; the read is written to the audit log."""
    if document.status != DocumentStatus.CLEAN or document.appointment_id != appointment.id:
        raise LookupError(document.id)
    data = vault.load(store.folder, store.key, document.storage_name)
    audit(
        session,
        staff,
        "document.download",
        "appointment",
        appointment.id,
        organisation_id=appointment.organisation_id,
        at=now,
        document_id=document.id,
        by="staff" if staff else "citizen",
    )
    session.commit()
    return data


def erase_for(session: Session, store: Vault, appointment_ids: list[int]) -> int:
    """Delete the documents (files and rows) of these appointments; the count. No commit."""
    if not appointment_ids:
        return 0
    documents = session.exec(
        select(Document).where(col(Document.appointment_id).in_(appointment_ids))
    ).all()
    for document in documents:
        vault.remove(store.folder, document.storage_name)
        session.delete(document)
    session.flush()
    return len(documents)


def purge_stale_quarantine(session: Session, store: Vault, now: datetime) -> int:
    """Remove quarantined documents whose scan never finished; the count."""
    stale = session.exec(
        select(Document).where(
            Document.status == DocumentStatus.QUARANTINE,
            Document.created_at < now - QUARANTINE_LIMIT,
        )
    ).all()
    for document in stale:
        vault.remove(store.folder, document.storage_name)
        session.delete(document)
    session.commit()
    return len(stale)
