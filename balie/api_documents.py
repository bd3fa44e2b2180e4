"""Document routes: list and download an appointment's documents (citizen's token or staff).

The citizen uses the token of the personal link (``Authorization: Bearer`` or ``?token=``, as
in the link the manage page shows) and, when the appointment needed identification, a live
sign-in of the same person in this browser (its HttpOnly cookie); staff use their session
cookie and must serve the appointment's service. Every download is audited and sent as an
attachment with a safe name.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from balie.db import session_scope
from balie.db_types import utcnow
from balie.models import Appointment, Document, DocumentStatus, StaffMember, Topic
from balie.services import booking, documents
from balie.services.documents.vault import VaultError
from balie.services.identity import owner, signin
from balie.services.staff import staff_auth
from balie.services.validation import positive_id
from balie.settings import get_settings

log = logging.getLogger(__name__)

NOT_FOUND = {"error": "not_found", "message": "No such document for this appointment."}
UNAVAILABLE = {"error": "unavailable", "message": "Please try again later."}


def _token(request: Request) -> str:
    """The manage token: bearer header, else the ``token`` query parameter."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.query_params.get("token", "")[:256]


def document_json(document: Document) -> dict[str, Any]:
    """What a caller sees of one document."""
    return {
        "id": document.id,
        "filename": document.filename,
        "content_type": document.content_type,
        "size": document.size,
        "status": str(document.status),
        "from": "staff" if document.staff_id else "citizen",
        "uploaded": document.created_at.isoformat(),
    }


def _citizen_appointment(
    session: Any, reference: str, token: str, cookie: str | None
) -> Appointment | None:
    """The appointment the token opens, when this browser may see its documents: for a topic
    that needed identification only with a live sign-in of the same person."""
    appointment = booking.find_by_token(session, reference, token) if token else None
    if appointment is None:
        return None
    person = signin.verified_for(session, cookie, utcnow())
    topic = session.get(Topic, appointment.topic_id)
    return appointment if owner.may_share_documents(appointment, topic, person) else None


def _citizen_list(reference: str, token: str, cookie: str | None) -> list[dict] | None:
    """The documents of the appointment the token opens (None: no such appointment)."""
    with session_scope() as session:
        appointment = _citizen_appointment(session, reference, token, cookie)
        if appointment is None:
            return None
        return [document_json(d) for d in documents.documents_of(session, appointment.id)]


def _read(
    session: Any, document_id: int | None, appointment: Appointment, staff: StaffMember | None
) -> tuple[bytes, Document] | None:
    """The plaintext and row of a clean document of ``appointment`` (None: not there)."""
    document = session.get(Document, document_id) if document_id else None
    if (
        document is None
        or document.appointment_id != appointment.id
        or document.status != DocumentStatus.CLEAN
    ):
        return None
    store = documents.Vault.from_settings(get_settings())
    return documents.read(session, store, document, appointment, utcnow(), staff), document


def _citizen_download(
    reference: str, token: str, cookie: str | None, document_id: Any
) -> tuple | None:
    """The document when the token (and, where needed, the sign-in) opens its appointment."""
    with session_scope() as session:
        appointment = _citizen_appointment(session, reference, token, cookie)
        if appointment is None:
            return None
        return _read(session, positive_id(document_id), appointment, None)


def _staff_download(cookie: str | None, document_id: Any) -> tuple | None:
    """The document when the signed-in counsellor serves its appointment's service."""
    settings = get_settings()
    with session_scope() as session:
        staff = staff_auth.staff_for_token(
            session, cookie, utcnow(), timedelta(minutes=settings.staff_idle_minutes)
        )
        wanted = positive_id(document_id)
        document = session.get(Document, wanted) if staff and wanted else None
        appointment = session.get(Appointment, document.appointment_id) if document else None
        if appointment is None or not documents.staff_may_access(session, staff, appointment):
            return None
        return _read(session, wanted, appointment, staff)


def attachment(data: bytes, document: Document) -> Response:
    """The document as a download: its checked type, a safe name, never shown inline."""
    return Response(
        data,
        media_type=document.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{document.filename}"',
            "Cache-Control": "no-store",
        },
    )


async def _answer(work: Any, *args: Any) -> Response:
    """Run ``work`` in a thread; 404 when it found nothing, 503 when the store fails."""
    try:
        found = await run_in_threadpool(work, *args)
    except VaultError:
        log.exception("a stored document could not be read")
        return JSONResponse(UNAVAILABLE, status_code=503)
    if found is None:
        return JSONResponse(NOT_FOUND, status_code=404)
    return attachment(*found)


async def list_documents(request: Request) -> Response:
    """GET /api/v1/appointments/{reference}/documents."""
    found = await run_in_threadpool(
        _citizen_list,
        request.path_params["reference"],
        _token(request),
        request.cookies.get(signin.COOKIE),
    )
    if found is None:
        body = {"error": "not_found", "message": "No appointment with this reference and token."}
        return JSONResponse(body, status_code=404)
    return JSONResponse({"documents": found})


async def citizen_download(request: Request) -> Response:
    """GET /api/v1/appointments/{reference}/documents/{document}."""
    params = request.path_params
    return await _answer(
        _citizen_download,
        params["reference"],
        _token(request),
        request.cookies.get(signin.COOKIE),
        params["document"],
    )


async def staff_download(request: Request) -> Response:
    """GET /api/staff/documents/{document} (staff session cookie)."""
    cookie = request.cookies.get(staff_auth.SESSION_COOKIE)
    return await _answer(_staff_download, cookie, request.path_params["document"])


DOCUMENT_ROUTES = [
    Route("/api/v1/appointments/{reference}/documents", list_documents, methods=["GET"]),
    Route(
        "/api/v1/appointments/{reference}/documents/{document}",
        citizen_download,
        methods=["GET"],
    ),
    Route("/api/staff/documents/{document}", staff_download, methods=["GET"]),
]
