"""HTTP routes served next to the Reflex app: health and the public booking API (/api/v1)."""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from reflex.config import get_config
from sqlalchemy import text
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Match, Route

from balie.api_documents import DOCUMENT_ROUTES
from balie.api_identity import IDENTITY_ROUTES
from balie.api_mail import not_requested
from balie.db import get_engine, session_scope
from balie.db_types import utcnow
from balie.http_guard import MAX_API_BODY_BYTES, BodyTooLarge, HttpGuard
from balie.i18n import ERRORS, pick
from balie.models import Appointment, Organisation, Service, Topic
from balie.observability import RequestIdMiddleware
from balie.services import booking, catalogue_cache, client_address, entra, org_settings, tenancy
from balie.services.abuse import api_keys
from balie.services.abuse import public as abuse
from balie.services.abuse.challenge import ChallengeRefused
from balie.services.abuse.gate import RateLimited, Requester, TooManyActive
from balie.services.catalogue import get_organisation
from balie.services.catalogue_cache import Catalogue
from balie.services.client_address import from_headers, parse_networks
from balie.services.insight import metrics
from balie.services.meetings import handlers
from balie.services.slots import cached_free_slots
from balie.services.staff import staff_auth
from balie.services.validation import validate_details
from balie.settings import Settings, get_settings
from balie.worker import (
    heartbeat_fresh,
    make_meeting_now,
    meeting_claim,
    meeting_for_new_booking,
)

log = logging.getLogger(__name__)

MAX_SLOT_DAYS = 62
MAX_BODY_BYTES = MAX_API_BODY_BYTES
# Starts outside these bounds are refused before they reach the booking code, whose day
# arithmetic overflows near year 1 and year 9999 (a 503 instead of a 422).
EARLIEST_START = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_START = datetime(2100, 1, 1, tzinfo=UTC)
Handler = Callable[[Request], Awaitable[JSONResponse]]


