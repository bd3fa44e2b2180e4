"""What the manage page and the call card share for documents: reading uploads, the list rows,
and the scan that runs outside the state lock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx
from reflex.config import get_config

from balie.db import session_scope
from balie.db_types import utcnow
from balie.http_guard import UPLOAD_FILES_AT_ONCE
from balie.models import Appointment, Document, DocumentStatus, StaffMember
from balie.services import documents
from balie.services.abuse.limiter import shared_limiter
from balie.services.documents.scanner import scanner_from_settings
from balie.settings import get_settings
from balie.texts.documents import DOCUMENT_MESSAGES


@dataclass
class DocumentView:
    """One document in a list: name, size, who sent it, and where to download it."""

    document_id: int
    filename: str
    size_label: str
    from_staff: bool
    checking: bool
    url: str


def _api(path: str) -> str:
    """An address on the backend (where the browser reaches the API)."""
    return f"{(get_config().api_url or '').rstrip('/')}{path}"


def citizen_views(docs: list[Document], reference: str, token: str) -> list[DocumentView]:
    """The documents as the citizen sees them, with links that carry the personal token."""
    return [
        _view(d, _api(f"/api/v1/appointments/{reference}/documents/{d.id}?token={token}"))
        for d in docs
    ]


def staff_views(docs: list[Document]) -> list[DocumentView]:
    """The documents as a counsellor sees them (the download checks the session cookie)."""
    return [_view(d, _api(f"/api/staff/documents/{d.id}")) for d in docs]


def _view(document: Document, url: str) -> DocumentView:
    """One row."""
    checking = document.status != DocumentStatus.CLEAN
    return DocumentView(
        document_id=document.id or 0,
        filename=document.filename,
        size_label=documents.size_label(document.size),
        from_staff=document.staff_id is not None,
        checking=checking,
        url="" if checking else url,
    )


async def read_uploads(files: Any) -> list[tuple[str, bytes | None]]:
    """Name and bytes of at most three uploaded files, each read only up to the size limit."""
    if not isinstance(files, list):
        return []
    limit = get_settings().document_max_bytes
    read: list[tuple[str, bytes | None]] = []
    for upload in files[:UPLOAD_FILES_AT_ONCE]:
        if not isinstance(upload, rx.UploadFile):
            continue
        data = await upload.read(limit + 1)
        name = upload.name or upload.filename or "document"
        # None: over the limit (the rest of the file is never read).
        read.append((str(name)[-120:], None if len(data) > limit else data))
    return read


def receive_all(
    appointment: Appointment,
    uploads: list[tuple[str, bytes | None]],
    session: Any,
    *,
    staff: StaffMember | None = None,
    address: str = "",
) -> tuple[list[int], list[str]]:
    """Put the uploads in quarantine: the new document ids and the refusal codes."""
    settings = get_settings()
    store = documents.Vault.from_settings(settings)
    ids: list[int] = []
    codes: list[str] = []
    for name, data in uploads:
        try:
            if data is None:
                raise documents.DocumentRefused(documents.TOO_BIG)
            if staff is None:  # citizens: an hourly limit per address
                documents.admit_upload(
                    shared_limiter(settings.redis_url),
                    settings.secret_key.get_secret_value(),
                    address,
                    settings.document_uploads_per_address_per_hour,
                )
            document = documents.receive(session, store, appointment, name, data, utcnow(), staff)
            ids.append(document.id)
        except documents.DocumentRefused as refused:
            codes.append(refused.code)
    return ids, codes


def check_all(document_ids: list[int]) -> list[str]:
    """Scan the quarantined documents (in a thread, never under the state lock); refusal codes."""
    settings = get_settings()
    store = documents.Vault.from_settings(settings)
    scanner = scanner_from_settings(settings)
    codes: list[str] = []
    with session_scope() as session:  # the event's organisation (TenantScope)
        for document_id in document_ids:
            try:
                documents.check(session, store, scanner, document_id, utcnow())
            except documents.DocumentRefused as refused:
                codes.append(refused.code)
            except LookupError:
                continue
    return codes


def message_for(codes: list[str], accepted: int) -> str:
    """The message key to show: the weightiest problem, else 'received'."""
    keys = [f"doc_{code}" for code in codes if f"doc_{code}" in DOCUMENT_MESSAGES]
    if keys:
        return min(keys, key=DOCUMENT_MESSAGES.index)
    return "doc_uploaded" if accepted else "doc_no_file"
