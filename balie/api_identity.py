"""HTTP routes of the citizen's sign-in (OpenID Connect): start at the provider, come back.

The browser leaves the wizard for the provider with a full-page redirect and comes back to the
callback, which sets the HttpOnly cookie the wizard's state then reads from its connection.
The manage page starts the same sign-in with its personal link (``afspraak`` + ``token``) to
unlock the documents of an appointment that needed identification. Where the browser returns is
built from checked data only (no open redirect): slugs of a live topic, or the reference of an
appointment whose link was checked; the manage token is rebuilt on the way back, never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import datetime
from urllib.parse import parse_qs, quote, urlencode, urlsplit
from zoneinfo import ZoneInfo

from limits import RateLimitItemPerHour
from reflex.config import get_config
from sqlmodel import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from balie.db import session_scope
from balie.db_types import utcnow
from balie.i18n import normalise_language
from balie.models import Appointment, Topic
from balie.services import booking, catalogue_cache, client_address, tenancy
from balie.services.abuse.limiter import shared_limiter
from balie.services.identity import oidc, owner, signin
from balie.services.identity.levels import required_level
from balie.settings import get_settings

log = logging.getLogger(__name__)

START_PATH = "/api/identity/start"
CALLBACK_PATH = "/api/identity/callback"
WIZARD_PATH = "/boeken"
MANAGE_PATH = "/afspraak"
STARTS_PER_ADDRESS_PER_HOUR = 30  # each start stores a row and calls the provider
HEADERS = {"Cache-Control": "no-store"}


def callback_url() -> str:
    """The redirect URI registered with the provider: the backend's address + the path."""
    return tenancy.request_backend_url(get_config().api_url) + CALLBACK_PATH


def wizard_path(service: str, topic: str) -> str:
    """The wizard at this service and topic (slugs already checked)."""
    return f"{WIZARD_PATH}?{urlencode({'dienst': service, 'onderwerp': topic})}"


def manage_path(reference: str) -> str:
    """The manage page of an appointment, without its token (kept with the sign-in)."""
    return f"{MANAGE_PATH}?{urlencode({'ref': reference})}"


def _manage_with_token(path: str) -> str:
    """The manage page with its personal token rebuilt from the reference (plain page when the
    appointment is gone)."""
    reference = parse_qs(urlsplit(path).query).get("ref", [""])[0][:16]
    if not reference:
        return MANAGE_PATH
    with session_scope() as session:
        appointment = session.exec(
            select(Appointment).where(Appointment.reference == reference)
        ).first()
        if appointment is None:
            return MANAGE_PATH
        token = booking.manage_token_matching(
            appointment.reference, appointment.manage_token_hash, get_settings().secret_keys()
        )
        return f"{MANAGE_PATH}?{urlencode({'ref': appointment.reference, 'token': token})}"


def _client_ip(request: Request) -> str:
    """The client's address, believing X-Forwarded-For only from the trusted proxies."""
    peer = request.client.host if request.client else ""
    trusted = get_settings().trusted_proxy_networks()
    return client_address.from_headers(peer, request.headers, trusted)


async def _back(path: str, outcome: str) -> RedirectResponse:
    """Back to the wizard or the manage page (public base URL + a path we built) with the
    sign-in's outcome."""
    base = tenancy.request_settings().public_base_url.rstrip("/")
    if path.startswith(MANAGE_PATH + "?"):
        path = await run_in_threadpool(_manage_with_token, path)
    elif path != MANAGE_PATH and not path.startswith(WIZARD_PATH):
        path = WIZARD_PATH
    joiner = "&" if "?" in path else "?"
    response = RedirectResponse(
        f"{base}{path}{joiner}aanmelding={quote(outcome)}", status_code=303, headers=HEADERS
    )
    return response


def _level_for(service_slug: str, topic_slug: str) -> str:
    """The level the topic needs; IdentityRefused when it does not exist or needs none."""
    settings = tenancy.request_settings()
    with session_scope() as session:
        catalogue = catalogue_cache.current(session, settings.organisation)
        if catalogue is None:
            raise signin.SignInRefused("identity_off")
        organisation = catalogue.organisation
        now = datetime.now(ZoneInfo(organisation.time_zone))
        try:
            service = booking.find_live_service(session, organisation, service_slug, now, catalogue)
            topic = booking.find_bookable_topic(session, service, topic_slug, catalogue)
        except booking.BookingError:
            raise signin.SignInRefused("identity_off") from None
        level = required_level(topic).value
    if level == "none":
        raise signin.SignInRefused("identity_off")
    return level


def _allowed(client_ip: str) -> bool:
    """Count one start for this address; False when over the hourly limit."""
    settings = get_settings()
    digest = hmac.new(
        settings.secret_key.get_secret_value().encode(), client_ip.encode(), hashlib.sha256
    ).hexdigest()[:32]
    limiter = shared_limiter(settings.redis_url)
    return limiter.hit(RateLimitItemPerHour(STARTS_PER_ADDRESS_PER_HOUR), "identity-start", digest)