class ApiError(Exception):
    """An answer other than success, with its HTTP status and JSON body."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("error", ""))
        self.status = status
        self.body = body


def _error(status: int, code: str, message: str, **extra: Any) -> ApiError:
    """An ApiError with the common body shape."""
    return ApiError(status, {"error": code, "message": message, **extra})


def _without_nul(value: str) -> str:
    """Refuse NUL characters: PostgreSQL can neither store nor compare text that holds one."""
    if "\x00" in value:
        raise ValueError("Text must not contain NUL characters.")
    return value


NulFree = Annotated[str, AfterValidator(_without_nul)]


class BookingBody(BaseModel):
    """Body of POST /api/v1/appointments."""

    model_config = ConfigDict(extra="forbid")

    service: NulFree = Field(max_length=64)
    topic: NulFree = Field(max_length=64)
    start: datetime = Field(description="ISO 8601 with offset, e.g. 2026-03-30T09:00:00+02:00")
    name: str = Field(max_length=400)
    email: str = Field(max_length=400)
    phone: str | None = Field(default=None, max_length=60)
    language: str = Field(default="nl", max_length=8)
    question: str | None = Field(default=None, max_length=2000)
    consent: bool


class CancelBody(BaseModel):
    """Body of POST …/cancel."""

    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(max_length=500), AfterValidator(_without_nul)] | None = None


class RescheduleBody(BaseModel):
    """Body of POST …/reschedule."""

    model_config = ConfigDict(extra="forbid")

    start: datetime


def _guarded(handler: Handler) -> Handler:
    """Turn ApiErrors into JSON answers and anything unexpected into a logged 503, never a 500."""

    async def wrapper(request: Request) -> JSONResponse:
        try:
            return await handler(request)
        except ApiError as problem:
            return JSONResponse(problem.body, status_code=problem.status)
        except booking.Busy:
            body = {"error": "busy", "message": pick(ERRORS["error_busy"], "en")}
            return JSONResponse(body, status_code=503, headers={"Retry-After": "2"})
        except RateLimited as problem:
            body = {"error": "rate_limited", "message": pick(ERRORS[problem.key], "en")}
            headers = {"Retry-After": str(problem.retry_after)}
            return JSONResponse(body, status_code=429, headers=headers)
        except TooManyActive as problem:
            body = {"error": "too_many_active", "message": pick(ERRORS[problem.key], "en")}
            return JSONResponse(body, status_code=429, headers={"Retry-After": "3600"})
        except Exception:
            log.exception("unexpected error in %s %s", request.method, request.url.path)
            body = {"error": "unavailable", "message": "Please try again later."}
            return JSONResponse(body, status_code=503)

    return wrapper


async def _json_body(request: Request, model: type[BaseModel]) -> Any:
    """The request body validated against ``model``, or a 422 with per-field messages."""
    try:
        raw = await request.body()
    except BodyTooLarge as problem:  # HttpGuard counts the bytes while they stream in
        raise _error(413, "too_large", "The request body is too large.") from problem
    if len(raw) > MAX_BODY_BYTES:
        raise _error(413, "too_large", "The request body is too large.")
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError) as problem:
        raise _error(400, "invalid_json", "The request body is not valid JSON.") from problem
    try:
        return model.model_validate(data)
    except ValidationError as problem:
        fields = {
            ".".join(str(part) for part in error["loc"]) or "body": error["msg"]
            for error in problem.errors()
        }
        raise _error(422, "invalid", "Some fields are not valid.", fields=fields) from problem


def _organisation_slug() -> str:
    """The organisation of this request, from its host (HttpGuard resolved it)."""
    return tenancy.current_organisation_slug.get() or ""


def _catalogue(session: Any) -> Catalogue:
    """The catalogue of the organisation this site serves (cached per process)."""
    catalogue = catalogue_cache.current(session, _organisation_slug())
    if catalogue is None:
        raise _error(503, "not_configured", "No organisation is configured.")
    return catalogue


def _aware(moment: datetime) -> datetime:
    """Refuse times without an offset (the API never guesses a time zone) or far out of range."""
    if moment.tzinfo is None:
        raise _error(
            422,
            "invalid",
            "Some fields are not valid.",
            fields={"start": "Give the time with its offset, e.g. +02:00."},
        )
    if not EARLIEST_START <= moment < LATEST_START:
        raise _error(
            422,
            "invalid",
            "Some fields are not valid.",
            fields={"start": "Give a time between the years 2000 and 2099."},
        )
    return moment


def _bearer(request: Request) -> str:
    """The bearer token of the request ("" when missing)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _appointment_json(session: Any, appointment: Appointment, token: str | None) -> dict:
    """The public view of an appointment; service and topic come from the cached catalogue."""
    catalogue = _catalogue(session)
    organisation = catalogue.organisation
    service = catalogue.services_by_id.get(appointment.service_id)
    topic = catalogue.topics_by_id.get(appointment.topic_id)
    if organisation.id != appointment.organisation_id or service is None or topic is None:
        organisation = session.get(Organisation, appointment.organisation_id)
        service = session.get(Service, appointment.service_id)
        topic = session.get(Topic, appointment.topic_id)
    tz = ZoneInfo(organisation.time_zone)
    cancelled = appointment.status == "cancelled"
    body = {
        "reference": appointment.reference,
        "status": str(appointment.status),
        "start": appointment.start_at.astimezone(tz).isoformat(),
        "end": appointment.end_at.astimezone(tz).isoformat(),
        "service": service.slug,
        "topic": topic.slug,
        "join_url": None if cancelled else appointment.join_url,
        "meeting_state": str(appointment.meeting_state),
    }
    if token:
        base = tenancy.request_settings().public_base_url.rstrip("/")
        body["manage_url"] = f"{base}/afspraak?ref={appointment.reference}&token={token}"
    return body


async def healthz(_request: Request) -> JSONResponse:
    """Liveness and database readiness in one small answer."""
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not ready"
        return JSONResponse({"ok": False, "database": False}, status_code=503)
    return JSONResponse({"ok": True, "database": True})


def _readiness() -> dict[str, bool]:
    """Database, Redis (when configured) and this process's background worker, each true/false."""
    checks = {"database": False, "worker": False}
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = True
        checks["worker"] = heartbeat_fresh()
    except Exception:
        log.warning("readiness: database check failed", exc_info=True)
    redis_url = get_settings().redis_url
    if redis_url:
        import redis

        try:
            client = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
            checks["redis"] = bool(client.ping())
            client.close()
        except Exception:
            log.warning("readiness: Redis check failed", exc_info=True)
            checks["redis"] = False
    return checks


async def readyz(_request: Request) -> JSONResponse:
    """Readiness: 200 only when the database, Redis and the background worker are fine."""
    checks = await run_in_threadpool(_readiness)
    ready = all(checks.values())
    return JSONResponse({"ready": ready, **checks}, status_code=200 if ready else 503)


