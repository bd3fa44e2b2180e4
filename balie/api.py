"""HTTP routes served next to the Reflex app."""

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from balie.db import get_engine


async def healthz(_request: Request) -> JSONResponse:
    """Liveness and database readiness in one small answer."""
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not ready"
        return JSONResponse({"ok": False, "database": False}, status_code=503)
    return JSONResponse({"ok": True, "database": True})


api = Starlette(routes=[Route("/api/healthz", healthz, methods=["GET"])])