def _start(service_slug: str, topic_slug: str, language: str, client_ip: str) -> tuple:
    """Check the topic, store the sign-in under way; (started, return path)."""
    back = wizard_path(service_slug, topic_slug)
    if not get_settings().identification_configured:
        raise signin.SignInRefused("identity_off", back)
    return _begin(_level_for(service_slug, topic_slug), back, language, client_ip)


def _start_manage(reference: str, token: str, language: str, client_ip: str) -> tuple:
    """Check the personal link, store the sign-in under way; (started, return path)."""
    with session_scope() as session:
        appointment = booking.find_by_token(session, reference, token)
        if appointment is None:
            raise signin.SignInRefused("identity_expired", MANAGE_PATH)
        back = manage_path(appointment.reference)
        level = owner.needed_level(appointment, session.get(Topic, appointment.topic_id))
    if not get_settings().identification_configured or level == "none":
        raise signin.SignInRefused("identity_off", back)
    return _begin(level, back, language, client_ip)


def _begin(level: str, back: str, language: str, client_ip: str) -> tuple:
    """Count the start for this address and store the sign-in under way."""
    settings = get_settings()
    if not _allowed(client_ip):
        raise signin.SignInRefused("identity_busy", back)
    with session_scope() as session:
        started = signin.start(
            session,
            settings,
            oidc.client_for(settings),
            level=level,
            return_path=back,
            redirect_uri=callback_url(),
            language=language,
            now=utcnow(),
        )
    return started, back


async def identity_start(request: Request) -> Response:
    """GET /api/identity/start?dienst=…&onderwerp=… (wizard) or ?afspraak=…&token=… (manage
    page): remember the sign-in, go to the provider."""
    query = request.query_params
    language = normalise_language(query.get("lang", "nl"))
    if "afspraak" in query:
        fallback = MANAGE_PATH
        work: tuple = (_start_manage, query["afspraak"][:16], query.get("token", "")[:256])
    else:
        service_slug, topic_slug = query.get("dienst", "")[:64], query.get("onderwerp", "")[:64]
        fallback = wizard_path(service_slug, topic_slug) if service_slug else WIZARD_PATH
        work = (_start, service_slug, topic_slug)
    try:
        started, _back_path = await run_in_threadpool(*work, language, _client_ip(request))
    except signin.SignInRefused as refused:
        return await _back(refused.return_path or fallback, refused.reason)
    except oidc.IdentityRefused as refused:
        return await _back(fallback, refused.reason)
    except Exception:
        log.exception("citizen sign-in could not start")
        return await _back(fallback, "identity_unavailable")
    response = RedirectResponse(started.url, status_code=303, headers=HEADERS)
    _set_cookie(response, started.cookie_value, signin.FLOW_LIFETIME.total_seconds())
    return response


def _set_cookie(response: Response, value: str, max_age: float) -> None:
    """The HttpOnly cookie that binds the sign-in to this browser (Lax: the provider's
    redirect back is a top-level GET)."""
    response.set_cookie(
        signin.COOKIE,
        value,
        max_age=int(max_age),
        httponly=True,
        samesite="lax",
        secure=tenancy.request_settings().public_base_url.startswith("https://"),
        path="/",
    )


def _finish(cookie_value: str | None, params: dict[str, str]) -> tuple[str, str]:
    """Check the provider's answer; (new cookie value, return path)."""
    settings = get_settings()
    with session_scope() as session:
        new_cookie, verified = signin.finish(
            session,
            settings,
            oidc.client_for(settings),
            cookie_value,
            params,
            redirect_uri=callback_url(),
            now=utcnow(),
        )
        return new_cookie, verified.return_path


async def identity_callback(request: Request) -> Response:
    """GET /api/identity/callback: the provider sends the browser back here with a code."""
    params = dict(request.query_params.items())
    try:
        new_cookie, back = await run_in_threadpool(
            _finish, request.cookies.get(signin.COOKIE), params
        )
    except signin.SignInRefused as refused:
        log.info("citizen sign-in refused: %s", refused.reason)
        response = await _back(refused.return_path, refused.reason)
        response.delete_cookie(signin.COOKIE, path="/")
        return response
    except oidc.IdentityRefused as refused:
        response = await _back(WIZARD_PATH, refused.reason)
        response.delete_cookie(signin.COOKIE, path="/")
        return response
    except Exception:
        log.exception("citizen sign-in could not finish")
        response = await _back(WIZARD_PATH, "identity_unavailable")
        response.delete_cookie(signin.COOKIE, path="/")
        return response
    response = await _back(back, "ok")
    _set_cookie(response, new_cookie, signin.IDENTITY_LIFETIME.total_seconds())
    return response


IDENTITY_ROUTES = [
    Route(START_PATH, identity_start, methods=["GET"]),
    Route(CALLBACK_PATH, identity_callback, methods=["GET"]),
]