def _metrics_allowed(request: Request) -> bool:
    """A configured address (behind the trusted proxies) or the metrics bearer token."""
    settings = get_settings()
    token = settings.metrics_token.get_secret_value()
    if token and hmac.compare_digest(_bearer(request).encode(), token.encode()):
        return True
    peer = request.client.host if request.client else ""
    address = from_headers(peer, request.headers, settings.trusted_proxy_networks())
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(client in network for network in parse_networks(settings.metrics_allowed))


async def metrics_endpoint(request: Request) -> Response:
    """GET /api/metrics: Prometheus text, for allowed addresses or the bearer token."""
    if not _metrics_allowed(request):
        return JSONResponse({"error": "forbidden"}, status_code=403)
    body = await run_in_threadpool(metrics.render, session_scope, utcnow)
    return Response(body, media_type=metrics.CONTENT_TYPE)


def _services_payload(catalogue: Catalogue, today: date) -> list[dict]:
    """Live services with their topics and channel rules."""
    views = catalogue.live_views(today)
    return [
        {
            "slug": view.slug,
            "name": view.name,
            "description": view.description,
            "appointment_minutes": view.appointment_minutes,
            "topics": [
                {
                    "slug": topic.slug,
                    "name": topic.name,
                    "channel": "video" if topic.video_allowed else "in_person",
                    **({} if topic.video_allowed else {"reason": topic.reason}),
                    "preparation": topic.preparation,
                }
                for topic in view.topics
            ],
        }
        for view in views
    ]


def _services_body(catalogue: Catalogue) -> bytes:
    """The JSON answer of GET /api/v1/services, serialised once per snapshot and day."""
    today = datetime.now(ZoneInfo(catalogue.organisation.time_zone)).date()
    key = ("api.services", today)
    body = catalogue.derived.get(key)
    if body is None:
        payload = {"services": _services_payload(catalogue, today)}
        body = catalogue.derived[key] = JSONResponse(payload).body
    return body


def _read_services_body() -> bytes:
    """The services answer after checking the catalogue's version (needs the database)."""
    with session_scope() as session:
        return _services_body(_catalogue(session))


@_guarded
async def list_services(_request: Request) -> Response:
    """GET /api/v1/services: from the fresh snapshot without a thread, else after a check."""
    catalogue = catalogue_cache.fresh(get_engine(), _organisation_slug())
    if catalogue is None:
        body = await run_in_threadpool(_read_services_body)
    else:
        body = _services_body(catalogue)
    return Response(body, media_type="application/json")


def _parse_day(value: str | None, name: str) -> date:
    """A YYYY-MM-DD query parameter, or a 422."""
    try:
        return date.fromisoformat(value or "")
    except ValueError as problem:
        raise _error(
            422, "invalid", "Some fields are not valid.", fields={name: "Use the form YYYY-MM-DD."}
        ) from problem


def _slots_payload(slug: str, first: date, last: date) -> dict:
    """Free times of one service between two local days."""
    with session_scope() as session:
        catalogue = _catalogue(session)
        organisation = catalogue.organisation
        try:
            if "\x00" in slug:
                raise booking.UnknownService(slug)
            service = booking.find_live_service(session, organisation, slug, catalogue=catalogue)
        except booking.UnknownService as problem:
            raise _error(404, "unknown_service", pick(ERRORS[problem.key], "en")) from problem
        tz = ZoneInfo(organisation.time_zone)
        slots = cached_free_slots(session, service, first, last, datetime.now(tz), organisation)
    return {
        "service": slug,
        "time_zone": organisation.time_zone,
        "slots": [
            {
                "start": slot.start.astimezone(tz).isoformat(),
                "end": slot.end.astimezone(tz).isoformat(),
                "capacity": slot.capacity,
            }
            for slot in slots
        ],
    }


@_guarded
async def list_slots(request: Request) -> JSONResponse:
    """GET /api/v1/services/{service}/slots?from=…&to=…."""
    first = _parse_day(request.query_params.get("from"), "from")
    last = _parse_day(request.query_params.get("to"), "to")
    if last < first:
        raise _error(
            422,
            "invalid",
            "Some fields are not valid.",
            fields={"to": "'to' must not be before 'from'."},
        )
    if (last - first) >= timedelta(days=MAX_SLOT_DAYS):
        raise _error(
            422,
            "invalid",
            "Some fields are not valid.",
            fields={"to": f"Ask for at most {MAX_SLOT_DAYS} days per call."},
        )
    slug = request.path_params["service"]
    return JSONResponse(await run_in_threadpool(_slots_payload, slug, first, last))


