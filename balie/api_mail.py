"""HTTP route of the 'not requested by you?' link: the RFC 8058 one-click target.

A mail program POSTs ``List-Unsubscribe=One-Click`` to the address in the List-Unsubscribe
header; that cancels the appointment and suppresses its address, like the page's button.
A GET (a person, or a scanner following the link) only leads to the page that asks first.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from balie.db import session_scope
from balie.db_types import utcnow
from balie.services import tenancy
from balie.services.privacy import mail_suppression
from balie.settings import get_settings

log = logging.getLogger(__name__)

NOT_FOUND = {"error": "not_found", "message": "No appointment with this reference and token."}
HEADERS = {"Cache-Control": "no-store"}


def _report(reference: str, token: str) -> dict | None:
    """Cancel and suppress; the answer's body, or None for a wrong link."""
    secret = get_settings().secret_key.get_secret_value()
    with session_scope() as session:
        appointment = mail_suppression.find(session, reference, token, secret)
        if appointment is None:
            return None
        cancelled = mail_suppression.report_not_requested(session, appointment, secret, utcnow())
        return {"reference": appointment.reference, "cancelled": cancelled, "suppressed": True}


async def not_requested(request: Request) -> Response:
    """POST …/not-requested?token=…: one click cancels and stops the mail; GET asks first."""
    reference = request.path_params["reference"]
    token = request.query_params.get("token", "")
    if request.method == "GET":
        base = tenancy.request_settings().public_base_url.rstrip("/")
        page = f"{base}{mail_suppression.PAGE_PATH}?ref={quote(reference)}&token={quote(token)}"
        return RedirectResponse(page, status_code=303, headers=HEADERS)
    try:
        body = await run_in_threadpool(_report, reference, token)
    except Exception:
        log.exception("could not handle a 'not requested' report")
        return JSONResponse({"error": "unavailable"}, status_code=503, headers=HEADERS)
    if body is None:
        return JSONResponse(NOT_FOUND, status_code=404, headers=HEADERS)
    return JSONResponse(body, headers=HEADERS)