API_KEY_HEADER = "x-api-key"
CHALLENGE_HEADER = "x-altcha"


def _requester(request: Request) -> tuple[Requester, str | None, str]:
    """The client address, the API key presented (if any) and the proof-of-work solution."""
    settings = get_settings()
    peer = request.client.host if request.client else ""
    address = from_headers(peer, request.headers, settings.trusted_proxy_networks())
    return (
        Requester(address),
        request.headers.get(API_KEY_HEADER),
        request.headers.get(CHALLENGE_HEADER, ""),
    )


def _admit(session: Any, organisation: Organisation, who: Requester, key: str | None, pow_: str):
    """An API key's requester, or the address's after a valid proof-of-work; else an ApiError."""
    settings = get_settings()
    if key is not None:
        row = api_keys.find_active(session, organisation.id, key)
        if row is None:
            raise _error(401, "invalid_api_key", "This API key is unknown or revoked.")
        return Requester(who.address, row.id, row.bookings_per_hour)
    if settings.proof_of_work:
        try:
            abuse.verify_challenge(session, settings, pow_, utcnow())
        except ChallengeRefused as problem:
            raise _error(
                403,
                "challenge_failed",
                "Solve a fresh challenge from GET /api/v1/challenge (or use an API key).",
                reason=problem.reason,
            ) from problem
    return who


def _book(body: BookingBody, key: str | None, origin: tuple = (Requester(""), None, "")) -> tuple:
    """Book through the shared booking service; returns status and body."""
    details, errors = validate_details(body.model_dump())
    if errors:
        fields = {field: pick(ERRORS[key], body.language) for field, key in errors.items()}
        raise _error(422, "invalid", "Some fields are not valid.", fields=fields)
    settings = get_settings()
    request = booking.BookingRequest(
        service_slug=body.service,
        topic_slug=body.topic,
        start=_aware(body.start),
        details=details,
        idempotency_key=key,
    )
    with session_scope() as session:
        catalogue = _catalogue(session)
        organisation = catalogue.organisation
        who = _admit(session, organisation, *origin)
        claimed_until = meeting_claim()  # the answer makes the meeting (see worker)
        try:
            booked = booking.book(
                session,
                catalogue.organisation,
                request,
                meeting_provider=settings.meeting_provider,
                secret_key=settings.secret_key.get_secret_value(),
                catalogue=catalogue,
                guard=abuse.guard_for(settings, who, details, utcnow()),
                meeting_claimed_until=claimed_until,
            )
        except booking.IdempotencyKeyReused as problem:
            raise _error(
                422, "idempotency_key_reused", pick(ERRORS[problem.key], body.language)
            ) from problem
        except booking.TopicNotBookable as problem:
            raise _error(
                400, "in_person_only", pick(problem.reason, body.language), reason=problem.reason
            ) from problem
        except (booking.UnknownService, booking.UnknownTopic) as problem:
            field = "service" if isinstance(problem, booking.UnknownService) else "topic"
            raise _error(
                422,
                "invalid",
                "Some fields are not valid.",
                fields={field: pick(ERRORS[problem.key], body.language)},
            ) from problem
        except booking.SlotTaken as problem:
            raise _error(409, "slot_taken", pick(ERRORS[problem.key], body.language)) from problem
        status = 200 if booked.replayed else 201
        appointment, token = booked.appointment, booked.manage_token
        if not booked.replayed:
            session.commit()  # no transaction stays open while the meeting is made
            # The link is in the answer unless it is slow.
            meeting_for_new_booking(session, appointment, catalogue, claimed_until)
        return status, _appointment_json(session, appointment, token)


@_guarded
async def create_appointment(request: Request) -> JSONResponse:
    """POST /api/v1/appointments."""
    key = request.headers.get("idempotency-key")
    if key is not None and (not (1 <= len(key) <= 128) or "\x00" in key):
        raise _error(
            422,
            "invalid",
            "Some fields are not valid.",
            fields={"Idempotency-Key": "Use 1 to 128 characters, none of them NUL."},
        )
    body = await _json_body(request, BookingBody)
    status, payload = await run_in_threadpool(_book, body, key, _requester(request))
    return JSONResponse(payload, status_code=status)


def _challenge_payload() -> dict:
    """A new proof-of-work challenge at the current difficulty."""
    return abuse.issue_challenge(get_settings(), utcnow()).as_dict()


@_guarded
async def get_challenge(_request: Request) -> JSONResponse:
    """GET /api/v1/challenge: a proof-of-work puzzle for one booking (ALTCHA, SHA-256)."""
    payload = await run_in_threadpool(_challenge_payload)
    return JSONResponse(payload, headers={"Cache-Control": "no-store"})


def _check_move(origin: tuple[Requester, str | None, str]) -> None:
    """A move counts under the hourly limit of the address (or the API key)."""
    settings = get_settings()
    with session_scope() as session:
        who, key, _pow = origin
        if key is not None:
            row = api_keys.find_active(session, _catalogue(session).organisation.id, key)
            if row is None:
                raise _error(401, "invalid_api_key", "This API key is unknown or revoked.")
            who = Requester(who.address, row.id, row.bookings_per_hour)
    abuse.gate_for(settings).check_rates(who, None)


def _with_appointment(reference: str, token: str, action: Callable[[Any, Appointment], Any]):
    """Run ``action`` on the appointment the token opens, or answer 404."""
    with session_scope() as session:
        findable = token and "\x00" not in reference
        appointment = booking.find_by_token(session, reference, token) if findable else None
        if appointment is None:
            raise _error(404, "not_found", "No appointment with this reference and token.")
        try:
            changed = action(session, appointment) is not None
        except booking.NotChangeable as problem:
            raise _error(409, "not_changeable", pick(ERRORS[problem.key], "en")) from problem
        except booking.SlotTaken as problem:
            raise _error(409, "slot_taken", pick(ERRORS[problem.key], "en")) from problem
        if changed:
            session.commit()
            make_meeting_now(appointment.id)
            handlers.reload_meeting(session, appointment)
        return _appointment_json(session, appointment, token)


@_guarded
async def get_appointment(request: Request) -> JSONResponse:
    """GET /api/v1/appointments/{reference}."""
    reference = request.path_params["reference"]
    payload = await run_in_threadpool(
        _with_appointment, reference, _bearer(request), lambda _s, _a: None
    )
    return JSONResponse(payload)


@_guarded
async def cancel_appointment(request: Request) -> JSONResponse:
    """POST /api/v1/appointments/{reference}/cancel."""
    body = await _json_body(request, CancelBody)
    reference = request.path_params["reference"]
    payload = await run_in_threadpool(
        _with_appointment,
        reference,
        _bearer(request),
        lambda session, appointment: booking.cancel(session, appointment, body.reason or ""),
    )
    return JSONResponse(payload)


@_guarded
async def reschedule_appointment(request: Request) -> JSONResponse:
    """POST /api/v1/appointments/{reference}/reschedule."""
    body = await _json_body(request, RescheduleBody)
    start = _aware(body.start)
    await run_in_threadpool(_check_move, _requester(request))
    reference = request.path_params["reference"]
    payload = await run_in_threadpool(
        _with_appointment,
        reference,
        _bearer(request),
        lambda session, appointment: booking.reschedule(session, appointment, start),
    )
    return JSONResponse(payload)


async def openapi(_request: Request) -> JSONResponse:
    """GET /api/v1/openapi.json."""
    return JSONResponse(OPENAPI)


def _schema(model: type[BaseModel]) -> dict:
    """JSON schema of a body model."""
    return model.model_json_schema()


_ERROR = {"description": "Error", "content": {"application/json": {"schema": {"type": "object"}}}}
_OK = {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
_REFERENCE = {"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}
_BEARER = [{"manageToken": []}]


def _body(model: type[BaseModel]) -> dict:
    """An OpenAPI request body for ``model``."""
    return {"required": True, "content": {"application/json": {"schema": _schema(model)}}}


OPENAPI: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Digitale Balie API", "version": "1.0.0"},
    "components": {"securitySchemes": {"manageToken": {"type": "http", "scheme": "bearer"}}},
    "paths": {
        "/api/v1/services": {"get": {"responses": {"200": _OK, "503": _ERROR}}},
        "/api/v1/services/{service}/slots": {
            "get": {
                "parameters": [
                    {
                        "name": "service",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                    {
                        "name": "from",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string", "format": "date"},
                    },
                    {
                        "name": "to",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string", "format": "date"},
                    },
                ],
                "responses": {"200": _OK, "404": _ERROR, "422": _ERROR, "503": _ERROR},
            }
        },
        "/api/v1/challenge": {
            "get": {
                "description": "A proof-of-work puzzle (ALTCHA v1): find `number` in "
                "0..maxnumber with SHA-256(salt + number) == challenge, then send base64 of "
                "JSON {algorithm, challenge, number, salt, signature} in the X-Altcha header of "
                "one booking. Single use; expires after 10 minutes; harder when many book.",
                "responses": {"200": _OK, "503": _ERROR},
            }
        },
        "/api/v1/appointments": {
            "post": {
                "description": "Needs X-Altcha (a solved challenge) or a partner's X-Api-Key. "
                "429 (`rate_limited`, `too_many_active`) carries Retry-After.",
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "maxLength": 128},
                    },
                    {
                        "name": "X-Altcha",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "maxLength": 2000},
                    },
                    {
                        "name": "X-Api-Key",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "maxLength": 128},
                    },
                ],
                "requestBody": _body(BookingBody),
                "responses": {
                    code: _OK if code in ("200", "201") else _ERROR
                    for code in (
                        "200",
                        "201",
                        "400",
                        "401",
                        "403",
                        "409",
                        "413",
                        "422",
                        "429",
                        "503",
                    )
                },
            }
        },
        "/api/v1/appointments/{reference}": {
            "get": {
                "parameters": [_REFERENCE],
                "security": _BEARER,
                "responses": {"200": _OK, "404": _ERROR, "503": _ERROR},
            }
        },
        "/api/v1/appointments/{reference}/cancel": {
            "post": {
                "parameters": [_REFERENCE],
                "security": _BEARER,
                "requestBody": _body(CancelBody),
                "responses": {
                    code: _OK if code == "200" else _ERROR
                    for code in ("200", "400", "404", "409", "413", "422", "503")
                },
            }
        },
        "/api/v1/appointments/{reference}/reschedule": {
            "post": {
                "parameters": [_REFERENCE],
                "security": _BEARER,
                "requestBody": _body(RescheduleBody),
                "responses": {
                    code: _OK if code == "200" else _ERROR
                    for code in ("200", "400", "404", "409", "413", "422", "503")
                },
            }
        },
        "/api/v1/appointments/{reference}/documents": {
            "get": {
                "parameters": [_REFERENCE],
                "security": _BEARER,
                "responses": {"200": _OK, "404": _ERROR},
            }
        },
        "/api/v1/appointments/{reference}/documents/{document}": {
            "get": {
                "parameters": [
                    _REFERENCE,
                    {
                        "name": "document",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    },
                ],
                "security": _BEARER,
                "responses": {
                    "200": {
                        "description": "The document, as an attachment",
                        "content": {
                            kind: {"schema": {"type": "string", "format": "binary"}}
                            for kind in ("application/pdf", "image/png", "image/jpeg")
                        },
                    },
                    "404": _ERROR,
                    "503": _ERROR,
                },
            }
        },
    },
}

STAFF_COOKIE = staff_auth.SESSION_COOKIE
STAFF_HOME = "/medewerkers"
STAFF_SIGN_IN = "/medewerkers/aanmelden"


def _frontend_origin(_request: Request) -> str:
    """Where to send the browser back to: the organisation's public base URL (from the host
    HttpGuard resolved), never the request's Host/Origin as such."""
    return tenancy.public_base_url_for(_organisation_slug()).rstrip("/")


def _secure_cookies() -> bool:
    """Whether cookies get the Secure flag (the site is served over https)."""
    return tenancy.request_settings().public_base_url.startswith("https://")


def _set_session_cookie(response: Response, token: str) -> None:
    """Give the browser the staff session: the same HttpOnly cookie for every way of signing in."""
    response.set_cookie(
        STAFF_COOKIE,
        token,
        max_age=int(staff_auth.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure_cookies(),
        path="/",
    )


def _sign_in(email: str, password: str, client_ip: str) -> str:
    """Check a local account and open a session; returns the session token."""
    settings = get_settings()
    limits = staff_auth.SignInLimits(
        per_address=settings.sign_in_address_limit, per_network=settings.sign_in_network_limit
    )
    with session_scope() as session:
        organisation = get_organisation(session, _organisation_slug())
        _staff, token = staff_auth.sign_in_local(
            session,
            email,
            password,
            client_ip,
            utcnow(),
            limits=limits,
            organisation_id=organisation.id if organisation else None,
        )
    return token


def _client_ip(request: Request) -> str:
    """The client's address, believing X-Forwarded-For only from the trusted proxies."""
    peer = request.client.host if request.client else ""
    trusted = get_settings().trusted_proxy_networks()
    return client_address.from_headers(peer, request.headers, trusted)


async def staff_login(request: Request) -> Response:
    """POST /api/staff/login (form): sets the HttpOnly session cookie and goes to the staff page."""
    origin = _frontend_origin(request)
    try:
        form = await request.form()
        email = str(form.get("email", ""))[:254]
        password = str(form.get("password", ""))[:1024]
        token = await run_in_threadpool(_sign_in, email, password, _client_ip(request))
    except BodyTooLarge:
        raise  # HttpGuard answers 413
    except staff_auth.SignInRefused as refused:
        metrics.count_sign_in_failure("password", refused.reason)
        wait = f"&wacht={refused.wait_seconds}" if refused.wait_seconds else ""
        return RedirectResponse(
            f"{origin}{STAFF_SIGN_IN}?fout={refused.reason}{wait}", status_code=303
        )
    except Exception:
        log.exception("staff sign-in failed")
        return RedirectResponse(f"{origin}{STAFF_SIGN_IN}?fout=unavailable", status_code=303)
    response = RedirectResponse(f"{origin}{STAFF_HOME}", status_code=303)
    _set_session_cookie(response, token)
    return response


def _sign_out(token: str | None) -> None:
    """Revoke the session behind the cookie."""
    with session_scope() as session:
        staff_auth.end_session(session, token, utcnow())


async def staff_logout(request: Request) -> Response:
    """POST /api/staff/logout: revokes the session and clears the cookie."""
    await run_in_threadpool(_sign_out, request.cookies.get(STAFF_COOKIE))
    origin = _frontend_origin(request)
    response = RedirectResponse(f"{origin}{STAFF_SIGN_IN}?afgemeld=1", status_code=303)
    response.delete_cookie(STAFF_COOKIE, path="/")
    return response


ENTRA_COOKIE_PATH = "/api/staff/entra"  # the flow cookie only travels to the Entra routes


def _entra_callback_url() -> str:
    """The redirect URI: where the browser reaches this backend (REFLEX_API_URL) + the path.

    ``make run`` serves app and API on one port and sets REFLEX_API_URL to
    BALIE_PUBLIC_BASE_URL, so in production this is public base URL + callback path.
    """
    return tenancy.request_backend_url(get_config().api_url) + entra.CALLBACK_PATH


def _entra_return_origin(request: Request) -> str:
    """Where the browser lands after an Entra sign-in: the public base URL (no open redirect)."""
    return _frontend_origin(request)


def _sign_in_problem(origin: str, reason: str) -> RedirectResponse:
    """Back to the sign-in page, which explains ``reason``."""
    return RedirectResponse(f"{origin}{STAFF_SIGN_IN}?fout={reason}", status_code=303)


def _entra_settings(session: Session) -> Settings:
    """The host's organisation's settings, with its own Entra tenant and app when it has them."""
    base = tenancy.request_settings()
    organisation_id = tenancy.current_organisation_id.get()
    if not organisation_id:
        return base
    return org_settings.effective_settings(session, organisation_id, base)


def _entra_start(return_origin: str) -> entra.StartedFlow:
    """Store a new sign-in flow."""
    with session_scope() as session:
        return entra.start_flow(
            session,
            _entra_settings(session),
            redirect_uri=_entra_callback_url(),
            return_origin=return_origin,
            now=utcnow(),
        )


async def staff_entra_start(request: Request) -> Response:
    """GET /api/staff/entra/start: remember the flow, set its cookie and go to Microsoft."""
    origin = _entra_return_origin(request)
    try:
        started = await run_in_threadpool(_entra_start, origin)
    except entra.EntraRefused as refused:
        return _sign_in_problem(origin, refused.reason)
    except Exception:
        log.exception("Entra sign-in could not start")
        return _sign_in_problem(origin, "unavailable")
    response = RedirectResponse(started.auth_uri, status_code=303)
    response.set_cookie(
        entra.FLOW_COOKIE,
        started.cookie_value,
        max_age=int(entra.FLOW_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure_cookies(),
        path=ENTRA_COOKIE_PATH,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _entra_finish(cookie_value: str | None, params: dict[str, str]) -> entra.SignedIn:
    """Take the flow, redeem the code and open a session."""
    with session_scope() as session:
        return entra.finish_sign_in(
            session, _entra_settings(session), cookie_value, params, utcnow()
        )


async def staff_entra_callback(request: Request) -> Response:
    """GET /api/staff/entra/callback: Microsoft sends the browser back here with a code."""
    public = tenancy.request_settings().public_base_url.rstrip("/")
    params = dict(request.query_params)
    try:
        signed_in = await run_in_threadpool(
            _entra_finish, request.cookies.get(entra.FLOW_COOKIE), params
        )
    except entra.EntraRefused as refused:
        metrics.count_sign_in_failure("entra", refused.reason)
        response = _sign_in_problem(refused.return_origin or public, refused.reason)
    except Exception:
        log.exception("Entra sign-in could not finish")
        response = _sign_in_problem(public, "unavailable")
    else:
        origin = signed_in.return_origin or public
        response = RedirectResponse(f"{origin}{STAFF_HOME}", status_code=303)
        _set_session_cookie(response, signed_in.session_token)
    response.delete_cookie(entra.FLOW_COOKIE, path=ENTRA_COOKIE_PATH)
    response.headers["Cache-Control"] = "no-store"
    return response


async def api_fallback(request: Request) -> Response:
    """Any other /api/ request: 405 with Allow where the path exists, else a JSON 404."""
    allowed: set[str] = set()
    for route in API_ROUTES:
        match, _child = route.matches({**request.scope, "method": "\x00"})
        if match is not Match.NONE and isinstance(route, Route) and route.methods:
            allowed |= route.methods
    if not allowed:
        return JSONResponse({"error": "not_found", "message": "No such address."}, 404)
    allow = ", ".join(sorted(allowed | {"OPTIONS"}))
    if request.method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": allow})
    body = {"error": "method_not_allowed", "message": "This method is not allowed here."}
    return JSONResponse(body, status_code=405, headers={"Allow": allow})


API_ROUTES: list[Route] = [
    Route("/api/healthz", healthz, methods=["GET"]),
    Route("/api/readyz", readyz, methods=["GET"]),
    Route("/api/metrics", metrics_endpoint, methods=["GET"]),
    Route("/api/staff/login", staff_login, methods=["POST"]),
    Route("/api/staff/logout", staff_logout, methods=["POST"]),
    Route("/api/staff/entra/start", staff_entra_start, methods=["GET"]),
    Route("/api/staff/entra/callback", staff_entra_callback, methods=["GET"]),
    *IDENTITY_ROUTES,
    Route("/api/v1/openapi.json", openapi, methods=["GET"]),
    Route("/api/v1/services", list_services, methods=["GET"]),
    Route("/api/v1/challenge", get_challenge, methods=["GET"]),
    Route("/api/v1/services/{service}/slots", list_slots, methods=["GET"]),
    Route("/api/v1/appointments", create_appointment, methods=["POST"]),
    Route("/api/v1/appointments/{reference}", get_appointment, methods=["GET"]),
    Route("/api/v1/appointments/{reference}/cancel", cancel_appointment, methods=["POST"]),
    Route(
        "/api/v1/appointments/{reference}/reschedule",
        reschedule_appointment,
        methods=["POST"],
    ),
    Route(
        "/api/v1/appointments/{reference}/not-requested",
        not_requested,
        methods=["GET", "POST"],
    ),
    *DOCUMENT_ROUTES,
]
API_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
API_FALLBACK = Route("/api/{rest:path}", api_fallback, methods=API_METHODS)
# Starlette's path pattern stops at a newline (%0A): match those too, so they get JSON as well.
API_FALLBACK.path_regex = re.compile(r"^/api/(?P<rest>.*)$", re.S)

# Reflex mounts its app (pages, assets, websocket) under this one. balie.balie puts HttpGuard
# outermost too; the guard runs once per request, this one only when the API is served alone.
api = Starlette(
    routes=[*API_ROUTES, API_FALLBACK],
    middleware=[Middleware(HttpGuard), Middleware(RequestIdMiddleware)],
)
